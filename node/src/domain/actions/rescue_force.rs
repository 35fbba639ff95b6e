//! 救援力量储备库: register a rescue force, and keep it current (headcount,
//! availability, assignment, last drill …). Each record is the whole force
//! (see `liandong_protocol::linkage::rescue_force`): an update starts from
//! the force as the views show it and changes only the fields given.

use clap::Args;
use liandong_protocol::domain::rescue_force::{CAPABILITIES, FORCE_TYPES, lookup};
use liandong_protocol::domain::{Availability, GeoPoint, RescueForce};
use liandong_protocol::{Body, RegionCode, Status};
use serde::{Deserialize, Serialize};

use crate::domain::desk::{Desk, Planned};
use crate::domain::error::{ActionError, ActionErrorKind};
use crate::domain::ids::{self, Thing};
use crate::domain::input::{self, Problems};

pub const FORCE: Thing = Thing {
    en: "rescue force",
    zh: "救援力量",
    unknown: "unknown_force",
};

/// What `--assign` names: a task or a resource commitment.
pub const ASSIGNMENT: Thing = Thing {
    en: "task or commitment",
    zh: "指令或资源承诺",
    unknown: "unknown_assignment",
};

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    /// Name, e.g. 沙湾市消防救援大队 / 队伍名称
    #[arg(long)]
    pub name: String,
    /// English name / 英文名称
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub name_en: String,
    /// Type: fire, militia, volunteer, medical, professional, water_rescue,
    /// mine_rescue … (or its Chinese name) / 队伍类型
    #[arg(id = "force_type", long = "type", value_name = "TYPE")]
    #[serde(rename = "type")]
    pub force_type: String,
    /// People on the roster / 人数
    #[arg(long)]
    pub headcount: u32,
    /// Capabilities, comma-separated or repeated: water_rescue, 搜索救援 … / 救援能力
    #[arg(long = "capability", value_name = "CAPABILITY")]
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Equipment, one line each (repeatable): "冲锋舟 4 艘" / 主要装备
    #[arg(long = "equipment", value_name = "LINE")]
    #[serde(default)]
    pub equipment: Vec<String>,
    /// Base location as lat,lon, e.g. 44.322,85.606 / 驻地坐标（纬度,经度）
    #[arg(long)]
    pub base: String,
    /// Region served [default: this post's region] / 服务区划
    #[arg(long)]
    #[serde(default)]
    pub region: Option<String>,
    /// Duty phone or contact person / 联系方式
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub contact: String,
    /// ready, deployed or resting (待命、已出动、休整) [default: ready] / 状态
    #[arg(long)]
    #[serde(default)]
    pub availability: Option<String>,
    /// Last drill: a date, or 30d (ago) / 最近一次演练
    #[arg(long)]
    #[serde(default)]
    pub last_drill: Option<String>,
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub note: String,
}

/// Every field but the force is optional: what is not given stays.
#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateInput {
    /// The force: id or prefix / 救援力量编号
    #[arg(long)]
    pub force: String,
    #[arg(long)]
    #[serde(default)]
    pub name: Option<String>,
    #[arg(long)]
    #[serde(default)]
    pub name_en: Option<String>,
    #[arg(id = "force_type", long = "type", value_name = "TYPE")]
    #[serde(default, rename = "type")]
    pub force_type: Option<String>,
    #[arg(long)]
    #[serde(default)]
    pub headcount: Option<u32>,
    /// Replaces the capabilities / 救援能力（整体替换）
    #[arg(long = "capability", value_name = "CAPABILITY")]
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Replaces the equipment / 主要装备（整体替换）
    #[arg(long = "equipment", value_name = "LINE")]
    #[serde(default)]
    pub equipment: Vec<String>,
    #[arg(long)]
    #[serde(default)]
    pub base: Option<String>,
    #[arg(long)]
    #[serde(default)]
    pub region: Option<String>,
    #[arg(long)]
    #[serde(default)]
    pub contact: Option<String>,
    /// ready, deployed or resting; ready and resting end an assignment /
    /// 状态（待命、休整时解除任务关联）
    #[arg(long)]
    #[serde(default)]
    pub availability: Option<String>,
    /// The task or commitment the force is sent on: id or prefix (sets it
    /// deployed) / 执行的指令或资源承诺编号
    #[arg(long)]
    #[serde(default)]
    pub assign: Option<String>,
    #[arg(long)]
    #[serde(default)]
    pub last_drill: Option<String>,
    #[arg(long)]
    #[serde(default)]
    pub note: Option<String>,
}

pub fn register(desk: &Desk, a: RegisterInput) -> Result<Planned, ActionError> {
    real_only(desk)?;
    // Every field at fault is named at once; the placeholders below are
    // never written (`finish` refuses the form when one was taken).
    let mut p = Problems::default();
    let force_type = p.take(force_type(&a.force_type)).unwrap_or_default();
    let capabilities = p.take(capabilities(&a.capabilities)).unwrap_or_default();
    let base = p.take(input::parse::<GeoPoint>("base", &a.base));
    let region = p
        .take(input::parse_opt::<RegionCode>("region", &a.region))
        .flatten();
    let availability = p
        .take(input::parse_opt::<Availability>(
            "availability",
            &a.availability,
        ))
        .flatten();
    let last_drill_ms = p
        .take(input::past_opt("last_drill", &a.last_drill, desk.now_ms))
        .flatten();
    p.finish()?;
    let Some(base) = base else {
        return Err(ActionError::missing("base", "驻地坐标"));
    };
    let region = region.unwrap_or_else(|| desk.region.clone());
    let body = RescueForce {
        force: None,
        name: a.name,
        name_en: a.name_en,
        force_type,
        headcount: a.headcount,
        capabilities,
        equipment: input::lists(&a.equipment),
        base,
        region,
        contact: a.contact,
        availability: availability.unwrap_or(Availability::Ready),
        last_drill_ms,
        assigned_to: None,
        note: a.note,
    };
    Ok(planned(body, "救援力量登记", "rescue force registration"))
}

pub fn update(desk: &Desk, a: UpdateInput) -> Result<Planned, ActionError> {
    real_only(desk)?;
    let views = desk.views();
    let id = ids::resolve(&a.force, views.forces.iter().map(|f| f.id), FORCE, "force")?;
    let mut f = views
        .force(&id)
        .map(|v| v.current.clone())
        .ok_or_else(|| ids::unknown(FORCE, &id, "force"))?;
    f.force = Some(id);
    let mut p = Problems::default();
    if let Some(t) = input::non_blank(&a.force_type) {
        f.force_type = p.take(force_type(t)).unwrap_or_default();
    }
    if !a.capabilities.is_empty() {
        f.capabilities = p.take(capabilities(&a.capabilities)).unwrap_or_default();
    }
    if let Some(b) = input::non_blank(&a.base) {
        f.base = p.take(input::parse("base", b)).unwrap_or(f.base);
    }
    if let Some(r) = p
        .take(input::parse_opt::<RegionCode>("region", &a.region))
        .flatten()
    {
        f.region = r;
    }
    let availability = p
        .take(input::parse_opt::<Availability>(
            "availability",
            &a.availability,
        ))
        .flatten();
    let assign = input::non_blank(&a.assign).and_then(|t| {
        let candidates = views
            .tasks
            .iter()
            .map(|x| x.id)
            .chain(views.commits.iter().map(|x| x.id));
        p.take(ids::resolve(t, candidates, ASSIGNMENT, "assign"))
    });
    if let Some(d) = p
        .take(input::past_opt("last_drill", &a.last_drill, desk.now_ms))
        .flatten()
    {
        f.last_drill_ms = Some(d);
    }
    p.finish()?;
    match (assign, availability) {
        // Sent on something: deployed, unless the operator says otherwise.
        (Some(to), a) => {
            f.assigned_to = Some(to);
            f.availability = a.unwrap_or(Availability::Deployed);
        }
        (None, Some(a)) => {
            // Back on standby, or resting: the assignment is over.
            if a != Availability::Deployed {
                f.assigned_to = None;
            }
            f.availability = a;
        }
        (None, None) => {}
    }
    if let Some(n) = a.name {
        f.name = n;
    }
    if let Some(n) = a.name_en {
        f.name_en = n;
    }
    if let Some(h) = a.headcount {
        f.headcount = h;
    }
    if !a.equipment.is_empty() {
        f.equipment = input::lists(&a.equipment);
    }
    if let Some(c) = a.contact {
        f.contact = c;
    }
    if let Some(n) = a.note {
        f.note = n;
    }
    Ok(planned(f, "救援力量更新", "rescue force update"))
}

/// The roster is real: records are written with status Actual, never into
/// a drill (a drill calls on the forces that exist).
fn real_only(desk: &Desk) -> Result<(), ActionError> {
    if desk.drill().is_some() {
        return Err(ActionError::new(
            ActionErrorKind::Input,
            "not_in_drill",
            "救援力量的登记与更新不在演练中进行",
            "rescue forces are registered and updated for real, not in a drill",
        ));
    }
    Ok(())
}

fn planned(f: RescueForce, zh: &str, en: &str) -> Planned {
    let scope = f.region.clone();
    Planned::new(
        scope,
        Status::Actual,
        Body::RescueForce(Box::new(f)),
        zh,
        en,
    )
}

fn force_type(text: &str) -> Result<String, ActionError> {
    lookup(FORCE_TYPES, text)
        .map(|e| e.0.to_string())
        .ok_or_else(|| {
            ActionError::invalid(
                "type",
                format!(
                    "unknown force type {text:?}; use one of {} / 未知队伍类型",
                    names(FORCE_TYPES)
                ),
            )
        })
}

/// Every capability of a (possibly repeated, comma-separated) option, as
/// machine names; an unknown one is refused with the known ones listed.
fn capabilities(values: &[String]) -> Result<Vec<String>, ActionError> {
    let mut out: Vec<String> = Vec::new();
    for text in input::lists(values) {
        let name = lookup(CAPABILITIES, &text).map(|e| e.0).ok_or_else(|| {
            ActionError::invalid(
                "capability",
                format!(
                    "unknown capability {text:?}; use one of {} / 未知救援能力",
                    names(CAPABILITIES)
                ),
            )
        })?;
        if !out.iter().any(|x| x == name) {
            out.push(name.to_string());
        }
    }
    Ok(out)
}

fn names(table: &[(&str, &str, &str)]) -> String {
    table
        .iter()
        .map(|e| format!("{} ({})", e.0, e.1))
        .collect::<Vec<_>>()
        .join(", ")
}
