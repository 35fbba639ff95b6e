//! The snapshot file read and copied from bytes in memory, without a
//! store: what the fuzz target `snapshot` (`fuzz/`) drives. A snapshot file
//! is disk input; a damaged one must be refused with a reason, and the
//! snapshot rebuilt, never crash a start. The steps are the start's own
//! (`read::decode_chunk`) and the compaction's (`copy_records` into the
//! chunk writer), only fed from memory.

use liandong_protocol::domain::fold::Item;
use liandong_protocol::{EntryId, Hlc, SignedEntry};

use super::file::{self, FileId, Frames};
use super::format::{Chunks, Held, Meta, Scopes, chunk_key, held_of, seal};
use super::read::{Chunk, decode_chunk};

/// What a snapshot file's records decode to, in file order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Decoded {
    /// The fold inputs.
    pub items: Vec<Item>,
    /// The (time, id) of the other records: undecodable entries (read from
    /// the store at a real start) and domain entries that are no fold input.
    pub others: Vec<(Hlc, EntryId)>,
    pub chunks: u64,
}

/// Decodes `bytes` as the snapshot file `file` whose meta counts all of
/// them: each chunk's frame, checksum and records, and every item.
pub fn decode_file(file: &FileId, bytes: &[u8]) -> Result<Decoded, String> {
    let mut frames = Frames::over(bytes, bytes.len() as u64);
    let mut scopes = Scopes::default();
    let mut decoded = Decoded::default();
    while let Some(sealed) = frames.next_chunk() {
        let sealed = sealed?;
        let number = decoded.chunks;
        let mut chunk = Chunk {
            number,
            ..Chunk::default()
        };
        let key = chunk_key(file, number);
        decode_chunk(&key, &sealed, &mut scopes, &mut chunk, |_| Ok(Held::Other))
            .map_err(|e| e.to_string())?;
        decoded.items.extend(chunk.items);
        decoded
            .others
            .extend(chunk.others.into_iter().map(|(key, _)| key));
        decoded.chunks += 1;
    }
    Ok(decoded)
}

/// The snapshot file `file` of `entries`, as a rebuild writes it: each
/// entry's record, in (time, id) order, in chunks.
pub fn file_of(file: &FileId, entries: &[SignedEntry]) -> Vec<u8> {
    let mut held: Vec<_> = entries
        .iter()
        .map(|e| ((e.hlc(), e.id()), held_of(e)))
        .collect();
    held.sort_unstable_by_key(|(key, _)| *key);
    let mut chunks = Chunks::keep(*file, 0, 0);
    for (key, (held, payload)) in held {
        chunks.push(held.tag(), key, &payload);
    }
    chunks.finish().framed
}

/// Copies every record of `bytes` (the snapshot file `from`) into a new
/// file `to`, as a compaction copies the live ones: the new file's bytes.
pub fn copy_file(from: &FileId, bytes: &[u8], to: &FileId) -> Result<Vec<u8>, String> {
    let frames = Frames::over(bytes, bytes.len() as u64);
    let mut chunks = Chunks::keep(*to, 0, 0);
    super::copy_records(frames, from, &mut chunks, |_| true)?;
    Ok(chunks.finish().framed)
}

/// `contents` framed as chunk `number` of the file `file`, with the
/// checksum that makes it read (so a fuzzer gets past the checksum to the
/// records).
pub fn sealed_chunk(file: &FileId, number: u64, contents: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    file::frame(&mut out, &seal(&chunk_key(file, number), contents));
    out
}

/// A meta row decoded and encoded again.
pub fn reencode_meta(row: &[u8]) -> Result<Vec<u8>, String> {
    Meta::decode(row).map(|meta| meta.encode())
}
