//! What the fold produces: the current state of every incident, warning,
//! resource, task, plan and drill, plus the conflicts it resolved and the
//! entries it excluded. Plain data, serializable for JSON; lists are in
//! canonical order (by HLC, then entry id) so equal entry sets print equal.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::outcome::{Conflict, Excluded};
use super::track::Track;
use crate::authority::ResponseLevel;
use crate::domain::cap::{CapAlert, CapMsgType, CapTime};
use crate::domain::{
    DeploymentStatus, IncidentReport, Phase, PlanApprovalKind, RescueForce, ResourceItem,
    ResponseAction, TaskState, WarningInfo,
};
use crate::header::Operator;
use crate::ids::{EntryId, NodeId};
use crate::level::Level;
use crate::region::RegionCode;

/// A post as the views name it: who, and at which level when it acted;
/// and, when the entry it acted by says so, the operator at the post who
/// entered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Who {
    pub node: NodeId,
    pub name: Arc<str>,
    pub level: Level,
    /// Who at the post entered the entry (version-2 entries); `None` for
    /// entries that do not say, and for posts named by others (a task's
    /// assignees).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entered_by: Option<Operator>,
}

/// Every view of one track (reality, or one drill).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Views {
    pub track: Track,
    /// The time overdue and expiry flags were computed for.
    pub now_ms: u64,
    pub incidents: Vec<IncidentView>,
    pub warnings: Vec<WarningView>,
    pub requests: Vec<RequestView>,
    pub offers: Vec<OfferView>,
    pub commits: Vec<CommitView>,
    pub tasks: Vec<TaskView>,
    pub plans: Vec<PlanView>,
    pub drills: Vec<DrillView>,
    /// The rescue-force registry (救援力量储备库): every force, as its
    /// latest record leaves it.
    pub forces: Vec<ForceView>,
    /// Conflicts resolved by the documented rules, applied or not.
    pub conflicts: Vec<Conflict>,
    /// Entries left out of the views, each with its reason.
    pub invalid: Vec<Excluded>,
    pub stats: FoldStats,
}

/// Counts of one fold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoldStats {
    /// Domain entries seen (other kinds are not the fold's business).
    pub entries: u64,
    /// Entries that changed a view.
    pub applied: u64,
    /// Entries of another track (the other drills, or reality in a drill).
    pub other_track: u64,
    /// Entries with status Test, which no view shows.
    pub test: u64,
}

impl Views {
    pub fn incident(&self, id: &EntryId) -> Option<&IncidentView> {
        self.incidents.iter().find(|v| v.id == *id)
    }
    pub fn warning(&self, id: &EntryId) -> Option<&WarningView> {
        self.warnings.iter().find(|v| v.id == *id)
    }
    pub fn request(&self, id: &EntryId) -> Option<&RequestView> {
        self.requests.iter().find(|v| v.id == *id)
    }
    pub fn offer(&self, id: &EntryId) -> Option<&OfferView> {
        self.offers.iter().find(|v| v.id == *id)
    }
    pub fn commit(&self, id: &EntryId) -> Option<&CommitView> {
        self.commits.iter().find(|v| v.id == *id)
    }
    pub fn task(&self, id: &EntryId) -> Option<&TaskView> {
        self.tasks.iter().find(|v| v.id == *id)
    }
    pub fn plan(&self, id: &EntryId) -> Option<&PlanView> {
        self.plans.iter().find(|v| v.id == *id)
    }
    pub fn drill(&self, id: &EntryId) -> Option<&DrillView> {
        self.drills.iter().find(|v| v.id == *id)
    }
    pub fn force(&self, id: &EntryId) -> Option<&ForceView> {
        self.forces.iter().find(|v| v.id == *id)
    }
    /// The forces assigned to a task or commitment.
    pub fn forces_on(&self, id: &EntryId) -> Vec<&ForceView> {
        self.forces
            .iter()
            .filter(|f| f.current.assigned_to == Some(*id))
            .collect()
    }
}

// ---------------------------------------------------------------- incidents

/// An incident, as its reports and decisions leave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentView {
    /// The 首报's entry id.
    pub id: EntryId,
    /// Where it happened, as the 首报 said (authority is checked against it).
    pub region: RegionCode,
    pub reported_by: Who,
    pub first_report_ms: u64,
    pub last_report_ms: u64,
    /// The latest applied report: its figures are the incident's state.
    pub current: IncidentReport,
    /// The current figures come from a 核报 (verified correction).
    pub verified: bool,
    pub closed: Option<Closure>,
    pub reports: Vec<ReportRef>,
    /// The response in force (the winning decision), if any was decided.
    pub response: Option<ResponseView>,
    /// Every valid decision, including those overridden.
    pub decisions: Vec<DecisionRef>,
    /// Plans activated for the incident (by decision or activation entry).
    pub plans: Vec<PlanLink>,
    pub consultations: Vec<ConsultationView>,
    pub releases: Vec<ReleaseView>,
    pub deadlines: ReportDeadlines,
}

/// Who closed an incident (its 终报), and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub entry: EntryId,
    pub by: Who,
    pub at_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRef {
    pub entry: EntryId,
    pub phase: Phase,
    pub by: Who,
    pub at_ms: u64,
}

/// Reporting deadlines of an incident under the deadline policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportDeadlines {
    /// How long after occurrence the 首报 was written, and the allowance.
    pub first_report_latency_ms: u64,
    pub first_report_deadline_ms: u64,
    /// 迟报: the 首报 came after its deadline.
    pub first_report_late: bool,
    /// The longest gap between two reports.
    pub max_update_gap_ms: u64,
    /// Gaps between reports longer than the update cadence.
    pub late_updates: u32,
    /// While open: when the next 续报 is due.
    pub next_update_due_ms: Option<u64>,
    /// While open: the next 续报 is past due at `now`.
    pub update_overdue: bool,
}

/// The response in force for an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseView {
    /// False once the winning decision is a termination.
    pub active: bool,
    pub level: ResponseLevel,
    pub action: ResponseAction,
    pub entry: EntryId,
    pub decided_by: Who,
    pub decided_ms: u64,
    pub plan: Option<EntryId>,
    pub lead_hq: String,
    pub member_units: Vec<String>,
    /// When a response was first activated or adjusted for the incident.
    pub first_activated_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRef {
    pub entry: EntryId,
    pub action: ResponseAction,
    pub level: ResponseLevel,
    pub by: Who,
    pub at_ms: u64,
    /// Lost to a decision of a higher post (see the conflict list).
    pub overridden: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLink {
    pub plan: EntryId,
    /// The entry that linked it (a decision or an activation).
    pub entry: EntryId,
    pub by: Who,
    pub at_ms: u64,
    /// The plan's registration is in this post's ledger.
    pub known: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultationView {
    pub entry: EntryId,
    pub by: Who,
    pub at_ms: u64,
    pub topic: String,
    pub participants: Vec<String>,
    pub assessment: String,
    pub decisions: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseView {
    pub entry: EntryId,
    pub by: Who,
    pub at_ms: u64,
    pub channel: String,
    pub headline: String,
    pub text: String,
}

// ----------------------------------------------------------------- warnings

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningStatus {
    /// Issued, not yet effective.
    Pending,
    Active,
    Expired,
    Cancelled,
}

impl WarningStatus {
    pub const fn name_zh(self) -> &'static str {
        match self {
            WarningStatus::Pending => "未生效",
            WarningStatus::Active => "生效中",
            WarningStatus::Expired => "已过期",
            WarningStatus::Cancelled => "已解除",
        }
    }
    pub const fn name_en(self) -> &'static str {
        match self {
            WarningStatus::Pending => "pending",
            WarningStatus::Active => "active",
            WarningStatus::Expired => "expired",
            WarningStatus::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningView {
    /// The issue entry's id.
    pub id: EntryId,
    pub issued_by: Who,
    pub issued_ms: u64,
    /// The content of the winning version.
    pub current: WarningInfo,
    /// The winning message (issue, update or cancel).
    pub current_entry: EntryId,
    pub current_by: Who,
    pub status: WarningStatus,
    pub cancel_reason: Option<String>,
    pub history: Vec<WarningVersion>,
    /// For a warning received as CAP: the message in force, whole.
    pub external: Option<Box<ExternalView>>,
}

/// The CAP side of an external warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalView {
    pub alert: CapAlert,
    /// Its severity gave a colour (Unknown does not: 未分级).
    pub graded: bool,
    /// Every CAP message folded into this warning, first to last.
    pub messages: Vec<CapMessage>,
}

/// One CAP message of an external warning: its key, time and type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapMessage {
    pub sender: String,
    pub identifier: String,
    pub sent: CapTime,
    pub msg_type: CapMsgType,
    /// The entry that recorded it.
    pub entry: EntryId,
}

impl ExternalView {
    /// This warning holds the CAP message `sender`/`identifier`.
    pub fn holds(&self, sender: &str, identifier: &str) -> bool {
        self.messages
            .iter()
            .any(|m| m.sender == sender && m.identifier == identifier)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningVersion {
    pub entry: EntryId,
    /// "issue", "update" or "cancel".
    pub action: String,
    pub by: Who,
    pub at_ms: u64,
    pub overridden: bool,
}

// ---------------------------------------------------------------- resources

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: EntryId,
    pub by: Who,
    pub at_ms: u64,
    pub incident: Option<EntryId>,
    pub resource: ResourceItem,
    pub quantity: u64,
    pub deliver_to: String,
    pub needed_by_ms: Option<u64>,
    pub note: String,
    /// Sum of the accepted commits.
    pub committed: u64,
    /// Sum of the commits reported delivered (or later).
    pub delivered: u64,
    /// Requested but not yet committed.
    pub outstanding: u64,
    /// More was committed than requested (not a conflict: a fact).
    pub overfilled: bool,
    pub offers: Vec<EntryId>,
    pub commits: Vec<EntryId>,
    pub first_commit_ms: Option<u64>,
    /// When the commits first covered the whole quantity.
    pub filled_ms: Option<u64>,
    /// Needed by a time now past, and not all delivered.
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferView {
    pub id: EntryId,
    /// The owner: the only post that may commit this offer.
    pub owner: Who,
    pub at_ms: u64,
    /// `None` for a standing inventory or team registration.
    pub request: Option<EntryId>,
    pub resource: ResourceItem,
    pub quantity: u64,
    pub location: String,
    pub holder: String,
    pub available_from_ms: Option<u64>,
    pub available_until_ms: Option<u64>,
    pub note: String,
    /// Committed and not yet released or returned.
    pub committed: u64,
    /// `quantity - committed`; never below zero (over-commits are refused).
    pub remaining: u64,
    pub commits: Vec<EntryId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitView {
    pub id: EntryId,
    pub by: Who,
    pub at_ms: u64,
    pub offer: EntryId,
    pub request: EntryId,
    pub quantity: u64,
    /// Explicitly committed beyond what the request still needed (超额承诺).
    pub surplus: bool,
    pub eta_ms: Option<u64>,
    pub note: String,
    pub status: DeploymentStatus,
    pub status_ms: u64,
    pub history: Vec<StatusRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRef {
    pub entry: EntryId,
    pub status: DeploymentStatus,
    pub by: Who,
    pub at_ms: u64,
}

// -------------------------------------------------------------------- tasks

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskView {
    pub id: EntryId,
    pub issuer: Who,
    pub at_ms: u64,
    pub incident: Option<EntryId>,
    pub objective: String,
    pub due_ms: Option<u64>,
    pub assignees: Vec<AssigneeView>,
    /// The least advanced assignee's state (refusals count only when every
    /// assignee refused).
    pub state: TaskState,
    /// Due at a time now past, and some assignee not finished.
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssigneeView {
    pub post: Who,
    pub state: TaskState,
    /// The first update (acknowledgement, or any later state).
    pub acked_ms: Option<u64>,
    /// `acked_ms - assigned`: how long acknowledgement took.
    pub ack_latency_ms: Option<u64>,
    pub done_ms: Option<u64>,
    /// The latest note; for a refusal, its reason.
    pub note: String,
    pub updates: Vec<EntryId>,
}

// -------------------------------------------------------------------- plans

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    pub id: EntryId,
    pub owner: Who,
    pub region: RegionCode,
    pub title: String,
    pub versions: Vec<PlanVersionView>,
    /// The latest version's registration entry.
    pub current_version: EntryId,
    pub approved: bool,
    pub filed: bool,
    pub review_due_ms: u64,
    pub review_overdue: bool,
    pub activations: Vec<PlanActivationRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanVersionView {
    pub entry: EntryId,
    pub version: String,
    pub by: Who,
    pub at_ms: u64,
    pub review_due_ms: u64,
    pub approvals: Vec<ApprovalRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRef {
    pub entry: EntryId,
    pub kind: PlanApprovalKind,
    pub by: Who,
    pub at_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanActivationRef {
    pub incident: EntryId,
    pub entry: EntryId,
    pub by: Who,
    pub at_ms: u64,
}

// ------------------------------------------------------------------- drills

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillView {
    /// The start entry's id: the drill id.
    pub id: EntryId,
    pub name: String,
    pub scenario: String,
    pub region: RegionCode,
    pub plan: Option<EntryId>,
    pub started_by: Who,
    pub started_ms: u64,
    pub ended: Option<DrillEnded>,
    /// Entries that carry this drill's id.
    pub entries: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillEnded {
    pub entry: EntryId,
    pub by: Who,
    pub at_ms: u64,
    pub summary: String,
}

// ------------------------------------------------------------------- forces

/// A rescue force, as its latest record leaves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForceView {
    /// The registration entry's id: the force id.
    pub id: EntryId,
    /// The post that registered it: it, or a post above it, keeps it current.
    pub owner: Who,
    pub registered_ms: u64,
    /// The latest record (by HLC): the force's state.
    pub current: RescueForce,
    /// The entry of the latest record, who wrote it and when: the time the
    /// force was last updated is the entry's own time, so it can never
    /// disagree with the order the fold applied the records in.
    pub current_entry: EntryId,
    pub updated_by: Who,
    pub updated_ms: u64,
    /// Every applied record, registration first.
    pub records: Vec<EntryId>,
    /// What `current.assigned_to` names, as this track's views know it.
    pub assignment: Option<ForceAssignment>,
}

/// What a force is working on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForceAssignment {
    /// The task or commitment id.
    pub entry: EntryId,
    pub kind: AssignmentKind,
    /// The task's objective, or the committed resource's item; empty when
    /// unknown.
    pub label: String,
}

/// What kind of entry a force's assignment names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentKind {
    Task,
    Commit,
    /// Not in this track's views: not arrived yet, or of another track (a
    /// drill's task seen from reality).
    Unknown,
}
