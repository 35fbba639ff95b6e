//! `liandong plan register|approve|activate`: 预案登记（含修订）、批准或备案、启动.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::CliError;
use super::domain::{Common, execute, input};
use crate::cli::who::Who;
use crate::datadir::DataDir;
use crate::domain::Action;
use crate::domain::actions::plan::{ActivateInput, ApproveInput, RegisterInput};

// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
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
    #[command(flatten)]
    pub input: RegisterInput,
    /// The plan document, attached by hash / 预案文本
    #[arg(long)]
    pub document: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    #[command(flatten)]
    pub input: ApproveInput,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct ActivateArgs {
    #[command(flatten)]
    pub input: ActivateInput,
    #[command(flatten)]
    pub common: Common,
}

pub fn run(
    data_dir: &DataDir,
    dev_roles: Option<&Path>,
    who: &Who,
    cmd: PlanCommand,
) -> Result<(), CliError> {
    let (common, action) = match cmd {
        PlanCommand::Register(mut a) => {
            a.input.document = a.document.as_deref().map(input::attachment).transpose()?;
            (a.common, Action::PlanRegister(a.input))
        }
        PlanCommand::Approve(a) => (a.common, Action::PlanApprove(a.input)),
        PlanCommand::Activate(a) => (a.common, Action::PlanActivate(a.input)),
    };
    execute(data_dir, dev_roles, who, &common, action).map(drop)
}
