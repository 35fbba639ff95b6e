//! Hostile peers, in process: a scripted malicious node (its own libp2p
//! swarm, the real gossip topics and the real sync codec) attacks honest
//! posts of a certified network, one attack per test.
//!
//! Every test asserts three things: the honest posts store nothing invalid
//! (each stored entry validates again and stands by the trust rules; the
//! attacker's entries are absent), the offender is penalised (banned, its
//! connection closed) — or, for replays and for entries dated past this
//! post's clock (which an honest post with a wrong clock also sends),
//! gains nothing without being banned — and honest traffic still gets
//! through afterwards.
//!
//! The cast (see `liandong_tests::trusted`): a provincial root (新疆, not
//! running) certified 沙湾市 (the county, running), which certified 西戈壁镇
//! (the township, running) and 西戈壁村 (a village, whose key the insider
//! attacker holds).

use std::time::Duration;

use liandong_node::node::{Node, NodeHandle};
use liandong_protocol::authority::{Action, AuthorityError, ResponseLevel};
use liandong_protocol::interest::home_region;
use liandong_protocol::net::{MAX_FETCH_IDS, RefusalReason, Request, Response};
use liandong_protocol::{
    Body, Certificate, EntryId, Hlc, Interest, Keypair, Kind, NetworkId, RegionCode, Revocation,
    SignedEntry, Status, UnitType,
};
use liandong_tests::attacker::{Attacker, claim_authorship, flip_signature_bit, frame, note_body};
use liandong_tests::trusted::{
    COUNTY, Cast, PROVINCE, SIBLING_VILLAGE, TOWNSHIP, TrustedNet, VILLAGE, random_keypair, scope,
};
use liandong_tests::*;

/// Invalid messages a persistent attacker has ready, sent 8 per 100 ms
/// until it is banned: 15 s worth. The ban usually comes within a second
/// or two (gossip score), and at the latest once 64 of them have been
/// rejected (the post's invalid-delivery count).
const POOL: usize = 1200;
/// Future-dated entries sent at once (they are judged, not punished).
const FUTURE_POOL: usize = 120;

/// How many entries `post` refused for `reason`, by its metrics.
async fn rejected_count(post: &NodeHandle, reason: &str) -> u64 {
    let text = post.metrics_text().await;
    text.lines()
        .filter(|l| {
            l.starts_with("liandong_rejected_entries_total")
                && l.contains(&format!("reason=\"{reason}\""))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}
/// Long enough that a test sees gossip and connection syncs, not the timer.
const NO_TIMER: Duration = Duration::from_secs(3600);
/// How long a post waits for a new connection's hello in these tests.
const HELLO_TIMEOUT: Duration = Duration::from_secs(5);

fn now_ms() -> u64 {
    liandong_node::clock::now_ms()
}

/// Two honest posts of a certified network, connected and meshed.
struct Scene {
    _tmp: tempfile::TempDir,
    cast: Cast,
    county: NodeHandle,
    township: NodeHandle,
}

async fn start(dir: &liandong_node::datadir::DataDir) -> NodeHandle {
    let mut o = options(dir, vec![], NO_TIMER);
    o.hello_timeout = HELLO_TIMEOUT;
    Node::spawn(o)
        .await
        .unwrap_or_else(|e| panic!("spawn {}: {e}", dir.root().display()))
}

impl Scene {
    async fn new() -> Scene {
        Scene::with_insiders(0).await
    }

    /// The scene plus `more` certified village keys for attackers.
    async fn with_insiders(more: usize) -> Scene {
        init_logging();
        let tmp = tempfile::tempdir().expect("tempdir");
        let cast = Cast::with_insiders(tmp.path(), more);
        let county = start(&cast.county).await;
        let township = start(&cast.township).await;
        // Both hellos accepted: both certificate chains check out.
        connect(&township, &county).await;
        wait_mesh(&county, 1).await;
        wait_mesh(&township, 1).await;
        Scene {
            _tmp: tmp,
            cast,
            county,
            township,
        }
    }

    fn network(&self) -> NetworkId {
        self.cast.net.network()
    }

    /// The insider: the certified village key, connected to the county,
    /// its hello accepted, in the county's topic.
    async fn insider(&self) -> Attacker {
        let key = Keypair::from_secret(self.cast.village.secret_bytes());
        let a = Attacker::spawn(key, self.network(), scope(VILLAGE));
        self.admit(&a, &self.county).await;
        a
    }

    /// Connects `a` to `post`, has its hello accepted (with the village's
    /// chain) and joins the topic of its county.
    async fn admit(&self, a: &Attacker, post: &NodeHandle) {
        a.connect(post.listen_addrs()[0].clone(), post.peer_id())
            .await;
        a.say_hello(post.peer_id(), Some(self.cast.village_chain.clone()))
            .await
            .unwrap_or_else(|r| panic!("the insider's hello was refused: {r:?}"));
        wait_until("the post knows the insider", DEADLINE, || async {
            post.known_peers().contains(&a.peer_id)
        })
        .await;
        a.join_topic(&scope(COUNTY), post.peer_id()).await;
    }

    /// Waits until `post` has banned the attacker and closed its connection.
    async fn wait_banned(&self, a: &Attacker, post: &NodeHandle) {
        wait_until("the offender is banned", DEADLINE, || async {
            is_banned(post, &a.peer_id).await
        })
        .await;
        a.wait_disconnected(&post.peer_id()).await;
        wait_until("the post has dropped the offender", DEADLINE, || async {
            !is_connected(post, &a.peer_id).await && !post.known_peers().contains(&a.peer_id)
        })
        .await;
    }

    /// Publishes `pool` (scope, bytes) a few messages at a time, at the
    /// attacker's own pace, until `post` bans it: a persistent attacker.
    /// (gossipsub mutes a peer below −80 and drops what it sends, so a
    /// one-off burst may end muted rather than banned; one that keeps
    /// going is banned by score or, at the latest, by the post's count of
    /// rejected messages.) Then waits for the ban and the closed
    /// connection. The pauses are the attacker's pacing, not a
    /// wait for an assertion.
    async fn send_until_banned(
        &self,
        a: &Attacker,
        post: &NodeHandle,
        pool: &[(RegionCode, Vec<u8>)],
    ) {
        for chunk in pool.chunks(8) {
            if is_banned(post, &a.peer_id).await || !a.is_connected(&post.peer_id()) {
                break;
            }
            for (scope, wire) in chunk {
                a.publish(scope, vec![wire.clone()]).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.wait_banned(a, post).await;
    }

    /// Honest traffic both ways, then every stored entry re-checked.
    async fn honest_traffic_still_flows(&self, evidence: &[EntryId]) {
        let down = delivery_time(&self.county, &self.township, "县：洪水预警解除前继续巡查").await;
        let up = delivery_time(&self.township, &self.county, "镇：已组织群众转移").await;
        eprintln!(
            "honest delivery after the attack: county→township {down:?}, township→county {up:?}"
        );
        assert_clean(&self.county, evidence).await;
        assert_clean(&self.township, evidence).await;
    }

    async fn shutdown(self) {
        self.county.shutdown().await;
        self.township.shutdown().await;
    }
}

/// Asserts no entry with these wire bytes is held by `post`.
async fn holds_none(post: &NodeHandle, wires: &[Vec<u8>]) {
    let ids: Vec<EntryId> = wires.iter().map(|w| EntryId::of_wire_bytes(w)).collect();
    let held = post
        .ledger()
        .read(move |l| {
            ids.iter()
                .filter(|id| l.store().contains(id).unwrap_or(true))
                .count()
        })
        .await
        .expect("ledger");
    assert_eq!(held, 0, "the post stored hostile entries");
}

async fn nothing_by(post: &NodeHandle, a: &Attacker) {
    let by = stored_by(post, a.key.node_id()).await;
    assert!(
        by.is_empty(),
        "the post stored the attacker's entries: {by:?}"
    );
}

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
    // Scores are checked once a second: a ban would show within two.
    tokio::time::sleep(Duration::from_secs(2)).await;
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

// 10. ──────────────────────────────────────────────────────────────────────

/// Messages per second, and for how long.
const FLOOD_RATE: usize = 1000;
const FLOOD_SECS: usize = 4;

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn max(v: &[Duration]) -> Duration {
    v.iter().max().copied().unwrap_or_default()
}

/// Honest delivery times, each way, split by whether the attacker was
/// still connected to the county when the delivery started.
#[derive(Default)]
struct Latencies {
    /// township → county: the county receives the flood and this alike.
    up_attacked: Vec<Duration>,
    up_after: Vec<Duration>,
    /// county → township.
    down_attacked: Vec<Duration>,
    down_after: Vec<Duration>,
}

/// Quiet latencies: five deliveries each way before any attack.
async fn quiet_latencies(s: &Scene) -> (Vec<Duration>, Vec<Duration>) {
    let (mut up, mut down) = (Vec::new(), Vec::new());
    for k in 0..5 {
        up.push(delivery_time(&s.township, &s.county, &format!("平时上报 {k}")).await);
        down.push(delivery_time(&s.county, &s.township, &format!("平时下发 {k}")).await);
    }
    (up, down)
}

/// Floods the county with `flood` at FLOOD_RATE for FLOOD_SECS (10 every
/// 10 ms) while honest posts keep writing; returns what left the attacker
/// and the honest latencies.
async fn flood_the_county(
    s: &Scene,
    a: std::sync::Arc<Attacker>,
    flood: Vec<Vec<u8>>,
) -> (liandong_tests::attacker::Published, Duration, Latencies) {
    let flooder = {
        let a = std::sync::Arc::clone(&a);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(10));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut total = liandong_tests::attacker::Published::default();
            let started = std::time::Instant::now();
            for chunk in flood.chunks(FLOOD_RATE / 100) {
                tick.tick().await;
                let p = a.publish(&scope(VILLAGE), chunk.to_vec()).await;
                total.sent += p.sent;
                total.failed += p.failed;
                if p.last_error.is_some() {
                    total.last_error = p.last_error;
                }
            }
            (total, started.elapsed())
        })
    };
    let mut l = Latencies::default();
    let started = std::time::Instant::now();
    let mut k = 0;
    while started.elapsed() < Duration::from_secs(FLOOD_SECS as u64) || k < 3 {
        let attacked = a.is_connected(&s.county.peer_id());
        let up = delivery_time(&s.township, &s.county, &format!("攻击中上报 {k}")).await;
        let down = delivery_time(&s.county, &s.township, &format!("攻击中下发 {k}")).await;
        if attacked {
            l.up_attacked.push(up);
            l.down_attacked.push(down);
        } else {
            l.up_after.push(up);
            l.down_after.push(down);
        }
        k += 1;
    }
    let (published, took) = flooder.await.expect("flooder");
    (published, took, l)
}

fn report(
    what: &str,
    offered: usize,
    published: &liandong_tests::attacker::Published,
    took: Duration,
    quiet: &(Vec<Duration>, Vec<Duration>),
    l: &Latencies,
) {
    eprintln!(
        "{what}: {offered} messages offered in {took:?}; {} left the attacker, {} refused on its \
         side once it was cut off ({:?})",
        published.sent, published.failed, published.last_error
    );
    eprintln!(
        "{what}: township→county median/max: quiet {:?}/{:?}; under attack {:?}/{:?} (n={}); \
         after the cut-off {:?}/{:?} (n={})",
        median(&quiet.0),
        max(&quiet.0),
        median(&l.up_attacked),
        max(&l.up_attacked),
        l.up_attacked.len(),
        median(&l.up_after),
        max(&l.up_after),
        l.up_after.len()
    );
    eprintln!(
        "{what}: county→township median/max: quiet {:?}/{:?}; under attack {:?}/{:?} (n={}); \
         after the cut-off {:?}/{:?} (n={})",
        median(&quiet.1),
        max(&quiet.1),
        median(&l.down_attacked),
        max(&l.down_attacked),
        l.down_attacked.len(),
        median(&l.down_after),
        max(&l.down_after),
        l.down_after.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_invalid_messages_is_cut_off_and_honest_traffic_gets_through() {
    let s = Scene::new().await;
    let quiet = quiet_latencies(&s).await;

    let mut a = s.insider().await;
    // 4,000 distinct invalid messages (bad signatures: refused only at the
    // last and most expensive check), signed before the clock starts.
    let flood: Vec<Vec<u8>> = (0..FLOOD_RATE * FLOOD_SECS)
        .map(|i| flip_signature_bit(&a.next_note(&format!("洪水攻击 {i}")), i))
        .collect();
    let a = std::sync::Arc::new(a);
    let (published, took, l) = flood_the_county(&s, std::sync::Arc::clone(&a), flood.clone()).await;
    s.wait_banned(&a, &s.county).await;
    report(
        "invalid flood (insider)",
        flood.len(),
        &published,
        took,
        &quiet,
        &l,
    );

    assert!(published.sent > 0, "the flood reached the post");
    holds_none(&s.county, &flood).await;
    holds_none(&s.township, &flood).await;
    nothing_by(&s.county, &a).await;
    s.honest_traffic_still_flows(&[]).await;
    s.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_a_peer_that_never_says_hello_ends_at_the_hello_deadline() {
    // The flood that costs the most to refuse without a penalty: entries
    // that validate (good signatures) by a key no certificate covers. They
    // are ignored, not rejected (certificates may be on their way), so
    // gossip scores never fall; the hello deadline ends it.
    let s = Scene::new().await;
    let quiet = quiet_latencies(&s).await;

    let mut a = Attacker::spawn(random_keypair(), s.network(), scope(VILLAGE));
    a.connect(s.county.listen_addrs()[0].clone(), s.county.peer_id())
        .await;
    a.join_topic(&scope(COUNTY), s.county.peer_id()).await;
    let flood: Vec<Vec<u8>> = (0..FLOOD_RATE * FLOOD_SECS)
        .map(|i| a.next_note(&format!("未认证洪水 {i}")).wire().to_vec())
        .collect();
    let a = std::sync::Arc::new(a);
    let (published, took, l) = flood_the_county(&s, std::sync::Arc::clone(&a), flood.clone()).await;
    s.wait_banned(&a, &s.county).await;
    report(
        "uncertified flood (no hello)",
        flood.len(),
        &published,
        took,
        &quiet,
        &l,
    );

    holds_none(&s.county, &flood).await;
    holds_none(&s.township, &flood).await;
    nothing_by(&s.county, &a).await;
    s.honest_traffic_still_flows(&[]).await;
    s.shutdown().await;
}

#[test]
fn the_cast_is_a_certified_network() {
    // The trust fixture itself: every honest post resolves the others.
    let tmp = tempfile::tempdir().expect("tempdir");
    let cast = Cast::new(tmp.path());
    let county = TrustedNet::node_id(&cast.county);
    let post = liandong_tests::trusted::open(&cast.township);
    let info = post
        .ledger
        .current_post(&county)
        .expect("the county is a post");
    assert_eq!(info.region, scope(COUNTY));
    let village = post
        .ledger
        .current_post(&cast.village.node_id())
        .expect("the village is a post");
    assert_eq!(village.region, scope(VILLAGE));
    assert!(
        post.ledger
            .verify_peer_chain(&cast.village.node_id(), &cast.village_chain)
            .is_ok()
    );
    assert_eq!(post.ledger.network(), cast.net.network());
    assert_eq!(post.config.post.region, scope(TOWNSHIP));
}
