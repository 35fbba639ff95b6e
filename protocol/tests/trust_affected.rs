//! After a trust change, which keys' stored entries may have changed
//! standing (`TrustState::affected_since`): the revoked or quarantined key,
//! what it certified after its removal and everything below that — and
//! nothing else.

mod common;

use std::collections::BTreeSet;

use common::world::{World, accept, key, t};
use liandong_protocol::{Body, Equivocation, Keypair, NodeId, Note, Removals, UnitType};

fn keys(list: &[&Keypair]) -> BTreeSet<NodeId> {
    list.iter().map(|k| k.node_id()).collect()
}

#[test]
fn a_revocation_affects_the_key_and_what_it_certified_afterwards() {
    let mut w = World::new();
    let root = Keypair::from_secret([1; 32]);
    let (county, early, late, below_late) = (key(70), key(71), key(72), key(73));
    let mut s = w.state();
    let certs = [
        w.cert(&root, &county, "654203", t(1)),
        // Certified while the county was valid: unaffected.
        w.cert(&county, &early, "654203106", t(5)),
        // Certified after the county's revocation time (t30), before the
        // revocation arrived here: affected, and so is what it certified.
        w.cert(&county, &late, "654203107", t(45)),
        w.cert_with(
            &late,
            &below_late,
            "654203107201",
            UnitType::Command,
            false,
            t(50),
            None,
        ),
    ];
    for c in &certs {
        accept(&mut s, c);
    }
    let before = s.removals();
    assert!(before.is_empty());
    assert!(s.affected_since(&before).is_empty(), "nothing changed");

    let revocation = w.revoke(&root, &county, "654203", t(30));
    accept(&mut s, &revocation);
    let expected = keys(&[&county, &late, &below_late]);
    assert_eq!(s.affected_since(&before), expected);
    // Judging a whole store starts from no removals: the same keys.
    assert_eq!(s.affected_since(&Removals::none()), expected);
    // Once recorded, the same state affects nothing more.
    assert!(s.affected_since(&s.removals()).is_empty());

    // A note or a new certificate changes no removal.
    let before = s.removals();
    let note = w.note(&early, t(60), "654203106");
    s.insert(&note).expect("note ignored");
    assert!(s.affected_since(&before).is_empty());
}

/// Strong removal: the root revokes a province at t100; the province had
/// revoked a county at t150, which then stops counting — the county's
/// entries regain standing, so the county is affected too.
#[test]
fn a_revocation_that_stops_counting_affects_its_subject() {
    let mut w = World::new();
    let root = Keypair::from_secret([1; 32]);
    let (province, county, township) = (key(80), key(81), key(82));
    let mut s = w.state();
    for e in [
        w.cert(&root, &province, "65", t(1)),
        w.cert(&province, &county, "654203", t(2)),
        w.cert(&county, &township, "654203106", t(3)),
        w.revoke(&province, &county, "654203", t(150)),
    ] {
        accept(&mut s, &e);
    }
    assert!(s.revoked(&county.node_id()).is_some());
    let before = s.removals();

    accept(&mut s, &w.revoke(&root, &province, "65", t(100)));
    assert!(s.revoked(&county.node_id()).is_none(), "strong removal");
    // The province (newly revoked; it certified nothing after t100) and the
    // county (no longer revoked, from t150: it certified nothing after
    // that either).
    assert_eq!(s.affected_since(&before), keys(&[&province, &county]));
}

#[test]
fn equivocation_affects_the_quarantined_key_and_its_later_certificates() {
    let mut w = World::new();
    let root = Keypair::from_secret([1; 32]);
    let (county, village, witness) = (key(90), key(91), key(92));
    let mut s = w.state();
    for e in [
        w.cert(&root, &county, "654203", t(1)),
        w.cert(&root, &witness, "654204", t(1)),
    ] {
        accept(&mut s, &e);
    }
    let first = w.note(&county, t(10), "654203");
    w.heads
        .insert(county.node_id(), (first.seq() - 1, first.header().prev));
    let second = w.entry(
        &county,
        t(12),
        "654203",
        Body::Note(Note {
            text: "另一个版本".into(),
        }),
    );
    // Certified after the fork's time: no longer effective once it is proven.
    let c = w.cert_with(
        &county,
        &village,
        "654203106201",
        UnitType::Command,
        false,
        t(20),
        None,
    );
    accept(&mut s, &c);
    let before = s.removals();
    let evidence = w.entry(
        &witness,
        t(30),
        "00",
        Body::Equivocation(Equivocation::new(
            first.wire().to_vec(),
            second.wire().to_vec(),
        )),
    );
    accept(&mut s, &evidence);
    assert_eq!(s.affected_since(&before), keys(&[&county, &village]));
}

/// Two keys certifying each other (only possible with certificates at two
/// levels) do not make the search loop.
#[test]
fn certificate_loops_end() {
    let mut w = World::new();
    let root = Keypair::from_secret([1; 32]);
    let (a, b) = (key(100), key(101));
    let mut s = w.state();
    for e in [
        w.cert(&root, &a, "65", t(1)),
        w.cert(&a, &b, "6542", t(2)),
        w.cert(&b, &a, "654203", t(3)),
    ] {
        s.insert(&e).expect("recorded");
    }
    let before = s.removals();
    s.insert(&w.revoke(&root, &a, "65", t(1)))
        .expect("recorded");
    assert_eq!(s.affected_since(&before), keys(&[&a, &b]));
}
