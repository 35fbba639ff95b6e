//! How Liandong's warning vocabulary and CAP's meet, as data (docs/cap.md
//! prints these tables and names their sources):
//!
//! - colour ↔ `severity` (GB/T 35965.1 practice: 红 Extreme, 橙 Severe,
//!   黄 Moderate, 蓝 Minor). A `severity` of Unknown has no colour: the
//!   warning is shown as 未分级 / ungraded, never guessed up or down.
//!   `urgency` and `certainty` never change the colour.
//! - GB/T 35561 event subtypes ↔ CAP `category`, and each CAP category back
//!   to a GB/T 35561 class (the CAP `event` text is kept as the subtype).
//! - region codes ↔ `<geocode>` with the valueNames below.
//!
//! The fold uses [`warning_info`] to show an external warning beside the
//! post's own; the node's gateway uses the rest to write CAP.

use super::{CapAlert, CapCategory, CapCertainty, CapInfo, CapSeverity, CapTime, CapUrgency};
use crate::linkage::vocab::{Category, EventType, SUBTYPES};
use crate::linkage::warning::{WarningColor, WarningInfo};
use crate::region::RegionCode;

/// Colour ↔ CAP severity.
pub const COLOR_SEVERITY: [(WarningColor, CapSeverity); 4] = [
    (WarningColor::Red, CapSeverity::Extreme),
    (WarningColor::Orange, CapSeverity::Severe),
    (WarningColor::Yellow, CapSeverity::Moderate),
    (WarningColor::Blue, CapSeverity::Minor),
];

/// The `<geocode>` valueName of a region code, by its number of digits:
/// GB/T 2260 for province, prefecture and county codes; GB/T 10114 for
/// township (9-digit) and village (12-digit) codes, which extend them.
pub const GEOCODE_GB2260: &str = "GB/T 2260";
pub const GEOCODE_GB10114: &str = "GB/T 10114";

/// A native warning's urgency: Immediate once in effect when sent,
/// Expected when it takes effect later.
pub const fn urgency(effective_ms: u64, sent_ms: u64) -> CapUrgency {
    if effective_ms <= sent_ms {
        CapUrgency::Immediate
    } else {
        CapUrgency::Expected
    }
}

/// A native warning forecasts: Likely (Observed is for what is under way,
/// which is an incident report, not a warning).
pub const NATIVE_CERTAINTY: CapCertainty = CapCertainty::Likely;

/// How long an external warning that gives no `<expires>` stays in force
/// here (CAP leaves it to each recipient): 24 hours after it takes effect.
pub const DEFAULT_LIFETIME_MS: u64 = 24 * 60 * 60 * 1000;

/// GB/T 35561 subtype → CAP category.
pub const SUBTYPE_CATEGORY: &[(&str, CapCategory)] = &[
    ("flood_drought", CapCategory::Met),
    ("meteorological", CapCategory::Met),
    ("earthquake", CapCategory::Geo),
    ("geological", CapCategory::Geo),
    ("marine", CapCategory::Met),
    ("biological", CapCategory::Env),
    ("forest_fire", CapCategory::Fire),
    ("work_safety", CapCategory::Safety),
    ("fire", CapCategory::Fire),
    ("transport", CapCategory::Transport),
    ("public_facility", CapCategory::Infra),
    ("nuclear", CapCategory::Cbrne),
    ("environmental", CapCategory::Env),
    ("infectious", CapCategory::Health),
    ("unexplained_disease", CapCategory::Health),
    ("food_drug_safety", CapCategory::Health),
    ("occupational", CapCategory::Health),
    ("animal_epidemic", CapCategory::Health),
    ("mass_incident", CapCategory::Security),
    ("terrorism", CapCategory::Security),
    ("criminal", CapCategory::Security),
    ("economic", CapCategory::Security),
    ("foreign", CapCategory::Security),
    ("cyber", CapCategory::Security),
];

/// GB/T 35561 class → CAP category, for a local subtype the table above
/// does not name.
pub const CLASS_CATEGORY: [(Category, CapCategory); 4] = [
    (Category::Natural, CapCategory::Met),
    (Category::Accident, CapCategory::Safety),
    (Category::PublicHealth, CapCategory::Health),
    (Category::SocialSafety, CapCategory::Security),
];

/// CAP category → GB/T 35561 class. Fire is read as a fire accident
/// (火灾事故); CAP's Other has no class of its own and is read as an
/// accident, with CAP's event text kept as the subtype.
pub const CATEGORY_CLASS: [(CapCategory, Category); 12] = [
    (CapCategory::Geo, Category::Natural),
    (CapCategory::Met, Category::Natural),
    (CapCategory::Safety, Category::Accident),
    (CapCategory::Security, Category::SocialSafety),
    (CapCategory::Rescue, Category::Accident),
    (CapCategory::Fire, Category::Accident),
    (CapCategory::Health, Category::PublicHealth),
    (CapCategory::Env, Category::Accident),
    (CapCategory::Transport, Category::Accident),
    (CapCategory::Infra, Category::Accident),
    (CapCategory::Cbrne, Category::Accident),
    (CapCategory::Other, Category::Accident),
];

pub fn severity_of(color: WarningColor) -> CapSeverity {
    COLOR_SEVERITY
        .iter()
        .find(|(c, _)| *c == color)
        .map_or(CapSeverity::Unknown, |(_, s)| *s)
}

/// `None` for Unknown: no colour.
pub fn color_of(severity: CapSeverity) -> Option<WarningColor> {
    COLOR_SEVERITY
        .iter()
        .find(|(_, s)| *s == severity)
        .map(|(c, _)| *c)
}

pub fn category_of(event: &EventType) -> CapCategory {
    SUBTYPE_CATEGORY
        .iter()
        .find(|(s, _)| *s == event.subtype)
        .map(|(_, c)| *c)
        .or_else(|| {
            CLASS_CATEGORY
                .iter()
                .find(|(k, _)| *k == event.category)
                .map(|(_, c)| *c)
        })
        .unwrap_or(CapCategory::Other)
}

/// The GB/T 35561 event an external info describes: a known subtype when
/// CAP's event text names one (in Chinese or by machine name), else the
/// class of its first category with the event text as a local subtype.
pub fn event_of(info: &CapInfo) -> EventType {
    let text = info.event.trim();
    if let Some(known) = SUBTYPES.iter().find(|k| k.0 == text || k.2 == text) {
        return EventType::new(known.1, known.0);
    }
    let class = info
        .categories
        .first()
        .and_then(|c| CATEGORY_CLASS.iter().find(|(k, _)| k == c))
        .map_or(Category::Accident, |(_, class)| *class);
    EventType::new(class, text)
}

/// The geocode valueName for a region code.
pub fn geocode_name(code: &RegionCode) -> &'static str {
    if code.as_str().len() <= 6 {
        GEOCODE_GB2260
    } else {
        GEOCODE_GB10114
    }
}

/// The region codes an area's geocodes name (other geocodes are kept in
/// the alert, not read as regions).
pub fn regions_of(info: &CapInfo) -> Vec<RegionCode> {
    let mut out: Vec<RegionCode> = Vec::new();
    for g in info.areas.iter().flat_map(|a| &a.geocodes) {
        if g.name != GEOCODE_GB2260 && g.name != GEOCODE_GB10114 {
            continue;
        }
        if let Ok(code) = RegionCode::parse(g.value.trim())
            && !out.contains(&code)
        {
            out.push(code);
        }
    }
    out
}

/// The info shown first: the first in Chinese, else the first.
pub fn primary(alert: &CapAlert) -> Option<&CapInfo> {
    alert
        .infos
        .iter()
        .find(|i| is_chinese(&i.language))
        .or_else(|| alert.infos.first())
}

/// An info's headline, or its event when it has none.
fn headline(i: &CapInfo) -> &str {
    if i.headline.trim().is_empty() {
        &i.event
    } else {
        &i.headline
    }
}

fn is_chinese(language: &str) -> bool {
    language.trim().to_ascii_lowercase().starts_with("zh")
}

fn is_english(language: &str) -> bool {
    language.trim().to_ascii_lowercase().starts_with("en")
}

/// An external alert as a warning beside the post's own, and whether its
/// severity gave it a colour (ungraded ones show Blue's place as 未分级).
/// Texts come from the Chinese and English infos; an alert in another
/// language shows its own text in both places.
pub fn warning_info(alert: &CapAlert) -> (WarningInfo, bool) {
    let first = primary(alert);
    let zh = alert
        .infos
        .iter()
        .find(|i| is_chinese(&i.language))
        .or(first);
    let en = alert
        .infos
        .iter()
        .find(|i| is_english(&i.language))
        .or(first);
    let text = |info: Option<&CapInfo>, f: fn(&CapInfo) -> &str| {
        info.map(f).unwrap_or_default().to_string()
    };
    let effective = first
        .and_then(|i| i.effective.or(i.onset))
        .unwrap_or(alert.sent);
    let expires = first.and_then(|i| i.expires).map_or(
        effective.ms.saturating_add(DEFAULT_LIFETIME_MS),
        |t: CapTime| t.ms,
    );
    let color = first.and_then(|i| color_of(i.severity));
    let info = WarningInfo {
        color: color.unwrap_or(WarningColor::Blue),
        event: first.map_or_else(|| EventType::new(Category::Accident, ""), event_of),
        area: first.map(regions_of).unwrap_or_default(),
        polygon: first
            .and_then(|i| i.areas.iter().flat_map(|a| &a.polygons).next())
            .cloned()
            .unwrap_or_default(),
        effective_ms: effective.ms,
        expires_ms: expires,
        headline_zh: text(zh, headline),
        headline_en: text(en, headline),
        description_zh: text(zh, |i| &i.description),
        description_en: text(en, |i| &i.description),
        instruction_zh: text(zh, |i| &i.instruction),
        instruction_en: text(en, |i| &i.instruction),
    };
    (info, color.is_some())
}

#[cfg(test)]
mod tests {
    use super::super::tests::alert;
    use super::*;

    #[test]
    fn colours_and_severities_map_both_ways() {
        for color in WarningColor::ALL {
            assert_eq!(color_of(severity_of(color)), Some(color));
        }
        assert_eq!(color_of(CapSeverity::Unknown), None);
    }

    #[test]
    fn every_subtype_has_a_category_and_reads_back_to_its_class() {
        for (subtype, class, _, _) in SUBTYPES {
            let event = EventType::new(*class, subtype);
            let category = category_of(&event);
            assert!(
                SUBTYPE_CATEGORY.iter().any(|(s, _)| s == subtype),
                "{subtype} is in the table"
            );
            assert_ne!(category, CapCategory::Other, "{subtype}");
        }
    }

    #[test]
    fn an_external_alert_shows_as_a_warning() {
        let a = alert();
        let (info, graded) = warning_info(&a);
        assert!(graded);
        assert_eq!(info.color, WarningColor::Orange);
        assert_eq!(info.event.category, Category::Natural);
        assert_eq!(info.event.subtype, "暴雨");
        assert_eq!(info.area, vec![RegionCode::parse("654203").expect("code")]);
        assert_eq!(info.headline_zh, "沙湾市暴雨橙色预警");
        assert_eq!(info.headline_en, "沙湾市暴雨橙色预警", "no English info");

        let mut unknown = alert();
        unknown.infos[0].severity = CapSeverity::Unknown;
        unknown.infos[0].expires = None;
        let (info, graded) = warning_info(&unknown);
        assert!(!graded, "Unknown severity has no colour");
        assert_eq!(info.expires_ms, info.effective_ms + DEFAULT_LIFETIME_MS);
    }
}
