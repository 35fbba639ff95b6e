//! Opening a store: its lock, the schema marker, repairs a crash may
//! need, sled itself (whose recovery can panic on damaged files), then
//! completing any staged durable write a crash interrupted.

use std::path::Path;
use std::sync::Mutex;

use super::durable::DurableFiles;
use super::health::{DEFAULT_RESERVE_MB, Health};
use super::{SCHEMA_VERSION, Store, StoreError, lock, marker, recover};

const META_SCHEMA: &[u8] = b"schema_version";
const META_WRITER: &[u8] = b"writer";

/// How to open a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// sled's page cache, in MiB.
    pub cache_mb: u64,
    /// Writes are refused while the file system has less free space than
    /// this (see `store::health`).
    pub reserve_bytes: u64,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            cache_mb: 64,
            reserve_bytes: DEFAULT_RESERVE_MB * 1024 * 1024,
        }
    }
}

impl Store {
    /// Opens (or creates) the store at `path` with the default reserve.
    pub fn open(path: &Path, cache_mb: u64) -> Result<Store, StoreError> {
        Self::open_with(
            path,
            StoreOptions {
                cache_mb,
                ..StoreOptions::default()
            },
        )
    }

    /// Opens (or creates) the store at `path`.
    ///
    /// Beside sled's files the store keeps a marker file, `LIANDONG`, naming
    /// its schema version. It is read before sled touches anything, so an
    /// older binary never opens (and rewrites) a newer store; and a store
    /// whose marker exists but whose sled files hold no schema is corrupt,
    /// not new — sled recovers a garbled log as an empty database, and that
    /// must not silently become a fresh, empty ledger.
    pub fn open_with(path: &Path, options: StoreOptions) -> Result<Store, StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt {
            path: path.to_path_buf(),
            reason,
        };
        let held = lock::acquire(path).map_err(at("locking the store", path))?;
        let marker = marker::read(path).map_err(at("reading the schema marker", path))?;
        if let Some(found) = marker
            && found != SCHEMA_VERSION
        {
            return Err(StoreError::UnknownSchema {
                path: path.to_path_buf(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        let repairs =
            recover::prepare(path).map_err(at("checking for interrupted repairs", path))?;
        let db = open_sled(path, options).map_err(at("opening sled's files", path))?;
        let meta = db.open_tree("meta")?;
        let ledger = db.open_tree("ledger")?;
        match meta.get(META_SCHEMA)? {
            Some(raw) => {
                let bytes: [u8; 4] = raw
                    .as_ref()
                    .try_into()
                    .map_err(|_| corrupt("schema_version is not 4 bytes".into()))?;
                let found = u32::from_be_bytes(bytes);
                if found != SCHEMA_VERSION {
                    return Err(StoreError::UnknownSchema {
                        path: path.to_path_buf(),
                        found,
                        supported: SCHEMA_VERSION,
                    });
                }
            }
            None if marker.is_some() => {
                return Err(corrupt(
                    "its data files hold no ledger (truncated or overwritten)".into(),
                ));
            }
            None if ledger.is_empty() => {
                meta.insert(META_SCHEMA, &SCHEMA_VERSION.to_be_bytes())?;
                meta.insert(
                    META_WRITER,
                    concat!("liandong ", env!("CARGO_PKG_VERSION")).as_bytes(),
                )?;
                db.flush()?;
            }
            None => return Err(corrupt("entries without a schema version".into())),
        }
        let durable =
            DurableFiles::open(path).map_err(at("opening the data files to fsync", path))?;
        let store = Store {
            path: path.to_path_buf(),
            db,
            ledger,
            writer: Mutex::new(()),
            durable: Mutex::new(durable),
            health: Health::new(path, options.reserve_bytes),
            repairs,
            _lock: held,
        };
        store
            .complete_staged()
            .map_err(at("completing staged writes", path))?;
        store.sync().map_err(at("syncing to disk", path))?;
        if marker.is_none() {
            // Only after the schema row is durable.
            marker::write(path, SCHEMA_VERSION).map_err(at("writing the schema marker", path))?;
        }
        Ok(store)
    }
}

/// Names the step of opening, and the store, in a bare I/O error ("No
/// such file or directory" alone does not say which file was missing).
fn at<'a, E: Into<StoreError>>(
    step: &'static str,
    path: &'a Path,
) -> impl Fn(E) -> StoreError + 'a {
    move |e| match e.into() {
        StoreError::Io(io) => StoreError::Io(std::io::Error::new(
            io.kind(),
            format!("{step} in {}: {io}", path.display()),
        )),
        other => other,
    }
}

/// Opens sled, turning its failures into errors an operator can act on.
///
/// sled 0.34's recovery can panic on a damaged log (for example "tried to
/// serialize Uninitialized" while it writes the snapshot of a page table it
/// could not rebuild); that is a corrupt store, not a crash of this program.
fn open_sled(path: &Path, options: StoreOptions) -> Result<sled::Db, StoreError> {
    let log_file = path.join("db");
    let corrupt_log = |reason: String| StoreError::Corrupt {
        path: log_file.clone(),
        reason,
    };
    let config = sled::Config::new()
        .path(path)
        .cache_capacity(options.cache_mb.max(1) * 1024 * 1024)
        // Every write path syncs for itself (`sync`, the ledger's fsync
        // thread); sled's own timer would add a second fsync stream.
        .flush_every_ms(None);
    let opened = crate::panics::catch_quietly(|| config.open())
        .map_err(|panic| corrupt_log(format!("sled could not recover it: {panic}")))?;
    opened.map_err(|e| match e {
        sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => {
            StoreError::Locked(path.to_path_buf())
        }
        sled::Error::Io(io) if is_disk_full(&io) => StoreError::DiskFull {
            path: path.to_path_buf(),
            free_bytes: super::free_bytes(path).unwrap_or(0),
            reserve_bytes: options.reserve_bytes,
        },
        sled::Error::Io(io) => StoreError::Io(io),
        other => corrupt_log(other.to_string()),
    })
}

pub(super) fn is_disk_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(28)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_io_error_names_the_step_and_the_store() {
        let path = Path::new("/srv/liandong/store");
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        let named = at("opening sled's files", path)(missing);
        assert!(
            matches!(&named, StoreError::Io(io)
                if io.kind() == std::io::ErrorKind::NotFound
                    && io.to_string().starts_with("opening sled's files in /srv/liandong/store: ")),
            "{named:?}"
        );
    }

    #[test]
    fn other_errors_pass_unchanged() {
        let path = Path::new("/srv/liandong/store");
        let locked = StoreError::Locked(path.to_path_buf());
        let after = at("opening sled's files", path)(locked);
        assert!(
            matches!(&after, StoreError::Locked(p) if p == path),
            "{after:?}"
        );
    }
}
