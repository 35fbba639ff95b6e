//! `liandong response activate|adjust|end`: 启动、调整、终止应急响应.
//!
//! Whether this post may decide the level is the authority policy's
//! question, asked through the fold before anything is written.

use clap::{Args, Subcommand};
use liandong_protocol::domain::response::parse_response_level;
use liandong_protocol::domain::{ResponseAction, ResponseDecision};
use liandong_protocol::{Body, ResponseLevel};

use super::CliError;
use super::domain::{Common, Session, ids, input, print_written};
use super::incident::{INCIDENT, unknown_incident};
use crate::datadir::DataDir;

#[derive(Debug, Subcommand)]
pub enum ResponseCommand {
    /// Activate a response / 启动应急响应
    Activate(DecideArgs),
    /// Raise or lower the level / 调整响应级别
    Adjust(DecideArgs),
    /// End the response / 终止应急响应
    End(EndArgs),
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    /// The incident: id or prefix / 事件编号
    #[arg(long)]
    pub incident: String,
    /// Response level I–IV (Ⅰ is the highest) / 响应级别
    #[arg(long, value_parser = level)]
    pub level: ResponseLevel,
    /// Lead headquarters / 牵头指挥部
    #[arg(long)]
    pub lead_hq: String,
    /// Member units called up, comma-separated / 成员单位
    #[arg(long, default_value = "")]
    pub units: String,
    /// The plan activated: its id or prefix / 启动的预案
    #[arg(long)]
    pub plan: Option<String>,
    /// Grounds for the decision / 决定依据
    #[arg(long, default_value = "")]
    pub reason: String,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct EndArgs {
    #[arg(long)]
    pub incident: String,
    #[arg(long, default_value = "")]
    pub reason: String,
    #[command(flatten)]
    pub common: Common,
}

fn level(text: &str) -> Result<ResponseLevel, String> {
    parse_response_level(text).map_err(|e| e.to_string())
}

pub fn run(
    data_dir: &DataDir,
    dev_roles: Option<&std::path::Path>,
    cmd: ResponseCommand,
) -> Result<(), CliError> {
    match cmd {
        ResponseCommand::Activate(a) => decide(
            &Session::open(data_dir, dev_roles, &a.common)?,
            a,
            ResponseAction::Activate,
        ),
        ResponseCommand::Adjust(a) => decide(
            &Session::open(data_dir, dev_roles, &a.common)?,
            a,
            ResponseAction::Adjust,
        ),
        ResponseCommand::End(a) => end(&Session::open(data_dir, dev_roles, &a.common)?, a),
    }
}

fn decide(s: &Session, a: DecideArgs, action: ResponseAction) -> Result<(), CliError> {
    let views = s.views();
    let incident = ids::resolve(&a.incident, views.incidents.iter().map(|i| i.id), INCIDENT)?;
    let scope = views
        .incident(&incident)
        .map(|i| i.region.clone())
        .ok_or_else(|| unknown_incident(&incident))?;
    let plan = a
        .plan
        .as_deref()
        .map(|p| ids::resolve(p, views.plans.iter().map(|p| p.id), ("plan", "预案")))
        .transpose()?;
    let body = Body::ResponseDecision(Box::new(ResponseDecision {
        action,
        incident,
        drill: s.drill(),
        level: a.level,
        plan,
        lead_hq: a.lead_hq,
        member_units: input::list(&a.units),
        reason: a.reason,
    }));
    let entry = s.write(scope, body)?;
    print_written(
        &entry,
        a.common.json,
        (
            &format!("{}{}级响应", action.name_zh(), a.level),
            action.name(),
        ),
    );
    Ok(())
}

fn end(s: &Session, a: EndArgs) -> Result<(), CliError> {
    let views = s.views();
    let incident = ids::resolve(&a.incident, views.incidents.iter().map(|i| i.id), INCIDENT)?;
    let view = views
        .incident(&incident)
        .ok_or_else(|| unknown_incident(&incident))?;
    let Some(current) = view.response.as_ref().filter(|r| r.active) else {
        return Err(CliError::Invalid(format!(
            "事件 {} 没有正在进行的应急响应 / incident {} has no active response",
            incident.short(),
            incident.short()
        )));
    };
    let body = Body::ResponseDecision(Box::new(ResponseDecision {
        action: ResponseAction::Terminate,
        incident,
        drill: s.drill(),
        level: current.level,
        plan: None,
        lead_hq: current.lead_hq.clone(),
        member_units: Vec::new(),
        reason: a.reason,
    }));
    let entry = s.write(view.region.clone(), body)?;
    print_written(&entry, a.common.json, ("终止应急响应", "response ended"));
    Ok(())
}
