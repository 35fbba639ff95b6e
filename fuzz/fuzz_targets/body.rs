//! `Body::decode(kind, bytes)`: every typed body (profile, note, trust,
//! and the sixteen linkage-domain kinds), then its `check` — the rules an
//! entry's body must keep — under default and under tight limits.
//!
//! Input: one byte choosing a known kind (`Kind::KNOWN[i]`), then the body
//! bytes; or a byte past the known kinds, two bytes of a raw kind number,
//! then the body (unknown kinds decode as `Body::Unknown`).
//!
//! A decoded body has the kind asked for, round-trips through its
//! encoding, and, when it passes its checks, renders as JSON (what the
//! console and `liandong log --json` show).

use liandong_fuzz::{LIMITS, TIGHT, mode, round_trip};
use liandong_protocol::{Body, Kind};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Some((selector, rest)) = mode(data) else {
            return;
        };
        let (kind, bytes) = match Kind::KNOWN.get(usize::from(selector)) {
            Some(kind) => (*kind, rest),
            None => match rest {
                [hi, lo, bytes @ ..] => (Kind(u16::from_be_bytes([*hi, *lo])), bytes),
                _ => return,
            },
        };
        let Ok(body) = Body::decode(kind, bytes) else {
            return;
        };
        assert_eq!(body.kind(), kind);
        if let Body::Unknown { .. } = body {
            assert!(!kind.is_known());
            assert!(body.encode().is_err());
            return;
        }
        round_trip(
            &body,
            |b| b.encode().map(|(_, v)| v),
            |v| Body::decode(kind, v),
        );
        let _ = body.check(&TIGHT);
        if body.check(&LIMITS).is_ok() {
            serde_json::to_string(&body).expect("a valid body renders as JSON");
        }
    });
}
