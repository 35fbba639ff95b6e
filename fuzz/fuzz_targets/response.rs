//! `Response::decode`: every response frame a peer answers with (hello,
//! reconcile, entries, pushed, refused, wanted), with its count limits.
//! A decoded response round-trips.

use liandong_fuzz::round_trip;
use liandong_protocol::net::Response;

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(resp) = Response::decode(data) else {
            return;
        };
        round_trip(&resp, Response::encode, Response::decode);
    });
}
