//! Entries some sync session is fetching now (or an accepted offer is
//! bringing), by id prefix, so that two sessions never fetch the same
//! entry down the same thin link at once. A claim lapses after a while, in
//! case the entry never comes.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long an entry claimed for fetching stays claimed without arriving.
pub const CLAIM_LAPSE: Duration = Duration::from_secs(30);
/// Claims remembered before lapsed ones are dropped.
const MAX_CLAIMS: usize = 65_536;

#[derive(Debug, Default)]
pub struct Claims {
    fetching: HashMap<[u8; 8], Instant>,
}

impl Claims {
    /// Claims each prefix no other session holds: true for those claimed.
    pub fn claim(&mut self, prefixes: &[[u8; 8]], now: Instant) -> Vec<bool> {
        if self.fetching.len() > MAX_CLAIMS {
            self.fetching
                .retain(|_, at| now.duration_since(*at) < CLAIM_LAPSE);
        }
        prefixes
            .iter()
            .map(|p| match self.fetching.get(p) {
                Some(at) if now.duration_since(*at) < CLAIM_LAPSE => false,
                _ => {
                    self.fetching.insert(*p, now);
                    true
                }
            })
            .collect()
    }

    /// The entries arrived (or will not): others may fetch them again.
    pub fn release(&mut self, prefixes: impl IntoIterator<Item = [u8; 8]>) {
        for p in prefixes {
            self.fetching.remove(&p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_holds_until_released_or_lapsed() {
        let mut c = Claims::default();
        let t0 = Instant::now();
        assert_eq!(c.claim(&[[1; 8], [2; 8]], t0), vec![true, true]);
        assert_eq!(c.claim(&[[1; 8], [3; 8]], t0), vec![false, true]);
        c.release([[1; 8]]);
        assert_eq!(c.claim(&[[1; 8]], t0), vec![true]);
        let almost = t0 + CLAIM_LAPSE - Duration::from_millis(1);
        assert_eq!(c.claim(&[[2; 8]], almost), vec![false]);
        assert_eq!(c.claim(&[[2; 8]], t0 + CLAIM_LAPSE), vec![true]);
    }
}
