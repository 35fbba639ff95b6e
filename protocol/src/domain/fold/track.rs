//! Tracks: reality and each drill are folded apart.
//!
//! An entry belongs to the Actual track when its status is Actual and it
//! names no drill, to drill D's track when its status is Exercise and it
//! names D. Registries every track needs (plans, rescue forces, drill
//! starts and ends) are folded into all of them. Test entries are in no track.

use serde::{Deserialize, Serialize};

use super::outcome::{Reason, ReasonCode};
use crate::entry::{Body, Status};
use crate::ids::EntryId;

/// Which views to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Track {
    /// Real events (status Actual).
    Actual,
    /// One drill (status Exercise, this drill id).
    Drill(EntryId),
}

/// Where an entry goes, for a given track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Placement {
    /// Fold it into this track.
    Here,
    /// It belongs to another track (optionally: to this drill).
    Elsewhere(Option<EntryId>),
    /// Status Test: in no track.
    Test,
    /// Status and drill id disagree.
    Invalid(Reason),
}

/// The drill field of a domain body: `None` when the body has none
/// (registries), `Some(drill)` otherwise.
pub(crate) fn drill_field(body: &Body) -> Option<Option<EntryId>> {
    Some(match body {
        Body::IncidentReport(b) => b.drill,
        Body::ResponseDecision(b) => b.drill,
        Body::Warning(b) => b.drill(),
        Body::ExternalWarning(b) => b.drill,
        Body::ResourceRequest(b) => b.drill,
        Body::ResourceOffer(b) => b.drill,
        Body::ResourceCommit(b) => b.drill,
        Body::ResourceStatus(b) => b.drill,
        Body::Task(b) => b.drill,
        Body::TaskUpdate(b) => b.drill,
        Body::PlanActivation(b) => b.drill,
        Body::Consultation(b) => b.drill,
        Body::InfoRelease(b) => b.drill,
        _ => return None,
    })
}

/// True for the bodies the fold reads at all.
pub(crate) fn is_domain(body: &Body) -> bool {
    drill_field(body).is_some() || is_registry(body)
}

/// Plans, rescue forces and drill records: folded into every track.
pub(crate) fn is_registry(body: &Body) -> bool {
    matches!(
        body,
        Body::Plan(_)
            | Body::PlanApproval(_)
            | Body::RescueForce(_)
            | Body::DrillStart(_)
            | Body::DrillEnd(_)
    )
}

pub(crate) fn place(body: &Body, status: Status, track: &Track) -> Placement {
    if status == Status::Test {
        return Placement::Test;
    }
    let wrong =
        |en: &str, zh: &str| Placement::Invalid(Reason::new(ReasonCode::WrongTrack, en, zh));
    match body {
        Body::DrillStart(_) | Body::DrillEnd(_) => {
            if status != Status::Exercise {
                return wrong(
                    "drill records must have status Exercise",
                    "演练记录的状态必须为“演练”",
                );
            }
            return Placement::Here;
        }
        Body::Plan(_) | Body::PlanApproval(_) => {
            if status != Status::Actual {
                return wrong(
                    "plans are registered and approved for real (status Actual); a drill activates them",
                    "预案的登记与审批须为“实战”状态，演练中请使用预案启动",
                );
            }
            return Placement::Here;
        }
        // The roster is real: a drill calls on the forces that exist, and
        // a force's exercise deployment is not a change of its record.
        Body::RescueForce(_) => {
            if status != Status::Actual {
                return wrong(
                    "rescue forces are registered and kept current for real (status Actual)",
                    "救援力量的登记与更新须为“实战”状态",
                );
            }
            return Placement::Here;
        }
        _ => {}
    }
    let Some(drill) = drill_field(body) else {
        return Placement::Elsewhere(None);
    };
    match (status, drill, track) {
        (Status::Actual, None, Track::Actual) => Placement::Here,
        (Status::Actual, None, Track::Drill(_)) => Placement::Elsewhere(None),
        (Status::Actual, Some(_), _) => wrong(
            "an Actual entry must not name a drill",
            "实战条目不得带演练编号",
        ),
        (_, None, _) => wrong(
            "an Exercise entry must name its drill",
            "演练条目必须带演练编号",
        ),
        (_, Some(d), Track::Drill(t)) if d == *t => Placement::Here,
        (_, Some(d), _) => Placement::Elsewhere(Some(d)),
    }
}
