//! Golden byte vectors: the exact bytes of fixed entries and signatures.
//!
//! If one of these fails, the wire format changed. That is a protocol break
//! for every deployed post: bump `PROTOCOL_VERSION` deliberately, or undo the
//! change. To rewrite the vectors after a deliberate change, run
//! `LIANDONG_BLESS=1 cargo test -p liandong-protocol --test golden`.

mod common;

use std::path::PathBuf;

use common::*;
use liandong_protocol::restricted::{
    AgreementSecret, Audience, KeyAnnouncement, SealContext, seal,
};
use liandong_protocol::{Body, Hlc, Kind, Level, Operator, SignedEntry, Status, codec, validate};

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

/// `note`, under a name the entries below do not shadow.
fn note_body(text: &str) -> liandong_protocol::Body {
    note(text)
}

fn fixed_entries() -> Vec<(&'static str, SignedEntry)> {
    let kp = keypair(0x11);
    let mut p = draft(1, None, profile());
    p.hlc = Hlc::new(1_795_000_000_000, 0);
    let profile = signed(&kp, p);
    let mut n = draft(
        2,
        Some(profile.id()),
        note_body("西戈壁村：河水漫过村道，已转移12户。"),
    );
    n.hlc = Hlc::new(1_795_000_060_000, 3);
    n.status = Status::Exercise;
    let note = signed(&kp, n);
    // Version 2: the same kind of note, entered by a named operator. The
    // two entries above are version 1 and must never change.
    let mut r = draft(
        3,
        Some(note.id()),
        note_body("首报：西戈壁村河水漫堤，无人员伤亡。"),
    );
    r.hlc = Hlc::new(1_795_000_120_000, 0);
    r.operator = Some(Operator::new("zhangsan", "值班员 张三").expect("valid operator"));
    let entered = signed(&kp, r);
    // The post announces its agreement key, then writes a note restricted
    // to it: seal seed fixed, so the ciphertext is too.
    let agreement = agreement_secret();
    let mut k = draft(
        4,
        Some(entered.id()),
        Body::AgreementKey(KeyAnnouncement {
            key: agreement.public(),
            number: 1,
        }),
    );
    k.hlc = Hlc::new(1_795_000_180_000, 0);
    let announced = signed(&kp, k);
    let seal_ctx = SealContext {
        network: network(),
        author: kp.node_id(),
        seq: 5,
    };
    let sealed = seal(
        &seal_ctx,
        Kind::NOTE,
        &codec::encode(&restricted_note()).expect("note"),
        &restricted_audience(),
        &[agreement.public()],
        [0x33; 32],
    )
    .expect("seal");
    let mut x = draft(5, Some(announced.id()), Body::Restricted(Box::new(sealed)));
    x.hlc = Hlc::new(1_795_000_240_000, 0);
    let restricted = signed(&kp, x);
    vec![
        ("profile", profile),
        ("note", note),
        ("note_entered", entered),
        ("agreement_key", announced),
        ("restricted", restricted),
    ]
}

fn agreement_secret() -> AgreementSecret {
    AgreementSecret::from_seed([0x22; 32])
}

fn restricted_note() -> liandong_protocol::Note {
    liandong_protocol::Note {
        text: "伤亡名单：西戈壁村 王某（重伤）。".into(),
    }
}

fn restricted_audience() -> Audience {
    Audience::Region {
        region: region("654203"),
        min_level: Level::County,
    }
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
fn entries_without_an_operator_stay_version_1() {
    let entries = fixed_entries();
    let version = |name: &str| {
        let (_, e) = entries
            .iter()
            .find(|(n, _)| *n == name)
            .expect("fixed entry");
        (e.wire()[0], e.header().version, e.operator().cloned())
    };
    assert_eq!(version("profile"), (1, 1, None));
    assert_eq!(version("note"), (1, 1, None));
    let op = Operator::new("zhangsan", "值班员 张三").expect("valid");
    assert_eq!(version("note_entered"), (2, 2, Some(op)));
}

/// The committed bytes, read back from the files rather than re-signed:
/// what a post stored before version 2 existed still validates, and the
/// version-2 vector decodes to its operator.
#[test]
fn committed_vectors_validate_as_written() {
    for (name, version, operator) in [
        ("profile", 1, None),
        ("note", 1, None),
        ("note_entered", 2, Some(("zhangsan", "值班员 张三"))),
        ("agreement_key", 1, None),
        ("restricted", 1, None),
    ] {
        let path = vector_path(&format!("{name}.entry.hex"));
        let text = std::fs::read_to_string(&path).expect("golden vector");
        let bytes = hex::decode(text.trim()).expect("hex");
        let e = validate(&bytes, &ctx()).expect("committed vector validates");
        assert_eq!(e.header().version, version, "{name}");
        assert_eq!(
            e.operator().map(|o| (o.account(), o.display())),
            operator,
            "{name}"
        );
        assert_eq!(SignedEntry::decode_stored(&bytes).as_ref(), Ok(&e));
    }
}

#[test]
fn public_key_of_fixed_secret_is_stable() {
    check("key.pub.hex", &keypair(0x11).node_id().to_hex());
    check(
        "agreement.pub.hex",
        &agreement_secret().public().to_string(),
    );
}

/// The committed restricted entry opens with the fixed agreement key to
/// the same note and audience: the inner format is pinned as well as the
/// envelope.
#[test]
fn committed_restricted_vector_opens() {
    let text = std::fs::read_to_string(vector_path("restricted.entry.hex")).expect("vector");
    let bytes = hex::decode(text.trim()).expect("hex");
    let e = validate(&bytes, &ctx()).expect("validates");
    let Ok(Body::Restricted(sealed)) = e.body() else {
        panic!("not a restricted entry: {:?}", e.kind());
    };
    let opened = sealed
        .open(&e.seal_context(), &[agreement_secret()])
        .expect("opens");
    assert_eq!(opened.kind, Kind::NOTE);
    assert_eq!(opened.audience, restricted_audience());
    assert_eq!(
        opened.decode_body(&LIMITS),
        Ok(Body::Note(restricted_note()))
    );
    let plain = restricted_note().text;
    assert!(!text.contains(&hex::encode(plain.as_bytes())));
}
