//! 预警发布、变更、解除. Issuing needs the warning-issuer role (in
//! development mode, granted by the dev-roles file). The entry is scoped to
//! the smallest region holding the whole area, so every post warned holds it.
//!
//! A warning goes out in one step under pressure: the right to warn (role
//! and area) is asked before anything else, then the whole form is read and
//! every missing or unreadable field is refused at once. English texts are
//! optional; readers show the Chinese where they are blank.

use clap::Args;
use liandong_protocol::domain::{Category, EventType, Warning, WarningColor, WarningInfo};
use liandong_protocol::linkage::rules;
use liandong_protocol::{Body, Limits, RegionCode, authority};
use serde::{Deserialize, Serialize};

use crate::domain::desk::{Desk, Planned};
use crate::domain::error::ActionError;
use crate::domain::ids::{self, WARNING};
use crate::domain::input::{self, Problems};

/// Warning content; on updates, only what is given changes.
#[derive(Debug, Clone, Default, Args, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WarningFields {
    /// red, orange, yellow, blue (or 红、橙、黄、蓝) / 预警颜色
    #[arg(long)]
    pub color: Option<String>,
    /// Event type, e.g. flood_drought / 事件类型
    #[arg(long)]
    pub event: Option<String>,
    /// Region codes warned, comma-separated [default: this post's region] / 预警区域
    #[arg(long)]
    pub area: Option<String>,
    /// Polygon: lat,lon;lat,lon;… closed (first = last) / 多边形范围
    #[arg(long)]
    pub polygon: Option<String>,
    /// Effective from [default: now] / 生效时间
    #[arg(long)]
    pub effective: Option<String>,
    /// Expires: 24h (from now) or "2026-11-29 08:00" / 失效时间，如 24h 表示 24 小时后
    #[arg(long)]
    pub expires: Option<String>,
    /// Headline in Chinese / 标题
    #[arg(long)]
    pub headline: Option<String>,
    /// Headline in English (optional; boards show the Chinese without it) / 英文标题（选填）
    #[arg(long)]
    pub headline_en: Option<String>,
    /// Description in Chinese / 内容
    #[arg(long)]
    pub description: Option<String>,
    /// Description in English (optional) / 英文内容（选填）
    #[arg(long)]
    pub description_en: Option<String>,
    /// What people should do, in Chinese / 防御指引
    #[arg(long)]
    pub instruction: Option<String>,
    /// Instruction in English (optional) / 英文防御指引（选填）
    #[arg(long)]
    pub instruction_en: Option<String>,
}

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateInput {
    /// The warning: id or prefix / 预警编号
    #[arg(long)]
    pub warning: String,
    #[command(flatten)]
    #[serde(default)]
    pub fields: WarningFields,
}

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    /// The warning: id or prefix / 预警编号
    #[arg(long)]
    pub warning: String,
    /// Why / 解除原因
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub reason: String,
}

pub fn issue(desk: &Desk, f: WarningFields) -> Result<Planned, ActionError> {
    // The right to warn first. An unreadable area is reported with the
    // rest of the form below; the role alone is asked here then.
    let warned = match area(&f.area) {
        Ok(Some(area)) if !area.is_empty() => area,
        Ok(_) => vec![desk.region.clone()],
        Err(_) => Vec::new(),
    };
    desk.authorize(&authority::Action::Warn { area: &warned })?;
    // Colour and event are placeholders here: both are required, so
    // `apply` either replaces them with the operator's or refuses.
    let base = WarningInfo {
        color: WarningColor::Blue,
        event: EventType::new(Category::Natural, ""),
        area: Vec::new(),
        polygon: Vec::new(),
        effective_ms: desk.now_ms,
        expires_ms: 0,
        headline_zh: String::new(),
        headline_en: String::new(),
        description_zh: String::new(),
        description_en: String::new(),
        instruction_zh: String::new(),
        instruction_en: String::new(),
    };
    let mut info = apply(base, f, desk, Need::Issue)?;
    if info.area.is_empty() {
        info.area.push(desk.region.clone());
    }
    let scope = common_region(&info.area, desk.region.clone());
    let body = Body::Warning(Box::new(Warning::Issue {
        drill: desk.drill(),
        info,
    }));
    Ok(desk.plan(scope, body, "预警", "warning"))
}

pub fn update(desk: &Desk, a: UpdateInput) -> Result<Planned, ActionError> {
    let views = desk.views();
    let warning = ids::resolve(
        &a.warning,
        views.warnings.iter().map(|w| w.id),
        WARNING,
        "warning",
    )?;
    let current = views
        .warning(&warning)
        .ok_or_else(|| ids::unknown(WARNING, &warning, "warning"))?
        .current
        .clone();
    // The right to change this warning before the form's details (the
    // fold asks again, with the new area, when the entry is checked).
    desk.authorize(&authority::Action::Warn {
        area: &current.area,
    })?;
    let info = apply(current, a.fields, desk, Need::Update)?;
    let scope = common_region(&info.area, desk.region.clone());
    let body = Body::Warning(Box::new(Warning::Update {
        warning,
        drill: desk.drill(),
        info,
    }));
    Ok(desk.plan(scope, body, "预警变更", "warning update"))
}

pub fn cancel(desk: &Desk, a: CancelInput) -> Result<Planned, ActionError> {
    let views = desk.views();
    let warning = ids::resolve(
        &a.warning,
        views.warnings.iter().map(|w| w.id),
        WARNING,
        "warning",
    )?;
    let area = views
        .warning(&warning)
        .ok_or_else(|| ids::unknown(WARNING, &warning, "warning"))?
        .current
        .area
        .clone();
    let body = Body::Warning(Box::new(Warning::Cancel {
        warning,
        drill: desk.drill(),
        reason: a.reason,
    }));
    Ok(desk.plan(
        common_region(&area, desk.region.clone()),
        body,
        "预警解除",
        "warning cancelled",
    ))
}

/// What a form must give: an issue its colour, event, expiry, Chinese
/// headline and description; an update only what changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Issue,
    Update,
}

/// Applies the given fields to `w`, reading every one before refusing, so
/// the refusal names every missing or unreadable field at once (in the
/// form's order).
fn apply(
    mut w: WarningInfo,
    f: WarningFields,
    desk: &Desk,
    need: Need,
) -> Result<WarningInfo, ActionError> {
    let now_ms = desk.now_ms;
    let mut p = Problems::default();
    let issuing = need == Need::Issue;
    if issuing {
        p.require("color", "预警颜色", &f.color);
    }
    if let Some(c) = p
        .take(input::parse_opt::<WarningColor>("color", &f.color))
        .flatten()
    {
        w.color = c;
    }
    if issuing {
        p.require("event", "事件类型", &f.event);
    }
    if let Some(e) = p
        .take(input::parse_opt::<EventType>("event", &f.event))
        .flatten()
    {
        w.event = e;
    }
    if let Some(area) = p.take(area(&f.area)).flatten() {
        w.area = area;
    }
    let polygon = input::non_blank(&f.polygon).map(|t| input::polygon("polygon", t));
    if let Some(polygon) = p.take(polygon.transpose()).flatten() {
        w.polygon = polygon;
    }
    if let Some(t) = p
        .take(input::time_opt("effective", &f.effective, now_ms))
        .flatten()
    {
        w.effective_ms = t;
    }
    if issuing {
        p.require("expires", "失效时间", &f.expires);
    }
    if let Some(t) = p
        .take(input::future_opt("expires", &f.expires, now_ms))
        .flatten()
    {
        w.expires_ms = t;
    }
    if issuing {
        p.require("headline", "中文标题", &f.headline);
        p.require("description", "预警内容", &f.description);
    }
    for (given, slot) in [
        (f.headline, &mut w.headline_zh),
        (f.headline_en, &mut w.headline_en),
        (f.description, &mut w.description_zh),
        (f.description_en, &mut w.description_en),
        (f.instruction, &mut w.instruction_zh),
        (f.instruction_en, &mut w.instruction_en),
    ] {
        if let Some(v) = given {
            *slot = v;
        }
    }
    body_rules(&w, &desk.limits, &mut p);
    p.finish()?;
    Ok(w)
}

/// The body's own rules (text lengths, expiry after effect), each named by
/// its form field, so the one refusal lists these too instead of the body
/// check refusing them later one at a time. A field already at fault is
/// not named twice.
fn body_rules(w: &WarningInfo, limits: &Limits, p: &mut Problems) {
    let checks = [
        (
            "headline",
            rules::name("headline_zh", &w.headline_zh, limits),
        ),
        (
            "headline_en",
            rules::short("headline_en", &w.headline_en, limits),
        ),
        (
            "description",
            rules::long_required("description_zh", &w.description_zh, limits),
        ),
        (
            "description_en",
            rules::long("description_en", &w.description_en, limits),
        ),
        (
            "instruction",
            rules::long("instruction_zh", &w.instruction_zh, limits),
        ),
        (
            "instruction_en",
            rules::long("instruction_en", &w.instruction_en, limits),
        ),
        (
            "expires",
            rules::after(
                ("effective", Some(w.effective_ms)),
                ("expires", Some(w.expires_ms)),
            ),
        ),
    ];
    for (field, rule) in checks {
        if let Err(e) = rule
            && !p.has(field)
        {
            p.take::<()>(Err(ActionError::body(&e).with_field(field)));
        }
    }
}

/// The area as typed (`654203,654203106`), if given.
fn area(text: &Option<String>) -> Result<Option<Vec<RegionCode>>, ActionError> {
    input::non_blank(text)
        .map(|t| {
            input::list(t)
                .iter()
                .map(|c| input::parse::<RegionCode>("area", c))
                .collect()
        })
        .transpose()
}

/// The smallest region holding every code of the area, if this post covers
/// it; otherwise the post's own region.
pub fn common_region(area: &[RegionCode], mine: RegionCode) -> RegionCode {
    let Some(first) = area.first() else {
        return mine;
    };
    let candidates = std::iter::once(first.clone()).chain(first.ancestors());
    candidates
        .into_iter()
        .find(|c| area.iter().all(|a| a.is_within(c)))
        .filter(|c| c.is_within(&mine))
        .unwrap_or(mine)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use liandong_protocol::domain::fold::{DeadlinePolicy, Fold, Item, Track};
    use liandong_protocol::{
        Draft, EntryId, Hlc, Keypair, Level, Limits, NetworkId, PostProfile, SignedEntry, Status,
        UnitType,
    };

    use super::*;
    use crate::domain::{ActionErrorKind, DevDirectory, DevRoles, PostDirectory};

    const NOW: u64 = 1_795_824_000_000;

    fn rc(s: &str) -> RegionCode {
        s.parse().expect("region")
    }

    const WEATHER: (u8, &str) = (7, "沙湾市气象局");
    const FIRE: (u8, &str) = (8, "沙湾市消防救援大队");

    fn profile((seed, name): (u8, &str)) -> SignedEntry {
        let region = rc("654203");
        SignedEntry::sign(
            &Keypair::from_secret([seed; 32]),
            Draft {
                network: NetworkId::from_name("t"),
                seq: 1,
                prev: None,
                hlc: Hlc::at_wall(NOW - 60_000),
                scope: region.clone(),
                status: Status::Actual,
                body: Body::PostProfile(PostProfile {
                    name: name.into(),
                    level: Level::County,
                    region,
                    unit_type: UnitType::Command,
                    contact: String::new(),
                }),
                operator: None,
            },
        )
        .expect("sign")
    }

    /// The county weather bureau's desk, the bureau holding `roles` (dev
    /// mode); the county fire brigade is known too, without roles.
    fn desk(roles: &[&str]) -> Desk {
        let mut granted = DevRoles::default();
        granted.roles.insert(
            WEATHER.1.into(),
            roles.iter().map(|r| r.to_string()).collect(),
        );
        let posts = [profile(WEATHER), profile(FIRE)];
        Desk {
            fold: Arc::new(Fold::new()),
            directory: PostDirectory::Dev(DevDirectory::from_entries(&posts, &granted, None)),
            authority: Default::default(),
            deadlines: DeadlinePolicy::default(),
            limits: Limits::default(),
            track: Track::Actual,
            now_ms: NOW,
            node: Keypair::from_secret([WEATHER.0; 32]).node_id(),
            name: WEATHER.1.into(),
            region: rc("654203"),
            views: Default::default(),
        }
    }

    fn given(pairs: &[(&str, &str)]) -> WarningFields {
        let json: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::from(*v)))
            .collect();
        serde_json::from_value(json.into()).expect("fields")
    }

    fn chinese_only() -> WarningFields {
        given(&[
            ("color", "橙"),
            ("event", "flood_drought"),
            ("expires", "24h"),
            ("headline", "沙湾市洪水橙色预警"),
            ("description", "河道水位持续上涨"),
        ])
    }

    fn refused_fields(e: &ActionError) -> Vec<(&str, &str)> {
        e.fields
            .iter()
            .map(|f| (f.field.as_str(), f.code.as_str()))
            .collect()
    }

    #[test]
    fn the_role_is_asked_before_the_form() {
        let desk = desk(&[]);
        for form in [WarningFields::default(), chinese_only()] {
            let e = issue(&desk, form).expect_err("no role");
            assert_eq!(e.kind, ActionErrorKind::Forbidden);
            assert_eq!(e.code, "not_authorized");
            assert!(e.zh.contains("无预警发布权限"), "{}", e.zh);
            assert!(e.fields.is_empty());
        }
        // The area within the post's authority, also before the details.
        let desk = self::desk(&["warning_issuer"]);
        let e = issue(&desk, given(&[("area", "654202")])).expect_err("outside");
        assert_eq!(e.code, "not_authorized");
        assert!(e.zh.contains("超出本单位辖区"), "{}", e.zh);
        // An unreadable area cannot be asked about: the role alone is, and
        // the area is reported with the form.
        let e = issue(&self::desk(&[]), given(&[("area", "65x")])).expect_err("no role");
        assert_eq!(e.code, "not_authorized");
    }

    #[test]
    fn every_missing_field_is_named_at_once() {
        let e =
            issue(&desk(&["warning_issuer"]), WarningFields::default()).expect_err("empty form");
        assert_eq!(e.kind, ActionErrorKind::Input);
        assert_eq!(e.code, "invalid_fields");
        assert_eq!(
            refused_fields(&e),
            [
                ("color", "missing_field"),
                ("event", "missing_field"),
                ("expires", "missing_field"),
                ("headline", "missing_field"),
                ("description", "missing_field"),
            ],
            "English is not among them"
        );
        assert_eq!(e.field.as_deref(), Some("color"));
    }

    #[test]
    fn texts_too_long_and_expiry_before_effect_are_named_at_once() {
        let limits = Limits::default();
        let long_name = "洪".repeat(limits.max_name_chars + 1);
        let long_text = "水".repeat(limits.max_text_chars + 1);
        let long_en = "x".repeat(limits.max_name_chars + 1);
        let name_at_limit = "洪".repeat(limits.max_name_chars);
        let text_at_limit = "水".repeat(limits.max_text_chars);
        let e = issue(
            &desk(&["warning_issuer"]),
            given(&[
                ("color", "橙"),
                ("event", "flood_drought"),
                ("effective", "+3h"),
                ("expires", "+2h"),
                ("headline", long_name.as_str()),
                ("headline_en", long_en.as_str()),
                ("description", long_text.as_str()),
                ("instruction", long_text.as_str()),
            ]),
        )
        .expect_err("every rule broken");
        assert_eq!(e.code, "invalid_fields");
        let named: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            named,
            [
                "headline",
                "headline_en",
                "description",
                "instruction",
                "expires"
            ]
        );
        // At the limits exactly, the form passes.
        let at_limit = issue(
            &desk(&["warning_issuer"]),
            given(&[
                ("color", "橙"),
                ("event", "flood_drought"),
                ("expires", "+2h"),
                ("headline", name_at_limit.as_str()),
                ("description", text_at_limit.as_str()),
            ]),
        );
        assert!(at_limit.is_ok(), "{at_limit:?}");
    }

    #[test]
    fn unreadable_values_are_named_with_the_missing_ones() {
        let e = issue(
            &desk(&["warning_issuer"]),
            given(&[
                ("color", "green"),
                ("event", "flood_drought"),
                ("area", "654203,65x"),
                ("polygon", "44.3;85.5"),
                ("effective", "soon"),
                ("expires", "2020-01-01"),
                ("description", "河道水位持续上涨"),
            ]),
        )
        .expect_err("bad form");
        assert_eq!(
            refused_fields(&e),
            [
                ("color", "invalid_field"),
                ("area", "invalid_field"),
                ("polygon", "invalid_field"),
                ("effective", "invalid_field"),
                ("expires", "invalid_field"),
                ("headline", "missing_field"),
            ]
        );
        // One problem alone keeps its own code.
        let mut form = chinese_only();
        form.color = Some("green".into());
        let e = issue(&desk(&["warning_issuer"]), form).expect_err("bad colour");
        assert_eq!(e.code, "invalid_field");
        assert_eq!(e.field.as_deref(), Some("color"));
    }

    #[test]
    fn a_warning_needs_no_english() {
        let desk = desk(&["warning_issuer"]);
        let planned = issue(&desk, chinese_only()).expect("planned");
        assert_eq!(desk.check(&planned), Ok(None), "the fold takes it too");
        let Body::Warning(w) = &planned.body else {
            panic!("a warning: {:?}", planned.body);
        };
        let Warning::Issue { info, .. } = w.as_ref() else {
            panic!("an issue: {w:?}");
        };
        assert_eq!(info.headline_en, "");
        assert_eq!(info.area, [rc("654203")], "this post's region by default");
        assert_eq!(info.expires_ms, NOW + 24 * 3_600_000);
        assert_eq!(info.color, WarningColor::Orange);
    }

    #[test]
    fn warnings_are_scoped_to_their_area() {
        let county = rc("654203");
        assert_eq!(
            common_region(&[rc("654203106201"), rc("654203106202")], county.clone()),
            rc("654203106")
        );
        assert_eq!(common_region(&[rc("654203")], county.clone()), county);
        assert_eq!(
            common_region(&[rc("654203"), rc("654202")], rc("6542")),
            rc("6542")
        );
        assert_eq!(common_region(&[], county.clone()), county);
    }

    #[test]
    fn an_update_asks_the_right_before_its_fields() {
        let mut weather = desk(&["warning_issuer"]);
        let planned = issue(&weather, chinese_only()).expect("planned");
        let mut fold = Fold::new();
        fold.insert_item(Item {
            id: EntryId([0x5a; 32]),
            author: weather.node,
            hlc: Hlc::at_wall(NOW - 1_000),
            scope: planned.scope,
            status: planned.status,
            body: planned.body,
            operator: None,
        });
        weather.fold = Arc::new(fold);
        let bad = |warning: &str| UpdateInput {
            warning: warning.into(),
            fields: given(&[("color", "green"), ("expires", "soon")]),
        };
        // The issuer may change it: every bad field is named.
        let e = update(&weather, bad("5a5a")).expect_err("bad fields");
        assert_eq!(e.code, "invalid_fields");
        assert_eq!(
            refused_fields(&e),
            [("color", "invalid_field"), ("expires", "invalid_field")]
        );
        // A post without the role learns that before anything else.
        let fire = Desk {
            node: Keypair::from_secret([FIRE.0; 32]).node_id(),
            name: FIRE.1.into(),
            ..weather
        };
        let e = update(&fire, bad("5a5a")).expect_err("no role");
        assert_eq!(e.code, "not_authorized");
        assert!(e.zh.contains("无预警发布权限"), "{}", e.zh);
    }
}
