//! The courier: a short-lived swarm that carries one certificate ask
//! (`/liandong/cert-request/1`) to a parent post and brings its answer
//! back, then closes. `liandong cert request --send` and `cert install
//! --from-network` use it without a running node; a running newcomer uses
//! it to send and to poll (`node::handover`).
//!
//! It runs under a fresh key each time. The asking post is not certified,
//! so the parent keeps its own key out for a while after each refused
//! hello (`bans::NOT_ADMITTED_BAN`) — the courier gets through all the
//! same. Nothing in an ask depends on who carries it: a request proves its
//! key by its own signature, and an answer holds only certificates, which
//! every post of the subtree receives anyway.

use std::time::Duration;

use futures::StreamExt;
use liandong_protocol::NodeId;
use liandong_protocol::trust::handover::{CertAnswer, CertAsk};
use libp2p::multiaddr::Protocol;
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::SwarmEvent;
use libp2p::{Multiaddr, PeerId, identity};

use super::behaviour::{HANDOVER_TIMEOUT, handover_behaviour, swarm_with};

/// How long one ask may take from dialling to the answer.
pub const COURIER_DEADLINE: Duration = Duration::from_secs(30);
const _: () = assert!(HANDOVER_TIMEOUT.as_secs() < COURIER_DEADLINE.as_secs());

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CourierError {
    #[error("cannot reach {addr}: {why} / 无法连接上级节点")]
    Unreachable { addr: String, why: String },
    #[error("{addr} did not answer within {secs} s / 上级节点未在 {secs} 秒内应答")]
    Timeout { addr: String, secs: u64 },
    #[error(
        "{addr} does not take certificate requests over the network ({why}); carry the request file instead / 对方不支持网络提交证书申请，请改用文件"
    )]
    Failed { addr: String, why: String },
    #[error("cannot start the network for the request: {0} / 无法启动网络")]
    Start(String),
}

/// Dials `addr`, asks once, and returns the answer.
pub async fn ask(addr: &Multiaddr, ask: CertAsk) -> Result<CertAnswer, CourierError> {
    let shown = addr.to_string();
    let mut swarm = swarm_with(identity::Keypair::generate_ed25519(), |_| {
        Ok(handover_behaviour(ProtocolSupport::Outbound))
    })
    .map_err(|e| CourierError::Start(e.to_string()))?;
    let named: Option<PeerId> = addr.iter().find_map(|p| match p {
        Protocol::P2p(id) => Some(id),
        _ => None,
    });
    swarm
        .dial(addr.clone())
        .map_err(|e| CourierError::Unreachable {
            addr: shown.clone(),
            why: e.to_string(),
        })?;
    let deadline = tokio::time::Instant::now() + COURIER_DEADLINE;
    let mut ask = Some(ask);
    loop {
        let Ok(event) = tokio::time::timeout_at(deadline, swarm.select_next_some()).await else {
            return Err(CourierError::Timeout {
                addr: shown,
                secs: COURIER_DEADLINE.as_secs(),
            });
        };
        match event {
            SwarmEvent::ConnectionEstablished { peer_id, .. } => {
                // Noise has proven the key named in the address, if any.
                if named.is_none_or(|n| n == peer_id)
                    && let Some(a) = ask.take()
                {
                    swarm.behaviour_mut().send_request(&peer_id, Ok(a));
                }
            }
            SwarmEvent::OutgoingConnectionError { error, .. } => {
                return Err(CourierError::Unreachable {
                    addr: shown,
                    why: error.to_string(),
                });
            }
            SwarmEvent::Behaviour(request_response::Event::Message {
                message: request_response::Message::Response { response, .. },
                ..
            }) => return Ok(response),
            SwarmEvent::Behaviour(request_response::Event::OutboundFailure { error, .. }) => {
                return Err(CourierError::Failed {
                    addr: shown,
                    why: error.to_string(),
                });
            }
            _ => {}
        }
    }
}

/// Asks `addr` whether the request of `subject` has been answered; a
/// parent that does not know it (its queue was cleared, or it never got
/// it) is handed it again, signed by `request`. Returns the last answer.
pub async fn collect<E: From<CourierError>>(
    addr: &Multiaddr,
    subject: NodeId,
    request: impl AsyncFnOnce() -> Result<Vec<u8>, E>,
) -> Result<CertAnswer, E> {
    match ask(addr, CertAsk::Poll { subject }).await? {
        CertAnswer::Unknown => Ok(ask(
            addr,
            CertAsk::Submit {
                request: request().await?,
            },
        )
        .await?),
        answer => Ok(answer),
    }
}

/// [`ask`] from synchronous code (the CLI without a running node).
pub fn ask_blocking(addr: &Multiaddr, question: CertAsk) -> Result<CertAnswer, CourierError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CourierError::Start(e.to_string()))?
        .block_on(ask(addr, question))
}

/// [`collect`] from synchronous code.
pub fn collect_blocking<E: From<CourierError>>(
    addr: &Multiaddr,
    subject: NodeId,
    request: impl FnOnce() -> Result<Vec<u8>, E>,
) -> Result<CertAnswer, E> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CourierError::Start(e.to_string()))?
        .block_on(collect(addr, subject, async || request()))
}
