//! Bans as the event loop carries them out: who is kept out (`bans.rs`
//! decides for how long), telling the banned post why, malformed request
//! frames, and the gossip score floor.

use std::time::Duration;

use liandong_protocol::net::{Notice, RefusalReason, Request, Response};
use libp2p::PeerId;
use libp2p::request_response::{OutboundRequestId, ResponseChannel};
use tokio::time::Instant;

use super::BanInfo;
use super::NetEvent;
use super::bans::BanReason;
use super::codec::{MalformedFrame, Sized, sized_request, sized_response};
use super::event_loop::EventLoop;

/// A gossip score under this is proof of invalid messages: with the
/// parameters in `behaviour::peer_score`, only P4 (invalid deliveries) can
/// make a score negative, and gossipsub's graylist starts at −80.
const BAN_SCORE: f64 = -100.0;
/// Undecodable or oversized request frames one connection may send before
/// the peer is banned (an honest post never sends one).
pub const MAX_MALFORMED_FRAMES: u32 = 8;
/// How long a banned peer stays connected for its notice to arrive.
const NOTICE_GRACE: Duration = Duration::from_secs(2);

impl EventLoop {
    /// Whether this post keeps `peer` out now (banned or blocked).
    pub(super) fn keeps_out(&self, peer: &PeerId) -> bool {
        self.blocked.contains(peer) || self.bans.is_banned(peer, std::time::Instant::now())
    }

    /// Bans `peer`: records it, tells it why and until when (a `Notice`),
    /// then — once the notice is answered, or after a grace — disconnects
    /// it and refuses its connections until the ban ends.
    pub(super) fn ban(&mut self, peer: PeerId, reason: BanReason) {
        let ban = self
            .bans
            .ban(
                peer,
                reason,
                std::time::Instant::now(),
                crate::clock::now_ms(),
            )
            .clone();
        tracing::warn!(
            %peer,
            reason = ban.reason.label(),
            detail = %ban.reason,
            until = %crate::clock::format_ms(ban.until_ms),
            "peer banned / 已封禁对等节点"
        );
        self.emit(NetEvent::Banned {
            peer,
            reason: ban.reason.clone(),
            until_ms: ban.until_ms,
        });
        if self.swarm.is_connected(&peer) && !self.closing.contains_key(&peer) {
            let notice = Request::Notice(Notice::Banned {
                until_ms: ban.until_ms,
                reason: ban.reason.to_string(),
            });
            let id = self
                .swarm
                .behaviour_mut()
                .sync
                .send_request(&peer, Ok(sized_request(notice)));
            self.notices.insert(id, peer);
            self.closing.insert(peer, Instant::now() + NOTICE_GRACE);
        } else if !self.closing.contains_key(&peer) {
            self.shut_out(peer);
        }
    }

    /// A notice was answered (or failed): the banned peer can go now.
    pub(super) fn on_notice_answered(&mut self, request: OutboundRequestId) {
        if let Some(peer) = self.notices.remove(&request)
            && self.closing.remove(&peer).is_some()
        {
            self.shut_out(peer);
        }
    }

    /// Closes `peer`'s connections and refuses new ones (while banned).
    fn shut_out(&mut self, peer: PeerId) {
        self.swarm.behaviour_mut().blocked.block_peer(peer);
        let _ = self.swarm.disconnect_peer_id(peer);
    }

    /// Once a second: lifts ended bans, closes banned peers whose notice
    /// went unanswered, and bans peers whose gossip score proves invalid
    /// messages (gossipsub itself never disconnects anyone).
    pub(super) fn police(&mut self) {
        self.policed += 1;
        for peer in self.bans.expire(std::time::Instant::now()) {
            if !self.blocked.contains(&peer) {
                self.swarm.behaviour_mut().blocked.unblock_peer(peer);
                tracing::info!(%peer, "ban ended / 封禁到期");
            }
        }
        let now = Instant::now();
        let overdue: Vec<PeerId> = self
            .closing
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(p, _)| *p)
            .collect();
        for peer in overdue {
            self.closing.remove(&peer);
            self.shut_out(peer);
        }
        let connected: Vec<PeerId> = self.swarm.connected_peers().copied().collect();
        for peer in connected {
            let Some(score) = self.swarm.behaviour().gossipsub.peer_score(&peer) else {
                continue;
            };
            if score < BAN_SCORE && !self.keeps_out(&peer) {
                self.ban(
                    peer,
                    BanReason::InvalidGossip {
                        score: score as i64,
                    },
                );
            }
        }
    }

    /// Refuses an undecodable or oversized request frame from `peer` (that
    /// exchange ends, the connection stays), and bans a peer that keeps
    /// sending them.
    pub(super) fn on_malformed_frame(
        &mut self,
        peer: PeerId,
        malformed: MalformedFrame,
        channel: ResponseChannel<Sized<Response>>,
    ) {
        tracing::debug!(%peer, error = %malformed, "malformed request refused");
        let refusal = sized_response(Response::Refused {
            reason: RefusalReason::Malformed,
            detail: malformed.to_string(),
        });
        let _ = self
            .swarm
            .behaviour_mut()
            .sync
            .send_response(channel, refusal);
        self.count_malformed(peer, &malformed);
    }

    /// Counts a malformed frame (of any protocol) against `peer`, and bans
    /// a peer that keeps sending them.
    pub(super) fn count_malformed(&mut self, peer: PeerId, malformed: &MalformedFrame) {
        tracing::debug!(%peer, error = %malformed, "malformed frame counted");
        let n = self.malformed.entry(peer).or_default();
        *n += 1;
        let count = *n;
        if count > MAX_MALFORMED_FRAMES && !self.keeps_out(&peer) {
            self.ban(peer, BanReason::MalformedFrames { count });
        }
    }

    /// `Refused { Banned }` with the reason and the end, for a request
    /// from a peer this post bans.
    pub(super) fn banned_refusal(&self, peer: &PeerId) -> Option<Sized<Response>> {
        if !self.bans.is_banned(peer, std::time::Instant::now()) {
            return None;
        }
        let ban = self.bans.get(peer)?;
        Some(sized_response(Response::Refused {
            reason: RefusalReason::Banned,
            detail: format!(
                "banned until {} / 封禁至 {}: {}",
                crate::clock::format_ms(ban.until_ms),
                crate::clock::format_ms(ban.until_ms),
                ban.reason
            ),
        }))
    }

    /// The bans in force, for status.
    pub(super) fn ban_list(&self) -> Vec<BanInfo> {
        let mut out: Vec<BanInfo> = self
            .bans
            .iter()
            .map(|(peer, ban)| BanInfo {
                peer_id: peer.to_string(),
                reason: ban.reason.label().to_string(),
                detail: ban.reason.to_string(),
                until_ms: ban.until_ms,
            })
            .collect();
        out.sort_by(|a, b| a.peer_id.cmp(&b.peer_id));
        out
    }
}
