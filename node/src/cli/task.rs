//! `liandong task assign|ack|progress|done|refuse`: 指令下达与反馈.

use std::path::Path;

use clap::{Args, Subcommand};

use super::CliError;
use super::domain::{Common, execute};
use crate::cli::who::Who;
use crate::datadir::DataDir;
use crate::domain::Action;
use crate::domain::actions::task::{AssignInput, UpdateInput};

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
    #[command(flatten)]
    pub input: AssignInput,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    pub input: UpdateInput,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct RefuseArgs {
    /// The task: id or prefix / 指令编号
    #[arg(long)]
    pub task: String,
    /// Why the task cannot be carried out / 拒绝理由
    #[arg(long)]
    pub reason: String,
    #[command(flatten)]
    pub common: Common,
}

pub fn run(
    data_dir: &DataDir,
    dev_roles: Option<&Path>,
    who: &Who,
    cmd: TaskCommand,
) -> Result<(), CliError> {
    let (common, action) = match cmd {
        TaskCommand::Assign(a) => (a.common, Action::TaskAssign(a.input)),
        TaskCommand::Ack(a) => (a.common, Action::TaskAck(a.input)),
        TaskCommand::Progress(a) => (a.common, Action::TaskProgress(a.input)),
        TaskCommand::Done(a) => (a.common, Action::TaskDone(a.input)),
        TaskCommand::Refuse(a) => (
            a.common,
            Action::TaskRefuse(UpdateInput {
                task: a.task,
                note: a.reason,
            }),
        ),
    };
    execute(data_dir, dev_roles, who, &common, action).map(drop)
}
