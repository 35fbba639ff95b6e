//! Bundles: a post's entries in one file, for a USB stick carried across a
//! cut link. The format and its manifest are defined in
//! `liandong_protocol::bundle`.
//!
//! Import checks the whole file (signature, network, count, digest, content
//! hash) before it stores anything, then sends every entry through the same
//! validate→insert path as gossip and sync.

use std::fs::{self, File};
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use liandong_protocol::bundle::{MAGIC, MAX_MANIFEST_BYTES, Manifest, ManifestError};
use liandong_protocol::limits::MAX_ENTRY_CEILING;
use liandong_protocol::{EntryId, Hlc, Interest, LedgerDigest, NetworkId, RegionCode};
use serde::{Deserialize, Serialize};

use crate::clock;
use crate::ledger::{IngestReport, ItemOutcome, Ledger, LedgerError};
use crate::store::{Durability, StoreError};

/// Entries validated and stored per batch on import.
const IMPORT_BATCH: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("cannot read or write bundle {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{0} is not a liandong bundle (wrong magic bytes) / 不是联动数据包")]
    NotABundle(PathBuf),
    #[error("bundle {path} is truncated: {detail} / 数据包不完整")]
    Truncated { path: PathBuf, detail: String },
    #[error("bundle {path} was altered after export: {detail} / 数据包已被篡改")]
    Tampered { path: PathBuf, detail: String },
    #[error("bundle manifest of {path} is invalid: {source} / 数据包清单无效")]
    Manifest {
        path: PathBuf,
        source: ManifestError,
    },
    #[error(
        "bundle {path} belongs to network {found}, not this network {expected} / 数据包属于其他网络"
    )]
    ForeignNetwork {
        path: PathBuf,
        expected: NetworkId,
        found: NetworkId,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("the post cannot store entries now: {0} / 节点当前无法存储")]
    Unavailable(String),
    #[error("cannot encode manifest: {0}")]
    Encode(#[from] liandong_protocol::codec::EncodeError),
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportSummary {
    pub path: PathBuf,
    pub entries: u64,
    pub bytes: u64,
    pub digest: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ImportSummary {
    pub exporter: String,
    pub exported_at: String,
    pub scope: String,
    pub entries: u64,
    pub added: usize,
    pub duplicate: usize,
    pub forks: usize,
    pub out_of_scope: usize,
    /// Entries refused by validation, with the reason.
    pub rejected: Vec<RejectedEntry>,
    /// Valid entries refused by the trust rules (uncertified, revoked or
    /// quarantined author, or beyond its authority), with the reason.
    pub refused: Vec<RejectedEntry>,
    /// The entries new to this store (for live views; not reported).
    #[serde(skip)]
    pub new_ids: Vec<liandong_protocol::EntryId>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RejectedEntry {
    pub index: u64,
    pub reason: String,
    /// The reason's stable label (metrics, scripts).
    #[serde(default)]
    pub label: String,
}

/// A bundle built in memory.
#[derive(Debug)]
pub struct Built {
    pub bytes: Vec<u8>,
    pub entries: u64,
    pub digest: LedgerDigest,
}

/// Builds a bundle of what a post at `scope` holds (its subtree, and what
/// its ancestors addressed to everyone below them), from `since`.
pub fn build(
    ledger: &Ledger,
    scope: &RegionCode,
    since: Option<Hlc>,
) -> Result<Built, BundleError> {
    let items = ledger
        .store()
        .items_in(&Interest::of_post(scope, &[]), since)?;
    let mut entries_section: Vec<u8> = Vec::new();
    let mut digest = LedgerDigest::default();
    for (_, id) in &items {
        let Some(wire) = ledger.store().get_wire(id)? else {
            continue;
        };
        digest.add(id);
        entries_section.extend_from_slice(&(wire.len() as u32).to_be_bytes());
        entries_section.extend_from_slice(&wire);
    }
    let manifest = Manifest {
        network: ledger.network(),
        exporter: ledger.node_id(),
        created_ms: clock::now_ms(),
        scope: scope.clone(),
        since,
        count: digest.count,
        digest,
        content_hash: *blake3::hash(&entries_section).as_bytes(),
    };
    let signed = manifest.sign(ledger.keypair())?;
    let mut bytes = Vec::with_capacity(MAGIC.len() + 4 + signed.len() + entries_section.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&(signed.len() as u32).to_be_bytes());
    bytes.extend_from_slice(&signed);
    bytes.extend_from_slice(&entries_section);
    Ok(Built {
        bytes,
        entries: digest.count,
        digest,
    })
}

/// Builds a bundle and writes it to `path`. The file appears under its
/// name only when complete: it is written to a temporary name, synced,
/// then renamed.
pub fn export(
    ledger: &Ledger,
    scope: &RegionCode,
    since: Option<Hlc>,
    path: &Path,
) -> Result<ExportSummary, BundleError> {
    let built = build(ledger, scope, since)?;
    write_file(path, &built.bytes)?;
    Ok(ExportSummary {
        path: path.to_path_buf(),
        entries: built.entries,
        bytes: built.bytes.len() as u64,
        digest: built.digest.to_string(),
    })
}

/// Writes `bytes` to `path` atomically (temporary name, fsync, rename).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), BundleError> {
    let io_err = |source| BundleError::Io {
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_extension("partial");
    let mut file = File::create(&tmp).map_err(io_err)?;
    file.write_all(bytes).map_err(io_err)?;
    file.sync_all().map_err(io_err)?;
    fs::rename(&tmp, path).map_err(io_err)
}

/// The verified manifest at the head of bundle bytes (without checking the
/// entries): what a bundle claims to hold.
pub fn manifest_of(bytes: &[u8], path: &Path) -> Result<Manifest, BundleError> {
    let truncated = || BundleError::Truncated {
        path: path.to_path_buf(),
        detail: "no manifest".into(),
    };
    if bytes.get(..MAGIC.len()) != Some(&MAGIC[..]) {
        return Err(BundleError::NotABundle(path.to_path_buf()));
    }
    let len_bytes: [u8; 4] = bytes
        .get(16..20)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(truncated)?;
    let len = u32::from_be_bytes(len_bytes) as usize;
    if len > MAX_MANIFEST_BYTES {
        return Err(BundleError::Tampered {
            path: path.to_path_buf(),
            detail: "manifest oversized".into(),
        });
    }
    let signed = bytes.get(20..20 + len).ok_or_else(truncated)?;
    Manifest::verify(signed).map_err(|source| BundleError::Manifest {
        path: path.to_path_buf(),
        source,
    })
}

/// A bundle whose manifest and content were checked.
#[derive(Debug)]
pub struct CheckedBundle {
    pub manifest: Manifest,
    entries: Vec<Vec<u8>>,
}

impl CheckedBundle {
    pub fn entries(&self) -> &[Vec<u8>] {
        &self.entries
    }

    /// The entries in import batches, each with the bundle index of its
    /// first entry.
    pub fn batches(&self) -> impl Iterator<Item = (u64, &[Vec<u8>])> {
        self.entries
            .chunks(IMPORT_BATCH)
            .enumerate()
            .map(|(i, chunk)| ((i * IMPORT_BATCH) as u64, chunk))
    }
}

/// Reads and checks a whole bundle: magic, manifest signature, network,
/// every record's length, count, digest and content hash. Nothing is
/// stored. `max_entry_bytes` bounds each record before it is read.
pub fn read_checked(
    path: &Path,
    network: NetworkId,
    max_entry_bytes: usize,
) -> Result<CheckedBundle, BundleError> {
    let file = File::open(path).map_err(|source| BundleError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    check(BufReader::new(file), path, network, max_entry_bytes)
}

/// Like [`read_checked`], for bundle bytes from any reader (an upload);
/// `path` only names the source in errors.
pub fn check(
    mut input: impl Read,
    path: &Path,
    network: NetworkId,
    max_entry_bytes: usize,
) -> Result<CheckedBundle, BundleError> {
    let io_err = |source| BundleError::Io {
        path: path.to_path_buf(),
        source,
    };
    let truncated = |detail: &str| BundleError::Truncated {
        path: path.to_path_buf(),
        detail: detail.into(),
    };
    let tampered = |detail: String| BundleError::Tampered {
        path: path.to_path_buf(),
        detail,
    };

    let mut magic = [0u8; 16];
    read_exact_or(&mut input, &mut magic, || {
        BundleError::NotABundle(path.to_path_buf())
    })?;
    if &magic != MAGIC {
        return Err(BundleError::NotABundle(path.to_path_buf()));
    }
    let manifest_len = read_u32(&mut input).map_err(|_| truncated("no manifest"))? as usize;
    if manifest_len > MAX_MANIFEST_BYTES {
        return Err(tampered(format!(
            "manifest length {manifest_len} is over {MAX_MANIFEST_BYTES}"
        )));
    }
    let mut signed = vec![0u8; manifest_len];
    read_exact_or(&mut input, &mut signed, || truncated("manifest cut short"))?;
    let manifest = Manifest::verify(&signed).map_err(|source| BundleError::Manifest {
        path: path.to_path_buf(),
        source,
    })?;
    if manifest.network != network {
        return Err(BundleError::ForeignNetwork {
            path: path.to_path_buf(),
            expected: network,
            found: manifest.network,
        });
    }

    let max_record = max_entry_bytes.min(MAX_ENTRY_CEILING);
    let mut hasher = blake3::Hasher::new();
    let mut digest = LedgerDigest::default();
    let mut entries = Vec::new();
    loop {
        let mut len_bytes = [0u8; 4];
        match input.read(&mut len_bytes[..1]).map_err(io_err)? {
            0 => break,
            _ => read_exact_or(&mut input, &mut len_bytes[1..], || {
                truncated("record length cut short")
            })?,
        }
        let len = u32::from_be_bytes(len_bytes) as usize;
        if len > max_record {
            return Err(tampered(format!(
                "record {} claims {len} bytes, over the limit {max_record}",
                entries.len()
            )));
        }
        if entries.len() as u64 >= manifest.count {
            return Err(tampered(format!(
                "more records than the {} the manifest names",
                manifest.count
            )));
        }
        let mut record = vec![0u8; len];
        read_exact_or(&mut input, &mut record, || {
            truncated("last record cut short")
        })?;
        hasher.update(&len_bytes);
        hasher.update(&record);
        digest.add(&EntryId::of_wire_bytes(&record));
        entries.push(record);
    }
    if (entries.len() as u64) < manifest.count {
        return Err(truncated(&format!(
            "{} of {} records present",
            entries.len(),
            manifest.count
        )));
    }
    if hasher.finalize().as_bytes() != &manifest.content_hash {
        return Err(tampered("content hash does not match the manifest".into()));
    }
    if digest != manifest.digest {
        return Err(tampered("entry digest does not match the manifest".into()));
    }
    Ok(CheckedBundle { manifest, entries })
}

/// Validates and stores a checked bundle's entries through the one
/// ingest path, in batches; `progress(done, total)` after each batch. For a
/// post that is not running (`liandong bundle import`); a running post
/// imports through its ledger thread (`NodeHandle::import_bundle`).
pub fn import(
    ledger: &Ledger,
    bundle: &CheckedBundle,
    mut progress: impl FnMut(u64, u64),
) -> Result<ImportSummary, BundleError> {
    let mut summary = ImportSummary::new(&bundle.manifest);
    let total = bundle.entries.len() as u64;
    for (base, chunk) in bundle.batches() {
        let outcomes = ledger.ingest_each(chunk, Durability::Durable)?;
        summary.record(base, &outcomes);
        progress((base + chunk.len() as u64).min(total), total);
    }
    Ok(summary)
}

impl ImportSummary {
    /// An import of the bundle `manifest` describes, nothing stored yet.
    pub fn new(manifest: &Manifest) -> ImportSummary {
        ImportSummary {
            exporter: manifest.exporter.to_hex(),
            exported_at: clock::format_ms(manifest.created_ms),
            scope: manifest.scope.to_string(),
            entries: manifest.count,
            ..ImportSummary::default()
        }
    }

    /// Counts the outcomes of one batch, whose first entry is number `base`
    /// in the bundle.
    pub fn record(&mut self, base: u64, outcomes: &[ItemOutcome]) {
        let report = IngestReport::from_outcomes(outcomes);
        self.added += report.added;
        self.duplicate += report.duplicate;
        self.forks += report.forks;
        self.out_of_scope += report.out_of_scope;
        self.rejected
            .extend(report.rejected.into_iter().map(|(i, e)| RejectedEntry {
                index: base + i as u64,
                reason: e.to_string(),
                label: e.label().to_string(),
            }));
        self.refused
            .extend(report.refused.into_iter().map(|(i, e)| RejectedEntry {
                index: base + i as u64,
                reason: e.to_string(),
                label: e.label().to_string(),
            }));
        self.new_ids.extend(report.new_ids);
    }
}

fn read_u32(input: &mut impl Read) -> io::Result<u32> {
    let mut b = [0u8; 4];
    input.read_exact(&mut b)?;
    Ok(u32::from_be_bytes(b))
}

fn read_exact_or(
    input: &mut impl Read,
    buf: &mut [u8],
    err: impl FnOnce() -> BundleError,
) -> Result<(), BundleError> {
    input.read_exact(buf).map_err(|_| err())
}
