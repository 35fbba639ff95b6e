//! Slowing down password guessing: each wrong password makes the next
//! attempt for that account, and from that source address, wait longer —
//! doubling from [`FIRST_DELAY`], capped. An attempt made before its wait
//! is over is refused without looking at the password, so waiting is the
//! only way on.
//!
//! Never a lockout: the wait of an *account* is capped at
//! [`ACCOUNT_MAX_DELAY`], so someone guessing at the duty officer's
//! account can delay their login by seconds, not keep them out; a
//! *source* guessing many accounts waits up to [`SOURCE_MAX_DELAY`]. A
//! success clears both; quiet for [`FORGET_AFTER`] forgets the failures.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Wrong passwords forgiven before any wait (typos).
pub const FREE_FAILURES: u32 = 2;
/// The first wait; each further failure doubles it.
pub const FIRST_DELAY: Duration = Duration::from_secs(1);
/// The longest wait an account's failures impose.
pub const ACCOUNT_MAX_DELAY: Duration = Duration::from_secs(15);
/// The longest wait a source address's failures impose.
pub const SOURCE_MAX_DELAY: Duration = Duration::from_secs(300);
/// Failures are forgotten after this long without one.
pub const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// Accounts and sources tracked at most each (the quietest go first).
pub const MAX_TRACKED: usize = 4096;
/// Characters of a typed account name kept as a key.
const MAX_KEY_CHARS: usize = 64;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    until: Instant,
}

#[derive(Debug, Default)]
pub struct Throttle {
    accounts: HashMap<String, Failures>,
    sources: HashMap<IpAddr, Failures>,
}

/// The wait after `count` failures, capped at `max`.
pub fn delay_after(count: u32, max: Duration) -> Duration {
    let Some(over) = count.checked_sub(FREE_FAILURES).filter(|n| *n > 0) else {
        return Duration::ZERO;
    };
    let factor = 1u32.checked_shl(over - 1).unwrap_or(u32::MAX);
    FIRST_DELAY.saturating_mul(factor).min(max)
}

fn account_key(account: &str) -> String {
    account
        .trim()
        .to_ascii_lowercase()
        .chars()
        .take(MAX_KEY_CHARS)
        .collect()
}

impl Throttle {
    /// How long the caller must still wait before trying `account` from
    /// `source`; `None` when it may try now.
    pub fn wait(&self, account: &str, source: Option<IpAddr>, now: Instant) -> Option<Duration> {
        let a = self.accounts.get(&account_key(account)).copied();
        let s = source.and_then(|ip| self.sources.get(&ip).copied());
        [a, s]
            .into_iter()
            .flatten()
            .map(|f| f.until.saturating_duration_since(now))
            .filter(|d| !d.is_zero())
            .max()
    }

    /// Records a wrong password; returns the wait it imposes.
    pub fn failed(&mut self, account: &str, source: Option<IpAddr>, now: Instant) -> Duration {
        let a = bump(
            &mut self.accounts,
            account_key(account),
            now,
            ACCOUNT_MAX_DELAY,
        );
        let s = source
            .map(|ip| bump(&mut self.sources, ip, now, SOURCE_MAX_DELAY))
            .unwrap_or_default();
        a.max(s)
    }

    /// A successful login clears the account's and the source's failures.
    pub fn succeeded(&mut self, account: &str, source: Option<IpAddr>) {
        self.accounts.remove(&account_key(account));
        if let Some(ip) = source {
            self.sources.remove(&ip);
        }
    }
}

fn bump<K: std::hash::Hash + Eq + Clone>(
    map: &mut HashMap<K, Failures>,
    key: K,
    now: Instant,
    max: Duration,
) -> Duration {
    if map.len() >= MAX_TRACKED && !map.contains_key(&key) {
        map.retain(|_, f| now.saturating_duration_since(f.last) < FORGET_AFTER);
        if map.len() >= MAX_TRACKED
            && let Some(quietest) = map
                .iter()
                .min_by_key(|(_, f)| f.last)
                .map(|(k, _)| k.clone())
        {
            map.remove(&quietest);
        }
    }
    let f = map.entry(key).or_insert(Failures {
        count: 0,
        last: now,
        until: now,
    });
    if now.saturating_duration_since(f.last) >= FORGET_AFTER {
        f.count = 0;
    }
    f.count = f.count.saturating_add(1);
    f.last = now;
    let delay = delay_after(f.count, max);
    f.until = now + delay;
    delay
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().expect("ip"))
    }

    #[test]
    fn the_delay_doubles_and_is_capped() {
        let delays: Vec<u64> = (1..=12)
            .map(|n| delay_after(n, ACCOUNT_MAX_DELAY).as_secs())
            .collect();
        assert_eq!(delays, [0, 0, 1, 2, 4, 8, 15, 15, 15, 15, 15, 15]);
        assert_eq!(delay_after(u32::MAX, SOURCE_MAX_DELAY), SOURCE_MAX_DELAY);
        assert_eq!(delay_after(10, SOURCE_MAX_DELAY).as_secs(), 128);
    }

    #[test]
    fn an_attempt_inside_the_wait_is_refused_and_success_clears() {
        let t0 = Instant::now();
        let mut t = Throttle::default();
        let src = ip("192.0.2.7");
        assert_eq!(t.wait("zhang", src, t0), None);
        let mut now = t0;
        let mut waits = Vec::new();
        for _ in 0..5 {
            let d = t.failed("zhang", src, now);
            waits.push(d.as_secs());
            if !d.is_zero() {
                assert_eq!(t.wait("ZHANG", src, now), Some(d));
                // Another source, same account: the account's wait holds.
                assert_eq!(t.wait("zhang", ip("192.0.2.8"), now), Some(d));
                // Same source, another account: the source's wait holds.
                assert_eq!(t.wait("li", src, now), Some(d));
            }
            now += d;
            assert_eq!(t.wait("zhang", src, now), None, "the wait ends");
        }
        assert_eq!(waits, [0, 0, 1, 2, 4]);
        t.succeeded("zhang", src);
        assert_eq!(t.failed("zhang", src, now), Duration::ZERO);
    }

    #[test]
    fn an_account_is_never_locked_out_for_long() {
        let t0 = Instant::now();
        let mut t = Throttle::default();
        let mut now = t0;
        // An attacker from many addresses keeps failing on one account.
        for i in 0..1000u32 {
            let src = Some(IpAddr::from([10, 0, (i / 256) as u8, (i % 256) as u8]));
            t.failed("duty", src, now);
            now += Duration::from_millis(10);
        }
        // The honest operator, from their own machine, waits at most the cap.
        let wait = t.wait("duty", ip("192.0.2.1"), now).unwrap_or_default();
        assert!(wait <= ACCOUNT_MAX_DELAY, "{wait:?}");
    }

    #[test]
    fn quiet_forgets_and_the_tables_are_bounded() {
        let t0 = Instant::now();
        let mut t = Throttle::default();
        for _ in 0..5 {
            t.failed("zhang", None, t0);
        }
        let later = t0 + FORGET_AFTER;
        assert_eq!(t.failed("zhang", None, later), Duration::ZERO);
        for i in 0..(MAX_TRACKED + 10) {
            t.failed(
                &format!("guess{i}"),
                None,
                t0 + Duration::from_millis(i as u64),
            );
        }
        assert!(t.accounts.len() <= MAX_TRACKED);
        let long = "x".repeat(10_000);
        t.failed(&long, None, t0);
        assert!(t.accounts.keys().all(|k| k.len() <= MAX_KEY_CHARS));
    }
}
