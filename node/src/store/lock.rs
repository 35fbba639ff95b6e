//! One process at a time per store, from before anything on disk is
//! touched: `<store>/LIANDONG.lock`, locked for as long as the store is
//! open.
//!
//! sled locks its own files, but only once it opens them, and opening
//! first repairs what a crash left (`recover::prepare` removes a
//! `snap.*.generating`). Without this lock, a command run while the node
//! was starting (`liandong status` polled by a script) removed the
//! snapshot the node's sled was writing, and the node failed to start:
//! "opening sled's files …: No such file or directory".

use std::fs::{self, File, OpenOptions, TryLockError};
use std::path::Path;

use super::StoreError;

const NAME: &str = "LIANDONG.lock";

/// Locks the store at `store_dir` (creating the directory if need be); the
/// lock lasts as long as the returned file is open.
pub fn acquire(store_dir: &Path) -> Result<File, StoreError> {
    fs::create_dir_all(store_dir)?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(store_dir.join(NAME))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(StoreError::Locked(store_dir.to_path_buf())),
        Err(TryLockError::Error(e)) => Err(StoreError::Io(e)),
    }
}
