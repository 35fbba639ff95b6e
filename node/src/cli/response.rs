//! `liandong response activate|adjust|end`: 启动、调整、终止应急响应.
//! Whether this post may decide the level is the authority policy's
//! question, asked through the fold before anything is written.

use std::path::Path;

use clap::{Args, Subcommand};

use super::CliError;
use super::domain::{Common, execute};
use crate::cli::who::Who;
use crate::datadir::DataDir;
use crate::domain::Action;
use crate::domain::actions::response::{DecideInput, EndInput};

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
    #[command(flatten)]
    pub input: DecideInput,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct EndArgs {
    #[command(flatten)]
    pub input: EndInput,
    #[command(flatten)]
    pub common: Common,
}

pub fn run(
    data_dir: &DataDir,
    dev_roles: Option<&Path>,
    who: &Who,
    cmd: ResponseCommand,
) -> Result<(), CliError> {
    let (common, action) = match cmd {
        ResponseCommand::Activate(a) => (a.common, Action::ResponseActivate(a.input)),
        ResponseCommand::Adjust(a) => (a.common, Action::ResponseAdjust(a.input)),
        ResponseCommand::End(a) => (a.common, Action::ResponseEnd(a.input)),
    };
    execute(data_dir, dev_roles, who, &common, action).map(drop)
}
