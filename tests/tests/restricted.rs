//! Restricted entries (受限信息, issue 16) between real posts of a
//! certified network: the body reaches only its audience, while every post
//! stores, relays and validates the envelope.
//!
//! The cast (`liandong_tests::trusted`): the county 沙湾市 (writes), the
//! township 西戈壁镇 (in the audience "township 654203106 and above"), the
//! village 西戈壁村 (below the audience: holds the ciphertext, reads a
//! placeholder). The provincial root never runs and announces no key.

use std::path::Path;

use liandong_node::bundle;
use liandong_node::datadir::DataDir;
use liandong_node::ledger::Entering;
use liandong_node::restricted::{Keyring, Reading, read};
use liandong_node::service::rows::{EntryRow, Names};
use liandong_protocol::restricted::Audience;
use liandong_protocol::{Kind, Note, Revocation};
use liandong_tests::hostile::*;
use liandong_tests::trusted::{COUNTY, TOWNSHIP, TrustedNet, VILLAGE, open};

/// The audience of these tests: the township's posts and those above it.
fn township_and_above() -> Audience {
    Audience::parse(&format!("region:{TOWNSHIP}:township")).expect("audience")
}

async fn restricted_note(node: &NodeHandle, text: &str, audience: Audience) -> SignedEntry {
    node.author_to(
        node.region().clone(),
        Status::Actual,
        Body::Note(Note { text: text.into() }),
        Entering {
            operator: None,
            restrict: Some(audience),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("restricted write: {e}"))
}

/// How `node` reads the entry it holds under `entry`'s id.
async fn reading(node: &NodeHandle, entry: &SignedEntry) -> Option<Reading> {
    let id = entry.id();
    node.ledger()
        .read(move |l| {
            let held = l.store().get(&id).ok().flatten()?;
            read(&held, l.keyring())
        })
        .await
        .ok()
        .flatten()
}

/// The text an opened restricted note reads as, if `node` can open it.
async fn opened_text(node: &NodeHandle, entry: &SignedEntry) -> Option<String> {
    match reading(node, entry).await? {
        Reading::Open { entry, .. } => match entry.body() {
            Ok(Body::Note(n)) => Some(n.text),
            _ => None,
        },
        _ => None,
    }
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for item in std::fs::read_dir(&d).expect("read dir") {
            let path = item.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path)
                && bytes.windows(needle.len()).any(|w| w == needle)
            {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

/// The row `node` shows for `entry` (what `log` prints and the API returns).
async fn row(node: &NodeHandle, entry: &SignedEntry) -> EntryRow {
    let id = entry.id();
    node.ledger()
        .read(move |l| {
            let held = l.store().get(&id).ok().flatten().expect("held");
            EntryRow::new(&held, &Names::new(), l.keyring())
        })
        .await
        .expect("ledger")
}

struct Net {
    _tmp: tempfile::TempDir,
    net: TrustedNet,
    county_dir: DataDir,
    township_dir: DataDir,
    village_dir: DataDir,
}

fn certified_net() -> Net {
    let mut n = net_before_the_village();
    n.certify_village();
    n
}

/// The county and the township certified and their certificates stored;
/// the village set up but not yet certified.
fn net_before_the_village() -> Net {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut net = TrustedNet::new(tmp.path());
    let county_dir = net.join("county", COUNTY);
    let township_dir = net.join("township", TOWNSHIP);
    let village_dir = net.join("village", VILLAGE);
    let root = net.root_dir();
    let county_id = TrustedNet::node_id(&county_dir);
    net.certify(&root, county_id, "沙湾市应急管理局", COUNTY, true);
    let township_id = TrustedNet::node_id(&township_dir);
    net.certify(&county_dir, township_id, "西戈壁镇应急办", TOWNSHIP, true);
    for dir in [&county_dir, &township_dir] {
        net.install(dir);
    }
    Net {
        _tmp: tmp,
        net,
        county_dir,
        township_dir,
        village_dir,
    }
}

impl Net {
    /// The county certifies the village (offline: the county is not
    /// running); every post given here gets the certificates.
    fn certify_village(&mut self) {
        let village_id = TrustedNet::node_id(&self.village_dir);
        self.net.certify(
            &self.county_dir,
            village_id,
            "西戈壁村村委会",
            VILLAGE,
            false,
        );
        for dir in [&self.county_dir, &self.township_dir, &self.village_dir] {
            self.net.install(dir);
        }
    }
}

/// Waits until `writer` holds the agreement key `of` announced.
async fn wait_key(writer: &NodeHandle, of: &NodeHandle) {
    let who = of.node_id();
    wait_until("the agreement key arrives", DEADLINE, || async {
        writer
            .ledger()
            .read(move |l| {
                liandong_node::restricted::directory::announced_keys(l.store())
                    .map(|k| k.contains_key(&who))
                    .unwrap_or(false)
            })
            .await
            .unwrap_or(false)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_audience_reads_and_everyone_replicates() {
    let n = certified_net();
    let county = spawn(&n.county_dir, vec![], NO_TIMER).await;
    let township = spawn(&n.township_dir, vec![], NO_TIMER).await;
    let village = spawn(&n.village_dir, vec![], NO_TIMER).await;

    // The county learns the township's key (its announcement is scoped to
    // the township, inside the county's subtree) by sync.
    connect(&township, &county).await;
    wait_key(&county, &township).await;

    // A plain note first: the raw-bytes search below finds plaintext
    // when it is there.
    let visible = "公开记录：村道积水二十厘米";
    let plain = note(&county, visible).await;
    let secret = "伤亡名单：王某某（重伤）、李某某（失联）";
    let sealed = restricted_note(&county, secret, township_and_above()).await;
    assert_eq!(sealed.kind(), Kind::RESTRICTED);
    assert!(
        !sealed
            .wire()
            .windows(secret.len())
            .any(|w| w == secret.as_bytes()),
        "the plaintext is not in the entry's bytes"
    );

    // The township (in the audience) reads it, by gossip or sync.
    wait_until("the township holds it", DEADLINE, || {
        has(&township, &sealed)
    })
    .await;
    assert_eq!(
        opened_text(&township, &sealed).await.as_deref(),
        Some(secret)
    );
    // The writer reads its own entry too.
    assert_eq!(opened_text(&county, &sealed).await.as_deref(), Some(secret));

    // The village (below the audience) stores and relays the ciphertext,
    // and reads a placeholder.
    connect(&village, &county).await;
    wait_until("the village holds both", DEADLINE, || async {
        has(&village, &sealed).await && has(&village, &plain).await
    })
    .await;
    match reading(&village, &sealed).await {
        Some(Reading::Closed { recipients, .. }) => {
            // The county, the township (the root announced no key).
            assert_eq!(recipients, 2);
        }
        other => panic!("the village should see a placeholder, got {other:?}"),
    }
    let shown = row(&village, &sealed).await;
    let json = serde_json::to_string(&shown).expect("json");
    assert!(
        !json.contains(secret),
        "the village's row shows no plaintext"
    );
    assert!(shown.summary.contains("受限信息"), "{}", shown.summary);
    assert_eq!(shown.restricted.as_ref().map(|r| r.readable), Some(false));
    let readable = row(&township, &sealed).await;
    assert!(readable.summary.contains(secret), "{}", readable.summary);

    // Bundle: exported by the village (which cannot read it), it carries
    // the ciphertext only, and a fresh copy of the township's keys reads it.
    let region = village.region().clone();
    let bytes = village
        .ledger()
        .read(move |l| bundle::build(l, &region, None).map(|x| x.bytes))
        .await
        .expect("ledger")
        .expect("bundle");
    assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()));
    assert!(
        bytes
            .windows(visible.len())
            .any(|w| w == visible.as_bytes()),
        "the search finds plaintext when it is there"
    );

    for node in [county, township, village] {
        node.shutdown().await;
    }

    // The village's files never held the plaintext; the positive control
    // shows they hold what is in the clear.
    let secret_files = files_containing(n.village_dir.root(), secret.as_bytes());
    assert!(secret_files.is_empty(), "plaintext in {secret_files:?}");
    assert!(
        !files_containing(n.village_dir.root(), visible.as_bytes()).is_empty(),
        "the plain note is found in the village's store"
    );

    // The bundle, imported by a post of the audience that never met
    // anyone: a second township data directory with the township's keys.
    let usb = n._tmp.path().join("usb.bundle");
    bundle::write_file(&usb, &bytes).expect("write bundle");
    let fresh = n.net.join("township-copy", TOWNSHIP);
    std::fs::copy(
        n.township_dir.agreement_keys_path(),
        fresh.agreement_keys_path(),
    )
    .expect("copy the keys");
    n.net.install(&fresh);
    let post = open(&fresh);
    let checked = bundle::read_checked(
        &usb,
        post.ledger.network(),
        post.ledger.limits().max_entry_bytes,
    )
    .expect("bundle reads");
    let summary = bundle::import(&post.ledger, &checked, |_, _| {}).expect("import");
    assert!(summary.rejected.is_empty(), "{:?}", summary.rejected);
    let held = post
        .ledger
        .store()
        .get(&sealed.id())
        .expect("store")
        .expect("imported");
    match read(&held, post.ledger.keyring()) {
        Some(Reading::Open { entry, .. }) => {
            assert_eq!(
                entry.body().ok(),
                Some(Body::Note(Note {
                    text: secret.into()
                }))
            );
        }
        other => panic!("the bundle's entry should open, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_ciphertext_is_refused_by_every_post() {
    let n = certified_net();
    let county = spawn(&n.county_dir, vec![], NO_TIMER).await;
    let township = spawn(&n.township_dir, vec![], NO_TIMER).await;
    let village = spawn(&n.village_dir, vec![], NO_TIMER).await;
    connect(&township, &county).await;
    wait_key(&county, &township).await;
    let sealed = restricted_note(&county, "危化品仓库位置：某路12号", township_and_above()).await;
    county.shutdown().await;

    // Flip one byte in the middle of the ciphertext (before the signature):
    // the signature no longer covers it, so no post stores it.
    let mut bad = sealed.wire().to_vec();
    let at = bad.len() - 64 - 20;
    bad[at] ^= 0x01;
    for node in [&township, &village] {
        let bytes = bad.clone();
        let outcomes = node
            .ledger()
            .read(move |l| l.ingest_each(&[bytes], liandong_node::store::Durability::Durable))
            .await
            .expect("ledger")
            .expect("ingest");
        assert!(
            matches!(
                outcomes.first(),
                Some(liandong_node::ledger::ItemOutcome::Rejected(_))
            ),
            "{outcomes:?}"
        );
    }
    for node in [township, village] {
        node.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_and_revocation_change_who_can_read_new_entries() {
    let n = certified_net();
    let village_id = TrustedNet::node_id(&n.village_dir);
    {
        let county = spawn(&n.county_dir, vec![], NO_TIMER).await;
        let township = spawn(&n.township_dir, vec![], NO_TIMER).await;
        let village = spawn(&n.village_dir, vec![], NO_TIMER).await;
        connect(&township, &county).await;
        connect(&village, &county).await;
        wait_key(&county, &township).await;
        wait_key(&county, &village).await;
        // The whole township subtree: the village is in it.
        let everyone = Audience::parse(&format!("region:{TOWNSHIP}:village")).expect("audience");
        let before = restricted_note(&county, "旧密钥下的记录", everyone.clone()).await;
        wait_until("the village and the township hold it", DEADLINE, || async {
            has(&village, &before).await && has(&township, &before).await
        })
        .await;
        assert!(opened_text(&village, &before).await.is_some());
        for node in [county, township, village] {
            node.shutdown().await;
        }
    }

    // The township rotates its key while stopped; at its next start it
    // announces the new one.
    let keys = n.township_dir.agreement_keys_path();
    let mut ring = Keyring::load_or_create(&keys).expect("keyring");
    let (_, old_key) = ring.current().expect("a key");
    ring.rotate(&keys).expect("rotate");
    let (_, new_key) = ring.current().expect("a key");
    assert_ne!(old_key, new_key);

    // The county revokes the village.
    {
        let county = open(&n.county_dir);
        county
            .ledger
            .author(
                region(COUNTY),
                Status::Actual,
                Body::Revocation(Revocation {
                    subject: village_id,
                    reason: "测试：吊销".into(),
                }),
            )
            .expect("revoke");
    }

    let county = spawn(&n.county_dir, vec![], NO_TIMER).await;
    let township = spawn(&n.township_dir, vec![], NO_TIMER).await;
    connect(&township, &county).await;
    let new_id = new_key.id();
    wait_until("the county learns the new key", DEADLINE, || async {
        let who = township.node_id();
        county
            .ledger()
            .read(move |l| {
                liandong_node::restricted::directory::announced_keys(l.store())
                    .ok()
                    .and_then(|k| k.get(&who).copied())
            })
            .await
            .ok()
            .flatten()
            .map(|k| k.id())
            == Some(new_id)
    })
    .await;
    let everyone = Audience::parse(&format!("region:{TOWNSHIP}:village")).expect("audience");
    let after = restricted_note(&county, "新密钥下的记录", everyone).await;
    let Ok(Body::Restricted(envelope)) = after.body() else {
        panic!("a restricted body");
    };
    assert!(envelope.is_for(new_id), "sealed to the township's new key");
    assert!(!envelope.is_for(old_key.id()), "not to its old one");
    wait_until("the township holds it", DEADLINE, || has(&township, &after)).await;
    assert_eq!(
        opened_text(&township, &after).await.as_deref(),
        Some("新密钥下的记录")
    );
    // The revoked village's key is not among the recipients: the county,
    // the township.
    assert_eq!(envelope.audience_size(), 2);
    // Entries sealed before the rotation still open with the kept key.
    let first = county
        .ledger()
        .read(|l| {
            l.store()
                .query(&liandong_node::store::Query {
                    kind: Some(Kind::RESTRICTED),
                    ..Default::default()
                })
                .expect("query")
        })
        .await
        .expect("ledger");
    for e in &first {
        assert!(
            matches!(reading(&township, e).await, Some(Reading::Open { .. })),
            "the township reads every restricted entry it was in the audience of"
        );
    }
    for node in [county, township] {
        node.shutdown().await;
    }
}

/// A post certified after an entry was sealed is not among its recipients
/// (the writer did not know its key); it reads what the writer seals once
/// the writer holds its certificate and its announced key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newly_certified_post_reads_what_is_sealed_once_its_key_is_known() {
    let mut n = net_before_the_village();
    let (county_dir, township_dir, village_dir) = (
        n.county_dir.clone(),
        n.township_dir.clone(),
        n.village_dir.clone(),
    );
    let county_and_below = Audience::parse(&format!("region:{COUNTY}:village")).expect("audience");

    // Before the village is certified: sealed to the county and the
    // township only.
    let before = {
        let county = spawn(&county_dir, vec![], NO_TIMER).await;
        let township = spawn(&township_dir, vec![], NO_TIMER).await;
        connect(&township, &county).await;
        wait_key(&county, &township).await;
        let e = restricted_note(&county, "认证前的记录", county_and_below.clone()).await;
        for node in [county, township] {
            node.shutdown().await;
        }
        e
    };
    let Ok(Body::Restricted(envelope)) = before.body() else {
        panic!("a restricted body");
    };
    assert_eq!(envelope.audience_size(), 2);

    n.certify_village();
    let county = spawn(&county_dir, vec![], NO_TIMER).await;
    let village = spawn(&village_dir, vec![], NO_TIMER).await;
    connect(&village, &county).await;
    wait_key(&county, &village).await;
    wait_until("the village holds the earlier entry", DEADLINE, || {
        has(&village, &before)
    })
    .await;
    assert!(
        matches!(
            reading(&village, &before).await,
            Some(Reading::Closed { .. })
        ),
        "sealed before the village had a key: a placeholder there"
    );
    let after = restricted_note(&county, "认证后的记录", county_and_below).await;
    wait_until("the village holds the later entry", DEADLINE, || {
        has(&village, &after)
    })
    .await;
    assert_eq!(
        opened_text(&village, &after).await.as_deref(),
        Some("认证后的记录")
    );
    for node in [county, village] {
        node.shutdown().await;
    }
}
