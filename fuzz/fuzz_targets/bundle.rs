//! Bundles: the file of entries a USB stick carries across a cut link, or
//! a console upload. `bundle::check` reads and checks a whole bundle
//! (magic, manifest length and signature, network, every record's length,
//! count, digest, content hash) before anything is stored;
//! `bundle::manifest_of` reads just the manifest (`liandong bundle info`).
//!
//! Input: one mode byte.
//! - 0: the rest is a whole bundle file. A fuzzer cannot forge the
//!   manifest signature, so this explores the framing up to it.
//! - else: the rest is an entries section, and the target signs a
//!   manifest for it with a fixed key (the content hash and digest of the
//!   records as they frame, the count from the mode byte, or the true
//!   count when its top bit is set): this explores the record loop and
//!   every later check. A bundle that passes gives back exactly the
//!   records it was built from.

use std::path::Path;

use liandong_fuzz::{LIMITS, NOW_MS, keypair, mode, network};
use liandong_node::bundle::{check, manifest_of};
use liandong_protocol::bundle::{MAGIC, Manifest};
use liandong_protocol::{EntryId, LedgerDigest, RegionCode};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Some((mode, rest)) = mode(data) else {
            return;
        };
        let path = Path::new("fuzz.bundle");
        if mode == 0 {
            let _ = manifest_of(rest, path);
            let _ = check(rest, path, network(), LIMITS.max_entry_bytes);
            return;
        }

        // Frame the records the way the format does, leniently: whatever
        // does not frame stays in the section for `check` to refuse.
        let mut records = Vec::new();
        let mut digest = LedgerDigest::default();
        let mut at = rest;
        while let Some((len, tail)) = at.split_first_chunk::<4>() {
            let Some(record) = tail.get(..u32::from_be_bytes(*len) as usize) else {
                break;
            };
            digest.add(&EntryId::of_wire_bytes(record));
            records.push(record);
            at = &tail[record.len()..];
        }
        let manifest = Manifest {
            network: network(),
            exporter: keypair().node_id(),
            created_ms: NOW_MS,
            scope: RegionCode::national(),
            since: None,
            count: if mode & 0x80 != 0 {
                records.len() as u64
            } else {
                u64::from(mode)
            },
            digest,
            content_hash: *blake3::hash(rest).as_bytes(),
        };
        let signed = manifest.sign(keypair()).expect("manifest signs");
        let file = [
            &MAGIC[..],
            &(signed.len() as u32).to_be_bytes(),
            &signed,
            rest,
        ]
        .concat();
        assert_eq!(manifest_of(&file, path).ok().as_ref(), Some(&manifest));
        if let Ok(bundle) = check(&file[..], path, network(), LIMITS.max_entry_bytes) {
            assert_eq!(bundle.manifest, manifest);
            assert_eq!(bundle.entries().len() as u64, manifest.count);
            let entries: Vec<&[u8]> = bundle.entries().iter().map(Vec::as_slice).collect();
            assert_eq!(entries, records);
            assert!(at.is_empty(), "a bundle with a torn record passed");
        }
    });
}
