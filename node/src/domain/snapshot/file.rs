//! The snapshot's chunks on disk: one file per snapshot, in the side's
//! folder (`<store>/side/fold-snapshot/chunks.<id>`), named by a random id
//! that the meta row carries and every chunk's checksum covers.
//!
//! Why a file and not sled rows: at a million entries the chunks are about
//! 700 MB, and sled hands large values back by reading its blob files into
//! fresh memory; reading the chunks out of sled took 0.64–0.89 s of a warm
//! start where the same bytes read from one file took 0.05 s (BENCHMARKS).
//!
//! A file is written in one of two ways, both made durable before the meta
//! that names them lands:
//! - **new**: a rebuild or a compaction writes a whole file under a fresh
//!   id; once its meta is durable the other files are removed;
//! - **appended**: a running post's additions go after the bytes the meta
//!   counts (anything past them, left by a crash, is cut off first).
//!
//! A meta that names bytes its file lacks (a crash between the two, a
//! damaged disk) fails a checksum or the counts and the snapshot is
//! rebuilt; since ids never repeat, a meta can never take another
//! snapshot's file for its own.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::format::MAX_CHUNK_BYTES;

/// A snapshot file's id.
pub(super) type FileId = [u8; 16];

const PREFIX: &str = "chunks.";

/// Each chunk is framed by its sealed length (big-endian `u32`).
const FRAME_HEAD: usize = 4;

/// Chunks read from the file at a time.
const READ_BUFFER: usize = 1 << 20;

/// A fresh id, never used before.
pub(super) fn new_id() -> io::Result<FileId> {
    let mut id = [0u8; 16];
    getrandom::fill(&mut id).map_err(|e| io::Error::other(e.to_string()))?;
    Ok(id)
}

pub(super) fn path(dir: &Path, id: &FileId) -> PathBuf {
    dir.join(format!("{PREFIX}{}", hex::encode(id)))
}

fn frame_head(sealed: &[u8]) -> [u8; FRAME_HEAD] {
    // A sealed chunk is at most MAX_CHUNK_BYTES, far below u32::MAX.
    u32::try_from(sealed.len())
        .unwrap_or(u32::MAX)
        .to_be_bytes()
}

/// Appends one framed chunk to `out`.
pub(super) fn frame(out: &mut Vec<u8>, sealed: &[u8]) {
    out.extend_from_slice(&frame_head(sealed));
    out.extend_from_slice(sealed);
}

/// The bytes a framed chunk takes in the file.
pub(super) fn framed_len(sealed: &[u8]) -> u64 {
    (FRAME_HEAD + sealed.len()) as u64
}

/// A new snapshot file being written.
pub(super) struct NewFile {
    out: BufWriter<File>,
}

impl NewFile {
    pub(super) fn create(dir: &Path, id: &FileId) -> io::Result<NewFile> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path(dir, id))?;
        Ok(NewFile {
            out: BufWriter::with_capacity(READ_BUFFER, file),
        })
    }

    /// Writes one chunk, framed.
    pub(super) fn write(&mut self, sealed: &[u8]) -> io::Result<()> {
        self.out.write_all(&frame_head(sealed))?;
        self.out.write_all(sealed)
    }

    /// Writes what is buffered and makes the file durable.
    pub(super) fn finish(self) -> io::Result<()> {
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.sync_data()
    }
}

/// Writes `framed` chunks at `at` in the file `id`, cutting off whatever
/// lay past `at`, and makes them durable.
pub(super) fn append(dir: &Path, id: &FileId, at: u64, framed: &[u8]) -> io::Result<()> {
    let file = OpenOptions::new().write(true).open(path(dir, id))?;
    let len = file.metadata()?.len();
    if len < at {
        return Err(io::Error::other(format!(
            "the snapshot file has {len} bytes, its meta counts {at}"
        )));
    }
    file.set_len(at)?;
    file.write_all_at(framed, at)?;
    file.sync_data()
}

/// Removes every snapshot file in `dir` but `keep`; how many went.
pub(super) fn remove_others(dir: &Path, keep: Option<&FileId>) -> io::Result<usize> {
    let keep = keep.map(|id| path(dir, id));
    let mut removed = 0;
    for item in fs::read_dir(dir)? {
        let item = item?;
        let ours = item.file_name().to_string_lossy().starts_with(PREFIX);
        if ours && Some(item.path()) != keep {
            fs::remove_file(item.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The framed chunks of a snapshot file, in order, up to the bytes its
/// meta counts. Disk input: each length is checked before it is used.
pub(super) struct Frames<R = BufReader<io::Take<File>>> {
    reader: R,
    left: u64,
}

impl Frames {
    pub(super) fn open(dir: &Path, id: &FileId, bytes: u64) -> Result<Frames, String> {
        let file = File::open(path(dir, id))
            .map_err(|e| format!("the snapshot file cannot be opened: {e}"))?;
        let len = file
            .metadata()
            .map_err(|e| format!("the snapshot file cannot be read: {e}"))?
            .len();
        if len < bytes {
            return Err(format!(
                "the snapshot file has {len} bytes, its meta counts {bytes}"
            ));
        }
        Ok(Frames::over(
            BufReader::with_capacity(READ_BUFFER, file.take(bytes)),
            bytes,
        ))
    }
}

impl<R: Read> Frames<R> {
    /// The chunks in the first `bytes` of `reader` (a file's, or bytes in
    /// memory for the fuzz target: `super::in_memory`).
    pub(super) fn over(reader: R, bytes: u64) -> Frames<R> {
        Frames {
            reader,
            left: bytes,
        }
    }

    /// The next sealed chunk; `None` once the counted bytes are read.
    pub(super) fn next_chunk(&mut self) -> Option<Result<Vec<u8>, String>> {
        if self.left == 0 {
            return None;
        }
        Some(self.read_chunk())
    }

    fn read_chunk(&mut self) -> Result<Vec<u8>, String> {
        let failed = |e: io::Error| format!("the snapshot file cannot be read: {e}");
        let mut head = [0u8; FRAME_HEAD];
        if self.left < FRAME_HEAD as u64 {
            return Err("the snapshot file ends inside a chunk".into());
        }
        self.reader.read_exact(&mut head).map_err(failed)?;
        let len = usize::try_from(u32::from_be_bytes(head)).unwrap_or(usize::MAX);
        if len > MAX_CHUNK_BYTES {
            return Err(format!("a chunk of {len} bytes"));
        }
        let framed = (FRAME_HEAD + len) as u64;
        if framed > self.left {
            return Err("the snapshot file ends inside a chunk".into());
        }
        let mut sealed = vec![0u8; len];
        self.reader.read_exact(&mut sealed).map_err(failed)?;
        self.left -= framed;
        Ok(sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::super::format::{
        CHUNK_BYTES, Chunks, ITEM, MAX_PAYLOAD, RECORD_HEAD, chunk_key, unseal,
    };
    use super::*;
    use liandong_protocol::{EntryId, Hlc};

    /// Every step returns its error, so a failure names the step.
    type Outcome = Result<(), Box<dyn std::error::Error>>;

    /// A file of the given sealed chunks, and its length.
    fn file_of(dir: &Path, id: &FileId, chunks: &[Vec<u8>]) -> io::Result<u64> {
        let mut new = NewFile::create(dir, id)?;
        for sealed in chunks {
            new.write(sealed)?;
        }
        new.finish()?;
        Ok(fs::metadata(path(dir, id))?.len())
    }

    /// The next chunk, which must be there.
    fn next(frames: &mut Frames) -> Result<Vec<u8>, String> {
        frames
            .next_chunk()
            .ok_or("no chunk where one was expected")?
    }

    #[test]
    fn the_largest_chunk_is_read_and_one_byte_more_is_refused_before_it_is_read() -> Outcome {
        let dir = tempfile::tempdir()?;
        let (fits, over) = ([1; 16], [2; 16]);
        let len = file_of(dir.path(), &fits, &[vec![7; MAX_CHUNK_BYTES]])?;
        let mut frames = Frames::open(dir.path(), &fits, len)?;
        assert_eq!(next(&mut frames)?.len(), MAX_CHUNK_BYTES);
        assert!(frames.next_chunk().is_none());

        let len = file_of(dir.path(), &over, &[vec![7; MAX_CHUNK_BYTES + 1]])?;
        let mut frames = Frames::open(dir.path(), &over, len)?;
        let refused = next(&mut frames)
            .err()
            .ok_or("a chunk over the limit was read")?;
        assert!(refused.contains("a chunk of"), "{refused}");
        Ok(())
    }

    #[test]
    fn the_fullest_chunk_the_writer_makes_is_one_the_reader_takes() -> Outcome {
        // A chunk one byte short of closing, then the largest record.
        let dir = tempfile::tempdir()?;
        let id = [3; 16];
        let mut chunks = Chunks::stream(dir.path(), id);
        let filler = CHUNK_BYTES - 1 - RECORD_HEAD;
        chunks.push(ITEM, (Hlc::from_u64(1), EntryId([1; 32])), &vec![0; filler]);
        let largest = vec![0; MAX_PAYLOAD];
        chunks.push(ITEM, (Hlc::from_u64(2), EntryId([2; 32])), &largest);
        let done = chunks.finish();
        assert_eq!((done.chunks, done.records, done.lost), (1, 2, None));
        let mut frames = Frames::open(dir.path(), &id, done.bytes)?;
        let sealed = next(&mut frames)?;
        assert_eq!(sealed.len(), MAX_CHUNK_BYTES);
        // Its checksum holds.
        unseal(&chunk_key(&id, 0), &sealed)?;
        Ok(())
    }

    #[test]
    fn a_file_ending_inside_a_chunk_is_refused() -> Outcome {
        let dir = tempfile::tempdir()?;
        let id = [4; 16];
        let len = file_of(dir.path(), &id, &[vec![1; 100], vec![2; 100]])?;
        for counted in [1, 3, 4 + 50, len - 1] {
            let mut frames = Frames::open(dir.path(), &id, counted)?;
            let read: Result<Vec<_>, _> = std::iter::from_fn(|| frames.next_chunk()).collect();
            assert!(read.is_err(), "{counted} bytes counted");
        }
        assert!(Frames::open(dir.path(), &id, len + 1).is_err());
        Ok(())
    }

    #[test]
    fn only_the_kept_file_stays() -> Outcome {
        let dir = tempfile::tempdir()?;
        for id in [[5; 16], [6; 16]] {
            file_of(dir.path(), &id, &[vec![1; 10]])?;
        }
        fs::write(dir.path().join("notes.txt"), b"not ours")?;
        assert_eq!(remove_others(dir.path(), Some(&[6; 16]))?, 1);
        assert!(path(dir.path(), &[6; 16]).exists());
        assert!(dir.path().join("notes.txt").exists());
        Ok(())
    }
}
