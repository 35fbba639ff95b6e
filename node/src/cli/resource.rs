//! `liandong resource request|offer|commit|dispatch|deliver|return`: 资源调配,
//! following the EDXL-RM lifecycle (request → offer → commit by the owner →
//! dispatched → delivered → returned or released); and `resource export
//! --edxl-rm`, that lifecycle as EDXL-RM 1.0 messages (`resource/export_edxl.rs`).

use std::path::Path;

use clap::{Args, Subcommand};

mod export_edxl;

use super::CliError;
use super::domain::{Common, execute};
use crate::cli::who::Who;
use crate::datadir::DataDir;
use crate::domain::Action;
use crate::domain::actions::resource::{CommitInput, OfferInput, RequestInput, StatusInput};

#[derive(Debug, Subcommand)]
pub enum ResourceCommand {
    /// Offer resources, or register an inventory / team / 提供资源（或登记储备、队伍）
    Offer(OfferArgs),
    /// Request resources / 请求资源
    Request(RequestArgs),
    /// Commit part of your offer to a request (owner only) / 承诺调拨
    Commit(CommitArgs),
    /// The resource is on its way / 已出发
    Dispatch(StatusArgs),
    /// The resource arrived and was handed over / 已交付
    Deliver(StatusArgs),
    /// The resource went back to its owner (or, --released, was released) / 已归还
    Return(ReturnArgs),
    /// Export lifecycles as EDXL-RM 1.0 messages / 导出为 EDXL-RM 1.0 消息
    Export(export_edxl::ExportArgs),
}

#[derive(Debug, Args)]
pub struct RequestArgs {
    #[command(flatten)]
    pub input: RequestInput,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct OfferArgs {
    #[command(flatten)]
    pub input: OfferInput,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct CommitArgs {
    #[command(flatten)]
    pub input: CommitInput,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub input: StatusInput,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct ReturnArgs {
    #[command(flatten)]
    pub status: StatusArgs,
    /// Released from the incident rather than returned / 撤离（而非归还）
    #[arg(long)]
    pub released: bool,
}

pub fn run(
    data_dir: &DataDir,
    dev_roles: Option<&Path>,
    who: &Who,
    cmd: ResourceCommand,
) -> Result<(), CliError> {
    let (common, action) = match cmd {
        ResourceCommand::Export(a) => return export_edxl::run(data_dir, dev_roles, a),
        ResourceCommand::Request(a) => (a.common, Action::ResourceRequest(a.input)),
        ResourceCommand::Offer(a) => (a.common, Action::ResourceOffer(a.input)),
        ResourceCommand::Commit(a) => (a.common, Action::ResourceCommit(a.input)),
        ResourceCommand::Dispatch(a) => (a.common, Action::ResourceDispatch(a.input)),
        ResourceCommand::Deliver(a) => (a.common, Action::ResourceDeliver(a.input)),
        ResourceCommand::Return(a) if a.released => {
            (a.status.common, Action::ResourceRelease(a.status.input))
        }
        ResourceCommand::Return(a) => (a.status.common, Action::ResourceReturn(a.status.input)),
    };
    execute(data_dir, dev_roles, who, &common, action).map(drop)
}
