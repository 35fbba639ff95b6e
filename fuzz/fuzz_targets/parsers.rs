//! The small text parsers behind the console's queries and forms and the
//! command line: ids (64 hex characters), kinds, levels, positions, event
//! types, severities and response levels, report phases, resource classes,
//! warning colours; and `LedgerDigest::from_bytes`, which reads a digest
//! back from the store.
//!
//! Each accepted text gives a value that prints to a text parsing back to
//! the same value.

use std::str::FromStr;

use liandong_protocol::domain::response::parse_response_level;
use liandong_protocol::domain::vocab::parse_grade;
use liandong_protocol::domain::{
    EventType, GeoPoint, Phase, ResourceClass, ResponseAction, Severity, WarningColor,
};
use liandong_protocol::ids::ContentHash;
use liandong_protocol::{EntryId, Kind, LedgerDigest, Level, NetworkId, NodeId};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        if let Some(d) = LedgerDigest::from_bytes(data) {
            assert_eq!(&d.to_bytes()[..], data);
        }
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        if let Ok(id) = NodeId::from_str(text) {
            assert_eq!(NodeId::from_str(&id.to_hex()), Ok(id));
        }
        if let Ok(id) = EntryId::from_str(text) {
            assert_eq!(EntryId::from_str(&id.to_hex()), Ok(id));
        }
        let _ = NetworkId::from_str(text);
        let _ = ContentHash::from_str(text);
        if let Some(kind) = Kind::parse(text) {
            let printed = kind
                .name()
                .map_or_else(|| kind.0.to_string(), str::to_string);
            assert_eq!(Kind::parse(&printed), Some(kind));
        }
        if let Ok(level) = Level::from_str(text) {
            assert_eq!(Level::from_str(level.name_en()), Ok(level));
        }
        if let Ok(p) = GeoPoint::from_str(text) {
            assert_eq!(p.check(), Ok(()));
            assert_eq!(GeoPoint::from_str(&p.to_string()), Ok(p));
        }
        if let Ok(t) = EventType::from_str(text) {
            assert_eq!(EventType::from_str(&t.to_string()), Ok(t));
        }
        if let Some(i) = parse_grade(text) {
            assert!(i < 4);
        }
        if let Ok(s) = Severity::from_str(text) {
            assert_eq!(Severity::from_str(&s.to_string()), Ok(s));
        }
        let _ = parse_response_level(text);
        let _ = ResponseAction::from_str(text);
        let _ = Phase::from_str(text);
        let _ = ResourceClass::from_str(text);
        let _ = WarningColor::from_str(text);
    });
}
