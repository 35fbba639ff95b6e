//! Entry kinds.
//!
//! A kind is a number, not a Rust enum on the wire, so that adding a kind is
//! not a format break. The body travels as opaque bytes inside the signed
//! entry, and the policy for a kind this code does not know is:
//!
//! - it is **accepted, stored and relayed** like any other entry, after every
//!   check that does not need the body (size, network, version, chain,
//!   time, scope, signature) — so an older node never splits the network
//!   or loses a newer node's entries while it waits for an upgrade;
//! - it counts in digests and sync like any entry;
//! - views ignore it, and `liandong log` shows it as "unknown kind N".
//!
//! Numbers are never reused. Ranges: 1–99 ledger core, 100–199 trust,
//! 200–499 linkage domain.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Kind(pub u16);

impl Kind {
    /// A post's self-description.
    pub const POST_PROFILE: Kind = Kind(1);
    /// A free-text situation note.
    pub const NOTE: Kind = Kind(2);
    /// A certificate: a parent post vouches for a key (trust range).
    pub const CERTIFICATE: Kind = Kind(100);
    /// A revocation of a certified key by its issuer or an ancestor.
    pub const REVOCATION: Kind = Kind(101);
    /// Evidence that a key signed two entries at one sequence number.
    pub const EQUIVOCATION: Kind = Kind(102);

    /// The kinds this code can decode.
    pub const KNOWN: &'static [Kind] = &[
        Kind::POST_PROFILE,
        Kind::NOTE,
        Kind::CERTIFICATE,
        Kind::REVOCATION,
        Kind::EQUIVOCATION,
    ];

    /// The kinds the trust layer folds into its state.
    pub const TRUST: [Kind; 3] = [Kind::CERTIFICATE, Kind::REVOCATION, Kind::EQUIVOCATION];

    pub fn is_known(self) -> bool {
        Self::KNOWN.contains(&self)
    }

    pub fn is_trust(self) -> bool {
        Self::TRUST.contains(&self)
    }

    /// A stable machine name, used in the CLI and JSON.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Kind::POST_PROFILE => Some("profile"),
            Kind::NOTE => Some("note"),
            Kind::CERTIFICATE => Some("certificate"),
            Kind::REVOCATION => Some("revocation"),
            Kind::EQUIVOCATION => Some("equivocation"),
            _ => None,
        }
    }

    pub fn name_zh(self) -> Option<&'static str> {
        match self {
            Kind::POST_PROFILE => Some("岗位信息"),
            Kind::NOTE => Some("情况记录"),
            Kind::CERTIFICATE => Some("证书"),
            Kind::REVOCATION => Some("吊销"),
            Kind::EQUIVOCATION => Some("分叉证据"),
            _ => None,
        }
    }

    /// Looks a kind up by machine name, or accepts a plain number.
    pub fn parse(text: &str) -> Option<Kind> {
        let t = text.trim();
        Self::KNOWN
            .iter()
            .copied()
            .find(|k| k.name() == Some(t) || k.name_zh() == Some(t))
            .or_else(|| t.parse::<u16>().ok().map(Kind))
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "unknown kind {}", self.0),
        }
    }
}

impl fmt::Debug for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kind({}={})", self.0, self)
    }
}
