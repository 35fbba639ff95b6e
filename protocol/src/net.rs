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

/// The request-response protocol name. Version 2 paces bulk transfers
/// (`Reconcile::frame_limit`, `Fetch::max_bytes`) and adds notices; posts
/// of versions 1 and 2 still gossip with each other but do not sync, so a
/// network upgrades all its posts (docs/network.md).
pub const SYNC_PROTOCOL: &str = "/liandong/sync/2";
/// Largest request or response frame: the codec's own ceiling, so that
/// every frame a post builds is one its peer's decoder accepts.
pub const MAX_FRAME_BYTES: usize = crate::limits::HARD_MAX_ENCODED_BYTES;
/// What a batch frame (a `Push` request, an `Entries` response) spends
/// besides its entries: the variant tag and the list's length (bincode
/// varints of at most 9 bytes each), rounded up.
pub const BATCH_FRAME_OVERHEAD: usize = 32;
/// What one entry adds to a batch frame beyond its own bytes: its length
/// prefix (a bincode varint, at most 9 bytes).
pub const BATCH_ENTRY_OVERHEAD: usize = 9;
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
/// Smallest frame limit a reconciliation may ask for (negentropy's own
/// minimum).
pub const MIN_RECONCILE_BYTES: usize = 4 * 1024;

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
/// Largest entry a hello carries (certificates and the profile are small):
/// a hello arrives before its sender is admitted, so what it may cost to
/// check stays small.
pub const MAX_HELLO_ENTRY_BYTES: usize = 16 * 1024;
/// Longest reason text in a notice, in bytes.
pub const MAX_NOTICE_TEXT_BYTES: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    Hello(Hello),
    /// One round of set reconciliation over the entries both posts hold
    /// (`interest` is the intersection the initiator computed). `session`
    /// lets the responder reuse its item list across rounds. The answer
    /// stays within `frame_limit` bytes (clamped to
    /// [`MIN_RECONCILE_BYTES`]..=[`MAX_RECONCILE_BYTES`]): on a thin link
    /// the initiator asks for small answers, so urgent traffic never waits
    /// long behind them.
    Reconcile {
        session: u64,
        interest: Interest,
        message: Vec<u8>,
        frame_limit: u32,
    },
    /// Entries by the first 8 bytes of their ids, as in `Offer`: a quarter
    /// of the bytes of full ids, which is most of what a sync costs beyond
    /// the entries themselves. The answer holds every stored entry (up to
    /// [`MAX_PREFIX_MATCHES`]) whose id starts so; an entry that comes
    /// along by a prefix collision is validated and stored like any other.
    Fetch {
        prefixes: Vec<[u8; 8]>,
        /// The answer carries at most this many bytes of entries (at least
        /// one entry), so that on a thin link it takes little time; the
        /// asker asks again for what did not fit.
        max_bytes: u32,
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
    /// News the receiver should hear from the sender (answered `Noted`).
    Notice(Notice),
}

/// One-way news from one post to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notice {
    /// The sender is about to close the connection and refuse the receiver
    /// until `until_ms` (wall clock, ms), for the reason given — so the
    /// banned post can say so in its own log and status.
    Banned { until_ms: u64, reason: String },
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
    /// A notice was received.
    Noted,
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
    /// The sender refuses the asker for a while (see [`Notice::Banned`]).
    Banned,
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
        )?;
        let chain = self.chain.as_deref().unwrap_or_default();
        check("hello chain certificates", chain.len(), MAX_HELLO_CHAIN)?;
        check(
            "hello certificates for the peer",
            self.for_you.len(),
            MAX_HELLO_CHAIN,
        )?;
        let largest = chain
            .iter()
            .chain(&self.for_you)
            .chain(&self.profile)
            .map(Vec::len)
            .max()
            .unwrap_or(0);
        check("hello entry bytes", largest, MAX_HELLO_ENTRY_BYTES)
    }
}

impl Notice {
    fn check(&self) -> Result<(), FrameError> {
        match self {
            Notice::Banned { reason, .. } => {
                check("notice text bytes", reason.len(), MAX_NOTICE_TEXT_BYTES)
            }
        }
    }
}

/// Splits entries, in order, into batches that each encode within
/// `max_bytes` (never more than [`MAX_FRAME_BYTES`]) and
/// [`MAX_BATCH_ENTRIES`] — the one rule both the sender of a `Push` or an
/// `Entries` answer and the receiver's decoder go by. An entry larger than
/// `max_bytes` travels alone (entries are at most
/// `limits::MAX_ENTRY_CEILING`, well within a frame).
pub fn split_batches(wires: Vec<Vec<u8>>, max_bytes: usize) -> Vec<Vec<Vec<u8>>> {
    let budget = max_bytes.clamp(BATCH_FRAME_OVERHEAD + 1, MAX_FRAME_BYTES) - BATCH_FRAME_OVERHEAD;
    let mut out: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut current: Vec<Vec<u8>> = Vec::new();
    let mut size = 0;
    for w in wires {
        let cost = w.len() + BATCH_ENTRY_OVERHEAD;
        if !current.is_empty() && (size + cost > budget || current.len() >= MAX_BATCH_ENTRIES) {
            out.push(std::mem::take(&mut current));
            size = 0;
        }
        size += cost;
        current.push(w);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
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
                interest,
                message,
                frame_limit,
                ..
            } => {
                check(
                    "reconcile frame limit",
                    *frame_limit as usize,
                    MAX_RECONCILE_BYTES,
                )?;
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
            Request::Fetch { prefixes, .. } => check("fetch ids", prefixes.len(), MAX_FETCH_IDS)?,
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
            Request::Notice(n) => n.check()?,
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
            Response::Pushed { .. } | Response::Refused { .. } | Response::Noted => {}
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
            max_bytes: 4096,
        };
        assert_eq!(Request::decode(&req.encode().expect("encode")), Ok(req));
        let too_many = Request::Fetch {
            prefixes: vec![[1; 8]; MAX_FETCH_IDS + 1],
            max_bytes: 4096,
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

    /// The largest offer a cascade sends (`MAX_FETCH_IDS` owed ids, the
    /// node's `MAX_OWED_IDS`) decodes; one id more is refused.
    #[test]
    fn an_offer_of_the_bound_decodes_and_one_more_is_refused() {
        let at_bound = Request::Offer {
            prefixes: vec![[2; 8]; MAX_FETCH_IDS],
        };
        assert_eq!(
            Request::decode(&at_bound.encode().expect("encode")),
            Ok(at_bound)
        );
        let over = Request::Offer {
            prefixes: vec![[2; 8]; MAX_FETCH_IDS + 1],
        };
        assert!(matches!(
            Request::decode(&over.encode().expect("encode")),
            Err(FrameError::OverLimit {
                what: "offered ids",
                ..
            })
        ));
    }

    /// The largest batch a sender builds is one the receiver's decoder
    /// accepts: maximum-size entries, packed to the frame limit.
    #[test]
    fn the_largest_batch_frame_decodes() {
        use crate::limits::MAX_ENTRY_CEILING;
        for entry_len in [MAX_ENTRY_CEILING, 64 * 1024, 1000, 1] {
            let n = (2 * MAX_FRAME_BYTES / (entry_len + BATCH_ENTRY_OVERHEAD)).min(3000);
            let wires = vec![vec![0xA5_u8; entry_len]; n];
            let batches = split_batches(wires, MAX_FRAME_BYTES);
            assert!(batches.len() >= 2, "{entry_len}: the limit was reached");
            assert_eq!(batches.iter().map(Vec::len).sum::<usize>(), n);
            for entries in batches {
                let count = entries.len();
                let push = Request::Push { entries };
                let bytes = push.encode().expect("encode");
                assert!(bytes.len() <= MAX_FRAME_BYTES, "{entry_len} × {count}");
                assert_eq!(Request::decode(&bytes), Ok(push.clone()));
                let Request::Push { entries } = push else {
                    unreachable!()
                };
                let answer = Response::Entries { entries };
                let bytes = answer.encode().expect("encode");
                assert!(bytes.len() <= MAX_FRAME_BYTES);
                assert_eq!(Response::decode(&bytes), Ok(answer));
            }
        }
        // One byte over the limit is refused before decoding.
        let over = vec![0u8; MAX_FRAME_BYTES + 1];
        assert!(matches!(
            Request::decode(&over),
            Err(FrameError::Decode(DecodeError::TooLarge { .. }))
        ));
    }

    #[test]
    fn small_budgets_pace_batches_and_big_entries_travel_alone() {
        let wires = vec![vec![1u8; 3000]; 10];
        let batches = split_batches(wires, 8 * 1024);
        assert!(
            batches.iter().all(|b| b.len() == 2),
            "{:?}",
            batches.iter().map(Vec::len).collect::<Vec<_>>()
        );
        let big = split_batches(vec![vec![2u8; 100_000], vec![3u8; 10]], 8 * 1024);
        assert_eq!(big.len(), 2);
    }

    #[test]
    fn hellos_over_their_caps_are_refused() {
        let hello = |chain: Vec<Vec<u8>>| Hello {
            network: NetworkId([1; 32]),
            node: NodeId([2; 32]),
            region: "65".parse().expect("region"),
            interest: Interest::everything(),
            profile: None,
            newest: Hlc::ZERO,
            chain: Some(chain),
            for_you: Vec::new(),
        };
        let ok = Request::Hello(hello(vec![vec![0; 100]; MAX_HELLO_CHAIN]));
        assert!(Request::decode(&ok.encode().expect("encode")).is_ok());
        let long = Request::Hello(hello(vec![vec![0; 100]; MAX_HELLO_CHAIN + 1]));
        assert!(Request::decode(&long.encode().expect("encode")).is_err());
        let fat = Request::Hello(hello(vec![vec![0; MAX_HELLO_ENTRY_BYTES + 1]]));
        assert!(Request::decode(&fat.encode().expect("encode")).is_err());
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
