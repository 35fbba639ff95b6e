//! Set reconciliation: the negentropy messages a peer sends in
//! `Request::Reconcile` and `Response::Reconcile` are parsed by the
//! negentropy crate, on both sides — the responder's `sync::respond` and
//! the initiator's `Reconciliation::step` — and the responder's frame
//! limit is the peer's to choose. A malformed message must be an error,
//! never a panic or a loop, and every message a post sends must stay
//! within the (clamped) frame limit, which the peer's decoder enforces.
//!
//! Input: one mode byte (even: respond, odd: start and step), the frame
//! limit (u32, little-endian), then the message. The item set is fixed:
//! 1024 items over four hours, so id lists can outgrow the smallest frame.

use std::sync::OnceLock;

use liandong_fuzz::mode;
use liandong_protocol::sync::{ItemSet, Reconciliation, Step, clamp_frame_limit, respond};
use liandong_protocol::{EntryId, Hlc};

/// The items of the sync seeds too (`examples/seeds.rs`).
fn items() -> ItemSet {
    static ITEMS: OnceLock<Vec<(Hlc, EntryId)>> = OnceLock::new();
    let items = ITEMS.get_or_init(|| liandong_fuzz::sync_items(0, 0));
    ItemSet::new(items).expect("sorted, distinct items")
}

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Some((mode, rest)) = mode(data) else {
            return;
        };
        let Some((limit, message)) = rest.split_first_chunk::<4>() else {
            return;
        };
        let limit = u32::from_le_bytes(*limit) as usize;
        let max = clamp_frame_limit(limit) as usize;
        if mode % 2 == 0 {
            if let Ok(answer) = respond(&items(), message, limit) {
                assert!(answer.len() <= max, "answer of {} > {max}", answer.len());
            }
        } else {
            let (mut session, first) = Reconciliation::start(items(), limit).expect("start");
            assert!(
                first.len() <= max,
                "first message of {} > {max}",
                first.len()
            );
            if let Ok(Step::Send(next)) = session.step(message) {
                assert!(next.len() <= max, "message of {} > {max}", next.len());
            }
        }
    });
}
