//! Links as the event loop keeps them: a connection whose pings go
//! unanswered is closed (a link that died silently looks alive to TCP for
//! a quarter of an hour), and the configured peers are dialled again with
//! backoff (`redial.rs`) whenever they are lost.

use libp2p::swarm::ConnectionId;
use libp2p::swarm::dial_opts::DialOpts;
use libp2p::{PeerId, ping};
use rand::Rng;

use super::event_loop::EventLoop;

impl EventLoop {
    /// A failed ping closes that connection: the peer stopped answering
    /// within `behaviour::PING_TIMEOUT`. The node hears of it as a
    /// disconnection (when it was the last connection) and the redial
    /// starts.
    pub(super) fn on_ping(&mut self, event: ping::Event) {
        // Only a timeout says the link is dead; a peer that does not speak
        // ping (a tool, a test client) is no reason to drop it.
        if let Err(failure @ ping::Failure::Timeout) = event.result {
            tracing::info!(
                peer = %event.peer,
                %failure,
                "link stopped answering; closing it / 链路无响应，已断开"
            );
            self.swarm.close_connection(event.connection);
        }
    }

    /// Dials the configured peers whose turn it is (not those kept out).
    pub(super) fn dial_due(&mut self) {
        let mut rng = rand::rng();
        let mut jitter = || rng.random_range(0.8..1.2);
        let due = self.redial.due(std::time::Instant::now(), &mut jitter);
        for addr in due {
            let opts = DialOpts::from(addr.clone());
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
