//! How much bulk one exchange with a peer may carry.
//!
//! Sync moves backlogs; gossip and pushes carry what is urgent (a 首报, a
//! warning, a task). All share one connection, and whatever a post writes
//! into it waits behind what it wrote before — in the kernel's send buffer
//! and at the thin link's router. So bulk goes in exchanges sized to take
//! about [`TARGET`] (0.75 s) of link time each, one at a time per peer: an urgent
//! entry never waits behind more than that, on a 64 kbit/s radio link or a
//! gigabit LAN alike, and no request takes long enough to time out.
//!
//! The size adapts per peer from what each exchange shows: its time minus
//! the link's round trip (the quickest exchange seen) is transfer time, so
//! bytes over transfer time is the link's rate, and the next budget is the
//! rate times the target — at most double or half the last one, so that
//! one odd sample cannot swing it far. An exchange too quick to measure
//! doubles it; a failed one quarters it. It starts small, so that the
//! first exchange on a thin link is short, and grows in a few exchanges on
//! a fast one; a long round trip (a satellite hop) does not hold it down.

use std::time::Duration;

use liandong_protocol::net::MAX_FRAME_BYTES;

/// Link time one bulk exchange should take: short enough that an urgent
/// entry behind it still crosses a 64 kbit/s link within 2 s, long enough
/// that round trips do not eat the link (measured: BENCHMARKS.md).
pub const TARGET: Duration = Duration::from_millis(750);
/// The smallest budget: a few entries, even on the thinnest link.
pub const MIN_BUDGET: usize = 4 * 1024;
/// Where a new peer starts: half a second at 64 kbit/s.
pub const START_BUDGET: usize = 4 * 1024;
/// Bytes of an entry before any has been seen (for the size of fetches).
const FIRST_ENTRY_GUESS: usize = 512;

/// Transfer time below this is too short to measure a rate from.
const MEASURABLE: Duration = Duration::from_millis(20);

#[derive(Debug, Clone)]
pub struct Pace {
    budget: usize,
    /// The quickest exchange seen: the link's round trip and the peer's
    /// turnaround, which no budget changes.
    min_rtt: Option<Duration>,
    /// Average wire size of the entries seen from this peer, for turning a
    /// byte budget into a number of ids to fetch.
    avg_entry: f64,
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            budget: START_BUDGET,
            min_rtt: None,
            avg_entry: FIRST_ENTRY_GUESS as f64,
        }
    }
}

impl Pace {
    /// Bytes the next bulk exchange may carry (one way).
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// How many entries to ask for in one fetch.
    pub fn fetch_count(&self, max: usize) -> usize {
        ((self.budget as f64 / self.avg_entry.max(64.0)) as usize).clamp(1, max)
    }

    /// An exchange moved `bytes` (both ways) in `took`.
    pub fn observe(&mut self, bytes: usize, took: Duration) {
        let rtt = self.min_rtt.map_or(took, |r| r.min(took));
        self.min_rtt = Some(rtt);
        let transfer = took.saturating_sub(rtt);
        let next = if transfer < MEASURABLE {
            self.budget.saturating_mul(2)
        } else {
            let rate = bytes as f64 / transfer.as_secs_f64();
            let wanted = (rate * TARGET.as_secs_f64()) as usize;
            wanted.clamp(self.budget / 2, self.budget.saturating_mul(2))
        };
        self.budget = next.clamp(MIN_BUDGET, MAX_FRAME_BYTES);
    }

    /// An exchange failed (timed out, the link dropped).
    pub fn failed(&mut self) {
        self.budget = (self.budget / 4).max(MIN_BUDGET);
    }

    /// Entries of these sizes arrived from the peer.
    pub fn saw_entries(&mut self, sizes: impl Iterator<Item = usize>) {
        for s in sizes {
            self.avg_entry = 0.9 * self.avg_entry + 0.1 * s as f64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plays exchanges over a link of `rate` bytes/s and `rtt`; returns the
    /// budget they settle on.
    fn settle(rate: f64, rtt: Duration) -> usize {
        let mut p = Pace::default();
        for _ in 0..40 {
            let bytes = p.budget();
            p.observe(bytes, rtt + Duration::from_secs_f64(bytes as f64 / rate));
        }
        p.budget()
    }

    #[test]
    fn budgets_settle_at_the_target_share_of_the_link() {
        // 64 kbit/s: 8 KB/s, so about 6 KB.
        let thin = settle(8_000.0, Duration::from_millis(80));
        assert!((MIN_BUDGET..=10 * 1024).contains(&thin), "{thin}");
        // 2 Mbit/s over a satellite's 600 ms: about 190 KB, not held down.
        let sat = settle(250_000.0, Duration::from_millis(600));
        assert!((90_000..=380_000).contains(&sat), "{sat}");
        // A LAN: the whole frame.
        assert_eq!(settle(100e6, Duration::from_micros(300)), MAX_FRAME_BYTES);
    }

    #[test]
    fn a_link_that_slows_down_shrinks_the_budget_and_failures_cut_it() {
        let mut p = Pace::default();
        for _ in 0..20 {
            p.observe(p.budget(), Duration::from_millis(1));
        }
        assert_eq!(p.budget(), MAX_FRAME_BYTES);
        for _ in 0..20 {
            let bytes = p.budget();
            p.observe(bytes, Duration::from_secs_f64(bytes as f64 / 8_000.0));
        }
        assert!(p.budget() <= 10 * 1024, "{}", p.budget());
        p.failed();
        assert_eq!(p.budget(), MIN_BUDGET);
    }

    #[test]
    fn fetch_counts_follow_entry_sizes() {
        let mut p = Pace::default();
        p.saw_entries(std::iter::repeat_n(2048, 100));
        assert!(p.fetch_count(1024) <= 3, "{}", p.fetch_count(1024));
        for _ in 0..20 {
            p.observe(p.budget(), Duration::from_millis(1));
        }
        assert_eq!(p.fetch_count(1024), 1024);
    }
}
