//! Hybrid logical clock (Kulkarni et al., 2014).
//!
//! Wall clocks at disaster posts are wrong, and entries must still be ordered
//! causally: an entry written after seeing another carries a larger time.
//! An [`Hlc`] packs wall-clock milliseconds (48 bits, good until the year
//! 10889) and a logical counter (16 bits) into one `u64` that orders like the
//! pair. The clock never goes backwards and never runs more than the allowed
//! drift ahead of the local wall clock because of a remote time.

use std::fmt;

use serde::{Deserialize, Serialize};

const COUNTER_BITS: u32 = 16;
const COUNTER_MAX: u64 = (1 << COUNTER_BITS) - 1;
/// The largest wall time an HLC can carry, in ms since the Unix epoch.
pub const MAX_WALL_MS: u64 = (1 << (64 - COUNTER_BITS)) - 1;

/// A hybrid logical time: wall milliseconds plus a logical counter.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Hlc(u64);

impl Hlc {
    pub const ZERO: Hlc = Hlc(0);

    /// `wall_ms` is clamped to [`MAX_WALL_MS`], `counter` to 16 bits.
    pub const fn new(wall_ms: u64, counter: u16) -> Self {
        let wall = if wall_ms > MAX_WALL_MS {
            MAX_WALL_MS
        } else {
            wall_ms
        };
        Hlc((wall << COUNTER_BITS) | counter as u64)
    }

    pub const fn from_u64(raw: u64) -> Self {
        Hlc(raw)
    }

    pub const fn as_u64(self) -> u64 {
        self.0
    }

    pub const fn wall_ms(self) -> u64 {
        self.0 >> COUNTER_BITS
    }

    pub const fn counter(self) -> u16 {
        (self.0 & COUNTER_MAX) as u16
    }

    /// The smallest HLC at or after `wall_ms` (for "since" queries).
    pub const fn at_wall(wall_ms: u64) -> Self {
        Hlc::new(wall_ms, 0)
    }
}

impl fmt::Debug for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hlc({}.{})", self.wall_ms(), self.counter())
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.wall_ms(), self.counter())
    }
}

/// A remote time was too far ahead of the local wall clock to be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("remote time {remote} is {ahead_ms} ms ahead of the local clock (limit {max_drift_ms} ms)")]
pub struct DriftError {
    pub remote: Hlc,
    pub ahead_ms: u64,
    pub max_drift_ms: u64,
}

/// The clock state of one node. Sans-IO: the caller passes the wall time.
#[derive(Debug, Clone)]
pub struct HlcClock {
    last: Hlc,
    max_drift_ms: u64,
}

impl HlcClock {
    pub fn new(max_drift_ms: u64) -> Self {
        HlcClock {
            last: Hlc::ZERO,
            max_drift_ms,
        }
    }

    /// Restores a clock that has already issued `last` (after a restart).
    pub fn resume(last: Hlc, max_drift_ms: u64) -> Self {
        HlcClock { last, max_drift_ms }
    }

    pub fn last(&self) -> Hlc {
        self.last
    }

    /// A new time for a local event: strictly greater than every time this
    /// clock has issued or observed.
    pub fn tick(&mut self, wall_ms: u64) -> Hlc {
        let wall = wall_ms.min(MAX_WALL_MS);
        self.last = if wall > self.last.wall_ms() {
            Hlc::new(wall, 0)
        } else {
            Self::successor(self.last)
        };
        self.last
    }

    /// Merges a time seen on a remote entry, so that later local times order
    /// after it. Refuses times more than the allowed drift ahead of `wall_ms`.
    pub fn observe(&mut self, remote: Hlc, wall_ms: u64) -> Result<Hlc, DriftError> {
        let ahead_ms = remote.wall_ms().saturating_sub(wall_ms);
        if ahead_ms > self.max_drift_ms {
            return Err(DriftError {
                remote,
                ahead_ms,
                max_drift_ms: self.max_drift_ms,
            });
        }
        if remote > self.last {
            self.last = remote;
        }
        Ok(self.last)
    }

    fn successor(t: Hlc) -> Hlc {
        if u64::from(t.counter()) < COUNTER_MAX {
            Hlc(t.0 + 1)
        } else {
            // Counter exhausted within one millisecond: borrow the next one.
            Hlc::new(t.wall_ms() + 1, 0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn packs_and_unpacks() {
        let t = Hlc::new(1_700_000_000_123, 42);
        assert_eq!(t.wall_ms(), 1_700_000_000_123);
        assert_eq!(t.counter(), 42);
        assert!(Hlc::new(5, 0) > Hlc::new(4, 9));
        assert!(Hlc::new(5, 1) > Hlc::new(5, 0));
    }

    #[test]
    fn tick_follows_wall_clock_and_never_goes_back() {
        let mut c = HlcClock::new(600_000);
        assert_eq!(c.tick(1000), Hlc::new(1000, 0));
        assert_eq!(c.tick(1000), Hlc::new(1000, 1));
        // Wall clock stepped back: logical counter keeps order.
        assert_eq!(c.tick(900), Hlc::new(1000, 2));
        assert_eq!(c.tick(2000), Hlc::new(2000, 0));
    }

    #[test]
    fn counter_overflow_borrows_next_millisecond() {
        let mut c = HlcClock::resume(Hlc::new(1000, u16::MAX), 600_000);
        assert_eq!(c.tick(1000), Hlc::new(1001, 0));
    }

    #[test]
    fn observe_merges_remote_and_bounds_drift() {
        let mut c = HlcClock::new(10_000);
        c.tick(1000);
        let remote = Hlc::new(5000, 3);
        assert_eq!(c.observe(remote, 1000), Ok(remote));
        assert!(
            c.tick(1000) > remote,
            "local time after a remote time orders after it"
        );
        let err = c
            .observe(Hlc::new(100_000, 0), 1000)
            .expect_err("too far ahead");
        assert_eq!(err.ahead_ms, 99_000);
        // The refused time did not move the clock.
        assert!(c.last() < Hlc::new(100_000, 0));
    }

    proptest! {
        #[test]
        fn monotonic_under_any_events(events in prop::collection::vec((any::<bool>(), 0u64..1_000_000, 0u64..1_000_000), 1..200)) {
            let mut c = HlcClock::new(50_000);
            let mut prev = Hlc::ZERO;
            for (is_tick, wall, remote) in events {
                if is_tick {
                    let t = c.tick(wall);
                    prop_assert!(t > prev);
                    prev = t;
                } else if let Ok(t) = c.observe(Hlc::new(remote, 0), wall) {
                    prop_assert!(t >= prev);
                    prev = t;
                }
            }
        }
    }
}
