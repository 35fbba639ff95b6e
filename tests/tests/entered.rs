//! Who entered what (issue 17): the operator recorded in an entry travels
//! with it by gossip, sync and bundle between real posts, signed and
//! unchanged; and a post that meets an entry of a protocol version newer
//! than its own (what an older post sees of an operator's entry) drops it
//! without blaming, banning or isolating the honest post that relayed it.

use liandong_node::bundle;
use liandong_protocol::entry::wire::ENTRY_SIGNING_DOMAIN;
use liandong_protocol::limits::SIGNATURE_BYTES;
use liandong_protocol::{Note, Operator};
use liandong_tests::hostile::*;

const NET: &str = "test-net";

fn zhangsan() -> Operator {
    Operator::new("zhangsan", "值班员 张三").expect("valid operator")
}

async fn entered_note(node: &NodeHandle, text: &str, op: Operator) -> SignedEntry {
    node.author_by(
        node.region().clone(),
        Status::Actual,
        Body::Note(Note { text: text.into() }),
        Some(op),
    )
    .await
    .unwrap_or_else(|e| panic!("author: {e}"))
}

/// The entry `node` holds under `entry`'s id, read back from its store.
async fn held(node: &NodeHandle, entry: &SignedEntry) -> Option<SignedEntry> {
    let id = entry.id();
    node.ledger()
        .read(move |l| l.store().get(&id).ok().flatten())
        .await
        .ok()
        .flatten()
}

async fn assert_carries_operator(node: &NodeHandle, entry: &SignedEntry, how: &str) {
    let got = held(node, entry)
        .await
        .unwrap_or_else(|| panic!("{how}: entry missing"));
    assert_eq!(got.wire(), entry.wire(), "{how}: bytes changed");
    assert_eq!(got.operator(), Some(&zhangsan()), "{how}: operator lost");
    assert_eq!(got.header().version, 2, "{how}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_travels_by_gossip_sync_and_bundle() {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = spawn(&init_post(tmp.path(), "a", "654203", NET), vec![], NO_TIMER).await;
    let b = spawn(&init_post(tmp.path(), "b", "654203", NET), vec![], NO_TIMER).await;
    let c = spawn(&init_post(tmp.path(), "c", "654203", NET), vec![], NO_TIMER).await;

    // Sync: written before the posts ever met, so only the sync that a
    // new connection starts can bring it.
    let before = entered_note(&a, "首报：河水漫过村道", zhangsan()).await;
    connect(&b, &a).await;
    wait_until("the sync brings the entry", DEADLINE, || has(&b, &before)).await;
    assert_carries_operator(&b, &before, "sync").await;

    // Gossip: written while connected and meshed.
    wait_mesh(&a, 1).await;
    wait_mesh(&b, 1).await;
    let live = entered_note(&a, "续报：已转移12户", zhangsan()).await;
    wait_until("gossip brings the entry", DEADLINE, || has(&b, &live)).await;
    assert_carries_operator(&b, &live, "gossip").await;

    // Bundle: exported by b (which only received them), imported by c,
    // which never connected to anyone.
    let region = b.region().clone();
    let bytes = b
        .ledger()
        .read(move |l| bundle::build(l, &region, None).map(|x| x.bytes))
        .await
        .expect("ledger")
        .expect("build");
    let usb = tmp.path().join("usb.bundle");
    bundle::write_file(&usb, &bytes).expect("write");
    let summary = c
        .ledger()
        .read(move |l| {
            let checked = bundle::read_checked(&usb, l.network(), l.limits().max_entry_bytes)?;
            bundle::import(l, &checked, |_, _| {})
        })
        .await
        .expect("ledger")
        .expect("import");
    assert!(summary.rejected.is_empty(), "{:?}", summary.rejected);
    assert_carries_operator(&c, &before, "bundle").await;
    assert_carries_operator(&c, &live, "bundle").await;
    assert!(c.known_peers().is_empty(), "c never connected");

    // An entry without an operator still travels as version 1.
    let plain = note(&a, "无录入人的记录").await;
    assert_eq!(plain.wire()[0], 1);
    wait_until("the plain entry arrives", DEADLINE, || has(&b, &plain)).await;
    for n in [a, b, c] {
        n.shutdown().await;
    }
}

/// `entry` re-signed as protocol version `version`: correctly signed by
/// its author, in a layout this code does not speak (what a post one
/// version behind sees of a newer post's entries).
fn as_version(entry: &SignedEntry, version: u8, key: &Keypair) -> Vec<u8> {
    let wire = entry.wire();
    let mut unsigned = wire[..wire.len() - SIGNATURE_BYTES].to_vec();
    unsigned[0] = version;
    let signature = key.sign(ENTRY_SIGNING_DOMAIN, &unsigned);
    unsigned.extend_from_slice(&signature);
    unsigned
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_of_a_newer_version_are_dropped_without_blame() {
    let s = Scene::new().await;
    let mut a = s.insider().await;
    // More than the 64 provably invalid entries that ban a peer.
    const NEWER: usize = 160;
    let newer: Vec<Vec<u8>> = (0..NEWER)
        .map(|i| as_version(&a.next_note(&format!("新版本条目 {i}")), 3, &a.key))
        .collect();

    // By push (how sync hands entries over): refused, nobody blamed.
    match a
        .request(
            s.county.peer_id(),
            Request::Push {
                entries: newer[..8].to_vec(),
            },
        )
        .await
    {
        Ok(Response::Pushed { added, rejected }) => assert_eq!((added, rejected), (0, 8)),
        other => panic!("unexpected answer to a push: {other:?}"),
    }
    // By gossip, every one of them, at the relay's own pace.
    for chunk in newer.chunks(8) {
        for wire in chunk {
            a.publish(&scope(VILLAGE), vec![wire.clone()]).await;
        }
    }
    wait_until("every newer entry was judged", DEADLINE, || async {
        rejected_count(&s.county, "unknown_version").await >= (NEWER + 8) as u64
    })
    .await;
    holds_none(&s.county, &newer).await;
    // No ban, no closed connection: a newer post is never isolated.
    assert!(!is_banned(&s.county, &a.peer_id).await);
    assert!(a.is_connected(&s.county.peer_id()));
    s.honest_traffic_still_flows(&[]).await;
    s.shutdown().await;
}
