//! The one validation function every entry passes before it is stored,
//! whether it arrived by gossip, sync, a bundle, or was read back by `verify`.
//!
//! Checks run cheapest first, so junk costs little: size, version, layout
//! (with the region and operator names), network, chain fields, time, body,
//! and the signature last.
//! Checks that need other entries (the author's chain, certificates,
//! authority) belong to the layers that hold those entries.

use crate::entry::wire::{self, ENTRY_SIGNING_DOMAIN, WireError};
use crate::entry::{Body, BodyError, OperatorError, SignedEntry};
use crate::hlc::Hlc;
use crate::ids::NetworkId;
use crate::limits::Limits;
use crate::region::RegionError;
use crate::sign::{self, SignatureError};

/// What the validator needs to know about the world.
#[derive(Debug, Clone, Copy)]
pub struct ValidationContext<'a> {
    /// The local wall clock, in ms since the Unix epoch.
    pub now_ms: u64,
    pub network: NetworkId,
    pub limits: &'a Limits,
}

/// One variant per reason an entry is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error("entry is {size} bytes, over the limit of {max}")]
    TooLarge { size: usize, max: usize },
    #[error("entry is undecodable: {0}")]
    Undecodable(String),
    #[error("entry has {0} trailing bytes")]
    TrailingBytes(usize),
    #[error(
        "entry has protocol version {0}, this node speaks versions {min} to {max}",
        min = crate::entry::MIN_PROTOCOL_VERSION,
        max = crate::entry::PROTOCOL_VERSION
    )]
    UnknownVersion(u8),
    #[error("entry belongs to network {found}, not this network {expected}")]
    WrongNetwork {
        expected: NetworkId,
        found: NetworkId,
    },
    #[error("entry scope is not a valid region code: {0}")]
    InvalidRegion(RegionError),
    #[error("entry names an invalid operator: {0}")]
    InvalidOperator(OperatorError),
    #[error("sequence number {seq} is inconsistent with prev {prev}")]
    SeqPrevInconsistent { seq: u64, prev: &'static str },
    #[error("entry time {hlc} is {ahead_ms} ms ahead of the local clock (limit {max_ms} ms)")]
    TooFarInFuture {
        hlc: Hlc,
        ahead_ms: u64,
        max_ms: u64,
    },
    #[error("entry body is invalid: {0}")]
    InvalidBody(BodyError),
    #[error("author key is not a valid ed25519 public key")]
    InvalidAuthorKey,
    #[error("signature does not verify")]
    BadSignature,
    #[error("signature is not strictly valid (weak key or non-canonical encoding)")]
    NonStrictSignature,
}

/// The layout check lives with the layout (below entries, which need it to
/// read stored bytes back); validation reports its findings as its own
/// variants of the same names and messages.
impl From<WireError> for ValidationError {
    fn from(e: WireError) -> Self {
        match e {
            WireError::TooLarge { size, max } => ValidationError::TooLarge { size, max },
            WireError::Undecodable(reason) => ValidationError::Undecodable(reason),
            WireError::TrailingBytes(n) => ValidationError::TrailingBytes(n),
            WireError::UnknownVersion(v) => ValidationError::UnknownVersion(v),
            WireError::InvalidRegion(e) => ValidationError::InvalidRegion(e),
            WireError::InvalidOperator(e) => ValidationError::InvalidOperator(e),
        }
    }
}

impl ValidationError {
    /// A short stable label, for metrics and logs.
    pub fn label(&self) -> &'static str {
        match self {
            ValidationError::TooLarge { .. } => "too_large",
            ValidationError::Undecodable(_) => "undecodable",
            ValidationError::TrailingBytes(_) => "trailing_bytes",
            ValidationError::UnknownVersion(_) => "unknown_version",
            ValidationError::WrongNetwork { .. } => "wrong_network",
            ValidationError::InvalidRegion(_) => "invalid_region",
            ValidationError::InvalidOperator(_) => "invalid_operator",
            ValidationError::SeqPrevInconsistent { .. } => "seq_prev_inconsistent",
            ValidationError::TooFarInFuture { .. } => "too_far_in_future",
            ValidationError::InvalidBody(_) => "invalid_body",
            ValidationError::InvalidAuthorKey => "invalid_author_key",
            ValidationError::BadSignature => "bad_signature",
            ValidationError::NonStrictSignature => "non_strict_signature",
        }
    }

    /// Whether whoever hands this post an entry with this error provably
    /// misbehaved, relay or author: an honest post validates before it
    /// relays, so it never passes on bad bytes or signatures.
    ///
    /// Not so for what honest posts may see differently: a time ahead of
    /// *this* post's clock (clocks differ), a newer protocol version (a post
    /// upgraded first), and body and operator-name rules (which a newer
    /// version may relax). Those are never held against a relay; the author
    /// answers only for its bodies and operator names (see
    /// [`ValidationError::blames_author`]).
    pub fn blames_relay(&self) -> bool {
        !matches!(
            self,
            ValidationError::TooFarInFuture { .. }
                | ValidationError::UnknownVersion(_)
                | ValidationError::InvalidBody(_)
                | ValidationError::InvalidOperator(_)
        )
    }

    /// Whether the entry's own author provably misbehaved. A clock that
    /// runs ahead or a newer version is weather, even at the author.
    pub fn blames_author(&self) -> bool {
        !matches!(
            self,
            ValidationError::TooFarInFuture { .. } | ValidationError::UnknownVersion(_)
        )
    }
}

/// Validates complete entry bytes.
pub fn validate(bytes: &[u8], ctx: &ValidationContext<'_>) -> Result<SignedEntry, ValidationError> {
    let (header, body) = wire::decode_unsigned(bytes, ctx.limits.max_entry_bytes)?;

    if header.network != ctx.network {
        return Err(ValidationError::WrongNetwork {
            expected: ctx.network,
            found: header.network,
        });
    }
    match (header.seq, header.prev) {
        (0, _) => {
            return Err(ValidationError::SeqPrevInconsistent {
                seq: 0,
                prev: "any",
            });
        }
        (1, Some(_)) => {
            return Err(ValidationError::SeqPrevInconsistent {
                seq: 1,
                prev: "set",
            });
        }
        (seq, None) if seq > 1 => {
            return Err(ValidationError::SeqPrevInconsistent {
                seq,
                prev: "missing",
            });
        }
        _ => {}
    }
    let ahead_ms = header.hlc.wall_ms().saturating_sub(ctx.now_ms);
    if ahead_ms > ctx.limits.max_future_ms {
        return Err(ValidationError::TooFarInFuture {
            hlc: header.hlc,
            ahead_ms,
            max_ms: ctx.limits.max_future_ms,
        });
    }
    // A kind newer than this code passes without its body being read: see
    // `header/kind.rs` for why.
    if header.kind.is_known() {
        let typed = Body::decode(header.kind, &body).map_err(ValidationError::InvalidBody)?;
        typed
            .check(ctx.limits)
            .map_err(ValidationError::InvalidBody)?;
    }

    let (message, signature) = wire::signed_message(bytes);
    sign::verify(&header.author, ENTRY_SIGNING_DOMAIN, message, signature).map_err(
        |e| match e {
            SignatureError::InvalidKey => ValidationError::InvalidAuthorKey,
            SignatureError::Bad => ValidationError::BadSignature,
            SignatureError::NonStrict => ValidationError::NonStrictSignature,
        },
    )?;

    Ok(SignedEntry::from_parts(header, body, bytes.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stored entries (`SignedEntry::decode_stored`) and equivocation
    /// evidence report layout errors as `WireError`; validation as
    /// `ValidationError`. Operators must read the same words either way.
    #[test]
    fn layout_errors_read_the_same_after_validation() {
        for e in [
            WireError::TooLarge { size: 9, max: 8 },
            WireError::Undecodable("empty input".into()),
            WireError::TrailingBytes(3),
            WireError::UnknownVersion(7),
            WireError::InvalidRegion(RegionError::Empty),
            WireError::InvalidOperator(OperatorError::EmptyAccount),
        ] {
            assert_eq!(ValidationError::from(e.clone()).to_string(), e.to_string());
        }
    }
}
