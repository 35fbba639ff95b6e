//! The rescue-force registry (救援力量储备库): teams and volunteers as
//! records of their own, kept current by the posts that own them.
//!
//! ```text
//! register (force: None) ──► the force id is this entry's id
//!    └──► update (force: Some(id)), as often as the force changes:
//!         a full record each time; the latest (by HLC) is the force's state
//! ```
//!
//! Each record is the whole force (name, type, headcount, capabilities,
//! equipment, base, contact, availability, last drill), not a patch: a post
//! that missed an update still shows a complete, if older, force, and the
//! fold needs no merge rule. Who may update is the fold's rule
//! (`domain::fold::forces`): the owning post (the registration's author) or
//! a post above it.
//!
//! Types and capabilities travel as machine names, like event subtypes
//! ([`super::vocab`]): the tables below name the known ones in Chinese and
//! English, and a name added later reads as an unknown-but-valid name on
//! older posts instead of making the entry undecodable. The posts' own
//! commands accept only the names in the tables.
//!
//! ## Links to tasks and commitments
//!
//! A force names what it is working on in `assigned_to` (a task or a
//! resource commitment id), rather than tasks and commitments naming
//! forces: those bodies are encoded positionally, so a new field in them
//! would change the bytes (and ids) of every entry already signed, and
//! older posts could not decode new ones. A force record is written
//! whenever the force's state changes anyway (deployed, back, resting), so
//! the assignment travels with the availability it explains.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::geo::GeoPoint;
use super::rules;
use crate::body_rules::{BodyError, DomainError};
use crate::ids::EntryId;
use crate::limits::Limits;
use crate::region::RegionCode;

/// Most capabilities one force lists.
pub const MAX_FORCE_CAPABILITIES: usize = 16;
/// Most equipment lines one force lists (each a short name, such as
/// "冲锋舟 4 艘").
pub const MAX_FORCE_EQUIPMENT: usize = 32;
/// Largest headcount of one force: far above any team, low enough that a
/// mistyped figure is caught.
pub const MAX_HEADCOUNT: u32 = 100_000;
/// Longest machine name of a type or capability.
pub const MAX_VOCAB_NAME_CHARS: usize = 32;

/// The known force types: (machine name, 中文, English).
pub const FORCE_TYPES: &[(&str, &str, &str)] = &[
    ("professional", "专业救援队伍", "professional rescue team"),
    ("fire", "消防救援队伍", "fire and rescue"),
    ("militia", "民兵应急分队", "militia emergency unit"),
    (
        "volunteer",
        "社会应急力量（志愿者）",
        "volunteer rescue team",
    ),
    ("medical", "医疗救护队伍", "medical team"),
    ("mine_rescue", "矿山救护队", "mine rescue"),
    ("water_rescue", "水域救援队", "water rescue"),
    ("forest_fire", "森林消防队伍", "forest fire-fighting"),
    ("hazmat", "危化品救援队伍", "hazardous-materials rescue"),
    (
        "communications",
        "应急通信保障队伍",
        "emergency communications",
    ),
    ("engineering", "工程抢险队伍", "engineering repair"),
    ("power", "电力抢修队伍", "power repair"),
    ("earthquake", "地震救援队", "earthquake search and rescue"),
];

/// The known capabilities: (machine name, 中文, English).
pub const CAPABILITIES: &[(&str, &str, &str)] = &[
    ("search_rescue", "搜索救援", "search and rescue"),
    ("water_rescue", "水域救援", "water rescue"),
    ("flood_control", "防汛抢险", "flood fighting"),
    ("fire_fighting", "灭火", "fire fighting"),
    ("forest_fire", "森林草原灭火", "forest fire fighting"),
    (
        "collapse_rescue",
        "建筑倒塌搜救",
        "collapsed-structure rescue",
    ),
    ("medical", "医疗救护", "medical care"),
    ("evacuation", "人员转移", "evacuation"),
    ("hazmat", "危化品处置", "hazardous materials"),
    ("mine_rescue", "矿山救护", "mine rescue"),
    ("communications", "通信保障", "communications"),
    ("power", "电力保障", "power supply"),
    ("heavy_machinery", "工程机械", "heavy machinery"),
    ("logistics", "后勤保障", "logistics"),
    ("drone", "无人机侦察", "drone reconnaissance"),
    ("psychological", "心理援助", "psychological support"),
];

/// Looks a vocabulary entry up by machine, Chinese or English name, or by
/// a part of the Chinese name that only one entry has ("志愿者" for
/// 社会应急力量（志愿者）; "消防" names two types, so none).
pub fn lookup(
    table: &'static [(&'static str, &'static str, &'static str)],
    text: &str,
) -> Option<&'static (&'static str, &'static str, &'static str)> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(exact) = table
        .iter()
        .find(|e| e.0 == t || e.1 == t || e.2.eq_ignore_ascii_case(t))
    {
        return Some(exact);
    }
    let mut partial = table.iter().filter(|e| e.1.contains(t));
    match (partial.next(), partial.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// Chinese and English names of a machine name: the table's, or the name
/// itself when a newer post wrote a name this code does not know.
pub fn label(
    table: &'static [(&'static str, &'static str, &'static str)],
    name: &str,
) -> (String, String) {
    match table.iter().find(|e| e.0 == name) {
        Some(e) => (e.1.to_string(), e.2.to_string()),
        None => (name.to_string(), name.to_string()),
    }
}

/// Whether a force can be called on now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    /// 待命: ready to deploy.
    Ready,
    /// 已出动: out on a task or commitment.
    Deployed,
    /// 休整: resting, not available.
    Resting,
}

impl Availability {
    pub const ALL: [Availability; 3] = [
        Availability::Ready,
        Availability::Deployed,
        Availability::Resting,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Availability::Ready => "ready",
            Availability::Deployed => "deployed",
            Availability::Resting => "resting",
        }
    }

    pub const fn name_zh(self) -> &'static str {
        match self {
            Availability::Ready => "待命",
            Availability::Deployed => "已出动",
            Availability::Resting => "休整",
        }
    }
}

impl fmt::Display for Availability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Availability {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Availability::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(t) || a.name_zh() == t)
            .ok_or_else(|| {
                format!(
                    "unknown availability {s:?}; use ready, deployed or resting / 状态应为 待命、已出动 或 休整"
                )
            })
    }
}

/// One record of a rescue force: its registration, or its whole state
/// after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescueForce {
    /// `None` registers a new force (this entry's id becomes the force
    /// id); `Some(id)` updates the force registered by entry `id`.
    pub force: Option<EntryId>,
    /// "沙湾市消防救援大队".
    pub name: String,
    /// English name; empty when none.
    pub name_en: String,
    /// A [`FORCE_TYPES`] machine name.
    pub force_type: String,
    /// People on the roster.
    pub headcount: u32,
    /// [`CAPABILITIES`] machine names.
    pub capabilities: Vec<String>,
    /// What it brings: "冲锋舟 4 艘", "生命探测仪 2 台".
    pub equipment: Vec<String>,
    /// Where it is based (驻地).
    pub base: GeoPoint,
    /// The region it serves.
    pub region: RegionCode,
    /// Duty phone or contact person.
    pub contact: String,
    pub availability: Availability,
    /// The last drill it took part in, ms since the Unix epoch.
    pub last_drill_ms: Option<u64>,
    /// The task or resource commitment it is working on (see the module
    /// documentation for why the force names it).
    pub assigned_to: Option<EntryId>,
    pub note: String,
}

impl RescueForce {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        rules::name("name", &self.name, limits)?;
        rules::short("name_en", &self.name_en, limits)?;
        vocab_name("force_type", &self.force_type)?;
        if self.headcount == 0 {
            return Err(DomainError::Zero { field: "headcount" }.into());
        }
        if self.headcount > MAX_HEADCOUNT {
            return Err(DomainError::TooLarge {
                field: "headcount",
                value: u64::from(self.headcount),
                max: u64::from(MAX_HEADCOUNT),
            }
            .into());
        }
        capped(
            "capabilities",
            self.capabilities.len(),
            MAX_FORCE_CAPABILITIES,
        )?;
        for c in &self.capabilities {
            vocab_name("capabilities", c)?;
        }
        rules::distinct("capabilities", &self.capabilities)?;
        capped("equipment", self.equipment.len(), MAX_FORCE_EQUIPMENT)?;
        rules::names("equipment", &self.equipment, limits)?;
        self.base.check()?;
        rules::short("contact", &self.contact, limits)?;
        rules::long("note", &self.note, limits)
    }
}

fn capped(field: &'static str, count: usize, max: usize) -> Result<(), BodyError> {
    if count > max {
        return Err(DomainError::TooMany { field, count, max }.into());
    }
    Ok(())
}

/// A machine name: 1 to [`MAX_VOCAB_NAME_CHARS`] of `a-z`, `0-9` and `_`.
fn vocab_name(field: &'static str, name: &str) -> Result<(), BodyError> {
    if name.is_empty() {
        return Err(BodyError::Empty { field });
    }
    let chars = name.chars().count();
    if chars > MAX_VOCAB_NAME_CHARS {
        return Err(BodyError::TooLong {
            field,
            chars,
            max: MAX_VOCAB_NAME_CHARS,
        });
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(DomainError::OutOfRange {
            field,
            value: name.to_string(),
            expected: "a machine name: a-z, 0-9, _",
        }
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brigade() -> RescueForce {
        RescueForce {
            force: None,
            name: "沙湾市消防救援大队".into(),
            name_en: "Shawan Fire and Rescue Brigade".into(),
            force_type: "fire".into(),
            headcount: 42,
            capabilities: vec!["fire_fighting".into(), "water_rescue".into()],
            equipment: vec!["冲锋舟 4 艘".into()],
            base: GeoPoint {
                lat_e6: 44_322_000,
                lon_e6: 85_606_000,
            },
            region: "654203".parse().expect("region"),
            contact: "0993-6012119".into(),
            availability: Availability::Ready,
            last_drill_ms: None,
            assigned_to: None,
            note: String::new(),
        }
    }

    fn refused(f: &RescueForce) -> bool {
        f.check(&Limits::default()).is_err()
    }

    #[test]
    fn a_brigade_is_valid() {
        assert_eq!(brigade().check(&Limits::default()), Ok(()));
    }

    #[test]
    fn headcount_from_one_to_the_maximum() {
        let at = |headcount| RescueForce {
            headcount,
            ..brigade()
        };
        assert!(refused(&at(0)));
        assert!(!refused(&at(1)));
        assert!(!refused(&at(MAX_HEADCOUNT)));
        assert!(matches!(
            at(MAX_HEADCOUNT + 1).check(&Limits::default()),
            Err(BodyError::Domain(DomainError::TooLarge { .. }))
        ));
    }

    #[test]
    fn capabilities_are_capped_and_distinct_machine_names() {
        let with = |capabilities: Vec<String>| RescueForce {
            capabilities,
            ..brigade()
        };
        let many = |n: usize| (0..n).map(|i| format!("c{i}")).collect::<Vec<_>>();
        assert!(!refused(&with(many(MAX_FORCE_CAPABILITIES))));
        assert!(matches!(
            with(many(MAX_FORCE_CAPABILITIES + 1)).check(&Limits::default()),
            Err(BodyError::Domain(DomainError::TooMany { .. }))
        ));
        assert!(refused(&with(vec!["fire_fighting".into(); 2])));
        assert!(refused(&with(vec!["Water Rescue".into()])));
        assert!(refused(&with(vec![String::new()])));
        let longest = "a".repeat(MAX_VOCAB_NAME_CHARS);
        assert!(!refused(&with(vec![longest.clone()])));
        assert!(refused(&with(vec![longest + "a"])));
        // A name this code does not know is still valid: a newer post's.
        assert!(!refused(&with(vec!["rope_rescue".into()])));
    }

    #[test]
    fn force_type_is_a_machine_name() {
        let typed = |t: &str| RescueForce {
            force_type: t.into(),
            ..brigade()
        };
        assert!(refused(&typed("")));
        assert!(refused(&typed("消防")));
        assert!(!refused(&typed(&"t".repeat(MAX_VOCAB_NAME_CHARS))));
        assert!(refused(&typed(&"t".repeat(MAX_VOCAB_NAME_CHARS + 1))));
        assert!(!refused(&typed("aviation")));
    }

    #[test]
    fn equipment_is_capped_in_count_and_length() {
        let limits = Limits::default();
        let with = |equipment: Vec<String>| RescueForce {
            equipment,
            ..brigade()
        };
        let many = |n: usize| (0..n).map(|i| format!("装备{i}")).collect::<Vec<_>>();
        assert!(!refused(&with(many(MAX_FORCE_EQUIPMENT))));
        assert!(refused(&with(many(MAX_FORCE_EQUIPMENT + 1))));
        let line = "舟".repeat(limits.max_name_chars);
        assert!(!refused(&with(vec![line.clone()])));
        assert!(refused(&with(vec![line + "舟"])));
        assert!(refused(&with(vec![" ".into()])));
    }

    #[test]
    fn texts_are_bounded() {
        let limits = Limits::default();
        let max = limits.max_name_chars;
        let f = |name: String, name_en: String, contact: String| RescueForce {
            name,
            name_en,
            contact,
            ..brigade()
        };
        let ok = "队".repeat(max);
        let over = "队".repeat(max + 1);
        assert!(!refused(&f(ok.clone(), ok.clone(), ok.clone())));
        assert!(refused(&f(over.clone(), String::new(), String::new())));
        assert!(refused(&f(ok.clone(), over.clone(), String::new())));
        assert!(refused(&f(ok.clone(), String::new(), over)));
        assert_eq!(
            f(" ".into(), String::new(), String::new()).check(&limits),
            Err(BodyError::Empty { field: "name" })
        );
        let note = RescueForce {
            note: "记".repeat(limits.max_text_chars + 1),
            ..brigade()
        };
        assert!(refused(&note));
    }

    #[test]
    fn the_base_is_on_the_globe() {
        let off = RescueForce {
            base: GeoPoint {
                lat_e6: 90_000_001,
                lon_e6: 0,
            },
            ..brigade()
        };
        assert!(refused(&off));
    }

    #[test]
    fn vocabulary_reads_every_name() {
        assert_eq!(
            lookup(FORCE_TYPES, "民兵应急分队").map(|e| e.0),
            Some("militia")
        );
        assert_eq!(
            lookup(CAPABILITIES, "Water Rescue").map(|e| e.0),
            Some("water_rescue")
        );
        assert_eq!(
            lookup(CAPABILITIES, "水域救援").map(|e| e.0),
            Some("water_rescue")
        );
        assert!(lookup(CAPABILITIES, "飞行").is_none());
        assert_eq!(
            lookup(FORCE_TYPES, "志愿者").map(|e| e.0),
            Some("volunteer")
        );
        assert!(lookup(FORCE_TYPES, "消防").is_none(), "two types say 消防");
        assert!(lookup(FORCE_TYPES, " ").is_none());
        assert_eq!(label(CAPABILITIES, "rope").0, "rope");
        for table in [FORCE_TYPES, CAPABILITIES] {
            for (name, _, _) in table {
                assert!(vocab_name("x", name).is_ok(), "{name}");
            }
        }
        assert_eq!("已出动".parse(), Ok(Availability::Deployed));
        assert_eq!("Resting".parse(), Ok(Availability::Resting));
        assert!("busy".parse::<Availability>().is_err());
    }
}
