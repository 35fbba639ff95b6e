//! Who is kept out, why, and until when — a plain state machine (time comes
//! in as an argument), so that the rules are tested without a network.
//!
//! A peer is banned only for what it provably did: entries that no honest
//! post would have sent (`ValidationError::blames_relay`), request frames
//! that do not decode, or a failure to be admitted (no valid certificate
//! chain, no hello). Slowness, restarts, late or duplicate messages never
//! ban anyone: gossipsub's own penalties for those are switched off (see
//! `behaviour::peer_score`), and its score no longer bans at all.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use libp2p::PeerId;
use serde::Serialize;

/// How long a peer that sent proof of misbehaviour stays out.
pub const OFFENCE_BAN: Duration = Duration::from_secs(600);
/// How long a peer that could not be admitted stays out before it may try
/// again (it may be certified in the meantime).
pub const NOT_ADMITTED_BAN: Duration = Duration::from_secs(60);

/// Why a peer is kept out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum BanReason {
    /// It delivered more invalid entries than an honest post ever could.
    InvalidEntries { count: u32 },
    /// Its gossip score fell under the floor, which only invalid messages
    /// can do (`behaviour::peer_score`).
    InvalidGossip { score: i64 },
    /// It sent request frames that do not decode (or are over the limit).
    MalformedFrames { count: u32 },
    /// Its hello failed: wrong network, no valid certificate chain, or none
    /// in time.
    NotAdmitted { why: String },
}

impl BanReason {
    /// A short stable label, for metrics and logs.
    pub fn label(&self) -> &'static str {
        match self {
            BanReason::InvalidEntries { .. } => "invalid_entries",
            BanReason::InvalidGossip { .. } => "invalid_gossip",
            BanReason::MalformedFrames { .. } => "malformed_frames",
            BanReason::NotAdmitted { .. } => "not_admitted",
        }
    }

    /// How long this reason keeps a peer out.
    pub fn duration(&self) -> Duration {
        match self {
            BanReason::NotAdmitted { .. } => NOT_ADMITTED_BAN,
            _ => OFFENCE_BAN,
        }
    }
}

impl std::fmt::Display for BanReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BanReason::InvalidEntries { count } => {
                write!(f, "{count} invalid entries / 发送了 {count} 个无效条目")
            }
            BanReason::InvalidGossip { score } => {
                write!(
                    f,
                    "invalid gossip (score {score}) / 发送无效消息（评分 {score}）"
                )
            }
            BanReason::MalformedFrames { count } => {
                write!(f, "{count} malformed requests / 发送了 {count} 个畸形请求")
            }
            BanReason::NotAdmitted { why } => write!(f, "not admitted / 未获准接入: {why}"),
        }
    }
}

/// One ban in force.
#[derive(Debug, Clone)]
pub struct Ban {
    pub reason: BanReason,
    pub until: Instant,
    /// The same moment on the wall clock, for displays and the notice.
    pub until_ms: u64,
}

/// The bans in force.
#[derive(Debug, Default)]
pub struct BanBook {
    bans: HashMap<PeerId, Ban>,
}

impl BanBook {
    /// Bans `peer` for the reason's duration from `now`. A peer already
    /// banned keeps the later end. Returns the ban in force.
    pub fn ban(&mut self, peer: PeerId, reason: BanReason, now: Instant, now_ms: u64) -> &Ban {
        let duration = reason.duration();
        let ban = Ban {
            until: now + duration,
            until_ms: now_ms.saturating_add(duration.as_millis() as u64),
            reason,
        };
        let slot = self.bans.entry(peer).or_insert_with(|| ban.clone());
        if ban.until > slot.until {
            *slot = ban;
        }
        slot
    }

    pub fn is_banned(&self, peer: &PeerId, now: Instant) -> bool {
        self.bans.get(peer).is_some_and(|b| b.until > now)
    }

    pub fn get(&self, peer: &PeerId) -> Option<&Ban> {
        self.bans.get(peer)
    }

    /// Lifts the bans that ended by `now`; returns whom they kept out.
    pub fn expire(&mut self, now: Instant) -> Vec<PeerId> {
        let ended: Vec<PeerId> = self
            .bans
            .iter()
            .filter(|(_, b)| b.until <= now)
            .map(|(p, _)| *p)
            .collect();
        for p in &ended {
            self.bans.remove(p);
        }
        ended
    }

    /// Lifts a ban at once (an operator's unblock).
    pub fn lift(&mut self, peer: &PeerId) {
        self.bans.remove(peer);
    }

    pub fn iter(&self) -> impl Iterator<Item = (&PeerId, &Ban)> {
        self.bans.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bans_end_on_schedule_and_keep_the_later_end() {
        let mut book = BanBook::default();
        let peer = PeerId::random();
        let t0 = Instant::now();
        book.ban(peer, BanReason::NotAdmitted { why: "x".into() }, t0, 1_000);
        assert!(book.is_banned(&peer, t0 + Duration::from_secs(59)));
        // A proven offence during a short ban extends it.
        let ban = book.ban(peer, BanReason::MalformedFrames { count: 9 }, t0, 1_000);
        assert_eq!(ban.reason.label(), "malformed_frames");
        assert_eq!(ban.until_ms, 1_000 + 600_000);
        // A shorter one later does not shorten it.
        book.ban(peer, BanReason::NotAdmitted { why: "y".into() }, t0, 1_000);
        assert!(book.is_banned(&peer, t0 + Duration::from_secs(599)));
        assert!(book.expire(t0 + Duration::from_secs(599)).is_empty());
        assert_eq!(book.expire(t0 + Duration::from_secs(600)), vec![peer]);
        assert!(!book.is_banned(&peer, t0 + Duration::from_secs(600)));
    }
}
