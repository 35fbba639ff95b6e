//! The faults a seed draws, and how each is played.

use std::time::Duration;

use rand::Rng;
use rand::rngs::StdRng;

use super::wire::LinkState;
use super::world::World;
use super::{Acked, NemesisOptions};

/// How far a post's clock may be skewed: half the allowed future drift
/// (10 min), so that two skewed posts still accept each other's entries.
const MAX_SKEW_MS: i64 = 4 * 60 * 1000;

/// One fault of a schedule.
#[derive(Debug, Clone)]
pub enum Fault {
    /// These links are cut for a while, then healed.
    Partition { links: Vec<usize>, secs: f64 },
    /// A link goes silent (bytes vanish, nobody is told), then comes back.
    Silent { link: usize, secs: f64 },
    /// A link runs at `rate` bytes/s for a while.
    Slow { link: usize, rate: u32, secs: f64 },
    /// A post stops cleanly and starts again at once.
    Restart { post: usize },
    /// A post is killed (SIGKILL) and starts again after `down_secs`.
    Kill { post: usize, down_secs: f64 },
    /// A post writes `entries` entries as fast as it can.
    Burst { post: usize, entries: usize },
    /// A post's clock is set `ms` off, from its next start on (it restarts).
    Skew { post: usize, ms: i64 },
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::Partition { links, secs } => {
                write!(f, "partition links {links:?} for {secs:.1}s")
            }
            Fault::Silent { link, secs } => write!(f, "link {link} silent for {secs:.1}s"),
            Fault::Slow { link, rate, secs } => {
                write!(
                    f,
                    "link {link} at {} kbit/s for {secs:.1}s",
                    rate * 8 / 1000
                )
            }
            Fault::Restart { post } => write!(f, "restart post {post}"),
            Fault::Kill { post, down_secs } => {
                write!(f, "kill post {post}, back after {down_secs:.1}s")
            }
            Fault::Burst { post, entries } => write!(f, "burst of {entries} at post {post}"),
            Fault::Skew { post, ms } => write!(f, "clock of post {post} {ms:+} ms"),
        }
    }
}

/// Draws the next fault.
pub fn draw(rng: &mut StdRng, world: &World, opts: &NemesisOptions) -> Fault {
    let links = world.links.len();
    let posts = world.posts.len();
    let scale = if opts.small { 0.4 } else { 1.0 };
    let secs = |rng: &mut StdRng, lo: f64, hi: f64| rng.random_range(lo..hi) * scale;
    // Silent links and skewed clocks need the time (liveness, restarts)
    // that a small run does not give them.
    let kinds = if opts.small { 5 } else { 7 };
    match rng.random_range(0..kinds) {
        0 => {
            let n = rng.random_range(1..=links.div_ceil(2));
            let mut chosen: Vec<usize> = (0..links).collect();
            for i in (1..chosen.len()).rev() {
                chosen.swap(i, rng.random_range(0..=i));
            }
            chosen.truncate(n);
            chosen.sort_unstable();
            Fault::Partition {
                links: chosen,
                secs: secs(rng, 3.0, 12.0),
            }
        }
        1 => Fault::Slow {
            link: rng.random_range(0..links),
            // 64 to 256 kbit/s.
            rate: rng.random_range(8_000..32_000),
            secs: secs(rng, 5.0, 15.0),
        },
        2 => Fault::Restart {
            post: rng.random_range(0..posts),
        },
        3 => Fault::Kill {
            post: rng.random_range(0..posts),
            down_secs: rng.random_range(0.0..3.0),
        },
        4 => Fault::Burst {
            post: rng.random_range(0..posts),
            entries: opts.burst,
        },
        5 => Fault::Silent {
            link: rng.random_range(0..links),
            secs: rng.random_range(20.0..30.0),
        },
        _ => Fault::Skew {
            post: rng.random_range(0..posts),
            ms: rng.random_range(-MAX_SKEW_MS..=MAX_SKEW_MS),
        },
    }
}

/// Plays `fault` to its end (a held fault is undone before returning).
pub async fn play(world: &World, fault: &Fault, acked: &Acked, rng: &mut StdRng) {
    let hold = |s: f64| tokio::time::sleep(Duration::from_secs_f64(s));
    match fault {
        Fault::Partition { links, secs } => {
            for &l in links {
                world.links[l].wire.set(LinkState::Cut);
            }
            hold(*secs).await;
            for &l in links {
                world.links[l].wire.set(LinkState::Open { rate: None });
            }
        }
        Fault::Silent { link, secs } => {
            world.links[*link].wire.set(LinkState::Silent);
            hold(*secs).await;
            world.links[*link].wire.set(LinkState::Open { rate: None });
        }
        Fault::Slow { link, rate, secs } => {
            world.links[*link]
                .wire
                .set(LinkState::Open { rate: Some(*rate) });
            hold(*secs).await;
            world.links[*link].wire.set(LinkState::Open { rate: None });
        }
        Fault::Restart { post } => {
            let mut p = world.posts[*post].lock().await;
            p.stop().await;
            start(&mut p).await;
        }
        Fault::Kill { post, down_secs } => {
            let mut p = world.posts[*post].lock().await;
            p.kill().await;
            hold(*down_secs).await;
            start(&mut p).await;
        }
        Fault::Burst { post, entries } => {
            let region = world.info[*post].region.clone();
            let name = &world.info[*post].name;
            let p = world.posts[*post].lock().await;
            for i in 0..*entries {
                let text = format!("{name} 快报 {i} / burst {}", rng.random::<u32>());
                if let Some(id) = p.write(&text).await {
                    acked
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((id, region.clone()));
                }
            }
        }
        Fault::Skew { post, ms } => {
            let mut p = world.posts[*post].lock().await;
            p.skew_ms = *ms;
            p.stop().await;
            start(&mut p).await;
        }
    }
}

async fn start(p: &mut super::post::Post) {
    if let Err(e) = p.start().await {
        tracing::warn!(error = %e, "nemesis: a post did not start again");
    }
}
