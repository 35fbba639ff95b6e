//! External (CAP) warnings in the fold: recorded by any post, updated and
//! cancelled by their sender's messages, duplicates recognised, an older
//! message arriving late kept out of force, exercises only in their drill.

mod world;

use liandong_protocol::domain::cap::{
    CapAlert, CapArea, CapCategory, CapCertainty, CapInfo, CapMsgType, CapReference, CapSeverity,
    CapStatus, CapTime, CapUrgency, CapValue, ExternalWarning,
};
use liandong_protocol::domain::fold::WarningStatus;
use liandong_protocol::domain::*;
use liandong_protocol::{Body, EntryId, Hlc, Status};
use world::*;

fn time(minutes: u64) -> CapTime {
    CapTime {
        ms: at(minutes),
        offset_min: 480,
    }
}

fn alert(identifier: &str, msg_type: CapMsgType, sent_min: u64, severity: CapSeverity) -> CapAlert {
    CapAlert {
        identifier: identifier.into(),
        sender: "xj-meteo@cma.cn".into(),
        sent: time(sent_min),
        status: CapStatus::Actual,
        msg_type,
        source: String::new(),
        scope: liandong_protocol::domain::cap::CapScope::Public,
        restriction: String::new(),
        addresses: String::new(),
        codes: Vec::new(),
        note: String::new(),
        references: Vec::new(),
        incidents: String::new(),
        infos: vec![CapInfo {
            language: "zh-CN".into(),
            categories: vec![CapCategory::Met],
            event: "暴雨".into(),
            response_types: Vec::new(),
            urgency: CapUrgency::Expected,
            severity,
            certainty: CapCertainty::Likely,
            audience: String::new(),
            event_codes: Vec::new(),
            effective: Some(time(sent_min)),
            onset: None,
            expires: Some(time(sent_min + 600)),
            sender_name: "新疆气象台".into(),
            headline: format!("暴雨预警 {identifier}"),
            description: "预计未来 6 小时降雨量将达 50 毫米以上".into(),
            instruction: String::new(),
            web: String::new(),
            contact: String::new(),
            parameters: Vec::new(),
            resources: Vec::new(),
            areas: vec![CapArea {
                description: "沙湾市".into(),
                polygons: Vec::new(),
                circles: Vec::new(),
                geocodes: vec![CapValue {
                    name: "GB/T 2260".into(),
                    value: "654203".into(),
                }],
                altitude: String::new(),
                ceiling: String::new(),
            }],
        }],
    }
}

fn referring(mut a: CapAlert, to: &CapAlert) -> CapAlert {
    a.references = vec![CapReference {
        sender: to.sender.clone(),
        identifier: to.identifier.clone(),
        sent: "2026-11-18T13:46:40+08:00".into(),
    }];
    a
}

fn body(alert: &CapAlert, drill: Option<EntryId>) -> Body {
    Body::ExternalWarning(Box::new(ExternalWarning {
        drill,
        alert: alert.clone(),
    }))
}

#[test]
fn a_sender_updates_and_cancels_its_warning() {
    let w = World::new();
    let first = alert("A1", CapMsgType::Alert, 0, CapSeverity::Severe);
    let raise = referring(
        alert("A2", CapMsgType::Update, 10, CapSeverity::Extreme),
        &first,
    );
    let end = referring(
        alert("A3", CapMsgType::Cancel, 20, CapSeverity::Extreme),
        &raise,
    );

    // Recorded by the village (no role needed), updated via the county.
    let e1 = w.write(&w.village, 1, body(&first, None));
    let e2 = w.write(&w.county, 11, body(&raise, None));
    let v = w.fold(&[e1.clone(), e2.clone()], 12);
    assert!(v.invalid.is_empty(), "{:?}", v.invalid);
    assert_eq!(v.warnings.len(), 1);
    let warning = &v.warnings[0];
    assert_eq!(warning.id, e1.id());
    assert_eq!(warning.current.color, WarningColor::Red, "Extreme is red");
    assert_eq!(warning.current_entry, e2.id());
    assert_eq!(warning.status, WarningStatus::Active);
    let ext = warning.external.as_ref().expect("external");
    assert_eq!(ext.alert.identifier, "A2");
    assert!(ext.graded);
    assert!(ext.holds("xj-meteo@cma.cn", "A1") && ext.holds("xj-meteo@cma.cn", "A2"));

    // The cancel refers to the update: it ends the same warning.
    let e3 = w.write(&w.village, 21, body(&end, None));
    let v = w.fold(&[e1.clone(), e2.clone(), e3.clone()], 22);
    assert_eq!(v.warnings.len(), 1);
    assert_eq!(v.warnings[0].status, WarningStatus::Cancelled);
    assert_eq!(v.warnings[0].history.len(), 3);

    // A native update of an external warning is refused: only its sender
    // changes it.
    let mut w2 = World::new();
    w2.grant(w2.county.id(), "warning_issuer");
    let e1 = w2.write(&w2.village, 1, body(&first, None));
    let native = w2.write(
        &w2.county,
        2,
        Body::Warning(Box::new(Warning::Cancel {
            warning: e1.id(),
            drill: None,
            reason: "x".into(),
        })),
    );
    let v = w2.fold(&[e1, native.clone()], 3);
    assert_eq!(v.warnings[0].status, WarningStatus::Active);
    assert!(v.invalid.iter().any(|x| x.entry == native.id()));
}

#[test]
fn duplicates_and_late_older_messages_change_nothing() {
    let w = World::new();
    let first = alert("B1", CapMsgType::Alert, 0, CapSeverity::Moderate);
    let newer = referring(
        alert("B3", CapMsgType::Update, 30, CapSeverity::Severe),
        &first,
    );
    let older = referring(
        alert("B2", CapMsgType::Update, 20, CapSeverity::Minor),
        &first,
    );
    let e1 = w.write(&w.village, 1, body(&first, None));
    let again = w.write(&w.county, 2, body(&first, None));
    let e3 = w.write(&w.village, 31, body(&newer, None));
    let late = w.write(&w.county, 32, body(&older, None));
    let v = w.fold(&[e1.clone(), again, e3.clone(), late], 33);
    assert_eq!(v.warnings.len(), 1, "the same alert twice is one warning");
    let warning = &v.warnings[0];
    assert_eq!(
        warning.current.color,
        WarningColor::Orange,
        "the latest sent wins"
    );
    assert_eq!(warning.current_entry, e3.id());
    let overridden: Vec<_> = warning
        .history
        .iter()
        .map(|h| (h.action.as_str(), h.overridden))
        .collect();
    assert_eq!(
        overridden,
        [
            ("issue", false),
            ("duplicate", true),
            ("update", false),
            ("update", true)
        ]
    );

    // An update whose reference is unknown here starts its own warning.
    let orphan = referring(
        alert("C2", CapMsgType::Update, 5, CapSeverity::Unknown),
        &alert("C1", CapMsgType::Alert, 0, CapSeverity::Minor),
    );
    let e = w.write(&w.village, 6, body(&orphan, None));
    let v = w.fold(&[e], 7);
    assert_eq!(v.warnings.len(), 1);
    assert!(!v.warnings[0].external.as_ref().expect("external").graded);
}

#[test]
fn an_exercise_lands_in_its_drill_only() {
    let w = World::new();
    let drill = w.write(
        &w.county,
        0,
        Body::DrillStart(Box::new(DrillStart {
            name: "防汛演练".into(),
            scenario: "暴雨".into(),
            region: rc("654203"),
            plan: None,
        })),
    );
    let mut exercise = alert("D1", CapMsgType::Alert, 1, CapSeverity::Severe);
    exercise.status = CapStatus::Exercise;
    let e = w.write_full(
        &w.county,
        Hlc::new(at(2), 0),
        rc("654203"),
        Status::Exercise,
        body(&exercise, Some(drill.id())),
    );
    let real = w.fold(&[drill.clone(), e.clone()], 3);
    assert!(real.warnings.is_empty(), "never among real warnings");
    let in_drill = w.fold_drill(&[drill.clone(), e], drill.id(), 3);
    assert_eq!(in_drill.warnings.len(), 1);
}
