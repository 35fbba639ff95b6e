//! Links as the event loop keeps them: a connection whose pings go
//! unanswered is closed (a link that died silently looks alive to TCP for
//! a quarter of an hour), and the configured peers are dialled again with
//! backoff (`redial.rs`) whenever they are lost.

use std::time::{Duration, Instant};

use libp2p::swarm::ConnectionId;
use libp2p::swarm::dial_opts::DialOpts;
use libp2p::{PeerId, ping};
use rand::Rng;

use super::event_loop::EventLoop;

/// A connection whose last answered ping is older than this is closed:
/// pings go every `behaviour::PING_INTERVAL` (4 s), so this is several
/// missed in a row — never one slow answer on a busy thin link, whose bulk
/// exchanges are kept to 0.75 s (`node::pace`).
pub const LIVENESS: Duration = Duration::from_secs(16);

/// How this post dials: always from a fresh source port. libp2p's default,
/// reusing the listening port, fails with "address already in use" when the
/// same peer is dialled again while the last connection's 4-tuple lingers in
/// TIME_WAIT — exactly a reconnect right after a restart.
pub(super) fn dial_opts(addr: &libp2p::Multiaddr) -> DialOpts {
    let peer = addr.iter().find_map(|p| match p {
        libp2p::multiaddr::Protocol::P2p(id) => Some(id),
        _ => None,
    });
    match peer {
        Some(peer) => DialOpts::peer_id(peer)
            .addresses(vec![addr.clone()])
            .allocate_new_port()
            .build(),
        None => DialOpts::unknown_peer_id()
            .address(addr.clone())
            .allocate_new_port()
            .build(),
    }
}

impl EventLoop {
    /// Notes answered pings. libp2p's ping handler keeps the first failure
    /// to itself and reports the next as a negotiation error, so liveness
    /// is judged here, from the last answer (`check_liveness`). A peer that
    /// does not speak ping at all (a tool, a test client) is left alone.
    pub(super) fn on_ping(&mut self, event: ping::Event) {
        match event.result {
            Ok(_) => {
                self.alive
                    .insert(event.connection, (event.peer, Instant::now()));
            }
            Err(ping::Failure::Unsupported) => {
                self.alive.remove(&event.connection);
            }
            Err(failure) => {
                tracing::debug!(peer = %event.peer, %failure, "ping failed");
            }
        }
    }

    /// Closes connections whose pings stopped coming back. The node hears
    /// of it as a disconnection (when it was the peer's last connection)
    /// and the redial starts.
    pub(super) fn check_liveness(&mut self) {
        let now = Instant::now();
        let dead: Vec<(ConnectionId, PeerId, Duration)> = self
            .alive
            .iter()
            .filter(|(_, (_, last))| now.duration_since(*last) > LIVENESS)
            .map(|(c, (p, last))| (*c, *p, now.duration_since(*last)))
            .collect();
        for (connection, peer, silent) in dead {
            tracing::info!(
                %peer,
                silent_s = silent.as_secs(),
                "link stopped answering; closing it / 链路无响应，已断开"
            );
            self.alive.remove(&connection);
            self.swarm.close_connection(connection);
        }
    }

    /// Dials the configured peers whose turn it is (not those kept out).
    pub(super) fn dial_due(&mut self) {
        let mut rng = rand::rng();
        let mut jitter = || rng.random_range(0.8..1.2);
        let due = self.redial.due(std::time::Instant::now(), &mut jitter);
        for addr in due {
            let opts = dial_opts(&addr);
            let id = opts.connection_id();
            let peer = opts.get_peer_id();
            if peer.is_some_and(|p| self.keeps_out(&p) || self.swarm.is_connected(&p)) {
                let why = "kept out, or already connected";
                self.redial.failed(
                    Some(&addr),
                    peer.as_ref(),
                    why,
                    std::time::Instant::now(),
                    &mut jitter,
                );
                continue;
            }
            match self.swarm.dial(opts) {
                Ok(()) => {
                    self.dialling.insert(id, addr);
                }
                Err(e) => self.redial.failed(
                    Some(&addr),
                    peer.as_ref(),
                    &e.to_string(),
                    std::time::Instant::now(),
                    &mut jitter,
                ),
            }
        }
    }

    /// A dial failed; if it was one of the configured peers', its backoff
    /// grows.
    pub(super) fn on_dial_failed(
        &mut self,
        connection: ConnectionId,
        peer: Option<PeerId>,
        error: &str,
    ) {
        if let Some(addr) = self.dialling.remove(&connection) {
            let mut rng = rand::rng();
            self.redial.failed(
                Some(&addr),
                peer.as_ref(),
                error,
                std::time::Instant::now(),
                &mut || rng.random_range(0.8..1.2),
            );
        }
    }
}
