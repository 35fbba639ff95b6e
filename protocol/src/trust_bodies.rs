//! The bodies of the trust entries (kinds 100–102): certificate, revocation
//! and equivocation evidence. They replicate like any other entry; the
//! rules that give them force live in the trust state (`trust::state`),
//! which reads whole entries and so sits above them. `trust` re-exports
//! this module as `trust::entries`, its old path.
//!
//! Equivocation evidence carries two whole entries; reading their headers
//! needs only the wire layout in `header`, never the typed entry.

use serde::{Deserialize, Serialize};

use crate::authority::{PostInfo, Role};
use crate::body_rules::{BodyError, check_text};
use crate::header::wire;
use crate::hlc::Hlc;
use crate::ids::{EntryId, NodeId};
use crate::level::Level;
use crate::limits::Limits;
use crate::region::RegionCode;
use crate::unit::UnitType;

/// Most roles one certificate may grant.
pub const MAX_ROLES: usize = 16;
/// Most cooperation regions one certificate may name.
pub const MAX_COOPERATES: usize = 16;

/// 证书: the issuer (the entry's author) vouches that `subject` is the post
/// described here. Written by the parent post, scoped to `region`, so that
/// the subject's ancestors and its whole subtree hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub subject: NodeId,
    /// The unit's name, e.g. "沙湾市应急管理局".
    pub name: String,
    pub level: Level,
    pub region: RegionCode,
    pub unit_type: UnitType,
    pub roles: Vec<Role>,
    /// Whether the subject may certify posts below it.
    pub can_certify: bool,
    /// Neighbouring regions the subject may write about (区域合作).
    pub cooperates: Vec<RegionCode>,
    /// Start of validity, wall-clock ms. It may lie before the entry's own
    /// time: an issuer dates it back to the newcomer's first entry, so that
    /// what it recorded while it waited becomes valid with its certificate.
    /// (A back-dated start gives an issuer no power it lacks anyway: whoever
    /// holds its key can back-date an entry's time.)
    pub valid_from_ms: u64,
    /// End of validity (exclusive), wall-clock ms; `None` = until revoked.
    pub valid_until_ms: Option<u64>,
}

impl Certificate {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        check_text("name", &self.name, limits.max_name_chars, true)?;
        if self.region.level() != self.level {
            return Err(BodyError::RegionLevelMismatch {
                region: self.region.clone(),
                level: self.level,
            });
        }
        if let UnitType::Other(t) = &self.unit_type {
            check_text("unit_type", t, limits.max_name_chars, true)?;
        }
        count("roles", self.roles.len(), MAX_ROLES)?;
        for role in &self.roles {
            check_text("role", &role.0, limits.max_name_chars, true)?;
        }
        count("cooperates", self.cooperates.len(), MAX_COOPERATES)?;
        if self
            .valid_until_ms
            .is_some_and(|until| until <= self.valid_from_ms)
        {
            return Err(BodyError::EmptyValidity);
        }
        Ok(())
    }

    /// Whether the certificate's validity covers time `at`.
    pub fn valid_at(&self, at: Hlc) -> bool {
        window_covers(self.valid_from_ms, self.valid_until_ms, at)
    }

    /// What the authority rules need to know about the subject.
    pub fn post_info(&self) -> PostInfo {
        PostInfo {
            node: self.subject,
            name: self.name.as_str().into(),
            level: self.level,
            region: self.region.clone(),
            unit_type: self.unit_type.clone(),
            roles: self.roles.clone(),
            can_certify: self.can_certify,
            cooperates: self.cooperates.clone(),
        }
    }
}

/// Whether a certificate's validity window (from, and until if it ends)
/// covers time `at`.
pub(crate) fn window_covers(valid_from_ms: u64, valid_until_ms: Option<u64>, at: Hlc) -> bool {
    at.wall_ms() >= valid_from_ms && valid_until_ms.is_none_or(|until| at.wall_ms() < until)
}

/// 吊销: the subject's key is no longer a post of this network from the
/// revocation's entry time on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    pub subject: NodeId,
    /// Why, for operators (e.g. "密钥丢失 / key lost").
    pub reason: String,
}

impl Revocation {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        check_text("reason", &self.reason, limits.max_text_chars, true)
    }
}

/// 分叉证据: two entries by one author at one sequence number. Both are
/// carried whole, so every post can check the signatures itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Equivocation {
    #[serde(with = "serde_bytes")]
    pub first: Vec<u8>,
    #[serde(with = "serde_bytes")]
    pub second: Vec<u8>,
}

/// What an equivocation shows, once its two entries are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForkShape {
    pub author: NodeId,
    pub seq: u64,
    /// The earlier of the two entries' times.
    pub since: Hlc,
    pub ids: [EntryId; 2],
}

impl Equivocation {
    /// Orders the two entries canonically (by id), so that two posts that
    /// see the same fork write the same body.
    pub fn new(a: Vec<u8>, b: Vec<u8>) -> Equivocation {
        if EntryId::of_wire_bytes(&a) <= EntryId::of_wire_bytes(&b) {
            Equivocation {
                first: a,
                second: b,
            }
        } else {
            Equivocation {
                first: b,
                second: a,
            }
        }
    }

    /// Structural check: both decode, same author and seq, different
    /// entries. The signatures are checked by the trust state, which knows
    /// the network.
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        self.shape(limits.max_entry_bytes).map(|_| ())
    }

    /// Decodes both entries (without checking signatures) and returns the
    /// fork they show.
    pub fn shape(&self, max_entry_bytes: usize) -> Result<ForkShape, BodyError> {
        let not_a_fork = |why: String| BodyError::NotAFork(why);
        let (a, _) = wire::decode_unsigned(&self.first, max_entry_bytes)
            .map_err(|e| not_a_fork(format!("first entry: {e}")))?;
        let (b, _) = wire::decode_unsigned(&self.second, max_entry_bytes)
            .map_err(|e| not_a_fork(format!("second entry: {e}")))?;
        if a.author != b.author || a.seq != b.seq {
            return Err(not_a_fork(
                "the entries have different authors or sequence numbers".into(),
            ));
        }
        let ids = [
            EntryId::of_wire_bytes(&self.first),
            EntryId::of_wire_bytes(&self.second),
        ];
        if ids[0] == ids[1] {
            return Err(not_a_fork("the two entries are the same entry".into()));
        }
        Ok(ForkShape {
            author: a.author,
            seq: a.seq,
            since: a.hlc.min(b.hlc),
            ids,
        })
    }
}

fn count(field: &'static str, count: usize, max: usize) -> Result<(), BodyError> {
    if count > max {
        return Err(BodyError::TooMany { field, count, max });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert() -> Certificate {
        Certificate {
            subject: NodeId([1; 32]),
            name: "沙湾市应急管理局".into(),
            level: Level::County,
            region: "654203".parse().expect("region"),
            unit_type: UnitType::Command,
            roles: vec![Role::new("warning_issuer")],
            can_certify: true,
            cooperates: Vec::new(),
            valid_from_ms: 1_000,
            valid_until_ms: Some(5_000),
        }
    }

    #[test]
    fn certificate_rules() {
        let limits = Limits::default();
        assert_eq!(cert().check(&limits), Ok(()));
        let mut c = cert();
        c.level = Level::Township;
        assert!(matches!(
            c.check(&limits),
            Err(BodyError::RegionLevelMismatch { .. })
        ));
        let mut c = cert();
        c.valid_until_ms = Some(1_000);
        assert_eq!(c.check(&limits), Err(BodyError::EmptyValidity));
        let mut c = cert();
        c.roles = vec![Role::new("x"); MAX_ROLES + 1];
        assert!(matches!(c.check(&limits), Err(BodyError::TooMany { .. })));
        let mut c = cert();
        c.roles = vec![Role::new(" ")];
        assert!(matches!(c.check(&limits), Err(BodyError::Empty { .. })));
    }

    #[test]
    fn validity_window() {
        let c = cert();
        assert!(c.valid_at(Hlc::new(1_000, 0)));
        assert!(!c.valid_at(Hlc::new(999, 9)));
        assert!(c.valid_at(Hlc::new(4_999, 9)));
        assert!(!c.valid_at(Hlc::new(5_000, 0)));
        let forever = Certificate {
            valid_until_ms: None,
            ..cert()
        };
        assert!(forever.valid_at(Hlc::new(u64::MAX >> 16, 0)));
    }
}
