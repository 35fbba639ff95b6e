//! The kind of unit a post is (指挥部, 消防, 公安 …).
//!
//! A primitive of its own because posts, certificates and the authority
//! rules all name it, and those sit below the entries that carry them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What kind of unit a post is. Travels as its name, so a unit type added
/// later reads as `Other` on older nodes instead of breaking their decoding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum UnitType {
    /// 指挥部 / 应急管理局: a command post of the linkage hierarchy.
    Command,
    Fire,
    Police,
    Health,
    Transport,
    Communications,
    Weather,
    Earthquake,
    Water,
    Environment,
    CivilAffairs,
    Military,
    Volunteer,
    Other(String),
}

impl UnitType {
    const NAMED: [(UnitType, &'static str, &'static str); 13] = [
        (UnitType::Command, "command", "指挥部"),
        (UnitType::Fire, "fire", "消防"),
        (UnitType::Police, "police", "公安"),
        (UnitType::Health, "health", "卫生健康"),
        (UnitType::Transport, "transport", "交通"),
        (UnitType::Communications, "communications", "通信"),
        (UnitType::Weather, "weather", "气象"),
        (UnitType::Earthquake, "earthquake", "地震"),
        (UnitType::Water, "water", "水利"),
        (UnitType::Environment, "environment", "生态环境"),
        (UnitType::CivilAffairs, "civil_affairs", "民政"),
        (UnitType::Military, "military", "军队"),
        (UnitType::Volunteer, "volunteer", "志愿者"),
    ];

    pub fn name(&self) -> &str {
        match self {
            UnitType::Other(s) => s,
            known => Self::NAMED
                .iter()
                .find(|(t, _, _)| t == known)
                .map_or("other", |(_, en, _)| en),
        }
    }

    pub fn name_zh(&self) -> &str {
        match self {
            UnitType::Other(s) => s,
            known => Self::NAMED
                .iter()
                .find(|(t, _, _)| t == known)
                .map_or("其他", |(_, _, zh)| zh),
        }
    }

    /// Every named type, for help texts.
    pub fn all_named() -> impl Iterator<Item = (&'static str, &'static str)> {
        Self::NAMED.iter().map(|(_, en, zh)| (*en, *zh))
    }
}

impl From<String> for UnitType {
    fn from(s: String) -> Self {
        let t = s.trim();
        Self::NAMED
            .iter()
            .find(|(_, en, zh)| *en == t || *zh == t)
            .map_or(UnitType::Other(s), |(ty, _, _)| ty.clone())
    }
}

impl From<UnitType> for String {
    fn from(t: UnitType) -> String {
        t.name().to_string()
    }
}

impl fmt::Display for UnitType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_types_travel_by_name() {
        assert_eq!(UnitType::from("fire".to_string()), UnitType::Fire);
        assert_eq!(UnitType::from("消防".to_string()), UnitType::Fire);
        assert_eq!(
            UnitType::from("drone".to_string()),
            UnitType::Other("drone".into())
        );
        assert_eq!(String::from(UnitType::CivilAffairs), "civil_affairs");
    }
}
