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
    u32::try_from(sealed.len()).unwrap_or(u32::MAX).to_be_bytes()
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
pub(super) struct Frames {
    reader: BufReader<io::Take<File>>,
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
        Ok(Frames {
            reader: BufReader::with_capacity(READ_BUFFER, file.take(bytes)),
            left: bytes,
        })
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
