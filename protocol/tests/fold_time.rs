//! The time-derived flags (`fold/time.rs`): views folded at one time and
//! then set to another equal the views folded at the other, for every pair
//! of times around the deadlines of an incident, warnings, a request, a
//! task and a plan. This is what lets a post that shows its views every
//! second set the time on the views it has instead of folding again.

mod world;

use liandong_protocol::domain::fold::{Views, WarningStatus};
use liandong_protocol::domain::*;
use liandong_protocol::{Body, SignedEntry};
use world::*;

/// An open incident, a closed one, a warning in force from minute 10 to
/// 100 and one from 0 to 50, a request needed by minute 60, a task due at
/// 40 and a plan due for review at 80.
fn ledger(w: &World) -> Vec<SignedEntry> {
    let open = w.write(&w.village, 1, report(Phase::Initial, None));
    let update = w.write(&w.village, 20, report(Phase::Update, Some(open.id())));
    let closed = w.write(&w.village, 2, report(Phase::Initial, None));
    let closing = w.write(&w.village, 30, report(Phase::Final, Some(closed.id())));
    let issue = |from, to| {
        Body::Warning(Box::new(Warning::Issue {
            drill: None,
            info: warning_info(WarningColor::Orange, "654203", from, to),
        }))
    };
    let later = w.write(&w.weather, 3, issue(10, 100));
    let sooner = w.write(&w.weather, 4, issue(0, 50));
    let needed = w.write(
        &w.village,
        5,
        match request(Some(open.id()), 3) {
            Body::ResourceRequest(mut r) => {
                r.needed_by_ms = Some(at(60));
                Body::ResourceRequest(r)
            }
            _ => unreachable!("a request body"),
        },
    );
    let task = w.write(
        &w.county,
        6,
        task(Some(open.id()), vec![w.village.id()], Some(40)),
    );
    let plan = w.write(
        &w.county,
        7,
        Body::Plan(Box::new(county_plan_record(at(80)))),
    );
    vec![
        open, update, closed, closing, later, sooner, needed, task, plan,
    ]
}

#[test]
fn views_set_to_another_time_equal_views_folded_then() {
    let w = World::new();
    let entries = ledger(&w);
    let minutes = [0, 5, 15, 45, 55, 70, 90, 200, 10_000];
    let folded: Vec<Views> = minutes.iter().map(|m| w.fold(&entries, *m)).collect();

    // The ledger's flags do move over these times.
    let first = &folded[0];
    let last = &folded[minutes.len() - 1];
    assert_eq!(first.incidents.len(), 2);
    assert_eq!(first.warnings[0].status, WarningStatus::Pending);
    assert_eq!(last.warnings[0].status, WarningStatus::Expired);
    assert!(!first.requests[0].overdue && last.requests[0].overdue);
    assert!(!first.tasks[0].overdue && last.tasks[0].overdue);
    assert!(!first.plans[0].review_overdue && last.plans[0].review_overdue);
    let open = |v: &Views| {
        v.incidents
            .iter()
            .find(|i| i.closed.is_none())
            .map(|i| i.deadlines.update_overdue)
    };
    assert_eq!((open(first), open(last)), (Some(false), Some(true)));

    for (a, from) in minutes.iter().zip(&folded) {
        for (b, expected) in minutes.iter().zip(&folded) {
            let mut moved = from.clone();
            moved.set_time(at(*b));
            assert!(
                moved == *expected,
                "folded at minute {a}, set to minute {b}: not the views folded at {b}"
            );
        }
    }
}
