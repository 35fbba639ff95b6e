//! Repairs sled 0.34.7 needs before it opens a store that a crash left
//! behind.
//!
//! sled writes a snapshot of its page table at every open: first to
//! `snap.<lsn>.generating`, then fsync, then a rename to `snap.<lsn>`. A kill
//! before the rename leaves the `.generating` file, and sled's own
//! `read_snapshot` picks it (it sorts after `snap.<lsn>` and sled skips only
//! `.in___motion` files), fails its checksum and refuses the store for ever
//! (upstream sled issue 1527). The data is intact: the snapshot is only a
//! cache of where pages are in the log. So before sled opens:
//!
//! - every `snap.*.generating` file is removed — it was never complete;
//! - a finished `snap.<lsn>` whose checksum fails (a bad sector) is moved
//!   to `recovered/`, so that sled falls back to an older snapshot or
//!   rebuilds the page table by scanning the log.
//!
//! Damage to the log itself (`db`) is not repaired here: sled reports it
//! and the store refuses to open, naming the file (see `Store::open`).
//! Each repair is logged and returned, so `verify` can show it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Subdirectory of the store where set-aside files go (never deleted).
pub const RECOVERED_DIR: &str = "recovered";
/// Largest snapshot file this check reads into memory; sled's snapshot is
/// a few bytes per page, so a bigger one is left for sled to judge.
const MAX_SNAPSHOT_CHECK_BYTES: u64 = 512 * 1024 * 1024;

/// One file a repair removed or moved aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    /// A snapshot sled was still writing when the process died.
    RemovedPartialSnapshot(PathBuf),
    /// A finished snapshot whose checksum fails, moved to `recovered/`.
    SetAsideCorruptSnapshot { from: PathBuf, to: PathBuf },
}

impl std::fmt::Display for Repair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Repair::RemovedPartialSnapshot(p) => write!(
                f,
                "removed a partial snapshot left by a crash / 已删除崩溃遗留的不完整快照: {}",
                p.display()
            ),
            Repair::SetAsideCorruptSnapshot { from, to } => write!(
                f,
                "moved a corrupt snapshot aside / 已移开损坏的快照: {} → {}",
                from.display(),
                to.display()
            ),
        }
    }
}

/// Makes the sled files in `store_dir` openable after a crash; see the
/// module comment. A store that does not exist yet needs nothing.
pub fn prepare(store_dir: &Path) -> io::Result<Vec<Repair>> {
    let listing = match fs::read_dir(store_dir) {
        Ok(listing) => listing,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut repairs = Vec::new();
    for item in listing {
        let item = item?;
        let name = item.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.starts_with("snap.") || name.ends_with(".in___motion") {
            continue;
        }
        let path = item.path();
        if name.ends_with(".generating") {
            fs::remove_file(&path)?;
            repairs.push(Repair::RemovedPartialSnapshot(path));
        } else if !snapshot_checksum_ok(&path)? {
            let aside = store_dir.join(RECOVERED_DIR);
            fs::create_dir_all(&aside)?;
            let to = free_name(&aside.join(format!("{name}.corrupt")));
            fs::rename(&path, &to)?;
            repairs.push(Repair::SetAsideCorruptSnapshot { from: path, to });
        }
    }
    if !repairs.is_empty() {
        fs::File::open(store_dir)?.sync_all()?;
        for r in &repairs {
            tracing::warn!("{r}");
        }
    }
    Ok(repairs)
}

/// sled's snapshot format: the body, its decompressed length (8 bytes),
/// then a CRC-32 of the body (4 bytes, little-endian), as
/// `pagecache::snapshot::read_snapshot` in sled 0.34.7 checks it.
fn snapshot_checksum_ok(path: &Path) -> io::Result<bool> {
    let len = fs::metadata(path)?.len();
    if len > MAX_SNAPSHOT_CHECK_BYTES {
        return Ok(true);
    }
    let bytes = fs::read(path)?;
    let Some(body_len) = bytes.len().checked_sub(12) else {
        return Ok(false);
    };
    if body_len == 0 {
        return Ok(false);
    }
    let (body, trailer) = bytes.split_at(body_len);
    let mut crc = [0u8; 4];
    crc.copy_from_slice(&trailer[8..]);
    Ok(crc32fast::hash(body) == u32::from_le_bytes(crc))
}

fn free_name(path: &Path) -> PathBuf {
    let mut candidate = path.to_path_buf();
    let mut n = 2;
    while candidate.exists() {
        candidate = PathBuf::from(format!("{}.{n}", path.display()));
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot_bytes(body: &[u8]) -> Vec<u8> {
        let mut out = body.to_vec();
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
        out
    }

    #[test]
    fn partial_snapshots_go_and_corrupt_ones_move_aside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        fs::write(d.join("snap.0000000000000010"), snapshot_bytes(b"good")).expect("w");
        fs::write(d.join("snap.0000000000000020.generating"), b"half").expect("w");
        let mut bad = snapshot_bytes(b"flipped");
        bad[0] ^= 0xff;
        fs::write(d.join("snap.0000000000000030"), &bad).expect("w");
        fs::write(d.join("snap.0000000000000040.in___motion"), b"sled's").expect("w");

        let repairs = prepare(d).expect("prepare");
        assert_eq!(repairs.len(), 2, "{repairs:?}");
        assert!(d.join("snap.0000000000000010").exists());
        assert!(!d.join("snap.0000000000000020.generating").exists());
        assert!(!d.join("snap.0000000000000030").exists());
        assert!(
            d.join(RECOVERED_DIR)
                .join("snap.0000000000000030.corrupt")
                .exists()
        );
        assert!(d.join("snap.0000000000000040.in___motion").exists());
        assert!(prepare(d).expect("again").is_empty());
    }

    #[test]
    fn a_missing_store_needs_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(prepare(&dir.path().join("absent")).expect("ok").is_empty());
    }
}
