//! Making sled's writes survive a power cut.
//!
//! sled 0.34.7's `flush()` on Linux ends with `sync_file_range`, which starts
//! and waits for writeback but does not flush the drive's cache or the file's
//! metadata; sled's own background thread calls `fsync` only every 500 ms.
//! It also writes large pages as separate files under `blobs/` without
//! syncing them. So after `flush()` this module calls `fdatasync` on the log
//! file and `fsync` on every blob file it has not synced before (and on the
//! directory, so the new names survive too).

use std::collections::BTreeSet;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct DurableFiles {
    db_file: File,
    blobs_dir: PathBuf,
    synced_blobs: BTreeSet<std::ffi::OsString>,
    /// Tests make the next sync fail as a failing disk would.
    #[cfg(test)]
    fail_next: bool,
}

impl DurableFiles {
    /// Opens sled's log file in `store_dir` and syncs the directory itself,
    /// so a freshly created store's files survive a crash.
    pub fn open(store_dir: &Path) -> io::Result<Self> {
        let db_file = File::open(store_dir.join("db"))?;
        File::open(store_dir)?.sync_all()?;
        if let Some(parent) = store_dir.parent() {
            File::open(parent)?.sync_all()?;
        }
        Ok(DurableFiles {
            db_file,
            blobs_dir: store_dir.join("blobs"),
            synced_blobs: BTreeSet::new(),
            #[cfg(test)]
            fail_next: false,
        })
    }

    /// Called after `sled::Db::flush`: pushes everything to stable storage.
    pub fn sync(&mut self) -> io::Result<()> {
        #[cfg(test)]
        if std::mem::take(&mut self.fail_next) {
            return Err(io::Error::from_raw_os_error(5)); // EIO
        }
        self.db_file.sync_data()?;
        let listing = match std::fs::read_dir(&self.blobs_dir) {
            Ok(listing) => listing,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let mut present = BTreeSet::new();
        let mut synced_new = false;
        for item in listing {
            let item = item?;
            let name = item.file_name();
            if !self.synced_blobs.contains(&name) {
                match File::open(item.path()) {
                    Ok(f) => f.sync_all()?,
                    // sled may garbage-collect a blob while we list.
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                }
                synced_new = true;
            }
            present.insert(name);
        }
        if synced_new {
            File::open(&self.blobs_dir)?.sync_all()?;
        }
        self.synced_blobs = present;
        Ok(())
    }
}

#[cfg(test)]
impl DurableFiles {
    pub fn fail_next_sync(&mut self) {
        self.fail_next = true;
    }
}
