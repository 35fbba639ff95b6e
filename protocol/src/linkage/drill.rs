//! Drills (演练). A drill starts with a [`DrillStart`] entry, whose id is
//! the drill id every entry of the drill carries; it ends with a
//! [`DrillEnd`]. Drill entries have status Exercise and never enter the
//! views of real events.

use serde::{Deserialize, Serialize};

use super::rules;
use crate::body_rules::BodyError;
use crate::ids::EntryId;
use crate::limits::Limits;
use crate::region::RegionCode;

/// A drill begins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillStart {
    /// "2026 年沙湾市防汛联合演练".
    pub name: String,
    /// The scenario played.
    pub scenario: String,
    /// The area that takes part.
    pub region: RegionCode,
    /// The plan the drill exercises, if any.
    pub plan: Option<EntryId>,
}

impl DrillStart {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        rules::name("name", &self.name, limits)?;
        rules::long("scenario", &self.scenario, limits)
    }
}

/// A drill ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillEnd {
    pub drill: EntryId,
    /// First findings; the numbers come from the after-action review.
    pub summary: String,
}

impl DrillEnd {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        rules::long("summary", &self.summary, limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        let limits = Limits::default();
        let d = DrillStart {
            name: "防汛演练".into(),
            scenario: String::new(),
            region: "654203".parse().expect("region"),
            plan: None,
        };
        assert_eq!(d.check(&limits), Ok(()));
        let unnamed = DrillStart {
            name: String::new(),
            ..d
        };
        assert_eq!(
            unnamed.check(&limits),
            Err(BodyError::Empty { field: "name" })
        );
    }
}
