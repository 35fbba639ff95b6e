//! The simulation's promises on a small network (a few hundred posts):
//! every entry ends up at exactly the posts whose interest holds its
//! scope, a province cut off and reconnected converges, a run is the same
//! for the same seed, and a village's traffic does not grow with the
//! number of provinces.

use liandong_protocol::Level;

use super::world::{Phase, World};
use super::{Shape, SimOptions, SimReport, run};

fn small(posts: usize, provinces: usize, seed: u64) -> SimOptions {
    SimOptions {
        posts,
        seed,
        shape: Shape {
            provinces,
            counties_per_prefecture: 3,
            units: 3,
            townships: 3,
            villages: 4,
        },
        entries: 2,
        partition_entries: 1,
        live_s: 20,
        partition_s: 20,
        sync_interval_s: 10,
        cut_province: None,
        heal_limit_s: 300,
    }
}

fn play(opts: &SimOptions) -> (SimReport, World) {
    let (report, world) = run::play(opts).expect("simulation runs");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    (report, world)
}

#[test]
fn every_entry_reaches_exactly_its_interested_posts_and_a_healed_province_converges() {
    let (report, w) = play(&small(300, 3, 11));
    assert!(
        report.posts > 250 && report.posts <= 300,
        "{}",
        report.posts
    );
    assert!(
        report.live_converged_s.is_some(),
        "the live phase delivered everything"
    );
    let p = &report.partition;
    assert!(p.posts_cut_off > 1 && p.links_cut >= 1);
    assert!(p.missing_pairs > 0, "the cut kept entries apart");
    assert!(p.converged_after_s.is_some(), "converged after the heal");
    // Checked against the interest rule for every (post, entry) pair, not
    // through the simulator's own bookkeeping.
    let mut outside = 0;
    for post in &w.posts {
        for (i, e) in w.entries.iter().enumerate() {
            let wants = post.interest.contains(&e.scope);
            assert_eq!(
                post.held.contains(&(i as u32)),
                wants,
                "{} and an entry scoped {}",
                post.region,
                e.scope
            );
            outside += usize::from(!wants);
        }
        assert_eq!(post.held.len() as u32, post.expected);
    }
    assert!(outside > 0, "some entries belong elsewhere");
    // A village holds far less than the network.
    let village = report.level("village").expect("villages");
    assert!(village.interest_max as usize * 4 < report.entries);
    // Both sides wrote during the cut.
    assert!(w.entries.iter().any(|e| e.phase == Phase::Partition));
}

#[test]
fn a_run_is_the_same_for_the_same_seed() {
    let a = play(&small(150, 2, 5)).0;
    let b = play(&small(150, 2, 5)).0;
    let json = |r: &SimReport| {
        serde_json::to_string(&(&r.per_post, &r.partition, &r.live_delivery)).expect("json")
    };
    assert_eq!(json(&a), json(&b));
    let c = play(&small(150, 2, 6)).0;
    assert_ne!(json(&a), json(&c), "another seed, another run");
}

/// The most gossip a village can receive: each message of each topic it
/// hears at most once from each neighbour in that topic's mesh.
fn gossip_bound(w: &World, post: usize) -> u64 {
    let p = &w.posts[post];
    w.entries
        .iter()
        .filter(|e| e.phase == Phase::Live && p.hears(&e.home))
        .map(|e| {
            let mesh = p
                .peers
                .iter()
                .filter(|end| w.posts[end.peer].hears(&e.home))
                .count() as u64;
            mesh * (e.wire_len + e.topic_len + super::world::GOSSIP_FRAMING) as u64
        })
        .sum()
}

#[test]
fn a_villages_traffic_does_not_grow_with_the_provinces() {
    let (few, w_few) = play(&small(300, 2, 21));
    let (many, w_many) = play(&small(900, 6, 21));
    assert!(many.posts as f64 >= 2.5 * few.posts as f64);
    let mut bounds = [0u64; 2];
    for (k, w) in [&w_few, &w_many].into_iter().enumerate() {
        for (i, p) in w.posts.iter().enumerate() {
            if p.level != Level::Village {
                continue;
            }
            let bound = gossip_bound(w, i);
            let got = p.traffic[Phase::Live as usize].gossip_received;
            assert!(
                got <= bound,
                "{}: {got} B of gossip over the bound {bound}",
                p.region
            );
            bounds[k] = bounds[k].max(bound);
        }
    }
    // The bound is a function of the county's shape and the writes above
    // it, not of the network: the same in both.
    assert_eq!(
        bounds[0], bounds[1],
        "the model's bound moved with the provinces"
    );
    let v_few = few.level("village").expect("villages");
    let v_many = many.level("village").expect("villages");
    assert_eq!(v_few.interest_max, v_many.interest_max, "same interest set");
    // Everything a village receives (gossip, and syncs with its township
    // and partner): within a quarter of the smaller network's, while the
    // network tripled.
    assert!(
        v_many.received_mean <= 1.25 * v_few.received_mean,
        "village receives {:.0} B with {} provinces against {:.0} B with {}",
        v_many.received_mean,
        many.shape.provinces,
        v_few.received_mean,
        few.shape.provinces
    );
}
