//! `liandong task assign|ack|progress|done|refuse`: 指令下达与反馈.

use clap::{Args, Subcommand};
use liandong_protocol::Body;
use liandong_protocol::domain::{TaskAssign, TaskState, TaskUpdate};

use super::CliError;
use super::domain::{Common, Session, ids, input, print_written};
use super::incident::INCIDENT;
use crate::datadir::DataDir;

#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// Assign a task to posts below (or your member units) / 下达指令
    Assign(AssignArgs),
    /// Acknowledge a task assigned to this post / 签收指令
    Ack(UpdateArgs),
    /// Report a task under way / 执行中
    Progress(UpdateArgs),
    /// Report a task done / 完成指令
    Done(UpdateArgs),
    /// Refuse a task, with the reason / 拒绝指令
    Refuse(RefuseArgs),
}

#[derive(Debug, Args)]
pub struct AssignArgs {
    /// Assignee: post name or node id (repeatable, or comma-separated) / 受领单位
    #[arg(long = "to", required = true)]
    pub to: Vec<String>,
    /// What to do / 任务内容
    #[arg(long)]
    pub objective: String,
    /// Due, e.g. +2h / 完成时限
    #[arg(long)]
    pub due: Option<String>,
    /// The incident: id or prefix / 事件编号
    #[arg(long)]
    pub incident: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The task: id or prefix / 指令编号
    #[arg(long)]
    pub task: String,
    #[arg(long, default_value = "")]
    pub note: String,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct RefuseArgs {
    #[arg(long)]
    pub task: String,
    /// Why the task cannot be carried out / 拒绝理由
    #[arg(long)]
    pub reason: String,
    #[command(flatten)]
    pub common: Common,
}

const TASK: (&str, &str) = ("task", "指令");

pub fn run(
    data_dir: &DataDir,
    dev_roles: Option<&std::path::Path>,
    cmd: TaskCommand,
) -> Result<(), CliError> {
    let open = |common: &Common| Session::open(data_dir, dev_roles, common);
    match cmd {
        TaskCommand::Assign(a) => assign(&open(&a.common)?, a),
        TaskCommand::Ack(a) => update(
            &open(&a.common)?,
            &a.task,
            TaskState::Acknowledged,
            a.note,
            a.common.json,
        ),
        TaskCommand::Progress(a) => update(
            &open(&a.common)?,
            &a.task,
            TaskState::InProgress,
            a.note,
            a.common.json,
        ),
        TaskCommand::Done(a) => update(
            &open(&a.common)?,
            &a.task,
            TaskState::Done,
            a.note,
            a.common.json,
        ),
        TaskCommand::Refuse(a) => update(
            &open(&a.common)?,
            &a.task,
            TaskState::Refused,
            a.reason,
            a.common.json,
        ),
    }
}

fn assign(s: &Session, a: AssignArgs) -> Result<(), CliError> {
    let views = s.views();
    let assignees = input::lists(&a.to)
        .iter()
        .map(|t| ids::resolve_post(t, s.directory.latest().iter()))
        .collect::<Result<Vec<_>, _>>()?;
    let incident = a
        .incident
        .as_deref()
        .map(|i| ids::resolve(i, views.incidents.iter().map(|v| v.id), INCIDENT))
        .transpose()?;
    let body = Body::Task(Box::new(TaskAssign {
        incident,
        drill: s.drill(),
        assignees,
        objective: a.objective,
        due_ms: input::time_opt(&a.due, s.now_ms)?,
    }));
    let entry = s.write(s.my_region(), body)?;
    print_written(&entry, a.common.json, ("指令", "task"));
    Ok(())
}

fn update(
    s: &Session,
    task: &str,
    state: TaskState,
    note: String,
    json: bool,
) -> Result<(), CliError> {
    let views = s.views();
    let task = ids::resolve(task, views.tasks.iter().map(|t| t.id), TASK)?;
    let body = Body::TaskUpdate(Box::new(TaskUpdate {
        task,
        drill: s.drill(),
        state,
        note,
    }));
    let entry = s.write(s.my_region(), body)?;
    print_written(&entry, json, (state.name_zh(), state.name()));
    Ok(())
}
