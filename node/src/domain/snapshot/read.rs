//! Reading the snapshot at a start, on every core.
//!
//! Most of a start at a million entries is decoding the records' bodies
//! (`item_of`), and each chunk decodes on its own. So the chunks are taken
//! in key order from one shared reader, each by whichever thread is free,
//! and the decoded parts are put back in chunk order: the list is the one a
//! single thread would build, only sooner. Reading a chunk from the file
//! stays one thread at a time (the reader's lock); decoding runs beside it.

use std::sync::Mutex;

use liandong_protocol::EntryId;
use liandong_protocol::domain::fold::{Fold, Item};

use super::file::{FileId, Frames};
use super::format::{
    Held, ITEM, List, META_KEY, Meta, Scopes, Set, UNDECODABLE, chunk_key, item_of, records, unseal,
};
use super::{fetch, unusable};
use crate::cores;
use crate::restricted::Keyring;
use crate::store::{SideTree, Store, StoreError};

/// Fewer chunks than this per thread are read by the calling thread alone
/// (a small post's start is not worth a thread).
pub const MIN_CHUNKS_PER_THREAD: usize = 8;

/// What the snapshot holds: its fold inputs, and its other records.
/// Items are kept apart from the rest from the start, so that the common
/// start (the snapshot matches the ledger) moves each decoded item once,
/// into one list that becomes the fold's.
pub(super) struct Snapshot {
    pub(super) meta: Meta,
    /// In chunk order: sorted, but for late arrivals in appended chunks.
    pub(super) items: Vec<Item>,
    /// Undecodable entries and domain entries that are no fold input.
    pub(super) others: List,
}

impl Snapshot {
    pub(super) fn len(&self) -> usize {
        self.items.len() + self.others.len()
    }

    /// The fold of what it holds (an entry recorded twice counts once).
    pub(super) fn into_fold(self) -> Fold {
        let mut fold = Fold::from_items(self.items);
        for (_, held) in self.others {
            if let Held::Undecodable(entry) = held {
                fold.insert(&entry);
            }
        }
        fold
    }

    /// Every record by key (an entry recorded twice counts once).
    pub(super) fn into_set(self) -> Set {
        let items = self
            .items
            .into_iter()
            .map(|item| ((item.hlc, item.id), Held::Item(item)));
        items.chain(self.others).collect()
    }
}

/// Reads the snapshot: `Ok(None)` when there is none, `Err(Corrupt)` with
/// the reason when it cannot be used.
pub(super) fn read(
    store: &Store,
    side: &SideTree<'_>,
    keyring: &Keyring,
) -> Result<Option<Snapshot>, StoreError> {
    let Some(meta) = side.get(META_KEY)? else {
        return Ok(None);
    };
    let meta = Meta::decode(&meta).map_err(unusable)?;
    let dir = side
        .dir()
        .map_err(|e| unusable(format!("its folder: {e}")))?;
    let frames = Frames::open(&dir, &meta.file, meta.bytes).map_err(unusable)?;
    let chunks = usize::try_from(meta.chunks).unwrap_or(usize::MAX);
    let threads = cores::threads_for(chunks, MIN_CHUNKS_PER_THREAD, cores::available());
    let reader = Mutex::new(Reader {
        frames,
        expected: 0,
        failed: false,
    });
    let decode = || decode_chunks(&reader, &meta.file, store, keyring);
    let parts = std::thread::scope(|scope| {
        // A thread the system cannot start leaves its share to the others.
        let others: Vec<_> = (1..threads)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("snapshot-read".into())
                    .spawn_scoped(scope, decode)
                    .ok()
            })
            .collect();
        let mut parts = vec![decode()];
        for thread in others {
            parts.push(
                thread
                    .join()
                    .unwrap_or_else(|_| Err(unusable("a thread reading the snapshot panicked"))),
            );
        }
        parts
    });
    let mut decoded = Vec::new();
    for part in parts {
        decoded.extend(part?);
    }
    let expected = reader
        .into_inner()
        .map_err(|_| unusable("the snapshot's reader was poisoned"))?
        .expected;
    if expected != meta.chunks {
        return Err(unusable(format!(
            "the file holds {expected} chunks, the meta counts {}",
            meta.chunks
        )));
    }
    decoded.sort_unstable_by_key(|chunk| chunk.number);
    let count = |f: fn(&Chunk) -> usize| decoded.iter().map(f).sum::<usize>();
    let (items, others) = (count(|c| c.items.len()), count(|c| c.others.len()));
    if (items + others) as u64 != meta.records {
        return Err(unusable(format!(
            "{} records read, the meta says {}",
            items + others,
            meta.records
        )));
    }
    let mut snapshot = Snapshot {
        meta,
        items: Vec::with_capacity(items),
        others: Vec::with_capacity(others),
    };
    for chunk in decoded {
        snapshot.items.extend(chunk.items);
        snapshot.others.extend(chunk.others);
    }
    Ok(Some(snapshot))
}

/// The file's chunks in order, handed out one at a time.
struct Reader {
    frames: Frames,
    /// The number of the next chunk.
    expected: u64,
    /// Set at the first error: the other threads stop taking chunks.
    failed: bool,
}

/// The next chunk's number and sealed bytes; `None` at the end or after a
/// failure.
fn next_chunk(reader: &Mutex<Reader>) -> Option<Result<(u64, Vec<u8>), StoreError>> {
    let mut reader = match reader.lock() {
        Ok(reader) => reader,
        Err(_) => return Some(Err(unusable("the snapshot's reader was poisoned"))),
    };
    if reader.failed {
        return None;
    }
    let n = reader.expected;
    let chunk = reader.frames.next_chunk()?.map(|sealed| (n, sealed));
    let chunk = chunk.map_err(unusable);
    reader.expected += 1;
    reader.failed = chunk.is_err();
    Some(chunk)
}

/// One chunk's records, decoded.
#[derive(Default)]
pub(super) struct Chunk {
    pub(super) number: u64,
    pub(super) items: Vec<Item>,
    pub(super) others: List,
}

/// Takes chunks until none are left, decoding each.
fn decode_chunks(
    reader: &Mutex<Reader>,
    file: &FileId,
    store: &Store,
    keyring: &Keyring,
) -> Result<Vec<Chunk>, StoreError> {
    let mut scopes = Scopes::default();
    let mut decoded = Vec::new();
    while let Some(chunk) = next_chunk(reader) {
        let (number, sealed) = chunk?;
        let mut chunk = Chunk {
            number,
            ..Chunk::default()
        };
        let key = chunk_key(file, number);
        let undecodable = |id: &EntryId| match fetch(store, id, keyring)? {
            Some(entry) => Ok(Held::Undecodable(Box::new(entry))),
            None => Err(unusable(format!("entry {id} is not in the ledger"))),
        };
        let done = decode_chunk(&key, &sealed, &mut scopes, &mut chunk, undecodable);
        if done.is_err()
            && let Ok(mut reader) = reader.lock()
        {
            reader.failed = true;
        }
        done?;
        decoded.push(chunk);
    }
    Ok(decoded)
}

/// The records of one sealed chunk, once its CRC is checked; an
/// undecodable entry's record (its id only) becomes what `undecodable`
/// makes of it (the entry, read from the store).
pub(super) fn decode_chunk(
    key: &[u8],
    value: &[u8],
    scopes: &mut Scopes,
    chunk: &mut Chunk,
    mut undecodable: impl FnMut(&EntryId) -> Result<Held, StoreError>,
) -> Result<(), StoreError> {
    let contents = unseal(key, value).map_err(unusable)?;
    for record in records(contents) {
        let record = record.map_err(unusable)?;
        let held = match record.tag {
            ITEM => {
                let item = item_of(record.key, record.payload, scopes).map_err(unusable)?;
                chunk.items.push(item);
                continue;
            }
            UNDECODABLE => undecodable(&record.key.1)?,
            _ => Held::Other,
        };
        chunk.others.push((record.key, held));
    }
    Ok(())
}
