//! Property tests of the domain bodies: the field rules agree with a plain
//! model of the limits, every body round-trips through the codec whatever
//! its text, and decoding hostile bytes as any domain kind never panics.

mod world;

use liandong_protocol::domain::*;
use liandong_protocol::entry::BodyError;
use liandong_protocol::{Body, EntryId, Kind, Limits, codec};
use proptest::prelude::*;
use world::*;

fn limits() -> Limits {
    Limits {
        max_text_chars: 40,
        max_name_chars: 12,
        ..Limits::default()
    }
}

/// Text of 0–50 characters, Chinese, ASCII and blanks mixed.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec!['水', '灾', 'a', 'Z', ' ', '7', '、', '\n']),
        0..50,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A consultation is valid exactly when its topic is a non-blank name,
    /// its assessment a non-blank text, its decisions a text, and its
    /// participants distinct non-blank names — all within the limits.
    #[test]
    fn consultation_rules_match_the_model(
        topic in text(),
        assessment in text(),
        decisions in text(),
        participants in prop::collection::vec(text(), 0..4),
    ) {
        let l = limits();
        let c = Consultation {
            incident: EntryId([1; 32]),
            drill: None,
            topic: topic.clone(),
            participants: participants.clone(),
            assessment: assessment.clone(),
            decisions: decisions.clone(),
        };
        let name_ok = |s: &str| !s.trim().is_empty() && chars(s) <= l.max_name_chars;
        let distinct = participants
            .iter()
            .enumerate()
            .all(|(i, p)| participants[..i].iter().all(|q| q.trim() != p.trim()));
        let expected = name_ok(&topic)
            && participants.iter().all(|p| name_ok(p))
            && distinct
            && !assessment.trim().is_empty()
            && chars(&assessment) <= l.max_text_chars
            && chars(&decisions) <= l.max_text_chars;
        prop_assert_eq!(c.check(&l).is_ok(), expected, "{:?}", c.check(&l));
    }

    /// Quantities: 1..=MAX_QUANTITY; windows: until after from.
    #[test]
    fn offer_rules_match_the_model(
        quantity in prop_oneof![Just(0u64), 1u64..1000, Just(rules::MAX_QUANTITY), Just(rules::MAX_QUANTITY + 1)],
        from in prop::option::of(0u64..100),
        until in prop::option::of(0u64..100),
    ) {
        let o = ResourceOffer {
            request: None,
            drill: None,
            resource: boats(),
            quantity,
            location: "库".into(),
            owner: "局".into(),
            available_from_ms: from,
            available_until_ms: until,
            note: String::new(),
        };
        let window = match (from, until) {
            (Some(a), Some(b)) => b > a,
            _ => true,
        };
        let expected = (1..=rules::MAX_QUANTITY).contains(&quantity) && window;
        prop_assert_eq!(o.check(&limits()).is_ok(), expected);
    }

    /// Any incident report, valid or not, survives the codec unchanged.
    #[test]
    fn reports_round_trip_through_the_codec(
        title in text(),
        cause in text(),
        dead in any::<u32>(),
        evacuated in any::<u32>(),
        loss in any::<Option<u64>>(),
        lat in -90_000_000i32..=90_000_000,
        lon in -180_000_000i32..=180_000_000,
        severity in 0usize..4,
        phase in 0usize..4,
    ) {
        let mut r = flood_report(Phase::ALL[phase], None, 0);
        r.title = title;
        r.cause = cause;
        r.casualties.dead = dead;
        r.casualties.evacuated = evacuated;
        r.economic_loss_wan = loss;
        r.point = Some(GeoPoint { lat_e6: lat, lon_e6: lon });
        r.severity = Severity::ALL[severity];
        let body = Body::IncidentReport(Box::new(r));
        let (kind, bytes) = body.encode().expect("encode");
        prop_assert_eq!(Body::decode(kind, &bytes), Ok(body));
    }

    /// Hostile bytes decoded as any domain kind give an error or a body;
    /// never a panic, and a decoded body's rules never panic either.
    #[test]
    fn hostile_bytes_never_panic(kind in 200u16..272, bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let kind = Kind(kind);
        match Body::decode(kind, &bytes) {
            Ok(body) => {
                let _ = body.check(&Limits::default());
                prop_assert!(!kind.is_known() || body.kind() == kind);
            }
            Err(BodyError::Undecodable { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
    }

    /// Warnings: the area is 1..=64 distinct codes and expiry follows
    /// effect, whatever else is in them.
    #[test]
    fn warning_time_rule(effective in 0u64..100, expires in 0u64..100) {
        let mut w = warning_info(WarningColor::Yellow, "654203", 0, 1);
        w.effective_ms = effective;
        w.expires_ms = expires;
        prop_assert_eq!(w.check(&Limits::default()).is_ok(), effective > 0 && expires > effective);
        let (_, bytes) = Body::Warning(Box::new(Warning::Issue { drill: None, info: w.clone() })).encode().expect("encode");
        let back: Warning = codec::decode(&bytes, bytes.len()).expect("decode");
        prop_assert_eq!(back, Warning::Issue { drill: None, info: w });
    }
}
