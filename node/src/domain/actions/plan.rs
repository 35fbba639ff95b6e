//! 预案登记（含修订）、批准或备案、启动.

use clap::Args;
use liandong_protocol::domain::{
    Attachment, EventType, PlanActivation, PlanApproval, PlanApprovalKind, PlanRecord,
};
use liandong_protocol::{Body, RegionCode};
use serde::{Deserialize, Serialize};

use crate::domain::desk::{Desk, Planned};
use crate::domain::error::{ActionError, ActionErrorKind};
use crate::domain::ids::{self, INCIDENT, PLAN};
use crate::domain::input;

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    /// Title / 预案名称
    #[arg(long)]
    pub title: String,
    /// Version as the document names it / 版本
    #[arg(id = "plan_version", long = "plan-version", value_name = "VERSION")]
    pub version: String,
    /// Next review due, e.g. 2027-06-30 / 下次评估修订日期
    #[arg(long)]
    pub review_due: String,
    /// Event types covered (repeatable) / 适用事件类型
    #[arg(long = "event")]
    #[serde(default)]
    pub events: Vec<String>,
    /// Area [default: this post's region] / 适用区划
    #[arg(long)]
    #[serde(default)]
    pub region: Option<String>,
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub summary: String,
    /// Register a new version of this plan: id or prefix / 修订的预案编号
    #[arg(long)]
    #[serde(default)]
    pub plan: Option<String>,
    /// The plan document by hash (the CLI hashes --document).
    #[arg(skip)]
    #[serde(default)]
    pub document: Option<Attachment>,
}

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveInput {
    /// The plan: id or prefix / 预案编号
    #[arg(long)]
    pub plan: String,
    /// File it (备案) rather than approve it / 备案
    #[arg(long)]
    #[serde(default)]
    pub file: bool,
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivateInput {
    /// The plan: id or prefix / 预案编号
    #[arg(long)]
    pub plan: String,
    /// The incident: id or prefix / 事件编号
    #[arg(long)]
    pub incident: String,
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub note: String,
}

pub fn register(desk: &Desk, a: RegisterInput) -> Result<Planned, ActionError> {
    if desk.drill().is_some() {
        return Err(ActionError::new(
            ActionErrorKind::Input,
            "not_in_drill",
            "预案登记不在演练中进行",
            "plans are registered for real, not in a drill",
        ));
    }
    let views = desk.views();
    let plan = input::non_blank(&a.plan)
        .map(|p| ids::resolve(p, views.plans.iter().map(|v| v.id), PLAN, "plan"))
        .transpose()?;
    let region =
        input::parse_opt::<RegionCode>("region", &a.region)?.unwrap_or_else(|| desk.region.clone());
    let events = a
        .events
        .iter()
        .filter(|e| !e.trim().is_empty())
        .map(|e| input::parse::<EventType>("events", e))
        .collect::<Result<Vec<_>, _>>()?;
    let body = Body::Plan(Box::new(PlanRecord {
        plan,
        title: a.title,
        version: a.version,
        events,
        region: region.clone(),
        summary: a.summary,
        document: a.document,
        review_due_ms: input::future("review_due", &a.review_due, desk.now_ms)?,
    }));
    Ok(desk.plan(region, body, "预案", "plan"))
}

pub fn approve(desk: &Desk, a: ApproveInput) -> Result<Planned, ActionError> {
    let views = desk.views();
    let plan = ids::resolve(&a.plan, views.plans.iter().map(|v| v.id), PLAN, "plan")?;
    let view = views
        .plan(&plan)
        .ok_or_else(|| ids::unknown(PLAN, &plan, "plan"))?;
    let kind = if a.file {
        PlanApprovalKind::File
    } else {
        PlanApprovalKind::Approve
    };
    let body = Body::PlanApproval(Box::new(PlanApproval {
        plan,
        version: view.current_version,
        kind,
        note: a.note,
    }));
    Ok(desk.plan(
        view.region.clone(),
        body,
        kind.name_zh(),
        if a.file { "filing" } else { "approval" },
    ))
}

pub fn activate(desk: &Desk, a: ActivateInput) -> Result<Planned, ActionError> {
    let views = desk.views();
    let plan = ids::resolve(&a.plan, views.plans.iter().map(|v| v.id), PLAN, "plan")?;
    let incident = ids::resolve(
        &a.incident,
        views.incidents.iter().map(|v| v.id),
        INCIDENT,
        "incident",
    )?;
    let scope = views
        .incident(&incident)
        .map(|i| i.region.clone())
        .ok_or_else(|| ids::unknown(INCIDENT, &incident, "incident"))?;
    let body = Body::PlanActivation(Box::new(PlanActivation {
        plan,
        incident,
        drill: desk.drill(),
        note: a.note,
    }));
    Ok(desk.plan(scope, body, "启动预案", "plan activation"))
}
