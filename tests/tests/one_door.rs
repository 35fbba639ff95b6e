//! The operator never waits for the network: an entry this post writes
//! returns once it is durable, while its push to a post above that has
//! stalled (takes the push and never answers) is still outstanding — and
//! the next write is not held up by it either.

use std::time::Duration;

use liandong_protocol::{Keypair, Status};
use liandong_tests::attacker::{Attacker, note_body};
use liandong_tests::hostile::Scene;
use liandong_tests::trusted::{COUNTY, scope};
use liandong_tests::*;

/// A push is answered or times out after 30 s; a write that waited for it
/// would still be running at this deadline.
const WELL_BEFORE_A_PUSH_TIMEOUT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_returns_while_a_push_above_is_stalled() {
    let s = Scene::new().await;
    // A certified key whose hello claims the prefecture: it holds the
    // county's scope but does not hear the county's topic, so the county
    // pushes to it.
    let key = Keypair::from_secret(s.cast.village.secret_bytes());
    let above = Attacker::spawn(key, s.network(), scope("6542"));
    s.admit(&above, &s.county).await;
    above.stall_pushes();

    let county = s.county.clone();
    let first = tokio::spawn(async move {
        county
            .author(scope(COUNTY), Status::Actual, note_body("首报 first"))
            .await
    });
    wait_until("the post above got the push", DEADLINE, || async {
        above.pushes_held() >= 1
    })
    .await;
    wait_until(
        "the write returned with its push outstanding",
        WELL_BEFORE_A_PUSH_TIMEOUT,
        || async { first.is_finished() },
    )
    .await;
    let first = first.await.expect("task").expect("written");

    let second = tokio::time::timeout(
        WELL_BEFORE_A_PUSH_TIMEOUT,
        s.county
            .author(scope(COUNTY), Status::Actual, note_body("续报 update")),
    )
    .await
    .expect("the second write is not held up by the stalled push")
    .expect("written");

    // Both are durable here and reached the township by gossip.
    for entry in [&first, &second] {
        wait_until("the township holds the entry", DEADLINE, || async {
            has(&s.township, entry).await
        })
        .await;
    }
    s.shutdown().await;
}
