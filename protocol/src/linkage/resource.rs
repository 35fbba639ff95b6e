//! Resources (资源调配), following the EDXL-RM lifecycle:
//!
//! ```text
//! request ──► offer (or a standing inventory / team registration)
//!    │            │
//!    └──► commit (by the offer's owner only) ──► dispatched ──► arrived
//!                 ──► delivered ──► released | returned
//! ```
//!
//! An offer with no request is a standing inventory (物资储备) or a team /
//! volunteer registration (救援力量储备库); one that answers a request is an
//! offer in the EDXL-RM sense. A request can be filled from several offers,
//! and an offer can serve several requests, each through its own commit.
//! Quantities are whole units: items of the offer's unit, or people.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::rules;
use crate::body_rules::BodyError;
use crate::ids::EntryId;
use crate::limits::Limits;

/// Material or people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceClass {
    /// 物资 / 装备
    Material,
    /// 救援队伍
    Team,
    /// 志愿者
    Volunteer,
}

impl ResourceClass {
    pub const ALL: [ResourceClass; 3] = [
        ResourceClass::Material,
        ResourceClass::Team,
        ResourceClass::Volunteer,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            ResourceClass::Material => "material",
            ResourceClass::Team => "team",
            ResourceClass::Volunteer => "volunteer",
        }
    }

    pub const fn name_zh(self) -> &'static str {
        match self {
            ResourceClass::Material => "物资",
            ResourceClass::Team => "救援队伍",
            ResourceClass::Volunteer => "志愿者",
        }
    }
}

impl FromStr for ResourceClass {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        ResourceClass::ALL
            .into_iter()
            .find(|c| c.name() == t.to_ascii_lowercase() || c.name_zh() == t)
            .ok_or_else(|| {
                format!("unknown resource class {s:?}; use material, team or volunteer / 资源类别应为 物资、救援队伍 或 志愿者")
            })
    }
}

/// What a resource is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ResourceItem {
    pub class: ResourceClass,
    /// What: "冲锋舟", "帐篷", "水域救援队".
    pub item: String,
    /// Unit of measure: "艘", "顶", "人".
    pub unit: String,
    /// For teams and volunteers: what they can do ("水域救援", "医疗").
    pub capabilities: Vec<String>,
}

impl ResourceItem {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        rules::name("item", &self.item, limits)?;
        rules::name("unit", &self.unit, limits)?;
        rules::names("capabilities", &self.capabilities, limits)
    }
}

/// A request for resources (资源需求).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRequest {
    /// The incident the resources are for, if any.
    pub incident: Option<EntryId>,
    pub drill: Option<EntryId>,
    pub resource: ResourceItem,
    pub quantity: u64,
    /// Where to deliver.
    pub deliver_to: String,
    /// Needed by, ms since the Unix epoch.
    pub needed_by_ms: Option<u64>,
    pub note: String,
}

impl ResourceRequest {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        self.resource.check(limits)?;
        rules::quantity("quantity", self.quantity)?;
        rules::name("deliver_to", &self.deliver_to, limits)?;
        rules::long("note", &self.note, limits)
    }
}

/// An offer of resources, or a standing inventory / team registration.
/// Its author is the owner: the only post that may commit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceOffer {
    /// The request this offer answers; `None` for a standing inventory.
    pub request: Option<EntryId>,
    pub drill: Option<EntryId>,
    pub resource: ResourceItem,
    /// Items, or headcount for teams and volunteers.
    pub quantity: u64,
    /// Where the resource is held (储备地点 / 驻地).
    pub location: String,
    /// The unit holding it, e.g. "沙湾市应急物资储备库".
    pub owner: String,
    /// Availability window, ms since the Unix epoch.
    pub available_from_ms: Option<u64>,
    pub available_until_ms: Option<u64>,
    pub note: String,
}

impl ResourceOffer {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        self.resource.check(limits)?;
        rules::quantity("quantity", self.quantity)?;
        rules::name("location", &self.location, limits)?;
        rules::name("owner", &self.owner, limits)?;
        rules::after(
            ("available_from", self.available_from_ms),
            ("available_until", self.available_until_ms),
        )?;
        rules::long("note", &self.note, limits)
    }
}

/// The owner commits part of an offer to a request (承诺调拨).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceCommit {
    pub offer: EntryId,
    pub request: EntryId,
    pub drill: Option<EntryId>,
    pub quantity: u64,
    /// Expected arrival, ms since the Unix epoch.
    pub eta_ms: Option<u64>,
    pub note: String,
    /// Explicitly more than the request still needs (超额承诺). Not part of
    /// the encoded body: it is carried by the entry's kind
    /// (`Kind::RESOURCE_COMMIT_SURPLUS` instead of `RESOURCE_COMMIT`), so
    /// that every commitment written before the mark existed keeps its
    /// bytes, its id and its signature.
    #[serde(skip)]
    pub surplus: bool,
}

impl ResourceCommit {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        rules::quantity("quantity", self.quantity)?;
        rules::long("note", &self.note, limits)
    }
}

/// Where a committed resource is (deployment status), in lifecycle order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentStatus {
    /// 已承诺 (the state a commit starts in; never reported)
    Committed,
    /// 已出发 / 调运中
    Dispatched,
    /// 已到达
    Arrived,
    /// 已交付
    Delivered,
    /// 已撤离: released from the incident, available to its owner again.
    Released,
    /// 已归还: returned to its owner.
    Returned,
}

impl DeploymentStatus {
    pub const fn name(self) -> &'static str {
        match self {
            DeploymentStatus::Committed => "committed",
            DeploymentStatus::Dispatched => "dispatched",
            DeploymentStatus::Arrived => "arrived",
            DeploymentStatus::Delivered => "delivered",
            DeploymentStatus::Released => "released",
            DeploymentStatus::Returned => "returned",
        }
    }

    pub const fn name_zh(self) -> &'static str {
        match self {
            DeploymentStatus::Committed => "已承诺",
            DeploymentStatus::Dispatched => "调运中",
            DeploymentStatus::Arrived => "已到达",
            DeploymentStatus::Delivered => "已交付",
            DeploymentStatus::Released => "已撤离",
            DeploymentStatus::Returned => "已归还",
        }
    }

    /// Released and returned end the lifecycle, and give the quantity back
    /// to the offer.
    pub const fn is_final(self) -> bool {
        matches!(
            self,
            DeploymentStatus::Released | DeploymentStatus::Returned
        )
    }

    /// Position in the lifecycle; the two final states share one.
    pub const fn stage(self) -> u8 {
        match self {
            DeploymentStatus::Committed => 0,
            DeploymentStatus::Dispatched => 1,
            DeploymentStatus::Arrived => 2,
            DeploymentStatus::Delivered => 3,
            DeploymentStatus::Released | DeploymentStatus::Returned => 4,
        }
    }
}

impl fmt::Display for DeploymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A report of where a committed resource is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceStatus {
    pub commit: EntryId,
    pub drill: Option<EntryId>,
    pub status: DeploymentStatus,
    pub note: String,
}

impl ResourceStatus {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        if self.status == DeploymentStatus::Committed {
            // A commit entry is the committed state; reporting it again
            // would be a second, different commitment record.
            return Err(crate::body_rules::DomainError::OutOfRange {
                field: "status",
                value: self.status.to_string(),
                expected: "dispatched, arrived, delivered, released, returned",
            }
            .into());
        }
        rules::long("note", &self.note, limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body_rules::DomainError;

    pub(crate) fn boats() -> ResourceItem {
        ResourceItem {
            class: ResourceClass::Material,
            item: "冲锋舟".into(),
            unit: "艘".into(),
            capabilities: Vec::new(),
        }
    }

    #[test]
    fn rules() {
        let limits = Limits::default();
        let offer = ResourceOffer {
            request: None,
            drill: None,
            resource: boats(),
            quantity: 4,
            location: "沙湾市应急物资储备库".into(),
            owner: "沙湾市应急管理局".into(),
            available_from_ms: Some(2),
            available_until_ms: Some(1),
            note: String::new(),
        };
        assert!(matches!(
            offer.check(&limits),
            Err(BodyError::Domain(DomainError::TimeOrder { .. }))
        ));
        let offer = ResourceOffer {
            available_until_ms: None,
            ..offer
        };
        assert_eq!(offer.check(&limits), Ok(()));
        let zero = ResourceOffer {
            quantity: 0,
            ..offer
        };
        assert!(matches!(
            zero.check(&limits),
            Err(BodyError::Domain(DomainError::Zero { .. }))
        ));
        let status = ResourceStatus {
            commit: EntryId([1; 32]),
            drill: None,
            status: DeploymentStatus::Committed,
            note: String::new(),
        };
        assert!(status.check(&limits).is_err());
        assert!(DeploymentStatus::Returned.is_final());
        assert!(DeploymentStatus::Dispatched.stage() < DeploymentStatus::Delivered.stage());
        assert_eq!("志愿者".parse(), Ok(ResourceClass::Volunteer));
    }
}
