//! `identity::parse_key_file`: the post's secret key file (a comment line,
//! then 64 hex characters). A corrupt or foreign file must be refused, not
//! crash the post at start-up.
//!
//! An accepted file gives the key that, written back by `key_file_text`,
//! reads back to the same key.

use liandong_node::identity::{key_file_text, parse_key_file};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let Some(key) = parse_key_file(text) else {
            return;
        };
        let back = parse_key_file(&key_file_text(&key)).expect("a written key reads back");
        assert_eq!(back.secret_bytes(), key.secret_bytes());
        assert_eq!(back.node_id(), key.node_id());
    });
}
