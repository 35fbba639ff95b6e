//! The linkage domain (应急联动): what posts actually do with the ledger.
//!
//! Two layers, one namespace:
//!
//! - the entry bodies posts write (incident reports, responses, warnings,
//!   resources, tasks, plans, drills, consultations) and their vocabulary
//!   and field rules are defined in [`crate::linkage`], below the entries
//!   that carry them, and re-exported here, modules and types alike
//!   (`domain::IncidentReport`, `domain::vocab::parse_grade`);
//! - the [`fold`], defined here, turns a set of entries into views. It
//!   reads whole entries and asks the authority rules, so it sits above
//!   both.

pub mod fold;

pub use crate::body_rules::DomainError;
/// Field-rule errors of domain bodies; defined beside `BodyError`, which
/// wraps them.
pub use crate::body_rules::domain_error as error;
pub use crate::linkage::{
    Attachment, CapAlert, Casualties, Category, Consultation, DeploymentStatus, DrillEnd,
    DrillStart, EventType, ExternalWarning, GeoPoint, IncidentReport, InfoRelease, Phase,
    PlanActivation, PlanApproval, PlanApprovalKind, PlanRecord, ResourceClass, ResourceCommit,
    ResourceItem, ResourceOffer, ResourceRequest, ResourceStatus, ResponseAction, ResponseDecision,
    Severity, TaskAssign, TaskState, TaskUpdate, Warning, WarningColor, WarningInfo,
};
pub use crate::linkage::{Availability, RescueForce};
pub use crate::linkage::{
    attachment, cap, consultation, drill, geo, incident, plan, rescue_force, resource, response,
    rules, task, vocab, warning,
};
