//! How many cores this process may use, for the work split across threads
//! (a received batch's checks, a start's snapshot decoding).

use std::num::NonZeroUsize;
use std::sync::OnceLock;

/// The cores this process may use, asked once: the answer reads cgroup
/// files, which cost more than checking a one-entry gossip delivery.
pub fn available() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, NonZeroUsize::get))
}
