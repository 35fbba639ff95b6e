//! Chain gaps (and certificate chains, keyed by seq 0) already asked for,
//! so that a stream of entries from an author whose earlier entries lie
//! outside this post's interest does not cause a stream of fetches.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use liandong_protocol::NodeId;

/// A chain gap is asked for at most this often.
pub const GAP_RETRY: Duration = Duration::from_secs(60);
/// Remembered gap requests, before old ones are forgotten.
const MAX_GAP_MEMORY: usize = 4096;

#[derive(Debug, Default)]
pub struct GapMemory {
    asked: HashMap<(NodeId, u64), Instant>,
}

impl GapMemory {
    /// Whether to ask for `author`'s chain from `seq` now (and remember it).
    pub fn should_ask(&mut self, author: NodeId, seq: u64, now: Instant) -> bool {
        if self.asked.len() >= MAX_GAP_MEMORY {
            self.asked
                .retain(|_, at| now.duration_since(*at) < GAP_RETRY);
        }
        match self.asked.get(&(author, seq)) {
            Some(at) if now.duration_since(*at) < GAP_RETRY => false,
            _ => {
                self.asked.insert((author, seq), now);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gap_is_asked_for_once_per_retry_interval() {
        let mut g = GapMemory::default();
        let t0 = Instant::now();
        let author = NodeId([1; 32]);
        assert!(g.should_ask(author, 5, t0));
        assert!(!g.should_ask(author, 5, t0 + GAP_RETRY - Duration::from_millis(1)));
        assert!(g.should_ask(author, 6, t0));
        assert!(g.should_ask(author, 5, t0 + GAP_RETRY));
    }
}
