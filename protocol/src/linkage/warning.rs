//! Warnings (预警): issue, update, cancel; colour 红/橙/黄/蓝, area as
//! region codes plus an optional polygon, texts in Chinese with optional
//! English (the fields CAP 1.2 carries, so a CAP gateway can map them one
//! to one).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::geo::GeoPoint;
use super::rules;
use super::vocab::EventType;
use crate::body_rules::BodyError;
use crate::body_rules::DomainError;
use crate::ids::EntryId;
use crate::limits::Limits;
use crate::region::RegionCode;

/// Warning colour, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningColor {
    Red,
    Orange,
    Yellow,
    Blue,
}

impl WarningColor {
    pub const ALL: [WarningColor; 4] = [
        WarningColor::Red,
        WarningColor::Orange,
        WarningColor::Yellow,
        WarningColor::Blue,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            WarningColor::Red => "red",
            WarningColor::Orange => "orange",
            WarningColor::Yellow => "yellow",
            WarningColor::Blue => "blue",
        }
    }

    pub const fn name_zh(self) -> &'static str {
        match self {
            WarningColor::Red => "红色",
            WarningColor::Orange => "橙色",
            WarningColor::Yellow => "黄色",
            WarningColor::Blue => "蓝色",
        }
    }
}

impl fmt::Display for WarningColor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for WarningColor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        WarningColor::ALL
            .into_iter()
            .find(|c| {
                c.name() == t.to_ascii_lowercase()
                    || c.name_zh() == t
                    || c.name_zh().trim_end_matches('色') == t
            })
            .ok_or_else(|| {
                format!("unknown colour {s:?}; use red, orange, yellow or blue / 预警颜色应为 红、橙、黄 或 蓝")
            })
    }
}

/// What a warning says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningInfo {
    pub color: WarningColor,
    pub event: EventType,
    /// The regions warned; at least one.
    pub area: Vec<RegionCode>,
    /// An optional closed polygon within the area (WGS-84).
    pub polygon: Vec<GeoPoint>,
    pub effective_ms: u64,
    pub expires_ms: u64,
    pub headline_zh: String,
    /// Optional (may be empty): readers show `headline_zh` instead.
    pub headline_en: String,
    pub description_zh: String,
    pub description_en: String,
    pub instruction_zh: String,
    pub instruction_en: String,
}

impl WarningInfo {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        self.event.check(limits)?;
        if self.area.is_empty() {
            return Err(BodyError::Empty { field: "area" });
        }
        rules::list("area", &self.area)?;
        rules::distinct("area", &self.area)?;
        if !self.polygon.is_empty() {
            GeoPoint::check_polygon(&self.polygon)?;
        }
        if self.effective_ms == 0 {
            return Err(DomainError::Zero {
                field: "effective_ms",
            }
            .into());
        }
        rules::after(
            ("effective", Some(self.effective_ms)),
            ("expires", Some(self.expires_ms)),
        )?;
        rules::name("headline_zh", &self.headline_zh, limits)?;
        // English is optional (issue 15: a warning goes out in one step,
        // Chinese only when need be); readers fall back to the Chinese text.
        // Relaxing a rule is compatible for posts already running this one,
        // but a post still on the old rule refuses a warning without an
        // English headline: upgrade every post before relying on it.
        rules::short("headline_en", &self.headline_en, limits)?;
        rules::long_required("description_zh", &self.description_zh, limits)?;
        rules::long("description_en", &self.description_en, limits)?;
        rules::long("instruction_zh", &self.instruction_zh, limits)?;
        rules::long("instruction_en", &self.instruction_en, limits)
    }
}

/// A warning message: a new warning, a new version of one, or its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Warning {
    /// 发布
    Issue {
        drill: Option<EntryId>,
        info: WarningInfo,
    },
    /// 变更: replaces the warning's content (colour, area, times, texts).
    Update {
        /// The warning: its issue entry's id.
        warning: EntryId,
        drill: Option<EntryId>,
        info: WarningInfo,
    },
    /// 解除
    Cancel {
        warning: EntryId,
        drill: Option<EntryId>,
        reason: String,
    },
}

impl Warning {
    pub fn drill(&self) -> Option<EntryId> {
        match self {
            Warning::Issue { drill, .. }
            | Warning::Update { drill, .. }
            | Warning::Cancel { drill, .. } => *drill,
        }
    }

    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        match self {
            Warning::Issue { info, .. } | Warning::Update { info, .. } => info.check(limits),
            Warning::Cancel { reason, .. } => rules::long("reason", reason, limits),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::linkage::vocab::Category;

    pub(crate) fn info() -> WarningInfo {
        WarningInfo {
            color: WarningColor::Orange,
            event: EventType::new(Category::Natural, "flood_drought"),
            area: vec!["654203".parse().expect("region")],
            polygon: Vec::new(),
            effective_ms: 1_795_000_000_000,
            expires_ms: 1_795_086_400_000,
            headline_zh: "沙湾市洪水橙色预警".into(),
            headline_en: "Orange flood warning for Shawan".into(),
            description_zh: "预计未来 24 小时河道水位继续上涨".into(),
            description_en: String::new(),
            instruction_zh: "低洼地带群众立即转移".into(),
            instruction_en: String::new(),
        }
    }

    #[test]
    fn rules() {
        let limits = Limits::default();
        assert_eq!(info().check(&limits), Ok(()));
        let mut w = info();
        w.area.clear();
        assert_eq!(w.check(&limits), Err(BodyError::Empty { field: "area" }));
        let mut w = info();
        w.expires_ms = w.effective_ms;
        assert!(matches!(
            w.check(&limits),
            Err(BodyError::Domain(DomainError::TimeOrder { .. }))
        ));
        let mut w = info();
        w.headline_en.clear();
        assert_eq!(w.check(&limits), Ok(()), "English is optional");
        let mut w = info();
        w.headline_zh = " ".into();
        assert_eq!(
            w.check(&limits),
            Err(BodyError::Empty {
                field: "headline_zh"
            }),
            "the Chinese headline is required"
        );
        let mut w = info();
        w.headline_en = "x".repeat(limits.max_name_chars + 1);
        assert!(
            matches!(
                w.check(&limits),
                Err(BodyError::TooLong {
                    field: "headline_en",
                    ..
                })
            ),
            "an English headline, when given, is bounded like the Chinese"
        );
        let mut w = info();
        w.polygon = vec![GeoPoint {
            lat_e6: 0,
            lon_e6: 0,
        }];
        assert!(w.check(&limits).is_err());
        let cancel = Warning::Cancel {
            warning: EntryId([1; 32]),
            drill: None,
            reason: "水位回落".into(),
        };
        assert_eq!(cancel.check(&limits), Ok(()));
    }

    #[test]
    fn colours_parse() {
        assert_eq!("橙".parse(), Ok(WarningColor::Orange));
        assert_eq!("红色".parse(), Ok(WarningColor::Red));
        assert_eq!("Blue".parse(), Ok(WarningColor::Blue));
        assert!("green".parse::<WarningColor>().is_err());
    }
}
