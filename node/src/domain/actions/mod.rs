//! Every action of the linkage domain, as the CLI and the console both
//! take it: a typed input (the CLI's flags and the API's JSON body are the
//! same struct), planned against a [`Desk`] into the entry to write.
//!
//! | action | CLI | API (`POST /api/…`) |
//! |---|---|---|
//! | 首报 / 续报·核报 / 终报 | `incident report|update|close` | `incident/report|update|close` |
//! | 会商研判 / 信息发布 | `incident consult|release` | `incident/consult|release` |
//! | 应急响应 | `response activate|adjust|end` | `response/activate|adjust|end` |
//! | 预警 | `warning issue|update|cancel` | `warning/issue|update|cancel` |
//! | 外部预警 (CAP) | `warning import` | `warning/import` (one alert as JSON; `POST /api/cap` takes XML) |
//! | 资源 | `resource offer|request|commit|dispatch|deliver|return` | `resource/…` (+ `resource/release`) |
//! | 指令 | `task assign|ack|progress|done|refuse` | `task/…` |
//! | 预案 | `plan register|approve|activate` | `plan/…` |
//! | 演练 | `drill start|end` | `drill/start|end` |
//! | 救援力量 | `force register|update` | `forces/register|update` |
//!
//! Planning resolves ids, reads times and typed values (naming the field
//! at fault), and builds the body; [`Desk::check`] then asks the body's
//! field rules and the fold. Writing is the caller's: `Ledger::author` in
//! the CLI, `NodeHandle::author` (which also gossips) in a running node.

pub mod drill;
pub mod external_warning;
pub mod incident;
pub mod plan;
pub mod rescue_force;
pub mod resource;
pub mod response;
pub mod task;
pub mod warning;

use liandong_protocol::domain::{DeploymentStatus, ResponseAction, TaskState};
use serde::Serialize;

use super::desk::{Desk, Planned};
use super::error::ActionError;
use crate::operators::OperatorRole;

/// One domain action with its input.
#[derive(Debug, Clone)]
pub enum Action {
    IncidentReport(incident::ReportFields),
    IncidentUpdate(incident::FollowUpInput),
    IncidentClose(incident::FollowUpInput),
    IncidentConsult(incident::ConsultInput),
    IncidentRelease(incident::ReleaseInput),
    ResponseActivate(response::DecideInput),
    ResponseAdjust(response::DecideInput),
    ResponseEnd(response::EndInput),
    WarningIssue(warning::WarningFields),
    WarningUpdate(warning::UpdateInput),
    WarningCancel(warning::CancelInput),
    WarningImport(external_warning::ImportInput),
    ResourceOffer(resource::OfferInput),
    ResourceRequest(resource::RequestInput),
    ResourceCommit(resource::CommitInput),
    ResourceDispatch(resource::StatusInput),
    ResourceDeliver(resource::StatusInput),
    ResourceReturn(resource::StatusInput),
    ResourceRelease(resource::StatusInput),
    TaskAssign(task::AssignInput),
    TaskAck(task::UpdateInput),
    TaskProgress(task::UpdateInput),
    TaskDone(task::UpdateInput),
    TaskRefuse(task::UpdateInput),
    PlanRegister(plan::RegisterInput),
    PlanApprove(plan::ApproveInput),
    PlanActivate(plan::ActivateInput),
    DrillStart(drill::StartInput),
    DrillEnd(drill::EndInput),
    ForceRegister(rescue_force::RegisterInput),
    ForceUpdate(rescue_force::UpdateInput),
}

/// Every action's API path, in the order of the table above.
pub const PATHS: &[&str] = &[
    "incident/report",
    "incident/update",
    "incident/close",
    "incident/consult",
    "incident/release",
    "response/activate",
    "response/adjust",
    "response/end",
    "warning/issue",
    "warning/update",
    "warning/cancel",
    "warning/import",
    "resource/offer",
    "resource/request",
    "resource/commit",
    "resource/dispatch",
    "resource/deliver",
    "resource/return",
    "resource/release",
    "task/assign",
    "task/ack",
    "task/progress",
    "task/done",
    "task/refuse",
    "plan/register",
    "plan/approve",
    "plan/activate",
    "drill/start",
    "drill/end",
    "forces/register",
    "forces/update",
];

/// The operator role each action needs (issue 17): data, read by the one
/// check every console and CLI request passes (`service::roles`). 值班员
/// (operator) reports, tasks, resources and the force registry; 带班领导
/// (leader) decides responses, issues warnings, approves and activates
/// plans, releases information and runs drills.
pub const ROLES: &[(&str, OperatorRole)] = {
    use OperatorRole::{Leader, Operator};
    &[
        ("incident/report", Operator),
        ("incident/update", Operator),
        ("incident/close", Operator),
        ("incident/consult", Operator),
        ("incident/release", Leader),
        ("response/activate", Leader),
        ("response/adjust", Leader),
        ("response/end", Leader),
        ("warning/issue", Leader),
        ("warning/update", Leader),
        ("warning/cancel", Leader),
        ("warning/import", Leader),
        ("resource/offer", Operator),
        ("resource/request", Operator),
        ("resource/commit", Operator),
        ("resource/dispatch", Operator),
        ("resource/deliver", Operator),
        ("resource/return", Operator),
        ("resource/release", Operator),
        ("task/assign", Operator),
        ("task/ack", Operator),
        ("task/progress", Operator),
        ("task/done", Operator),
        ("task/refuse", Operator),
        ("plan/register", Operator),
        ("plan/approve", Leader),
        ("plan/activate", Leader),
        ("drill/start", Leader),
        ("drill/end", Leader),
        ("forces/register", Operator),
        ("forces/update", Operator),
    ]
};

/// The role the action at `path` (one of [`PATHS`]) needs; `None` for an
/// unknown path.
pub fn required_role(path: &str) -> Option<OperatorRole> {
    ROLES.iter().find(|(p, _)| *p == path).map(|(_, r)| *r)
}

impl Action {
    /// Decodes the input of the action at `path` (one of [`PATHS`]) with
    /// `decode`; `None` for an unknown path.
    pub fn decode<E>(path: &str, d: &impl Decode<E>) -> Option<Result<Action, E>> {
        use Action as A;
        Some(match path {
            "incident/report" => d.decode().map(A::IncidentReport),
            "incident/update" => d.decode().map(A::IncidentUpdate),
            "incident/close" => d.decode().map(A::IncidentClose),
            "incident/consult" => d.decode().map(A::IncidentConsult),
            "incident/release" => d.decode().map(A::IncidentRelease),
            "response/activate" => d.decode().map(A::ResponseActivate),
            "response/adjust" => d.decode().map(A::ResponseAdjust),
            "response/end" => d.decode().map(A::ResponseEnd),
            "warning/issue" => d.decode().map(A::WarningIssue),
            "warning/update" => d.decode().map(A::WarningUpdate),
            "warning/cancel" => d.decode().map(A::WarningCancel),
            "warning/import" => d.decode().map(A::WarningImport),
            "resource/offer" => d.decode().map(A::ResourceOffer),
            "resource/request" => d.decode().map(A::ResourceRequest),
            "resource/commit" => d.decode().map(A::ResourceCommit),
            "resource/dispatch" => d.decode().map(A::ResourceDispatch),
            "resource/deliver" => d.decode().map(A::ResourceDeliver),
            "resource/return" => d.decode().map(A::ResourceReturn),
            "resource/release" => d.decode().map(A::ResourceRelease),
            "task/assign" => d.decode().map(A::TaskAssign),
            "task/ack" => d.decode().map(A::TaskAck),
            "task/progress" => d.decode().map(A::TaskProgress),
            "task/done" => d.decode().map(A::TaskDone),
            "task/refuse" => d.decode().map(A::TaskRefuse),
            "plan/register" => d.decode().map(A::PlanRegister),
            "plan/approve" => d.decode().map(A::PlanApprove),
            "plan/activate" => d.decode().map(A::PlanActivate),
            "drill/start" => d.decode().map(A::DrillStart),
            "drill/end" => d.decode().map(A::DrillEnd),
            "forces/register" => d.decode().map(A::ForceRegister),
            "forces/update" => d.decode().map(A::ForceUpdate),
            _ => return None,
        })
    }

    /// The action's API path and its input as JSON (what the CLI sends to
    /// a running node).
    pub fn to_request(&self) -> (&'static str, serde_json::Value) {
        use Action as A;
        fn j<T: Serialize>(v: &T) -> serde_json::Value {
            serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
        }
        match self {
            A::IncidentReport(i) => ("incident/report", j(i)),
            A::IncidentUpdate(i) => ("incident/update", j(i)),
            A::IncidentClose(i) => ("incident/close", j(i)),
            A::IncidentConsult(i) => ("incident/consult", j(i)),
            A::IncidentRelease(i) => ("incident/release", j(i)),
            A::ResponseActivate(i) => ("response/activate", j(i)),
            A::ResponseAdjust(i) => ("response/adjust", j(i)),
            A::ResponseEnd(i) => ("response/end", j(i)),
            A::WarningIssue(i) => ("warning/issue", j(i)),
            A::WarningUpdate(i) => ("warning/update", j(i)),
            A::WarningCancel(i) => ("warning/cancel", j(i)),
            A::WarningImport(i) => ("warning/import", j(i)),
            A::ResourceOffer(i) => ("resource/offer", j(i)),
            A::ResourceRequest(i) => ("resource/request", j(i)),
            A::ResourceCommit(i) => ("resource/commit", j(i)),
            A::ResourceDispatch(i) => ("resource/dispatch", j(i)),
            A::ResourceDeliver(i) => ("resource/deliver", j(i)),
            A::ResourceReturn(i) => ("resource/return", j(i)),
            A::ResourceRelease(i) => ("resource/release", j(i)),
            A::TaskAssign(i) => ("task/assign", j(i)),
            A::TaskAck(i) => ("task/ack", j(i)),
            A::TaskProgress(i) => ("task/progress", j(i)),
            A::TaskDone(i) => ("task/done", j(i)),
            A::TaskRefuse(i) => ("task/refuse", j(i)),
            A::PlanRegister(i) => ("plan/register", j(i)),
            A::PlanApprove(i) => ("plan/approve", j(i)),
            A::PlanActivate(i) => ("plan/activate", j(i)),
            A::DrillStart(i) => ("drill/start", j(i)),
            A::DrillEnd(i) => ("drill/end", j(i)),
            A::ForceRegister(i) => ("forces/register", j(i)),
            A::ForceUpdate(i) => ("forces/update", j(i)),
        }
    }

    /// Plans the entry this action writes.
    pub fn plan(self, desk: &Desk) -> Result<Planned, ActionError> {
        use Action as A;
        match self {
            A::IncidentReport(i) => incident::report(desk, i),
            A::IncidentUpdate(i) => incident::follow_up(desk, i, false),
            A::IncidentClose(i) => incident::follow_up(desk, i, true),
            A::IncidentConsult(i) => incident::consult(desk, i),
            A::IncidentRelease(i) => incident::release(desk, i),
            A::ResponseActivate(i) => response::decide(desk, i, ResponseAction::Activate),
            A::ResponseAdjust(i) => response::decide(desk, i, ResponseAction::Adjust),
            A::ResponseEnd(i) => response::end(desk, i),
            A::WarningIssue(i) => warning::issue(desk, i),
            A::WarningUpdate(i) => warning::update(desk, i),
            A::WarningCancel(i) => warning::cancel(desk, i),
            A::WarningImport(i) => external_warning::import(desk, i),
            A::ResourceOffer(i) => resource::offer(desk, i),
            A::ResourceRequest(i) => resource::request(desk, i),
            A::ResourceCommit(i) => resource::commit(desk, i),
            A::ResourceDispatch(i) => resource::status(desk, i, DeploymentStatus::Dispatched),
            A::ResourceDeliver(i) => resource::status(desk, i, DeploymentStatus::Delivered),
            A::ResourceReturn(i) => resource::status(desk, i, DeploymentStatus::Returned),
            A::ResourceRelease(i) => resource::status(desk, i, DeploymentStatus::Released),
            A::TaskAssign(i) => task::assign(desk, i),
            A::TaskAck(i) => task::update(desk, i, TaskState::Acknowledged),
            A::TaskProgress(i) => task::update(desk, i, TaskState::InProgress),
            A::TaskDone(i) => task::update(desk, i, TaskState::Done),
            A::TaskRefuse(i) => task::update(desk, i, TaskState::Refused),
            A::PlanRegister(i) => plan::register(desk, i),
            A::PlanApprove(i) => plan::approve(desk, i),
            A::PlanActivate(i) => plan::activate(desk, i),
            A::DrillStart(i) => drill::start(desk, i),
            A::DrillEnd(i) => drill::end(desk, i),
            A::ForceRegister(i) => rescue_force::register(desk, i),
            A::ForceUpdate(i) => rescue_force::update(desk, i),
        }
    }

    /// Plans and checks: the entry to write, and the conflict an applied
    /// override records (for a notice), or why it is refused.
    pub fn prepare(
        self,
        desk: &Desk,
    ) -> Result<(Planned, Option<liandong_protocol::domain::fold::Conflict>), ActionError> {
        let planned = self.plan(desk)?;
        let notice = desk.check(&planned)?;
        Ok((planned, notice))
    }
}

/// Decodes an action's input from some representation (the API's JSON).
pub trait Decode<E> {
    fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, E>;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes every input from a JSON object of the caller's choosing.
    struct Json(serde_json::Value);

    impl Decode<String> for Json {
        fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, String> {
            serde_json::from_value(self.0.clone()).map_err(|e| e.to_string())
        }
    }

    #[test]
    fn every_path_decodes_and_round_trips() {
        let mut samples = serde_json::json!({
            "incident/report": {"title": "t", "event": "fire", "severity": "IV"},
            "incident/update": {"incident": "abcd", "report": {"dead": 1}},
            "incident/close": {"incident": "abcd"},
            "incident/consult": {"incident": "abcd", "topic": "t", "assessment": "a"},
            "incident/release": {"incident": "abcd", "channel": "c", "headline": "h", "text": "t"},
            "response/activate": {"incident": "abcd", "level": "IV", "lead_hq": "x"},
            "response/adjust": {"incident": "abcd", "level": "III", "lead_hq": "x"},
            "response/end": {"incident": "abcd"},
            "warning/issue": {"color": "red"},
            "warning/update": {"warning": "abcd", "fields": {"color": "blue"}},
            "warning/cancel": {"warning": "abcd"},
            "resource/offer": {"item": "i", "unit": "u", "quantity": 1, "location": "l"},
            "resource/request": {"item": "i", "unit": "u", "quantity": 1, "deliver_to": "d"},
            "resource/commit": {"offer": "abcd", "request": "abcd", "quantity": 1},
            "resource/dispatch": {"commit": "abcd"},
            "resource/deliver": {"commit": "abcd"},
            "resource/return": {"commit": "abcd"},
            "resource/release": {"commit": "abcd"},
            "task/assign": {"to": ["x"], "objective": "o"},
            "task/ack": {"task": "abcd"},
            "task/progress": {"task": "abcd"},
            "task/done": {"task": "abcd"},
            "task/refuse": {"task": "abcd", "note": "n"},
            "plan/register": {"title": "t", "version": "v", "review_due": "2030-01-01"},
            "plan/approve": {"plan": "abcd"},
            "plan/activate": {"plan": "abcd", "incident": "abcd"},
            "drill/start": {"name": "n"},
            "drill/end": {},
            "forces/register": {"name": "n", "type": "fire", "headcount": 1, "base": "44.3,85.6"},
            "forces/update": {"force": "abcd", "availability": "resting"},
        });
        let alert = crate::gateway::cap::read_alert(include_bytes!(
            "../../../tests/fixtures/cap/rainstorm-orange.xml"
        ))
        .expect("fixture");
        samples["warning/import"] = serde_json::json!({ "alert": alert });
        for path in PATHS {
            let body = samples[*path].clone();
            assert!(body.is_object(), "no sample for {path}");
            let action = Action::decode(path, &Json(body))
                .unwrap_or_else(|| panic!("{path} not routed"))
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            let (back, json) = action.to_request();
            assert_eq!(back, *path);
            assert!(Action::decode(path, &Json(json)).is_some_and(|r| r.is_ok()));
        }
        assert!(Action::decode("incident/explode", &Json(serde_json::json!({}))).is_none());
    }

    #[test]
    fn every_action_names_its_role() {
        assert_eq!(ROLES.len(), PATHS.len());
        for (path, (role_path, _)) in PATHS.iter().zip(ROLES) {
            assert_eq!(path, role_path, "ROLES follows PATHS");
        }
        use OperatorRole::{Leader, Operator};
        // 值班员 reports and moves resources and tasks…
        for p in [
            "incident/report",
            "incident/update",
            "resource/request",
            "task/assign",
        ] {
            assert_eq!(required_role(p), Some(Operator), "{p}");
        }
        // …带班领导 decides the response, warns, activates plans.
        for p in [
            "response/activate",
            "response/adjust",
            "response/end",
            "warning/issue",
            "plan/activate",
        ] {
            assert_eq!(required_role(p), Some(Leader), "{p}");
        }
        // No action needs less than an operator: a viewer writes nothing.
        assert!(
            ROLES
                .iter()
                .all(|(_, r)| *r >= Operator && *r < OperatorRole::Admin)
        );
        assert_eq!(required_role("incident/explode"), None);
    }
}
