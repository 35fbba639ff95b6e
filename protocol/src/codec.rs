//! The one place that turns values into bytes and back.
//!
//! bincode 2.0.1 with the standard configuration (little-endian, variable
//! length integers) and a hard byte limit. Everything that is signed, hashed
//! or sent goes through [`encode`] and [`decode`]; no other module calls
//! bincode. Decoding refuses inputs over the caller's limit before reading a
//! byte, and refuses trailing bytes after the value.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::limits::HARD_MAX_ENCODED_BYTES;

type Config = bincode::config::Configuration<
    bincode::config::LittleEndian,
    bincode::config::Varint,
    bincode::config::Limit<HARD_MAX_ENCODED_BYTES>,
>;

const CONFIG: Config = bincode::config::standard().with_limit::<HARD_MAX_ENCODED_BYTES>();

/// Why bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("{size} bytes is over the limit of {max}")]
    TooLarge { size: usize, max: usize },
    #[error("undecodable: {0}")]
    Undecodable(String),
    #[error("{0} trailing bytes after the value")]
    TrailingBytes(usize),
}

/// Why a value could not be encoded (only when it breaks the hard limit).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot encode: {0}")]
pub struct EncodeError(pub String);

/// Encodes a value canonically.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, EncodeError> {
    bincode::serde::encode_to_vec(value, CONFIG).map_err(|e| EncodeError(e.to_string()))
}

/// Decodes exactly one value from `bytes`, which must not be longer than
/// `max_bytes` and must hold nothing after the value.
pub fn decode<T: DeserializeOwned>(bytes: &[u8], max_bytes: usize) -> Result<T, DecodeError> {
    let max = max_bytes.min(HARD_MAX_ENCODED_BYTES);
    if bytes.len() > max {
        return Err(DecodeError::TooLarge {
            size: bytes.len(),
            max,
        });
    }
    let (value, used) = bincode::serde::decode_from_slice(bytes, CONFIG)
        .map_err(|e| DecodeError::Undecodable(e.to_string()))?;
    if used != bytes.len() {
        return Err(DecodeError::TrailingBytes(bytes.len() - used));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_trailing_bytes() {
        let v = (7u64, String::from("西戈壁村"), vec![1u8, 2, 3]);
        let bytes = encode(&v).expect("encode");
        let back: (u64, String, Vec<u8>) = decode(&bytes, 1024).expect("decode");
        assert_eq!(back, v);
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            decode::<(u64, String, Vec<u8>)>(&longer, 1024),
            Err(DecodeError::TrailingBytes(1))
        );
    }

    #[test]
    fn size_is_checked_before_decoding() {
        let bytes = vec![0u8; 100];
        assert_eq!(
            decode::<u8>(&bytes, 10),
            Err(DecodeError::TooLarge { size: 100, max: 10 })
        );
    }

    #[test]
    fn forged_length_prefix_does_not_allocate() {
        // A Vec<u8> claiming u64::MAX elements: varint tag 253 + 8 bytes.
        let mut bytes = vec![253u8];
        bytes.extend_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(
            decode::<Vec<u8>>(&bytes, 1024),
            Err(DecodeError::Undecodable(_))
        ));
    }
}
