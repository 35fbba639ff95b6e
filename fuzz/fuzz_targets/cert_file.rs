//! `CertFile::from_file_bytes`: the certificate file a parent hands a
//! newcomer (the signed genesis and the certificate chain). Then what
//! `liandong cert install` does with it before touching the store: verify
//! the genesis and validate every certificate in the chain.
//!
//! A decoded file round-trips through `to_file_bytes`.

use liandong_fuzz::{LIMITS, NOW_MS, network};
use liandong_protocol::trust::{CertFile, SignedGenesis};
use liandong_protocol::{Body, ValidationContext, validate};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(file) = CertFile::from_file_bytes(data) else {
            return;
        };
        let bytes = file.to_file_bytes().expect("a decoded file encodes");
        assert_eq!(CertFile::from_file_bytes(&bytes).as_ref(), Ok(&file));
        let net = SignedGenesis::from_bytes(&file.genesis)
            .map(|g| g.network_id())
            .unwrap_or_else(|_| network());
        let ctx = ValidationContext {
            now_ms: NOW_MS,
            network: net,
            limits: &LIMITS,
        };
        for wire in file.entries() {
            if let Ok(entry) = validate(&wire, &ctx) {
                let _ = matches!(entry.body(), Ok(Body::Certificate(_)));
            }
        }
    });
}
