//! The views cut into the areas a duty officer looks at — incidents,
//! resources, tasks, warnings, plans, drills, rescue forces — each with the conflicts the
//! fold resolved and the entries it excluded that concern it: a board (CLI)
//! or a page (console) never hides that something was refused.

use liandong_protocol::domain::fold::{Conflict, Excluded, Track, Views};
use liandong_protocol::{EntryId, Kind};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Incidents,
    Resources,
    Tasks,
    Warnings,
    Plans,
    Drills,
    /// The rescue-force registry (救援力量储备库).
    Forces,
}

/// One area of the views and what concerns it: what `board --json` prints
/// and the console's area endpoints answer.
#[derive(Debug, Serialize)]
pub struct Section<'a> {
    pub track: &'a Track,
    pub now_ms: u64,
    #[serde(flatten)]
    pub items: serde_json::Value,
    pub conflicts: Vec<&'a Conflict>,
    pub invalid: Vec<&'a Excluded>,
}

impl Area {
    /// The entries a conflict of this area is about.
    pub fn subjects(self, v: &Views) -> Vec<EntryId> {
        match self {
            Area::Incidents => v.incidents.iter().map(|x| x.id).collect(),
            Area::Resources => v
                .offers
                .iter()
                .map(|x| x.id)
                .chain(v.commits.iter().map(|x| x.id))
                .collect(),
            Area::Tasks => v.tasks.iter().map(|x| x.id).collect(),
            Area::Warnings => v.warnings.iter().map(|x| x.id).collect(),
            Area::Plans => v.plans.iter().map(|x| x.id).collect(),
            Area::Drills => v.drills.iter().map(|x| x.id).collect(),
            Area::Forces => v.forces.iter().map(|x| x.id).collect(),
        }
    }

    /// The kinds whose excluded entries this area lists.
    pub fn kinds(self) -> Vec<Kind> {
        match self {
            Area::Incidents => vec![
                Kind::INCIDENT_REPORT,
                Kind::RESPONSE_DECISION,
                Kind::CONSULTATION,
                Kind::INFO_RELEASE,
                Kind::PLAN_ACTIVATION,
            ],
            Area::Resources => vec![
                Kind::RESOURCE_REQUEST,
                Kind::RESOURCE_OFFER,
                Kind::RESOURCE_COMMIT,
                Kind::RESOURCE_COMMIT_SURPLUS,
                Kind::RESOURCE_STATUS,
            ],
            Area::Tasks => vec![Kind::TASK, Kind::TASK_UPDATE],
            Area::Warnings => vec![Kind::WARNING],
            Area::Plans => vec![Kind::PLAN, Kind::PLAN_APPROVAL],
            Area::Drills => vec![Kind::DRILL_START, Kind::DRILL_END],
            Area::Forces => vec![Kind::RESCUE_FORCE],
        }
    }

    /// The conflicts about this area's things.
    pub fn conflicts(self, v: &Views) -> Vec<&Conflict> {
        let subjects = self.subjects(v);
        v.conflicts
            .iter()
            .filter(|c| subjects.contains(&c.subject))
            .collect()
    }

    /// The excluded entries of this area's kinds.
    pub fn invalid(self, v: &Views) -> Vec<&Excluded> {
        let kinds = self.kinds();
        v.invalid
            .iter()
            .filter(|x| kinds.iter().any(|k| k.name() == Some(x.kind.as_str())))
            .collect()
    }

    pub fn section(self, v: &Views) -> Section<'_> {
        let items = match self {
            Area::Incidents => serde_json::json!({ "incidents": v.incidents }),
            Area::Resources => serde_json::json!({
                "requests": v.requests, "offers": v.offers, "commits": v.commits
            }),
            Area::Tasks => serde_json::json!({ "tasks": v.tasks }),
            Area::Warnings => serde_json::json!({ "warnings": v.warnings }),
            Area::Plans => serde_json::json!({ "plans": v.plans }),
            Area::Drills => serde_json::json!({ "drills": v.drills }),
            Area::Forces => serde_json::json!({ "forces": v.forces }),
        };
        Section {
            track: &v.track,
            now_ms: v.now_ms,
            items,
            conflicts: self.conflicts(v),
            invalid: self.invalid(v),
        }
    }
}
