//! `liandong incident report|update|close|consult|release`: 信息报告 —
//! 首报, 续报 (or 核报 with `--verified`), 终报 — and the consultations and
//! information releases attached to an incident. The flags are the shared
//! inputs of `crate::domain::actions::incident`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::CliError;
use super::domain::{Common, execute, input};
use crate::cli::who::Who;
use crate::datadir::DataDir;
use crate::domain::Action;
use crate::domain::actions::incident::{ConsultInput, FollowUpInput, ReleaseInput, ReportFields};

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

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub fields: ReportFields,
    /// Attach a file by hash (repeatable) / 附件
    #[arg(long = "attach", value_name = "FILE")]
    pub attach: Vec<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    pub input: FollowUpInput,
    /// Attach a file by hash (repeatable) / 附件
    #[arg(long = "attach", value_name = "FILE")]
    pub attach: Vec<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct ConsultArgs {
    #[command(flatten)]
    pub input: ConsultInput,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct ReleaseArgs {
    #[command(flatten)]
    pub input: ReleaseInput,
    #[command(flatten)]
    pub common: Common,
}

pub fn run(
    data_dir: &DataDir,
    dev_roles: Option<&Path>,
    who: &Who,
    cmd: IncidentCommand,
) -> Result<(), CliError> {
    let (common, action) = match cmd {
        IncidentCommand::Report(mut a) => {
            attach(&mut a.fields, &a.attach)?;
            (a.common, Action::IncidentReport(a.fields))
        }
        IncidentCommand::Update(mut a) => {
            attach(&mut a.input.report, &a.attach)?;
            (a.common, Action::IncidentUpdate(a.input))
        }
        IncidentCommand::Close(mut a) => {
            attach(&mut a.input.report, &a.attach)?;
            (a.common, Action::IncidentClose(a.input))
        }
        IncidentCommand::Consult(a) => (a.common, Action::IncidentConsult(a.input)),
        IncidentCommand::Release(a) => (a.common, Action::IncidentRelease(a.input)),
    };
    execute(data_dir, dev_roles, who, &common, action).map(drop)
}

/// Hashes the files given with --attach into the report's attachments.
fn attach(fields: &mut ReportFields, files: &[PathBuf]) -> Result<(), CliError> {
    for path in files {
        fields.attachments.push(input::attachment(path)?);
    }
    Ok(())
}
