//! The views cut into the areas a duty officer looks at — incidents,
//! resources, tasks, warnings, plans, drills, rescue forces — each with the conflicts the
//! fold resolved and the entries it excluded that concern it: a board (CLI)
//! or a page (console) never hides that something was refused.

use liandong_protocol::domain::fold::{
    CommitView, Conflict, DrillView, Excluded, FoldStats, ForceView, IncidentView, OfferView,
    PlanView, RequestView, TaskView, Track, Views, WarningView,
};
use liandong_protocol::{EntryId, Kind};
use serde::{Deserialize, Serialize};

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
    pub items: Items<'a>,
    pub conflicts: Vec<&'a Conflict>,
    pub invalid: Vec<&'a Excluded>,
}

/// The lists of one area, borrowed from the views (the others are left
/// out): at a million entries the incidents alone are hundreds of
/// megabytes of JSON, written straight from the views, never copied.
#[derive(Debug, Default, Serialize)]
pub struct Items<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incidents: Option<&'a [IncidentView]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<&'a [RequestView]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offers: Option<&'a [OfferView]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commits: Option<&'a [CommitView]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks: Option<&'a [TaskView]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warnings: Option<&'a [WarningView]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plans: Option<&'a [PlanView]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drills: Option<&'a [DrillView]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forces: Option<&'a [ForceView]>,
}

/// An area's answer as the CLI reads it back from a running node
/// (`/api/{area}`): the area's lists, the others empty.
#[derive(Debug, Deserialize)]
pub struct ReadSection {
    pub track: Track,
    pub now_ms: u64,
    #[serde(default)]
    pub incidents: Vec<IncidentView>,
    #[serde(default)]
    pub requests: Vec<RequestView>,
    #[serde(default)]
    pub offers: Vec<OfferView>,
    #[serde(default)]
    pub commits: Vec<CommitView>,
    #[serde(default)]
    pub tasks: Vec<TaskView>,
    #[serde(default)]
    pub warnings: Vec<WarningView>,
    #[serde(default)]
    pub plans: Vec<PlanView>,
    #[serde(default)]
    pub drills: Vec<DrillView>,
    #[serde(default)]
    pub forces: Vec<ForceView>,
    pub conflicts: Vec<Conflict>,
    pub invalid: Vec<Excluded>,
}

impl ReadSection {
    /// Views holding this area only: enough for its board, whose conflicts
    /// and excluded entries ([`Area::conflicts`], [`Area::invalid`]) are
    /// then the ones the node sent.
    pub fn into_views(self) -> Views {
        Views {
            track: self.track,
            now_ms: self.now_ms,
            incidents: self.incidents,
            warnings: self.warnings,
            requests: self.requests,
            offers: self.offers,
            commits: self.commits,
            tasks: self.tasks,
            plans: self.plans,
            drills: self.drills,
            forces: self.forces,
            conflicts: self.conflicts,
            invalid: self.invalid,
            stats: FoldStats::default(),
        }
    }
}

impl Area {
    /// The API route of this area (`/api/{route}`); each answers a
    /// [`Section`] but `forces`, which answers its own list.
    pub fn route(self) -> &'static str {
        match self {
            Area::Incidents => "incidents",
            Area::Resources => "resources",
            Area::Tasks => "tasks",
            Area::Warnings => "warnings",
            Area::Plans => "plans",
            Area::Drills => "drills",
            Area::Forces => "forces",
        }
    }

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
        let subjects: std::collections::HashSet<EntryId> = self.subjects(v).into_iter().collect();
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
        let none = Items::default();
        let items = match self {
            Area::Incidents => Items {
                incidents: Some(&v.incidents),
                ..none
            },
            Area::Resources => Items {
                requests: Some(&v.requests),
                offers: Some(&v.offers),
                commits: Some(&v.commits),
                ..none
            },
            Area::Tasks => Items {
                tasks: Some(&v.tasks),
                ..none
            },
            Area::Warnings => Items {
                warnings: Some(&v.warnings),
                ..none
            },
            Area::Plans => Items {
                plans: Some(&v.plans),
                ..none
            },
            Area::Drills => Items {
                drills: Some(&v.drills),
                ..none
            },
            Area::Forces => Items {
                forces: Some(&v.forces),
                ..none
            },
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
