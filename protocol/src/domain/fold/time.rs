//! The time-derived part of the views: the flags that change as the clock
//! moves while no entry does (overdue, pending, expired).
//!
//! A pass ends by setting them for the context's time. A post that shows
//! its views every second sets them again on the views it has, instead of
//! folding every entry again (at a million entries a pass is about half a
//! second). Both give the same views: tested in `tests/fold_time.rs`.

use super::views::{Views, WarningStatus};

impl Views {
    /// Sets every time-derived flag as of `now` (ms since the epoch), and
    /// the views' `now_ms` to it.
    pub fn set_time(&mut self, now: u64) {
        self.now_ms = now;
        for v in &mut self.incidents {
            let d = &mut v.deadlines;
            d.update_overdue = d.next_update_due_ms.is_some_and(|due| now > due);
        }
        for v in &mut self.warnings {
            v.status = if v.cancel_reason.is_some() {
                WarningStatus::Cancelled
            } else if now < v.current.effective_ms {
                WarningStatus::Pending
            } else if now >= v.current.expires_ms {
                WarningStatus::Expired
            } else {
                WarningStatus::Active
            };
        }
        for r in &mut self.requests {
            r.overdue = r.needed_by_ms.is_some_and(|t| now > t) && r.delivered < r.quantity;
        }
        for t in &mut self.tasks {
            t.overdue = t.due_ms.is_some_and(|due| now > due)
                && t.assignees.iter().any(|a| !a.state.is_final());
        }
        for p in &mut self.plans {
            p.review_overdue = now > p.review_due_ms;
        }
    }
}
