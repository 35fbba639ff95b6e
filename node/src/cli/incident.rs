//! `liandong incident report|update|close|consult|release`: 信息报告 —
//! 首报, 续报 (or 核报 with `--verified`), 终报 — and the consultations and
//! information releases attached to an incident.
//!
//! A 续报 or 终报 starts from the incident's current report: only the
//! fields given change, as an operator reports what is new.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use liandong_protocol::domain::{
    Casualties, Consultation, EventType, GeoPoint, IncidentReport, InfoRelease, Phase, Severity,
};
use liandong_protocol::{Body, EntryId, RegionCode};

use super::CliError;
use super::domain::{Common, Session, ids, input, print_written};
use crate::datadir::DataDir;

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// First report (首报): creates the incident / 首报
    Report(ReportArgs),
    /// Update (续报), or verified correction (核报) with --verified / 续报、核报
    Update(UpdateArgs),
    /// Final report (终报): closes the incident / 终报
    Close(UpdateArgs),
    /// Record a joint consultation (会商研判) / 会商研判
    Consult(ConsultArgs),
    /// Record a public information release (信息发布) / 信息发布
    Release(ReleaseArgs),
}

/// The fields of a report; on updates, only those given change.
#[derive(Debug, Args)]
pub struct ReportFields {
    /// Short name, e.g. 西戈壁村洪涝 / 事件名称
    #[arg(long)]
    pub title: Option<String>,
    /// Event type: flood_drought, 水旱灾害, fire, infectious, … or category/subtype / 事件类型
    #[arg(long)]
    pub event: Option<EventType>,
    /// Severity I–IV (Ⅰ 特别重大 … Ⅳ 一般) / 事件等级
    #[arg(long)]
    pub severity: Option<Severity>,
    /// The grade is provisional (初判): true or false / 等级为初判
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub provisional: Option<bool>,
    /// When it happened (Beijing time, or 30m for 30 minutes ago) [default: now] / 发生时间
    #[arg(long)]
    pub occurred: Option<String>,
    /// Where: region code [default: this post's region] / 发生地区划
    #[arg(long)]
    pub region: Option<RegionCode>,
    /// WGS-84 position: lat,lon / 坐标
    #[arg(long)]
    pub point: Option<GeoPoint>,
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
    /// Attach a file by hash (repeatable) / 附件
    #[arg(long = "attach", value_name = "FILE")]
    pub attach: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub fields: ReportFields,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The incident: its id or a prefix / 事件编号
    #[arg(long)]
    pub incident: String,
    /// A verified correction (核报) rather than a 续报 / 核报
    #[arg(long)]
    pub verified: bool,
    #[command(flatten)]
    pub fields: ReportFields,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct ConsultArgs {
    #[arg(long)]
    pub incident: String,
    /// Topic / 议题
    #[arg(long)]
    pub topic: String,
    /// Participants, comma-separated / 参加单位
    #[arg(long, default_value = "")]
    pub participants: String,
    /// Assessment (研判结论) / 研判结论
    #[arg(long)]
    pub assessment: String,
    /// Decisions / 会商决定
    #[arg(long, default_value = "")]
    pub decisions: String,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct ReleaseArgs {
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
    #[command(flatten)]
    pub common: Common,
}

pub fn run(
    data_dir: &DataDir,
    dev_roles: Option<&std::path::Path>,
    cmd: IncidentCommand,
) -> Result<(), CliError> {
    match cmd {
        IncidentCommand::Report(a) => report(&Session::open(data_dir, dev_roles, &a.common)?, a),
        IncidentCommand::Update(a) => {
            let phase = if a.verified {
                Phase::Verified
            } else {
                Phase::Update
            };
            follow_up(&Session::open(data_dir, dev_roles, &a.common)?, a, phase)
        }
        IncidentCommand::Close(a) => {
            if a.verified {
                return Err(CliError::Usage(
                    "a 终报 is not a 核报; use `incident update --verified` / 终报不能同时为核报"
                        .into(),
                ));
            }
            follow_up(
                &Session::open(data_dir, dev_roles, &a.common)?,
                a,
                Phase::Final,
            )
        }
        IncidentCommand::Consult(a) => consult(&Session::open(data_dir, dev_roles, &a.common)?, a),
        IncidentCommand::Release(a) => release(&Session::open(data_dir, dev_roles, &a.common)?, a),
    }
}

fn required<T>(value: Option<T>, flag: &str, zh: &str) -> Result<T, CliError> {
    value.ok_or_else(|| {
        CliError::Usage(format!(
            "首报须填写{zh}（{flag}）/ a first report needs {flag}"
        ))
    })
}

fn report(s: &Session, a: ReportArgs) -> Result<(), CliError> {
    let f = a.fields;
    let occurred_ms = match &f.occurred {
        Some(t) => input::time(t, s.now_ms)?,
        None => s.now_ms,
    };
    let base = IncidentReport {
        phase: Phase::Initial,
        incident: None,
        drill: s.drill(),
        title: required(f.title.clone(), "--title", "事件名称")?,
        event: required(f.event.clone(), "--event", "事件类型")?,
        severity: required(f.severity, "--severity", "事件等级")?,
        provisional: f.provisional.unwrap_or(true),
        occurred_ms,
        region: f.region.clone().unwrap_or_else(|| s.my_region()),
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
    let body = apply(base, f, s.now_ms)?;
    let entry = s.write(body.region.clone(), Body::IncidentReport(Box::new(body)))?;
    print_written(&entry, a.common.json, ("首报", "initial report"));
    Ok(())
}

fn follow_up(s: &Session, a: UpdateArgs, phase: Phase) -> Result<(), CliError> {
    let views = s.views();
    let id = ids::resolve(&a.incident, views.incidents.iter().map(|i| i.id), INCIDENT)?;
    let Some(current) = views.incident(&id) else {
        return Err(unknown_incident(&id));
    };
    let mut base = current.current.clone();
    base.phase = phase;
    base.incident = Some(id);
    base.drill = s.drill();
    base.attachments.clear();
    let scope = current.region.clone();
    let body = apply(base, a.fields, s.now_ms)?;
    let entry = s.write(scope, Body::IncidentReport(Box::new(body)))?;
    print_written(&entry, a.common.json, (phase.name_zh(), phase.name()));
    Ok(())
}

pub const INCIDENT: (&str, &str) = ("incident", "事件");

pub fn unknown_incident(id: &EntryId) -> CliError {
    CliError::Invalid(format!(
        "本节点台账中没有事件 {} / incident {} is not in this post's ledger",
        id.short(),
        id.short()
    ))
}

/// Overlays the given fields on a report.
fn apply(mut r: IncidentReport, f: ReportFields, now_ms: u64) -> Result<IncidentReport, CliError> {
    macro_rules! set {
        ($($field:ident),*) => { $( if let Some(v) = f.$field { r.$field = v; } )* };
    }
    set!(
        title,
        event,
        severity,
        provisional,
        region,
        losses,
        cause,
        trend,
        actions,
        requests,
        contact
    );
    if let Some(t) = &f.occurred {
        r.occurred_ms = input::time(t, now_ms)?;
    }
    if f.point.is_some() {
        r.point = f.point;
    }
    if f.loss_wan.is_some() {
        r.economic_loss_wan = f.loss_wan;
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
    for path in &f.attach {
        r.attachments.push(input::attachment(path)?);
    }
    Ok(r)
}

fn consult(s: &Session, a: ConsultArgs) -> Result<(), CliError> {
    let views = s.views();
    let incident = ids::resolve(&a.incident, views.incidents.iter().map(|i| i.id), INCIDENT)?;
    let scope = views
        .incident(&incident)
        .map(|i| i.region.clone())
        .ok_or_else(|| unknown_incident(&incident))?;
    let body = Body::Consultation(Box::new(Consultation {
        incident,
        drill: s.drill(),
        topic: a.topic,
        participants: input::list(&a.participants),
        assessment: a.assessment,
        decisions: a.decisions,
    }));
    let entry = s.write(scope, body)?;
    print_written(&entry, a.common.json, ("会商研判", "consultation"));
    Ok(())
}

fn release(s: &Session, a: ReleaseArgs) -> Result<(), CliError> {
    let views = s.views();
    let incident = ids::resolve(&a.incident, views.incidents.iter().map(|i| i.id), INCIDENT)?;
    let scope = views
        .incident(&incident)
        .map(|i| i.region.clone())
        .ok_or_else(|| unknown_incident(&incident))?;
    let body = Body::InfoRelease(Box::new(InfoRelease {
        incident,
        drill: s.drill(),
        channel: a.channel,
        headline: a.headline,
        text: a.text,
    }));
    let entry = s.write(scope, body)?;
    print_written(&entry, a.common.json, ("信息发布", "information release"));
    Ok(())
}
