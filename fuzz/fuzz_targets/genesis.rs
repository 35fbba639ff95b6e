//! The genesis: `SignedGenesis::from_file_bytes` (a genesis file an
//! operator carries to a new post), `SignedGenesis::from_bytes` (the signed
//! bytes inside a certificate file), and the `Genesis` codec with its
//! consistency `check`, which runs before the signature is verified and so
//! is what a forged file exercises.
//!
//! Input: one mode byte (0 file, 1 signed bytes, else bare `Genesis`),
//! then the bytes. A verified genesis keeps its bytes verbatim; a decoded
//! `Genesis` round-trips.

use liandong_fuzz::{mode, round_trip};
use liandong_protocol::codec;
use liandong_protocol::trust::genesis::MAX_GENESIS_BYTES;
use liandong_protocol::trust::{Genesis, SignedGenesis};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Some((mode, bytes)) = mode(data) else {
            return;
        };
        match mode {
            0 => {
                if let Ok(signed) = SignedGenesis::from_file_bytes(bytes) {
                    assert_eq!(signed.to_file_bytes(), bytes);
                    signed_ok(&signed);
                }
            }
            1 => {
                if let Ok(signed) = SignedGenesis::from_bytes(bytes) {
                    assert_eq!(signed.bytes(), bytes);
                    signed_ok(&signed);
                }
            }
            _ => {
                let Ok(genesis) = codec::decode::<Genesis>(bytes, MAX_GENESIS_BYTES) else {
                    return;
                };
                round_trip(&genesis, codec::encode, |b| {
                    codec::decode::<Genesis>(b, MAX_GENESIS_BYTES)
                });
                if genesis.check().is_ok() {
                    for root in &genesis.roots {
                        assert!(genesis.root_post(&root.key).is_some());
                    }
                }
            }
        }
    });
}

fn signed_ok(signed: &SignedGenesis) {
    assert_eq!(signed.genesis().check(), Ok(()));
    assert_eq!(
        SignedGenesis::from_bytes(signed.bytes()).as_ref(),
        Ok(signed)
    );
}
