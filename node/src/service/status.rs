//! What `liandong status` and the console show about a running post.

use serde::{Deserialize, Serialize};

use super::sync::SyncStats;

/// Where the console listens, and the certificate it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleInfo {
    pub addr: std::net::SocketAddr,
    /// The certificate's SHA-256 fingerprint; `None` for plain HTTP.
    pub fingerprint: Option<crate::tls::Fingerprint>,
    /// The PEM file of that certificate (for `curl --cacert`).
    pub cert: Option<std::path::PathBuf>,
}

impl ConsoleInfo {
    /// `http://addr` or `https://addr`, without a trailing slash.
    pub fn url(&self) -> String {
        let scheme = if self.fingerprint.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeStatus {
    pub peer_id: String,
    pub node_id: String,
    pub name: String,
    pub region: String,
    pub network: String,
    pub listen: Vec<String>,
    /// The console URL, when the console runs (`https://` with TLS).
    pub console: Option<String>,
    /// The SHA-256 fingerprint of the certificate the console serves, when
    /// it serves TLS: what `curl`, browsers and the CLI pin.
    #[serde(default)]
    pub console_fingerprint: Option<String>,
    /// The PEM file of that certificate, for `curl --cacert`.
    #[serde(default)]
    pub console_cert: Option<String>,
    /// Connected peers.
    pub peers: usize,
    pub connections: usize,
    pub mesh_peers: usize,
    /// Entries this post holds.
    pub entries: u64,
    /// `count:sum` over every entry this post holds: equal on two posts
    /// exactly when they hold the same entries.
    pub digest: String,
    pub store_bytes: u64,
    /// Free space, the reserve, and whether writing is paused or failed.
    pub store: crate::store::StoreHealth,
    pub peer_list: Vec<PeerStatus>,
    pub recent_syncs: Vec<SyncStats>,
    /// The configured peers (`network.peers`, `--peer`): connected, or
    /// being redialled with backoff.
    #[serde(default)]
    pub links: Vec<crate::net::LinkStatus>,
    /// Peers this post keeps out now, why, and until when.
    #[serde(default)]
    pub bans: Vec<crate::net::BanInfo>,
    /// Peers that told this post they keep it out.
    #[serde(default)]
    pub banned_by: Vec<BannedBy>,
}

/// One peer as status shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeerStatus {
    pub peer_id: String,
    pub node_id: Option<String>,
    pub name: Option<String>,
    pub region: Option<String>,
    pub address: String,
    pub connected_since: String,
    pub last_sync: Option<SyncStats>,
}

/// A peer's notice that it keeps this post out.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BannedBy {
    pub peer_id: String,
    pub name: Option<String>,
    pub reason: String,
    /// Wall-clock ms when the ban ends.
    pub until_ms: u64,
}

/// A post this post has heard from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Heard {
    pub peer_id: String,
    pub node_id: String,
    pub name: Option<String>,
    pub region: String,
    pub connected: bool,
    /// Wall-clock ms of the last hello, message or sync from it.
    pub last_ms: u64,
}

/// Running totals of the sync sessions this post started.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct SyncTotals {
    pub sessions: u64,
    pub failed: u64,
    pub round_trips: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub fetched: u64,
    pub pushed: u64,
    pub entry_bytes: u64,
    pub reconcile_bytes: u64,
}
