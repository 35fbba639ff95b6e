//! `liandong resource request|offer|commit|dispatch|deliver|return`: 资源调配,
//! following the EDXL-RM lifecycle (request → offer → commit by the owner →
//! dispatched → delivered → returned or released).
//!
//! An offer without `--request` is a standing inventory or a team /
//! volunteer registration; commits draw on it like on any offer.

use clap::{Args, Subcommand};
use liandong_protocol::Body;
use liandong_protocol::domain::{
    DeploymentStatus, ResourceClass, ResourceCommit, ResourceItem, ResourceOffer, ResourceRequest,
    ResourceStatus,
};

use super::CliError;
use super::domain::{Common, Session, ids, input, print_written};
use super::incident::INCIDENT;
use crate::datadir::DataDir;

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
}

/// What a resource is.
#[derive(Debug, Args)]
pub struct ItemArgs {
    /// material, team or volunteer (物资、救援队伍、志愿者) / 资源类别
    #[arg(long, default_value = "material")]
    pub class: ResourceClass,
    /// What: 冲锋舟, 帐篷, 水域救援队 / 名称
    #[arg(long)]
    pub item: String,
    /// Unit: 艘, 顶, 人 / 计量单位
    #[arg(long)]
    pub unit: String,
    /// Capabilities of a team, comma-separated / 救援能力
    #[arg(long, default_value = "")]
    pub capabilities: String,
    /// How many (items, or people) / 数量
    #[arg(long)]
    pub quantity: u64,
}

impl ItemArgs {
    fn item(&self) -> ResourceItem {
        ResourceItem {
            class: self.class,
            item: self.item.clone(),
            unit: self.unit.clone(),
            capabilities: input::list(&self.capabilities),
        }
    }
}

#[derive(Debug, Args)]
pub struct RequestArgs {
    #[command(flatten)]
    pub what: ItemArgs,
    /// Deliver to / 送达地点
    #[arg(long)]
    pub deliver_to: String,
    /// Needed by, e.g. +3h / 需求时间
    #[arg(long)]
    pub needed_by: Option<String>,
    /// The incident: id or prefix / 事件编号
    #[arg(long)]
    pub incident: Option<String>,
    #[arg(long, default_value = "")]
    pub note: String,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct OfferArgs {
    #[command(flatten)]
    pub what: ItemArgs,
    /// Where it is held / 存放地点
    #[arg(long)]
    pub location: String,
    /// The unit that holds it [default: this post's name] / 所属单位
    #[arg(long)]
    pub owner: Option<String>,
    /// The request answered: id or prefix / 响应的需求编号
    #[arg(long)]
    pub request: Option<String>,
    /// Available from / 可用起始时间
    #[arg(long)]
    pub from: Option<String>,
    /// Available until / 可用截止时间
    #[arg(long)]
    pub until: Option<String>,
    #[arg(long, default_value = "")]
    pub note: String,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct CommitArgs {
    /// Your offer: id or prefix / 提供编号
    #[arg(long)]
    pub offer: String,
    /// The request: id or prefix / 需求编号
    #[arg(long)]
    pub request: String,
    #[arg(long)]
    pub quantity: u64,
    /// Expected arrival, e.g. +2h / 预计到达
    #[arg(long)]
    pub eta: Option<String>,
    #[arg(long, default_value = "")]
    pub note: String,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The commitment: id or prefix / 承诺编号
    #[arg(long)]
    pub commit: String,
    #[arg(long, default_value = "")]
    pub note: String,
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

const OFFER: (&str, &str) = ("offer", "资源提供");
const REQUEST: (&str, &str) = ("request", "资源需求");
const COMMIT: (&str, &str) = ("commitment", "资源承诺");

pub fn run(
    data_dir: &DataDir,
    dev_roles: Option<&std::path::Path>,
    cmd: ResourceCommand,
) -> Result<(), CliError> {
    let open = |common: &Common| Session::open(data_dir, dev_roles, common);
    match cmd {
        ResourceCommand::Request(a) => request(&open(&a.common)?, a),
        ResourceCommand::Offer(a) => offer(&open(&a.common)?, a),
        ResourceCommand::Commit(a) => commit(&open(&a.common)?, a),
        ResourceCommand::Dispatch(a) => status(&open(&a.common)?, a, DeploymentStatus::Dispatched),
        ResourceCommand::Deliver(a) => status(&open(&a.common)?, a, DeploymentStatus::Delivered),
        ResourceCommand::Return(a) => {
            let to = if a.released {
                DeploymentStatus::Released
            } else {
                DeploymentStatus::Returned
            };
            status(&open(&a.status.common)?, a.status, to)
        }
    }
}

fn request(s: &Session, a: RequestArgs) -> Result<(), CliError> {
    let views = s.views();
    let incident = a
        .incident
        .as_deref()
        .map(|i| ids::resolve(i, views.incidents.iter().map(|v| v.id), INCIDENT))
        .transpose()?;
    let body = Body::ResourceRequest(Box::new(ResourceRequest {
        incident,
        drill: s.drill(),
        resource: a.what.item(),
        quantity: a.what.quantity,
        deliver_to: a.deliver_to,
        needed_by_ms: input::time_opt(&a.needed_by, s.now_ms)?,
        note: a.note,
    }));
    let entry = s.write(s.my_region(), body)?;
    print_written(&entry, a.common.json, ("资源需求", "request"));
    Ok(())
}

fn offer(s: &Session, a: OfferArgs) -> Result<(), CliError> {
    let views = s.views();
    let request = a
        .request
        .as_deref()
        .map(|r| ids::resolve(r, views.requests.iter().map(|v| v.id), REQUEST))
        .transpose()?;
    let body = Body::ResourceOffer(Box::new(ResourceOffer {
        request,
        drill: s.drill(),
        resource: a.what.item(),
        quantity: a.what.quantity,
        location: a.location,
        owner: a.owner.unwrap_or_else(|| s.post.config.post.name.clone()),
        available_from_ms: input::time_opt(&a.from, s.now_ms)?,
        available_until_ms: input::time_opt(&a.until, s.now_ms)?,
        note: a.note,
    }));
    let entry = s.write(s.my_region(), body)?;
    print_written(&entry, a.common.json, ("资源提供", "offer"));
    Ok(())
}

fn commit(s: &Session, a: CommitArgs) -> Result<(), CliError> {
    let views = s.views();
    let offer = ids::resolve(&a.offer, views.offers.iter().map(|v| v.id), OFFER)?;
    let request = ids::resolve(&a.request, views.requests.iter().map(|v| v.id), REQUEST)?;
    let body = Body::ResourceCommit(Box::new(ResourceCommit {
        offer,
        request,
        drill: s.drill(),
        quantity: a.quantity,
        eta_ms: input::time_opt(&a.eta, s.now_ms)?,
        note: a.note,
    }));
    let entry = s.write(s.my_region(), body)?;
    print_written(&entry, a.common.json, ("资源承诺", "commitment"));
    Ok(())
}

fn status(s: &Session, a: StatusArgs, to: DeploymentStatus) -> Result<(), CliError> {
    let views = s.views();
    let commit = ids::resolve(&a.commit, views.commits.iter().map(|v| v.id), COMMIT)?;
    let body = Body::ResourceStatus(Box::new(ResourceStatus {
        commit,
        drill: s.drill(),
        status: to,
        note: a.note,
    }));
    let entry = s.write(s.my_region(), body)?;
    print_written(&entry, a.common.json, (to.name_zh(), to.name()));
    Ok(())
}
