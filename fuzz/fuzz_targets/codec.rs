//! `codec::decode`, the one bincode configuration everything signed,
//! hashed or sent goes through, checked against its own contract: input
//! over the caller's limit (or the hard limit) is refused before a byte is
//! read, trailing bytes are refused, and what decodes round-trips.
//!
//! Input: one byte choosing the type (a struct using every serde shape the
//! protocol uses, or one of the protocol's own wire types not covered by
//! another target), one byte scaling the caller's limit, then the bytes.

use std::fmt::Debug;

use liandong_fuzz::round_trip;
use liandong_fuzz::shapes::Shapes;
use liandong_protocol::bundle::Manifest;
use liandong_protocol::codec::{self, DecodeError};
use liandong_protocol::limits::HARD_MAX_ENCODED_BYTES;
use liandong_protocol::net::Hello;
use liandong_protocol::trust::{CertFile, Root};
use liandong_protocol::{
    AuthorityPolicy, Hlc, Interest, LedgerDigest, Limits, RegionCode, Selector, UnitType,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

fn check<T>(bytes: &[u8], max: usize)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let limit = max.min(HARD_MAX_ENCODED_BYTES);
    match codec::decode::<T>(bytes, max) {
        Ok(value) => {
            assert!(bytes.len() <= limit);
            round_trip(&value, codec::encode, |b| codec::decode::<T>(b, usize::MAX));
        }
        Err(DecodeError::TooLarge { size, max }) => {
            assert_eq!((size, max), (bytes.len(), limit));
        }
        Err(DecodeError::TrailingBytes(n)) => assert!(n > 0 && n <= bytes.len()),
        Err(DecodeError::Undecodable(_)) => assert!(bytes.len() <= limit),
    }
}

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let [ty, scale, bytes @ ..] = data else {
            return;
        };
        // 255 means no caller limit (the hard limit applies); otherwise a
        // limit around the input's length, so both sides of it are hit.
        let max = match scale {
            255 => usize::MAX,
            s => (bytes.len() + 8).saturating_sub(usize::from(s % 16)),
        };
        match ty % 12 {
            0 => check::<Shapes>(bytes, max),
            1 => check::<Hlc>(bytes, max),
            2 => check::<RegionCode>(bytes, max),
            3 => check::<Interest>(bytes, max),
            4 => check::<Selector>(bytes, max),
            5 => check::<Hello>(bytes, max),
            6 => check::<LedgerDigest>(bytes, max),
            7 => check::<Limits>(bytes, max),
            8 => check::<AuthorityPolicy>(bytes, max),
            9 => check::<Manifest>(bytes, max),
            10 => check::<(Root, UnitType)>(bytes, max),
            _ => check::<CertFile>(bytes, max),
        }
    });
}
