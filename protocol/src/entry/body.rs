//! Typed entry bodies and their rules.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Kind;
use crate::codec::{self, EncodeError};
use crate::domain;
use crate::level::Level;
use crate::limits::Limits;
use crate::region::RegionCode;
use crate::trust::{Certificate, Equivocation, Revocation};

/// The body of an entry, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Body {
    PostProfile(PostProfile),
    Note(Note),
    Certificate(Certificate),
    Revocation(Revocation),
    Equivocation(Equivocation),
    // The linkage domain: see `crate::domain`. Boxed, so that a `Body`
    // stays small however large a report grows.
    IncidentReport(Box<domain::IncidentReport>),
    ResponseDecision(Box<domain::ResponseDecision>),
    Warning(Box<domain::Warning>),
    ResourceRequest(Box<domain::ResourceRequest>),
    ResourceOffer(Box<domain::ResourceOffer>),
    ResourceCommit(Box<domain::ResourceCommit>),
    ResourceStatus(Box<domain::ResourceStatus>),
    Task(Box<domain::TaskAssign>),
    TaskUpdate(Box<domain::TaskUpdate>),
    Plan(Box<domain::PlanRecord>),
    PlanApproval(Box<domain::PlanApproval>),
    PlanActivation(Box<domain::PlanActivation>),
    DrillStart(Box<domain::DrillStart>),
    DrillEnd(Box<domain::DrillEnd>),
    Consultation(Box<domain::Consultation>),
    InfoRelease(Box<domain::InfoRelease>),
    /// A kind newer than this code: stored and relayed, not interpreted.
    Unknown {
        kind: Kind,
    },
}

/// Why a body is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("body of kind {kind} is undecodable: {reason}")]
    Undecodable { kind: Kind, reason: String },
    #[error("{field} is empty / {field} 不能为空")]
    Empty { field: &'static str },
    #[error("{field} has {chars} characters, over the limit of {max} / {field} 超过 {max} 字")]
    TooLong {
        field: &'static str,
        chars: usize,
        max: usize,
    },
    #[error("region {region} is not at level {level} / 区划代码与级别不符")]
    RegionLevelMismatch { region: RegionCode, level: Level },
    #[error("{field} has {count} items, over the limit of {max} / {field} 条目过多")]
    TooMany {
        field: &'static str,
        count: usize,
        max: usize,
    },
    #[error("validity ends before it begins / 有效期结束早于开始")]
    EmptyValidity,
    #[error("equivocation evidence does not show a fork: {0} / 分叉证据无效")]
    NotAFork(String),
    #[error(transparent)]
    Domain(#[from] domain::DomainError),
}

impl Body {
    pub fn kind(&self) -> Kind {
        match self {
            Body::PostProfile(_) => Kind::POST_PROFILE,
            Body::Note(_) => Kind::NOTE,
            Body::Certificate(_) => Kind::CERTIFICATE,
            Body::Revocation(_) => Kind::REVOCATION,
            Body::Equivocation(_) => Kind::EQUIVOCATION,
            Body::IncidentReport(_) => Kind::INCIDENT_REPORT,
            Body::ResponseDecision(_) => Kind::RESPONSE_DECISION,
            Body::Warning(_) => Kind::WARNING,
            Body::ResourceRequest(_) => Kind::RESOURCE_REQUEST,
            Body::ResourceOffer(_) => Kind::RESOURCE_OFFER,
            Body::ResourceCommit(_) => Kind::RESOURCE_COMMIT,
            Body::ResourceStatus(_) => Kind::RESOURCE_STATUS,
            Body::Task(_) => Kind::TASK,
            Body::TaskUpdate(_) => Kind::TASK_UPDATE,
            Body::Plan(_) => Kind::PLAN,
            Body::PlanApproval(_) => Kind::PLAN_APPROVAL,
            Body::PlanActivation(_) => Kind::PLAN_ACTIVATION,
            Body::DrillStart(_) => Kind::DRILL_START,
            Body::DrillEnd(_) => Kind::DRILL_END,
            Body::Consultation(_) => Kind::CONSULTATION,
            Body::InfoRelease(_) => Kind::INFO_RELEASE,
            Body::Unknown { kind } => *kind,
        }
    }

    /// The kind and canonical bytes of this body.
    pub fn encode(&self) -> Result<(Kind, Vec<u8>), EncodeError> {
        let bytes = match self {
            Body::PostProfile(p) => codec::encode(p)?,
            Body::Note(n) => codec::encode(n)?,
            Body::Certificate(c) => codec::encode(c)?,
            Body::Revocation(r) => codec::encode(r)?,
            Body::Equivocation(e) => codec::encode(e)?,
            Body::IncidentReport(b) => codec::encode(b)?,
            Body::ResponseDecision(b) => codec::encode(b)?,
            Body::Warning(b) => codec::encode(b)?,
            Body::ResourceRequest(b) => codec::encode(b)?,
            Body::ResourceOffer(b) => codec::encode(b)?,
            Body::ResourceCommit(b) => codec::encode(b)?,
            Body::ResourceStatus(b) => codec::encode(b)?,
            Body::Task(b) => codec::encode(b)?,
            Body::TaskUpdate(b) => codec::encode(b)?,
            Body::Plan(b) => codec::encode(b)?,
            Body::PlanApproval(b) => codec::encode(b)?,
            Body::PlanActivation(b) => codec::encode(b)?,
            Body::DrillStart(b) => codec::encode(b)?,
            Body::DrillEnd(b) => codec::encode(b)?,
            Body::Consultation(b) => codec::encode(b)?,
            Body::InfoRelease(b) => codec::encode(b)?,
            Body::Unknown { kind } => {
                return Err(EncodeError(format!(
                    "cannot write a body of unknown {kind}"
                )));
            }
        };
        Ok((self.kind(), bytes))
    }

    /// Decodes a body of the given kind. Unknown kinds are not an error.
    pub fn decode(kind: Kind, bytes: &[u8]) -> Result<Body, BodyError> {
        let undecodable = |e: codec::DecodeError| BodyError::Undecodable {
            kind,
            reason: e.to_string(),
        };
        Ok(match kind {
            Kind::POST_PROFILE => {
                Body::PostProfile(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::NOTE => Body::Note(codec::decode(bytes, bytes.len()).map_err(undecodable)?),
            Kind::CERTIFICATE => {
                Body::Certificate(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::REVOCATION => {
                Body::Revocation(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::EQUIVOCATION => {
                Body::Equivocation(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::INCIDENT_REPORT => {
                Body::IncidentReport(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::RESPONSE_DECISION => {
                Body::ResponseDecision(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::WARNING => Body::Warning(codec::decode(bytes, bytes.len()).map_err(undecodable)?),
            Kind::RESOURCE_REQUEST => {
                Body::ResourceRequest(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::RESOURCE_OFFER => {
                Body::ResourceOffer(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::RESOURCE_COMMIT => {
                Body::ResourceCommit(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::RESOURCE_STATUS => {
                Body::ResourceStatus(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::TASK => Body::Task(codec::decode(bytes, bytes.len()).map_err(undecodable)?),
            Kind::TASK_UPDATE => {
                Body::TaskUpdate(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::PLAN => Body::Plan(codec::decode(bytes, bytes.len()).map_err(undecodable)?),
            Kind::PLAN_APPROVAL => {
                Body::PlanApproval(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::PLAN_ACTIVATION => {
                Body::PlanActivation(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::DRILL_START => {
                Body::DrillStart(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::DRILL_END => {
                Body::DrillEnd(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::CONSULTATION => {
                Body::Consultation(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::INFO_RELEASE => {
                Body::InfoRelease(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            _ => Body::Unknown { kind },
        })
    }

    /// Checks the body's own rules (lengths, consistency).
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        match self {
            Body::PostProfile(p) => p.check(limits),
            Body::Note(n) => n.check(limits),
            Body::Certificate(c) => c.check(limits),
            Body::Revocation(r) => r.check(limits),
            Body::Equivocation(e) => e.check(limits),
            Body::IncidentReport(b) => b.check(limits),
            Body::ResponseDecision(b) => b.check(limits),
            Body::Warning(b) => b.check(limits),
            Body::ResourceRequest(b) => b.check(limits),
            Body::ResourceOffer(b) => b.check(limits),
            Body::ResourceCommit(b) => b.check(limits),
            Body::ResourceStatus(b) => b.check(limits),
            Body::Task(b) => b.check(limits),
            Body::TaskUpdate(b) => b.check(limits),
            Body::Plan(b) => b.check(limits),
            Body::PlanApproval(b) => b.check(limits),
            Body::PlanActivation(b) => b.check(limits),
            Body::DrillStart(b) => b.check(limits),
            Body::DrillEnd(b) => b.check(limits),
            Body::Consultation(b) => b.check(limits),
            Body::InfoRelease(b) => b.check(limits),
            Body::Unknown { .. } => Ok(()),
        }
    }
}

pub(crate) fn check_text(
    field: &'static str,
    text: &str,
    max: usize,
    required: bool,
) -> Result<(), BodyError> {
    if required && text.trim().is_empty() {
        return Err(BodyError::Empty { field });
    }
    let chars = text.chars().count();
    if chars > max {
        return Err(BodyError::TooLong { field, chars, max });
    }
    Ok(())
}

/// A post describes itself: who it is, at which level, for which region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostProfile {
    /// The unit's name, e.g. "西戈壁村应急联动工作站".
    pub name: String,
    pub level: Level,
    pub region: RegionCode,
    pub unit_type: UnitType,
    /// Duty phone or other contact line.
    pub contact: String,
}

impl PostProfile {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        check_text("name", &self.name, limits.max_name_chars, true)?;
        check_text("contact", &self.contact, limits.max_name_chars, false)?;
        if let UnitType::Other(t) = &self.unit_type {
            check_text("unit_type", t, limits.max_name_chars, true)?;
        }
        // Every post, command post or member unit, is responsible for exactly
        // the region of its level: a county fire brigade names its county.
        if self.region.level() != self.level {
            return Err(BodyError::RegionLevelMismatch {
                region: self.region.clone(),
                level: self.level,
            });
        }
        Ok(())
    }
}

/// A free-text situation note (情况记录).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub text: String,
}

impl Note {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        check_text("text", &self.text, limits.max_text_chars, true)
    }
}

/// What kind of unit a post is. Travels as its name, so a unit type added
/// later reads as `Other` on older nodes instead of breaking their decoding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum UnitType {
    /// 指挥部 / 应急管理局: a command post of the linkage hierarchy.
    Command,
    Fire,
    Police,
    Health,
    Transport,
    Communications,
    Weather,
    Earthquake,
    Water,
    Environment,
    CivilAffairs,
    Military,
    Volunteer,
    Other(String),
}

impl UnitType {
    const NAMED: [(UnitType, &'static str, &'static str); 13] = [
        (UnitType::Command, "command", "指挥部"),
        (UnitType::Fire, "fire", "消防"),
        (UnitType::Police, "police", "公安"),
        (UnitType::Health, "health", "卫生健康"),
        (UnitType::Transport, "transport", "交通"),
        (UnitType::Communications, "communications", "通信"),
        (UnitType::Weather, "weather", "气象"),
        (UnitType::Earthquake, "earthquake", "地震"),
        (UnitType::Water, "water", "水利"),
        (UnitType::Environment, "environment", "生态环境"),
        (UnitType::CivilAffairs, "civil_affairs", "民政"),
        (UnitType::Military, "military", "军队"),
        (UnitType::Volunteer, "volunteer", "志愿者"),
    ];

    pub fn name(&self) -> &str {
        match self {
            UnitType::Other(s) => s,
            known => Self::NAMED
                .iter()
                .find(|(t, _, _)| t == known)
                .map_or("other", |(_, en, _)| en),
        }
    }

    pub fn name_zh(&self) -> &str {
        match self {
            UnitType::Other(s) => s,
            known => Self::NAMED
                .iter()
                .find(|(t, _, _)| t == known)
                .map_or("其他", |(_, _, zh)| zh),
        }
    }

    /// Every named type, for help texts.
    pub fn all_named() -> impl Iterator<Item = (&'static str, &'static str)> {
        Self::NAMED.iter().map(|(_, en, zh)| (*en, *zh))
    }
}

impl From<String> for UnitType {
    fn from(s: String) -> Self {
        let t = s.trim();
        Self::NAMED
            .iter()
            .find(|(_, en, zh)| *en == t || *zh == t)
            .map_or(UnitType::Other(s), |(ty, _, _)| ty.clone())
    }
}

impl From<UnitType> for String {
    fn from(t: UnitType) -> String {
        t.name().to_string()
    }
}

impl fmt::Display for UnitType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(level: Level, region: &str, unit_type: UnitType) -> PostProfile {
        PostProfile {
            name: "x".into(),
            level,
            region: region.parse().expect("region"),
            unit_type,
            contact: String::new(),
        }
    }

    #[test]
    fn unit_types_travel_by_name() {
        assert_eq!(UnitType::from("fire".to_string()), UnitType::Fire);
        assert_eq!(UnitType::from("消防".to_string()), UnitType::Fire);
        assert_eq!(
            UnitType::from("drone".to_string()),
            UnitType::Other("drone".into())
        );
        assert_eq!(String::from(UnitType::CivilAffairs), "civil_affairs");
    }

    #[test]
    fn profile_rules() {
        let limits = Limits::default();
        assert_eq!(
            profile(Level::County, "654203", UnitType::Command).check(&limits),
            Ok(())
        );
        assert!(matches!(
            profile(Level::County, "6542", UnitType::Command).check(&limits),
            Err(BodyError::RegionLevelMismatch { .. })
        ));
        assert_eq!(
            profile(Level::County, "654203", UnitType::Fire).check(&limits),
            Ok(())
        );
        assert!(
            profile(Level::County, "654203106", UnitType::Fire)
                .check(&limits)
                .is_err()
        );
        let mut empty = profile(Level::County, "654203", UnitType::Command);
        empty.name = "  ".into();
        assert_eq!(
            empty.check(&limits),
            Err(BodyError::Empty { field: "name" })
        );
    }

    #[test]
    fn note_length_is_bounded() {
        let limits = Limits {
            max_text_chars: 3,
            ..Limits::default()
        };
        assert_eq!(
            Note {
                text: "一二三".into()
            }
            .check(&limits),
            Ok(())
        );
        assert_eq!(
            Note {
                text: "一二三四".into()
            }
            .check(&limits),
            Err(BodyError::TooLong {
                field: "text",
                chars: 4,
                max: 3
            })
        );
    }

    #[test]
    fn unknown_kinds_decode_as_unknown() {
        assert_eq!(
            Body::decode(Kind(4242), b"anything"),
            Ok(Body::Unknown { kind: Kind(4242) })
        );
        assert!(Body::Unknown { kind: Kind(4242) }.encode().is_err());
    }
}
