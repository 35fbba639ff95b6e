//! Entries: the signed, hash-chained records every post writes.
//!
//! An entry is a header (who, which network, where in the author's chain,
//! when, about which region, real or drill, what kind) plus a typed body and
//! an ed25519 signature. The header and the wire layout live one layer down
//! in `header` (re-exported here, so `entry::Header` and `entry::wire` keep
//! working); the typed bodies in [`body`].

pub mod body;

pub use crate::header::{
    Header, Kind, MIN_PROTOCOL_VERSION, Operator, OperatorError, PROTOCOL_VERSION, Status,
    WireError, wire,
};
pub use body::{Body, BodyError, Note, PostPlace, PostProfile, UnitType};

use crate::codec::EncodeError;
use crate::hlc::Hlc;
use crate::ids::{EntryId, NetworkId, NodeId};
use crate::limits::Limits;
use crate::limits::SIGNATURE_BYTES;
use crate::region::RegionCode;
use crate::restricted::{KindClass, Opened, SealContext};
use crate::sign::Keypair;

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
    /// Who at the post entered it, when known (the console's signed-in
    /// operator, the CLI's `--operator`): recorded in a version-2 entry.
    /// `None` writes a version-1 entry, readable by every post.
    pub operator: Option<Operator>,
}

/// An entry whose bytes decoded and whose signature verified (or that this
/// node signed itself). Only the validator, [`SignedEntry::sign`] and, for
/// bytes this node validated before storing them,
/// [`SignedEntry::decode_stored`] make one.
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
            version: Header::version_for(draft.operator.as_ref()),
            network: draft.network,
            author: keypair.node_id(),
            seq: draft.seq,
            prev: draft.prev,
            hlc: draft.hlc,
            scope: draft.scope,
            status: draft.status,
            kind,
            operator: draft.operator,
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
    /// the signature again (the `verify` command does that). Only the layout
    /// can be wrong here, so the error is the layout's own.
    pub fn decode_stored(bytes: &[u8]) -> Result<SignedEntry, WireError> {
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

    /// Who at the post entered it, if the entry says (version 2).
    pub fn operator(&self) -> Option<&Operator> {
        self.header.operator.as_ref()
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

    /// What binds a restricted body to this entry (see `restricted::seal`).
    pub fn seal_context(&self) -> SealContext {
        SealContext {
            network: self.header.network,
            author: self.header.author,
            seq: self.header.seq,
        }
    }

    /// The same entry (id, wire, author, seq, hlc, scope, status, operator)
    /// seen through its opened body: the header's kind is the inner kind,
    /// the body the inner body. The wire bytes stay the ciphertext, so the
    /// result is never re-sent or stored in plaintext. For folds and views
    /// at an audience post only.
    pub fn opened(&self, opened: &Opened) -> SignedEntry {
        let mut header = self.header.clone();
        header.kind = opened.kind;
        SignedEntry {
            id: self.id,
            header,
            body: opened.body.clone(),
            wire: self.wire.clone(),
        }
    }
}

impl Opened {
    /// The inner body, decoded and checked like any entry's body (the
    /// validator could not see it). An error means the author sealed a
    /// body no post would have accepted in the clear.
    pub fn decode_body(&self, limits: &Limits) -> Result<Body, BodyError> {
        if KindClass::of(self.kind).is_none() {
            return Err(BodyError::Undecodable {
                kind: self.kind,
                reason: "this kind cannot be restricted / 此类信息不能设为受限".into(),
            });
        }
        let body = Body::decode(self.kind, &self.body)?;
        body.check(limits)?;
        Ok(body)
    }
}
