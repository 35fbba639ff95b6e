//! Hostile peers, bytes: forged signatures, replays, oversized and
//! undecodable frames, entries for another network, entries from the far
//! future. The scene and the assertions are described in `tests/src/hostile.rs`.

use liandong_tests::hostile::*;

// 1. ───────────────────────────────────────────────────────────────────────

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_signatures_are_rejected_and_the_forger_banned() {
    let s = Scene::new().await;
    let mut a = s.insider().await;
    let county_id = s.county.node_id();
    let county_before = stored_by(&s.county, county_id).await.len();

    let mut forged = Vec::new();
    for i in 0..POOL / 2 {
        // A bit flipped in an otherwise valid entry's signature.
        let e = a.next_note(&format!("伪造签名 {i}"));
        forged.push(flip_signature_bit(&e, i * 67 + 3));
        // The county named as author, signed by the attacker's key.
        let e = a.next_note(&format!("冒充县指挥部 {i}"));
        forged.push(claim_authorship(&e, &a.key, &county_id));
    }
    // By push first: refused, counted.
    match a
        .request(
            s.county.peer_id(),
            Request::Push {
                entries: forged[..4].to_vec(),
            },
        )
        .await
    {
        Ok(Response::Pushed { added, rejected }) => {
            assert_eq!((added, rejected), (0, 4));
        }
        other => panic!("unexpected answer to a forged push: {other:?}"),
    }
    // Then by gossip.
    let pool: Vec<(RegionCode, Vec<u8>)> =
        forged.iter().map(|w| (scope(VILLAGE), w.clone())).collect();
    s.send_until_banned(&a, &s.county, &pool).await;
    holds_none(&s.county, &forged).await;
    holds_none(&s.township, &forged).await;
    nothing_by(&s.county, &a).await;
    assert_eq!(
        stored_by(&s.county, county_id).await.len(),
        county_before,
        "nothing new in the county's name"
    );
    s.honest_traffic_still_flows(&[]).await;
    s.shutdown().await;
}

// 2. ───────────────────────────────────────────────────────────────────────

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_entries_are_ignored_and_stored_once() {
    let s = Scene::new().await;
    // Some honest history to replay.
    for k in 0..3 {
        delivery_time(&s.county, &s.township, &format!("县第 {k} 条")).await;
        delivery_time(&s.township, &s.county, &format!("镇第 {k} 条")).await;
    }
    let a = s.insider().await;
    let before_county = stored(&s.county).await;
    let before_township = stored(&s.township).await;
    let digest_county = digest(&s.county, "00").await;
    let digest_township = digest(&s.township, "00").await;

    // Everything the township holds, replayed to the county on every topic
    // it belongs to, and pushed three times over.
    let old: Vec<SignedEntry> = before_township.clone();
    let mut topics: Vec<RegionCode> = old.iter().map(|e| home_region(&e.header().scope)).collect();
    topics.sort();
    topics.dedup();
    for t in &topics {
        a.join_topic(t, s.county.peer_id()).await;
    }
    for t in &topics {
        let msgs: Vec<Vec<u8>> = old
            .iter()
            .filter(|e| home_region(&e.header().scope) == *t)
            .map(|e| e.wire().to_vec())
            .collect();
        let sent = a.publish(t, msgs).await;
        assert_eq!(sent.failed, 0, "{sent:?}");
    }
    for _ in 0..3 {
        match a
            .request(
                s.county.peer_id(),
                Request::Push {
                    entries: old.iter().map(|e| e.wire().to_vec()).collect(),
                },
            )
            .await
        {
            Ok(Response::Pushed { added, .. }) => assert_eq!(added, 0, "a replay adds nothing"),
            other => panic!("unexpected answer to a replayed push: {other:?}"),
        }
    }

    // Honest traffic after the replays: once it has arrived, the replays
    // queued before it on the same connection have been handled.
    s.honest_traffic_still_flows(&[]).await;
    let after_county = stored(&s.county).await;
    let after_township = stored(&s.township).await;
    assert_eq!(
        after_county.len(),
        before_county.len() + 2,
        "only the two new notes"
    );
    assert_eq!(after_township.len(), before_township.len() + 2);
    for e in &old {
        let (author, seq) = (e.author(), e.seq());
        let ids = s
            .county
            .ledger()
            .read(move |l| l.store().ids_at(&author, seq).expect("ids"))
            .await
            .expect("ledger");
        assert_eq!(ids, vec![e.id()], "stored exactly once, no fork");
    }
    assert_ne!(
        digest(&s.county, "00").await,
        digest_county,
        "the new notes count"
    );
    assert_ne!(digest(&s.township, "00").await, digest_township);
    // A replay of valid entries is what a slow relay sends too: it is
    // ignored, not punished (gossipsub gives it no credit either).
    assert!(!is_banned(&s.county, &a.peer_id).await);
    assert!(a.is_connected(&s.county.peer_id()));
    s.shutdown().await;
}

// 3. ───────────────────────────────────────────────────────────────────────

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_undecodable_gossip_is_dropped_and_the_sender_banned() {
    let s = Scene::with_insiders(1).await;
    let village = scope(VILLAGE);

    // Above the gossip transmit limit (256 KiB), from another admitted
    // insider: the post's gossipsub refuses the frame before any of it
    // reaches the node (and drops that stream; the sender's gossip on it
    // stalls, which is the sender's problem).
    let (key, chain) = &s.cast.more_insiders[0];
    let mut big_sender = Attacker::spawn(
        Keypair::from_secret(key.secret_bytes()),
        s.network(),
        scope(VILLAGE),
    );
    big_sender
        .connect(s.county.listen_addrs()[0].clone(), s.county.peer_id())
        .await;
    big_sender
        .say_hello(s.county.peer_id(), Some(chain.clone()))
        .await
        .unwrap_or_else(|r| panic!("hello refused: {r:?}"));
    big_sender
        .join_topic(&scope(COUNTY), s.county.peer_id())
        .await;
    let huge = big_sender.next_note(&"洪".repeat(100_000));
    assert!(huge.wire().len() > liandong_node::net::behaviour::MAX_GOSSIP_BYTES);
    let sent = big_sender
        .publish(&village, vec![huge.wire().to_vec()])
        .await;
    assert_eq!(sent.sent, 1, "{sent:?}");

    let mut a = s.insider().await;
    // Within the transmit limit, above the entry limit (64 KiB): rejected.
    let big = a.next_note(&"水".repeat(30_000));
    assert!(big.wire().len() > liandong_protocol::Limits::DEFAULT_MAX_ENTRY_BYTES);
    // Undecodable bytes: garbage, a right version byte then garbage, empty.
    let mut junk = vec![big.wire().to_vec()];
    for i in 0..POOL / 2 {
        let b = (i % 256) as u8;
        junk.push(vec![0xa5 ^ b; 200 + i]);
        let mut v = vec![1u8];
        v.extend(std::iter::repeat_n(0xff - b, 120 + i));
        junk.push(v);
    }
    junk.insert(1, Vec::new());
    let pool: Vec<(RegionCode, Vec<u8>)> =
        junk.iter().map(|w| (village.clone(), w.clone())).collect();
    s.send_until_banned(&a, &s.county, &pool).await;
    junk.push(huge.wire().to_vec());
    holds_none(&s.county, &junk).await;
    holds_none(&s.township, &junk).await;
    nothing_by(&s.county, &a).await;
    nothing_by(&s.county, &big_sender).await;
    s.honest_traffic_still_flows(&[]).await;
    s.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_request_frames_are_refused_and_the_sender_banned() {
    let s = Scene::new().await;
    let a = s.insider().await;
    let county = s.county.peer_id();

    // A well-formed request still works: the insider is admitted.
    let known = stored(&s.county).await[0].id();
    match a
        .request(
            county,
            Request::Fetch {
                prefixes: vec![known.prefix()],
                max_bytes: 1 << 20,
            },
        )
        .await
    {
        Ok(Response::Entries { entries }) => assert_eq!(entries.len(), 1),
        other => panic!("a fair fetch failed: {other:?}"),
    }

    let garbage_frame = |n: u8| {
        let mut f = 64u32.to_be_bytes().to_vec();
        f.extend(std::iter::repeat_n(0xf0 | (n & 0x0f), 64));
        f
    };
    let hostile: Vec<(&str, Vec<u8>)> = vec![
        ("length prefix u32::MAX", u32::MAX.to_be_bytes().to_vec()),
        ("length prefix 5 MiB (limit 4 MiB)", {
            let mut f = (5u32 * 1024 * 1024).to_be_bytes().to_vec();
            f.extend([0u8; 16]);
            f
        }),
        ("length prefix 3 MiB, 10 bytes sent", {
            let mut f = (3u32 * 1024 * 1024).to_be_bytes().to_vec();
            f.extend([7u8; 10]);
            f
        }),
        ("undecodable frame", garbage_frame(0)),
        (
            "fetch over the id limit",
            frame(&Request::Fetch {
                prefixes: vec![known.prefix(); MAX_FETCH_IDS + 1],
                max_bytes: 1 << 20,
            }),
        ),
        ("two bytes", vec![0, 1]),
    ];
    for (what, bytes) in hostile {
        let answer = a.raw(county, bytes).await;
        // The post refuses the frame, or (cut short) ends the stream.
        if let Ok(bytes) = answer {
            let refusal = bytes
                .get(4..)
                .map(Response::decode)
                .unwrap_or_else(|| panic!("{what}: a short answer {bytes:?}"));
            assert!(
                matches!(
                    refusal,
                    Ok(Response::Refused {
                        reason: RefusalReason::Malformed,
                        ..
                    })
                ),
                "{what}: {refusal:?}"
            );
        }
    }
    // The post still serves: the connection and the node are fine.
    assert!(a.is_connected(&county));
    match a
        .request(
            county,
            Request::Fetch {
                prefixes: vec![known.prefix()],
                max_bytes: 1 << 20,
            },
        )
        .await
    {
        Ok(Response::Entries { entries }) => assert_eq!(entries.len(), 1),
        other => panic!("the post stopped serving: {other:?}"),
    }
    // A sender that keeps sending undecodable frames is cut off.
    for n in 0..32u8 {
        if !a.is_connected(&county) {
            break;
        }
        let _ = a.raw(county, garbage_frame(n)).await;
    }
    s.wait_banned(&a, &s.county).await;
    s.honest_traffic_still_flows(&[]).await;
    s.shutdown().await;
}

// 4. ───────────────────────────────────────────────────────────────────────

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_for_another_network_are_rejected() {
    let s = Scene::new().await;
    let a = s.insider().await;
    let elsewhere = NetworkId::from_name("另一个联动网");
    let mut wires = Vec::new();
    for i in 1..=POOL as u64 {
        // Well signed by a key certified here, but for another network.
        let e = a.sign_raw(
            elsewhere,
            i,
            (i > 1).then_some(EntryId([i as u8; 32])),
            Hlc::new(now_ms(), 0),
            scope(VILLAGE),
            note_body(&format!("别的网络 {i}")),
        );
        wires.push(e.wire().to_vec());
    }
    let pool: Vec<(RegionCode, Vec<u8>)> =
        wires.iter().map(|w| (scope(VILLAGE), w.clone())).collect();
    s.send_until_banned(&a, &s.county, &pool).await;

    // A post of the other network is refused at hello, and kept out.
    let mut stranger = Attacker::spawn(random_keypair(), elsewhere, scope(VILLAGE));
    stranger
        .connect(s.township.listen_addrs()[0].clone(), s.township.peer_id())
        .await;
    let refused = stranger.say_hello(s.township.peer_id(), None).await;
    assert!(
        matches!(
            refused,
            Err(Response::Refused {
                reason: RefusalReason::Unauthorised,
                ..
            })
        ),
        "{refused:?}"
    );
    stranger.wait_disconnected(&s.township.peer_id()).await;
    assert!(is_banned(&s.township, &stranger.peer_id).await);
    let e = stranger.next_note("别的网络的节点");
    wires.push(e.wire().to_vec());

    holds_none(&s.county, &wires).await;
    holds_none(&s.township, &wires).await;
    nothing_by(&s.county, &a).await;
    s.honest_traffic_still_flows(&[]).await;
    s.shutdown().await;
}

// 9. ───────────────────────────────────────────────────────────────────────

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_from_far_in_the_future_are_rejected_not_clamped() {
    let s = Scene::new().await;
    let mut a = s.insider().await;
    let limit = liandong_protocol::Limits::DEFAULT_MAX_FUTURE_MS;
    let mut wires = Vec::new();
    // Margins of a minute or more: the pool is signed up front and sent
    // over seconds, and an entry that has come within the limit by the
    // time it is checked is rightly accepted.
    for (i, ahead) in [
        limit + 60_000,              // a minute past the limit
        24 * 3600 * 1000,            // a day
        10 * 365 * 24 * 3600 * 1000, // ten years
        3600 * 1000,                 // an hour
        7 * 24 * 3600 * 1000,        // a week
        limit * 3,
    ]
    .into_iter()
    .cycle()
    .take(FUTURE_POOL)
    .enumerate()
    {
        let e = a.next_at(
            scope(VILLAGE),
            note_body(&format!("来自未来 {i}")),
            now_ms() + ahead,
        );
        wires.push(e.wire().to_vec());
    }
    for chunk in wires.chunks(8) {
        a.publish(&scope(VILLAGE), chunk.to_vec()).await;
    }
    wait_until("every future entry was judged", DEADLINE, || async {
        rejected_count(&s.county, "too_far_in_future").await >= FUTURE_POOL as u64
    })
    .await;
    holds_none(&s.county, &wires).await;
    holds_none(&s.township, &wires).await;
    // A clock far ahead is no proof of malice (an honest post's clock can
    // be wrong): the sender is not banned, its entries simply do not count.
    assert!(!is_banned(&s.county, &a.peer_id).await);
    assert!(a.is_connected(&s.county.peer_id()));

    // The honest clocks were not dragged forward.
    let e = note(&s.county, "时钟检查").await;
    let ahead = e.hlc().wall_ms().saturating_sub(now_ms());
    assert!(ahead < 60_000, "the county's clock runs {ahead} ms ahead");
    s.honest_traffic_still_flows(&[]).await;
    s.shutdown().await;
}

// 11. ──────────────────────────────────────────────────────────────────────

/// The ids a post asked for in answer to an offer.
fn wanted(answer: Result<Response, String>) -> Vec<u32> {
    match answer {
        Ok(Response::Wanted { indexes }) => indexes,
        other => panic!("unexpected answer to an offer: {other:?}"),
    }
}

fn offer(ids: &[EntryId]) -> Request {
    Request::Offer {
        prefixes: ids.iter().map(EntryId::prefix).collect(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offered_entry_is_asked_for_once_until_it_arrives() {
    let s = Scene::new().await;
    let mut a = s.insider().await;
    let county = s.county.peer_id();
    let held = stored(&s.county)
        .await
        .first()
        .map(SignedEntry::id)
        .expect("the county holds entries");
    let new = a.next_note("只提供，未送达");

    // What the county holds is not asked for; what it lacks is, and is
    // then claimed for this offer until it arrives.
    assert_eq!(
        wanted(a.request(county, offer(&[held, new.id()])).await),
        [1]
    );
    assert_eq!(
        wanted(a.request(county, offer(&[new.id(), held])).await),
        [0u32; 0],
        "offered again before it came: already claimed"
    );
    match a
        .request(
            county,
            Request::Push {
                entries: vec![new.wire().to_vec()],
            },
        )
        .await
    {
        Ok(Response::Pushed { added, rejected }) => assert_eq!((added, rejected), (1, 0)),
        other => panic!("unexpected answer to the push: {other:?}"),
    }
    assert_eq!(
        wanted(a.request(county, offer(&[new.id()])).await),
        [0u32; 0],
        "it arrived: held"
    );
    // A held entry is never asked for; a new one is, whatever was offered
    // before it.
    let newer = a.next_note("再提供一条");
    assert_eq!(
        wanted(a.request(county, offer(&[held, newer.id()])).await),
        [1]
    );

    // Offering is what every peer does: nobody is penalised for it.
    s.honest_traffic_still_flows(&[]).await;
    assert!(!is_banned(&s.county, &a.peer_id).await);
    s.shutdown().await;
}
