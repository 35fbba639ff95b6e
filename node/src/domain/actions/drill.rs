//! 演练: start and end. While a drill runs, actions name it (the CLI's
//! `--drill`, the API's `?drill=`) to write into it with status Exercise.

use clap::Args;
use liandong_protocol::domain::{DrillEnd, DrillStart};
use liandong_protocol::{Body, RegionCode, Status};
use serde::{Deserialize, Serialize};

use crate::domain::desk::{Desk, Planned};
use crate::domain::error::{ActionError, ActionErrorKind};
use crate::domain::ids::{self, PLAN};
use crate::domain::input;

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartInput {
    /// Name / 演练名称
    #[arg(long)]
    pub name: String,
    /// Scenario played / 演练科目
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub scenario: String,
    /// Area taking part [default: this post's region] / 演练区域
    #[arg(long)]
    #[serde(default)]
    pub region: Option<String>,
    /// The plan exercised: id or prefix / 检验的预案
    #[arg(long)]
    #[serde(default)]
    pub plan: Option<String>,
}

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndInput {
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub summary: String,
}

/// Starts a drill; the desk must be on reality (a drill is not started
/// inside another).
pub fn start(desk: &Desk, a: StartInput) -> Result<Planned, ActionError> {
    if desk.drill().is_some() {
        return Err(ActionError::new(
            ActionErrorKind::Input,
            "not_in_drill",
            "不能在演练中开始另一场演练",
            "a drill is not started inside another drill",
        ));
    }
    let views = desk.views();
    let plan = input::non_blank(&a.plan)
        .map(|p| ids::resolve(p, views.plans.iter().map(|v| v.id), PLAN, "plan"))
        .transpose()?;
    let region =
        input::parse_opt::<RegionCode>("region", &a.region)?.unwrap_or_else(|| desk.region.clone());
    let body = Body::DrillStart(Box::new(DrillStart {
        name: a.name,
        scenario: a.scenario,
        region: region.clone(),
        plan,
    }));
    // A drill record is an Exercise entry even though no drill is open yet.
    Ok(Planned::new(
        region,
        Status::Exercise,
        body,
        "演练开始",
        "drill started",
    ))
}

/// Ends the desk's drill.
pub fn end(desk: &Desk, a: EndInput) -> Result<Planned, ActionError> {
    let Some(drill) = desk.drill() else {
        return Err(ActionError::missing("drill", "演练"));
    };
    let region = desk
        .views()
        .drill(&drill)
        .map(|d| d.region.clone())
        .unwrap_or_else(|| desk.region.clone());
    let body = Body::DrillEnd(Box::new(DrillEnd {
        drill,
        summary: a.summary,
    }));
    Ok(desk.plan(region, body, "演练结束", "drill ended"))
}
