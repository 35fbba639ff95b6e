//! Every real-world alert in `../shared/data/cap` (CAP 1.0/1.1/1.2
//! appendix examples, IPAWS, NWS, a tsunami update with references) reads,
//! writes as valid CAP 1.2 and reads back unchanged.

use std::fs;
use std::path::PathBuf;

use liandong_protocol::domain::cap::{
    CapCertainty, CapMsgType, CapStatus, CapValue, ExternalWarning,
};
use liandong_protocol::limits::Limits;

use super::round_trip;
use super::schema::shared_cap_dir;
use crate::gateway::cap::{MAX_CAP_BYTES, read_alert};

fn shared_alerts() -> Vec<(String, Vec<u8>)> {
    let Some(dir) = shared_cap_dir() else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("read shared/data/cap")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 19, "the shared CAP folder lists its alerts");
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            (name.unwrap_or_default(), fs::read(&p).expect("read alert"))
        })
        .collect()
}

#[test]
fn every_shared_alert_round_trips_as_valid_cap_1_2() {
    for (name, xml) in shared_alerts() {
        round_trip(&name, &xml);
    }
}

#[test]
fn shared_alerts_read_as_their_versions_mean() {
    let alerts = shared_alerts();
    let get = |name: &str| {
        let (_, xml) = alerts
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} is in the shared folder"));
        read_alert(xml).unwrap_or_else(|p| panic!("{name}:\n{p}"))
    };
    if alerts.is_empty() {
        return;
    }

    // CAP 1.0: Very Likely is Likely; name=value pairs; a radius of 0.
    let eq = get("v1dot0_appendix_adot3.xml");
    assert_eq!(eq.infos[0].certainty, CapCertainty::Likely);
    assert_eq!(eq.infos[0].language, "en-US", "CAP's default language");
    assert_eq!(eq.infos[0].parameters.len(), 5);
    assert_eq!(
        eq.infos[0].parameters[2],
        CapValue {
            name: "Magnitude".into(),
            value: "3.4 Ml".into()
        }
    );
    assert_eq!(eq.infos[0].areas[0].circles[0].radius_mm, 0);
    let storm = get("v1dot0_appendix_adot2.xml");
    assert_eq!(storm.infos[0].event_codes[0].name, "same");
    assert_eq!(storm.infos[0].areas[0].geocodes.len(), 3);
    assert_eq!(storm.infos[0].areas[0].polygons[0].len(), 5);
    let hsas = get("v1dot0_appendix_adot1.xml");
    assert_eq!(
        hsas.infos[0].resources[0].mime_type, "application/octet-stream",
        "CAP 1.0 made mimeType optional"
    );

    // The tsunami update: three references, a signature skipped.
    let tsunami = get("google-PAAQ-4-mg5a94.xml");
    assert_eq!(tsunami.msg_type, CapMsgType::Update);
    assert_eq!(tsunami.references.len(), 3);
    assert_eq!(tsunami.references[1].identifier, "PAAQ-2-mg5a94");
    assert_eq!(tsunami.references[1].sent, "2013-01-05T09:30:16-00:00");
    assert_eq!(tsunami.sent.offset_min, 0);

    // NWS: an empty polygon is no polygon; empty parameter values kept.
    let nws = get("nws-5c2cf27b1f56885d61654dc47fa411d5.xml");
    assert!(nws.infos[0].areas[0].polygons.is_empty());
    assert_eq!(nws.infos[0].parameters[0].value, "");
    assert_eq!(nws.infos[0].areas[0].geocodes.len(), 4);

    // IPAWS: a Cancel with its signature; the 450 KB one with its audio.
    let cancel = get("ipaws-5e6dd9de023f1930ef6548d9.xml");
    assert_eq!(cancel.msg_type, CapMsgType::Cancel);
    assert!(cancel.infos.is_empty());
    let (_, big) = alerts
        .iter()
        .find(|(n, _)| n == "ipaws-5ea321f39fc226a7b44b6874.xml")
        .expect("the large IPAWS alert");
    assert!(big.len() > 400_000 && big.len() <= MAX_CAP_BYTES);
    let big = read_alert(big).expect("reads");
    assert!(
        big.infos[0].resources[0].uri.is_empty(),
        "derefUri is not kept"
    );
}

/// Every alert with status Actual passes the network's own check, so it
/// can be recorded (the tsunami update's 195-character headline included).
#[test]
fn actual_shared_alerts_pass_the_network_check() {
    let limits = Limits::default();
    for (name, xml) in shared_alerts() {
        let alert = read_alert(&xml).unwrap_or_else(|p| panic!("{name}:\n{p}"));
        if alert.status != CapStatus::Actual {
            continue;
        }
        let checked = ExternalWarning { drill: None, alert }.check(&limits);
        assert_eq!(checked, Ok(()), "{name}");
    }
}
