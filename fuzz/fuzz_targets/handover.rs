//! `CertAsk::decode` and `CertAnswer::decode`: the frames of
//! `/liandong/cert-request/1`, which a post reads from anyone — a newcomer
//! not yet admitted asks, its parent answers — with their size limits.
//!
//! Input: one mode byte (0 an ask, as a parent reads it; else an answer,
//! as a newcomer reads it). A decoded frame round-trips; a submitted
//! request is read as the parent would (its signature checked), and an
//! issued certificate file as the newcomer would.

use liandong_fuzz::{mode, round_trip};
use liandong_protocol::trust::handover::{CertAnswer, CertAsk};
use liandong_protocol::trust::{CertFile, CertRequest};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Some((mode, bytes)) = mode(data) else {
            return;
        };
        if mode == 0 {
            if let Ok(ask) = CertAsk::decode(bytes) {
                round_trip(&ask, CertAsk::encode, CertAsk::decode);
                if let CertAsk::Submit { request } = &ask {
                    let _ = CertRequest::verify(request);
                }
            }
        } else if let Ok(answer) = CertAnswer::decode(bytes) {
            round_trip(&answer, CertAnswer::encode, CertAnswer::decode);
            if let CertAnswer::Issued { file } = &answer {
                let _ = CertFile::from_file_bytes(file);
            }
        }
    });
}
