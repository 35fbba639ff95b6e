//! The scene of the hostile-peer tests (`tests/hostile_*.rs`), in process: a scripted malicious node (its own libp2p
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

pub use std::time::Duration;

pub use crate::attacker::{Attacker, claim_authorship, flip_signature_bit, frame, note_body};
pub use crate::trusted::{
    COUNTY, Cast, PROVINCE, SIBLING_VILLAGE, TOWNSHIP, TrustedNet, VILLAGE, random_keypair, scope,
};
pub use crate::*;
pub use liandong_node::node::{Node, NodeHandle};
pub use liandong_protocol::authority::{Action, AuthorityError, ResponseLevel};
pub use liandong_protocol::interest::home_region;
pub use liandong_protocol::net::{MAX_FETCH_IDS, RefusalReason, Request, Response};
pub use liandong_protocol::{
    Body, Certificate, EntryId, Hlc, Interest, Keypair, Kind, NetworkId, RegionCode, Revocation,
    SignedEntry, Status, UnitType,
};

/// Invalid messages a persistent attacker has ready, sent 8 per 100 ms
/// until it is banned: 15 s worth. The ban usually comes within a second
/// or two (gossip score), and at the latest once 64 of them have been
/// rejected (the post's invalid-delivery count).
pub const POOL: usize = 1200;
/// Future-dated entries sent at once (they are judged, not punished).
pub const FUTURE_POOL: usize = 120;

/// How many entries `post` refused for `reason`, by its metrics.
pub async fn rejected_count(post: &NodeHandle, reason: &str) -> u64 {
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
pub const NO_TIMER: Duration = Duration::from_secs(3600);
/// How long a post waits for a new connection's hello in these tests.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(5);

pub fn now_ms() -> u64 {
    liandong_node::clock::now_ms()
}

/// Two honest posts of a certified network, connected and meshed.
#[derive(Debug)]
pub struct Scene {
    pub _tmp: tempfile::TempDir,
    pub cast: Cast,
    pub county: NodeHandle,
    pub township: NodeHandle,
}

pub async fn start(dir: &liandong_node::datadir::DataDir) -> NodeHandle {
    let mut o = options(dir, vec![], NO_TIMER);
    o.hello_timeout = HELLO_TIMEOUT;
    Node::spawn(o)
        .await
        .unwrap_or_else(|e| panic!("spawn {}: {e}", dir.root().display()))
}

impl Scene {
    pub async fn new() -> Scene {
        Scene::with_insiders(0).await
    }

    /// The scene plus `more` certified village keys for attackers.
    pub async fn with_insiders(more: usize) -> Scene {
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

    pub fn network(&self) -> NetworkId {
        self.cast.net.network()
    }

    /// The insider: the certified village key, connected to the county,
    /// its hello accepted, in the county's topic.
    pub async fn insider(&self) -> Attacker {
        let key = Keypair::from_secret(self.cast.village.secret_bytes());
        let a = Attacker::spawn(key, self.network(), scope(VILLAGE));
        self.admit(&a, &self.county).await;
        a
    }

    /// Connects `a` to `post`, has its hello accepted (with the village's
    /// chain) and joins the topic of its county.
    pub async fn admit(&self, a: &Attacker, post: &NodeHandle) {
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
    pub async fn wait_banned(&self, a: &Attacker, post: &NodeHandle) {
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
    pub async fn send_until_banned(
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
    pub async fn honest_traffic_still_flows(&self, evidence: &[EntryId]) {
        let down = delivery_time(&self.county, &self.township, "县：洪水预警解除前继续巡查").await;
        let up = delivery_time(&self.township, &self.county, "镇：已组织群众转移").await;
        eprintln!(
            "honest delivery after the attack: county→township {down:?}, township→county {up:?}"
        );
        assert_clean(&self.county, evidence).await;
        assert_clean(&self.township, evidence).await;
    }

    pub async fn shutdown(self) {
        self.county.shutdown().await;
        self.township.shutdown().await;
    }
}

/// Asserts no entry with these wire bytes is held by `post`.
pub async fn holds_none(post: &NodeHandle, wires: &[Vec<u8>]) {
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

pub async fn nothing_by(post: &NodeHandle, a: &Attacker) {
    let by = stored_by(post, a.key.node_id()).await;
    assert!(
        by.is_empty(),
        "the post stored the attacker's entries: {by:?}"
    );
}
