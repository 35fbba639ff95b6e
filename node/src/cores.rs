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

/// How many threads share `work` items on a machine with `cores`, at
/// least `per_thread` items each: one when there is too little to share
/// (starting a thread costs something), never more than the cores.
pub fn threads_for(work: usize, per_thread: usize, cores: usize) -> usize {
    (work / per_thread.max(1)).clamp(1, cores.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_start_at_the_bound_and_never_exceed_the_cores() {
        for per_thread in [1, 8, 16, 100] {
            assert_eq!(threads_for(0, per_thread, 2), 1);
            assert_eq!(threads_for(2 * per_thread - 1, per_thread, 2), 1);
            assert_eq!(threads_for(2 * per_thread, per_thread, 2), 2);
            assert_eq!(threads_for(10_000, per_thread, 2), 2);
            assert_eq!(threads_for(10_000, per_thread, 0), 1);
        }
    }
}
