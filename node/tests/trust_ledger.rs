//! The ledger's admission path in a network: certificates in any order in
//! one batch, forks turned into evidence and quarantine, the trust state
//! rebuilt at reopen, and what the network layer asks (own chain, a peer's
//! chain, current post).

mod common;

use common::{cert_body, entry, genesis, note, open, rc};
use liandong_node::ledger::{ItemOutcome, Ledger};
use liandong_node::store::Durability;
use liandong_protocol::{Keypair, Kind, RegionCode, Status, TrustError};

#[test]
fn a_chain_in_reverse_order_is_admitted_in_one_batch() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (root, county, village, observer) = (
        Keypair::from_secret([1; 32]),
        Keypair::from_secret([2; 32]),
        Keypair::from_secret([3; 32]),
        Keypair::from_secret([4; 32]),
    );
    let g = genesis(&root);
    let ledger = open(tmp.path(), &observer, &g);
    assert!(ledger.trust_enabled());

    let county_cert = entry(
        &g,
        &root,
        1,
        None,
        5_000,
        "654203",
        cert_body(&county, "654203", true),
    );
    let village_cert = entry(
        &g,
        &county,
        1,
        None,
        4_000,
        "654203106201",
        cert_body(&village, "654203106201", false),
    );
    let village_note = entry(
        &g,
        &village,
        1,
        None,
        3_000,
        "654203106201",
        note("水位上涨"),
    );
    let stranger_note = entry(&g, &observer, 1, None, 3_000, "654203", note("x"));
    // The dependent entries come first.
    let batch = [
        village_note.wire().to_vec(),
        village_cert.wire().to_vec(),
        county_cert.wire().to_vec(),
    ];
    let outcomes = ledger
        .ingest_each(&batch, Durability::Durable)
        .expect("ingest");
    assert!(
        outcomes.iter().all(|o| matches!(o, ItemOutcome::Added(_))),
        "{outcomes:?}"
    );
    assert_eq!(
        ledger.current_post(&village.node_id()).map(|p| p.region),
        Some(rc("654203106201"))
    );
    // The observer (uncertified) is refused for entries others send of it,
    // and the refusal says more certificates may fix it.
    let outcomes = ledger
        .ingest_each(&[stranger_note.wire().to_vec()], Durability::Durable)
        .expect("ingest");
    match &outcomes[0] {
        ItemOutcome::Refused(e) => assert!(e.awaits_certificates(), "{e}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    // But it writes its own entries, uncertified.
    ledger
        .author(rc("654203"), Status::Actual, note("本节点记录"))
        .expect("own entry");
    assert_eq!(ledger.own_chain().expect("chain"), None, "not a post");

    // The village's chain, as the network layer would send and check it.
    let chain = ledger
        .chain_of(&village.node_id())
        .expect("chain")
        .expect("a post");
    assert_eq!(
        chain,
        vec![county_cert.wire().to_vec(), village_cert.wire().to_vec()]
    );
    let elsewhere = open(&tmp.path().join("other"), &root, &g);
    assert_eq!(
        elsewhere
            .verify_peer_chain(&village.node_id(), &chain)
            .map(|p| p.region)
            .ok(),
        Some(rc("654203106201"))
    );
    assert!(
        elsewhere
            .verify_peer_chain(&village.node_id(), &chain[1..])
            .is_err()
    );
    assert_eq!(elsewhere.own_chain().expect("root chain"), Some(Vec::new()));
}

#[test]
fn a_stored_fork_writes_evidence_and_quarantines_the_key() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (root, county) = (Keypair::from_secret([1; 32]), Keypair::from_secret([2; 32]));
    let g = genesis(&root);
    let ledger = open(tmp.path(), &root, &g);
    // The root certifies the county itself (its own entry).
    ledger
        .author(
            rc("654203"),
            Status::Actual,
            cert_body(&county, "654203", false),
        )
        .expect("certify");
    let a = entry(&g, &county, 1, None, 3_000, "654203", note("版本一"));
    let b = entry(&g, &county, 1, None, 2_000, "654203", note("版本二"));
    let o = ledger
        .ingest_each(&[a.wire().to_vec()], Durability::Durable)
        .expect("a");
    assert!(matches!(o[0], ItemOutcome::Added(_)));
    let o = ledger
        .ingest_each(&[b.wire().to_vec()], Durability::Durable)
        .expect("b");
    assert!(matches!(o[0], ItemOutcome::Fork(_)), "both kept: {o:?}");

    let outbox = ledger.take_outbox();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].kind(), Kind::EQUIVOCATION);
    assert_eq!(outbox[0].header().scope, RegionCode::national());
    assert!(ledger.take_outbox().is_empty(), "drained");
    let quarantined = |l: &Ledger| {
        l.with_trust(|t| t.quarantine_of(&county.node_id()))
            .flatten()
    };
    assert_eq!(quarantined(&ledger).map(|q| q.from_seq), Some(1));

    let later = entry(&g, &county, 2, Some(a.id()), 1_000, "654203", note("之后"));
    let o = ledger
        .ingest_each(&[later.wire().to_vec()], Durability::Durable)
        .expect("later");
    assert!(
        matches!(o[0], ItemOutcome::Refused(TrustError::Quarantined { .. })),
        "{o:?}"
    );
    // Views: the forked entries no longer count.
    assert!(ledger.standing(&b).is_err());

    // The state is rebuilt from the store at reopen.
    drop(ledger);
    let ledger = open(tmp.path(), &root, &g);
    assert!(quarantined(&ledger).is_some());
    assert!(ledger.current_post(&county.node_id()).is_none());
}
