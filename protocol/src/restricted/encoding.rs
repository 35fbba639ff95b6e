//! Serde forms shared by the restricted types: fixed byte arrays and byte
//! strings are raw bytes on the wire and hex in JSON; bounded lists stop
//! decoding at their limit instead of after it.
//!
//! serde derives arrays only up to 32 elements, and the envelope carries
//! 48-byte wrapped keys; these forms write any `[u8; N]` exactly as serde
//! writes a small array (a tuple: N bytes, no length prefix, in bincode).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};

/// `[u8; N]`: N raw bytes in bincode, lowercase hex in JSON.
pub(crate) mod fixed {
    use super::*;

    pub fn serialize<S: Serializer, const N: usize>(
        bytes: &[u8; N],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            return serializer.serialize_str(&hex::encode(bytes));
        }
        let mut t = serializer.serialize_tuple(N)?;
        for b in bytes {
            t.serialize_element(b)?;
        }
        t.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        deserializer: D,
    ) -> Result<[u8; N], D::Error> {
        if deserializer.is_human_readable() {
            let text = String::deserialize(deserializer)?;
            let mut out = [0u8; N];
            hex::decode_to_slice(text.trim(), &mut out).map_err(|e| {
                de::Error::custom(format!("expected {} hex characters: {e}", 2 * N))
            })?;
            return Ok(out);
        }
        deserializer.deserialize_tuple(N, ArrayVisitor::<N>)
    }

    struct ArrayVisitor<const N: usize>;

    impl<'de, const N: usize> Visitor<'de> for ArrayVisitor<N> {
        type Value = [u8; N];

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{N} bytes")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<[u8; N], A::Error> {
            let mut out = [0u8; N];
            for (i, slot) in out.iter_mut().enumerate() {
                *slot = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(i, &self))?;
            }
            Ok(out)
        }
    }
}

/// `Vec<u8>`: a length-prefixed byte string in bincode, hex in JSON.
pub(crate) mod bytes {
    use super::*;

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(&hex::encode(bytes))
        } else {
            serde_bytes::Bytes::new(bytes).serialize(serializer)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        if deserializer.is_human_readable() {
            let text = String::deserialize(deserializer)?;
            hex::decode(text.trim()).map_err(de::Error::custom)
        } else {
            serde_bytes::ByteBuf::deserialize(deserializer).map(|b| b.into_vec())
        }
    }
}

/// A list of at most `MAX` items: decoding fails at item `MAX + 1`, before
/// it is read, so a forged count cannot make the decoder build a longer
/// list than the check would accept. The wire form is a plain `Vec<T>`.
pub(crate) struct Bounded<const MAX: usize>;

impl<const MAX: usize> Bounded<MAX> {
    pub fn serialize<S: Serializer, T: Serialize>(
        items: &[T],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(items.len()))?;
        for item in items {
            seq.serialize_element(item)?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        deserializer: D,
    ) -> Result<Vec<T>, D::Error> {
        deserializer.deserialize_seq(BoundedVisitor::<MAX, T>(PhantomData))
    }
}

struct BoundedVisitor<const MAX: usize, T>(PhantomData<T>);

impl<'de, const MAX: usize, T: Deserialize<'de>> Visitor<'de> for BoundedVisitor<MAX, T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of at most {MAX} items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        if let Some(n) = seq.size_hint()
            && n > MAX
        {
            return Err(de::Error::invalid_length(n, &self));
        }
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX));
        while let Some(item) = seq.next_element()? {
            if out.len() == MAX {
                return Err(de::Error::invalid_length(MAX + 1, &self));
            }
            out.push(item);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Probe {
        #[serde(with = "fixed")]
        wide: [u8; 48],
        #[serde(with = "bytes")]
        text: Vec<u8>,
        #[serde(
            serialize_with = "Bounded::<3>::serialize",
            deserialize_with = "Bounded::<3>::deserialize"
        )]
        list: Vec<u16>,
    }

    #[test]
    fn wire_forms_round_trip_and_lists_stop_at_their_bound() {
        let p = Probe {
            wide: [7; 48],
            text: b"abc".to_vec(),
            list: vec![1, 2, 3],
        };
        let bin = codec::encode(&p).expect("encode");
        // 48 bytes with no length prefix, then 1 + 3, then 1 + 3.
        assert_eq!(bin.len(), 48 + 4 + 4);
        assert_eq!(codec::decode::<Probe>(&bin, bin.len()), Ok(p));

        let json = serde_json::to_string(&Probe {
            wide: [0xab; 48],
            text: vec![1, 2],
            list: vec![],
        })
        .expect("json");
        assert!(json.contains(&"ab".repeat(48)), "{json}");
        assert!(json.contains("\"0102\""), "{json}");

        let over = (
            vec![9u8; 48],
            serde_bytes::ByteBuf::from(vec![]),
            vec![1u16, 2, 3, 4],
        );
        let mut bin = Vec::new();
        for b in &over.0 {
            bin.push(*b);
        }
        bin.extend(codec::encode(&over.1).expect("bytes"));
        bin.extend(codec::encode(&over.2).expect("list"));
        assert!(codec::decode::<Probe>(&bin, bin.len()).is_err());
    }
}
