//! `validate`: the one gate every received entry passes (gossip, sync
//! pushes and fetches, bundles, certificate files, a hello's profile and
//! chain). Its checks run cheapest first and the signature last, so a
//! mutated entry reaches the body decoder and every body's `check` before
//! the signature refuses it: that is the code this target explores.
//!
//! Accepted bytes are kept verbatim, validate again to the same entry, and
//! decode the same way from the store.

use liandong_fuzz::ctx;
use liandong_protocol::{SignedEntry, validate};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        match validate(data, &ctx()) {
            Ok(entry) => {
                assert_eq!(entry.wire(), data);
                assert_eq!(validate(entry.wire(), &ctx()).as_ref(), Ok(&entry));
                assert_eq!(SignedEntry::decode_stored(data).as_ref(), Ok(&entry));
                assert!(entry.body().is_ok(), "a valid entry's body decodes");
            }
            Err(e) => {
                // Labels and messages are what metrics and logs show.
                let _ = (e.label(), e.to_string());
            }
        }
    });
}
