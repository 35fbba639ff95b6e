//! `SignedEntry::decode_stored`: how a post reads its own store back (the
//! same layout decoder `Equivocation::shape` runs on the two entries a fork
//! carries). Stored bytes were validated when written, but disks rot and
//! stores get copied between machines: decoding must fail cleanly.
//!
//! When the bytes decode, the entry keeps them verbatim (its id is their
//! hash, its signature their last 64 bytes), and the decoded header and
//! body, re-signed with another key, decode back to the same header and
//! body (and operator, in either layout version): the wire layout
//! round-trips.

use liandong_fuzz::{keypair, round_trip};
use liandong_protocol::{Body, Draft, EntryId, SignedEntry};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(entry) = SignedEntry::decode_stored(data) else {
            return;
        };
        assert_eq!(entry.wire(), data);
        assert_eq!(entry.id(), EntryId::of_wire_bytes(data));
        assert_eq!(entry.signature(), &data[data.len() - 64..]);
        match entry.body() {
            // A kind newer than this code, or a body that does not decode:
            // stored and relayed as bytes, nothing to re-encode.
            Ok(Body::Unknown { .. }) | Err(_) => {}
            Ok(body) => resign(&entry, body),
        }
    });
}

fn resign(entry: &SignedEntry, body: Body) {
    let header = entry.header().clone();
    let draft = Draft {
        network: header.network,
        seq: header.seq,
        prev: header.prev,
        hlc: header.hlc,
        scope: header.scope.clone(),
        status: header.status,
        body: body.clone(),
        operator: header.operator.clone(),
    };
    let signed = SignedEntry::sign(keypair(), draft).expect("a decoded entry re-signs");
    let back = SignedEntry::decode_stored(signed.wire()).expect("a signed entry decodes");
    let mut expected = header;
    expected.author = keypair().node_id();
    assert_eq!(back.header(), &expected);
    assert_eq!(back.body().as_ref(), Ok(&body));
    let kind = body.kind();
    round_trip(
        &body,
        |b| b.encode().map(|(_, v)| v),
        |v| Body::decode(kind, v),
    );
}
