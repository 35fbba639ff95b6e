//! The store's marker file: `<store>/LIANDONG`, one line,
//! `liandong store schema <N>`. See `Store::open` for why it exists.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use super::StoreError;

const NAME: &str = "LIANDONG";
const PREFIX: &str = "liandong store schema ";

/// The schema version the marker names, or `None` if there is no marker.
pub fn read(store_dir: &Path) -> Result<Option<u32>, StoreError> {
    let path = store_dir.join(NAME);
    let text = match fs::read(&path) {
        Ok(bytes) if bytes.len() <= 256 => String::from_utf8_lossy(&bytes).into_owned(),
        Ok(_) => return Err(corrupt(store_dir, "marker file is oversized")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::Io(e)),
    };
    text.trim()
        .strip_prefix(PREFIX)
        .and_then(|n| n.parse().ok())
        .map(Some)
        .ok_or_else(|| corrupt(store_dir, "marker file is unreadable"))
}

pub fn write(store_dir: &Path, schema: u32) -> Result<(), StoreError> {
    let path = store_dir.join(NAME);
    let mut f = File::create(&path)?;
    f.write_all(format!("{PREFIX}{schema}\n").as_bytes())?;
    f.sync_all()?;
    File::open(store_dir)?.sync_all()?;
    Ok(())
}

fn corrupt(store_dir: &Path, reason: &str) -> StoreError {
    StoreError::Corrupt {
        path: store_dir.to_path_buf(),
        reason: reason.to_string(),
    }
}
