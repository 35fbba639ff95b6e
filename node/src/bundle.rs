//! Bundles: a post's entries in one file, for a USB stick carried across a
//! cut link. The format and its manifest are defined in
//! `liandong_protocol::bundle`.
//!
//! Import checks the whole file (signature, network, count, digest, content
//! hash) before it stores anything, then sends every entry through the same
//! validate→insert path as gossip and sync.

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use liandong_protocol::bundle::{MAGIC, MAX_MANIFEST_BYTES, Manifest, ManifestError};
use liandong_protocol::limits::HARD_MAX_ENCODED_BYTES;
use liandong_protocol::{EntryId, Hlc, Interest, LedgerDigest, NetworkId, RegionCode};
use serde::Serialize;

use crate::clock;
use crate::ledger::{Ledger, LedgerError};
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

#[derive(Debug, Clone, Default, Serialize)]
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
}

#[derive(Debug, Clone, Serialize)]
pub struct RejectedEntry {
    pub index: u64,
    pub reason: String,
}

/// Writes what a post at `scope` holds (its subtree, and what its ancestors
/// addressed to everyone below them), from `since`, to `path`.
///
/// The file appears under its name only when complete: it is written to a
/// temporary name, synced, then renamed.
pub fn export(
    ledger: &Ledger,
    scope: &RegionCode,
    since: Option<Hlc>,
    path: &Path,
) -> Result<ExportSummary, BundleError> {
    let io_err = |source| BundleError::Io {
        path: path.to_path_buf(),
        source,
    };
    let items = ledger
        .store()
        .items_in(&Interest::of_post(scope, &[]), since)?;
    let tmp = path.with_extension("partial");
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
    {
        let file = File::create(&tmp).map_err(io_err)?;
        let mut out = BufWriter::new(file);
        out.write_all(MAGIC).map_err(io_err)?;
        out.write_all(&(signed.len() as u32).to_be_bytes())
            .map_err(io_err)?;
        out.write_all(&signed).map_err(io_err)?;
        out.write_all(&entries_section).map_err(io_err)?;
        let file = out.into_inner().map_err(|e| io_err(e.into_error()))?;
        file.sync_all().map_err(io_err)?;
    }
    fs::rename(&tmp, path).map_err(io_err)?;
    let bytes = fs::metadata(path).map_err(io_err)?.len();
    Ok(ExportSummary {
        path: path.to_path_buf(),
        entries: digest.count,
        bytes,
        digest: digest.to_string(),
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
}

/// Reads and checks a whole bundle: magic, manifest signature, network,
/// every record's length, count, digest and content hash. Nothing is
/// stored. `max_entry_bytes` bounds each record before it is read.
pub fn read_checked(
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
    let mut input = BufReader::new(File::open(path).map_err(io_err)?);

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

    let max_record = max_entry_bytes.min(HARD_MAX_ENCODED_BYTES);
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

/// Imports a checked bundle through the ledger's validate→insert path.
/// `progress(done, total)` is called after every batch.
pub fn import(
    ledger: &Ledger,
    bundle: &CheckedBundle,
    mut progress: impl FnMut(u64, u64),
) -> Result<ImportSummary, BundleError> {
    let m = &bundle.manifest;
    let mut summary = ImportSummary {
        exporter: m.exporter.to_hex(),
        exported_at: clock::format_ms(m.created_ms),
        scope: m.scope.to_string(),
        entries: m.count,
        ..ImportSummary::default()
    };
    let total = bundle.entries.len() as u64;
    for (chunk_index, chunk) in bundle.entries.chunks(IMPORT_BATCH).enumerate() {
        let report = ledger.ingest(chunk, Durability::Durable)?;
        summary.added += report.added;
        summary.duplicate += report.duplicate;
        summary.forks += report.forks;
        summary.out_of_scope += report.out_of_scope;
        let base = (chunk_index * IMPORT_BATCH) as u64;
        summary
            .rejected
            .extend(report.rejected.into_iter().map(|(i, e)| RejectedEntry {
                index: base + i as u64,
                reason: e.to_string(),
            }));
        summary
            .refused
            .extend(report.refused.into_iter().map(|(i, e)| RejectedEntry {
                index: base + i as u64,
                reason: e.to_string(),
            }));
        progress((base + chunk.len() as u64).min(total), total);
    }
    Ok(summary)
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
