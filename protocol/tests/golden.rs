//! Golden byte vectors: the exact bytes of fixed entries and signatures.
//!
//! If one of these fails, the wire format changed. That is a protocol break
//! for every deployed post: bump `PROTOCOL_VERSION` deliberately, or undo the
//! change. To rewrite the vectors after a deliberate change, run
//! `LIANDONG_BLESS=1 cargo test -p liandong-protocol --test golden`.

mod common;

use std::path::PathBuf;

use common::*;
use liandong_protocol::{Hlc, SignedEntry, Status, validate};

fn vector_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn check(name: &str, actual_hex: &str) {
    let path = vector_path(name);
    if std::env::var_os("LIANDONG_BLESS").is_some() {
        std::fs::write(&path, format!("{actual_hex}\n")).expect("write golden vector");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("golden vector {} unreadable: {e}", path.display()));
    assert_eq!(
        actual_hex,
        expected.trim(),
        "golden vector {name} changed: the wire format moved"
    );
}

fn fixed_entries() -> Vec<(&'static str, SignedEntry)> {
    let kp = keypair(0x11);
    let mut p = draft(1, None, profile());
    p.hlc = Hlc::new(1_795_000_000_000, 0);
    let profile = signed(&kp, p);
    let mut n = draft(
        2,
        Some(profile.id()),
        note("西戈壁村：河水漫过村道，已转移12户。"),
    );
    n.hlc = Hlc::new(1_795_000_060_000, 3);
    n.status = Status::Exercise;
    let note = signed(&kp, n);
    vec![("profile", profile), ("note", note)]
}

#[test]
fn entry_bytes_ids_and_signatures_are_stable() {
    for (name, e) in fixed_entries() {
        check(&format!("{name}.entry.hex"), &hex::encode(e.wire()));
        check(&format!("{name}.id.hex"), &e.id().to_hex());
        check(&format!("{name}.sig.hex"), &hex::encode(e.signature()));
        // The committed bytes still validate.
        validate(e.wire(), &ctx()).expect("golden entry validates");
    }
}

#[test]
fn public_key_of_fixed_secret_is_stable() {
    check("key.pub.hex", &keypair(0x11).node_id().to_hex());
}
