//! Real posts on loopback: gossip, convergence after partitions, restarts,
//! interest scoping, and bundles between posts that never connect.

use std::time::Duration;

use liandong_node::bundle;
use liandong_tests::*;
use rand::{Rng, SeedableRng};

const NET: &str = "test-net";
/// Long enough that a test sees gossip and connection syncs, not the timer.
const NO_TIMER: Duration = Duration::from_secs(3600);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_posts_gossip_both_ways() {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let a_dir = init_post(tmp.path(), "a", "654203", NET);
    let b_dir = init_post(tmp.path(), "b", "654203", NET);
    let a = spawn(&a_dir, vec![], NO_TIMER).await;
    let b = spawn(&b_dir, vec![], NO_TIMER).await;
    connect(&a, &b).await;
    wait_mesh(&a, 1).await;
    wait_mesh(&b, 1).await;

    let from_a = note(&a, "来自甲：河水上涨").await;
    let from_b = note(&b, "来自乙：道路中断").await;
    wait_until("a's entry reaches b", DEADLINE, || has(&b, &from_a)).await;
    wait_until("b's entry reaches a", DEADLINE, || has(&a, &from_b)).await;
    assert_eq!(digest(&a, "00").await, digest(&b, "00").await);
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_posts_in_a_random_topology_all_receive_every_entry() {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut rng = rand::rngs::StdRng::seed_from_u64(20);
    let mut nodes = Vec::new();
    for i in 0..20 {
        let dir = init_post(tmp.path(), &format!("p{i}"), "654203", NET);
        // Gossip carries the entries; the slow timer only backs it up
        // should a loaded machine drop a message.
        nodes.push(spawn(&dir, vec![], Duration::from_secs(10)).await);
    }
    // A random spanning tree plus a few extra links: connected, not full.
    for i in 1..nodes.len() {
        let j = rng.random_range(0..i);
        connect(&nodes[i], &nodes[j]).await;
    }
    for _ in 0..10 {
        let (i, j) = (rng.random_range(0..20), rng.random_range(0..20));
        if i != j && !nodes[i].known_peers().contains(&nodes[j].peer_id()) {
            connect(&nodes[i], &nodes[j]).await;
        }
    }
    for n in &nodes {
        wait_mesh(n, 1).await;
    }
    let mut written = Vec::new();
    for k in 0..20 {
        let author = &nodes[rng.random_range(0..20)];
        written.push(note(author, &format!("第 {k} 条报告")).await);
    }
    for e in &written {
        for n in &nodes {
            wait_until("entry reaches every post", DEADLINE, || has(n, e)).await;
        }
    }
    wait_converged(&nodes, "00", DEADLINE).await;
    for n in &nodes {
        n.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partition_then_heal_converges() {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut nodes = Vec::new();
    for i in 0..6 {
        let dir = init_post(tmp.path(), &format!("p{i}"), "654203", NET);
        nodes.push(spawn(&dir, vec![], Duration::from_secs(2)).await);
    }
    // Two triangles joined by one bridge link (2—3).
    for (i, j) in [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)] {
        connect(&nodes[i], &nodes[j]).await;
    }
    note(&nodes[0], "before the cut").await;
    wait_converged(&nodes, "00", DEADLINE).await;

    cut(&nodes[2], &nodes[3]).await;
    let mut left = Vec::new();
    let mut right = Vec::new();
    for k in 0..5 {
        left.push(note(&nodes[k % 3], &format!("left {k}")).await);
        right.push(note(&nodes[3 + k % 3], &format!("right {k}")).await);
    }
    // Each side converges on its own, without the other's entries.
    wait_converged(&nodes[..3], "00", DEADLINE).await;
    wait_converged(&nodes[3..], "00", DEADLINE).await;
    assert!(!has(&nodes[0], &right[0]).await, "the cut is real");

    heal(&nodes[2], &nodes[3]).await;
    wait_converged(&nodes, "00", DEADLINE).await;
    for e in left.iter().chain(&right) {
        for n in &nodes {
            assert!(has(n, e).await);
        }
    }
    for n in &nodes {
        n.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_post_catches_up() {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let a_dir = init_post(tmp.path(), "a", "654203", NET);
    let b_dir = init_post(tmp.path(), "b", "654203", NET);
    let a = spawn(&a_dir, vec![], NO_TIMER).await;
    let b = spawn(&b_dir, vec![], NO_TIMER).await;
    connect(&a, &b).await;
    let early = note(&a, "early").await;
    wait_until("b has the early entry", DEADLINE, || has(&b, &early)).await;

    b.shutdown().await;
    // Dropping the last handle closes the store, as a stopped process would.
    drop(b);
    let mut missed = Vec::new();
    for k in 0..10 {
        missed.push(note(&a, &format!("while b was down {k}")).await);
    }
    // Same data directory, new process state: the store survives, and the
    // connection sync brings what it missed.
    let b = spawn(&b_dir, vec![a.listen_addrs()[0].clone()], NO_TIMER).await;
    assert!(has(&b, &early).await, "the store survived the restart");
    wait_converged(&[a.clone(), b.clone()], "00", DEADLINE).await;
    for e in &missed {
        assert!(has(&b, e).await);
    }
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_village_holds_nothing_from_an_unrelated_county() {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    // 沙湾市 and its village; 乌苏市 (another county) and its village; the
    // prefecture 塔城地区 above both.
    let prefecture = spawn(
        &init_post(tmp.path(), "tacheng", "6542", NET),
        vec![],
        NO_TIMER,
    )
    .await;
    let shawan = spawn(
        &init_post(tmp.path(), "shawan", "654203", NET),
        vec![],
        NO_TIMER,
    )
    .await;
    let wusu = spawn(
        &init_post(tmp.path(), "wusu", "654202", NET),
        vec![],
        NO_TIMER,
    )
    .await;
    let xigebi = spawn(
        &init_post(tmp.path(), "xigebi", "654203106201", NET),
        vec![],
        NO_TIMER,
    )
    .await;
    let wusu_village = spawn(
        &init_post(tmp.path(), "wusu-village", "654202100201", NET),
        vec![],
        NO_TIMER,
    )
    .await;
    connect(&xigebi, &shawan).await;
    connect(&shawan, &prefecture).await;
    connect(&wusu, &prefecture).await;
    connect(&wusu_village, &wusu).await;
    // A direct link between the two villages too: scoping must not rely
    // on the topology.
    connect(&xigebi, &wusu_village).await;

    let from_wusu_village = note(&wusu_village, "乌苏某村：停电").await;
    let from_wusu = note(&wusu, "乌苏市：启动巡查").await;
    let from_xigebi = note(&xigebi, "西戈壁村：河水漫堤").await;
    let from_prefecture = note(&prefecture, "塔城地区：全区防汛").await;

    // The prefecture sees its whole subtree; the county sees its village.
    for e in [&from_wusu_village, &from_wusu, &from_xigebi] {
        wait_until("prefecture holds its subtree", DEADLINE, || {
            has(&prefecture, e)
        })
        .await;
    }
    wait_until("county holds its village", DEADLINE, || {
        has(&shawan, &from_xigebi)
    })
    .await;
    // Both villages hear what the prefecture says to everyone below it.
    wait_until("village hears the prefecture", DEADLINE, || {
        has(&xigebi, &from_prefecture)
    })
    .await;
    wait_until("other village hears it too", DEADLINE, || {
        has(&wusu_village, &from_prefecture)
    })
    .await;
    // Force a full reconciliation between the villages as well.
    xigebi
        .sync_with(wusu_village.peer_id())
        .await
        .expect("sync");
    shawan.sync_with(prefecture.peer_id()).await.expect("sync");

    assert_eq!(
        digest(&xigebi, "654202").await.split(':').next(),
        Some("0"),
        "nothing from 乌苏市"
    );
    assert!(!has(&xigebi, &from_wusu).await);
    assert!(!has(&xigebi, &from_wusu_village).await);
    assert!(
        !has(&shawan, &from_wusu).await,
        "a county holds nothing of its neighbour county"
    );
    for n in [prefecture, shawan, wusu, xigebi, wusu_village] {
        n.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bundle_carries_entries_between_posts_that_never_connect() {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let village_dir = init_post(tmp.path(), "village", "654203106201", NET);
    let county_dir = init_post(tmp.path(), "county", "654203", NET);
    let village = spawn(&village_dir, vec![], NO_TIMER).await;
    let county = spawn(&county_dir, vec![], NO_TIMER).await;
    let mut written = Vec::new();
    for k in 0..5 {
        written.push(note(&village, &format!("断网期间第 {k} 条")).await);
    }
    let scope = village.region().clone();
    let bytes = village
        .ledger()
        .read(move |l| bundle::build(l, &scope, None).map(|b| b.bytes))
        .await
        .expect("ledger")
        .expect("build");
    let usb = tmp.path().join("usb.bundle");
    bundle::write_file(&usb, &bytes).expect("write");
    let summary = county
        .ledger()
        .read(move |l| {
            let checked = bundle::read_checked(&usb, l.network(), l.limits().max_entry_bytes)?;
            bundle::import(l, &checked, |_, _| {})
        })
        .await
        .expect("ledger")
        .expect("import");
    assert_eq!(summary.added, 6, "profile and five notes");
    for e in &written {
        assert!(has(&county, e).await);
    }
    assert_eq!(
        digest(&county, "654203106201").await,
        digest(&village, "654203106201").await
    );
    assert!(county.known_peers().is_empty(), "they never connected");
    village.shutdown().await;
    county.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gap_in_an_authors_chain_is_fetched() {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = spawn(&init_post(tmp.path(), "a", "654203", NET), vec![], NO_TIMER).await;
    let b = spawn(&init_post(tmp.path(), "b", "654203", NET), vec![], NO_TIMER).await;
    connect(&a, &b).await;
    wait_mesh(&a, 1).await;
    wait_mesh(&b, 1).await;
    let first = note(&a, "one").await;
    wait_until("b has the first entry", DEADLINE, || has(&b, &first)).await;
    // Written to a's ledger without being gossiped: b never hears of it...
    let skipped = a
        .ledger()
        .author(
            a.region().clone(),
            liandong_protocol::Status::Actual,
            liandong_protocol::Body::Note(liandong_protocol::Note { text: "two".into() }),
        )
        .await
        .expect("author");
    // ...until the next entry arrives by gossip with seq n+2.
    let third = note(&a, "three").await;
    assert_eq!(third.seq(), skipped.seq() + 1);
    wait_until("b has the third entry", DEADLINE, || has(&b, &third)).await;
    wait_until("b fetched the gap", DEADLINE, || has(&b, &skipped)).await;
    a.shutdown().await;
    b.shutdown().await;
}
