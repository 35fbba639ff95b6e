//! Every `ValidationError` variant, and round trips through `validate`.

mod common;

use common::*;
use liandong_protocol::codec;
use liandong_protocol::entry::wire::ENTRY_SIGNING_DOMAIN;
use liandong_protocol::entry::{Body, Kind};
use liandong_protocol::region::RegionError;
use liandong_protocol::{Hlc, Limits, NetworkId, SignedEntry, ValidationError, validate};
use serde::Serialize;

#[test]
fn signed_entries_validate_and_round_trip() {
    let kp = keypair(1);
    for e in chain(&kp, 3) {
        let back = validate(e.wire(), &ctx()).expect("valid");
        assert_eq!(back, e);
        assert_eq!(back.id(), e.id());
        assert_eq!(back.author(), kp.node_id());
        assert!(matches!(back.body(), Ok(Body::Note(_))));
    }
    let p = signed(&kp, draft(1, None, profile()));
    assert_eq!(
        validate(p.wire(), &ctx()).expect("valid").body(),
        Ok(profile())
    );
}

#[test]
fn too_large() {
    let e = signed(&keypair(1), draft(1, None, note(&"洪".repeat(4000))));
    let limits = Limits {
        max_entry_bytes: 1000,
        ..LIMITS
    };
    let c = liandong_protocol::ValidationContext {
        limits: &limits,
        ..ctx()
    };
    assert!(matches!(
        validate(e.wire(), &c),
        Err(ValidationError::TooLarge { max: 1000, .. })
    ));
}

#[test]
fn truncated_is_undecodable() {
    let e = signed(&keypair(1), draft(1, None, note("x")));
    for cut in [1, 10, 64, 65, e.wire().len() - 1] {
        let r = validate(&e.wire()[..e.wire().len() - cut], &ctx());
        assert!(
            matches!(
                r,
                Err(ValidationError::Undecodable(_) | ValidationError::BadSignature)
            ),
            "cut {cut}: {r:?}"
        );
    }
    assert!(matches!(
        validate(&[], &ctx()),
        Err(ValidationError::Undecodable(_))
    ));
    assert!(matches!(
        validate(&[1, 2, 3], &ctx()),
        Err(ValidationError::Undecodable(_))
    ));
}

#[test]
fn trailing_bytes() {
    let e = signed(&keypair(1), draft(1, None, note("x")));
    let mut bytes = e.wire().to_vec();
    bytes.extend_from_slice(b"junk");
    assert_eq!(
        validate(&bytes, &ctx()),
        Err(ValidationError::TrailingBytes(4))
    );
}

#[test]
fn unknown_version() {
    let e = signed(&keypair(1), draft(1, None, note("x")));
    let mut bytes = e.wire().to_vec();
    bytes[0] = 3;
    assert_eq!(
        validate(&bytes, &ctx()),
        Err(ValidationError::UnknownVersion(3))
    );
}

#[test]
fn wrong_network() {
    let mut d = draft(1, None, note("x"));
    d.network = NetworkId::from_name("another");
    let e = signed(&keypair(1), d);
    assert!(matches!(
        validate(e.wire(), &ctx()),
        Err(ValidationError::WrongNetwork { found, .. }) if found == NetworkId::from_name("another")
    ));
}

/// The wire struct, re-declared so a test can write what `SignedEntry::sign`
/// never would (an invalid scope). Must mirror `entry::wire::WireEntry`.
#[derive(Serialize)]
struct RawEntry {
    version: u8,
    network: liandong_protocol::NetworkId,
    author: liandong_protocol::NodeId,
    seq: u64,
    prev: Option<liandong_protocol::EntryId>,
    hlc: Hlc,
    scope: String,
    status: liandong_protocol::Status,
    kind: Kind,
    #[serde(with = "serde_bytes")]
    body: Vec<u8>,
}

fn raw_signed(kp: &liandong_protocol::Keypair, scope: &str, kind: Kind, body: Vec<u8>) -> Vec<u8> {
    let raw = RawEntry {
        version: 1,
        network: network(),
        author: kp.node_id(),
        seq: 1,
        prev: None,
        hlc: Hlc::new(NOW_MS, 0),
        scope: scope.into(),
        status: liandong_protocol::Status::Actual,
        kind,
        body,
    };
    let mut bytes = codec::encode(&raw).expect("encode");
    let sig = kp.sign(ENTRY_SIGNING_DOMAIN, &bytes);
    bytes.extend_from_slice(&sig);
    bytes
}

#[test]
fn raw_mirror_matches_real_encoding() {
    // Guards the mirror above: the same fields give the same bytes.
    let kp = keypair(1);
    let mut d = draft(1, None, note("x"));
    d.hlc = Hlc::new(NOW_MS, 0);
    let real = signed(&kp, d);
    let mirror = raw_signed(&kp, "654203106", Kind::NOTE, real.body_bytes().to_vec());
    assert_eq!(mirror, real.wire());
}

#[test]
fn invalid_region() {
    let kp = keypair(1);
    let body = codec::encode(&liandong_protocol::Note { text: "x".into() }).expect("encode");
    let bytes = raw_signed(&kp, "654200", Kind::NOTE, body);
    assert!(matches!(
        validate(&bytes, &ctx()),
        Err(ValidationError::InvalidRegion(
            RegionError::ZeroPadded { .. }
        ))
    ));
}

#[test]
fn seq_prev_inconsistent() {
    let kp = keypair(1);
    let some_id = signed(&kp, draft(1, None, note("x"))).id();
    for (seq, prev) in [(0, None), (0, Some(some_id)), (1, Some(some_id)), (2, None)] {
        let e = signed(&kp, draft(seq, prev, note("x")));
        assert!(
            matches!(
                validate(e.wire(), &ctx()),
                Err(ValidationError::SeqPrevInconsistent { .. })
            ),
            "seq {seq} prev {prev:?}"
        );
    }
}

#[test]
fn too_far_in_future() {
    let mut d = draft(1, None, note("x"));
    d.hlc = Hlc::new(NOW_MS + LIMITS.max_future_ms + 1, 0);
    let e = signed(&keypair(1), d);
    assert!(matches!(
        validate(e.wire(), &ctx()),
        Err(ValidationError::TooFarInFuture { .. })
    ));
    // Exactly at the limit is still fine.
    let mut d = draft(1, None, note("x"));
    d.hlc = Hlc::new(NOW_MS + LIMITS.max_future_ms, 0);
    assert!(validate(signed(&keypair(1), d).wire(), &ctx()).is_ok());
}

#[test]
fn invalid_body() {
    let kp = keypair(1);
    let empty = signed(&kp, draft(1, None, note("   ")));
    assert!(matches!(
        validate(empty.wire(), &ctx()),
        Err(ValidationError::InvalidBody(_))
    ));
    let garbage = raw_signed(&kp, "654203106", Kind::NOTE, vec![0xff, 0xff, 0xff]);
    assert!(matches!(
        validate(&garbage, &ctx()),
        Err(ValidationError::InvalidBody(_))
    ));
}

#[test]
fn unknown_kind_is_accepted_uninterpreted() {
    let kp = keypair(1);
    let bytes = raw_signed(&kp, "654203106", Kind(4242), b"from the future".to_vec());
    let e = validate(&bytes, &ctx()).expect("unknown kinds pass");
    assert_eq!(e.body(), Ok(Body::Unknown { kind: Kind(4242) }));
    assert_eq!(e.kind().to_string(), "unknown kind 4242");
}

#[test]
fn invalid_author_key() {
    let kp = keypair(1);
    let e = signed(&kp, draft(1, None, note("x")));
    // Find 32 bytes that do not decompress to a curve point.
    let bad_key = (0u8..=255)
        .map(|b| [b; 32])
        .find(|k| {
            liandong_protocol::sign::verify(&liandong_protocol::NodeId(*k), b"", b"", &[0; 64])
                == Err(liandong_protocol::sign::SignatureError::InvalidKey)
        })
        .expect("some byte pattern is not a point");
    let bytes = replace_author(e.wire(), &kp.node_id().0, &bad_key);
    assert_eq!(
        validate(&bytes, &ctx()),
        Err(ValidationError::InvalidAuthorKey)
    );
}

fn replace_author(wire: &[u8], old: &[u8; 32], new: &[u8; 32]) -> Vec<u8> {
    let pos = wire
        .windows(32)
        .position(|w| w == old)
        .expect("author bytes present");
    let mut out = wire.to_vec();
    out[pos..pos + 32].copy_from_slice(new);
    out
}

#[test]
fn bad_signature() {
    let kp = keypair(1);
    let e = signed(&kp, draft(1, None, note("x")));
    // Another valid key claims authorship.
    let other = keypair(2).node_id().0;
    let bytes = replace_author(e.wire(), &kp.node_id().0, &other);
    assert_eq!(validate(&bytes, &ctx()), Err(ValidationError::BadSignature));
    // A flipped signature bit.
    let mut bytes = e.wire().to_vec();
    let last = bytes.len() - 1;
    bytes[last - 40] ^= 0x01;
    assert_eq!(validate(&bytes, &ctx()), Err(ValidationError::BadSignature));
}

#[test]
fn non_strict_signature() {
    // Weak author key (the identity point), R = identity, s = 0.
    let mut weak = [0u8; 32];
    weak[0] = 1;
    let e = signed(&keypair(1), draft(1, None, note("x")));
    let mut bytes = replace_author(e.wire(), &keypair(1).node_id().0, &weak);
    let n = bytes.len();
    bytes[n - 64..].fill(0);
    bytes[n - 64] = 1;
    assert_eq!(
        validate(&bytes, &ctx()),
        Err(ValidationError::NonStrictSignature)
    );
}

#[test]
fn stored_bytes_decode_without_verifying() {
    let e = signed(&keypair(1), draft(1, None, note("x")));
    assert_eq!(SignedEntry::decode_stored(e.wire()), Ok(e));
}

#[test]
fn every_error_has_a_label() {
    let labels = [
        ValidationError::TooLarge { size: 1, max: 0 }.label(),
        ValidationError::BadSignature.label(),
    ];
    assert_eq!(labels, ["too_large", "bad_signature"]);
}
