//! Native warnings as CAP 1.2: the identifier GB/T 35965.1 shapes, the
//! mapping tables' values, Beijing time, both languages, the drill, and
//! the issue / update / cancel chain — each valid against the schema and
//! unchanged by a round trip.

use liandong_protocol::domain::cap::{
    CapCategory, CapCertainty, CapMsgType, CapResponseType, CapSeverity, CapStatus, CapUrgency,
    ExternalWarning,
};
use liandong_protocol::domain::fold::{WarningStatus, WarningVersion, WarningView, Who};
use liandong_protocol::domain::{Category, EventType, GeoPoint, WarningColor, WarningInfo};
use liandong_protocol::ids::{EntryId, NodeId};
use liandong_protocol::level::Level;
use liandong_protocol::limits::Limits;
use liandong_protocol::region::RegionCode;

use super::round_trip;
use crate::gateway::cap::{NativeMessage, native_alert, native_identifier, write_alert};

/// 2026-07-15T14:30:00.123+08:00
const ISSUED_MS: u64 = 1_784_097_000_123;
const HOUR_MS: u64 = 3_600_000;

fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).expect("region code")
}

fn who(byte: u8, name: &str) -> Who {
    Who {
        node: NodeId([byte; 32]),
        name: name.into(),
        level: Level::County,
        entered_by: None,
    }
}

fn version(entry: EntryId, action: &str, at_ms: u64) -> WarningVersion {
    WarningVersion {
        entry,
        action: action.into(),
        by: who(1, "沙湾市应急管理局"),
        at_ms,
        overridden: false,
    }
}

fn view() -> WarningView {
    let id = EntryId([0x2a; 32]);
    WarningView {
        id,
        issued_by: who(1, "沙湾市应急管理局"),
        issued_ms: ISSUED_MS,
        current: WarningInfo {
            color: WarningColor::Orange,
            event: EventType::new(Category::Natural, "meteorological"),
            area: vec![region("654203"), region("654203100")],
            polygon: vec![
                GeoPoint {
                    lat_e6: 44_050_000,
                    lon_e6: 85_350_000,
                },
                GeoPoint {
                    lat_e6: 44_050_000,
                    lon_e6: 85_950_000,
                },
                GeoPoint {
                    lat_e6: 44_350_000,
                    lon_e6: 85_950_000,
                },
                GeoPoint {
                    lat_e6: 44_050_000,
                    lon_e6: 85_350_000,
                },
            ],
            effective_ms: ISSUED_MS,
            expires_ms: ISSUED_MS + 24 * HOUR_MS,
            headline_zh: "沙湾市暴雨橙色预警".into(),
            headline_en: "Orange rainstorm warning for Shawan".into(),
            description_zh: "预计未来 3 小时降雨量将达 50 毫米以上。".into(),
            description_en: "More than 50 mm of rain expected within 3 hours.".into(),
            instruction_zh: "停止户外作业。".into(),
            instruction_en: String::new(),
        },
        current_entry: id,
        current_by: who(1, "沙湾市应急管理局"),
        status: WarningStatus::Active,
        cancel_reason: None,
        history: vec![version(id, "issue", ISSUED_MS)],
        external: None,
    }
}

#[test]
fn an_issued_warning_is_a_cap_alert_with_a_gbt_35965_identifier() {
    let w = view();
    let alert = native_alert(&w, NativeMessage::Alert, "沙湾市", None);
    assert_eq!(alert.identifier, "65420300000000_20260715143000_2");
    assert_eq!(alert.identifier.len(), 31);
    assert_eq!(
        alert,
        native_alert(&w, NativeMessage::Alert, "沙湾市", None),
        "stable"
    );
    assert_eq!(alert.sender, format!("liandong:{}", "01".repeat(32)));
    assert_eq!(alert.msg_type, CapMsgType::Alert);
    assert_eq!(alert.status, CapStatus::Actual);
    assert!(alert.references.is_empty());
    assert_eq!(alert.sent.offset_min, 480);
    assert_eq!(alert.sent.ms % 1000, 0, "whole seconds");

    let languages: Vec<&str> = alert.infos.iter().map(|i| i.language.as_str()).collect();
    assert_eq!(languages, ["zh-CN", "en-US"]);
    let zh = &alert.infos[0];
    assert_eq!(zh.event, "气象灾害");
    assert_eq!(alert.infos[1].event, "meteorological disaster");
    assert_eq!(zh.categories, [CapCategory::Met]);
    assert_eq!(zh.severity, CapSeverity::Severe);
    assert_eq!(zh.urgency, CapUrgency::Immediate);
    assert_eq!(zh.certainty, CapCertainty::Likely);
    assert_eq!(zh.sender_name, "沙湾市应急管理局");
    let area = &zh.areas[0];
    assert_eq!(area.description, "沙湾市");
    assert_eq!(area.polygons, std::slice::from_ref(&w.current.polygon));
    let geocodes: Vec<(&str, &str)> = area
        .geocodes
        .iter()
        .map(|g| (g.name.as_str(), g.value.as_str()))
        .collect();
    assert_eq!(
        geocodes,
        [("GB/T 2260", "654203"), ("GB/T 10114", "654203100")]
    );

    let (read_back, written) = round_trip("native issue", write_alert(&alert).as_bytes());
    assert_eq!(read_back, alert);
    assert!(written.contains("<language>zh-CN</language>"));
    assert!(written.contains("<sent>2026-07-15T14:30:00+08:00</sent>"));
    assert_eq!(
        ExternalWarning { drill: None, alert }.check(&Limits::default()),
        Ok(())
    );
}

#[test]
fn an_update_and_a_cancel_reference_the_issue() {
    let mut w = view();
    let issue = native_alert(&w, NativeMessage::Alert, "沙湾市", None);
    assert_eq!(
        native_alert(&w, NativeMessage::Update, "沙湾市", None),
        issue,
        "no later version: the Alert"
    );

    let update = EntryId([0x33; 32]);
    w.current_entry = update;
    w.history
        .push(version(update, "update", ISSUED_MS + 3 * HOUR_MS));
    w.current.effective_ms = ISSUED_MS + 4 * HOUR_MS;
    let alert = native_alert(&w, NativeMessage::Update, "沙湾市", None);
    assert_eq!(alert.msg_type, CapMsgType::Update);
    assert_eq!(alert.identifier, "65420300000000_20260715173000_1");
    assert_eq!(alert.references.len(), 1);
    assert_eq!(alert.references[0].identifier, issue.identifier);
    assert_eq!(alert.references[0].sender, issue.sender);
    assert_eq!(alert.references[0].sent, "2026-07-15T14:30:00+08:00");
    assert_eq!(
        alert.infos[0].urgency,
        CapUrgency::Expected,
        "effective later"
    );
    round_trip("native update", write_alert(&alert).as_bytes());

    let cancel = EntryId([0x40; 32]);
    w.current_entry = cancel;
    w.current_by = who(9, "塔城地区应急管理局");
    w.status = WarningStatus::Cancelled;
    w.cancel_reason = Some("降雨减弱".into());
    w.history
        .push(version(cancel, "cancel", ISSUED_MS + 20 * HOUR_MS));
    let alert = native_alert(&w, NativeMessage::Cancel, "沙湾市", None);
    assert_eq!(alert.msg_type, CapMsgType::Cancel);
    assert_eq!(alert.identifier, "65420300000000_20260716103000_4");
    assert_eq!(alert.sender, format!("liandong:{}", "09".repeat(32)));
    assert_eq!(alert.references[0].identifier, issue.identifier);
    assert!(alert.note.contains("降雨减弱"));
    assert_eq!(alert.infos[0].response_types, [CapResponseType::AllClear]);
    assert_eq!(alert.infos[0].sender_name, "塔城地区应急管理局");
    round_trip("native cancel", write_alert(&alert).as_bytes());
    assert_eq!(
        ExternalWarning { drill: None, alert }.check(&Limits::default()),
        Ok(())
    );
}

#[test]
fn a_drill_warning_is_an_exercise_naming_its_drill() {
    let mut w = view();
    w.current.headline_en = String::new();
    w.current.description_en = String::new();
    let drill = EntryId([0x5c; 32]);
    let alert = native_alert(&w, NativeMessage::Alert, "", Some(drill));
    assert_eq!(alert.status, CapStatus::Exercise);
    assert!(alert.note.contains("演练"));
    assert!(alert.note.contains(&drill.to_hex()));
    assert_eq!(alert.infos.len(), 1, "no English text, no English info");
    assert_eq!(alert.infos[0].areas[0].description, "654203 654203100");
    let (read_back, _) = round_trip("native drill", write_alert(&alert).as_bytes());
    assert_eq!(
        ExternalWarning {
            drill: Some(drill),
            alert: read_back
        }
        .check(&Limits::default()),
        Ok(())
    );
}

#[test]
fn the_identifier_names_the_region_every_warned_area_lies_in() {
    let mut w = view();
    w.current.area = vec![region("654202"), region("654203")];
    let alert = native_alert(&w, NativeMessage::Alert, "", None);
    assert!(
        alert.identifier.starts_with("654200"),
        "{}",
        alert.identifier
    );
    w.current.area = vec![region("654203"), region("110101")];
    let alert = native_alert(&w, NativeMessage::Alert, "", None);
    assert!(
        alert.identifier.starts_with("000000"),
        "{}",
        alert.identifier
    );
}

#[test]
fn an_update_in_the_issues_second_never_names_itself() {
    let mut w = view();
    // Same first byte as the issue (0x2a): same digit, same second.
    let update = EntryId([
        0x2a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
        24, 25, 26, 27, 28, 29, 30, 31,
    ]);
    w.current_entry = update;
    w.history.push(version(update, "update", ISSUED_MS + 500));
    let issue = native_alert(&w, NativeMessage::Alert, "", None);
    let alert = native_alert(&w, NativeMessage::Update, "", None);
    assert_eq!(issue.identifier, "65420300000000_20260715143000_2");
    assert_eq!(alert.identifier, "65420300000000_20260715143000_3");
    assert_eq!(alert.references[0].identifier, issue.identifier);
}

#[test]
fn identifiers_pad_higher_regions_and_keep_the_entry_digit() {
    let id = EntryId([0xff; 32]);
    assert_eq!(
        native_identifier(&region("65"), ISSUED_MS, &id),
        "65000000000000_20260715143000_5"
    );
    assert_eq!(
        native_identifier(&RegionCode::national(), ISSUED_MS, &id),
        "00000000000000_20260715143000_5"
    );
    assert_eq!(
        native_identifier(&region("654203100"), ISSUED_MS, &id),
        "65420300000000_20260715143000_5",
        "a township writes its county's code"
    );
}

#[test]
fn the_operator_who_entered_it_is_in_the_note_the_sender_stays_the_post() {
    let mut w = view();
    let op = liandong_protocol::Operator::new("lisi", "带班领导 李四").expect("operator");
    w.issued_by.entered_by = Some(op);
    let alert = native_alert(&w, NativeMessage::Alert, "", None);
    assert!(
        alert
            .note
            .contains("录入 / Entered by: 带班领导 李四 (lisi)"),
        "{}",
        alert.note
    );
    assert_eq!(alert.infos[0].sender_name, "沙湾市应急管理局");
    assert!(!alert.sender.contains("lisi"));
    // Valid CAP, unchanged by a round trip.
    let (read_back, _) = round_trip("native entered", write_alert(&alert).as_bytes());
    assert_eq!(read_back.note, alert.note);
    // Without an operator the note says nothing of one.
    let plain = native_alert(&view(), NativeMessage::Alert, "", None);
    assert!(!plain.note.contains("录入"));
}
