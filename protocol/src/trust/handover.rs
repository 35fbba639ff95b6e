//! Handing a certificate request over the network
//! (`/liandong/cert-request/1`): a newcomer — not certified, so not
//! admitted to gossip or sync — asks a parent post to keep its signed
//! request, and later asks whether it has been answered.
//!
//! ```text
//! frame = length (u32, big-endian) || codec(CertAsk | CertAnswer)
//! ```
//!
//! Each direction has one frame limit, used by the side that writes a
//! frame and by the side that reads it, and checked before anything is
//! read or allocated: an ask carries at most a request file
//! ([`MAX_ASK_FRAME_BYTES`]), an answer at most a certificate file
//! ([`MAX_ANSWER_FRAME_BYTES`]).

use serde::{Deserialize, Serialize};

use crate::codec::{self, DecodeError, EncodeError};
use crate::ids::NodeId;
use crate::net::MAX_HELLO_ENTRY_BYTES;
use crate::trust::certfile::MAX_CHAIN_ENTRIES;
use crate::trust::genesis::MAX_GENESIS_BYTES;
use crate::trust::request::MAX_REQUEST_BYTES;

pub const CERT_REQUEST_PROTOCOL: &str = "/liandong/cert-request/1";

/// Largest ask frame: a request file, its length prefix and the variant
/// tag (bincode varints), with room.
pub const MAX_ASK_FRAME_BYTES: usize = MAX_REQUEST_BYTES + 64;
/// Largest answer frame: a certificate file — the signed genesis and a
/// chain of certificates no larger than those a hello may carry — and its
/// framing (magic, lengths, tags).
pub const MAX_ANSWER_FRAME_BYTES: usize =
    MAX_GENESIS_BYTES + MAX_CHAIN_ENTRIES * (MAX_HELLO_ENTRY_BYTES + 16) + 256;
/// Longest refusal text, in bytes.
pub const MAX_REFUSAL_TEXT_BYTES: usize = 1024;

/// What a newcomer asks of a parent post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CertAsk {
    /// Keep this signed request file (`trust::request`) for the operator.
    Submit {
        #[serde(with = "serde_bytes")]
        request: Vec<u8>,
    },
    /// Has the request of `subject` been answered? The answer holds only
    /// certificates, which travel to every post of the subtree anyway.
    Poll { subject: NodeId },
}

/// The parent post's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CertAnswer {
    /// The request is kept, waiting for the operator; `waiting` requests
    /// are in this post's queue now.
    Received { waiting: u32 },
    /// Known here and not issued yet.
    Pending,
    /// Issued: the certificate file (`trust::certfile`), chain and genesis.
    Issued {
        #[serde(with = "serde_bytes")]
        file: Vec<u8>,
    },
    /// No request of that key here.
    Unknown,
    Refused {
        reason: HandoverRefusal,
        detail: String,
    },
}

/// Why an ask was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HandoverRefusal {
    /// Not a valid signed request, or for another network.
    Invalid,
    /// This post cannot certify that request (not its subtree, or it may
    /// certify nobody).
    NotHere,
    /// The queue is full (for everyone, or for the asker's address).
    Full,
    /// Too many asks at once.
    Throttled,
    /// This post's store cannot serve it now.
    Unavailable,
}

impl HandoverRefusal {
    pub fn label(self) -> &'static str {
        match self {
            HandoverRefusal::Invalid => "invalid",
            HandoverRefusal::NotHere => "not_here",
            HandoverRefusal::Full => "full",
            HandoverRefusal::Throttled => "throttled",
            HandoverRefusal::Unavailable => "unavailable",
        }
    }
}

/// A frame that decoded but breaks a limit, or did not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandoverError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("{what} of {len} bytes is over the limit of {max}")]
    TooLarge {
        what: &'static str,
        len: usize,
        max: usize,
    },
}

fn within(what: &'static str, len: usize, max: usize) -> Result<(), HandoverError> {
    if len > max {
        Err(HandoverError::TooLarge { what, len, max })
    } else {
        Ok(())
    }
}

impl CertAsk {
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        codec::encode(self)
    }

    /// Decodes an ask frame's body (its length already checked against
    /// [`MAX_ASK_FRAME_BYTES`] by the reader; checked again here).
    pub fn decode(bytes: &[u8]) -> Result<CertAsk, HandoverError> {
        within("ask frame", bytes.len(), MAX_ASK_FRAME_BYTES)?;
        let ask: CertAsk = codec::decode(bytes, MAX_ASK_FRAME_BYTES)?;
        if let CertAsk::Submit { request } = &ask {
            within("request", request.len(), MAX_REQUEST_BYTES)?;
        }
        Ok(ask)
    }
}

impl CertAnswer {
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        codec::encode(self)
    }

    pub fn decode(bytes: &[u8]) -> Result<CertAnswer, HandoverError> {
        within("answer frame", bytes.len(), MAX_ANSWER_FRAME_BYTES)?;
        let answer: CertAnswer = codec::decode(bytes, MAX_ANSWER_FRAME_BYTES)?;
        if let CertAnswer::Refused { detail, .. } = &answer {
            within("refusal text", detail.len(), MAX_REFUSAL_TEXT_BYTES)?;
        }
        Ok(answer)
    }

    pub fn refused(reason: HandoverRefusal, detail: impl Into<String>) -> CertAnswer {
        let mut detail: String = detail.into();
        if detail.len() > MAX_REFUSAL_TEXT_BYTES {
            let mut cut = MAX_REFUSAL_TEXT_BYTES;
            while !detail.is_char_boundary(cut) {
                cut -= 1;
            }
            detail.truncate(cut);
        }
        CertAnswer::Refused { reason, detail }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_a_full_request_fits_its_frame() {
        let ask = CertAsk::Submit {
            request: vec![7; MAX_REQUEST_BYTES],
        };
        let bytes = ask.encode().expect("encode");
        assert!(bytes.len() <= MAX_ASK_FRAME_BYTES, "{}", bytes.len());
        assert_eq!(CertAsk::decode(&bytes), Ok(ask));

        let poll = CertAsk::Poll {
            subject: NodeId([3; 32]),
        };
        assert_eq!(CertAsk::decode(&poll.encode().expect("encode")), Ok(poll));

        // One byte more than a request file may hold is refused.
        let over = CertAsk::Submit {
            request: vec![7; MAX_REQUEST_BYTES + 1],
        };
        assert!(CertAsk::decode(&over.encode().expect("encode")).is_err());

        let answer = CertAnswer::refused(HandoverRefusal::Full, "满".repeat(1000));
        let back = CertAnswer::decode(&answer.encode().expect("encode")).expect("decode");
        let CertAnswer::Refused { detail, .. } = back else {
            panic!("refused");
        };
        assert!(detail.len() <= MAX_REFUSAL_TEXT_BYTES);
    }
}
