//! The overview a duty officer opens first stays one page at any scale:
//! each list carries at most `OVERVIEW_ROWS` rows, the ones to act on
//! first, and its totals count every one.

mod common;

use common::views::{Author, report, views};
use common::{genesis, open_store};
use liandong_node::domain::load::load_fold;
use liandong_node::domain::projections::{OVERVIEW_ROWS, build_overview};
use liandong_node::restricted::Keyring;
use liandong_protocol::domain::Severity;
use liandong_protocol::{Body, Keypair};

const T0: u64 = 1_700_000_000_000;

#[test]
fn the_overview_carries_the_first_rows_and_counts_them_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open_store(&dir.path().join("store"));
    let g = genesis(&Keypair::from_secret([1; 32]));
    let mut a = Author::new(&g, 50);
    let n = OVERVIEW_ROWS + 10;
    a.incidents(&store, T0, n as u64, 0);
    // The most severe incident, reported before all the others: it still
    // leads the list.
    let mut severe = report("化工厂爆炸", None);
    if let Body::IncidentReport(r) = &mut severe {
        r.severity = Severity::I;
    }
    let severe = a.write(&store, T0 - 1_000, severe);

    let fold = load_fold(&store, &Keyring::empty()).expect("fold");
    let o = build_overview(&views(&fold));
    assert_eq!(o.totals.active, n + 1);
    assert_eq!(o.active.len(), OVERVIEW_ROWS);
    assert_eq!(o.active[0].id, severe.id());
    assert!(
        o.active[1..]
            .windows(2)
            .all(|w| w[0].last_report_ms >= w[1].last_report_ms),
        "then the latest reported first"
    );
    // Every incident is long overdue at the views' time: the list keeps
    // the most overdue, and counts them all.
    assert!(o.totals.overdue_reports > OVERVIEW_ROWS, "{:?}", o.totals);
    assert_eq!(o.overdue_reports.len(), OVERVIEW_ROWS);
    assert!(
        o.overdue_reports
            .windows(2)
            .all(|w| w[0].due_ms.unwrap_or(u64::MAX) <= w[1].due_ms.unwrap_or(u64::MAX)),
        "most overdue first"
    );
    let by_severity: usize = o.by_severity.iter().map(|(_, k)| k).sum();
    assert_eq!(by_severity, n + 1, "the counts by severity are of all");
}
