//! The post's metrics in the Prometheus text format (`GET /metrics`), with
//! `prometheus-client` — the library libp2p's own metrics use, so both live
//! in one registry:
//!
//! | metric | what |
//! |---|---|
//! | `libp2p_*` | libp2p's own: swarm connections, gossipsub, identify, ping |
//! | `liandong_peers`, `liandong_mesh_peers` | connected / gossip-mesh peers (at scrape) |
//! | `liandong_gossip_received_total{outcome}` | gossip messages by what became of them |
//! | `liandong_gossip_received_bytes_total` | bytes of those messages (entries as sent, duplicates included) |
//! | `liandong_gossip_published_total{result}` | entries this post published |
//! | `liandong_rejected_entries_total{source,reason}` | refused entries by source (gossip, peer, bundle) and reason (`ValidationError::label`, `TrustError::label`) |
//! | `liandong_sync_sessions_total{result}`, `liandong_sync_round_trips_total`, `liandong_sync_bytes_total{direction}`, `liandong_sync_entries_total{direction}`, `liandong_sync_duration_seconds` | anti-entropy sessions this post started |
//! | `liandong_store_bytes`, `liandong_store_entries`, `liandong_entries{kind}` | the store (at scrape) |
//! | `liandong_store_free_bytes`, `liandong_store_reserve_bytes`, `liandong_store_writable` | free space, the reserve, 1 while writes are accepted (0: disk under the reserve, or the store failed) |
//! | `liandong_entries_written_total{kind}` | entries this post wrote |
//! | `liandong_peer_bans_total{reason}` | peers this post banned, by reason (`BanReason::label`) |
//! | `liandong_entry_arrival_seconds` | how long other posts' entries took to arrive here (their time to receipt) |
//! | `liandong_first_report_latency_seconds` | 首报 latency: occurrence to report, as received or written |
//!
//! Counters only ever go up and are cheap to bump from any task; gauges are
//! set when scraped, from the node's current state.

use std::sync::{Arc, Mutex};

use liandong_protocol::{Kind, LedgerDigest};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

type Labels = Vec<(&'static str, String)>;

fn label(key: &'static str, value: impl Into<String>) -> Labels {
    vec![(key, value.into())]
}

/// Every metric of one post.
pub struct NodeMetrics {
    registry: Mutex<Registry>,
    /// Recorded by the network event loop.
    pub libp2p: Arc<libp2p::metrics::Metrics>,
    gossip_received: Family<Labels, Counter>,
    gossip_received_bytes: Counter,
    gossip_published: Family<Labels, Counter>,
    rejected: Family<Labels, Counter>,
    bans: Family<Labels, Counter>,
    sync_sessions: Family<Labels, Counter>,
    sync_round_trips: Counter,
    sync_bytes: Family<Labels, Counter>,
    sync_entries: Family<Labels, Counter>,
    sync_duration: Histogram,
    peers: Gauge,
    mesh_peers: Gauge,
    store_bytes: Gauge,
    store_entries: Gauge,
    store_free: Gauge,
    store_reserve: Gauge,
    store_writable: Gauge,
    entries: Family<Labels, Gauge>,
    written: Family<Labels, Counter>,
    arrival: Histogram,
    first_report: Histogram,
    /// The digest the per-kind counts were taken at: they are recounted
    /// only when the entry set changed.
    counted_at: Mutex<Option<LedgerDigest>>,
}

impl std::fmt::Debug for NodeMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeMetrics").finish_non_exhaustive()
    }
}

/// What a gossip message became.
#[derive(Debug, Clone, Copy)]
pub enum GossipOutcome {
    Accepted,
    Duplicate,
    OutOfScope,
    Rejected,
    Refused,
    /// Not stored for a reason of this post's own (store failing).
    Error,
}

impl GossipOutcome {
    fn name(self) -> &'static str {
        match self {
            GossipOutcome::Accepted => "accepted",
            GossipOutcome::Duplicate => "duplicate",
            GossipOutcome::OutOfScope => "out_of_scope",
            GossipOutcome::Rejected => "rejected",
            GossipOutcome::Refused => "refused",
            GossipOutcome::Error => "error",
        }
    }
}

/// Where a refused entry came from.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    Gossip,
    /// Sync, push or a chain-gap fetch from a peer.
    Peer,
    Bundle,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Gossip => "gossip",
            Source::Peer => "peer",
            Source::Bundle => "bundle",
        }
    }
}

/// What the node's state reads at scrape time.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub peers: usize,
    pub mesh_peers: usize,
    pub store_bytes: u64,
    pub digest: LedgerDigest,
    pub store: crate::store::StoreHealth,
}

impl NodeMetrics {
    pub fn new() -> NodeMetrics {
        let mut registry = Registry::default();
        let libp2p = Arc::new(libp2p::metrics::Metrics::new(&mut registry));
        let seconds = |start: f64| Histogram::new(exponential_buckets(start, 2.0, 16));
        let m = NodeMetrics {
            libp2p,
            gossip_received: Family::default(),
            gossip_received_bytes: Counter::default(),
            gossip_published: Family::default(),
            rejected: Family::default(),
            bans: Family::default(),
            sync_sessions: Family::default(),
            sync_round_trips: Counter::default(),
            sync_bytes: Family::default(),
            sync_entries: Family::default(),
            sync_duration: seconds(0.001),
            peers: Gauge::default(),
            mesh_peers: Gauge::default(),
            store_bytes: Gauge::default(),
            store_entries: Gauge::default(),
            store_free: Gauge::default(),
            store_reserve: Gauge::default(),
            store_writable: Gauge::default(),
            entries: Family::default(),
            written: Family::default(),
            arrival: seconds(0.001),
            first_report: seconds(60.0),
            counted_at: Mutex::new(None),
            registry: Mutex::new(Registry::default()),
        };
        let r = registry.sub_registry_with_prefix("liandong");
        r.register(
            "gossip_received",
            "Gossip messages received, by outcome",
            m.gossip_received.clone(),
        );
        r.register(
            "gossip_received_bytes",
            "Bytes of the gossip messages received (entries as sent, duplicates included)",
            m.gossip_received_bytes.clone(),
        );
        r.register(
            "gossip_published",
            "Entries this post published on gossip, by result",
            m.gossip_published.clone(),
        );
        r.register(
            "rejected_entries",
            "Entries refused, by source and reason",
            m.rejected.clone(),
        );
        r.register(
            "peer_bans",
            "Peers this post banned, by reason",
            m.bans.clone(),
        );
        r.register(
            "sync_sessions",
            "Sync sessions this post started, by result",
            m.sync_sessions.clone(),
        );
        r.register(
            "sync_round_trips",
            "Request round trips of sync sessions",
            m.sync_round_trips.clone(),
        );
        r.register(
            "sync_bytes",
            "Bytes of sync sessions, by direction",
            m.sync_bytes.clone(),
        );
        r.register(
            "sync_entries",
            "Entries moved by sync sessions, by direction",
            m.sync_entries.clone(),
        );
        r.register(
            "sync_duration_seconds",
            "How long sync sessions took",
            m.sync_duration.clone(),
        );
        r.register("peers", "Connected peers", m.peers.clone());
        r.register(
            "mesh_peers",
            "Peers in the gossip mesh",
            m.mesh_peers.clone(),
        );
        r.register(
            "store_bytes",
            "Bytes of the store on disk",
            m.store_bytes.clone(),
        );
        r.register(
            "store_entries",
            "Entries in the store",
            m.store_entries.clone(),
        );
        r.register(
            "store_free_bytes",
            "Free bytes on the store's file system",
            m.store_free.clone(),
        );
        r.register(
            "store_reserve_bytes",
            "Free space below which writes pause",
            m.store_reserve.clone(),
        );
        r.register(
            "store_writable",
            "1 while the store accepts writes; 0 when the disk is under the reserve or a write failed",
            m.store_writable.clone(),
        );
        r.register(
            "entries",
            "Entries in the store, by kind",
            m.entries.clone(),
        );
        r.register(
            "entries_written",
            "Entries this post wrote, by kind",
            m.written.clone(),
        );
        r.register(
            "entry_arrival_seconds",
            "Time from another post writing an entry to its arrival here",
            m.arrival.clone(),
        );
        r.register(
            "first_report_latency_seconds",
            "Time from an incident's occurrence to its first report (首报)",
            m.first_report.clone(),
        );
        *m.registry.lock().unwrap_or_else(|p| p.into_inner()) = registry;
        m
    }

    pub fn gossip_received(&self, outcome: GossipOutcome) {
        self.gossip_received
            .get_or_create(&label("outcome", outcome.name()))
            .inc();
    }

    /// A gossip message of `bytes` arrived, whatever becomes of it.
    pub fn gossip_bytes(&self, bytes: usize) {
        self.gossip_received_bytes
            .inc_by(u64::try_from(bytes).unwrap_or(u64::MAX));
    }

    /// Bytes of every gossip message received so far.
    pub fn gossip_bytes_received(&self) -> u64 {
        self.gossip_received_bytes.get()
    }

    pub fn gossip_published(&self, ok: bool) {
        let result = if ok { "ok" } else { "no_peers" };
        self.gossip_published
            .get_or_create(&label("result", result))
            .inc();
    }

    /// A peer banned, with the stable label of the reason.
    pub fn banned(&self, reason: &str) {
        self.bans.get_or_create(&label("reason", reason)).inc();
    }

    /// An entry refused, with the stable label of its reason.
    pub fn rejected(&self, source: Source, reason: &str) {
        self.rejected
            .get_or_create(&vec![
                ("source", source.name().to_string()),
                ("reason", reason.to_string()),
            ])
            .inc();
    }

    pub fn sync_session(&self, stats: &crate::service::sync::SyncStats) {
        let result = if stats.ok { "ok" } else { "failed" };
        self.sync_sessions
            .get_or_create(&label("result", result))
            .inc();
        self.sync_round_trips.inc_by(u64::from(stats.round_trips));
        self.sync_bytes
            .get_or_create(&label("direction", "sent"))
            .inc_by(stats.bytes_sent);
        self.sync_bytes
            .get_or_create(&label("direction", "received"))
            .inc_by(stats.bytes_received);
        self.sync_entries
            .get_or_create(&label("direction", "fetched"))
            .inc_by(stats.fetched);
        self.sync_entries
            .get_or_create(&label("direction", "pushed"))
            .inc_by(stats.pushed);
        self.sync_duration
            .observe(stats.duration_ms as f64 / 1000.0);
    }

    pub fn written(&self, kind: Kind) {
        self.written
            .get_or_create(&label("kind", kind_name(kind)))
            .inc();
    }

    /// A new entry by another post arrived `ms` after its time.
    pub fn arrival(&self, ms: u64) {
        self.arrival.observe(ms as f64 / 1000.0);
    }

    pub fn first_report(&self, latency_ms: u64) {
        self.first_report.observe(latency_ms as f64 / 1000.0);
    }

    /// Sets the gauges from the node's state; `count_kinds` is called only
    /// when the entry set changed since the last scrape.
    pub fn set_state(&self, s: &Snapshot, count_kinds: impl FnOnce() -> Vec<(Kind, u64)>) {
        self.peers.set(gauge(s.peers as u64));
        self.mesh_peers.set(gauge(s.mesh_peers as u64));
        self.store_bytes.set(gauge(s.store_bytes));
        self.store_entries.set(gauge(s.digest.count));
        self.store_free.set(gauge(s.store.free_bytes));
        self.store_reserve.set(gauge(s.store.reserve_bytes));
        self.store_writable.set(i64::from(s.store.writable()));
        let mut counted = self.counted_at.lock().unwrap_or_else(|p| p.into_inner());
        if counted.as_ref() != Some(&s.digest) {
            for (kind, n) in count_kinds() {
                self.entries
                    .get_or_create(&label("kind", kind_name(kind)))
                    .set(gauge(n));
            }
            *counted = Some(s.digest);
        }
    }

    /// The registry in the Prometheus text format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &registry) {
            tracing::warn!(error = %e, "metrics encoding failed");
        }
        out
    }
}

impl Default for NodeMetrics {
    fn default() -> Self {
        NodeMetrics::new()
    }
}

fn gauge(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn kind_name(kind: Kind) -> String {
    kind.name()
        .map(str::to_string)
        .unwrap_or_else(|| kind.0.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_format_names_every_family() {
        let m = NodeMetrics::new();
        m.gossip_received(GossipOutcome::Accepted);
        m.rejected(Source::Gossip, "bad_signature");
        m.written(Kind::INCIDENT_REPORT);
        m.set_state(&Snapshot::default(), || vec![(Kind::NOTE, 3)]);
        let text = m.encode();
        for needle in [
            "liandong_gossip_received_total{outcome=\"accepted\"} 1",
            "liandong_rejected_entries_total{source=\"gossip\",reason=\"bad_signature\"} 1",
            "liandong_entries{kind=\"note\"} 3",
            "liandong_peers 0",
            "# EOF",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
    }
}
