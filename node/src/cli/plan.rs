//! `liandong plan register|approve|activate`: 预案登记（含修订）、批准或备案、启动.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use liandong_protocol::domain::{
    EventType, PlanActivation, PlanApproval, PlanApprovalKind, PlanRecord,
};
use liandong_protocol::{Body, RegionCode};

use super::CliError;
use super::domain::{Common, Session, ids, input, print_written};
use super::incident::{INCIDENT, unknown_incident};
use crate::datadir::DataDir;

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Register a plan, or a new version with --plan / 登记预案（或修订）
    Register(RegisterArgs),
    /// Approve a plan version, or file it (备案) with --file / 批准或备案预案
    Approve(ApproveArgs),
    /// Activate a plan for an incident / 启动预案
    Activate(ActivateArgs),
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// Title / 预案名称
    #[arg(long)]
    pub title: String,
    /// Version as the document names it / 版本
    #[arg(long, value_name = "VERSION")]
    pub plan_version: String,
    /// Next review due, e.g. 2027-06-30 / 下次评估修订日期
    #[arg(long)]
    pub review_due: String,
    /// Event types covered (repeatable) / 适用事件类型
    #[arg(long = "event")]
    pub events: Vec<EventType>,
    /// Area [default: this post's region] / 适用区划
    #[arg(long)]
    pub region: Option<RegionCode>,
    #[arg(long, default_value = "")]
    pub summary: String,
    /// The plan document, attached by hash / 预案文本
    #[arg(long)]
    pub document: Option<PathBuf>,
    /// Register a new version of this plan: id or prefix / 修订的预案编号
    #[arg(long)]
    pub plan: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The plan: id or prefix / 预案编号
    #[arg(long)]
    pub plan: String,
    /// File it (备案) rather than approve it / 备案
    #[arg(long)]
    pub file: bool,
    #[arg(long, default_value = "")]
    pub note: String,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct ActivateArgs {
    #[arg(long)]
    pub plan: String,
    /// The incident: id or prefix / 事件编号
    #[arg(long)]
    pub incident: String,
    #[arg(long, default_value = "")]
    pub note: String,
    #[command(flatten)]
    pub common: Common,
}

const PLAN: (&str, &str) = ("plan", "预案");

pub fn run(
    data_dir: &DataDir,
    dev_roles: Option<&std::path::Path>,
    cmd: PlanCommand,
) -> Result<(), CliError> {
    let open = |common: &Common| Session::open(data_dir, dev_roles, common);
    match cmd {
        PlanCommand::Register(a) => register(&open(&a.common)?, a),
        PlanCommand::Approve(a) => approve(&open(&a.common)?, a),
        PlanCommand::Activate(a) => activate(&open(&a.common)?, a),
    }
}

fn register(s: &Session, a: RegisterArgs) -> Result<(), CliError> {
    if s.drill().is_some() {
        return Err(CliError::Usage(
            "plans are registered for real, not in a drill / 预案登记不在演练中进行".into(),
        ));
    }
    let views = s.views();
    let plan = a
        .plan
        .as_deref()
        .map(|p| ids::resolve(p, views.plans.iter().map(|v| v.id), PLAN))
        .transpose()?;
    let region = a.region.unwrap_or_else(|| s.my_region());
    let body = Body::Plan(Box::new(PlanRecord {
        plan,
        title: a.title,
        version: a.plan_version,
        events: a.events,
        region: region.clone(),
        summary: a.summary,
        document: a.document.as_deref().map(input::attachment).transpose()?,
        review_due_ms: input::time(&a.review_due, s.now_ms)?,
    }));
    let entry = s.write(region, body)?;
    print_written(&entry, a.common.json, ("预案", "plan"));
    Ok(())
}

fn approve(s: &Session, a: ApproveArgs) -> Result<(), CliError> {
    let views = s.views();
    let plan = ids::resolve(&a.plan, views.plans.iter().map(|v| v.id), PLAN)?;
    let view = views.plan(&plan).ok_or_else(|| {
        CliError::Invalid(format!(
            "本节点台账中没有预案 {} / plan {} is not in this post's ledger",
            plan.short(),
            plan.short()
        ))
    })?;
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
    let entry = s.write(view.region.clone(), body)?;
    print_written(
        &entry,
        a.common.json,
        (kind.name_zh(), if a.file { "filing" } else { "approval" }),
    );
    Ok(())
}

fn activate(s: &Session, a: ActivateArgs) -> Result<(), CliError> {
    let views = s.views();
    let plan = ids::resolve(&a.plan, views.plans.iter().map(|v| v.id), PLAN)?;
    let incident = ids::resolve(&a.incident, views.incidents.iter().map(|v| v.id), INCIDENT)?;
    let scope = views
        .incident(&incident)
        .map(|i| i.region.clone())
        .ok_or_else(|| unknown_incident(&incident))?;
    let body = Body::PlanActivation(Box::new(PlanActivation {
        plan,
        incident,
        drill: s.drill(),
        note: a.note,
    }));
    let entry = s.write(scope, body)?;
    print_written(&entry, a.common.json, ("启动预案", "plan activation"));
    Ok(())
}
