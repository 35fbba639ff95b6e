//! Console sessions, kept in the running node's memory: a random id (the
//! cookie's value) → the account, with an idle and an absolute expiry.
//! A restart ends every session (the operators log in again).
//!
//! The map is keyed by the BLAKE3 hash of the id, so looking one up does
//! not compare the secret itself byte by byte.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// A session unused this long ends.
pub const SESSION_IDLE: Duration = Duration::from_secs(2 * 3600);
/// A session ends this long after the login however busy (one duty shift).
pub const SESSION_MAX: Duration = Duration::from_secs(12 * 3600);
/// Sessions kept at most; the least recently used goes first.
pub const MAX_SESSIONS: usize = 1024;
/// Random bytes in a session id (hex in the cookie).
const ID_BYTES: usize = 32;

#[derive(Debug, Clone)]
struct Session {
    account: String,
    created: Instant,
    used: Instant,
}

#[derive(Debug, Default)]
pub struct Sessions {
    by_hash: HashMap<[u8; 32], Session>,
}

fn key(id: &str) -> [u8; 32] {
    *blake3::hash(id.trim().as_bytes()).as_bytes()
}

impl Sessions {
    /// Starts a session for `account`; its id, or `None` when the system
    /// has no randomness to give.
    pub fn start(&mut self, account: &str, now: Instant) -> Option<String> {
        let mut bytes = [0u8; ID_BYTES];
        getrandom::fill(&mut bytes).ok()?;
        let id = hex::encode(bytes);
        self.sweep(now);
        if self.by_hash.len() >= MAX_SESSIONS
            && let Some(oldest) = self
                .by_hash
                .iter()
                .min_by_key(|(_, s)| s.used)
                .map(|(k, _)| *k)
        {
            self.by_hash.remove(&oldest);
        }
        self.by_hash.insert(
            key(&id),
            Session {
                account: account.to_string(),
                created: now,
                used: now,
            },
        );
        Some(id)
    }

    /// The account of a live session (and marks it used); an expired one
    /// is ended.
    pub fn use_session(&mut self, id: &str, now: Instant) -> Option<String> {
        let k = key(id);
        let s = self.by_hash.get_mut(&k)?;
        if expired(s, now) {
            self.by_hash.remove(&k);
            return None;
        }
        s.used = now;
        Some(s.account.clone())
    }

    /// Ends a session (logout); the account it was, if it was live.
    pub fn end(&mut self, id: &str) -> Option<String> {
        self.by_hash.remove(&key(id)).map(|s| s.account)
    }

    /// Ends every session of `account` (disabled, or its password changed).
    pub fn end_account(&mut self, account: &str) -> usize {
        let before = self.by_hash.len();
        self.by_hash
            .retain(|_, s| !s.account.eq_ignore_ascii_case(account));
        before - self.by_hash.len()
    }

    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    fn sweep(&mut self, now: Instant) {
        self.by_hash.retain(|_, s| !expired(s, now));
    }
}

fn expired(s: &Session, now: Instant) -> bool {
    now.saturating_duration_since(s.used) >= SESSION_IDLE
        || now.saturating_duration_since(s.created) >= SESSION_MAX
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_end_when_idle_too_long() {
        let t0 = Instant::now();
        let mut s = Sessions::default();
        let id = s.start("zhang", t0).expect("id");
        assert_eq!(id.len(), 2 * ID_BYTES);
        let just_before = t0 + SESSION_IDLE - Duration::from_millis(1);
        assert_eq!(s.use_session(&id, just_before).as_deref(), Some("zhang"));
        // Idle counts from the last use.
        let later = just_before + SESSION_IDLE - Duration::from_millis(1);
        assert_eq!(s.use_session(&id, later).as_deref(), Some("zhang"));
        assert_eq!(s.use_session(&id, later + SESSION_IDLE), None);
        assert!(s.is_empty(), "the expired session is gone");
    }

    #[test]
    fn sessions_end_at_their_absolute_limit_however_busy() {
        let t0 = Instant::now();
        let mut s = Sessions::default();
        let id = s.start("zhang", t0).expect("id");
        let mut t = t0;
        while t + SESSION_IDLE / 2 < t0 + SESSION_MAX {
            t += SESSION_IDLE / 2;
            assert!(s.use_session(&id, t).is_some());
        }
        assert_eq!(s.use_session(&id, t0 + SESSION_MAX), None);
    }

    #[test]
    fn logout_and_account_changes_end_sessions() {
        let t0 = Instant::now();
        let mut s = Sessions::default();
        let a = s.start("zhang", t0).expect("id");
        let b = s.start("zhang", t0).expect("id");
        let c = s.start("li", t0).expect("id");
        assert_ne!(a, b);
        assert_eq!(s.end(&a).as_deref(), Some("zhang"));
        assert_eq!(s.use_session(&a, t0), None);
        assert_eq!(s.end_account("ZHANG"), 1);
        assert_eq!(s.use_session(&b, t0), None);
        assert!(s.use_session(&c, t0).is_some());
        assert_eq!(s.use_session("not-a-session", t0), None);
    }

    #[test]
    fn the_session_limit_drops_the_least_recently_used() {
        let t0 = Instant::now();
        let mut s = Sessions::default();
        let first = s.start("a", t0).expect("id");
        let mut last = String::new();
        for i in 1..MAX_SESSIONS {
            last = s
                .start("b", t0 + Duration::from_millis(i as u64))
                .expect("id");
        }
        assert_eq!(s.len(), MAX_SESSIONS);
        let t = t0 + Duration::from_secs(1);
        s.start("c", t).expect("id");
        assert_eq!(s.len(), MAX_SESSIONS);
        assert_eq!(s.use_session(&first, t), None);
        assert!(s.use_session(&last, t).is_some());
    }
}
