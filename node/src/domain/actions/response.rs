//! 启动、调整、终止应急响应. Whether this post may decide the level is the
//! authority policy's question, asked through the fold by `Desk::check`.

use clap::Args;
use liandong_protocol::ResponseLevel;
use liandong_protocol::domain::response::parse_response_level;
use liandong_protocol::domain::{ResponseAction, ResponseDecision};
use liandong_protocol::{Body, EntryId};
use serde::{Deserialize, Serialize};

use crate::domain::desk::{Desk, Planned};
use crate::domain::error::{ActionError, ActionErrorKind};
use crate::domain::ids::{self, INCIDENT, PLAN};
use crate::domain::input;

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecideInput {
    /// The incident: id or prefix / 事件编号
    #[arg(long)]
    pub incident: String,
    /// Response level I–IV (Ⅰ is the highest) / 响应级别
    #[arg(long)]
    pub level: String,
    /// Lead headquarters / 牵头指挥部
    #[arg(long)]
    pub lead_hq: String,
    /// Member units called up, comma-separated / 成员单位
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub units: String,
    /// The plan activated: its id or prefix / 启动的预案
    #[arg(long)]
    #[serde(default)]
    pub plan: Option<String>,
    /// Grounds for the decision / 决定依据
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndInput {
    /// The incident: id or prefix / 事件编号
    #[arg(long)]
    pub incident: String,
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub reason: String,
}

/// Activate or adjust.
pub fn decide(desk: &Desk, a: DecideInput, action: ResponseAction) -> Result<Planned, ActionError> {
    let views = desk.views();
    let level: ResponseLevel =
        parse_response_level(&a.level).map_err(|e| ActionError::invalid("level", e))?;
    let incident = ids::resolve(
        &a.incident,
        views.incidents.iter().map(|i| i.id),
        INCIDENT,
        "incident",
    )?;
    let scope = views
        .incident(&incident)
        .map(|i| i.region.clone())
        .ok_or_else(|| ids::unknown(INCIDENT, &incident, "incident"))?;
    let plan: Option<EntryId> = input::non_blank(&a.plan)
        .map(|p| ids::resolve(p, views.plans.iter().map(|p| p.id), PLAN, "plan"))
        .transpose()?;
    let body = Body::ResponseDecision(Box::new(ResponseDecision {
        action,
        incident,
        drill: desk.drill(),
        level,
        plan,
        lead_hq: a.lead_hq,
        member_units: input::list(&a.units),
        reason: a.reason,
    }));
    let zh = format!("{}{}级响应", action.name_zh(), level);
    Ok(desk.plan(scope, body, &zh, action.name()))
}

/// Terminates the response in force.
pub fn end(desk: &Desk, a: EndInput) -> Result<Planned, ActionError> {
    let views = desk.views();
    let incident = ids::resolve(
        &a.incident,
        views.incidents.iter().map(|i| i.id),
        INCIDENT,
        "incident",
    )?;
    let view = views
        .incident(&incident)
        .ok_or_else(|| ids::unknown(INCIDENT, &incident, "incident"))?;
    let Some(current) = view.response.as_ref().filter(|r| r.active) else {
        return Err(ActionError::new(
            ActionErrorKind::Conflict,
            "no_active_response",
            format!("事件 {} 没有正在进行的应急响应", incident.short()),
            format!("incident {} has no active response", incident.short()),
        )
        .with_field("incident"));
    };
    let body = Body::ResponseDecision(Box::new(ResponseDecision {
        action: ResponseAction::Terminate,
        incident,
        drill: desk.drill(),
        level: current.level,
        plan: None,
        lead_hq: current.lead_hq.clone(),
        member_units: Vec::new(),
        reason: a.reason,
    }));
    Ok(desk.plan(view.region.clone(), body, "终止应急响应", "response ended"))
}
