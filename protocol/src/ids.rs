//! Fixed-size identifiers: who wrote an entry, which entry, which network.
//!
//! All three are 32 bytes. On the wire (bincode) they are the raw bytes; in
//! human-readable formats (JSON, TOML, logs) they are lowercase hex.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Why a hex identifier could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdParseError {
    #[error("expected 64 hex characters, found {0}")]
    WrongLength(usize),
    #[error("not hexadecimal: {0}")]
    NotHex(String),
}

macro_rules! id32 {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; 32]);

        impl $name {
            pub const fn from_bytes(bytes: [u8; 32]) -> Self {
                Self(bytes)
            }

            pub const fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }

            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }

            /// The first 8 hex characters, for tables and log lines.
            pub fn short(&self) -> String {
                hex::encode(&self.0[..4])
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.short())
            }
        }

        impl FromStr for $name {
            type Err = IdParseError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let s = s.trim();
                if s.len() != 64 {
                    return Err(IdParseError::WrongLength(s.len()));
                }
                let mut out = [0u8; 32];
                hex::decode_to_slice(s, &mut out)
                    .map_err(|e| IdParseError::NotHex(e.to_string()))?;
                Ok(Self(out))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if serializer.is_human_readable() {
                    serializer.serialize_str(&self.to_hex())
                } else {
                    self.0.serialize(serializer)
                }
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                if deserializer.is_human_readable() {
                    struct HexVisitor;
                    impl Visitor<'_> for HexVisitor {
                        type Value = $name;
                        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                            f.write_str("64 hex characters")
                        }
                        fn visit_str<E: de::Error>(self, v: &str) -> Result<$name, E> {
                            v.parse().map_err(E::custom)
                        }
                    }
                    deserializer.deserialize_str(HexVisitor)
                } else {
                    <[u8; 32]>::deserialize(deserializer).map(Self)
                }
            }
        }
    };
}

id32!(
    /// A post's ed25519 public key: the author of entries.
    NodeId
);
id32!(
    /// The BLAKE3 hash of an entry's complete wire bytes (signature included).
    EntryId
);
id32!(
    /// Which network an entry belongs to. Entries of another network are refused.
    NetworkId
);
id32!(
    /// The BLAKE3 hash of a file an entry refers to (an attachment).
    ContentHash
);

impl ContentHash {
    /// The hash of a file's bytes.
    pub fn of(bytes: &[u8]) -> Self {
        Self(*blake3::hash(bytes).as_bytes())
    }
}

impl NetworkId {
    /// A network id derived from a name, for networks without a genesis
    /// (development and single-post use). The trust layer derives the id of a
    /// real network from its genesis instead.
    pub fn from_name(name: &str) -> Self {
        Self(blake3::derive_key(
            "liandong network name v1",
            name.as_bytes(),
        ))
    }
}

impl EntryId {
    /// The first 8 bytes: enough to name an entry within one exchange.
    pub fn prefix(&self) -> [u8; 8] {
        let mut p = [0u8; 8];
        p.copy_from_slice(&self.0[..8]);
        p
    }

    /// The id of an entry is the hash of its exact wire bytes.
    pub fn of_wire_bytes(bytes: &[u8]) -> Self {
        Self(*blake3::hash(bytes).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let id = EntryId([7u8; 32]);
        let s = id.to_string();
        assert_eq!(s.len(), 64);
        assert_eq!(s.parse::<EntryId>(), Ok(id));
        assert_eq!(id.short(), "07070707");
    }

    #[test]
    fn parse_errors_are_specific() {
        assert_eq!("abc".parse::<NodeId>(), Err(IdParseError::WrongLength(3)));
        let bad = "zz".repeat(32);
        assert!(matches!(
            bad.parse::<NodeId>(),
            Err(IdParseError::NotHex(_))
        ));
    }

    #[test]
    fn json_is_hex() {
        let id = NodeId([0xab; 32]);
        let json = serde_json::to_string(&id).expect("serialize");
        assert_eq!(json, format!("\"{}\"", "ab".repeat(32)));
        let back: NodeId = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, id);
    }

    #[test]
    fn network_ids_differ_by_name() {
        assert_ne!(NetworkId::from_name("a"), NetworkId::from_name("b"));
        assert_eq!(NetworkId::from_name("a"), NetworkId::from_name("a"));
    }
}
