//! Shared vocabulary: event types after GB/T 35561-2017 (突发事件分类与编码)
//! and the four severity grades.
//!
//! The four categories are fixed by the 突发事件应对法 and travel as enum
//! variants. Subtypes travel as their machine name, so a subtype added later
//! (or a local one) reads as an unknown-but-valid name on older nodes, not
//! as an undecodable entry.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::body_rules::BodyError;
use crate::body_rules::DomainError;
use crate::limits::Limits;

/// The four categories of 突发事件.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 自然灾害
    Natural,
    /// 事故灾难
    Accident,
    /// 公共卫生事件
    PublicHealth,
    /// 社会安全事件
    SocialSafety,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Natural,
        Category::Accident,
        Category::PublicHealth,
        Category::SocialSafety,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Category::Natural => "natural",
            Category::Accident => "accident",
            Category::PublicHealth => "public_health",
            Category::SocialSafety => "social_safety",
        }
    }

    pub const fn name_zh(self) -> &'static str {
        match self {
            Category::Natural => "自然灾害",
            Category::Accident => "事故灾难",
            Category::PublicHealth => "公共卫生事件",
            Category::SocialSafety => "社会安全事件",
        }
    }

    pub const fn name_en(self) -> &'static str {
        match self {
            Category::Natural => "natural disaster",
            Category::Accident => "accident",
            Category::PublicHealth => "public health event",
            Category::SocialSafety => "social safety event",
        }
    }
}

/// The main subtypes of GB/T 35561: (machine name, category, 中文, English).
pub const SUBTYPES: &[(&str, Category, &str, &str)] = &[
    (
        "flood_drought",
        Category::Natural,
        "水旱灾害",
        "flood / drought",
    ),
    (
        "meteorological",
        Category::Natural,
        "气象灾害",
        "meteorological disaster",
    ),
    ("earthquake", Category::Natural, "地震灾害", "earthquake"),
    (
        "geological",
        Category::Natural,
        "地质灾害",
        "geological disaster",
    ),
    ("marine", Category::Natural, "海洋灾害", "marine disaster"),
    (
        "biological",
        Category::Natural,
        "生物灾害",
        "biological disaster",
    ),
    (
        "forest_fire",
        Category::Natural,
        "森林草原火灾",
        "forest / grassland fire",
    ),
    (
        "work_safety",
        Category::Accident,
        "生产安全事故",
        "work-safety accident",
    ),
    ("fire", Category::Accident, "火灾事故", "fire"),
    (
        "transport",
        Category::Accident,
        "交通运输事故",
        "transport accident",
    ),
    (
        "public_facility",
        Category::Accident,
        "公共设施和设备事故",
        "public facility accident",
    ),
    (
        "nuclear",
        Category::Accident,
        "核与辐射事故",
        "nuclear / radiation accident",
    ),
    (
        "environmental",
        Category::Accident,
        "环境污染和生态破坏事件",
        "environmental pollution",
    ),
    (
        "infectious",
        Category::PublicHealth,
        "传染病疫情",
        "infectious disease outbreak",
    ),
    (
        "unexplained_disease",
        Category::PublicHealth,
        "群体性不明原因疾病",
        "unexplained cluster of illness",
    ),
    (
        "food_drug_safety",
        Category::PublicHealth,
        "食品药品安全事件",
        "food / drug safety",
    ),
    (
        "occupational",
        Category::PublicHealth,
        "职业中毒",
        "occupational poisoning",
    ),
    (
        "animal_epidemic",
        Category::PublicHealth,
        "动物疫情",
        "animal epidemic",
    ),
    (
        "mass_incident",
        Category::SocialSafety,
        "群体性事件",
        "mass incident",
    ),
    (
        "terrorism",
        Category::SocialSafety,
        "恐怖袭击事件",
        "terrorist attack",
    ),
    (
        "criminal",
        Category::SocialSafety,
        "重大刑事案件",
        "major criminal case",
    ),
    (
        "economic",
        Category::SocialSafety,
        "经济安全事件",
        "economic security event",
    ),
    (
        "foreign",
        Category::SocialSafety,
        "涉外突发事件",
        "foreign-related event",
    ),
    (
        "cyber",
        Category::SocialSafety,
        "网络与信息安全事件",
        "cyber / information security",
    ),
];

/// What happened: a category and a subtype (a [`SUBTYPES`] name, or a local
/// name when none fits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EventType {
    pub category: Category,
    pub subtype: String,
}

impl EventType {
    pub fn new(category: Category, subtype: &str) -> EventType {
        EventType {
            category,
            subtype: subtype.trim().to_string(),
        }
    }

    fn known(&self) -> Option<&'static (&'static str, Category, &'static str, &'static str)> {
        SUBTYPES.iter().find(|s| s.0 == self.subtype)
    }

    pub fn name_zh(&self) -> String {
        match self.known() {
            Some(s) => s.2.to_string(),
            None => format!("{}·{}", self.category.name_zh(), self.subtype),
        }
    }

    pub fn name_en(&self) -> String {
        match self.known() {
            Some(s) => s.3.to_string(),
            None => format!("{}: {}", self.category.name_en(), self.subtype),
        }
    }

    /// A known subtype must sit under its own category; a local subtype is
    /// a short name.
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        super::rules::name("event.subtype", &self.subtype, limits)?;
        if let Some(known) = self.known()
            && known.1 != self.category
        {
            return Err(DomainError::SubtypeCategory {
                subtype: self.subtype.clone(),
                stated: self.category.name(),
                actual: known.1.name(),
            }
            .into());
        }
        Ok(())
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.category.name(), self.subtype)
    }
}

/// The text named no event type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown event type {0:?} / 未知事件类型; write a subtype such as flood_drought, 水旱灾害, \
     fire, 火灾事故, infectious, mass_incident, or category/subtype such as natural/hail"
)]
pub struct EventTypeParseError(pub String);

impl FromStr for EventType {
    type Err = EventTypeParseError;

    /// Accepts a known subtype by machine or Chinese name (`flood_drought`,
    /// `水旱灾害`), or `category/subtype` for a local subtype.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if let Some(known) = SUBTYPES.iter().find(|k| k.0 == t || k.2 == t) {
            return Ok(EventType::new(known.1, known.0));
        }
        let err = || EventTypeParseError(s.to_string());
        let (cat, sub) = t.split_once('/').ok_or_else(err)?;
        let category = Category::ALL
            .into_iter()
            .find(|c| c.name() == cat.trim() || c.name_zh() == cat.trim())
            .ok_or_else(err)?;
        if sub.trim().is_empty() {
            return Err(err());
        }
        Ok(EventType::new(category, sub))
    }
}

/// The grade of an event (突发事件分级): Ⅰ 特别重大 … Ⅳ 一般.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    I,
    II,
    III,
    IV,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Severity::I, Severity::II, Severity::III, Severity::IV];

    pub const fn numeral(self) -> &'static str {
        match self {
            Severity::I => "Ⅰ",
            Severity::II => "Ⅱ",
            Severity::III => "Ⅲ",
            Severity::IV => "Ⅳ",
        }
    }

    pub const fn name_zh(self) -> &'static str {
        match self {
            Severity::I => "特别重大",
            Severity::II => "重大",
            Severity::III => "较大",
            Severity::IV => "一般",
        }
    }

    pub const fn name_en(self) -> &'static str {
        match self {
            Severity::I => "extraordinary",
            Severity::II => "major",
            Severity::III => "large",
            Severity::IV => "general",
        }
    }
}

/// Parses a grade written as `I`…`IV`, `1`…`4`, `Ⅰ`…`Ⅳ` or `一级`…`四级`;
/// shared by severities and response levels, which use the same numerals.
pub fn parse_grade(text: &str) -> Option<usize> {
    let t = text
        .trim()
        .trim_end_matches('级')
        .trim_end_matches("level")
        .trim();
    let upper = t.to_ascii_uppercase();
    const FORMS: [[&str; 4]; 4] = [
        ["I", "1", "Ⅰ", "一"],
        ["II", "2", "Ⅱ", "二"],
        ["III", "3", "Ⅲ", "三"],
        ["IV", "4", "Ⅳ", "四"],
    ];
    FORMS
        .iter()
        .position(|forms| forms.contains(&upper.as_str()) || forms.contains(&t))
}

/// The text named no grade.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown grade {0:?}; write I, II, III or IV (or 1–4, Ⅰ–Ⅳ, 一级–四级) / 等级应为 Ⅰ、Ⅱ、Ⅲ 或 Ⅳ"
)]
pub struct GradeParseError(pub String);

impl FromStr for Severity {
    type Err = GradeParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if let Some(sev) = Severity::ALL.into_iter().find(|v| v.name_zh() == t) {
            return Ok(sev);
        }
        parse_grade(t)
            .map(|i| Severity::ALL[i])
            .ok_or_else(|| GradeParseError(s.to_string()))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.numeral())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_parse_by_any_name() {
        let flood: EventType = "水旱灾害".parse().expect("zh");
        assert_eq!(flood, EventType::new(Category::Natural, "flood_drought"));
        assert_eq!("flood_drought".parse(), Ok(flood.clone()));
        assert_eq!(flood.name_zh(), "水旱灾害");
        let hail: EventType = "natural/hail".parse().expect("local");
        assert_eq!(hail.category, Category::Natural);
        assert_eq!(hail.name_zh(), "自然灾害·hail");
        assert!("自然灾害/冰雹".parse::<EventType>().is_ok());
        assert!("flood".parse::<EventType>().is_err());
        assert!("natural/".parse::<EventType>().is_err());
    }

    #[test]
    fn subtype_must_match_category() {
        let limits = Limits::default();
        assert_eq!(
            EventType::new(Category::Natural, "flood_drought").check(&limits),
            Ok(())
        );
        assert!(matches!(
            EventType::new(Category::Accident, "flood_drought").check(&limits),
            Err(BodyError::Domain(DomainError::SubtypeCategory { .. }))
        ));
        assert!(
            EventType::new(Category::Accident, " ")
                .check(&limits)
                .is_err()
        );
        for s in SUBTYPES {
            assert_eq!(EventType::new(s.1, s.0).check(&limits), Ok(()), "{}", s.0);
        }
    }

    #[test]
    fn grades_parse() {
        assert_eq!("IV".parse(), Ok(Severity::IV));
        assert!("Ⅴ".parse::<Severity>().is_err());
        assert_eq!("Ⅲ".parse(), Ok(Severity::III));
        assert_eq!("2".parse(), Ok(Severity::II));
        assert_eq!("一级".parse(), Ok(Severity::I));
        assert_eq!("较大".parse(), Ok(Severity::III));
        assert_eq!("iv".parse(), Ok(Severity::IV));
        assert!("V".parse::<Severity>().is_err());
    }
}
