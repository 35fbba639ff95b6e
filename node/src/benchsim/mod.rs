//! `liandong bench sim`: a seeded, sans-IO simulation of a national
//! network (national → provinces → prefectures → counties → townships →
//! villages, with member units at each county) driven by the posts' real
//! rules, to show what each post holds and sends against its interest set
//! and against the network's size, and how fast a province cut off and
//! reconnected converges.
//!
//! Real, called as the node calls them:
//! - what a post holds: `Interest::of_post` and `Interest::contains` (the
//!   ledger's scope check), `Interest::intersect` for a session's scope;
//! - which topics it hears and where an entry is gossiped:
//!   `node::topic_regions`, `protocol::interest::home_region`;
//! - whom a new entry is pushed to: `node::peers::needs_push`;
//! - when to sync and with whom: one `policy::PeerPolicy` per post (timer,
//!   cascades after bulk arrivals, one session per peer, fetch claims);
//! - how much one exchange carries: one `node::pace::Pace` per peer;
//! - reconciliation: `protocol::sync` (negentropy) on the posts' actual
//!   (HLC, id) sets; frames: `protocol::net` requests and responses sized
//!   by the node's codec, batches by `split_batches`.
//!
//! Modelled simply (each file says how): links (`link.rs`: seeded latency
//! and rate by level, a FIFO per direction, no loss), gossipsub's mesh
//! (`gossip.rs`: every connection between two subscribers), entries (all
//! the size of one real signed 首报; synthetic ids and HLCs; no signature
//! checks, no certificates, no chain-gap fetches). Bytes are the
//! application's frames as the node counts them (`SyncStats`): transport
//! framing (Noise, Yamux) and gossipsub control messages are not counted.
//!
//! Deterministic for a seed: every random choice comes from the seed, the
//! event queue orders ties by scheduling order, and nothing iterates a
//! hash map where the order could matter.

mod gossip;
mod link;
mod push;
mod report;
mod run;
mod session;
#[cfg(test)]
mod tests;
mod tree;
mod world;

pub use report::{Delivery, LevelRow, PartitionReport, PostRow, SimReport};
pub use tree::{Shape, TreeError};

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// At most this many posts (the largest tree of whole counties that fits).
    pub posts: usize,
    pub seed: u64,
    pub shape: Shape,
    /// Entries each post writes in the live phase.
    pub entries: u32,
    /// Entries each post writes while the province is cut off.
    pub partition_entries: u32,
    /// Seconds over which the live writes are spread.
    pub live_s: u64,
    /// Seconds the province stays cut off.
    pub partition_s: u64,
    pub sync_interval_s: u64,
    /// The province cut off (its code); the first one by default.
    pub cut_province: Option<String>,
    /// Seconds after the heal to give up waiting for convergence.
    pub heal_limit_s: u64,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            posts: 10_000,
            seed: 1,
            shape: Shape {
                provinces: 31,
                counties_per_prefecture: 8,
                units: 5,
                townships: 4,
                villages: 6,
            },
            entries: 2,
            partition_entries: 1,
            live_s: 60,
            partition_s: 60,
            sync_interval_s: 30,
            cut_province: None,
            heal_limit_s: 600,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error(transparent)]
    Tree(#[from] TreeError),
    #[error("simulation set-up: {0}")]
    Setup(String),
}

/// Plays one simulation.
pub fn run(opts: &SimOptions) -> Result<SimReport, SimError> {
    run::run(opts)
}
