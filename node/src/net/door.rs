//! Keeping the door open: a source address may hold only a few inbound
//! connections that have not finished their handshake.
//!
//! libp2p's own limit on pending inbound connections is one number for
//! everyone, so a handful of silent sockets from one host could take every
//! slot and lock out honest posts. With this limit (and the handshake
//! timeout in `behaviour::build_swarm`), a silent host holds at most
//! [`MAX_PENDING_PER_IP`] slots, each for at most the timeout.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::IpAddr;
use std::task::{Context, Poll};

use libp2p::core::Endpoint;
use libp2p::core::transport::PortUse;
use libp2p::multiaddr::Protocol;
use libp2p::swarm::{
    ConnectionDenied, ConnectionId, FromSwarm, NetworkBehaviour, THandler, THandlerInEvent,
    THandlerOutEvent, ToSwarm, dummy,
};
use libp2p::{Multiaddr, PeerId};

/// Inbound connections still in their handshake, per source address.
pub const MAX_PENDING_PER_IP: usize = 8;

/// Refused: this host already has its share of pending connections.
#[derive(Debug, thiserror::Error)]
#[error("{ip} already has {pending} connections in their handshake (limit {max})")]
pub struct TooManyPending {
    ip: IpAddr,
    pending: usize,
    max: usize,
}

#[derive(Debug, Default)]
pub struct PendingPerIp {
    by_connection: HashMap<ConnectionId, IpAddr>,
    per_ip: HashMap<IpAddr, usize>,
}

/// The IP address a multiaddr names, if any.
pub(super) fn ip_of(addr: &Multiaddr) -> Option<IpAddr> {
    addr.iter().find_map(|p| match p {
        Protocol::Ip4(ip) => Some(IpAddr::V4(ip)),
        Protocol::Ip6(ip) => Some(IpAddr::V6(ip)),
        _ => None,
    })
}

impl PendingPerIp {
    fn release(&mut self, connection: &ConnectionId) {
        if let Some(ip) = self.by_connection.remove(connection)
            && let Some(n) = self.per_ip.get_mut(&ip)
        {
            *n -= 1;
            if *n == 0 {
                self.per_ip.remove(&ip);
            }
        }
    }

    /// Connections of `ip` in their handshake now.
    pub fn pending(&self, ip: &IpAddr) -> usize {
        self.per_ip.get(ip).copied().unwrap_or(0)
    }
}

impl NetworkBehaviour for PendingPerIp {
    type ConnectionHandler = dummy::ConnectionHandler;
    type ToSwarm = Infallible;

    fn handle_pending_inbound_connection(
        &mut self,
        connection: ConnectionId,
        _local: &Multiaddr,
        remote: &Multiaddr,
    ) -> Result<(), ConnectionDenied> {
        let Some(ip) = ip_of(remote) else {
            return Ok(());
        };
        let pending = self.pending(&ip);
        if pending >= MAX_PENDING_PER_IP {
            return Err(ConnectionDenied::new(TooManyPending {
                ip,
                pending,
                max: MAX_PENDING_PER_IP,
            }));
        }
        self.by_connection.insert(connection, ip);
        *self.per_ip.entry(ip).or_default() += 1;
        Ok(())
    }

    fn handle_established_inbound_connection(
        &mut self,
        connection: ConnectionId,
        _peer: PeerId,
        _local: &Multiaddr,
        _remote: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.release(&connection);
        Ok(dummy::ConnectionHandler)
    }

    fn handle_established_outbound_connection(
        &mut self,
        _connection: ConnectionId,
        _peer: PeerId,
        _addr: &Multiaddr,
        _role: Endpoint,
        _port_use: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        Ok(dummy::ConnectionHandler)
    }

    fn on_swarm_event(&mut self, event: FromSwarm) {
        match event {
            FromSwarm::ListenFailure(f) => self.release(&f.connection_id),
            // Denied by a behaviour consulted before this one.
            FromSwarm::ConnectionEstablished(e) => self.release(&e.connection_id),
            _ => {}
        }
    }

    fn on_connection_handler_event(
        &mut self,
        _peer: PeerId,
        _connection: ConnectionId,
        event: THandlerOutEvent<Self>,
    ) {
        match event {}
    }

    fn poll(&mut self, _: &mut Context<'_>) -> Poll<ToSwarm<Infallible, THandlerInEvent<Self>>> {
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_host_gets_its_share_and_no_more() {
        let mut door = PendingPerIp::default();
        let local: Multiaddr = "/ip4/10.0.0.1/tcp/7400".parse().expect("addr");
        let a: Multiaddr = "/ip4/10.9.9.9/tcp/50000".parse().expect("addr");
        let b: Multiaddr = "/ip4/10.8.8.8/tcp/50000".parse().expect("addr");
        let ids: Vec<ConnectionId> = (0..MAX_PENDING_PER_IP)
            .map(ConnectionId::new_unchecked)
            .collect();
        for id in &ids {
            assert!(
                door.handle_pending_inbound_connection(*id, &local, &a)
                    .is_ok()
            );
        }
        let extra = ConnectionId::new_unchecked(usize::MAX);
        assert!(
            door.handle_pending_inbound_connection(extra, &local, &a)
                .is_err()
        );
        // Another host is not affected.
        assert!(
            door.handle_pending_inbound_connection(extra, &local, &b)
                .is_ok()
        );
        // A handshake that completes frees its slot.
        door.handle_established_inbound_connection(ids[0], PeerId::random(), &local, &a)
            .expect("established");
        assert_eq!(
            door.pending(&ip_of(&a).expect("ip")),
            MAX_PENDING_PER_IP - 1
        );
    }
}
