//! Entries: the signed, hash-chained records every post writes.
//!
//! An entry is a header (who, which network, where in the author's chain,
//! when, about which region, real or drill, what kind) plus a typed body and
//! an ed25519 signature. The wire layout lives in [`wire`]; the bodies in
//! [`body`].

pub mod body;
mod kind;
pub mod wire;

use serde::{Deserialize, Serialize};

pub use body::{Body, BodyError, Note, PostProfile, UnitType};
pub use kind::Kind;

use crate::codec::EncodeError;
use crate::hlc::Hlc;
use crate::ids::{EntryId, NetworkId, NodeId};
use crate::limits::SIGNATURE_BYTES;
use crate::region::RegionCode;
use crate::sign::Keypair;

/// The entry format this code writes and the only one it accepts.
pub const PROTOCOL_VERSION: u8 = 1;

/// Whether an entry is about a real event, a drill, or a technical test
/// (the three CAP statuses a post uses). Drill and test entries never mix
/// with actual ones in views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Actual,
    Exercise,
    Test,
}

impl Status {
    pub const fn name_zh(self) -> &'static str {
        match self {
            Status::Actual => "实战",
            Status::Exercise => "演练",
            Status::Test => "测试",
        }
    }
}

/// Everything about an entry except its body and signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub version: u8,
    pub network: NetworkId,
    pub author: NodeId,
    /// Position in the author's chain, starting at 1.
    pub seq: u64,
    /// The id of the author's entry at `seq - 1`; `None` exactly when `seq == 1`.
    pub prev: Option<EntryId>,
    pub hlc: Hlc,
    pub scope: RegionCode,
    pub status: Status,
    pub kind: Kind,
}

/// What an author fills in; the header's author comes from the key.
#[derive(Debug, Clone)]
pub struct Draft {
    pub network: NetworkId,
    pub seq: u64,
    pub prev: Option<EntryId>,
    pub hlc: Hlc,
    pub scope: RegionCode,
    pub status: Status,
    pub body: Body,
}

/// An entry whose bytes decoded and whose signature verified (or that this
/// node signed itself). Only [`crate::validate`] and [`SignedEntry::sign`]
/// make one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedEntry {
    id: EntryId,
    header: Header,
    body: Vec<u8>,
    wire: Vec<u8>,
}

impl SignedEntry {
    /// Signs a draft. Fails only if the body cannot be encoded (an unknown
    /// kind, or a value over the hard size limit).
    pub fn sign(keypair: &Keypair, draft: Draft) -> Result<SignedEntry, EncodeError> {
        let (kind, body) = draft.body.encode()?;
        let header = Header {
            version: PROTOCOL_VERSION,
            network: draft.network,
            author: keypair.node_id(),
            seq: draft.seq,
            prev: draft.prev,
            hlc: draft.hlc,
            scope: draft.scope,
            status: draft.status,
            kind,
        };
        let unsigned = wire::encode_unsigned(&header, &body)?;
        let signature = keypair.sign(wire::ENTRY_SIGNING_DOMAIN, &unsigned);
        let mut bytes = unsigned;
        bytes.extend_from_slice(&signature);
        Ok(SignedEntry::from_parts(header, body, bytes))
    }

    pub(crate) fn from_parts(header: Header, body: Vec<u8>, wire: Vec<u8>) -> SignedEntry {
        SignedEntry {
            id: EntryId::of_wire_bytes(&wire),
            header,
            body,
            wire,
        }
    }

    /// Decodes bytes this node stored after validating them, without checking
    /// the signature again (the `verify` command does that).
    pub fn decode_stored(bytes: &[u8]) -> Result<SignedEntry, crate::ValidationError> {
        let (header, body) = wire::decode_unsigned(bytes, bytes.len())?;
        Ok(SignedEntry::from_parts(header, body, bytes.to_vec()))
    }

    pub fn id(&self) -> EntryId {
        self.id
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    pub fn author(&self) -> NodeId {
        self.header.author
    }

    pub fn seq(&self) -> u64 {
        self.header.seq
    }

    pub fn hlc(&self) -> Hlc {
        self.header.hlc
    }

    pub fn kind(&self) -> Kind {
        self.header.kind
    }

    /// The complete wire bytes, signature included; what is stored and sent.
    pub fn wire(&self) -> &[u8] {
        &self.wire
    }

    pub fn into_wire(self) -> Vec<u8> {
        self.wire
    }

    /// The encoded body.
    pub fn body_bytes(&self) -> &[u8] {
        &self.body
    }

    /// The 64 signature bytes at the end of the wire bytes.
    pub fn signature(&self) -> &[u8] {
        &self.wire[self.wire.len() - SIGNATURE_BYTES..]
    }

    /// The typed body; [`Body::Unknown`] for kinds newer than this code.
    pub fn body(&self) -> Result<Body, BodyError> {
        Body::decode(self.header.kind, &self.body)
    }
}
