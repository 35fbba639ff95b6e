//! `liandong warning issue|update|cancel`: 预警发布、变更、解除. Issuing
//! needs the warning-issuer role (in development mode, granted by the
//! dev-roles file). `import` and `export --cap` are the CAP gateway
//! ([`cap`]).

pub mod cap;

use std::path::Path;

use clap::{Args, Subcommand};

use super::CliError;
use super::domain::{Common, execute};
use crate::cli::who::Who;
use crate::datadir::DataDir;
use crate::domain::Action;
use crate::domain::actions::warning::{CancelInput, UpdateInput, WarningFields};

#[derive(Debug, Subcommand)]
pub enum WarningCommand {
    /// Issue a warning / 发布预警
    Issue(IssueArgs),
    /// Change a warning (colour, area, times, texts) / 变更预警
    Update(UpdateArgs),
    /// Cancel a warning / 解除预警
    Cancel(CancelArgs),
    /// Record a CAP alert (or an Atom/RSS index of alerts) received from
    /// outside as an external warning / 导入外部 CAP 预警
    Import(cap::ImportArgs),
    /// Write warnings as CAP 1.2 / 导出 CAP 1.2 预警
    Export(cap::ExportArgs),
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
    #[command(flatten)]
    pub input: UpdateInput,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct CancelArgs {
    #[command(flatten)]
    pub input: CancelInput,
    #[command(flatten)]
    pub common: Common,
}

pub fn run(
    data_dir: &DataDir,
    dev_roles: Option<&Path>,
    who: &Who,
    cmd: WarningCommand,
) -> Result<(), CliError> {
    let (common, action) = match cmd {
        WarningCommand::Issue(a) => (a.common, Action::WarningIssue(a.fields)),
        WarningCommand::Update(a) => (a.common, Action::WarningUpdate(a.input)),
        WarningCommand::Cancel(a) => (a.common, Action::WarningCancel(a.input)),
        WarningCommand::Import(a) => return cap::import(data_dir, dev_roles, who, a),
        WarningCommand::Export(a) => return cap::export(data_dir, dev_roles, a),
    };
    execute(data_dir, dev_roles, who, &common, action).map(drop)
}
