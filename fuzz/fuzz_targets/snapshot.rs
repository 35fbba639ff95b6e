//! The views' snapshot file (`domain::snapshot`): the chunks a post keeps
//! beside its store, so that a start reads one file instead of every
//! entry. `snapshot::in_memory` drives the start's own steps (frames, each
//! chunk's checksum, its records, every item's body) and the compaction's
//! copy on bytes in memory. The file is disk input: a damaged one must be
//! refused with a reason (the start then rebuilds the snapshot), never
//! crash the start.
//!
//! Input: one mode byte.
//! - 0: the rest is a meta row; one that decodes encodes back to the same
//!   bytes.
//! - 1: the rest is a whole file, named `SNAPSHOT_FILE`. A fuzzer seldom
//!   forges a CRC-32, so this explores the framing up to the checksums.
//! - else: the rest is one chunk's contents, which the target frames and
//!   seals as chunk 0 of `SNAPSHOT_FILE`: this explores the records and
//!   items behind the checksum.
//!
//! A file that decodes is copied record by record into a file of another
//! id, as a compaction copies it, and the copy decodes to the same records.

use liandong_fuzz::{SNAPSHOT_FILE, mode};
use liandong_node::domain::snapshot::in_memory::{
    copy_file, decode_file, reencode_meta, sealed_chunk,
};

/// The id of the compaction's copy.
const COPY: [u8; 16] = [0xC0; 16];

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Some((mode, rest)) = mode(data) else {
            return;
        };
        match mode {
            0 => {
                if let Ok(again) = reencode_meta(rest) {
                    assert_eq!(again, rest, "a meta row encodes back to its bytes");
                }
            }
            1 => read_and_copy(rest),
            _ => read_and_copy(&sealed_chunk(&SNAPSHOT_FILE, 0, rest)),
        }
    });
}

fn read_and_copy(file: &[u8]) {
    let Ok(decoded) = decode_file(&SNAPSHOT_FILE, file) else {
        return;
    };
    let copy = copy_file(&SNAPSHOT_FILE, file, &COPY).expect("a file that reads copies");
    let again = decode_file(&COPY, &copy).expect("a copy reads");
    assert_eq!(again.items, decoded.items, "the copy's items differ");
    assert_eq!(
        again.others, decoded.others,
        "the copy's other records differ"
    );
}
