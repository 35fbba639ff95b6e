//! The exact bytes of an entry: what is signed, hashed, stored and sent.
//!
//! ```text
//! entry     = unsigned || signature(64)
//! unsigned  = bincode(WireEntry)            -- version 1: no operator
//!           | bincode(WireEntryV2)          -- version 2: + operator before the body
//!                                              (codec::encode, version byte first)
//! signature = ed25519(ENTRY_SIGNING_DOMAIN || unsigned)
//! id        = BLAKE3(entry)
//! ```
//!
//! The signature covers the received bytes themselves, never a re-encoding,
//! so nobody but the author can produce a second encoding of an entry (which
//! would otherwise look like a second entry with the same sequence number).
//! Changing anything here changes the golden vectors in `tests/golden.rs`.
//!
//! The version byte picks the layout: an entry without an operator is
//! written in version 1, byte for byte as before version 2 existed, so
//! older posts keep reading everything a post without operators writes.

use serde::{Deserialize, Serialize};

use super::operator::{Operator, OperatorError};
use super::{
    Header, Kind, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, Status, VERSION_OPERATOR, VERSION_PLAIN,
};
use crate::codec::{self, DecodeError, EncodeError};
use crate::hlc::Hlc;
use crate::ids::{EntryId, NetworkId, NodeId};
use crate::limits::SIGNATURE_BYTES;
use crate::region::{RegionCode, RegionError};

/// Prefixed to the unsigned bytes before signing, so that an entry signature
/// can never be replayed as a signature over anything else (a bundle
/// manifest, a certificate request).
pub const ENTRY_SIGNING_DOMAIN: &[u8] = b"liandong/entry/v1\0";

/// Why bytes are not an entry's layout at all: the reasons
/// `decode_unsigned` can give. Validation reports each as the
/// `ValidationError` variant of the same name and message (it converts with
/// `From`); the layout check is defined here, below validation, because
/// reading back stored entries and equivocation evidence need it too.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("entry is {size} bytes, over the limit of {max}")]
    TooLarge { size: usize, max: usize },
    #[error("entry is undecodable: {0}")]
    Undecodable(String),
    #[error("entry has {0} trailing bytes")]
    TrailingBytes(usize),
    #[error(
        "entry has protocol version {0}, this node speaks versions {min} to {max}",
        min = MIN_PROTOCOL_VERSION,
        max = PROTOCOL_VERSION
    )]
    UnknownVersion(u8),
    #[error("entry scope is not a valid region code: {0}")]
    InvalidRegion(RegionError),
    #[error("entry names an invalid operator: {0}")]
    InvalidOperator(OperatorError),
}

/// The header and body as they are laid out on the wire. The scope is kept
/// as text here so that a malformed code is reported as an invalid region,
/// not as undecodable bytes.
#[derive(Serialize, Deserialize)]
struct WireEntry {
    version: u8,
    network: NetworkId,
    author: NodeId,
    seq: u64,
    prev: Option<EntryId>,
    hlc: Hlc,
    scope: String,
    status: Status,
    kind: Kind,
    #[serde(with = "serde_bytes")]
    body: Vec<u8>,
}

/// Version 2: version 1 with the operator who entered the entry, between
/// the kind and the body. The names are checked after decoding (their
/// size is bounded by the entry's, checked before decoding).
#[derive(Serialize, Deserialize)]
struct WireEntryV2 {
    version: u8,
    network: NetworkId,
    author: NodeId,
    seq: u64,
    prev: Option<EntryId>,
    hlc: Hlc,
    scope: String,
    status: Status,
    kind: Kind,
    operator: WireOperator,
    #[serde(with = "serde_bytes")]
    body: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct WireOperator {
    account: String,
    display: String,
}

/// The unsigned bytes of an entry, in the layout its operator calls for
/// (`Header::version_for`); `header.version` must agree.
pub(crate) fn encode_unsigned(header: &Header, body: &[u8]) -> Result<Vec<u8>, EncodeError> {
    let version = Header::version_for(header.operator.as_ref());
    if header.version != version {
        return Err(EncodeError(format!(
            "header says version {} but its operator calls for version {version}",
            header.version
        )));
    }
    match &header.operator {
        None => codec::encode(&WireEntry {
            version,
            network: header.network,
            author: header.author,
            seq: header.seq,
            prev: header.prev,
            hlc: header.hlc,
            scope: header.scope.to_string(),
            status: header.status,
            kind: header.kind,
            body: body.to_vec(),
        }),
        Some(op) => codec::encode(&WireEntryV2 {
            version,
            network: header.network,
            author: header.author,
            seq: header.seq,
            prev: header.prev,
            hlc: header.hlc,
            scope: header.scope.to_string(),
            status: header.status,
            kind: header.kind,
            operator: WireOperator {
                account: op.account().to_owned(),
                display: op.display().to_owned(),
            },
            body: body.to_vec(),
        }),
    }
}

/// Splits complete entry bytes into header and body, checking the size, the
/// version and the layout. The signature is not checked here.
pub(crate) fn decode_unsigned(
    bytes: &[u8],
    max_entry_bytes: usize,
) -> Result<(Header, Vec<u8>), WireError> {
    if bytes.len() > max_entry_bytes {
        return Err(WireError::TooLarge {
            size: bytes.len(),
            max: max_entry_bytes,
        });
    }
    // The version is the first byte (a u8 encodes as itself), so a future
    // format is named as such instead of failing to decode.
    let Some(&version) = bytes.first() else {
        return Err(WireError::Undecodable("empty input".into()));
    };
    if !(MIN_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&version) {
        return Err(WireError::UnknownVersion(version));
    }
    if bytes.len() <= SIGNATURE_BYTES {
        return Err(WireError::Undecodable(format!(
            "{} bytes is too short for an entry",
            bytes.len()
        )));
    }
    let unsigned = &bytes[..bytes.len() - SIGNATURE_BYTES];
    let (wire, operator) = match version {
        VERSION_PLAIN => (decode_layout::<WireEntry>(unsigned, max_entry_bytes)?, None),
        VERSION_OPERATOR => {
            let v2: WireEntryV2 = decode_layout(unsigned, max_entry_bytes)?;
            v2.split()
        }
        other => return Err(WireError::UnknownVersion(other)),
    };
    let scope = RegionCode::parse(&wire.scope).map_err(WireError::InvalidRegion)?;
    let operator = operator
        .map(|o| Operator::new(&o.account, &o.display))
        .transpose()
        .map_err(WireError::InvalidOperator)?;
    let header = Header {
        version: wire.version,
        network: wire.network,
        author: wire.author,
        seq: wire.seq,
        prev: wire.prev,
        hlc: wire.hlc,
        scope,
        status: wire.status,
        kind: wire.kind,
        operator,
    };
    Ok((header, wire.body))
}

fn decode_layout<T: serde::de::DeserializeOwned>(
    unsigned: &[u8],
    max_entry_bytes: usize,
) -> Result<T, WireError> {
    codec::decode(unsigned, max_entry_bytes).map_err(|e| match e {
        DecodeError::TooLarge { size, max } => WireError::TooLarge { size, max },
        DecodeError::Undecodable(reason) => WireError::Undecodable(reason),
        DecodeError::TrailingBytes(n) => WireError::TrailingBytes(n),
    })
}

impl WireEntryV2 {
    /// The fields both layouts share, and the operator still unchecked.
    fn split(self) -> (WireEntry, Option<WireOperator>) {
        let entry = WireEntry {
            version: self.version,
            network: self.network,
            author: self.author,
            seq: self.seq,
            prev: self.prev,
            hlc: self.hlc,
            scope: self.scope,
            status: self.status,
            kind: self.kind,
            body: self.body,
        };
        (entry, Some(self.operator))
    }
}

/// The bytes the signature covers, split off the complete entry.
pub(crate) fn signed_message(bytes: &[u8]) -> (&[u8], &[u8]) {
    bytes.split_at(bytes.len().saturating_sub(SIGNATURE_BYTES))
}
