//! Restricted entries: sealing for an audience, opening, tampering, context
//! binding, whole signed entries through `validate`, and every limit at its
//! boundary.

mod common;

use common::*;
use liandong_protocol::entry::{Body, BodyError, Kind};
use liandong_protocol::restricted::{
    AgreementKey, AgreementSecret, Audience, KeyAnnouncement, KindClass, MAX_AUDIENCE_POSTS,
    MAX_RECIPIENTS, OpenError, Recipient, RestrictedError, SealContext, Sealed, SealedClass, seal,
};
use liandong_protocol::{
    Level, Limits, NetworkId, NodeId, Note, SignedEntry, ValidationError, codec, validate,
};

const TEXT: &str = "伤亡名单：张某某（重伤），李某某（轻伤）；危化品仓库位于东侧。";

fn secret(i: u32) -> AgreementSecret {
    let mut seed = [0u8; 32];
    seed[..4].copy_from_slice(&i.to_le_bytes());
    seed[31] = 0x5a;
    AgreementSecret::from_seed(seed)
}

fn note_bytes(text: &str) -> Vec<u8> {
    codec::encode(&Note {
        text: text.to_string(),
    })
    .expect("encode")
}

fn county() -> Audience {
    Audience::Region {
        region: region("654203"),
        min_level: Level::County,
    }
}

/// The context of the entry the tests sign: author keypair(1), seq 1.
fn ctx_of(seq: u64) -> SealContext {
    SealContext {
        network: network(),
        author: keypair(1).node_id(),
        seq,
    }
}

fn sealed_note(keys: &[AgreementKey]) -> Sealed {
    seal(
        &ctx_of(1),
        Kind::NOTE,
        &note_bytes(TEXT),
        &county(),
        keys,
        [9; 32],
    )
    .expect("seal")
}

fn restricted_entry(sealed: Sealed) -> SignedEntry {
    signed(
        &keypair(1),
        draft(1, None, Body::Restricted(Box::new(sealed))),
    )
}

#[test]
fn every_recipient_opens_and_no_one_else() {
    let secrets: Vec<_> = (0..3).map(secret).collect();
    let keys: Vec<_> = secrets.iter().map(AgreementSecret::public).collect();
    let sealed = sealed_note(&keys);
    assert_eq!(sealed.audience_size(), 3);
    assert_eq!(sealed.class, SealedClass::from(KindClass::Note));
    for s in &secrets {
        assert!(sealed.is_for(s.public().id()));
        let opened = sealed
            .open(&ctx_of(1), std::slice::from_ref(s))
            .expect("opens");
        assert_eq!(opened.kind, Kind::NOTE);
        assert_eq!(opened.body, note_bytes(TEXT));
        assert_eq!(opened.audience, county());
    }
    let outsider = secret(3);
    assert!(!sealed.is_for(outsider.public().id()));
    assert_eq!(
        sealed.open(&ctx_of(1), std::slice::from_ref(&outsider)),
        Err(OpenError::NotForUs)
    );
    assert_eq!(sealed.open(&ctx_of(1), &[]), Err(OpenError::NotForUs));
    // A post that rotated tries its current key, then its older ones.
    let opened = sealed
        .open(&ctx_of(1), &[outsider, secrets[2].clone()])
        .expect("older key opens");
    assert_eq!(opened.body, note_bytes(TEXT));
}

#[test]
fn sealing_is_deterministic_canonical_and_deduplicated() {
    let keys: Vec<_> = (0..4).map(|i| secret(i).public()).collect();
    let a = sealed_note(&keys);
    let mut shuffled = keys.clone();
    shuffled.reverse();
    shuffled.push(keys[0]);
    shuffled.push(keys[2]);
    let b = sealed_note(&shuffled);
    assert_eq!(a, b, "same seed, same keys in any order: same bytes");
    assert_eq!(b.audience_size(), 4);
    let ids: Vec<_> = b.recipients.iter().map(|r| r.key).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);

    let other_seed = seal(
        &ctx_of(1),
        Kind::NOTE,
        &note_bytes(TEXT),
        &county(),
        &keys,
        [10; 32],
    )
    .expect("seal");
    assert_ne!(other_seed.ciphertext, a.ciphertext);
    assert_ne!(other_seed.nonce, a.nonce);
    // The same seed reused for another body still gives another key and nonce.
    let reused = seal(
        &ctx_of(1),
        Kind::NOTE,
        &note_bytes("另一条"),
        &county(),
        &keys,
        [9; 32],
    )
    .expect("seal");
    assert_ne!(reused.nonce, a.nonce);
}

#[test]
fn only_restrictable_kinds_seal() {
    let keys = [secret(0).public()];
    for kind in [
        Kind::WARNING,
        Kind::RESPONSE_DECISION,
        Kind::CERTIFICATE,
        Kind::REVOCATION,
        Kind::DRILL_START,
        Kind::AGREEMENT_KEY,
        Kind::RESTRICTED,
        Kind::POST_PROFILE,
    ] {
        assert_eq!(
            seal(&ctx_of(1), kind, b"", &county(), &keys, [1; 32]),
            Err(RestrictedError::NotRestrictable { kind })
        );
    }
    assert_eq!(
        seal(&ctx_of(1), Kind::NOTE, b"", &county(), &[], [1; 32]),
        Err(RestrictedError::NoRecipients)
    );
    assert_eq!(
        seal(
            &ctx_of(1),
            Kind::NOTE,
            b"",
            &county(),
            &[AgreementKey([0; 32])],
            [1; 32]
        ),
        Err(RestrictedError::BadRecipientKey {
            id: AgreementKey([0; 32]).id()
        })
    );
}

#[test]
fn tampering_with_any_part_is_damage() {
    let s = secret(0);
    let keys = [s.public(), secret(1).public()];
    let sealed = sealed_note(&keys);
    let slot = sealed
        .recipients
        .iter()
        .position(|r| r.key == s.public().id())
        .expect("slot");
    let damaged = |t: &Sealed| match t.open(&ctx_of(1), std::slice::from_ref(&s)) {
        Err(OpenError::Damaged(reason)) => reason,
        other => panic!("expected damage, got {other:?}"),
    };

    for i in [0, sealed.ciphertext.len() / 2, sealed.ciphertext.len() - 1] {
        let mut t = sealed.clone();
        t.ciphertext[i] ^= 1;
        assert!(damaged(&t).contains("正文无法解密"));
    }
    for i in [0, 31, 47] {
        let mut t = sealed.clone();
        t.recipients[slot].wrapped[i] ^= 1;
        assert!(damaged(&t).contains("HPKE"));
    }
    for i in [0, 17, 31] {
        let mut t = sealed.clone();
        t.recipients[slot].enc[i] ^= 0x40;
        damaged(&t);
    }
    for i in [0, 11] {
        let mut t = sealed.clone();
        t.nonce[i] ^= 1;
        damaged(&t);
    }
    // The public class is bound too: relabelling a note as a task fails.
    let mut t = sealed.clone();
    t.class = SealedClass::from(KindClass::Task);
    damaged(&t);
    // Another post's slot moved under our key id does not open for us.
    let mut t = sealed.clone();
    let other = 1 - slot;
    t.recipients[slot].enc = sealed.recipients[other].enc;
    t.recipients[slot].wrapped = sealed.recipients[other].wrapped;
    damaged(&t);
}

#[test]
fn a_sealed_body_lifted_into_another_entry_does_not_open() {
    let s = secret(0);
    let sealed = sealed_note(&[s.public()]);
    let secrets = std::slice::from_ref(&s);
    assert!(sealed.open(&ctx_of(1), secrets).is_ok());
    let moved = [
        SealContext {
            author: keypair(2).node_id(),
            ..ctx_of(1)
        },
        ctx_of(2),
        SealContext {
            network: NetworkId::from_name("another network"),
            ..ctx_of(1)
        },
    ];
    for ctx in moved {
        assert!(
            matches!(sealed.open(&ctx, secrets), Err(OpenError::Damaged(_))),
            "{ctx:?}"
        );
    }
    // Signed by its true author it opens; the same body re-signed by another
    // post is a valid entry that no one can read.
    let mine = restricted_entry(sealed.clone());
    assert!(sealed.open(&mine.seal_context(), secrets).is_ok());
    let theirs = signed(
        &keypair(2),
        draft(1, None, Body::Restricted(Box::new(sealed.clone()))),
    );
    validate(theirs.wire(), &ctx()).expect("still a valid entry");
    assert!(matches!(
        sealed.open(&theirs.seal_context(), secrets),
        Err(OpenError::Damaged(_))
    ));
}

#[test]
fn signed_restricted_entries_validate_and_hide_the_plaintext() {
    let s = secret(0);
    let sealed = sealed_note(&[s.public(), secret(1).public()]);
    let e = restricted_entry(sealed.clone());
    let back = validate(e.wire(), &ctx()).expect("valid");
    assert_eq!(back, e);
    assert_eq!(back.kind(), Kind::RESTRICTED);
    assert_eq!(back.body(), Ok(Body::Restricted(Box::new(sealed.clone()))));

    // Neither the text, nor the encoded note, nor a recognisable piece of
    // either is in the bytes every post stores.
    let wire = e.wire();
    let contains = |needle: &[u8]| wire.windows(needle.len()).any(|w| w == needle);
    assert!(!contains(TEXT.as_bytes()));
    assert!(!contains(&note_bytes(TEXT)));
    assert!(!contains("伤亡名单".as_bytes()));
    assert!(!contains("危化品".as_bytes()));
    assert!(!contains(&codec::encode(&county()).expect("audience")));

    // Flipping any ciphertext byte breaks the signature.
    let at = wire
        .windows(sealed.ciphertext.len())
        .position(|w| w == sealed.ciphertext.as_slice())
        .expect("ciphertext is in the wire bytes");
    for i in at..at + sealed.ciphertext.len() {
        let mut bad = wire.to_vec();
        bad[i] ^= 0x01;
        assert_eq!(
            validate(&bad, &ctx()),
            Err(ValidationError::BadSignature),
            "byte {i}"
        );
    }

    // The audience post's view of it: same id and bytes, inner kind and body.
    let opened = sealed.open(&e.seal_context(), &[s]).expect("opens");
    let view = e.opened(&opened);
    assert_eq!(view.id(), e.id());
    assert_eq!(view.wire(), e.wire());
    assert_eq!(view.author(), e.author());
    assert_eq!(view.seq(), e.seq());
    assert_eq!(view.hlc(), e.hlc());
    assert_eq!(view.header().scope, e.header().scope);
    assert_eq!(view.kind(), Kind::NOTE);
    assert_eq!(view.body_bytes(), note_bytes(TEXT).as_slice());
    assert_eq!(view.body(), Ok(note(TEXT)));
    assert_eq!(opened.decode_body(&LIMITS), Ok(note(TEXT)));
}

#[test]
fn an_inner_body_breaking_its_rules_is_caught_when_opened() {
    let s = secret(0);
    let sealed = seal(
        &ctx_of(1),
        Kind::NOTE,
        &note_bytes(" "),
        &county(),
        &[s.public()],
        [1; 32],
    )
    .expect("seal does not read the body");
    let opened = sealed
        .open(&ctx_of(1), std::slice::from_ref(&s))
        .expect("opens");
    assert_eq!(
        opened.decode_body(&LIMITS),
        Err(BodyError::Empty { field: "text" })
    );
    let garbage = seal(
        &ctx_of(1),
        Kind::TASK,
        b"\xff\xff",
        &county(),
        &[s.public()],
        [1; 32],
    )
    .expect("seal");
    let opened = garbage.open(&ctx_of(1), &[s]).expect("opens");
    assert!(matches!(
        opened.decode_body(&LIMITS),
        Err(BodyError::Undecodable { .. })
    ));
}

fn keys(n: usize) -> Vec<AgreementKey> {
    (0..n as u32).map(|i| secret(i).public()).collect()
}

#[test]
fn recipients_at_their_limit() {
    let max = keys(MAX_RECIPIENTS + 1);
    let text = "x".repeat(2048);
    let sealed = seal(
        &ctx_of(1),
        Kind::NOTE,
        &note_bytes(&text),
        &county(),
        &max[..MAX_RECIPIENTS],
        [2; 32],
    )
    .expect("the most recipients seal");
    assert_eq!(sealed.audience_size(), MAX_RECIPIENTS);
    assert_eq!(sealed.check(&Limits::default()), Ok(()));
    let e = restricted_entry(sealed.clone());
    assert!(
        e.wire().len() <= Limits::DEFAULT_MAX_ENTRY_BYTES,
        "{} bytes",
        e.wire().len()
    );
    validate(e.wire(), &ctx()).expect("fits and validates");
    // The last recipient reads it.
    let last = secret(MAX_RECIPIENTS as u32 - 1);
    assert!(sealed.open(&e.seal_context(), &[last]).is_ok());

    assert_eq!(
        seal(
            &ctx_of(1),
            Kind::NOTE,
            &note_bytes("x"),
            &county(),
            &max,
            [2; 32]
        ),
        Err(RestrictedError::TooManyRecipients {
            count: MAX_RECIPIENTS + 1
        })
    );
    // One slot too many, built by hand: refused by the check and by the
    // decoder alike.
    let mut over = sealed.clone();
    let mut extra = over.recipients[MAX_RECIPIENTS - 1].clone();
    extra.key.0 = [0xff; 8];
    over.recipients.push(extra);
    assert_eq!(
        over.check(&Limits::default()),
        Err(BodyError::TooMany {
            field: "recipients",
            count: MAX_RECIPIENTS + 1,
            max: MAX_RECIPIENTS
        })
    );
    let bytes = codec::encode(&over).expect("encode");
    assert!(matches!(
        Body::decode(Kind::RESTRICTED, &bytes),
        Err(BodyError::Undecodable { .. })
    ));
}

#[test]
fn recipients_must_be_sorted_and_unique() {
    let sealed = sealed_note(&keys(3));
    let limits = Limits::default();
    let mut unsorted = sealed.clone();
    unsorted.recipients.swap(0, 2);
    assert_eq!(
        unsorted.check(&limits),
        Err(BodyError::NotCanonical {
            field: "recipients"
        })
    );
    let mut twice = sealed.clone();
    twice.recipients[1] = twice.recipients[0].clone();
    assert_eq!(
        twice.check(&limits),
        Err(BodyError::NotCanonical {
            field: "recipients"
        })
    );
    let mut none = sealed.clone();
    none.recipients.clear();
    assert_eq!(
        none.check(&limits),
        Err(BodyError::Empty {
            field: "recipients"
        })
    );
    let mut short = sealed.clone();
    short.ciphertext.truncate(15);
    assert!(matches!(
        short.check(&limits),
        Err(BodyError::Undecodable { .. })
    ));
    let tight = Limits {
        max_entry_bytes: sealed.ciphertext.len() - 1,
        ..Limits::default()
    };
    assert!(matches!(
        sealed.check(&tight),
        Err(BodyError::TooManyBytes {
            field: "ciphertext",
            ..
        })
    ));
    // Every post refuses such an entry, reader or not.
    let e = restricted_entry(unsorted);
    assert!(matches!(
        validate(e.wire(), &ctx()),
        Err(ValidationError::InvalidBody(BodyError::NotCanonical { .. }))
    ));
}

#[test]
fn named_post_audiences_at_their_limit() {
    let posts = |n: usize| -> Vec<NodeId> { (0..n).map(|i| keypair(i as u8).node_id()).collect() };
    let at = Audience::Posts(posts(MAX_AUDIENCE_POSTS));
    let s = secret(0);
    let sealed = seal(
        &ctx_of(1),
        Kind::NOTE,
        &note_bytes("x"),
        &at,
        &[s.public()],
        [3; 32],
    )
    .expect("the most named posts seal");
    assert_eq!(sealed.open(&ctx_of(1), &[s]).expect("opens").audience, at);
    let over = Audience::Posts(posts(MAX_AUDIENCE_POSTS + 1));
    assert!(matches!(
        seal(
            &ctx_of(1),
            Kind::NOTE,
            &note_bytes("x"),
            &over,
            &keys(1),
            [3; 32]
        ),
        Err(RestrictedError::InvalidAudience(BodyError::TooMany { .. }))
    ));
}

#[test]
fn unknown_classes_are_stored_and_relayed_unread() {
    let s = secret(0);
    let mut sealed = sealed_note(&[s.public()]);
    sealed.class = SealedClass(77);
    let e = restricted_entry(sealed.clone());
    let back = validate(e.wire(), &ctx()).expect("a newer class is still valid");
    match back.body() {
        Ok(Body::Restricted(b)) => {
            assert_eq!(b.class.known(), None);
            assert_eq!(b.class.name_zh(), "未知类别");
        }
        other => panic!("{other:?}"),
    }
    // This code cannot tell what it would hold, so it does not fold it.
    assert!(matches!(
        sealed.open(&e.seal_context(), &[s]),
        Err(OpenError::Damaged(_))
    ));
}

#[test]
fn key_announcements_validate_and_bad_keys_are_refused() {
    let key = secret(0).public();
    let good = signed(
        &keypair(1),
        draft(
            1,
            None,
            Body::AgreementKey(KeyAnnouncement { key, number: 1 }),
        ),
    );
    let back = validate(good.wire(), &ctx()).expect("valid");
    assert_eq!(
        back.body(),
        Ok(Body::AgreementKey(KeyAnnouncement { key, number: 1 }))
    );
    assert_eq!(back.kind(), Kind::AGREEMENT_KEY);
    for bad in [
        KeyAnnouncement {
            key: AgreementKey([0; 32]),
            number: 1,
        },
        KeyAnnouncement { key, number: 0 },
    ] {
        let e = signed(&keypair(1), draft(1, None, Body::AgreementKey(bad)));
        assert!(matches!(
            validate(e.wire(), &ctx()),
            Err(ValidationError::InvalidBody(_))
        ));
    }
}

#[test]
fn envelopes_render_as_json_with_hex_bytes() {
    let sealed = sealed_note(&keys(1));
    let body = Body::Restricted(Box::new(sealed.clone()));
    let json = serde_json::to_value(&body).expect("json");
    assert_eq!(json["type"], "restricted");
    assert_eq!(json["class"], 1);
    assert_eq!(
        json["ciphertext"].as_str().expect("hex"),
        hex::encode(&sealed.ciphertext)
    );
    let recipient: &Recipient = &sealed.recipients[0];
    assert_eq!(json["recipients"][0]["key"], recipient.key.to_string());
    let back: Body = serde_json::from_value(json).expect("back");
    assert_eq!(back, body);
}
