//! `liandong force register|update|list|show`: the rescue-force registry
//! (救援力量储备库). Registering and updating are domain actions (planned
//! and checked by `crate::domain::actions::rescue_force`, written locally
//! or through the running node); listing searches by capability and
//! distance (`list.rs`).

use std::path::Path;

use clap::{Args, Subcommand};

mod list;

use super::CliError;
use super::domain::{Common, execute};
use crate::cli::who::Who;
use crate::datadir::DataDir;
use crate::domain::Action;
use crate::domain::actions::rescue_force::{RegisterInput, UpdateInput};

// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum ForceCommand {
    /// Register a team or volunteers / 登记救援力量
    Register(RegisterArgs),
    /// Keep a force current: availability, headcount, assignment … (owner or a post above) / 更新救援力量
    Update(UpdateArgs),
    /// Search by capability and distance / 查找救援力量
    List(list::ListArgs),
    /// One force in full / 查看救援力量
    Show(list::ShowArgs),
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    #[command(flatten)]
    pub input: RegisterInput,
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

pub fn run(
    data_dir: &DataDir,
    dev_roles: Option<&Path>,
    who: &Who,
    cmd: ForceCommand,
) -> Result<(), CliError> {
    let (common, action) = match cmd {
        ForceCommand::List(a) => return list::list(data_dir, dev_roles, a),
        ForceCommand::Show(a) => return list::show(data_dir, dev_roles, a),
        ForceCommand::Register(a) => (a.common, Action::ForceRegister(a.input)),
        ForceCommand::Update(a) => (a.common, Action::ForceUpdate(a.input)),
    };
    execute(data_dir, dev_roles, who, &common, action).map(drop)
}
