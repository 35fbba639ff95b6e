//! The trust state: chains, every refusal reason, revocation before and
//! after the entries it voids, conflicting revocations, equivocation, and
//! independence from arrival order, and the fold's directory answering as
//! the state resolves.

mod common;

use common::world::{World, accept, key, rc, t};
use liandong_protocol::authority::{Action, AuthorityError, Directory, ResponseLevel};
use liandong_protocol::trust::{Certificate, Equivocation, TrustDirectory, TrustError, TrustState};
use liandong_protocol::{Body, Keypair, Level, NodeId, Note, SignedEntry, Status, UnitType};
use proptest::prelude::*;

#[test]
fn a_chain_down_to_a_village() {
    let mut w = World::new();
    let (province, prefecture, county, village) = (key(10), key(11), key(12), key(13));
    let mut s = w.state();
    let root = w.root.node_id();
    assert!(s.post_at(&root, t(0)).is_some(), "the root is a post");
    let certs = [
        w.cert(&Keypair::from_secret([1; 32]), &province, "65", t(10)),
        w.cert(&province, &prefecture, "6542", t(20)),
        w.cert(&prefecture, &county, "654203", t(30)),
        // The county certifies a village directly, skipping the township.
        w.cert_with(
            &county,
            &village,
            "654203106201",
            UnitType::Command,
            false,
            t(40),
            None,
        ),
    ];
    for c in &certs {
        accept(&mut s, c);
    }
    let v = s
        .post_at(&village.node_id(), t(50))
        .expect("village is a post");
    assert_eq!(v.level, Level::Village);
    assert!(s.post_at(&village.node_id(), t(39)).is_none(), "not before");
    assert_eq!(
        s.chain(&village.node_id(), t(50)),
        Some(certs.iter().map(|c| c.id()).collect())
    );
    assert_eq!(s.chain(&root, t(50)), Some(Vec::new()));

    // A certified village is still refused a level Ⅰ response.
    let here = rc("654203106201");
    assert!(matches!(
        s.policy().check(
            &v,
            &Action::Respond {
                level: ResponseLevel::I,
                region: &here
            }
        ),
        Err(AuthorityError::ResponseLevelTooHigh {
            needed: Level::National,
            ..
        })
    ));
    let note = w.note(&village, t(60), "654203106201");
    assert_eq!(s.admit(&note).map(|p| p.node), Ok(village.node_id()));

    // A chain presented by a peer checks against a state that holds none of it.
    let bare = w.state();
    let chain: Vec<SignedEntry> = certs.to_vec();
    assert_eq!(
        bare.verify_chain(&village.node_id(), &chain, t(50))
            .map(|p| p.region),
        Ok(rc("654203106201"))
    );
    assert!(
        bare.verify_chain(&village.node_id(), &chain[1..], t(50))
            .is_err()
    );
}

#[test]
fn every_refusal_reason() {
    let mut w = World::new();
    let root = Keypair::from_secret([1; 32]);
    let (county, other_county, village, stranger) = (key(20), key(21), key(22), key(23));
    let mut s = w.state();
    let c = w.cert(&root, &county, "654203", t(10));
    accept(&mut s, &c);
    let c = w.cert(&root, &other_county, "654202", t(10));
    accept(&mut s, &c);

    // Not certified at all.
    let e = w.note(&stranger, t(20), "654203");
    assert_eq!(
        s.admit(&e),
        Err(TrustError::NotCertified {
            node: stranger.node_id()
        })
    );
    assert!(s.admit(&e).expect_err("refused").awaits_certificates());

    // Scope outside the author's area.
    let e = w.note(&county, t(20), "654202");
    assert!(matches!(
        s.admit(&e),
        Err(TrustError::Authority(
            AuthorityError::ScopeOutsideArea { .. }
        ))
    ));

    // Certifying outside the subtree, or a post of the same level.
    let e = w.cert(&county, &village, "654202106201", t(20));
    assert!(matches!(
        s.admit(&e),
        Err(TrustError::Authority(
            AuthorityError::CertifyOutsideCommand { .. }
        ))
    ));
    let e = w.cert(&county, &stranger, "654203", t(20));
    assert!(matches!(
        s.admit(&e),
        Err(TrustError::Authority(
            AuthorityError::CertifyOutsideCommand { .. }
        ))
    ));

    // A post that may not certify.
    let fire = key(24);
    let c = w.cert_with(&county, &fire, "654203", UnitType::Fire, false, t(20), None);
    accept(&mut s, &c);
    let e = w.cert(&fire, &village, "654203106201", t(30));
    assert!(matches!(
        s.admit(&e),
        Err(TrustError::Authority(AuthorityError::MayNotCertify { .. }))
    ));

    // A certificate scoped elsewhere than its subject's region.
    let mut bad = w.cert(&county, &village, "654203106201", t(30));
    if let Ok(Body::Certificate(cert)) = bad.body() {
        bad = w.entry(&county, t(31), "654203", Body::Certificate(cert));
    }
    assert!(matches!(s.admit(&bad), Err(TrustError::WrongScope { .. })));

    // Certifying or revoking a root, or oneself.
    let e = w.cert(&county, &root, "654203106201", t(32));
    assert_eq!(
        s.admit(&e),
        Err(TrustError::RootSubject {
            subject: root.node_id()
        })
    );
    let e = w.cert(&county, &county, "654203106201", t(33));
    assert_eq!(s.admit(&e), Err(TrustError::SelfSubject));
    let e = w.revoke(&county, &root, "00", t(34));
    assert!(matches!(s.admit(&e), Err(TrustError::RootSubject { .. })));

    // Revoking a post one is not above, or one unknown here.
    let e = w.revoke(&other_county, &county, "654203", t(35));
    assert!(matches!(s.admit(&e), Err(TrustError::NotAnAncestor { .. })));
    let e = w.revoke(&county, &stranger, "654203", t(36));
    assert!(matches!(
        s.admit(&e),
        Err(TrustError::UnknownSubject { .. })
    ));

    // Trust entries are never drills.
    let cert = Certificate {
        subject: village.node_id(),
        name: "西戈壁村".into(),
        level: Level::Village,
        region: rc("654203106201"),
        unit_type: UnitType::Command,
        roles: Vec::new(),
        can_certify: false,
        cooperates: Vec::new(),
        valid_from_ms: 0,
        valid_until_ms: None,
    };
    let e = w.entry_with(
        &county,
        t(37),
        "654203106201",
        Status::Exercise,
        Body::Certificate(cert),
    );
    assert_eq!(s.admit(&e), Err(TrustError::NotActual(Status::Exercise)));

    // Outside the validity window.
    let short = key(25);
    let c = w.cert_with(
        &county,
        &short,
        "654203106202",
        UnitType::Command,
        false,
        t(40),
        Some(t(50)),
    );
    accept(&mut s, &c);
    let e = w.note(&short, t(60), "654203106202");
    assert!(matches!(
        s.admit(&e),
        Err(TrustError::OutsideValidity { .. })
    ));

    // A certificate whose issuer was no post: stored anyway (say, by an
    // older node), it makes nobody a post.
    let orphan = key(26);
    let e = w.cert(&stranger, &orphan, "654203106203", t(40));
    s.insert(&e).expect("recorded");
    let e = w.note(&orphan, t(50), "654203106203");
    let err = s.admit(&e).expect_err("refused");
    assert!(
        matches!(&err, TrustError::IssuerInvalid { reason, .. }
            if matches!(**reason, TrustError::NotCertified { .. })),
        "{err:?}"
    );
    assert!(err.awaits_certificates());

    // Evidence whose second entry's signature is forged.
    let a = w.note(&county, t(70), "654203");
    let mut forged = a.wire().to_vec();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    let e = w.entry(
        &county,
        t(71),
        "00",
        Body::Equivocation(Equivocation::new(a.wire().to_vec(), forged)),
    );
    assert!(matches!(s.admit(&e), Err(TrustError::BadEvidence(_))));
}

#[test]
fn revocation_voids_later_entries_whenever_it_arrives() {
    let mut w = World::new();
    let root = Keypair::from_secret([1; 32]);
    let (county, village, late_village) = (key(30), key(31), key(32));
    let cert = w.cert(&root, &county, "654203", t(10));
    let village_cert = w.cert_with(
        &county,
        &village,
        "654203106201",
        UnitType::Command,
        false,
        t(15),
        None,
    );
    let before = w.note(&county, t(20), "654203");
    let revocation = w.revoke(&root, &county, "654203", t(30));
    let after = w.note(&county, t(40), "654203");
    let late_cert = w.cert_with(
        &county,
        &late_village,
        "654203106202",
        UnitType::Command,
        false,
        t(45),
        None,
    );

    // Revocation first: the later entry is refused on arrival.
    let mut s = w.state();
    for e in [&cert, &village_cert, &revocation] {
        accept(&mut s, e);
    }
    assert_eq!(s.admit(&before).map(|_| ()), Ok(()));
    assert_eq!(
        s.admit(&after),
        Err(TrustError::Revoked {
            node: county.node_id(),
            at: t(30),
            by: root.node_id()
        })
    );
    // What the county certified while valid stays; what it certified after
    // its revocation does not.
    assert!(s.post_at(&village.node_id(), t(50)).is_some());
    assert!(matches!(
        s.admit(&late_cert),
        Err(TrustError::Revoked { .. })
    ));

    // After a partition: the entry was stored first, the revocation came
    // later. The entry is now invalid here too.
    let mut s = w.state();
    for e in [&cert, &village_cert, &before, &after] {
        accept(&mut s, e);
    }
    accept(&mut s, &revocation);
    assert!(matches!(s.admit(&after), Err(TrustError::Revoked { .. })));
    assert_eq!(s.admit(&before).map(|_| ()), Ok(()));
    assert_eq!(s.revoked(&county.node_id()).map(|r| r.at), Some(t(30)));
    // A new certificate does not revive a revoked key.
    let again = w.cert(&root, &county, "654203", t(50));
    s.insert(&again).expect("recorded");
    assert!(s.post_at(&county.node_id(), t(60)).is_none());
}

/// A province revokes a county; the county had revoked a township of its
/// own. The township's revocation counts only if the county wrote it
/// before its own revocation.
#[test]
fn an_ancestor_revocation_voids_the_revokers_later_revocations() {
    for (county_revokes_at, township_revoked) in [(150, false), (50, true)] {
        let mut w = World::new();
        let root = Keypair::from_secret([1; 32]);
        let (province, county, township) = (key(40), key(41), key(42));
        let entries = [
            w.cert(&root, &province, "65", t(1)),
            w.cert(&province, &county, "654203", t(2)),
            w.cert(&county, &township, "654203106", t(3)),
            w.revoke(&province, &county, "654203", t(100)),
            w.revoke(&county, &township, "654203106", t(county_revokes_at)),
        ];
        for order in [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 4, 0, 3, 1]] {
            let mut s = w.state();
            for i in order {
                s.insert(&entries[i]).expect("recorded");
            }
            assert_eq!(
                s.post_at(&township.node_id(), t(200)).is_none(),
                township_revoked,
                "county revoked at {county_revokes_at}, order {order:?}"
            );
            assert!(s.post_at(&county.node_id(), t(200)).is_none());
            let counted: Vec<bool> = {
                let mut r: Vec<_> = s.revocations().map(|(r, c)| (r.hlc, c)).collect();
                r.sort();
                r.into_iter().map(|(_, c)| c).collect()
            };
            assert_eq!(
                counted.iter().filter(|c| **c).count(),
                1 + township_revoked as usize
            );
        }
    }
}

/// Two keys that each sit in the other's chain (possible only with
/// certificates at two levels) revoke each other.
#[test]
fn mutual_revocation_is_decided_the_same_everywhere() {
    for (a_at, b_at, a_revoked, b_revoked) in [(20, 10, true, true), (10, 20, false, true)] {
        let mut w = World::new();
        let root = Keypair::from_secret([1; 32]);
        let (a, b) = (key(50), key(51));
        let entries = [
            w.cert(&root, &a, "65", t(1)),
            w.cert(&a, &b, "6542", t(2)),
            w.cert(&b, &a, "654203", t(3)),
            // A (a province) revokes B at a_at; B revokes A at b_at.
            w.revoke(&a, &b, "6542", t(a_at)),
            w.revoke(&b, &a, "654203", t(b_at)),
        ];
        let mut results = Vec::new();
        for order in [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [3, 0, 4, 2, 1]] {
            let mut s = w.state();
            for i in order {
                s.insert(&entries[i]).expect("recorded");
            }
            results.push((
                s.post_at(&a.node_id(), t(100)).is_none(),
                s.post_at(&b.node_id(), t(100)).is_none(),
            ));
        }
        assert!(
            results.iter().all(|r| *r == (a_revoked, b_revoked)),
            "{results:?}"
        );
    }
}

#[test]
fn equivocation_quarantines_the_key() {
    let mut w = World::new();
    let root = Keypair::from_secret([1; 32]);
    let (county, village) = (key(60), key(61));
    let mut s = w.state();
    let c = w.cert(&root, &county, "654203", t(1));
    accept(&mut s, &c);
    let c = w.cert_with(
        &county,
        &village,
        "654203106201",
        UnitType::Command,
        false,
        t(2),
        None,
    );
    accept(&mut s, &c);
    let first = w.note(&county, t(10), "654203");
    // The same seq again, different content: rewind the county's head.
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
    assert_eq!(first.seq(), second.seq());
    // A village (not national) may still scope evidence to the whole country.
    let evidence = w.entry(
        &village,
        t(20),
        "00",
        Body::Equivocation(Equivocation::new(
            first.wire().to_vec(),
            second.wire().to_vec(),
        )),
    );
    accept(&mut s, &evidence);
    let q = s.quarantine_of(&county.node_id()).expect("quarantined");
    assert_eq!((q.since, q.from_seq), (t(10), first.seq()));
    assert!(s.post_at(&county.node_id(), t(9)).is_some());
    assert!(s.post_at(&county.node_id(), t(10)).is_none());
    // Any later seq is refused, even one claiming an earlier time.
    let sneaky = w.note(&county, t(5), "654203");
    assert!(matches!(
        s.admit(&sneaky),
        Err(TrustError::Quarantined { .. })
    ));
    // A fork this post observed itself has the same effect.
    let mut s2 = w.state();
    let c = w.cert(&root, &county, "654203", t(1));
    accept(&mut s2, &c);
    s2.observe_fork(&first, &second).expect("fork");
    assert!(s2.post_at(&county.node_id(), t(11)).is_none());
    assert!(s2.has_fork(&county.node_id(), first.seq()));
}

/// The entries of a small network with revocations at the given times.
fn scenario(times: &[u64; 5]) -> (World, Vec<SignedEntry>, Vec<NodeId>) {
    let mut w = World::new();
    let root = Keypair::from_secret([1; 32]);
    let (province, county, town, village, fire) = (key(70), key(71), key(72), key(73), key(74));
    let entries = vec![
        w.cert(&root, &province, "65", t(1)),
        w.cert(&province, &county, "654203", t(2)),
        w.cert(&county, &town, "654203106", t(3)),
        w.cert_with(
            &town,
            &village,
            "654203106201",
            UnitType::Command,
            false,
            t(4),
            None,
        ),
        w.cert_with(&county, &fire, "654203", UnitType::Fire, false, t(5), None),
        w.revoke(&root, &province, "65", t(times[0])),
        w.revoke(&province, &county, "654203", t(times[1])),
        w.revoke(&county, &town, "654203106", t(times[2])),
        w.revoke(&town, &village, "654203106201", t(times[3])),
        w.revoke(&county, &fire, "654203", t(times[4])),
        // The county re-certifies the village directly.
        w.cert_with(
            &county,
            &village,
            "654203106201",
            UnitType::Command,
            false,
            t(times[2] / 2 + 5),
            None,
        ),
    ];
    let keys = [&province, &county, &town, &village, &fire]
        .iter()
        .map(|k| k.node_id())
        .collect();
    (w, entries, keys)
}

/// Everything a view could ask, as comparable data.
fn fingerprint(s: &TrustState, keys: &[NodeId]) -> Vec<String> {
    let mut out = Vec::new();
    for k in keys {
        for ms in (0..120).step_by(3) {
            out.push(match s.resolve(k, t(ms)) {
                Ok(p) => format!("{ms}:{}", p.region),
                Err(e) => format!("{ms}:{}", e.label()),
            });
        }
        out.push(format!("{:?}", s.revoked(k)));
    }
    let mut counted: Vec<String> = s
        .revocations()
        .map(|(r, c)| format!("{}:{c}", r.id))
        .collect();
    counted.sort();
    out.extend(counted);
    out
}

proptest! {
    #[test]
    fn any_arrival_order_gives_the_same_state(
        times in prop::array::uniform5(6u64..110),
        order in Just((0..11).collect::<Vec<usize>>()).prop_shuffle(),
    ) {
        let (w, entries, keys) = scenario(&times);
        let (canonical, unreadable) = TrustState::from_entries(w.genesis.clone(), &entries);
        prop_assert!(unreadable.is_empty());
        let mut shuffled = w.state();
        for i in order {
            shuffled.insert(&entries[i]).expect("recorded");
        }
        prop_assert_eq!(fingerprint(&canonical, &keys), fingerprint(&shuffled, &keys));
    }
}

proptest! {
    /// `TrustDirectory` works each post out once and answers from that:
    /// for every post and time, the answer is `resolve`'s. The network has
    /// revocations at any times, a re-certification, a certificate that
    /// expires, a quarantined key, the root and a key nobody certified.
    #[test]
    fn the_directory_answers_as_the_state_resolves(
        times in prop::array::uniform5(6u64..110),
        window in (6u64..60, 60u64..120),
        fork_at in 6u64..118,
    ) {
        let (mut w, mut entries, mut keys) = scenario(&times);
        let (county, town, weather) = (key(71), key(72), key(75));
        entries.push(w.cert_with(
            &county,
            &weather,
            "654203",
            UnitType::Weather,
            false,
            t(window.0),
            Some(t(window.1)),
        ));
        keys.extend([weather.node_id(), w.root.node_id(), key(99).node_id()]);
        let (mut state, unreadable) = TrustState::from_entries(w.genesis.clone(), &entries);
        prop_assert!(unreadable.is_empty());
        let first = w.note(&town, t(fork_at), "654203106");
        w.heads.insert(town.node_id(), (first.seq() - 1, first.header().prev));
        let second = w.entry(
            &town,
            t(fork_at + 1),
            "654203106",
            Body::Note(Note { text: "另一个版本".into() }),
        );
        state.observe_fork(&first, &second).expect("fork");

        let directory = TrustDirectory::new(state.clone());
        let mut answered = 0;
        for k in &keys {
            for ms in 0..121 {
                let expected = state.resolve(k, t(ms)).ok();
                answered += usize::from(expected.is_some());
                prop_assert_eq!(directory.post_at(k, t(ms)).map(|p| (*p).clone()), expected);
            }
        }
        prop_assert!(answered > 0, "some posts were posts at some times");
    }
}
