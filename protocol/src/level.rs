//! The administrative level of a post (国家级 … 村).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The level of a command post, from the national post down to a village.
///
/// Ordered from the top: `National < Province < … < Village`, so
/// `a < b` reads "a is above b".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    National,
    Province,
    Prefecture,
    County,
    Township,
    Village,
}

impl Level {
    pub const ALL: [Level; 6] = [
        Level::National,
        Level::Province,
        Level::Prefecture,
        Level::County,
        Level::Township,
        Level::Village,
    ];

    /// The number of digits of a region code at this level.
    pub const fn region_digits(self) -> usize {
        match self {
            Level::National | Level::Province => 2,
            Level::Prefecture => 4,
            Level::County => 6,
            Level::Township => 9,
            Level::Village => 12,
        }
    }

    pub const fn name_zh(self) -> &'static str {
        match self {
            Level::National => "国家级",
            Level::Province => "省级",
            Level::Prefecture => "地市级",
            Level::County => "县级",
            Level::Township => "乡镇级",
            Level::Village => "村级",
        }
    }

    pub const fn name_en(self) -> &'static str {
        match self {
            Level::National => "national",
            Level::Province => "province",
            Level::Prefecture => "prefecture",
            Level::County => "county",
            Level::Township => "township",
            Level::Village => "village",
        }
    }

    /// True when `self` is strictly above `other`.
    pub fn is_above(self, other: Level) -> bool {
        self < other
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_en())
    }
}

/// The text did not name a level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown level {0:?} / 未知级别; expected one of: national 国家级, province 省级, \
     prefecture 地市级, county 县级, township 乡镇级, village 村级"
)]
pub struct LevelParseError(pub String);

impl FromStr for Level {
    type Err = LevelParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        Level::ALL
            .into_iter()
            .find(|l| {
                l.name_en() == lower
                    || l.name_zh() == t
                    || l.name_zh().trim_end_matches('级') == t.trim_end_matches('级')
            })
            .ok_or_else(|| LevelParseError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_reads_top_down() {
        assert!(Level::National.is_above(Level::Province));
        assert!(Level::County.is_above(Level::Village));
        assert!(!Level::Village.is_above(Level::Village));
    }

    #[test]
    fn parses_english_and_chinese() {
        assert_eq!("County".parse(), Ok(Level::County));
        assert_eq!("县级".parse(), Ok(Level::County));
        assert_eq!("乡镇".parse(), Ok(Level::Township));
        assert_eq!("村".parse(), Ok(Level::Village));
        assert!("city".parse::<Level>().is_err());
    }
}
