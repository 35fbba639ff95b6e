//! `CertRequest::verify`: the certificate request a newcomer carries to
//! its parent post on a USB stick (magic, codec body, the subject's proof
//! of possession). The body is decoded before the signature is checked,
//! so forged files exercise the decoder.
//!
//! Input: one mode byte (0 request file, else bare `CertRequest` body).
//! A decoded request round-trips.

use liandong_fuzz::{mode, round_trip};
use liandong_protocol::codec;
use liandong_protocol::trust::CertRequest;
use liandong_protocol::trust::request::MAX_REQUEST_BYTES;

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Some((mode, bytes)) = mode(data) else {
            return;
        };
        let decode = |b: &[u8]| codec::decode::<CertRequest>(b, MAX_REQUEST_BYTES);
        if mode == 0 {
            if let Ok(request) = CertRequest::verify(bytes) {
                round_trip(&request, codec::encode, decode);
            }
        } else if let Ok(request) = decode(bytes) {
            round_trip(&request, codec::encode, decode);
        }
    });
}
