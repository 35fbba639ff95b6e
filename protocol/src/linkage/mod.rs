//! The linkage domain's entry bodies (应急联动): what posts write to the
//! ledger, one file per area, each with its own field rules:
//!
//! | area | file | kinds |
//! |---|---|---|
//! | 信息报告 incident reports (首报/续报/终报/核报) | [`incident`] | 200 |
//! | 应急响应 response decisions | [`response`] | 210 |
//! | 预警 warnings | [`warning`] | 220 |
//! | 外部预警 external (CAP) warnings | [`cap`] | 221 |
//! | 资源调配 resources (EDXL-RM lifecycle) | [`resource`] | 230–234 |
//! | 救援力量储备库 rescue-force registry | [`rescue_force`] | 235 |
//! | 指令 tasks | [`task`] | 240–241 |
//! | 预案 plans | [`plan`] | 250–252 |
//! | 演练 drills | [`drill`] | 260–261 |
//! | 会商研判 / 信息发布 consultations and releases | [`consultation`] | 270–271 |
//!
//! The shared vocabulary (event types after GB/T 35561, severities, map
//! points, attachments) lives in [`vocab`], [`geo`] and [`attachment`]; the
//! field rules every body shares in [`rules`].
//!
//! These are payloads: they sit below the entry that carries them
//! (`entry::Body` wraps each one) and know nothing of it. What turns a set
//! of entries into views is the fold in `domain`, which sits above entries
//! and re-exports everything here under `domain::`.
//!
//! Every body that can happen in a drill carries `drill: Option<EntryId>`:
//! the id of the drill's start entry. The header's status says whether an
//! entry is real or an exercise; the drill id says *which* exercise, so two
//! drills running at once never mix (and neither mixes with reality).

pub mod attachment;
pub mod cap;
pub mod consultation;
pub mod drill;
pub mod geo;
pub mod incident;
pub mod plan;
pub mod rescue_force;
pub mod resource;
pub mod response;
pub mod rules;
pub mod task;
pub mod vocab;
pub mod warning;

pub use attachment::Attachment;
pub use cap::{CapAlert, ExternalWarning};
pub use consultation::{Consultation, InfoRelease};
pub use drill::{DrillEnd, DrillStart};
pub use geo::GeoPoint;
pub use incident::{Casualties, IncidentReport, Phase};
pub use plan::{PlanActivation, PlanApproval, PlanApprovalKind, PlanRecord};
pub use rescue_force::{Availability, RescueForce};
pub use resource::{
    DeploymentStatus, ResourceClass, ResourceCommit, ResourceItem, ResourceOffer, ResourceRequest,
    ResourceStatus,
};
pub use response::{ResponseAction, ResponseDecision};
pub use task::{TaskAssign, TaskState, TaskUpdate};
pub use vocab::{Category, EventType, Severity};
pub use warning::{Warning, WarningColor, WarningInfo};
