//! Hostile peers, trust: an uncertified key, a peer that never says hello,
//! a village claiming a level-one response, a revoked key, an equivocating
//! chain (and honest relays of its forks). The scene and the assertions are
//! described in `tests/src/hostile.rs`.

use liandong_tests::hostile::*;

// 5. ───────────────────────────────────────────────────────────────────────

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uncertified_key_is_refused_at_hello_and_its_entries_never_stored() {
    let s = Scene::new().await;
    let county = s.county.peer_id();
    let mut a = Attacker::spawn(random_keypair(), s.network(), scope(VILLAGE));
    a.connect(s.county.listen_addrs()[0].clone(), county).await;

    // Before any hello: no sync, no push.
    let reconcile = a
        .request(
            county,
            Request::Reconcile {
                session: 1,
                interest: Interest::everything(),
                message: Vec::new(),
                frame_limit: 65536,
            },
        )
        .await;
    assert!(
        matches!(
            reconcile,
            Ok(Response::Refused {
                reason: RefusalReason::Unavailable,
                ..
            })
        ),
        "{reconcile:?}"
    );
    let own: Vec<Vec<u8>> = (0..10)
        .map(|i| a.next_note(&format!("未认证 {i}")).wire().to_vec())
        .collect();
    let push = a
        .request(
            county,
            Request::Push {
                entries: own.clone(),
            },
        )
        .await;
    assert!(matches!(push, Ok(Response::Refused { .. })), "{push:?}");
    // Its own, well-signed entries by gossip: not stored.
    a.join_topic(&scope(COUNTY), county).await;
    let sent = a.publish(&scope(VILLAGE), own.clone()).await;
    assert_eq!(sent.sent, own.len(), "{sent:?}");

    // Its hello, without a chain: refused, banned, disconnected.
    let hello = a.say_hello(county, None).await;
    assert!(
        matches!(
            hello,
            Err(Response::Refused {
                reason: RefusalReason::Unauthorised,
                ..
            })
        ),
        "{hello:?}"
    );
    a.wait_disconnected(&county).await;
    assert!(is_banned(&s.county, &a.peer_id).await);
    wait_until("the post forgot the refused peer", DEADLINE, || async {
        !s.county.known_peers().contains(&a.peer_id)
    })
    .await;

    // Another uncertified key with a chain it made up (the first attacker
    // "certifies" it, and it certifies itself): refused at the township.
    let mut b = Attacker::spawn(random_keypair(), s.network(), scope(VILLAGE));
    let fake_cert = |issuer: &mut Attacker, subject: &Keypair| {
        issuer
            .next_at(
                scope(VILLAGE),
                Body::Certificate(Certificate {
                    subject: subject.node_id(),
                    name: "假冒村委会".into(),
                    level: scope(VILLAGE).level(),
                    region: scope(VILLAGE),
                    unit_type: UnitType::Command,
                    roles: Vec::new(),
                    can_certify: false,
                    cooperates: Vec::new(),
                    valid_from_ms: 0,
                    valid_until_ms: None,
                }),
                now_ms(),
            )
            .wire()
            .to_vec()
    };
    let b_key = Keypair::from_secret(b.key.secret_bytes());
    let by_a = fake_cert(&mut a, &b_key);
    let by_self = fake_cert(&mut b, &b_key);
    b.connect(s.township.listen_addrs()[0].clone(), s.township.peer_id())
        .await;
    let hello = b
        .say_hello(
            s.township.peer_id(),
            Some(vec![by_a.clone(), by_self.clone()]),
        )
        .await;
    assert!(matches!(hello, Err(Response::Refused { .. })), "{hello:?}");
    b.wait_disconnected(&s.township.peer_id()).await;
    assert!(is_banned(&s.township, &b.peer_id).await);

    s.honest_traffic_still_flows(&[]).await;
    let mut all = own;
    all.push(by_a);
    all.push(by_self);
    holds_none(&s.county, &all).await;
    holds_none(&s.township, &all).await;
    nothing_by(&s.county, &a).await;
    nothing_by(&s.township, &b).await;
    s.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_never_says_hello_is_dropped() {
    let s = Scene::new().await;
    let county = s.county.peer_id();
    let mut a = Attacker::spawn(random_keypair(), s.network(), scope(VILLAGE));
    a.connect(s.county.listen_addrs()[0].clone(), county).await;
    a.join_topic(&scope(COUNTY), county).await;
    // It gossips its own uncertified entries (ignored, not penalised by
    // gossip scores: certificates may be on their way) and never says
    // hello: the post must not keep it in the mesh for ever.
    let own: Vec<Vec<u8>> = (0..20)
        .map(|i| a.next_note(&format!("不打招呼 {i}")).wire().to_vec())
        .collect();
    let sent = a.publish(&scope(VILLAGE), own.clone()).await;
    assert_eq!(sent.sent, own.len(), "{sent:?}");
    a.wait_disconnected(&county).await;
    assert!(is_banned(&s.county, &a.peer_id).await);
    s.honest_traffic_still_flows(&[]).await;
    holds_none(&s.county, &own).await;
    holds_none(&s.township, &own).await;
    s.shutdown().await;
}

// 6. ───────────────────────────────────────────────────────────────────────

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_village_claiming_a_level_one_response_is_refused() {
    let s = Scene::new().await;
    let mut a = s.insider().await;
    let village = a.key.node_id();

    // The rule engine, with the village as the county's trust state knows
    // it: a level Ⅰ response is the national post's alone, anywhere.
    let (post, policy) = s
        .county
        .ledger()
        .read(move |l| {
            (
                l.current_post(&village),
                l.genesis().map(|g| g.genesis().policy.clone()),
            )
        })
        .await
        .expect("ledger");
    let post = post.expect("the village is a certified post");
    let policy = policy.expect("a network");
    for (level, region) in [
        (ResponseLevel::I, RegionCode::national()),
        (ResponseLevel::I, scope(VILLAGE)),
        (ResponseLevel::IV, scope(VILLAGE)),
    ] {
        let verdict = policy.check(
            &post,
            &Action::Respond {
                level,
                region: &region,
            },
        );
        assert!(
            matches!(
                verdict,
                Err(AuthorityError::ResponseLevelTooHigh { .. }
                    | AuthorityError::ScopeOutsideArea { .. })
            ),
            "a village deciding a level {level} response in {region}: {verdict:?}"
        );
    }

    // On the wire (this branch has no response-decision entry kind yet):
    // the village speaks for areas above and beside its own. Its own
    // report is fine and stored.
    let fair = a.next_note("西戈壁村：河水漫堤");
    let sent = a.publish(&scope(VILLAGE), vec![fair.wire().to_vec()]).await;
    assert_eq!(sent.sent, 1);
    wait_until("the village's own report is stored", DEADLINE, || {
        has(&s.county, &fair)
    })
    .await;
    let mut overreach = Vec::new();
    for target in [
        RegionCode::national(),
        scope(PROVINCE),
        scope(COUNTY),
        scope(SIBLING_VILLAGE),
    ] {
        a.join_topic(&home_region(&target), s.county.peer_id())
            .await;
        for i in 0..POOL / 4 {
            let e = a.next_at(
                target.clone(),
                note_body(&format!("启动Ⅰ级应急响应（{target} 第 {i} 条）")),
                now_ms(),
            );
            overreach.push((home_region(&target), e.wire().to_vec()));
        }
    }
    // Interleaved: each batch claims several areas at once.
    let mut pool = overreach.clone();
    pool.sort_by_key(|(_, w)| EntryId::of_wire_bytes(w));
    s.send_until_banned(&a, &s.county, &pool).await;
    let wires: Vec<Vec<u8>> = overreach.into_iter().map(|(_, w)| w).collect();
    holds_none(&s.county, &wires).await;
    holds_none(&s.township, &wires).await;
    let by = stored_by(&s.county, village).await;
    assert_eq!(by.len(), 1, "only its own report: {by:?}");
    s.honest_traffic_still_flows(&[]).await;
    s.shutdown().await;
}

// 7. ───────────────────────────────────────────────────────────────────────

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_key_is_refused() {
    let s = Scene::new().await;
    let mut a = s.insider().await;
    let village = a.key.node_id();

    // Before the revocation: a fair report, stored everywhere.
    let before = a.next_note("吊销前的报告");
    a.publish(&scope(VILLAGE), vec![before.wire().to_vec()])
        .await;
    for post in [&s.county, &s.township] {
        wait_until("the fair report is stored", DEADLINE, || has(post, &before)).await;
    }

    // The county revokes the village's key (as `liandong cert revoke`).
    let own = s.county.node_id();
    let revoke_scope = s
        .county
        .ledger()
        .read(move |l| l.with_trust(|t| t.may_revoke(&own, &village)))
        .await
        .expect("ledger")
        .expect("a network")
        .expect("the county may revoke the village");
    let revocation = s
        .county
        .author(
            revoke_scope,
            Status::Actual,
            Body::Revocation(Revocation {
                subject: village,
                reason: "密钥失控 / key compromised".into(),
            }),
        )
        .await
        .expect("revoke");
    wait_until("the township holds the revocation", DEADLINE, || {
        has(&s.township, &revocation)
    })
    .await;

    // After it: everything the key signs is refused, and it is banned.
    let after: Vec<Vec<u8>> = (0..POOL)
        .map(|i| a.next_note(&format!("吊销后的报告 {i}")).wire().to_vec())
        .collect();
    let pool: Vec<(RegionCode, Vec<u8>)> =
        after.iter().map(|w| (scope(VILLAGE), w.clone())).collect();
    s.send_until_banned(&a, &s.county, &pool).await;

    // Nor does its certificate chain open the township's door any more.
    a.connect(s.township.listen_addrs()[0].clone(), s.township.peer_id())
        .await;
    let hello = a
        .say_hello(s.township.peer_id(), Some(s.cast.village_chain.clone()))
        .await;
    assert!(
        matches!(
            hello,
            Err(Response::Refused {
                reason: RefusalReason::Unauthorised,
                ..
            })
        ),
        "{hello:?}"
    );
    a.wait_disconnected(&s.township.peer_id()).await;

    holds_none(&s.county, &after).await;
    holds_none(&s.township, &after).await;
    for post in [&s.county, &s.township] {
        let by = stored_by(post, village).await;
        assert_eq!(by, vec![before.clone()], "only the report from before");
    }
    s.honest_traffic_still_flows(&[]).await;
    s.shutdown().await;
}

// 8. ───────────────────────────────────────────────────────────────────────

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_equivocating_chain_is_kept_as_evidence_and_the_key_quarantined() {
    let s = Scene::new().await;
    let a = s.insider().await;
    let village = a.key.node_id();

    // Two different entries at seq 1.
    let t = now_ms();
    let first = a.sign_raw(
        s.network(),
        1,
        None,
        Hlc::new(t, 0),
        scope(VILLAGE),
        note_body("水位 2.1 米"),
    );
    let second = a.sign_raw(
        s.network(),
        1,
        None,
        Hlc::new(t + 1, 0),
        scope(VILLAGE),
        note_body("水位正常，无需转移"),
    );
    a.publish(&scope(VILLAGE), vec![first.wire().to_vec()])
        .await;
    wait_until("the first version is stored", DEADLINE, || {
        has(&s.county, &first)
    })
    .await;
    a.publish(&scope(VILLAGE), vec![second.wire().to_vec()])
        .await;

    // The county, which saw both, keeps both as entries; both honest posts
    // hold the county's evidence (which carries both versions whole) and
    // quarantine the key. (The township may also hold the versions as
    // entries, depending on whether they or the evidence came first.)
    let county_id = s.county.node_id();
    wait_until("both versions kept", DEADLINE, || async {
        has(&s.county, &first).await && has(&s.county, &second).await
    })
    .await;
    for post in [&s.county, &s.township] {
        wait_until("the county's evidence arrived", DEADLINE, || async {
            stored_by(post, county_id)
                .await
                .iter()
                .any(|e| e.kind() == Kind::EQUIVOCATION)
        })
        .await;
        wait_until("the key is quarantined", DEADLINE, || async {
            post.ledger()
                .read(move |l| l.with_trust(|t| t.quarantine_of(&village)).flatten())
                .await
                .expect("ledger")
                .is_some_and(|q| q.from_seq == 1)
        })
        .await;
    }
    let evidence = stored_by(&s.township, county_id)
        .await
        .into_iter()
        .find(|e| e.kind() == Kind::EQUIVOCATION)
        .expect("evidence");
    match evidence.body().expect("body") {
        Body::Equivocation(e) => {
            let mut pair = [e.first, e.second];
            pair.sort();
            let mut expected = [first.wire().to_vec(), second.wire().to_vec()];
            expected.sort();
            assert_eq!(pair, expected, "the evidence carries both versions");
        }
        other => panic!("not evidence: {other:?}"),
    }
    assert_eq!(evidence.header().scope, RegionCode::national());

    // Whatever the key signs next is refused; the sender is banned.
    let later: Vec<Vec<u8>> = (2..2 + POOL as u64)
        .map(|seq| {
            a.sign_raw(
                s.network(),
                seq,
                Some(first.id()),
                Hlc::new(now_ms(), 0),
                scope(VILLAGE),
                note_body(&format!("继续 {seq}")),
            )
            .wire()
            .to_vec()
        })
        .collect();
    let pool: Vec<(RegionCode, Vec<u8>)> =
        later.iter().map(|w| (scope(VILLAGE), w.clone())).collect();
    s.send_until_banned(&a, &s.county, &pool).await;
    holds_none(&s.county, &later).await;
    holds_none(&s.township, &later).await;

    // And its certificate chain no longer admits it anywhere.
    a.connect(s.township.listen_addrs()[0].clone(), s.township.peer_id())
        .await;
    let hello = a
        .say_hello(s.township.peer_id(), Some(s.cast.village_chain.clone()))
        .await;
    assert!(matches!(hello, Err(Response::Refused { .. })), "{hello:?}");
    a.wait_disconnected(&s.township.peer_id()).await;

    s.honest_traffic_still_flows(&[first.id(), second.id()])
        .await;
    // The county relayed a fork before anyone knew of it: the township
    // must not count that against it.
    assert!(!is_banned(&s.township, &s.county.peer_id()).await);
    s.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn honest_relays_of_forks_are_not_punished() {
    // Four certified villages equivocate at once through the county. The
    // county accepts and relays each first sighting, then learns of the
    // fork; its evidence may reach the township before a relayed version
    // does. The township must refuse those late versions without blaming
    // the county that relayed them in good faith.
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let cast = Cast::with_insiders(tmp.path(), 4);
    let county = start(&cast.county).await;
    let township = start(&cast.township).await;
    connect(&township, &county).await;
    wait_mesh(&county, 1).await;
    wait_mesh(&township, 1).await;
    let network = cast.net.network();

    let mut attackers = Vec::new();
    for (key, chain) in &cast.more_insiders {
        let a = Attacker::spawn(
            Keypair::from_secret(key.secret_bytes()),
            network,
            scope(VILLAGE),
        );
        a.connect(county.listen_addrs()[0].clone(), county.peer_id())
            .await;
        a.say_hello(county.peer_id(), Some(chain.clone()))
            .await
            .unwrap_or_else(|r| panic!("hello refused: {r:?}"));
        a.join_topic(&scope(COUNTY), county.peer_id()).await;
        attackers.push(a);
    }
    let mut pairs = Vec::new();
    for a in &attackers {
        let t = now_ms();
        let region = chain_region(&cast, a);
        let one = a.sign_raw(
            network,
            1,
            None,
            Hlc::new(t, 0),
            region.clone(),
            note_body("一"),
        );
        let two = a.sign_raw(
            network,
            1,
            None,
            Hlc::new(t, 1),
            region.clone(),
            note_body("二"),
        );
        pairs.push((a, region, one, two));
    }
    for (a, region, one, _) in &pairs {
        a.publish(region, vec![one.wire().to_vec()]).await;
    }
    for (a, region, _, two) in &pairs {
        a.publish(region, vec![two.wire().to_vec()]).await;
    }
    for (a, ..) in &pairs {
        let node = a.key.node_id();
        for post in [&county, &township] {
            wait_until("the key is quarantined", DEADLINE, || async {
                post.ledger()
                    .read(move |l| l.with_trust(|t| t.quarantine_of(&node)).flatten())
                    .await
                    .expect("ledger")
                    .is_some()
            })
            .await;
        }
    }
    let down = delivery_time(&county, &township, "分叉之后：县").await;
    let up = delivery_time(&township, &county, "分叉之后：镇").await;
    eprintln!("after four forks: county→township {down:?}, township→county {up:?}");
    // Scores are read once a second: wait until both posts have read them
    // twice since, so a ban for the relayed forks would have happened.
    let rounds = |post: NodeHandle| async move {
        post.network()
            .info()
            .await
            .map(|i| i.policing_rounds)
            .unwrap_or_default()
    };
    let (county_at, township_at) = (rounds(county.clone()).await, rounds(township.clone()).await);
    wait_until(
        "both posts read gossip scores twice more",
        DEADLINE,
        || async {
            rounds(county.clone()).await >= county_at + 2
                && rounds(township.clone()).await >= township_at + 2
        },
    )
    .await;
    assert!(
        !is_banned(&township, &county.peer_id()).await,
        "the township banned the honest county for relaying forks"
    );
    assert!(!is_banned(&county, &township.peer_id()).await);
    assert!(township.known_peers().contains(&county.peer_id()));
    delivery_time(&county, &township, "仍然连通").await;
    county.shutdown().await;
    township.shutdown().await;
}

/// The region of an extra insider's certificate.
fn chain_region(cast: &Cast, a: &Attacker) -> RegionCode {
    let (_, chain) = cast
        .more_insiders
        .iter()
        .find(|(k, _)| k.node_id() == a.key.node_id())
        .expect("an insider");
    let cert = SignedEntry::decode_stored(&chain[1]).expect("certificate");
    match cert.body().expect("body") {
        Body::Certificate(c) => c.region,
        other => panic!("not a certificate: {other:?}"),
    }
}
