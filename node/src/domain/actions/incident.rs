//! 信息报告: 首报, 续报 (or 核报), 终报 — and the consultations (会商研判)
//! and information releases (信息发布) attached to an incident.
//!
//! A 续报 or 终报 starts from the incident's current report: only the
//! fields given change, as an operator reports what is new.

use clap::Args;
use liandong_protocol::domain::{
    Attachment, Casualties, Consultation, EventType, GeoPoint, IncidentReport, InfoRelease, Phase,
    Severity,
};
use liandong_protocol::{Body, RegionCode};
use serde::{Deserialize, Serialize};

use crate::domain::desk::{Desk, Planned};
use crate::domain::error::{ActionError, ActionErrorKind};
use crate::domain::ids::{self, INCIDENT};
use crate::domain::input;

/// The fields of a report; on follow-ups, only those given change. Blank
/// text counts as not given.
#[derive(Debug, Clone, Default, Args, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportFields {
    /// Short name, e.g. 西戈壁村洪涝 / 事件名称
    #[arg(long)]
    pub title: Option<String>,
    /// Event type: flood_drought, 水旱灾害, fire, infectious, … or category/subtype / 事件类型
    #[arg(long)]
    pub event: Option<String>,
    /// Severity I–IV (Ⅰ 特别重大 … Ⅳ 一般) / 事件等级
    #[arg(long)]
    pub severity: Option<String>,
    /// The grade is provisional (初判): true or false / 等级为初判
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub provisional: Option<bool>,
    /// When it happened (Beijing time, or 30m for 30 minutes ago) [default: now] / 发生时间
    #[arg(long)]
    pub occurred: Option<String>,
    /// Where: region code [default: this post's region] / 发生地区划
    #[arg(long)]
    pub region: Option<String>,
    /// WGS-84 position: lat,lon / 坐标
    #[arg(long)]
    pub point: Option<String>,
    #[arg(long)]
    pub dead: Option<u32>,
    #[arg(long)]
    pub missing: Option<u32>,
    #[arg(long)]
    pub injured: Option<u32>,
    #[arg(long)]
    pub trapped: Option<u32>,
    #[arg(long)]
    pub evacuated: Option<u32>,
    #[arg(long)]
    pub affected: Option<u32>,
    /// Direct economic loss, 万元 / 直接经济损失（万元）
    #[arg(long)]
    pub loss_wan: Option<u64>,
    /// Other losses / 损失情况
    #[arg(long)]
    pub losses: Option<String>,
    /// Cause / 原因
    #[arg(long)]
    pub cause: Option<String>,
    /// Trend / 发展趋势
    #[arg(long)]
    pub trend: Option<String>,
    /// Actions taken / 已采取措施
    #[arg(long)]
    pub actions: Option<String>,
    /// Support requested / 请求支援事项
    #[arg(long)]
    pub requests: Option<String>,
    /// On-scene contact / 现场联系人
    #[arg(long)]
    pub contact: Option<String>,
    /// Attachments by hash (the CLI hashes files given with --attach).
    #[arg(skip)]
    pub attachments: Vec<Attachment>,
}

/// A 续报, 核报 or 终报 of an incident.
#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpInput {
    /// The incident: its id or a prefix / 事件编号
    #[arg(long)]
    pub incident: String,
    /// A verified correction (核报) rather than a 续报 / 核报
    #[arg(long)]
    #[serde(default)]
    pub verified: bool,
    /// Reopen a closed incident (重开): by the post that closed it or a post
    /// above; a plain 续报 after the 终报 is refused / 重开已终报的事件
    #[arg(long, conflicts_with = "verified")]
    #[serde(default)]
    pub reopen: bool,
    /// What changed.
    #[command(flatten)]
    #[serde(default)]
    pub report: ReportFields,
}

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsultInput {
    /// The incident: its id or a prefix / 事件编号
    #[arg(long)]
    pub incident: String,
    /// Topic / 议题
    #[arg(long)]
    pub topic: String,
    /// Participants, comma-separated / 参加单位
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub participants: String,
    /// Assessment (研判结论) / 研判结论
    #[arg(long)]
    pub assessment: String,
    /// Decisions / 会商决定
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub decisions: String,
}

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseInput {
    /// The incident: its id or a prefix / 事件编号
    #[arg(long)]
    pub incident: String,
    /// Channel, e.g. 政府网站, 新闻发布会 / 发布渠道
    #[arg(long)]
    pub channel: String,
    /// Headline / 标题
    #[arg(long)]
    pub headline: String,
    /// Text / 内容
    #[arg(long)]
    pub text: String,
}

/// 首报: creates the incident.
pub fn report(desk: &Desk, f: ReportFields) -> Result<Planned, ActionError> {
    let title = input::required("title", "事件名称", &f.title)?.to_string();
    let event: EventType = input::parse("event", input::required("event", "事件类型", &f.event)?)?;
    let severity: Severity = input::parse(
        "severity",
        input::required("severity", "事件等级", &f.severity)?,
    )?;
    let base = IncidentReport {
        phase: Phase::Initial,
        incident: None,
        drill: desk.drill(),
        title,
        event,
        severity,
        provisional: f.provisional.unwrap_or(true),
        occurred_ms: desk.now_ms,
        region: desk.region.clone(),
        point: None,
        casualties: Casualties::default(),
        economic_loss_wan: None,
        losses: String::new(),
        cause: String::new(),
        trend: String::new(),
        actions: String::new(),
        requests: String::new(),
        contact: String::new(),
        attachments: Vec::new(),
    };
    let body = apply(base, f, desk.now_ms)?;
    Ok(desk.plan(
        body.region.clone(),
        Body::IncidentReport(Box::new(body)),
        "首报",
        "initial report",
    ))
}

/// 续报, 核报 (`verified`) or 重开 (`reopen`), or 终报 (`close`).
pub fn follow_up(desk: &Desk, input: FollowUpInput, close: bool) -> Result<Planned, ActionError> {
    let phase = match (close, input.verified, input.reopen) {
        (false, false, false) => Phase::Update,
        (false, true, false) => Phase::Verified,
        (false, false, true) => Phase::Reopen,
        (true, false, false) => Phase::Final,
        (false, true, true) => {
            return Err(ActionError::new(
                ActionErrorKind::Input,
                "invalid_field",
                "重开不能同时为核报",
                "a reopen is not a 核报; send them one after the other",
            )
            .with_field("reopen"));
        }
        (true, verified, _) => {
            let (field, zh, en) = if verified {
                (
                    "verified",
                    "终报不能同时为核报（核报请用续报并选“核报”）",
                    "a 终报 is not a 核报; send a verified update instead",
                )
            } else {
                ("reopen", "终报不能同时重开", "a 终报 does not reopen")
            };
            return Err(
                ActionError::new(ActionErrorKind::Input, "invalid_field", zh, en).with_field(field),
            );
        }
    };
    let views = desk.views();
    let id = ids::resolve(
        &input.incident,
        views.incidents.iter().map(|i| i.id),
        INCIDENT,
        "incident",
    )?;
    let current = views
        .incident(&id)
        .ok_or_else(|| ids::unknown(INCIDENT, &id, "incident"))?;
    let mut base = current.current.clone();
    base.phase = phase;
    base.incident = Some(id);
    base.drill = desk.drill();
    base.attachments.clear();
    let scope = current.region.clone();
    let body = apply(base, input.report, desk.now_ms)?;
    Ok(desk.plan(
        scope,
        Body::IncidentReport(Box::new(body)),
        phase.name_zh(),
        phase.name(),
    ))
}

/// The incident named by `text`, and where it happened (its entries' scope).
fn incident_of(
    desk: &Desk,
    text: &str,
) -> Result<(liandong_protocol::EntryId, RegionCode), ActionError> {
    let views = desk.views();
    let id = ids::resolve(
        text,
        views.incidents.iter().map(|i| i.id),
        INCIDENT,
        "incident",
    )?;
    let region = views
        .incident(&id)
        .map(|i| i.region.clone())
        .ok_or_else(|| ids::unknown(INCIDENT, &id, "incident"))?;
    Ok((id, region))
}

pub fn consult(desk: &Desk, a: ConsultInput) -> Result<Planned, ActionError> {
    let (incident, scope) = incident_of(desk, &a.incident)?;
    let body = Body::Consultation(Box::new(Consultation {
        incident,
        drill: desk.drill(),
        topic: a.topic,
        participants: input::list(&a.participants),
        assessment: a.assessment,
        decisions: a.decisions,
    }));
    Ok(desk.plan(scope, body, "会商研判", "consultation"))
}

pub fn release(desk: &Desk, a: ReleaseInput) -> Result<Planned, ActionError> {
    let (incident, scope) = incident_of(desk, &a.incident)?;
    let body = Body::InfoRelease(Box::new(InfoRelease {
        incident,
        drill: desk.drill(),
        channel: a.channel,
        headline: a.headline,
        text: a.text,
    }));
    Ok(desk.plan(scope, body, "信息发布", "information release"))
}

/// Overlays the given fields on a report.
fn apply(
    mut r: IncidentReport,
    f: ReportFields,
    now_ms: u64,
) -> Result<IncidentReport, ActionError> {
    if let Some(v) = input::non_blank(&f.title) {
        r.title = v.to_string();
    }
    if let Some(v) = input::parse_opt::<EventType>("event", &f.event)? {
        r.event = v;
    }
    if let Some(v) = input::parse_opt::<Severity>("severity", &f.severity)? {
        r.severity = v;
    }
    if let Some(v) = f.provisional {
        r.provisional = v;
    }
    if let Some(v) = input::parse_opt::<RegionCode>("region", &f.region)? {
        r.region = v;
    }
    if let Some(t) = input::past_opt("occurred", &f.occurred, now_ms)? {
        r.occurred_ms = t;
    }
    if let Some(p) = input::parse_opt::<GeoPoint>("point", &f.point)? {
        r.point = Some(p);
    }
    if f.loss_wan.is_some() {
        r.economic_loss_wan = f.loss_wan;
    }
    for (given, slot) in [
        (f.losses, &mut r.losses),
        (f.cause, &mut r.cause),
        (f.trend, &mut r.trend),
        (f.actions, &mut r.actions),
        (f.requests, &mut r.requests),
        (f.contact, &mut r.contact),
    ] {
        if let Some(v) = given {
            *slot = v;
        }
    }
    let c = &mut r.casualties;
    for (given, slot) in [
        (f.dead, &mut c.dead),
        (f.missing, &mut c.missing),
        (f.injured, &mut c.injured),
        (f.trapped, &mut c.trapped),
        (f.evacuated, &mut c.evacuated),
        (f.affected, &mut c.affected),
    ] {
        if let Some(v) = given {
            *slot = v;
        }
    }
    r.attachments.extend(f.attachments);
    Ok(r)
}
