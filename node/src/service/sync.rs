//! The record of one sync session, as status, the console and the metrics
//! show it.

use libp2p::PeerId;
use serde::{Deserialize, Serialize};

use crate::clock;

/// The record of one sync session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncStats {
    pub peer: String,
    /// Bytes of the last request and its response, both ways.
    #[serde(skip)]
    pub(crate) last: u64,
    pub started: String,
    pub duration_ms: u64,
    pub round_trips: u32,
    /// Bytes of reconciliation messages, both ways.
    pub reconcile_bytes: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub fetched: u64,
    pub pushed: u64,
    /// Wire bytes of the entries that moved either way.
    pub entry_bytes: u64,
    pub ok: bool,
    pub error: Option<String>,
}

impl SyncStats {
    pub fn new(peer: PeerId) -> SyncStats {
        SyncStats {
            peer: peer.to_string(),
            last: 0,
            started: clock::format_ms(clock::now_ms()),
            duration_ms: 0,
            round_trips: 0,
            reconcile_bytes: 0,
            bytes_sent: 0,
            bytes_received: 0,
            fetched: 0,
            pushed: 0,
            entry_bytes: 0,
            ok: false,
            error: None,
        }
    }

    pub fn peer_id(&self) -> Option<PeerId> {
        self.peer.parse().ok()
    }
}
