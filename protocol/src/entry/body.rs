//! The typed body of an entry, and the ledger core bodies (kinds 1–2).
//!
//! [`Body`] wraps every body type this code knows. The trust bodies
//! (`trust_bodies`) and linkage bodies (`linkage`) live below this module and
//! know nothing of it; their errors and the shared text rule come from
//! `body_rules`.

use serde::{Deserialize, Serialize};

use super::Kind;
use crate::body_rules::check_text;
use crate::codec::{self, EncodeError};
use crate::level::Level;
use crate::limits::Limits;
use crate::linkage;
use crate::region::RegionCode;
use crate::restricted::{KeyAnnouncement, Sealed};
use crate::trust_bodies::{Certificate, Equivocation, Revocation};

// Re-exported so that `entry::BodyError` and `entry::UnitType` keep their
// paths now that both live below the bodies that use them.
pub use crate::body_rules::BodyError;
pub use crate::unit::UnitType;

/// The body of an entry, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Body {
    PostProfile(PostProfile),
    PostPlace(PostPlace),
    Note(Note),
    /// The author's X25519 key for restricted entries (kind 4).
    AgreementKey(KeyAnnouncement),
    /// A sealed envelope (kind 5): boxed, it holds up to 256 key slots.
    Restricted(Box<Sealed>),
    Certificate(Certificate),
    Revocation(Revocation),
    Equivocation(Equivocation),
    // The linkage domain (kinds 200–499). Boxed, so that a `Body` stays
    // small however large a report grows.
    IncidentReport(Box<linkage::IncidentReport>),
    ResponseDecision(Box<linkage::ResponseDecision>),
    Warning(Box<linkage::Warning>),
    ExternalWarning(Box<linkage::ExternalWarning>),
    ResourceRequest(Box<linkage::ResourceRequest>),
    ResourceOffer(Box<linkage::ResourceOffer>),
    ResourceCommit(Box<linkage::ResourceCommit>),
    ResourceStatus(Box<linkage::ResourceStatus>),
    RescueForce(Box<linkage::RescueForce>),
    Task(Box<linkage::TaskAssign>),
    TaskUpdate(Box<linkage::TaskUpdate>),
    Plan(Box<linkage::PlanRecord>),
    PlanApproval(Box<linkage::PlanApproval>),
    PlanActivation(Box<linkage::PlanActivation>),
    DrillStart(Box<linkage::DrillStart>),
    DrillEnd(Box<linkage::DrillEnd>),
    Consultation(Box<linkage::Consultation>),
    InfoRelease(Box<linkage::InfoRelease>),
    /// A kind newer than this code: stored and relayed, not interpreted.
    Unknown {
        kind: Kind,
    },
}

impl Body {
    pub fn kind(&self) -> Kind {
        match self {
            Body::PostProfile(_) => Kind::POST_PROFILE,
            Body::PostPlace(_) => Kind::POST_PLACE,
            Body::Note(_) => Kind::NOTE,
            Body::AgreementKey(_) => Kind::AGREEMENT_KEY,
            Body::Restricted(_) => Kind::RESTRICTED,
            Body::Certificate(_) => Kind::CERTIFICATE,
            Body::Revocation(_) => Kind::REVOCATION,
            Body::Equivocation(_) => Kind::EQUIVOCATION,
            Body::IncidentReport(_) => Kind::INCIDENT_REPORT,
            Body::ResponseDecision(_) => Kind::RESPONSE_DECISION,
            Body::Warning(_) => Kind::WARNING,
            Body::ExternalWarning(_) => Kind::EXTERNAL_WARNING,
            Body::ResourceRequest(_) => Kind::RESOURCE_REQUEST,
            Body::ResourceOffer(_) => Kind::RESOURCE_OFFER,
            Body::ResourceCommit(c) if c.surplus => Kind::RESOURCE_COMMIT_SURPLUS,
            Body::ResourceCommit(_) => Kind::RESOURCE_COMMIT,
            Body::ResourceStatus(_) => Kind::RESOURCE_STATUS,
            Body::RescueForce(_) => Kind::RESCUE_FORCE,
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
            Body::PostPlace(p) => codec::encode(p)?,
            Body::Note(n) => codec::encode(n)?,
            Body::AgreementKey(k) => codec::encode(k)?,
            Body::Restricted(s) => codec::encode(s)?,
            Body::Certificate(c) => codec::encode(c)?,
            Body::Revocation(r) => codec::encode(r)?,
            Body::Equivocation(e) => codec::encode(e)?,
            Body::IncidentReport(b) => codec::encode(b)?,
            Body::ResponseDecision(b) => codec::encode(b)?,
            Body::Warning(b) => codec::encode(b)?,
            Body::ExternalWarning(b) => codec::encode(b)?,
            Body::ResourceRequest(b) => codec::encode(b)?,
            Body::ResourceOffer(b) => codec::encode(b)?,
            Body::ResourceCommit(b) => codec::encode(b)?,
            Body::ResourceStatus(b) => codec::encode(b)?,
            Body::RescueForce(b) => codec::encode(b)?,
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
            Kind::AGREEMENT_KEY => {
                Body::AgreementKey(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::RESTRICTED => {
                Body::Restricted(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::POST_PLACE => {
                Body::PostPlace(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
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
            Kind::EXTERNAL_WARNING => {
                Body::ExternalWarning(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::RESOURCE_REQUEST => {
                Body::ResourceRequest(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::RESOURCE_OFFER => {
                Body::ResourceOffer(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::RESOURCE_COMMIT | Kind::RESOURCE_COMMIT_SURPLUS => {
                let mut c: linkage::ResourceCommit =
                    codec::decode(bytes, bytes.len()).map_err(undecodable)?;
                // The mark is the kind (see `ResourceCommit::surplus`).
                c.surplus = kind == Kind::RESOURCE_COMMIT_SURPLUS;
                Body::ResourceCommit(Box::new(c))
            }
            Kind::RESOURCE_STATUS => {
                Body::ResourceStatus(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
            }
            Kind::RESCUE_FORCE => {
                Body::RescueForce(codec::decode(bytes, bytes.len()).map_err(undecodable)?)
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
            Body::PostPlace(p) => p.point.check(),
            Body::Note(n) => n.check(limits),
            Body::AgreementKey(k) => k.check(limits),
            Body::Restricted(s) => s.check(limits),
            Body::Certificate(c) => c.check(limits),
            Body::Revocation(r) => r.check(limits),
            Body::Equivocation(e) => e.check(limits),
            Body::IncidentReport(b) => b.check(limits),
            Body::ResponseDecision(b) => b.check(limits),
            Body::Warning(b) => b.check(limits),
            Body::ExternalWarning(b) => b.check(limits),
            Body::ResourceRequest(b) => b.check(limits),
            Body::ResourceOffer(b) => b.check(limits),
            Body::ResourceCommit(b) => b.check(limits),
            Body::ResourceStatus(b) => b.check(limits),
            Body::RescueForce(b) => b.check(limits),
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

/// `Body::from(report)` for every linkage body (the variants are boxed).
macro_rules! into_body {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        $(impl From<$ty> for Body {
            fn from(b: $ty) -> Self {
                Body::$variant(Box::new(b))
            }
        })*
    };
}

into_body!(
    IncidentReport(linkage::IncidentReport),
    ResponseDecision(linkage::ResponseDecision),
    Warning(linkage::Warning),
    ResourceRequest(linkage::ResourceRequest),
    ResourceOffer(linkage::ResourceOffer),
    ResourceCommit(linkage::ResourceCommit),
    ResourceStatus(linkage::ResourceStatus),
    RescueForce(linkage::RescueForce),
    Task(linkage::TaskAssign),
    TaskUpdate(linkage::TaskUpdate),
    Plan(linkage::PlanRecord),
    PlanApproval(linkage::PlanApproval),
    PlanActivation(linkage::PlanActivation),
    DrillStart(linkage::DrillStart),
    DrillEnd(linkage::DrillEnd),
    Consultation(linkage::Consultation),
    InfoRelease(linkage::InfoRelease),
);

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

/// Where a post is: its map position, published from its config (a kind
/// of its own, so that posts running older code relay it unread).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostPlace {
    pub point: linkage::GeoPoint,
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
