//! `liandong warning issue|update|cancel`: 预警发布、变更、解除.
//!
//! Issuing needs the warning-issuer role (in development mode, granted by
//! the dev-roles file). The entry is scoped to the smallest region holding
//! the whole area, so every post warned holds it.

use clap::{Args, Subcommand};
use liandong_protocol::domain::{EventType, Warning, WarningColor, WarningInfo};
use liandong_protocol::{Body, RegionCode};

use super::CliError;
use super::domain::{Common, Session, ids, input, print_written};
use crate::datadir::DataDir;

#[derive(Debug, Subcommand)]
pub enum WarningCommand {
    /// Issue a warning / 发布预警
    Issue(IssueArgs),
    /// Change a warning (colour, area, times, texts) / 变更预警
    Update(UpdateArgs),
    /// Cancel a warning / 解除预警
    Cancel(CancelArgs),
}

/// Warning content; on updates, only what is given changes.
#[derive(Debug, Args)]
pub struct WarningFields {
    /// red, orange, yellow, blue (or 红、橙、黄、蓝) / 预警颜色
    #[arg(long)]
    pub color: Option<WarningColor>,
    /// Event type, e.g. flood_drought / 事件类型
    #[arg(long)]
    pub event: Option<EventType>,
    /// Region codes warned, comma-separated / 预警区域
    #[arg(long)]
    pub area: Option<String>,
    /// Polygon: lat,lon;lat,lon;… closed (first = last) / 多边形范围
    #[arg(long)]
    pub polygon: Option<String>,
    /// Effective from [default: now] / 生效时间
    #[arg(long)]
    pub effective: Option<String>,
    /// Expires at, e.g. +24h or "2026-11-29 08:00" / 失效时间
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

#[derive(Debug, Args)]
pub struct IssueArgs {
    #[command(flatten)]
    pub fields: WarningFields,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The warning: id or prefix / 预警编号
    #[arg(long)]
    pub warning: String,
    #[command(flatten)]
    pub fields: WarningFields,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct CancelArgs {
    #[arg(long)]
    pub warning: String,
    /// Why / 解除原因
    #[arg(long, default_value = "")]
    pub reason: String,
    #[command(flatten)]
    pub common: Common,
}

const WARNING: (&str, &str) = ("warning", "预警");

pub fn run(
    data_dir: &DataDir,
    dev_roles: Option<&std::path::Path>,
    cmd: WarningCommand,
) -> Result<(), CliError> {
    match cmd {
        WarningCommand::Issue(a) => issue(&Session::open(data_dir, dev_roles, &a.common)?, a),
        WarningCommand::Update(a) => update(&Session::open(data_dir, dev_roles, &a.common)?, a),
        WarningCommand::Cancel(a) => cancel(&Session::open(data_dir, dev_roles, &a.common)?, a),
    }
}

fn need<T>(v: Option<T>, flag: &str) -> Result<T, CliError> {
    v.ok_or_else(|| {
        CliError::Usage(format!(
            "发布预警须填写 {flag} / issuing a warning needs {flag}"
        ))
    })
}

fn issue(s: &Session, a: IssueArgs) -> Result<(), CliError> {
    let f = &a.fields;
    let base = WarningInfo {
        color: need(f.color, "--color")?,
        event: need(f.event.clone(), "--event")?,
        area: Vec::new(),
        polygon: Vec::new(),
        effective_ms: s.now_ms,
        expires_ms: 0,
        headline_zh: need(f.headline.clone(), "--headline")?,
        headline_en: need(f.headline_en.clone(), "--headline-en")?,
        description_zh: need(f.description.clone(), "--description")?,
        description_en: String::new(),
        instruction_zh: String::new(),
        instruction_en: String::new(),
    };
    need(f.expires.as_ref(), "--expires")?;
    let mut info = apply(base, a.fields, s.now_ms)?;
    if info.area.is_empty() {
        info.area.push(s.my_region());
    }
    let scope = common_region(&info.area, s.my_region());
    let body = Body::Warning(Box::new(Warning::Issue {
        drill: s.drill(),
        info,
    }));
    let entry = s.write(scope, body)?;
    print_written(&entry, a.common.json, ("预警", "warning"));
    Ok(())
}

fn update(s: &Session, a: UpdateArgs) -> Result<(), CliError> {
    let views = s.views();
    let warning = ids::resolve(&a.warning, views.warnings.iter().map(|w| w.id), WARNING)?;
    let current = views
        .warning(&warning)
        .ok_or_else(|| unknown(&warning))?
        .current
        .clone();
    let info = apply(current, a.fields, s.now_ms)?;
    let scope = common_region(&info.area, s.my_region());
    let body = Body::Warning(Box::new(Warning::Update {
        warning,
        drill: s.drill(),
        info,
    }));
    let entry = s.write(scope, body)?;
    print_written(&entry, a.common.json, ("预警变更", "warning update"));
    Ok(())
}

fn cancel(s: &Session, a: CancelArgs) -> Result<(), CliError> {
    let views = s.views();
    let warning = ids::resolve(&a.warning, views.warnings.iter().map(|w| w.id), WARNING)?;
    let area = views
        .warning(&warning)
        .ok_or_else(|| unknown(&warning))?
        .current
        .area
        .clone();
    let body = Body::Warning(Box::new(Warning::Cancel {
        warning,
        drill: s.drill(),
        reason: a.reason,
    }));
    let entry = s.write(common_region(&area, s.my_region()), body)?;
    print_written(&entry, a.common.json, ("预警解除", "warning cancelled"));
    Ok(())
}

fn unknown(id: &liandong_protocol::EntryId) -> CliError {
    CliError::Invalid(format!(
        "本节点台账中没有预警 {} / warning {} is not in this post's ledger",
        id.short(),
        id.short()
    ))
}

fn apply(mut w: WarningInfo, f: WarningFields, now_ms: u64) -> Result<WarningInfo, CliError> {
    if let Some(c) = f.color {
        w.color = c;
    }
    if let Some(e) = f.event {
        w.event = e;
    }
    if let Some(area) = &f.area {
        w.area = input::list(area)
            .iter()
            .map(|c| {
                c.parse::<RegionCode>()
                    .map_err(|e| CliError::Usage(e.to_string()))
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(p) = &f.polygon {
        w.polygon = input::polygon(p)?;
    }
    if let Some(t) = &f.effective {
        w.effective_ms = input::time(t, now_ms)?;
    }
    if let Some(t) = &f.expires {
        w.expires_ms = input::time(t, now_ms)?;
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
fn common_region(area: &[RegionCode], mine: RegionCode) -> RegionCode {
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
