//! Voiding in a certified network made in-process: a post that stored a
//! county's entries before the county's revocation reached it voids them
//! (kept as evidence, out of views) and so converges with a post that got
//! the revocation first and refused them; strong removal gives standing
//! back; equivocation voids the forked entries; a store that stopped
//! between storing a revocation and voiding is put right at open.

mod common;

use std::collections::BTreeSet;

use common::{Author, at, cert_body, genesis, note, open, rc, revocation, wires};
use liandong_node::ledger::verify::verify;
use liandong_node::ledger::{ItemOutcome, Ledger};
use liandong_node::store::{Durability, Query};
use liandong_protocol::{
    EntryId, Interest, Keypair, Kind, LedgerDigest, RegionCode, SignedEntry, Status,
};

fn ingest(ledger: &Ledger, entries: &[&SignedEntry]) -> Vec<ItemOutcome> {
    ledger
        .ingest_each(&wires(entries), Durability::Durable)
        .expect("ingest")
}

fn digest(ledger: &Ledger) -> LedgerDigest {
    ledger
        .store()
        .digest(&RegionCode::national())
        .expect("digest")
}

fn items(ledger: &Ledger) -> Vec<EntryId> {
    ledger
        .store()
        .items_in(&Interest::everything(), None)
        .expect("items")
        .into_iter()
        .map(|(_, id)| id)
        .collect()
}

fn voided(ledger: &Ledger) -> BTreeSet<EntryId> {
    ledger
        .store()
        .voided()
        .expect("voided")
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

fn ids(entries: &[&SignedEntry]) -> BTreeSet<EntryId> {
    entries.iter().map(|e| e.id()).collect()
}

fn assert_verified(ledger: &Ledger) {
    let report = verify(ledger).expect("verify");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

/// The root revokes a county at t-3s; the county wrote after that, and
/// certified a village that wrote too.
struct Partitioned {
    county_cert: SignedEntry,
    revocation: SignedEntry,
    /// Written before the revocation's time: stays valid everywhere.
    early_note: SignedEntry,
    /// Everything the revocation invalidates.
    late: Vec<SignedEntry>,
}

fn partitioned(root: &mut Author, county: &mut Author, village: &mut Author) -> Partitioned {
    let county_cert = root.next(at(-10_000), "654203", cert_body(&county.kp, "654203", true));
    let revocation = root.next(at(-3_000), "654203", revocation(&county.kp));
    let early_note = county.next(at(-5_000), "654203", note("县里收到"));
    let late_note = county.next(at(-2_000), "654203", note("撤离中"));
    let village_cert = county.next(
        at(-1_500),
        "654203106201",
        cert_body(&village.kp, "654203106201", false),
    );
    let village_note = village.next(at(-1_000), "654203106201", note("水位上涨"));
    let later_note = county.next(at(-500), "654203", note("续报"));
    Partitioned {
        county_cert,
        revocation,
        early_note,
        late: vec![late_note, village_cert, village_note, later_note],
    }
}

#[test]
fn a_late_revocation_voids_what_it_invalidates_and_posts_converge() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root_kp = Keypair::from_secret([1; 32]);
    let g = genesis(&root_kp);
    let mut root = Author::new(&g, 1);
    let mut county = Author::new(&g, 2);
    let mut village = Author::new(&g, 3);
    let p = partitioned(&mut root, &mut county, &mut village);
    let late: Vec<&SignedEntry> = p.late.iter().collect();

    // X stored the county's entries before the revocation reached it.
    let x = open(&tmp.path().join("x"), &Keypair::from_secret([10; 32]), &g);
    let mut first = vec![&p.county_cert, &p.early_note];
    first.extend(&late);
    let out = ingest(&x, &first);
    assert!(out.iter().all(|o| o.new_entry().is_some()), "{out:?}");
    let out = ingest(&x, &[&p.revocation]);
    assert!(matches!(out[0], ItemOutcome::Added(_)), "{out:?}");
    assert_eq!(voided(&x), ids(&late));

    // Y got the revocation first and refused them.
    let y = open(&tmp.path().join("y"), &Keypair::from_secret([11; 32]), &g);
    ingest(&y, &[&p.county_cert, &p.revocation]);
    let out = ingest(&y, &[&p.early_note]);
    assert!(matches!(out[0], ItemOutcome::Added(_)));
    let out = ingest(&y, &late);
    assert!(
        out.iter().all(|o| matches!(o, ItemOutcome::Refused(_))),
        "{out:?}"
    );

    // The two now look converged: same digest, same sync item set.
    assert_eq!(digest(&x), digest(&y));
    assert_eq!(digest(&x).count, 3, "cert, revocation, early note");
    assert_eq!(items(&x), items(&y));

    // The voided entries are evidence: readable by id, in the author's
    // chain, shown invalid, and out of the kind and scope listings.
    for e in &late {
        assert_eq!(x.store().get(&e.id()).expect("get").as_ref(), Some(*e));
        assert!(x.standing(e).is_err());
    }
    let chain = x
        .store()
        .query(&Query {
            author: Some(county.kp.node_id()),
            ..Query::default()
        })
        .expect("chain");
    assert_eq!(chain.len(), 4, "early, late, village cert, later");
    let notes = x
        .store()
        .query(&Query {
            kind: Some(Kind::NOTE),
            ..Query::default()
        })
        .expect("notes");
    assert_eq!(
        ids(&notes.iter().collect::<Vec<_>>()),
        ids(&[&p.early_note])
    );
    let listed = x
        .store()
        .query(&Query {
            voided: true,
            ..Query::default()
        })
        .expect("voided listing");
    assert_eq!(listed, p.late, "oldest first");
    let reasons: BTreeSet<String> = x
        .store()
        .voided()
        .expect("voided")
        .into_iter()
        .map(|(_, r)| r.label)
        .collect();
    assert_eq!(
        reasons,
        BTreeSet::from(["revoked".to_string(), "issuer_invalid".to_string()])
    );

    // Received again (a peer that lacks the revocation offers them): a
    // duplicate, nothing changes.
    let before = digest(&x);
    let out = ingest(&x, &late);
    assert!(
        out.iter().all(|o| matches!(o, ItemOutcome::Duplicate(_))),
        "{out:?}"
    );
    assert_eq!(digest(&x), before);
    assert_eq!(voided(&x), ids(&late));

    let report = verify(&x).expect("verify");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.voided.get("revoked"), Some(&3));
    assert_eq!(report.voided.get("issuer_invalid"), Some(&1));
    assert_verified(&y);

    // All of it survives a restart.
    drop(x);
    let x = open(&tmp.path().join("x"), &Keypair::from_secret([10; 32]), &g);
    assert_eq!(voided(&x), ids(&late));
    assert_eq!(digest(&x), digest(&y));
    assert_verified(&x);
}

/// Strong removal: a province revokes a county (its entries are voided
/// here); then the root's earlier revocation of the province arrives, so
/// the province's revocation no longer counts — the county's entries get
/// their standing back, and the province's revocation is voided instead.
#[test]
fn a_revocation_that_stops_counting_restores_what_it_voided() {
    let tmp = tempfile::tempdir().expect("tmp");
    let g = genesis(&Keypair::from_secret([1; 32]));
    let mut root = Author::new(&g, 1);
    let mut province = Author::new(&g, 20);
    let mut county = Author::new(&g, 21);
    let province_cert = root.next(at(-10_000), "65", cert_body(&province.kp, "65", true));
    let county_cert = province.next(at(-9_000), "654203", cert_body(&county.kp, "654203", true));
    let province_revokes = province.next(at(-2_000), "654203", revocation(&county.kp));
    let a = county.next(at(-1_500), "654203", note("一"));
    let b = county.next(at(-1_000), "654203", note("二"));
    let root_revokes = root.next(at(-3_000), "65", revocation(&province.kp));

    let x = open(&tmp.path().join("x"), &Keypair::from_secret([10; 32]), &g);
    ingest(&x, &[&province_cert, &county_cert, &a, &b]);
    ingest(&x, &[&province_revokes]);
    assert_eq!(voided(&x), ids(&[&a, &b]));
    ingest(&x, &[&root_revokes]);
    assert_eq!(voided(&x), ids(&[&province_revokes]));
    assert!(x.store().indexes_complete(&a).expect("indexes"));

    let y = open(&tmp.path().join("y"), &Keypair::from_secret([11; 32]), &g);
    ingest(&y, &[&province_cert, &county_cert, &root_revokes]);
    let out = ingest(&y, &[&province_revokes, &a, &b]);
    assert!(matches!(out[0], ItemOutcome::Refused(_)), "{out:?}");
    assert!(out[1..].iter().all(|o| o.new_entry().is_some()), "{out:?}");

    assert_eq!(digest(&x), digest(&y));
    assert_eq!(items(&x), items(&y));
    assert_verified(&x);
    assert_verified(&y);
}

/// A fork voids the forked entries where it is seen: at X, which stored
/// both branches, and at Y, which stored one and then got X's evidence.
#[test]
fn equivocation_voids_the_forked_entries_everywhere() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root_kp = Keypair::from_secret([1; 32]);
    let g = genesis(&root_kp);
    let county = Author::new(&g, 2);
    // X is the root post: it certifies the county itself.
    let x = open(&tmp.path().join("x"), &root_kp, &g);
    let county_cert = x
        .author(
            rc("654203"),
            Status::Actual,
            cert_body(&county.kp, "654203", false),
        )
        .expect("certify");
    let mut chain = Author::new(&g, 2);
    let one = chain.next(at(-3_000), "654203", note("版本一"));
    let two = chain.fork_first(at(-2_000), "654203", note("版本二"));

    ingest(&x, &[&one]);
    let out = ingest(&x, &[&two]);
    assert!(matches!(out[0], ItemOutcome::Fork(_)), "{out:?}");
    assert_eq!(voided(&x), ids(&[&one, &two]));
    let evidence = x.take_outbox();
    assert_eq!(evidence.len(), 1);

    let y = open(&tmp.path().join("y"), &Keypair::from_secret([11; 32]), &g);
    ingest(&y, &[&county_cert, &one]);
    ingest(&y, &[&evidence[0]]);
    assert_eq!(voided(&y), ids(&[&one]));

    assert_eq!(digest(&x), digest(&y));
    assert_eq!(items(&x), items(&y));
    assert_verified(&x);
    assert_verified(&y);
}

/// The revocation and the entries it voids were stored, but the process
/// stopped before voiding them (or the store predates voiding): opening
/// the ledger voids them.
#[test]
fn a_store_interrupted_before_voiding_is_put_right_at_open() {
    let tmp = tempfile::tempdir().expect("tmp");
    let g = genesis(&Keypair::from_secret([1; 32]));
    let mut root = Author::new(&g, 1);
    let mut county = Author::new(&g, 2);
    let mut village = Author::new(&g, 3);
    let p = partitioned(&mut root, &mut county, &mut village);
    let me = Keypair::from_secret([10; 32]);
    {
        // Straight into the store: what an interrupted ingest leaves.
        let store = common::open_store(&tmp.path().join("store"));
        let mut all = vec![
            p.county_cert.clone(),
            p.early_note.clone(),
            p.revocation.clone(),
        ];
        all.extend(p.late.iter().cloned());
        store
            .insert_batch(&all, Durability::Durable)
            .expect("insert");
    }
    let x = open(tmp.path(), &me, &g);
    assert_eq!(voided(&x), ids(&p.late.iter().collect::<Vec<_>>()));
    assert_eq!(digest(&x).count, 3);
    assert_verified(&x);
}

/// A certificate this post writes itself can give standing back: a village
/// certified by a county after the county's revocation time lost its
/// standing here; the province re-certifies it, and its entry counts again
/// (the county's own entries stay voided).
#[test]
fn an_own_certificate_restores_what_its_subject_lost() {
    let tmp = tempfile::tempdir().expect("tmp");
    let g = genesis(&Keypair::from_secret([1; 32]));
    let mut root = Author::new(&g, 1);
    let province = Author::new(&g, 20);
    let mut county = Author::new(&g, 21);
    let mut village = Author::new(&g, 22);
    let x = open(tmp.path(), &province.kp, &g);
    ingest(
        &x,
        &[&root.next(at(-10_000), "65", cert_body(&province.kp, "65", true))],
    );
    x.author(
        rc("654203"),
        Status::Actual,
        cert_body(&county.kp, "654203", true),
    )
    .expect("certify county");
    let revoked = root.next(at(-3_000), "654203", revocation(&county.kp));
    let county_note = county.next(at(-2_000), "654203", note("撤离中"));
    let village_cert = county.next(
        at(-1_500),
        "654203106201",
        cert_body(&village.kp, "654203106201", false),
    );
    let village_note = village.next(at(-1_000), "654203106201", note("水位上涨"));
    ingest(&x, &[&county_note, &village_cert, &village_note]);
    ingest(&x, &[&revoked]);
    assert_eq!(
        voided(&x),
        ids(&[&county_note, &village_cert, &village_note])
    );

    x.author(
        rc("654203106201"),
        Status::Actual,
        cert_body(&village.kp, "654203106201", false),
    )
    .expect("re-certify village");
    assert_eq!(voided(&x), ids(&[&county_note, &village_cert]));
    assert!(x.standing(&village_note).is_ok());
    assert_verified(&x);
}
