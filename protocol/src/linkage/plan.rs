//! Plans (预案): registered with a version, approved (批准) and filed
//! (备案) with the post above, reviewed by a due date, activated for an
//! incident.
//!
//! A plan's id is the entry id of its first registration; a new version is
//! a new registration that names the plan.

use serde::{Deserialize, Serialize};

use super::attachment::Attachment;
use super::rules;
use super::vocab::EventType;
use crate::body_rules::BodyError;
use crate::ids::EntryId;
use crate::limits::Limits;
use crate::region::RegionCode;

/// A plan, or a new version of one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRecord {
    /// `None` registers a new plan; `Some` registers a new version of it.
    pub plan: Option<EntryId>,
    /// "沙湾市防汛抗旱应急预案".
    pub title: String,
    /// The version as the document names it, e.g. "2024 修订版".
    pub version: String,
    /// The event types it covers (may be empty for a general plan, 总体预案).
    pub events: Vec<EventType>,
    /// The area it applies to.
    pub region: RegionCode,
    pub summary: String,
    /// The document itself, by hash.
    pub document: Option<Attachment>,
    /// When the plan must next be reviewed (定期评估修订), ms since epoch.
    pub review_due_ms: u64,
}

impl PlanRecord {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        rules::name("title", &self.title, limits)?;
        rules::name("version", &self.version, limits)?;
        rules::list("events", &self.events)?;
        self.events.iter().try_for_each(|e| e.check(limits))?;
        rules::long("summary", &self.summary, limits)?;
        if let Some(doc) = &self.document {
            doc.check(limits)?;
        }
        if self.review_due_ms == 0 {
            return Err(crate::body_rules::DomainError::Zero {
                field: "review_due_ms",
            }
            .into());
        }
        Ok(())
    }
}

/// Approval or filing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanApprovalKind {
    /// 批准: by a command post responsible for the plan's area.
    Approve,
    /// 备案: filed with a post above the plan's owner.
    File,
}

impl PlanApprovalKind {
    pub const fn name_zh(self) -> &'static str {
        match self {
            PlanApprovalKind::Approve => "批准",
            PlanApprovalKind::File => "备案",
        }
    }
}

/// A post approves or files one version of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanApproval {
    pub plan: EntryId,
    /// The registration entry of the version approved.
    pub version: EntryId,
    pub kind: PlanApprovalKind,
    pub note: String,
}

impl PlanApproval {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        rules::long("note", &self.note, limits)
    }
}

/// A plan is put into action for an incident (预案启动).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanActivation {
    pub plan: EntryId,
    pub incident: EntryId,
    pub drill: Option<EntryId>,
    pub note: String,
}

impl PlanActivation {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        rules::long("note", &self.note, limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::vocab::Category;

    #[test]
    fn rules() {
        let limits = Limits::default();
        let mut p = PlanRecord {
            plan: None,
            title: "沙湾市防汛抗旱应急预案".into(),
            version: "2024".into(),
            events: vec![EventType::new(Category::Natural, "flood_drought")],
            region: "654203".parse().expect("region"),
            summary: String::new(),
            document: None,
            review_due_ms: 1,
        };
        assert_eq!(p.check(&limits), Ok(()));
        p.version.clear();
        assert_eq!(p.check(&limits), Err(BodyError::Empty { field: "version" }));
        p.version = "2024".into();
        p.review_due_ms = 0;
        assert!(p.check(&limits).is_err());
        p.review_due_ms = 1;
        p.events
            .push(EventType::new(Category::Accident, "flood_drought"));
        assert!(p.check(&limits).is_err());
    }
}
