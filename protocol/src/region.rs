//! Statistical region codes (统计用区划代码): the place an entry is about and
//! the area a post is responsible for.
//!
//! A code is a string of digits whose length gives its level: 2 province,
//! 4 prefecture, 6 county (the GB/T 2260 code), 9 township (GB/T 10114),
//! 12 village. `00` stands for the whole country. Codes are hierarchical by
//! prefix: `654203106` (西戈壁镇) lies within `654203` (沙湾市), `6542`
//! (塔城地区) and `65` (新疆).
//!
//! Only the structure is checked here. Whether a code names a place that
//! exists in some year's table is the node's business (codes change: 沙湾县
//! 654223 became 沙湾市 654203 in 2021), so a well-formed unknown code is
//! valid and is kept exactly as written.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::level::Level;

/// The length of the longest (village) code; store keys pad to this.
pub const MAX_REGION_DIGITS: usize = 12;

/// Padding byte for fixed-width keys. Sorts before every digit, so a
/// region's own key sorts before the keys of the regions inside it.
pub const REGION_KEY_PAD: u8 = b'-';

/// A structurally valid region code.
///
/// Kept inline, not as a `String`: every entry, item and post names one,
/// and a start at a million entries cloned each several times (a heap
/// allocation apiece, BENCHMARKS.md "Cold start"). It compares, orders and
/// hashes as its text, and is (de)serialised as its text.
#[derive(Clone)]
pub struct RegionCode {
    /// The digits, then zeros.
    digits: [u8; MAX_REGION_DIGITS],
    len: u8,
}

/// Why a text is not a region code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    #[error("region code is empty / 区划代码为空")]
    Empty,
    #[error("region code {0:?} must contain digits only / 区划代码只能包含数字")]
    NotDigits(String),
    #[error(
        "region code {code:?} has {len} digits; a code has 2 (province), 4 (prefecture), \
         6 (county), 9 (township) or 12 (village) digits / 区划代码位数应为 2、4、6、9 或 12"
    )]
    WrongLength { code: String, len: usize },
    #[error("region code {0:?} does not start with a province code (11–82) / 省级代码无效")]
    BadProvince(String),
    #[error(
        "region code {code:?} is the zero-padded form of {parent}; write {parent} / \
         区划代码 {code} 是 {parent} 的补零写法，请直接写 {parent}"
    )]
    ZeroPadded { code: String, parent: String },
}

/// Digit lengths of the levels below the nation, top-down.
const SEGMENT_ENDS: [usize; 5] = [2, 4, 6, 9, 12];

impl RegionCode {
    /// The code for the whole country.
    pub const NATIONAL: &'static str = "00";

    pub fn national() -> Self {
        Self::from_checked(Self::NATIONAL)
    }

    /// A code from text [`RegionCode::parse`] accepted (or a prefix of
    /// one at a level boundary): ASCII digits, at most 12.
    fn from_checked(code: &str) -> Self {
        let mut digits = [0; MAX_REGION_DIGITS];
        let len = code.len().min(MAX_REGION_DIGITS);
        digits[..len].copy_from_slice(&code.as_bytes()[..len]);
        RegionCode {
            digits,
            // At most 12.
            len: len as u8,
        }
    }

    pub fn parse(text: &str) -> Result<Self, RegionError> {
        let code = text.trim();
        if code.is_empty() {
            return Err(RegionError::Empty);
        }
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegionError::NotDigits(code.to_string()));
        }
        if code == Self::NATIONAL {
            return Ok(Self::national());
        }
        let len = code.len();
        if !SEGMENT_ENDS.contains(&len) {
            return Err(RegionError::WrongLength {
                code: code.to_string(),
                len,
            });
        }
        let province = &code[..2];
        if !("11"..="82").contains(&province) {
            return Err(RegionError::BadProvince(code.to_string()));
        }
        // Every segment after the province must be non-zero: "654200" is how
        // GB/T 2260 pads the prefecture 6542, not a county.
        for pair in SEGMENT_ENDS.windows(2) {
            let (start, end) = (pair[0], pair[1]);
            if end > len {
                break;
            }
            if code[start..end].bytes().all(|b| b == b'0') {
                return Err(RegionError::ZeroPadded {
                    code: code.to_string(),
                    parent: code[..start].to_string(),
                });
            }
        }
        Ok(Self::from_checked(code))
    }

    pub fn as_str(&self) -> &str {
        // ASCII digits by construction: the fallback is never taken.
        std::str::from_utf8(self.digits()).unwrap_or_default()
    }

    fn digits(&self) -> &[u8] {
        &self.digits[..usize::from(self.len)]
    }

    pub fn is_national(&self) -> bool {
        self.digits() == Self::NATIONAL.as_bytes()
    }

    /// The level a post responsible for exactly this region has.
    pub fn level(&self) -> Level {
        match self.len {
            _ if self.is_national() => Level::National,
            2 => Level::Province,
            4 => Level::Prefecture,
            6 => Level::County,
            9 => Level::Township,
            _ => Level::Village,
        }
    }

    /// The region one level up; `None` for the nation.
    pub fn parent(&self) -> Option<RegionCode> {
        if self.is_national() {
            return None;
        }
        let len = usize::from(self.len);
        let parent_len = SEGMENT_ENDS
            .iter()
            .copied()
            .take_while(|&end| end < len)
            .last();
        Some(match parent_len {
            Some(n) => Self::from_checked(&self.as_str()[..n]),
            None => Self::national(),
        })
    }

    /// All regions above this one, nearest first, ending with the nation.
    pub fn ancestors(&self) -> Vec<RegionCode> {
        let mut out = Vec::new();
        let mut cur = self.parent();
        while let Some(code) = cur {
            cur = code.parent();
            out.push(code);
        }
        out
    }

    /// True when this region is `subtree` itself or lies inside it.
    pub fn is_within(&self, subtree: &RegionCode) -> bool {
        subtree.is_national()
            || (!self.is_national() && self.digits().starts_with(subtree.digits()))
    }

    /// The byte prefix shared by the fixed-width keys of every region in this
    /// subtree (empty for the nation).
    pub fn subtree_key_prefix(&self) -> &[u8] {
        if self.is_national() {
            &[]
        } else {
            self.digits()
        }
    }

    /// A fixed-width, order-preserving key: the digits padded to 12 bytes.
    /// The nation is all padding, so it sorts first.
    pub fn key(&self) -> [u8; MAX_REGION_DIGITS] {
        let mut key = [REGION_KEY_PAD; MAX_REGION_DIGITS];
        let digits = self.subtree_key_prefix();
        key[..digits.len()].copy_from_slice(digits);
        key
    }

    /// Reads a code back from [`RegionCode::key`].
    pub fn from_key(key: &[u8]) -> Result<Self, RegionError> {
        let digits: Vec<u8> = key
            .iter()
            .copied()
            .take_while(|&b| b != REGION_KEY_PAD)
            .collect();
        if digits.is_empty() {
            return Ok(Self::national());
        }
        Self::parse(&String::from_utf8_lossy(&digits))
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionCode({})", self.as_str())
    }
}

impl PartialEq for RegionCode {
    fn eq(&self, other: &Self) -> bool {
        self.digits() == other.digits()
    }
}

impl Eq for RegionCode {}

impl std::hash::Hash for RegionCode {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for RegionCode {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Text order, as when codes were strings: "65" < "6542" < "66".
impl Ord for RegionCode {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.digits().cmp(other.digits())
    }
}

impl Serialize for RegionCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// From text, checked as [`RegionCode::parse`] checks it; borrowed where
/// the format allows (no allocation when decoding an entry's body).
impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = RegionCode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a region code")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<RegionCode, E> {
                RegionCode::parse(text).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Text)
    }
}

impl FromStr for RegionCode {
    type Err = RegionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = RegionError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<RegionCode> for String {
    fn from(code: RegionCode) -> String {
        code.as_str().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rc(s: &str) -> RegionCode {
        RegionCode::parse(s).expect("valid code")
    }

    #[test]
    fn levels_follow_length() {
        assert_eq!(rc("00").level(), Level::National);
        assert_eq!(rc("65").level(), Level::Province);
        assert_eq!(rc("6542").level(), Level::Prefecture);
        assert_eq!(rc("654203").level(), Level::County);
        assert_eq!(rc("654203106").level(), Level::Township);
        assert_eq!(rc("654203106201").level(), Level::Village);
    }

    #[test]
    fn parents_and_ancestors() {
        let village = rc("654203106201");
        assert_eq!(village.parent(), Some(rc("654203106")));
        let chain: Vec<String> = village.ancestors().iter().map(|c| c.to_string()).collect();
        assert_eq!(chain, ["654203106", "654203", "6542", "65", "00"]);
        assert_eq!(rc("00").parent(), None);
        assert!(rc("00").ancestors().is_empty());
    }

    #[test]
    fn within_subtree() {
        let town = rc("654203106");
        assert!(town.is_within(&rc("654203")));
        assert!(town.is_within(&rc("65")));
        assert!(town.is_within(&rc("00")));
        assert!(town.is_within(&town));
        assert!(!town.is_within(&rc("654202")));
        assert!(!rc("00").is_within(&rc("65")));
        assert!(!rc("6542").is_within(&town));
    }

    #[test]
    fn rejects_malformed_codes() {
        assert_eq!(RegionCode::parse(""), Err(RegionError::Empty));
        assert!(matches!(
            RegionCode::parse("65a2"),
            Err(RegionError::NotDigits(_))
        ));
        assert!(matches!(
            RegionCode::parse("65420"),
            Err(RegionError::WrongLength { len: 5, .. })
        ));
        assert!(matches!(
            RegionCode::parse("99"),
            Err(RegionError::BadProvince(_))
        ));
        assert_eq!(
            RegionCode::parse("654200"),
            Err(RegionError::ZeroPadded {
                code: "654200".into(),
                parent: "6542".into()
            })
        );
        assert!(matches!(
            RegionCode::parse("654203000"),
            Err(RegionError::ZeroPadded { .. })
        ));
    }

    #[test]
    fn unknown_but_well_formed_codes_are_kept_as_written() {
        // 沙湾县's pre-2021 code is still well formed.
        assert_eq!(rc("654223").as_str(), "654223");
        assert_eq!(rc(" 654203 ").as_str(), "654203");
    }

    #[test]
    fn keys_sort_parent_first_and_round_trip() {
        let codes = ["00", "65", "6542", "654203", "654203106", "654203106201"];
        let keys: Vec<_> = codes.iter().map(|c| rc(c).key()).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        for c in codes {
            assert_eq!(RegionCode::from_key(&rc(c).key()), Ok(rc(c)));
            assert!(rc(c).key().starts_with(rc(c).subtree_key_prefix()));
        }
    }

    #[test]
    fn encodes_orders_and_hashes_as_its_text() {
        use std::collections::hash_map::DefaultHasher;
        use std::hash::{Hash, Hasher};

        let texts = [
            "00",
            "65",
            "6542",
            "654203",
            "654203106",
            "654203106001",
            "66",
            "11",
        ];
        for text in texts {
            let code = rc(text);
            // The wire and the JSON API see the text, as when codes were strings.
            assert_eq!(
                crate::codec::encode(&code).expect("encode"),
                crate::codec::encode(text).expect("encode")
            );
            let bytes = crate::codec::encode(&code).expect("encode");
            let back: RegionCode = crate::codec::decode(&bytes, 64).expect("decode");
            assert_eq!(back, code);
            assert_eq!(
                serde_json::to_string(&code).expect("json"),
                format!("\"{text}\"")
            );
            let hash = |h: &dyn Fn(&mut DefaultHasher)| {
                let mut hasher = DefaultHasher::new();
                h(&mut hasher);
                hasher.finish()
            };
            assert_eq!(hash(&|s| code.hash(s)), hash(&|s| text.hash(s)));
        }
        for a in texts {
            for b in texts {
                assert_eq!(rc(a).cmp(&rc(b)), a.cmp(b), "{a} against {b}");
            }
        }
        // Decoding checks the code, from either format.
        let bad = crate::codec::encode("654200").expect("encode");
        assert!(crate::codec::decode::<RegionCode>(&bad, 64).is_err());
        assert!(serde_json::from_str::<RegionCode>("\"6542x\"").is_err());
        assert_eq!(
            serde_json::from_str::<RegionCode>("\" 654203 \"").expect("trimmed"),
            rc("654203")
        );
    }
}
