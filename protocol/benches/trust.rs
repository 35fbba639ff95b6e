//! Who an entry's author was: the trust state resolving a post down its
//! certificate chain, as the fold asks once per entry in a network with a
//! genesis (a village is five certificates below the root).

#[path = "../tests/common/world.rs"]
#[allow(dead_code)]
mod world;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use liandong_protocol::authority::Directory;
use liandong_protocol::trust::{TrustDirectory, TrustState};
use liandong_protocol::{Keypair, NodeId};
use world::{World, accept, key, t};

/// A root, then a province, prefecture, county, township and village,
/// each certified by the one above.
fn chain() -> (TrustState, Vec<NodeId>) {
    let mut w = World::new();
    let mut s = w.state();
    let root = Keypair::from_secret([1; 32]);
    let regions = ["65", "6542", "654203", "654203106", "654203106201"];
    let mut issuer = root;
    let mut posts = vec![issuer.node_id()];
    for (i, region) in regions.iter().enumerate() {
        let subject = key(10 + i as u8);
        let c = w.cert(&issuer, &subject, region, t(10 * (i as u64 + 1)));
        accept(&mut s, &c);
        posts.push(subject.node_id());
        issuer = subject;
    }
    (s, posts)
}

fn bench(c: &mut Criterion) {
    let (state, posts) = chain();
    let directory = TrustDirectory::new(state.clone());
    let mut group = c.benchmark_group("trust");
    for (depth, name) in [(0, "root"), (3, "county"), (5, "village")] {
        let node = posts[depth];
        group.bench_function(
            format!("resolve, a {name} ({depth} certificates down)"),
            |b| b.iter(|| black_box(state.post_at(black_box(&node), t(1_000)))),
        );
        group.bench_function(format!("TrustDirectory, a {name}"), |b| {
            b.iter(|| black_box(directory.post_at(black_box(&node), t(1_000))))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
