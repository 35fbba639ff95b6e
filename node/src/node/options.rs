//! How to run a post, and why it may not start.

use std::time::Duration;

use libp2p::Multiaddr;

use crate::datadir::DataDir;
use crate::ledger::LedgerError;
use crate::net;
use crate::post::PostError;

/// How to run a post.
#[derive(Debug, Clone)]
pub struct NodeOptions {
    pub data_dir: DataDir,
    /// Listen addresses; empty means the config's.
    pub listen: Vec<Multiaddr>,
    /// Peers to dial, in addition to the config's.
    pub peers: Vec<Multiaddr>,
    /// Local-network discovery; `None` means the config's.
    pub mdns: Option<bool>,
    /// Anti-entropy with a random peer this often.
    pub sync_interval: Duration,
    pub heartbeat: Duration,
    /// How long a new connection may go without a completed hello before
    /// the peer is refused (banned for a while): without a hello it is in
    /// no sync, but gossipsub alone would keep it in the mesh for ever.
    pub hello_timeout: Duration,
}

impl NodeOptions {
    pub fn new(data_dir: DataDir) -> NodeOptions {
        NodeOptions {
            data_dir,
            listen: Vec::new(),
            peers: Vec::new(),
            mdns: None,
            sync_interval: Duration::from_secs(30),
            heartbeat: Duration::from_millis(500),
            hello_timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    #[error(transparent)]
    Post(#[from] PostError),
    #[error("network: {0}")]
    Net(#[from] net::NetError),
    #[error("bad address {0:?} in the config: {1}")]
    BadAddress(String, String),
    #[error("cannot start: {0}")]
    Start(String),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}
