//! 预警发布、变更、解除. Issuing needs the warning-issuer role (in
//! development mode, granted by the dev-roles file). The entry is scoped to
//! the smallest region holding the whole area, so every post warned holds it.

use clap::Args;
use liandong_protocol::domain::{EventType, Warning, WarningColor, WarningInfo};
use liandong_protocol::{Body, RegionCode};
use serde::{Deserialize, Serialize};

use crate::domain::desk::{Desk, Planned};
use crate::domain::error::ActionError;
use crate::domain::ids::{self, WARNING};
use crate::domain::input;

/// Warning content; on updates, only what is given changes.
#[derive(Debug, Clone, Default, Args, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WarningFields {
    /// red, orange, yellow, blue (or 红、橙、黄、蓝) / 预警颜色
    #[arg(long)]
    pub color: Option<String>,
    /// Event type, e.g. flood_drought / 事件类型
    #[arg(long)]
    pub event: Option<String>,
    /// Region codes warned, comma-separated [default: this post's region] / 预警区域
    #[arg(long)]
    pub area: Option<String>,
    /// Polygon: lat,lon;lat,lon;… closed (first = last) / 多边形范围
    #[arg(long)]
    pub polygon: Option<String>,
    /// Effective from [default: now] / 生效时间
    #[arg(long)]
    pub effective: Option<String>,
    /// Expires: 24h (from now) or "2026-11-29 08:00" / 失效时间，如 24h 表示 24 小时后
    #[arg(long)]
    pub expires: Option<String>,
    /// Headline in Chinese / 标题
    #[arg(long)]
    pub headline: Option<String>,
    /// Headline in English
    #[arg(long)]
    pub headline_en: Option<String>,
    /// Description in Chinese / 内容
    #[arg(long)]
    pub description: Option<String>,
    #[arg(long)]
    pub description_en: Option<String>,
    /// What people should do, in Chinese / 防御指引
    #[arg(long)]
    pub instruction: Option<String>,
    #[arg(long)]
    pub instruction_en: Option<String>,
}

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateInput {
    /// The warning: id or prefix / 预警编号
    #[arg(long)]
    pub warning: String,
    #[command(flatten)]
    #[serde(default)]
    pub fields: WarningFields,
}

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    /// The warning: id or prefix / 预警编号
    #[arg(long)]
    pub warning: String,
    /// Why / 解除原因
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub reason: String,
}

pub fn issue(desk: &Desk, f: WarningFields) -> Result<Planned, ActionError> {
    let base = WarningInfo {
        color: input::parse("color", input::required("color", "预警颜色", &f.color)?)?,
        event: input::parse("event", input::required("event", "事件类型", &f.event)?)?,
        area: Vec::new(),
        polygon: Vec::new(),
        effective_ms: desk.now_ms,
        expires_ms: 0,
        headline_zh: input::required("headline", "中文标题", &f.headline)?.to_string(),
        headline_en: input::required("headline_en", "英文标题", &f.headline_en)?.to_string(),
        description_zh: input::required("description", "预警内容", &f.description)?.to_string(),
        description_en: String::new(),
        instruction_zh: String::new(),
        instruction_en: String::new(),
    };
    input::required("expires", "失效时间", &f.expires)?;
    let mut info = apply(base, f, desk.now_ms)?;
    if info.area.is_empty() {
        info.area.push(desk.region.clone());
    }
    let scope = common_region(&info.area, desk.region.clone());
    let body = Body::Warning(Box::new(Warning::Issue {
        drill: desk.drill(),
        info,
    }));
    Ok(desk.plan(scope, body, "预警", "warning"))
}

pub fn update(desk: &Desk, a: UpdateInput) -> Result<Planned, ActionError> {
    let views = desk.views();
    let warning = ids::resolve(
        &a.warning,
        views.warnings.iter().map(|w| w.id),
        WARNING,
        "warning",
    )?;
    let current = views
        .warning(&warning)
        .ok_or_else(|| ids::unknown(WARNING, &warning, "warning"))?
        .current
        .clone();
    let info = apply(current, a.fields, desk.now_ms)?;
    let scope = common_region(&info.area, desk.region.clone());
    let body = Body::Warning(Box::new(Warning::Update {
        warning,
        drill: desk.drill(),
        info,
    }));
    Ok(desk.plan(scope, body, "预警变更", "warning update"))
}

pub fn cancel(desk: &Desk, a: CancelInput) -> Result<Planned, ActionError> {
    let views = desk.views();
    let warning = ids::resolve(
        &a.warning,
        views.warnings.iter().map(|w| w.id),
        WARNING,
        "warning",
    )?;
    let area = views
        .warning(&warning)
        .ok_or_else(|| ids::unknown(WARNING, &warning, "warning"))?
        .current
        .area
        .clone();
    let body = Body::Warning(Box::new(Warning::Cancel {
        warning,
        drill: desk.drill(),
        reason: a.reason,
    }));
    Ok(desk.plan(
        common_region(&area, desk.region.clone()),
        body,
        "预警解除",
        "warning cancelled",
    ))
}

fn apply(mut w: WarningInfo, f: WarningFields, now_ms: u64) -> Result<WarningInfo, ActionError> {
    if let Some(c) = input::parse_opt::<WarningColor>("color", &f.color)? {
        w.color = c;
    }
    if let Some(e) = input::parse_opt::<EventType>("event", &f.event)? {
        w.event = e;
    }
    if let Some(area) = input::non_blank(&f.area) {
        w.area = input::list(area)
            .iter()
            .map(|c| input::parse::<RegionCode>("area", c))
            .collect::<Result<_, _>>()?;
    }
    if let Some(p) = input::non_blank(&f.polygon) {
        w.polygon = input::polygon("polygon", p)?;
    }
    if let Some(t) = input::time_opt("effective", &f.effective, now_ms)? {
        w.effective_ms = t;
    }
    if let Some(t) = input::future_opt("expires", &f.expires, now_ms)? {
        w.expires_ms = t;
    }
    for (given, slot) in [
        (f.headline, &mut w.headline_zh),
        (f.headline_en, &mut w.headline_en),
        (f.description, &mut w.description_zh),
        (f.description_en, &mut w.description_en),
        (f.instruction, &mut w.instruction_zh),
        (f.instruction_en, &mut w.instruction_en),
    ] {
        if let Some(v) = given {
            *slot = v;
        }
    }
    Ok(w)
}

/// The smallest region holding every code of the area, if this post covers
/// it; otherwise the post's own region.
pub fn common_region(area: &[RegionCode], mine: RegionCode) -> RegionCode {
    let Some(first) = area.first() else {
        return mine;
    };
    let candidates = std::iter::once(first.clone()).chain(first.ancestors());
    candidates
        .into_iter()
        .find(|c| area.iter().all(|a| a.is_within(c)))
        .filter(|c| c.is_within(&mine))
        .unwrap_or(mine)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rc(s: &str) -> RegionCode {
        s.parse().expect("region")
    }

    #[test]
    fn warnings_are_scoped_to_their_area() {
        let county = rc("654203");
        assert_eq!(
            common_region(&[rc("654203106201"), rc("654203106202")], county.clone()),
            rc("654203106")
        );
        assert_eq!(common_region(&[rc("654203")], county.clone()), county);
        assert_eq!(
            common_region(&[rc("654203"), rc("654202")], rc("6542")),
            rc("6542")
        );
        assert_eq!(common_region(&[], county.clone()), county);
    }
}
