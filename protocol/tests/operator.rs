//! The operator who entered an entry (version 2): it round-trips through
//! the wire layout, is covered by the signature, is held to its limits on
//! the way in, and leaves entries without one exactly as they were.

mod common;

use common::*;
use liandong_protocol::entry::wire::ENTRY_SIGNING_DOMAIN;
use liandong_protocol::limits::{MAX_OPERATOR_ACCOUNT_BYTES, MAX_OPERATOR_DISPLAY_CHARS};
use liandong_protocol::{
    EntryId, Hlc, Keypair, Kind, NetworkId, NodeId, Operator, OperatorError, SignedEntry, Status,
    ValidationError, codec, validate,
};
use proptest::prelude::*;
use serde::Serialize;

fn zhangsan() -> Operator {
    Operator::new("zhangsan", "值班员 张三").expect("valid operator")
}

fn entered(kp: &Keypair, operator: Operator) -> SignedEntry {
    let mut d = draft(1, None, note("首报：河水漫堤"));
    d.operator = Some(operator);
    signed(kp, d)
}

/// The version-2 layout, written here independently of the crate's own
/// encoder, so that the tests can sign names the crate would refuse to
/// make (a forger's entry).
#[derive(Serialize)]
struct ForgedV2 {
    version: u8,
    network: NetworkId,
    author: NodeId,
    seq: u64,
    prev: Option<EntryId>,
    hlc: Hlc,
    scope: String,
    status: Status,
    kind: Kind,
    operator: (String, String),
    #[serde(with = "serde_bytes")]
    body: Vec<u8>,
}

/// A correctly signed version-2 note naming `account` / `display`, valid
/// or not.
fn forged(kp: &Keypair, account: &str, display: &str) -> Vec<u8> {
    let (kind, body) = note("首报").encode().expect("body");
    let mut bytes = codec::encode(&ForgedV2 {
        version: 2,
        network: network(),
        author: kp.node_id(),
        seq: 1,
        prev: None,
        hlc: Hlc::new(NOW_MS - 60_000, 1),
        scope: "654203106".into(),
        status: Status::Actual,
        kind,
        operator: (account.into(), display.into()),
        body,
    })
    .expect("encode");
    let sig = kp.sign(ENTRY_SIGNING_DOMAIN, &bytes);
    bytes.extend_from_slice(&sig);
    bytes
}

#[test]
fn the_operator_round_trips_and_is_signed() {
    let kp = keypair(3);
    let e = entered(&kp, zhangsan());
    assert_eq!(e.wire()[0], 2);
    let back = validate(e.wire(), &ctx()).expect("validates");
    assert_eq!(back, e);
    assert_eq!(back.operator(), Some(&zhangsan()));
    assert_eq!(
        SignedEntry::decode_stored(e.wire())
            .expect("decodes")
            .operator(),
        Some(&zhangsan())
    );
    // The same draft without an operator is a different entry, in version 1.
    let plain = signed(&kp, draft(1, None, note("首报：河水漫堤")));
    assert_eq!(plain.wire()[0], 1);
    assert_eq!(plain.operator(), None);
    assert_ne!(plain.id(), e.id());
}

#[test]
fn the_forgers_layout_is_the_crates() {
    // The forger's encoder writes what the crate writes for a valid name,
    // so the rejections below are about the names, not the layout.
    let kp = keypair(3);
    let mut d = draft(1, None, note("首报"));
    d.operator = Some(Operator::new("zhangsan", "张三").expect("valid"));
    assert_eq!(forged(&kp, "zhangsan", "张三"), signed(&kp, d).wire());
}

#[test]
fn changing_the_operator_breaks_the_signature() {
    let kp = keypair(3);
    let e = entered(&kp, Operator::new("zhangsan", "张三").expect("valid"));
    let mut bytes = e.wire().to_vec();
    // Rename the operator in place (same length): 张三 → 李四 would change
    // the bytes, so swap one account letter instead.
    let pos = bytes
        .windows(8)
        .position(|w| w == b"zhangsan")
        .expect("account in the bytes");
    bytes[pos] = b'w';
    assert_eq!(validate(&bytes, &ctx()), Err(ValidationError::BadSignature));
}

#[test]
fn operator_limits_are_checked_at_their_boundaries_on_the_way_in() {
    let kp = keypair(4);
    let max_account = "a".repeat(MAX_OPERATOR_ACCOUNT_BYTES);
    let max_display = "张".repeat(MAX_OPERATOR_DISPLAY_CHARS);
    let ok = validate(&forged(&kp, &max_account, &max_display), &ctx()).expect("at the limits");
    assert_eq!(
        ok.operator().map(Operator::account),
        Some(max_account.as_str())
    );

    let over_account = "a".repeat(MAX_OPERATOR_ACCOUNT_BYTES + 1);
    let over_display = "张".repeat(MAX_OPERATOR_DISPLAY_CHARS + 1);
    let cases = [
        (
            forged(&kp, &over_account, "张三"),
            OperatorError::AccountTooLong {
                len: MAX_OPERATOR_ACCOUNT_BYTES + 1,
            },
        ),
        (
            forged(&kp, "zhangsan", &over_display),
            OperatorError::DisplayTooLong {
                chars: MAX_OPERATOR_DISPLAY_CHARS + 1,
            },
        ),
        (forged(&kp, "", "张三"), OperatorError::EmptyAccount),
        (forged(&kp, "zhangsan", " "), OperatorError::BlankDisplay),
        (
            forged(&kp, "zhangsan", "张三\r\n伪造行"),
            OperatorError::DisplayControl,
        ),
        (
            forged(&kp, "Zhang San", "张三"),
            OperatorError::AccountCharacters {
                account: "Zhang San".into(),
            },
        ),
    ];
    for (bytes, expected) in cases {
        let err = validate(&bytes, &ctx()).expect_err("invalid operator accepted");
        assert_eq!(err, ValidationError::InvalidOperator(expected.clone()));
        assert_eq!(err.label(), "invalid_operator");
        // A relay is not blamed for names a later version may allow; the
        // author is.
        assert!(!err.blames_relay() && err.blames_author());
        // The store's reader refuses it too.
        assert!(SignedEntry::decode_stored(&bytes).is_err());
    }
}

#[test]
fn versions_outside_the_known_range_are_named() {
    let e = entered(&keypair(5), zhangsan());
    for v in [0u8, 3, 255] {
        let mut bytes = e.wire().to_vec();
        bytes[0] = v;
        let err = validate(&bytes, &ctx()).expect_err("unknown version accepted");
        assert_eq!(err, ValidationError::UnknownVersion(v));
        assert!(!err.blames_relay() && !err.blames_author());
        assert!(err.to_string().contains("versions 1 to 2"), "{err}");
    }
}

#[test]
fn a_version_byte_that_lies_about_the_layout_is_refused() {
    // A version-1 layout under a version-2 byte, and the reverse: the
    // layouts differ, so neither decodes as the other (and neither
    // signature would cover it anyway).
    let v1 = signed(&keypair(6), draft(1, None, note("x")));
    let mut as_v2 = v1.wire().to_vec();
    as_v2[0] = 2;
    assert!(validate(&as_v2, &ctx()).is_err());
    let v2 = entered(&keypair(6), zhangsan());
    let mut as_v1 = v2.wire().to_vec();
    as_v1[0] = 1;
    assert!(validate(&as_v1, &ctx()).is_err());
}

fn account() -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[a-z0-9._-]{{1,{MAX_OPERATOR_ACCOUNT_BYTES}}}"))
        .expect("regex")
}

fn display() -> impl Strategy<Value = String> {
    prop::collection::vec(
        any::<char>().prop_filter("printable", |c| {
            !c.is_control()
                && !c.is_whitespace()
                && !('\u{202a}'..='\u{202e}').contains(c)
                && !('\u{2066}'..='\u{2069}').contains(c)
        }),
        1..=MAX_OPERATOR_DISPLAY_CHARS,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_valid_operator_round_trips(account in account(), display in display(), seed in 1u8..=255) {
        let op = Operator::new(&account, &display).expect("generated valid");
        let kp = keypair(seed);
        let e = entered(&kp, op.clone());
        let back = validate(e.wire(), &ctx()).expect("validates");
        prop_assert_eq!(back.operator(), Some(&op));
        prop_assert_eq!(back.wire(), e.wire());
    }
}
