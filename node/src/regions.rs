//! Region names, from tables that say which year they describe.
//!
//! Region codes change (沙湾县 654223 became 沙湾市 654203 in 2021), so a
//! name comes with its source and year, and a well-formed code that no table
//! knows is accepted as written, with a warning (`RegionCode` only checks
//! structure). The county-level table is the `gb2260` crate's GB/T 2260
//! data (latest revision 2016-07); a short table kept here adds the codes
//! this project's own posts and demo use that are newer than that.

use liandong_protocol::RegionCode;
use serde::Serialize;

/// Changes after GB/T 2260 revision 2016-07 that this project relies on,
/// with the year of the statistical table they come from.
const NEWER: &[(&str, &str, &str)] = &[
    ("654203", "沙湾市", "2023 统计用区划代码"),
    ("654203106", "西戈壁镇", "2023 统计用区划代码"),
    ("654203102", "老沙湾镇", "2023 统计用区划代码"),
];

const GB2260_SOURCE: &str = "GB/T 2260 (2016-07)";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionName {
    pub code: String,
    pub name: String,
    /// Which table, and which year, the name comes from.
    pub source: String,
}

/// The name of a region, if a table knows it.
pub fn lookup(code: &RegionCode) -> Option<RegionName> {
    if code.is_national() {
        return Some(RegionName {
            code: code.to_string(),
            name: "全国".into(),
            source: "—".into(),
        });
    }
    if let Some((_, name, source)) = NEWER.iter().find(|(c, _, _)| *c == code.as_str()) {
        return Some(RegionName {
            code: code.to_string(),
            name: (*name).into(),
            source: (*source).into(),
        });
    }
    // GB/T 2260 writes provinces and prefectures padded to six digits.
    let six = match code.as_str().len() {
        2 => format!("{}0000", code),
        4 => format!("{}00", code),
        6 => code.to_string(),
        _ => return None,
    };
    gb2260::Division::get(&six).map(|d| RegionName {
        code: code.to_string(),
        name: d.name.to_string(),
        source: GB2260_SOURCE.into(),
    })
}

/// A line for operators: the name, or a warning that no table knows the
/// code (it is still accepted as written).
pub fn describe(code: &RegionCode) -> String {
    match lookup(code) {
        Some(n) => format!("{} {} ({})", n.code, n.name, n.source),
        None => {
            let known_parent = code.ancestors().into_iter().find_map(|a| lookup(&a));
            let within = known_parent
                .map(|p| format!("，属 {} / within {}", p.name, p.name))
                .unwrap_or_default();
            format!(
                "{code} — 代码格式正确但不在区划表中，按原样使用{within} / well-formed but not in the region tables; kept as written"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rc(s: &str) -> RegionCode {
        s.parse().expect("region")
    }

    #[test]
    fn names_with_their_year() {
        let xj = lookup(&rc("65")).expect("province");
        assert!(xj.name.contains("新疆"), "{xj:?}");
        assert_eq!(lookup(&rc("6542")).map(|n| n.name), Some("塔城地区".into()));
        // The 2016 table still has 沙湾县; the newer table has 沙湾市.
        assert_eq!(lookup(&rc("654223")).map(|n| n.name), Some("沙湾县".into()));
        let shawan = lookup(&rc("654203")).expect("newer table");
        assert_eq!(shawan.name, "沙湾市");
        assert!(shawan.source.contains("2023"));
    }

    #[test]
    fn unknown_codes_are_described_not_refused() {
        let village = rc("654203106201");
        assert_eq!(lookup(&village), None);
        let text = describe(&village);
        assert!(text.contains("kept as written"), "{text}");
        assert!(text.contains("西戈壁镇"), "{text}");
    }
}
