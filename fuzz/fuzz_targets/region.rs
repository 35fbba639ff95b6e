//! `RegionCode::parse`: the region code of every entry's scope (kept as
//! text on the wire so a bad code is named as such), of profiles,
//! certificates, configs and the console's queries; and
//! `RegionCode::from_key`, which reads a code back from a store key.
//!
//! A parsed code is a fixed point of parsing, reads back from its key,
//! has the level its length says, and lies within each of its ancestors.

use liandong_protocol::{Interest, RegionCode};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        if let Ok(code) = RegionCode::from_key(data) {
            assert_eq!(RegionCode::parse(code.as_str()).as_ref(), Ok(&code));
        }
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let Ok(code) = RegionCode::parse(text) else {
            return;
        };
        assert_eq!(RegionCode::parse(code.as_str()).as_ref(), Ok(&code));
        assert_eq!(code.to_string(), code.as_str());
        assert_eq!(RegionCode::from_key(&code.key()).as_ref(), Ok(&code));
        let ancestors = code.ancestors();
        assert!(ancestors.len() <= 5);
        assert_eq!(code.parent(), ancestors.first().cloned());
        for a in &ancestors {
            assert!(code.is_within(a));
            assert!(a.level() < code.level());
        }
        let interest = Interest::of_post(&code, &[]);
        assert!(interest.contains(&code));
    });
}
