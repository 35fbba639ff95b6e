//! Messages posts exchange over request-response streams
//! (`/liandong/sync/1`), and their limits.
//!
//! Gossip carries bare entry bytes; everything else — the hello that opens
//! a connection, set reconciliation, fetching and pushing entries — is one
//! of these requests with one response. Every frame is length-prefixed and
//! refused before decoding when it is over [`MAX_FRAME_BYTES`].

use serde::{Deserialize, Serialize};

use crate::codec::{self, DecodeError, EncodeError};
use crate::hlc::Hlc;
use crate::ids::{NetworkId, NodeId};
use crate::interest::{Interest, MAX_SELECTORS};
use crate::region::RegionCode;

/// The request-response protocol name.
pub const SYNC_PROTOCOL: &str = "/liandong/sync/1";
/// Largest request or response frame.
pub const MAX_FRAME_BYTES: usize = 4 * 1024 * 1024;
/// Most ids in one fetch request.
pub const MAX_FETCH_IDS: usize = 1024;
/// Most entries one fetched id prefix answers with: a peer cannot turn a
/// crafted prefix collision into a large answer.
pub const MAX_PREFIX_MATCHES: usize = 4;
/// Most entries in one response or push (also bounded by the frame size).
pub const MAX_BATCH_ENTRIES: usize = 1024;
/// Most seqs one chain-gap fetch may ask for.
pub const MAX_CHAIN_FETCH: u64 = 256;
/// Largest negentropy message a post sends (its frame size limit).
pub const MAX_RECONCILE_BYTES: usize = 512 * 1024;

/// What a post says about itself when a connection opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    pub network: NetworkId,
    pub node: NodeId,
    pub region: RegionCode,
    pub interest: Interest,
    /// The post's latest self-description entry, so the peer can show who
    /// it is talking to before any sync.
    pub profile: Option<Vec<u8>>,
    /// Newest entry time the post holds, for "last heard" displays.
    pub newest: Hlc,
    /// The post's certificate chain (wire bytes, root first): how a peer
    /// decides to admit it. `None` when uncertified or in a network without
    /// a genesis.
    pub chain: Option<Vec<Vec<u8>>>,
    /// Certificates this post holds about the *other* post (a parent that
    /// certified a newcomer hands over its chain when the newcomer
    /// connects).
    pub for_you: Vec<Vec<u8>>,
}

/// Most certificates in a hello's chain or `for_you`.
pub const MAX_HELLO_CHAIN: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    Hello(Hello),
    /// One round of set reconciliation over the entries both posts hold
    /// (`interest` is the intersection the initiator computed). `session`
    /// lets the responder reuse its item list across rounds.
    Reconcile {
        session: u64,
        interest: Interest,
        message: Vec<u8>,
    },
    /// Entries by the first 8 bytes of their ids, as in `Offer`: a quarter
    /// of the bytes of full ids, which is most of what a sync costs beyond
    /// the entries themselves. The answer holds every stored entry (up to
    /// [`MAX_PREFIX_MATCHES`]) whose id starts so; an entry that comes
    /// along by a prefix collision is validated and stored like any other.
    Fetch {
        prefixes: Vec<[u8; 8]>,
    },
    /// An author's entries `from..=to` by seq (filling a chain gap).
    FetchChain {
        author: NodeId,
        from: u64,
        to: u64,
    },
    /// Entries the sender thinks the receiver lacks.
    Push {
        entries: Vec<Vec<u8>>,
    },
    /// The certificate chain of a post (root first): asked when an entry's
    /// author is certified by posts outside the asker's interest.
    Chain {
        node: NodeId,
    },
    /// Entries the sender holds and thinks the receiver lacks, named by
    /// the first 8 bytes of their ids; the receiver answers with the ones
    /// it wants pushed (not held, not on their way from another peer), so
    /// no entry crosses the link for nothing. (A prefix collision can only
    /// make the receiver decline an entry it lacks; the next
    /// reconciliation, on full ids, brings it.)
    Offer {
        prefixes: Vec<[u8; 8]>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    Hello(Hello),
    Reconcile {
        message: Vec<u8>,
    },
    Entries {
        entries: Vec<Vec<u8>>,
    },
    Pushed {
        added: u32,
        rejected: u32,
    },
    Refused {
        reason: RefusalReason,
        detail: String,
    },
    /// Positions, in the offer, of the entries the receiver wants.
    Wanted {
        indexes: Vec<u32>,
    },
}

/// Why a request was refused; the session ends, the connection stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefusalReason {
    WrongNetwork,
    /// No valid certificate chain (or not allowed to ask this).
    Unauthorised,
    TooMany,
    Throttled,
    Malformed,
    Unavailable,
}

/// A frame that decoded but breaks a limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("{what}: {count} items, over the limit of {max}")]
    OverLimit {
        what: &'static str,
        count: usize,
        max: usize,
    },
}

fn check(what: &'static str, count: usize, max: usize) -> Result<(), FrameError> {
    if count > max {
        Err(FrameError::OverLimit { what, count, max })
    } else {
        Ok(())
    }
}

impl Hello {
    fn check(&self) -> Result<(), FrameError> {
        check(
            "interest selectors",
            self.interest.selectors().len(),
            MAX_SELECTORS,
        )
    }
}

impl Request {
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        codec::encode(self)
    }

    pub fn decode(bytes: &[u8]) -> Result<Request, FrameError> {
        let req: Request = codec::decode(bytes, MAX_FRAME_BYTES)?;
        match &req {
            Request::Hello(h) => h.check()?,
            Request::Reconcile {
                interest, message, ..
            } => {
                check(
                    "interest selectors",
                    interest.selectors().len(),
                    MAX_SELECTORS,
                )?;
                check(
                    "reconcile message bytes",
                    message.len(),
                    MAX_RECONCILE_BYTES,
                )?;
            }
            Request::Fetch { prefixes } => check("fetch ids", prefixes.len(), MAX_FETCH_IDS)?,
            Request::FetchChain { from, to, .. } => {
                let span = to.saturating_sub(*from).saturating_add(1);
                check(
                    "chain fetch span",
                    usize::try_from(span).unwrap_or(usize::MAX),
                    MAX_CHAIN_FETCH as usize,
                )?;
            }
            Request::Push { entries } => check("pushed entries", entries.len(), MAX_BATCH_ENTRIES)?,
            Request::Chain { .. } => {}
            Request::Offer { prefixes } => check("offered ids", prefixes.len(), MAX_FETCH_IDS)?,
        }
        Ok(req)
    }
}

impl Response {
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        codec::encode(self)
    }

    pub fn decode(bytes: &[u8]) -> Result<Response, FrameError> {
        let resp: Response = codec::decode(bytes, MAX_FRAME_BYTES)?;
        match &resp {
            Response::Hello(h) => h.check()?,
            Response::Reconcile { message } => check(
                "reconcile message bytes",
                message.len(),
                MAX_RECONCILE_BYTES,
            )?,
            Response::Entries { entries } => check("entries", entries.len(), MAX_BATCH_ENTRIES)?,
            Response::Wanted { indexes } => check("wanted ids", indexes.len(), MAX_FETCH_IDS)?,
            Response::Pushed { .. } | Response::Refused { .. } => {}
        }
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip_and_limits_hold() {
        let req = Request::Fetch {
            prefixes: vec![[1; 8]; 3],
        };
        assert_eq!(Request::decode(&req.encode().expect("encode")), Ok(req));
        let too_many = Request::Fetch {
            prefixes: vec![[1; 8]; MAX_FETCH_IDS + 1],
        };
        assert!(matches!(
            Request::decode(&too_many.encode().expect("encode")),
            Err(FrameError::OverLimit {
                what: "fetch ids",
                ..
            })
        ));
        let span = Request::FetchChain {
            author: NodeId([0; 32]),
            from: 1,
            to: u64::MAX,
        };
        assert!(Request::decode(&span.encode().expect("encode")).is_err());
    }

    #[test]
    fn garbage_frames_are_errors() {
        assert!(Request::decode(&[0xff; 10]).is_err());
        assert!(Response::decode(&[]).is_err());
        let ok = Response::Pushed {
            added: 1,
            rejected: 0,
        }
        .encode()
        .expect("encode");
        let mut trailing = ok.clone();
        trailing.push(0);
        assert!(Response::decode(&trailing).is_err());
    }
}
