//! Whether the store may still be trusted, and the free-space reserve.
//!
//! **Failed.** A write that sled could not apply, or an fsync that
//! failed, leaves the files in a state this process cannot know: after a
//! failed fsync Linux may already have dropped the unwritten pages, so a
//! later fsync that succeeds proves nothing about them. The store then
//! refuses every further read and write, and whoever holds it stops (a
//! running node exits with code 4 and systemd restarts it; sled recovers
//! the files on the next open). Nothing uncertain is ever served.
//!
//! **Reserve.** Before each write the store checks the free space of its
//! file system. Under the reserve (default 64 MiB) writes are refused with
//! [`StoreError::DiskFull`] *before* sled is touched — so sled never meets a
//! full disk (its own write errors are permanent for the process) — while
//! reads, `log`, `verify`, bundle export and the console keep working.
//! Writes resume by themselves once space is freed: nothing is latched.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::StoreError;

/// Free space the store keeps back by default, in MiB.
pub const DEFAULT_RESERVE_MB: u64 = 64;

/// The store's condition, for `status`, the console and metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoreHealth {
    /// Free bytes on the store's file system (for unprivileged writers).
    pub free_bytes: u64,
    /// Writes are refused below this many free bytes.
    pub reserve_bytes: u64,
    /// Free space is under the reserve: writes are paused.
    pub disk_full: bool,
    /// Why the store stopped, if a write failed (see the module comment).
    pub failed: Option<String>,
}

impl StoreHealth {
    /// Writes are accepted now.
    pub fn writable(&self) -> bool {
        !self.disk_full && self.failed.is_none()
    }
}

/// The failed flag, with a watch so a running node learns of it at once.
#[derive(Debug)]
pub(super) struct Health {
    failed: AtomicBool,
    reason: tokio::sync::watch::Sender<Option<Arc<str>>>,
    path: PathBuf,
    reserve_bytes: u64,
}

impl Health {
    pub fn new(path: &Path, reserve_bytes: u64) -> Health {
        Health {
            failed: AtomicBool::new(false),
            reason: tokio::sync::watch::channel(None).0,
            path: path.to_path_buf(),
            reserve_bytes,
        }
    }

    /// Refuses when a write has failed.
    pub fn check(&self) -> Result<(), StoreError> {
        if self.failed.load(Ordering::Acquire) {
            return Err(self.failed_error());
        }
        Ok(())
    }

    fn failed_error(&self) -> StoreError {
        StoreError::Failed {
            path: self.path.clone(),
            reason: self
                .reason
                .borrow()
                .as_deref()
                .unwrap_or("unknown")
                .to_string(),
        }
    }

    /// Refuses when a write has failed or free space is under the reserve.
    pub fn check_writable(&self) -> Result<(), StoreError> {
        self.check()?;
        let free_bytes = free_bytes(&self.path)?;
        if free_bytes < self.reserve_bytes {
            return Err(StoreError::DiskFull {
                path: self.path.clone(),
                free_bytes,
                reserve_bytes: self.reserve_bytes,
            });
        }
        Ok(())
    }

    /// Marks the store failed (the first reason is kept) and returns the
    /// error to report.
    pub fn fail(&self, what: &str, error: &StoreError) -> StoreError {
        if !self.failed.swap(true, Ordering::AcqRel) {
            let reason = match error {
                StoreError::Io(io) => format!("{what}: {io}"),
                other => format!("{what}: {other}"),
            };
            tracing::error!(
                store = %self.path.display(),
                reason,
                "store write failed; the store refuses all further use until it is reopened \
                 / 存储写入失败，数据库已停用，需重新打开"
            );
            self.reason.send_replace(Some(reason.into()));
        }
        self.failed_error()
    }

    pub fn report(&self) -> StoreHealth {
        let free = free_bytes(&self.path).unwrap_or(0);
        StoreHealth {
            free_bytes: free,
            reserve_bytes: self.reserve_bytes,
            disk_full: free < self.reserve_bytes,
            failed: self.reason.borrow().as_deref().map(str::to_string),
        }
    }

    /// Changes to the failed reason (`None` until a write fails).
    pub fn watch(&self) -> tokio::sync::watch::Receiver<Option<Arc<str>>> {
        self.reason.subscribe()
    }
}

/// Free bytes available to unprivileged writers on `path`'s file system.
pub fn free_bytes(path: &Path) -> std::io::Result<u64> {
    let s = rustix::fs::statvfs(path).map_err(std::io::Error::from)?;
    Ok(s.f_bavail.saturating_mul(s.f_frsize))
}

/// Bytes as MiB for messages, rounded down.
pub fn mib(bytes: u64) -> u64 {
    bytes / (1024 * 1024)
}
