//! Hostile peers, floods: honest deliveries keep their latency while an
//! attacker floods a post. The scene and the assertions are described in
//! `tests/src/hostile.rs`.

use liandong_tests::hostile::*;

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
