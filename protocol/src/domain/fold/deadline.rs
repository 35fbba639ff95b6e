//! Reporting deadlines (信息报告时限), as configurable data.
//!
//! The defaults follow common practice in the linkage rules: the first
//! report (首报) within 1 hour of occurrence for accidents and social
//! safety events, within 2 hours for natural disasters and public health
//! events; while an incident is open, a 续报 at least every 4 hours. A
//! deployment sets its own in its configuration (or genesis).

use serde::{Deserialize, Serialize};

use crate::domain::Category;

const MINUTE_MS: u64 = 60_000;

/// Minutes allowed per event category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryMinutes {
    pub natural: u32,
    pub accident: u32,
    pub public_health: u32,
    pub social_safety: u32,
}

impl CategoryMinutes {
    pub fn get(&self, category: Category) -> u32 {
        match category {
            Category::Natural => self.natural,
            Category::Accident => self.accident,
            Category::PublicHealth => self.public_health,
            Category::SocialSafety => self.social_safety,
        }
    }
}

/// How soon reports are due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeadlinePolicy {
    /// From occurrence to the 首报.
    pub first_report_minutes: CategoryMinutes,
    /// The longest allowed gap between reports while an incident is open.
    pub update_every_minutes: u32,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        DeadlinePolicy {
            first_report_minutes: CategoryMinutes {
                natural: 120,
                accident: 60,
                public_health: 120,
                social_safety: 60,
            },
            update_every_minutes: 240,
        }
    }
}

impl DeadlinePolicy {
    pub fn first_report_ms(&self, category: Category) -> u64 {
        u64::from(self.first_report_minutes.get(category)) * MINUTE_MS
    }

    pub fn update_every_ms(&self) -> u64 {
        u64::from(self.update_every_minutes) * MINUTE_MS
    }
}
