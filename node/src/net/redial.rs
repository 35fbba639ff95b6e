//! Staying connected to the configured peers: a lost link is dialled again
//! at once, then with exponential backoff (1 s doubling to 60 s, with
//! jitter so that posts that lost the same county do not dial in step),
//! and the backoff starts over when the link is up again. A plain state
//! machine: time and jitter come in as arguments.

use std::time::{Duration, Instant};

use libp2p::{Multiaddr, PeerId};
use serde::Serialize;

/// The first wait after a failed dial.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// The longest wait between dials.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// A dial that has not ended after this long is counted as failed.
pub const DIAL_DEADLINE: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Connected,
    /// Waiting to dial at `next`; `failures` dials failed in a row.
    Waiting {
        next: Instant,
        failures: u32,
    },
    Dialing {
        since: Instant,
        failures: u32,
    },
}

#[derive(Debug, Clone)]
struct Target {
    addr: Multiaddr,
    /// Learned from the address's /p2p/ part or from the first connection.
    peer: Option<PeerId>,
    state: State,
    last_error: Option<String>,
}

/// A configured peer as status shows it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct LinkStatus {
    pub address: String,
    pub peer_id: Option<String>,
    pub connected: bool,
    /// Dials that failed since the link was last up.
    pub failures: u32,
    /// Seconds until the next dial (0 while dialling or connected).
    pub next_dial_s: u64,
    pub last_error: Option<String>,
}

#[derive(Debug, Default)]
pub struct Redial {
    targets: Vec<Target>,
}

impl Redial {
    pub fn new(addrs: &[Multiaddr], now: Instant) -> Redial {
        Redial {
            targets: addrs
                .iter()
                .map(|addr| Target {
                    peer: peer_of(addr),
                    addr: addr.clone(),
                    state: State::Waiting {
                        next: now,
                        failures: 0,
                    },
                    last_error: None,
                })
                .collect(),
        }
    }

    /// The addresses to dial now; they count as dialling until
    /// [`Self::connected`] or [`Self::failed`] (or the dial deadline).
    pub fn due(&mut self, now: Instant, jitter: &mut impl FnMut() -> f64) -> Vec<Multiaddr> {
        let mut out = Vec::new();
        for t in &mut self.targets {
            match t.state {
                State::Waiting { next, failures } if next <= now => {
                    t.state = State::Dialing {
                        since: now,
                        failures,
                    };
                    out.push(t.addr.clone());
                }
                State::Dialing { since, failures }
                    if now.duration_since(since) >= DIAL_DEADLINE =>
                {
                    t.last_error = Some("dial timed out".into());
                    t.state = waiting_after(failures + 1, now, jitter());
                }
                _ => {}
            }
        }
        out
    }

    /// A connection to `peer` at `addr` is up.
    pub fn connected(&mut self, peer: PeerId, addr: &Multiaddr) {
        for t in &mut self.targets {
            if t.peer.is_none() && &t.addr == addr {
                t.peer = Some(peer);
            }
            if t.peer == Some(peer) {
                if matches!(t.state, State::Waiting { failures, .. } | State::Dialing { failures, .. } if failures > 2)
                {
                    tracing::info!(peer = %peer, addr = %t.addr, "configured peer reachable again / 已重新连接");
                }
                t.state = State::Connected;
                t.last_error = None;
            }
        }
    }

    /// The last connection to `peer` closed: dial again at once.
    pub fn disconnected(&mut self, peer: &PeerId, now: Instant) {
        for t in &mut self.targets {
            if t.peer.as_ref() == Some(peer) && t.state == State::Connected {
                tracing::info!(%peer, addr = %t.addr, "link to a configured peer lost; redialling / 与配置的对等节点断开，正在重连");
                t.state = State::Waiting {
                    next: now,
                    failures: 0,
                };
            }
        }
    }

    /// A dial of `addr` (or to `peer`) failed.
    pub fn failed(
        &mut self,
        addr: Option<&Multiaddr>,
        peer: Option<&PeerId>,
        error: &str,
        now: Instant,
        jitter: &mut impl FnMut() -> f64,
    ) {
        for t in &mut self.targets {
            let ours =
                addr.is_some_and(|a| a == &t.addr) || (peer.is_some() && t.peer.as_ref() == peer);
            if let (true, State::Dialing { failures, .. }) = (ours, &t.state) {
                let failures = failures + 1;
                t.last_error = Some(plain_error(error));
                t.state = waiting_after(failures, now, jitter());
                let wait = match t.state {
                    State::Waiting { next, .. } => next.duration_since(now),
                    _ => Duration::ZERO,
                };
                let log = |level_info: bool| {
                    if level_info {
                        tracing::info!(addr = %t.addr, failures, next_in_s = wait.as_secs(), %error, "configured peer unreachable; will redial / 对等节点不可达，稍后重连");
                    } else {
                        tracing::debug!(addr = %t.addr, failures, next_in_s = wait.as_secs(), %error, "redial failed");
                    }
                };
                // Say it when it starts and then now and then, not every time.
                log(failures == 1 || failures.is_power_of_two());
            }
        }
    }

    /// Whether `peer` is one of the configured peers.
    pub fn is_configured(&self, peer: &PeerId) -> bool {
        self.targets.iter().any(|t| t.peer.as_ref() == Some(peer))
    }

    pub fn status(&self, now: Instant) -> Vec<LinkStatus> {
        self.targets
            .iter()
            .map(|t| {
                let (connected, failures, next) = match t.state {
                    State::Connected => (true, 0, Duration::ZERO),
                    State::Waiting { next, failures } => {
                        (false, failures, next.saturating_duration_since(now))
                    }
                    State::Dialing { failures, .. } => (false, failures, Duration::ZERO),
                };
                LinkStatus {
                    address: t.addr.to_string(),
                    peer_id: t.peer.map(|p| p.to_string()),
                    connected,
                    failures,
                    next_dial_s: next.as_secs(),
                    last_error: t.last_error.clone(),
                }
            })
            .collect()
    }
}

/// A dial error as an operator reads it: libp2p's text nests the address
/// and the OS error several times over.
fn plain_error(error: &str) -> String {
    let lower = error.to_lowercase();
    let known = [
        ("connection refused", "connection refused / 连接被拒绝"),
        ("timed out", "timed out / 超时"),
        ("network is unreachable", "network unreachable / 网络不可达"),
        ("no route to host", "no route to host / 无路由"),
        ("host is down", "host down / 主机不可达"),
        ("kept out", "kept out by this post / 已被本节点拒绝"),
    ];
    if let Some((_, plain)) = known.iter().find(|(k, _)| lower.contains(k)) {
        return (*plain).to_string();
    }
    let last = error.rsplit(": ").next().unwrap_or(error);
    last.chars().take(120).collect()
}

/// The wait after `failures` failed dials: 1 s doubling to 60 s, scaled by
/// `jitter` (a factor the caller draws from 0.8..1.2).
fn waiting_after(failures: u32, now: Instant, jitter: f64) -> State {
    let base = FIRST_BACKOFF
        .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
        .min(MAX_BACKOFF);
    State::Waiting {
        next: now + base.mul_f64(jitter.clamp(0.5, 1.5)),
        failures,
    }
}

fn peer_of(addr: &Multiaddr) -> Option<PeerId> {
    addr.iter().find_map(|p| match p {
        libp2p::multiaddr::Protocol::P2p(id) => Some(id),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(peer: &PeerId) -> Multiaddr {
        format!("/ip4/10.0.0.1/tcp/7400/p2p/{peer}")
            .parse()
            .expect("addr")
    }

    #[test]
    fn a_lost_link_is_redialled_at_once_then_with_growing_backoff() {
        let peer = PeerId::random();
        let a = addr(&peer);
        let t0 = Instant::now();
        let mut no_jitter = || 1.0;
        let mut r = Redial::new(std::slice::from_ref(&a), t0);
        assert_eq!(r.due(t0, &mut no_jitter), vec![a.clone()]);
        assert!(r.due(t0, &mut no_jitter).is_empty(), "dialling, not again");
        r.connected(peer, &a);
        assert!(r.status(t0)[0].connected);

        let lost = t0 + Duration::from_secs(100);
        r.disconnected(&peer, lost);
        assert_eq!(r.due(lost, &mut no_jitter), vec![a.clone()], "at once");
        let mut now = lost;
        let mut waits = Vec::new();
        for _ in 0..8 {
            r.failed(Some(&a), None, "refused", now, &mut no_jitter);
            let wait = Duration::from_secs(r.status(now)[0].next_dial_s);
            waits.push(wait.as_secs());
            assert!(
                r.due(now + wait - Duration::from_millis(1), &mut no_jitter)
                    .is_empty()
                    || wait.is_zero()
            );
            now += wait;
            assert_eq!(r.due(now, &mut no_jitter), vec![a.clone()]);
        }
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(r.status(now)[0].failures, 8);
        r.connected(peer, &a);
        assert_eq!(r.status(now)[0].failures, 0, "backoff starts over");
    }

    #[test]
    fn dial_errors_read_plainly() {
        let raw = "Failed to negotiate transport protocol(s): [(/ip4/127.0.0.1/tcp/9/p2p/12D3: \
                   : Connection refused (os error 111): Connection refused (os error 111))]";
        assert_eq!(plain_error(raw), "connection refused / 连接被拒绝");
        assert_eq!(plain_error("a: b: something else"), "something else");
    }

    #[test]
    fn a_dial_that_never_ends_counts_as_failed() {
        let peer = PeerId::random();
        let a = addr(&peer);
        let t0 = Instant::now();
        let mut j = || 1.0;
        let mut r = Redial::new(std::slice::from_ref(&a), t0);
        r.due(t0, &mut j);
        assert!(r.due(t0 + DIAL_DEADLINE, &mut j).is_empty());
        assert_eq!(r.status(t0 + DIAL_DEADLINE)[0].failures, 1);
        assert_eq!(
            r.due(t0 + DIAL_DEADLINE + Duration::from_secs(1), &mut j),
            vec![a]
        );
    }
}
