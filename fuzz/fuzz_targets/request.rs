//! `Request::decode`: every request frame a peer sends on
//! `/liandong/sync/1` (hello, reconcile, fetch, fetch-chain, push, chain,
//! offer), with its per-variant count limits.
//!
//! A decoded request round-trips; a hello's interest can be intersected
//! with this post's, as the node does when a connection opens.

use liandong_fuzz::round_trip;
use liandong_protocol::net::{Request, Response};
use liandong_protocol::{Interest, RegionCode};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(req) = Request::decode(data) else {
            return;
        };
        round_trip(&req, Request::encode, Request::decode);
        if let Request::Hello(hello) = &req {
            let ours = Interest::of_post(&RegionCode::national(), &[]);
            let _ = hello.interest.intersect(&ours);
            let _ = hello.interest.contains(&hello.region);
            // The answer to a hello is a hello: it must fit a response frame.
            let _ = Response::Hello(hello.clone()).encode();
        }
    });
}
