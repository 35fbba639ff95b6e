//! The project's own Chinese fixtures (`node/tests/fixtures/cap`): a
//! county weather bureau's 暴雨橙色预警, its update, its cancel, an
//! exercise, and an alert with four problems at once.

use std::fs;

use liandong_protocol::domain::GeoPoint;
use liandong_protocol::domain::WarningColor;
use liandong_protocol::domain::cap::{
    CapCategory, CapCircle, CapMsgType, CapSeverity, CapStatus, CapValue, ExternalWarning, mapping,
};
use liandong_protocol::ids::EntryId;
use liandong_protocol::limits::Limits;

use super::{own_fixture, round_trip};
use crate::gateway::cap::{Problem, read_alert};

fn fixture(name: &str) -> Vec<u8> {
    fs::read(own_fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

const ISSUE_ID: &str = "65420304100000_20260715143000_1";
const SENDER: &str = "qxt.654203@example.cma.cn";

#[test]
fn the_rainstorm_warning_round_trips_with_both_languages_and_shapes() {
    let (alert, written) = round_trip("rainstorm-orange.xml", &fixture("rainstorm-orange.xml"));
    assert_eq!(alert.identifier, ISSUE_ID);
    assert_eq!(alert.identifier.len(), 31, "GB/T 35965.1 identifier");
    assert_eq!(alert.sent.offset_min, 480);
    let languages: Vec<&str> = alert.infos.iter().map(|i| i.language.as_str()).collect();
    assert_eq!(languages, ["zh-CN", "en-US"]);
    let zh = &alert.infos[0];
    assert_eq!(zh.categories, [CapCategory::Met]);
    assert_eq!(zh.severity, CapSeverity::Severe);
    assert_eq!(mapping::color_of(zh.severity), Some(WarningColor::Orange));
    assert!(zh.description.contains('\n'), "line breaks inside are kept");
    let area = &zh.areas[0];
    assert_eq!(area.polygons[0].len(), 5);
    assert_eq!(
        area.polygons[0][0],
        GeoPoint {
            lat_e6: 44_050_000,
            lon_e6: 85_350_000
        }
    );
    assert_eq!(
        area.circles,
        [CapCircle {
            center: GeoPoint {
                lat_e6: 44_200_000,
                lon_e6: 85_620_000
            },
            radius_mm: 25_000_000
        }]
    );
    assert_eq!(
        area.geocodes,
        [CapValue {
            name: "GB/T 2260".into(),
            value: "654203".into()
        }]
    );
    assert!(written.contains("<sent>2026-07-15T14:30:00+08:00</sent>"));
    assert!(written.contains("<circle>44.2,85.62 25</circle>"));
    assert_eq!(
        ExternalWarning { drill: None, alert }.check(&Limits::default()),
        Ok(())
    );
}

#[test]
fn its_update_and_cancel_reference_it() {
    let (update, _) = round_trip(
        "rainstorm-orange-update.xml",
        &fixture("rainstorm-orange-update.xml"),
    );
    assert_eq!(update.msg_type, CapMsgType::Update);
    assert_eq!(update.references.len(), 1);
    assert_eq!(update.references[0].sender, SENDER);
    assert_eq!(update.references[0].identifier, ISSUE_ID);
    assert_eq!(update.infos[0].areas[0].circles[0].radius_mm, 40_500_000);
    assert_eq!(update.infos[0].areas[0].geocodes[1].name, "GB/T 10114");

    let (cancel, _) = round_trip(
        "rainstorm-orange-cancel.xml",
        &fixture("rainstorm-orange-cancel.xml"),
    );
    assert_eq!(cancel.msg_type, CapMsgType::Cancel);
    let named: Vec<&str> = cancel
        .references
        .iter()
        .map(|r| r.identifier.as_str())
        .collect();
    assert_eq!(named, [ISSUE_ID, update.identifier.as_str()]);
    for alert in [update, cancel] {
        assert_eq!(
            ExternalWarning { drill: None, alert }.check(&Limits::default()),
            Ok(())
        );
    }
}

#[test]
fn the_exercise_round_trips_and_belongs_in_a_drill() {
    let (exercise, _) = round_trip("rainstorm-exercise.xml", &fixture("rainstorm-exercise.xml"));
    assert_eq!(exercise.status, CapStatus::Exercise);
    assert!(exercise.note.contains("演练"));
    assert_eq!(
        exercise.infos[0].areas[0].circles[0].radius_mm, 12_345_678,
        "a radius keeps six decimals of km"
    );
    let mut w = ExternalWarning {
        drill: None,
        alert: exercise,
    };
    assert!(
        w.check(&Limits::default()).is_err(),
        "never among real warnings"
    );
    w.drill = Some(EntryId([3; 32]));
    assert_eq!(w.check(&Limits::default()), Ok(()));
}

#[test]
fn an_alert_with_four_problems_names_all_four() {
    let problems = read_alert(&fixture("invalid-four-problems.xml")).expect_err("invalid");
    let found: Vec<(&str, &Problem)> = problems
        .iter()
        .map(|p| (p.at.as_str(), &p.problem))
        .collect();
    assert_eq!(
        found,
        [
            ("alert/identifier", &Problem::Missing("identifier")),
            ("alert/sent", &Problem::Time("2026-07-15 14:30".into())),
            (
                "alert/info[0]/severity",
                &Problem::Enumeration {
                    element: "severity",
                    value: "Severest".into(),
                    expected: "Extreme, Severe, Moderate, Minor, Unknown".into(),
                }
            ),
            (
                "alert/info[0]/area[0]/polygon[0]",
                &Problem::PolygonOpen {
                    first: "44.05,85.35".into(),
                    last: "44.35,85.35".into(),
                }
            ),
        ],
        "{problems}"
    );
    let text = problems.to_string();
    assert_eq!(text.lines().count(), 4);
    assert!(text.contains("多边形未闭合"), "bilingual: {text}");
}
