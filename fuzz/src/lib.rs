//! Fixtures shared by the fuzz targets in `fuzz_targets/`.
//!
//! Every target checks the same two things about one decoder of untrusted
//! bytes: it never panics (nor overflows, nor runs away), whatever the
//! input; and whatever it accepts survives re-encoding: encode, decode
//! again, and the value and its encoding are the same (the round-trip
//! targets of rustls `msgs/`). Values are compared, not input bytes: a
//! decoder may normalise (a region code is trimmed, a unit type is read by
//! its Chinese name and written by its English one), but what it produces
//! must be a fixed point.
//!
//! The validation context matches the golden vectors and the protocol
//! tests (network `liandong-test`, entries timed around 2026-11-18), so the
//! seed entries validate and mutations of them start deep in the checks.

use std::fmt::Debug;
use std::sync::OnceLock;

use liandong_protocol::codec::EncodeError;
use liandong_protocol::{EntryId, Hlc, Keypair, Limits, NetworkId, ValidationContext};

/// 2026-11-18 05:46:40 UTC, the protocol tests' `T0`.
pub const T0_MS: u64 = 1_795_000_000_000;
/// The fuzzers' wall clock: 30 days after `T0`, so every seed entry is in
/// the past and a mutated time can still be in the future.
pub const NOW_MS: u64 = T0_MS + 30 * 24 * 3_600_000;

/// The default limits, as a constant (`Limits::default` is not `const`).
pub const LIMITS: Limits = Limits {
    max_entry_bytes: Limits::DEFAULT_MAX_ENTRY_BYTES,
    max_future_ms: Limits::DEFAULT_MAX_FUTURE_MS,
    max_text_chars: 8_000,
    max_name_chars: 128,
};

/// Tight limits, so that length checks fire on small inputs too.
pub const TIGHT: Limits = Limits {
    max_entry_bytes: 2048,
    max_future_ms: 0,
    max_text_chars: 8,
    max_name_chars: 4,
};

/// The network of the golden vectors and the protocol tests.
pub fn network() -> NetworkId {
    NetworkId::from_name("liandong-test")
}

pub fn ctx() -> ValidationContext<'static> {
    ValidationContext {
        now_ms: NOW_MS,
        network: network(),
        limits: &LIMITS,
    }
}

/// A fixed key for the targets that sign what they build (a bundle
/// manifest, a re-signed entry).
pub fn keypair() -> &'static Keypair {
    static KEY: OnceLock<Keypair> = OnceLock::new();
    KEY.get_or_init(|| Keypair::from_secret([0x42; 32]))
}

/// Encodes `value`, decodes the bytes and checks that the value comes
/// back and encodes to the same bytes again. Returns the encoding.
pub fn round_trip<T, E>(
    value: &T,
    encode: impl Fn(&T) -> Result<Vec<u8>, EncodeError>,
    decode: impl Fn(&[u8]) -> Result<T, E>,
) -> Vec<u8>
where
    T: PartialEq + Debug,
    E: Debug,
{
    let bytes = encode(value).expect("a decoded value encodes");
    let back = decode(&bytes).expect("an encoded value decodes");
    assert_eq!(&back, value, "decode(encode(v)) != v");
    let again = encode(&back).expect("a decoded value encodes");
    assert_eq!(again, bytes, "the encoding is not a fixed point");
    bytes
}

/// The sync target's item set: 1024 items, four a minute from `T0`,
/// each id the hash of its number. The seeds' peer sets leave out every
/// `skip`-th item (none if 0) and add `extra` items of their own.
pub fn sync_items(skip: u16, extra: u16) -> Vec<(Hlc, EntryId)> {
    let mut items: Vec<(Hlc, EntryId)> = (0u16..1024)
        .filter(|i| skip == 0 || i % skip != 0)
        .chain(5000..5000 + extra)
        .map(|i| {
            let hlc = Hlc::new(T0_MS + u64::from(i / 4) * 60_000, i % 4);
            (hlc, EntryId(*blake3::hash(&i.to_le_bytes()).as_bytes()))
        })
        .collect();
    items.sort();
    items
}

/// Splits off the first byte, which targets with several entry points use
/// to choose one. `None` for empty input.
pub fn mode(data: &[u8]) -> Option<(u8, &[u8])> {
    data.split_first().map(|(m, rest)| (*m, rest))
}

/// The id of the snapshot file the `snapshot` target reads (and its seeds
/// were written for).
pub const SNAPSHOT_FILE: [u8; 16] = *b"liandong-fuzz-16";

/// A value for the codec target's first type (and its seed).
pub mod shapes {
    use serde::{Deserialize, Serialize};

    /// Every serde shape the protocol's types use, in one value.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    pub struct Shapes {
        pub byte: u8,
        pub short: u16,
        pub word: u32,
        pub long: u64,
        pub signed: i64,
        pub flag: bool,
        pub maybe: Option<u64>,
        pub text: String,
        pub list: Vec<u8>,
        #[serde(with = "serde_bytes")]
        pub bytes: Vec<u8>,
        pub array: [u8; 32],
        pub nested: Vec<Vec<String>>,
        pub choice: Choice,
        pub tuple: (u16, char),
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    pub enum Choice {
        Unit,
        Newtype(u64),
        Struct { a: Option<String>, b: Vec<u32> },
    }
}
