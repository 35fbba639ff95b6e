//! The views' snapshot on disk: the meta row, chunks sealed with a CRC,
//! and the records inside them (see the parent module for what they mean).
//! Everything read here is disk input: lengths are checked before use.

use std::collections::BTreeMap;

use liandong_protocol::domain::fold::Item;
use liandong_protocol::limits::{
    MAX_ENTRY_CEILING, MAX_OPERATOR_ACCOUNT_BYTES, MAX_OPERATOR_DISPLAY_CHARS,
};
use liandong_protocol::{
    Body, EntryId, Hlc, Kind, LedgerDigest, NodeId, Operator, RegionCode, SignedEntry, Status,
};

use super::file::{self, FileId, NewFile};

/// The layout below; another value is rebuilt, never read. (3: kind 221,
/// external warnings, became a fold input; a snapshot of older code listed
/// it as "other" and would never read it again. 4: likewise kind 235,
/// rescue-force records; and a commitment returned before delivery no
/// longer counts toward its request, so saved request views are stale.
/// 5: an item keeps the operator who entered it, which views show.
/// 6: the chunks moved from sled rows to a file of their own.)
pub const FORMAT: u32 = 6;

/// The commit row: format, digest, file id, latest time, chunks, bytes,
/// records.
pub(super) const META_KEY: &[u8] = b"M";
pub(super) const META_BYTES: usize = 4 + LedgerDigest::BYTES + 16 + 4 * 8;

/// Record tags. A fold input:
pub(super) const ITEM: u8 = b'I';
/// A domain-kind entry whose body does not decode: listed as invalid in
/// every view, so it is kept (as its id; the entry is read at load).
pub(super) const UNDECODABLE: u8 = b'U';
/// A domain-kind entry that is not a fold input (kept so it is not read
/// again at every load).
pub(super) const OTHER: u8 = b'N';

/// tag, HLC, id, payload length.
pub(super) const RECORD_HEAD: usize = 1 + 8 + 32 + 4;
/// author, status, kind, scope length; then the scope, the operator and
/// the body.
pub(super) const ITEM_HEAD: usize = 32 + 1 + 2 + 1;
/// The operator: account length (0 for none), account, display length,
/// display. Both lengths are bytes and fit a `u8` (`limits.rs`).
const MAX_OPERATOR_BYTES: usize = 2 + MAX_OPERATOR_ACCOUNT_BYTES + 4 * MAX_OPERATOR_DISPLAY_CHARS;
const _: () = assert!(MAX_OPERATOR_ACCOUNT_BYTES <= 255 && 4 * MAX_OPERATOR_DISPLAY_CHARS <= 255);
/// A record holds one entry's body: never more than an entry may be.
pub(super) const MAX_PAYLOAD: usize =
    ITEM_HEAD + u8::MAX as usize + MAX_OPERATOR_BYTES + MAX_ENTRY_CEILING;
/// A chunk is closed once it reaches this size.
pub(super) const CHUNK_BYTES: usize = 64 * 1024;
/// Every chunk starts with a CRC-32 of its key and contents.
pub(super) const CRC_BYTES: usize = 4;
/// The most a chunk can hold: a byte short of full (so still open), plus
/// the largest record.
pub(super) const MAX_CHUNK_BYTES: usize = CRC_BYTES + (CHUNK_BYTES - 1) + RECORD_HEAD + MAX_PAYLOAD;

/// One held entry, by (HLC, id).
#[derive(Debug)]
// Nearly every held entry is an `Item`: boxing it would add one allocation
// per entry to the start-up this module exists to make fast.
#[allow(clippy::large_enum_variant)]
pub(super) enum Held {
    Item(Item),
    Undecodable(Box<SignedEntry>),
    Other,
}

impl Held {
    pub(super) fn tag(&self) -> u8 {
        match self {
            Held::Item(_) => ITEM,
            Held::Undecodable(_) => UNDECODABLE,
            Held::Other => OTHER,
        }
    }
}

pub(super) type Key = (Hlc, EntryId);
/// Held entries in the order they were read.
pub(super) type List = Vec<(Key, Held)>;
pub(super) type Set = BTreeMap<Key, Held>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Meta {
    pub(super) digest: LedgerDigest,
    /// The file that holds the chunks.
    pub(super) file: FileId,
    pub(super) max_hlc: Hlc,
    /// The file's first `bytes` hold chunks `0..chunks`, and they hold
    /// `records` records.
    pub(super) chunks: u64,
    pub(super) bytes: u64,
    pub(super) records: u64,
}

impl Meta {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(META_BYTES);
        out.extend_from_slice(&FORMAT.to_be_bytes());
        out.extend_from_slice(&self.digest.to_bytes());
        out.extend_from_slice(&self.file);
        for word in [self.max_hlc.as_u64(), self.chunks, self.bytes, self.records] {
            out.extend_from_slice(&word.to_be_bytes());
        }
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Meta, String> {
        let format = bytes
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
            .ok_or("meta row is truncated")?;
        if format != FORMAT {
            return Err(format!(
                "snapshot format {format}, this liandong writes {FORMAT}"
            ));
        }
        if bytes.len() != META_BYTES {
            return Err(format!(
                "meta row has {} bytes, expected {META_BYTES}",
                bytes.len()
            ));
        }
        let (digest, rest) = bytes[4..].split_at(LedgerDigest::BYTES);
        let digest = LedgerDigest::from_bytes(digest).ok_or("meta row digest is malformed")?;
        let (file, rest) = rest.split_at(16);
        let file = FileId::try_from(file).map_err(|_| "meta row file id is malformed")?;
        let mut words = rest
            .chunks_exact(8)
            .filter_map(|c| <[u8; 8]>::try_from(c).ok().map(u64::from_be_bytes));
        let mut next = || words.next().ok_or("meta row is truncated");
        Ok(Meta {
            digest,
            file,
            max_hlc: Hlc::from_u64(next()?),
            chunks: next()?,
            bytes: next()?,
            records: next()?,
        })
    }
}

/// What a chunk's checksum covers besides its contents: the file it
/// belongs to and its place there.
pub(super) fn chunk_key(file: &FileId, n: u64) -> [u8; 24] {
    let mut key = [0u8; 24];
    key[..16].copy_from_slice(file);
    key[16..].copy_from_slice(&n.to_be_bytes());
    key
}

pub(super) fn status_byte(status: Status) -> u8 {
    match status {
        Status::Actual => 0,
        Status::Exercise => 1,
        Status::Test => 2,
    }
}

pub(super) fn status_of(byte: u8) -> Option<Status> {
    match byte {
        0 => Some(Status::Actual),
        1 => Some(Status::Exercise),
        2 => Some(Status::Test),
        _ => None,
    }
}

/// What the fold takes from a stored entry, and the payload of the record
/// that keeps it.
pub(super) fn held_of(entry: &SignedEntry) -> (Held, Vec<u8>) {
    match Item::from_entry(entry) {
        Ok(Some(item)) => {
            let h = entry.header();
            let scope = h.scope.to_string();
            let mut row = Vec::with_capacity(ITEM_HEAD + scope.len() + entry.body_bytes().len());
            row.extend_from_slice(h.author.as_bytes());
            row.push(status_byte(h.status));
            row.extend_from_slice(&h.kind.0.to_be_bytes());
            // Region codes have at most 12 digits (protocol `region`).
            row.push(u8::try_from(scope.len()).unwrap_or(u8::MAX));
            row.extend_from_slice(scope.as_bytes());
            push_operator(&mut row, h.operator.as_ref());
            // The stored body bytes, not a re-encoding: exactly what the
            // entry carries.
            row.extend_from_slice(entry.body_bytes());
            (Held::Item(item), row)
        }
        Ok(None) => (Held::Other, Vec::new()),
        Err(_) => (Held::Undecodable(Box::new(entry.clone())), Vec::new()),
    }
}

/// The scopes met while reading: a post's entries share a few, so each is
/// parsed once.
#[derive(Default)]
pub(super) struct Scopes(std::collections::HashMap<Vec<u8>, RegionCode>);

impl Scopes {
    pub(super) fn parse(&mut self, raw: &[u8]) -> Result<RegionCode, String> {
        if let Some(code) = self.0.get(raw) {
            return Ok(code.clone());
        }
        let code: RegionCode = std::str::from_utf8(raw)
            .map_err(|_| "scope is not text".to_string())?
            .parse()
            .map_err(|e: liandong_protocol::region::RegionError| e.to_string())?;
        self.0.insert(raw.to_vec(), code.clone());
        Ok(code)
    }
}

/// Decodes an item record's payload (disk input: lengths checked first).
pub(super) fn item_of(key: Key, row: &[u8], scopes: &mut Scopes) -> Result<Item, String> {
    let (hlc, id) = key;
    if row.len() < ITEM_HEAD {
        return Err(format!("item {id} has {} bytes", row.len()));
    }
    let author: [u8; 32] = row[..32]
        .try_into()
        .map_err(|_| format!("item {id}: author"))?;
    let status = status_of(row[32]).ok_or_else(|| format!("item {id}: status {}", row[32]))?;
    let kind = Kind(u16::from_be_bytes([row[33], row[34]]));
    let scope_end = ITEM_HEAD + usize::from(row[35]);
    let scope = row
        .get(ITEM_HEAD..scope_end)
        .ok_or_else(|| format!("item {id}: scope runs past the record"))?;
    let scope = scopes.parse(scope).map_err(|e| format!("item {id}: {e}"))?;
    let (operator, rest) =
        operator_of(&row[scope_end..]).map_err(|e| format!("item {id}: operator: {e}"))?;
    let body = Body::decode(kind, rest).map_err(|e| format!("item {id}: body: {e}"))?;
    Ok(Item {
        id,
        author: NodeId(author),
        hlc,
        scope,
        status,
        body,
        operator,
    })
}

fn push_operator(row: &mut Vec<u8>, operator: Option<&Operator>) {
    let Some(op) = operator else {
        row.push(0);
        return;
    };
    // An `Operator` keeps its limits, so both lengths fit (asserted above).
    for name in [op.account(), op.display()] {
        row.push(u8::try_from(name.len()).unwrap_or(u8::MAX));
        row.extend_from_slice(name.as_bytes());
    }
}

/// The operator at the head of `bytes` and what follows it; checked as
/// any operator is (disk input).
fn operator_of(bytes: &[u8]) -> Result<(Option<Operator>, &[u8]), String> {
    let short = || "runs past the record".to_string();
    let (&len, rest) = bytes.split_first().ok_or_else(short)?;
    if len == 0 {
        return Ok((None, rest));
    }
    let (account, rest) = rest.split_at_checked(usize::from(len)).ok_or_else(short)?;
    let (&len, rest) = rest.split_first().ok_or_else(short)?;
    let (display, rest) = rest.split_at_checked(usize::from(len)).ok_or_else(short)?;
    let text = |b| std::str::from_utf8(b).map_err(|_| "not text".to_string());
    let op = Operator::new(text(account)?, text(display)?).map_err(|e| e.to_string())?;
    Ok((Some(op), rest))
}

/// A chunk's value: the CRC of key and contents, then the contents.
pub(super) fn seal(key: &[u8], contents: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(CRC_BYTES + contents.len());
    out.extend_from_slice(&crc(key, contents).to_be_bytes());
    out.extend_from_slice(contents);
    out
}

pub(super) fn crc(key: &[u8], contents: &[u8]) -> u32 {
    let mut crc = crc32fast::Hasher::new();
    crc.update(key);
    crc.update(contents);
    crc.finalize()
}

/// The contents of a chunk whose CRC matches (size-checked first).
pub(super) fn unseal<'v>(key: &[u8], value: &'v [u8]) -> Result<&'v [u8], String> {
    if value.len() < CRC_BYTES || value.len() > MAX_CHUNK_BYTES {
        return Err(format!("a chunk has {} bytes", value.len()));
    }
    let (stored, contents) = value.split_at(CRC_BYTES);
    if stored != crc(key, contents).to_be_bytes() {
        return Err("a chunk fails its checksum".into());
    }
    Ok(contents)
}

/// One record of a chunk.
pub(super) struct Record<'c> {
    pub(super) tag: u8,
    pub(super) key: Key,
    pub(super) payload: &'c [u8],
    /// The record's bytes as stored (for copying it when compacting).
    pub(super) raw: &'c [u8],
}

/// Splits a chunk's contents into records (every length checked); after
/// an error it yields nothing more.
pub(super) fn records(mut contents: &[u8]) -> impl Iterator<Item = Result<Record<'_>, String>> {
    std::iter::from_fn(move || {
        if contents.is_empty() {
            return None;
        }
        let record = next_record(contents);
        contents = match &record {
            Ok(r) => &contents[r.raw.len()..],
            Err(_) => &[],
        };
        Some(record)
    })
}

/// The record at the start of `contents`.
fn next_record(contents: &[u8]) -> Result<Record<'_>, String> {
    let head = contents
        .get(..RECORD_HEAD)
        .ok_or("a record's head runs past its chunk")?;
    let tag = head[0];
    if ![ITEM, UNDECODABLE, OTHER].contains(&tag) {
        return Err(format!("unknown record tag {tag}"));
    }
    let hlc = Hlc::from_u64(u64::from_be_bytes(
        head[1..9].try_into().map_err(|_| "record time")?,
    ));
    let id = EntryId(head[9..41].try_into().map_err(|_| "record id")?);
    let len = u32::from_be_bytes(head[41..45].try_into().map_err(|_| "record length")?);
    let len = usize::try_from(len).map_err(|_| "record length")?;
    if len > MAX_PAYLOAD {
        return Err(format!("a record of {len} bytes"));
    }
    let raw = contents
        .get(..RECORD_HEAD + len)
        .ok_or("a record runs past its chunk")?;
    Ok(Record {
        tag,
        key: (hlc, id),
        payload: &raw[RECORD_HEAD..],
        raw,
    })
}

/// Writes records into chunks of one file, numbered from `next`.
pub(super) struct Chunks {
    sink: Sink,
    file: FileId,
    buf: Vec<u8>,
    next: u64,
    /// The file's length after the chunks closed so far.
    bytes: u64,
    records: u64,
}

enum Sink {
    /// Framed chunks wait in memory, to be appended to the file with the
    /// meta that counts them.
    Keep(Vec<u8>),
    /// Framed chunks go to a new file as they fill (a rewrite: the meta
    /// still names the old file meanwhile).
    Stream(NewFile),
    /// Nothing is written (the disk is below its reserve, or writing
    /// failed: `lost` says why).
    Drop { lost: Option<String> },
}

/// What a [`Chunks`] wrote.
pub(super) struct Finished {
    /// The framed chunks to append (`Keep`); empty otherwise.
    pub(super) framed: Vec<u8>,
    pub(super) chunks: u64,
    pub(super) bytes: u64,
    pub(super) records: u64,
    /// Why nothing was written, when a write failed.
    pub(super) lost: Option<String>,
}

impl Chunks {
    /// Chunks to append to `file` after its first `chunks` (`bytes` long).
    pub(super) fn keep(file: FileId, chunks: u64, bytes: u64) -> Chunks {
        Chunks::with(Sink::Keep(Vec::new()), file, chunks, bytes)
    }

    /// Chunks of a new file `file` in `dir`; a file that cannot be made
    /// leaves nothing written (counted all the same).
    pub(super) fn stream(dir: &std::path::Path, file: FileId) -> Chunks {
        let sink = match NewFile::create(dir, &file) {
            Ok(new) => Sink::Stream(new),
            Err(e) => Sink::Drop {
                lost: Some(e.to_string()),
            },
        };
        Chunks::with(sink, file, 0, 0)
    }

    /// Records counted, nothing written.
    pub(super) fn counted_only() -> Chunks {
        Chunks::with(Sink::Drop { lost: None }, [0; 16], 0, 0)
    }

    fn with(sink: Sink, file: FileId, next: u64, bytes: u64) -> Chunks {
        Chunks {
            sink,
            file,
            buf: Vec::new(),
            next,
            bytes,
            records: 0,
        }
    }

    fn writing(&self) -> bool {
        !matches!(self.sink, Sink::Drop { .. })
    }

    pub(super) fn push(&mut self, tag: u8, key: Key, payload: &[u8]) {
        self.records += 1;
        if !self.writing() {
            return;
        }
        let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
        self.buf.push(tag);
        self.buf.extend_from_slice(&key.0.as_u64().to_be_bytes());
        self.buf.extend_from_slice(key.1.as_bytes());
        self.buf.extend_from_slice(&len.to_be_bytes());
        self.buf.extend_from_slice(payload);
        self.close_if_full();
    }

    /// Copies a record as it was stored.
    pub(super) fn copy(&mut self, raw: &[u8]) {
        self.records += 1;
        if !self.writing() {
            return;
        }
        self.buf.extend_from_slice(raw);
        self.close_if_full();
    }

    fn close_if_full(&mut self) {
        if self.buf.len() >= CHUNK_BYTES {
            self.close();
        }
    }

    fn close(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let sealed = seal(&chunk_key(&self.file, self.next), &self.buf);
        self.buf.clear();
        self.next += 1;
        self.bytes += file::framed_len(&sealed);
        match &mut self.sink {
            Sink::Keep(framed) => file::frame(framed, &sealed),
            Sink::Stream(new) => {
                if let Err(e) = new.write(&sealed) {
                    self.sink = Sink::Drop {
                        lost: Some(e.to_string()),
                    };
                }
            }
            Sink::Drop { .. } => {}
        }
    }

    /// Closes the last chunk and, for a new file, makes it durable.
    pub(super) fn finish(mut self) -> Finished {
        self.close();
        let (framed, lost) = match self.sink {
            Sink::Keep(framed) => (framed, None),
            Sink::Stream(new) => (Vec::new(), new.finish().err().map(|e| e.to_string())),
            Sink::Drop { lost } => (Vec::new(), lost),
        };
        Finished {
            framed,
            chunks: self.next,
            bytes: self.bytes,
            records: self.records,
            lost,
        }
    }
}
