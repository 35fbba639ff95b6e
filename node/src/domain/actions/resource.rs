//! 资源调配, following the EDXL-RM lifecycle (request → offer → commit by
//! the owner → dispatched → delivered → returned or released). An offer
//! without a request is a standing inventory or a team / volunteer
//! registration; commits draw on it like on any offer.

use clap::Args;
use liandong_protocol::Body;
use liandong_protocol::domain::{
    DeploymentStatus, ResourceClass, ResourceCommit, ResourceItem, ResourceOffer, ResourceRequest,
    ResourceStatus,
};
use serde::{Deserialize, Serialize};

use crate::domain::desk::{Desk, Planned};
use crate::domain::error::ActionError;
use crate::domain::ids::{self, COMMIT, INCIDENT, OFFER, REQUEST};
use crate::domain::input;

fn material() -> String {
    "material".into()
}

/// What a resource is, from the fields every request and offer carries.
fn item(
    class: &str,
    item: &str,
    unit: &str,
    capabilities: &str,
) -> Result<ResourceItem, ActionError> {
    Ok(ResourceItem {
        class: input::parse::<ResourceClass>("class", class)?,
        item: item.to_string(),
        unit: unit.to_string(),
        capabilities: input::list(capabilities),
    })
}

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// material, team or volunteer (物资、救援队伍、志愿者) / 资源类别
    #[arg(long, default_value = "material")]
    #[serde(default = "material")]
    pub class: String,
    /// What: 冲锋舟, 帐篷, 水域救援队 / 名称
    #[arg(long)]
    pub item: String,
    /// Unit: 艘, 顶, 人 / 计量单位
    #[arg(long)]
    pub unit: String,
    /// Capabilities of a team, comma-separated / 救援能力
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub capabilities: String,
    /// How many (items, or people) / 数量
    #[arg(long)]
    pub quantity: u64,
    /// Deliver to / 送达地点
    #[arg(long)]
    pub deliver_to: String,
    /// Needed by: 3h (from now) or a time / 需求时间，如 3h 表示 3 小时后
    #[arg(long)]
    #[serde(default)]
    pub needed_by: Option<String>,
    /// The incident: id or prefix / 事件编号
    #[arg(long)]
    #[serde(default)]
    pub incident: Option<String>,
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferInput {
    /// material, team or volunteer (物资、救援队伍、志愿者) / 资源类别
    #[arg(long, default_value = "material")]
    #[serde(default = "material")]
    pub class: String,
    /// What: 冲锋舟, 帐篷, 水域救援队 / 名称
    #[arg(long)]
    pub item: String,
    /// Unit: 艘, 顶, 人 / 计量单位
    #[arg(long)]
    pub unit: String,
    /// Capabilities of a team, comma-separated / 救援能力
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub capabilities: String,
    /// How many (items, or people) / 数量
    #[arg(long)]
    pub quantity: u64,
    /// Where it is held / 存放地点
    #[arg(long)]
    pub location: String,
    /// The unit that holds it [default: this post's name] / 所属单位
    #[arg(long)]
    #[serde(default)]
    pub owner: Option<String>,
    /// The request answered: id or prefix / 响应的需求编号
    #[arg(long)]
    #[serde(default)]
    pub request: Option<String>,
    /// Available from / 可用起始时间
    #[arg(long)]
    #[serde(default)]
    pub from: Option<String>,
    /// Available until / 可用截止时间
    #[arg(long)]
    #[serde(default)]
    pub until: Option<String>,
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitInput {
    /// Your offer: id or prefix / 提供编号
    #[arg(long)]
    pub offer: String,
    /// The request: id or prefix / 需求编号
    #[arg(long)]
    pub request: String,
    #[arg(long)]
    pub quantity: u64,
    /// Expected arrival: 2h (from now) or a time / 预计到达，如 2h 表示 2 小时后
    #[arg(long)]
    #[serde(default)]
    pub eta: Option<String>,
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub note: String,
    /// Commit more than the request still needs (超额承诺); without it such
    /// a commitment is refused / 超额承诺（超出需求尚缺数量）
    #[arg(long)]
    #[serde(default)]
    pub surplus: bool,
}

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// The commitment: id or prefix / 承诺编号
    #[arg(long)]
    pub commit: String,
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub note: String,
}

pub fn request(desk: &Desk, a: RequestInput) -> Result<Planned, ActionError> {
    let views = desk.views();
    let incident = input::non_blank(&a.incident)
        .map(|i| {
            ids::resolve(
                i,
                views.incidents.iter().map(|v| v.id),
                INCIDENT,
                "incident",
            )
        })
        .transpose()?;
    let body = Body::ResourceRequest(Box::new(ResourceRequest {
        incident,
        drill: desk.drill(),
        resource: item(&a.class, &a.item, &a.unit, &a.capabilities)?,
        quantity: a.quantity,
        deliver_to: a.deliver_to,
        needed_by_ms: input::future_opt("needed_by", &a.needed_by, desk.now_ms)?,
        note: a.note,
    }));
    Ok(desk.plan(desk.region.clone(), body, "资源需求", "request"))
}

pub fn offer(desk: &Desk, a: OfferInput) -> Result<Planned, ActionError> {
    let views = desk.views();
    let request = input::non_blank(&a.request)
        .map(|r| ids::resolve(r, views.requests.iter().map(|v| v.id), REQUEST, "request"))
        .transpose()?;
    let owner = input::non_blank(&a.owner)
        .map(str::to_string)
        .unwrap_or_else(|| desk.name.clone());
    let body = Body::ResourceOffer(Box::new(ResourceOffer {
        request,
        drill: desk.drill(),
        resource: item(&a.class, &a.item, &a.unit, &a.capabilities)?,
        quantity: a.quantity,
        location: a.location,
        owner,
        available_from_ms: input::time_opt("from", &a.from, desk.now_ms)?,
        available_until_ms: input::future_opt("until", &a.until, desk.now_ms)?,
        note: a.note,
    }));
    Ok(desk.plan(desk.region.clone(), body, "资源提供", "offer"))
}

pub fn commit(desk: &Desk, a: CommitInput) -> Result<Planned, ActionError> {
    let views = desk.views();
    let offer = ids::resolve(&a.offer, views.offers.iter().map(|v| v.id), OFFER, "offer")?;
    let request = ids::resolve(
        &a.request,
        views.requests.iter().map(|v| v.id),
        REQUEST,
        "request",
    )?;
    let body = Body::ResourceCommit(Box::new(ResourceCommit {
        offer,
        request,
        drill: desk.drill(),
        quantity: a.quantity,
        eta_ms: input::future_opt("eta", &a.eta, desk.now_ms)?,
        note: a.note,
        surplus: a.surplus,
    }));
    let (zh, en) = if a.surplus {
        ("超额承诺", "surplus commitment")
    } else {
        ("资源承诺", "commitment")
    };
    Ok(desk.plan(desk.region.clone(), body, zh, en))
}

/// Dispatched, delivered, returned or released.
pub fn status(desk: &Desk, a: StatusInput, to: DeploymentStatus) -> Result<Planned, ActionError> {
    let views = desk.views();
    let commit = ids::resolve(
        &a.commit,
        views.commits.iter().map(|v| v.id),
        COMMIT,
        "commit",
    )?;
    let body = Body::ResourceStatus(Box::new(ResourceStatus {
        commit,
        drill: desk.drill(),
        status: to,
        note: a.note,
    }));
    Ok(desk.plan(desk.region.clone(), body, to.name_zh(), to.name()))
}
