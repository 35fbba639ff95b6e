//! The simulated links: a one-way latency and a rate per link, seeded by
//! the level of the lower post (a village's radio or DSL link is thin and
//! slow, a provincial backbone fast), and a queue per direction: a
//! message leaves when the ones before it on the same direction have
//! left, takes `bytes / rate` to send and arrives `latency` later. There is
//! no loss and no congestion between links; a cut link drops everything in
//! flight (an epoch number, checked on arrival) and carries nothing until
//! healed.

use liandong_protocol::Level;
use rand::Rng;
use rand::rngs::StdRng;

/// Simulated time, in microseconds.
pub type Micros = u64;

#[derive(Debug, Clone)]
pub struct Link {
    /// The post that dials (lists the other as its peer) and the other.
    pub dialler: usize,
    pub listener: usize,
    latency: Micros,
    /// Bytes per microsecond.
    rate: f64,
    /// When each direction is free again: [dialler→listener, back].
    free_at: [Micros; 2],
    pub up: bool,
    /// Bumped by each cut: messages sent before it are lost.
    pub epoch: u32,
}

/// (latency range in ms, rate range in kbit/s) for a link whose lower post
/// is at this level.
fn profile(level: Level) -> ((u64, u64), (u64, u64)) {
    match level {
        Level::Village => ((20, 150), (256, 4_000)),
        Level::Township => ((10, 80), (1_000, 10_000)),
        Level::County => ((5, 40), (4_000, 50_000)),
        _ => ((2, 20), (20_000, 200_000)),
    }
}

impl Link {
    /// A link between `dialler` and `listener`, the lower of which is at
    /// `level`.
    pub fn new(dialler: usize, listener: usize, level: Level, rng: &mut StdRng) -> Link {
        let ((lo_ms, hi_ms), (lo_kbit, hi_kbit)) = profile(level);
        let kbit = rng.random_range(lo_kbit..=hi_kbit);
        Link {
            dialler,
            listener,
            latency: rng.random_range(lo_ms..=hi_ms) * 1_000,
            rate: kbit as f64 * 1_000.0 / 8.0 / 1e6,
            free_at: [0, 0],
            up: true,
            epoch: 0,
        }
    }

    /// The other end of the link from `post`.
    pub fn other(&self, post: usize) -> usize {
        if post == self.dialler {
            self.listener
        } else {
            self.dialler
        }
    }

    /// Sends `bytes` from `from` at `now`: when they arrive at the other end.
    pub fn send(&mut self, from: usize, bytes: usize, now: Micros) -> Micros {
        let dir = usize::from(from != self.dialler);
        let start = now.max(self.free_at[dir]);
        let done = start + (bytes as f64 / self.rate).ceil() as Micros;
        self.free_at[dir] = done;
        done + self.latency
    }

    pub fn cut(&mut self) {
        self.up = false;
        self.epoch += 1;
        self.free_at = [0, 0];
    }

    pub fn heal(&mut self) {
        self.up = true;
    }

    /// One round trip with nothing queued, for a hello.
    pub fn round_trip(&self) -> Micros {
        2 * self.latency
    }
}
