//! Protocol limits. Every size that untrusted bytes could inflate is bounded
//! here and checked before anything is allocated or decoded.

use serde::{Deserialize, Serialize};

/// The hard ceiling of any single encoded value, whatever the configuration
/// says: the largest request or response frame (`net::MAX_FRAME_BYTES` is
/// this constant), which carries several entries. The bincode decoder
/// refuses to read past it, so a forged length prefix cannot make it
/// allocate more.
pub const HARD_MAX_ENCODED_BYTES: usize = 4 << 20;

/// The largest entry any network may allow: a genesis's `max_entry_bytes`
/// lies at or below it, so that the largest entry always fits a frame with
/// room to spare (one constant for sender and receiver alike).
pub const MAX_ENTRY_CEILING: usize = 1 << 20;
const _: () = assert!(MAX_ENTRY_CEILING * 2 <= HARD_MAX_ENCODED_BYTES);

/// An ed25519 signature: it ends every entry on the wire.
pub const SIGNATURE_BYTES: usize = 64;

/// Longest operator account name recorded in an entry (`header::Operator`),
/// in bytes: ASCII `[a-z0-9._-]`, so bytes and characters agree. The
/// post's accounts (`node/src/operators`) are held to the same bound, so
/// every account can be recorded.
pub const MAX_OPERATOR_ACCOUNT_BYTES: usize = 32;

/// Longest operator display name recorded in an entry (张三, 值班员 李四),
/// in characters.
pub const MAX_OPERATOR_DISPLAY_CHARS: usize = 32;

/// Tunable limits, carried in the node configuration (and, with the trust
/// layer, in the network's genesis so that every node applies the same).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest accepted entry, signature included.
    pub max_entry_bytes: usize,
    /// How far an entry's time may run ahead of the local wall clock.
    pub max_future_ms: u64,
    /// Longest free text (a note, a contact line), in characters.
    pub max_text_chars: usize,
    /// Longest short text (a name, a unit type), in characters.
    pub max_name_chars: usize,
}

impl Limits {
    pub const DEFAULT_MAX_ENTRY_BYTES: usize = 64 * 1024;
    pub const DEFAULT_MAX_FUTURE_MS: u64 = 10 * 60 * 1000;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entry_bytes: Self::DEFAULT_MAX_ENTRY_BYTES,
            max_future_ms: Self::DEFAULT_MAX_FUTURE_MS,
            max_text_chars: 8_000,
            max_name_chars: 128,
        }
    }
}
