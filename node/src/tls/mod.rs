//! TLS for the console, with rustls (no OpenSSL).
//!
//! - [`identity`]: the certificate the console serves — the operator's
//!   (`[console] cert`/`key`) or one the post generates at first start and
//!   keeps in `<data-dir>/console-tls/` — loaded into a rustls server
//!   config.
//! - [`pin`]: the CLI's side. The running node writes its certificate's
//!   SHA-256 fingerprint to `node.json`; the CLI accepts the server only
//!   when the certificate it presents has exactly that fingerprint (and the
//!   handshake proves the server holds its key). No name or CA check is
//!   needed then, and none is skipped without one: a different certificate
//!   is refused.
//!
//! Both sides use the aws-lc-rs provider that libp2p's QUIC already builds,
//! passed explicitly (never a process-wide default).

pub mod identity;
pub mod pin;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use base64::Engine as _;
use rustls::crypto::CryptoProvider;
use sha2::{Digest, Sha256};

pub use identity::{ServerTls, TLS_DIR, TlsError};

/// The crypto provider of every TLS config here.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A certificate's SHA-256 fingerprint (over its DER bytes): what
/// `openssl x509 -fingerprint -sha256` and browsers show, printed the same
/// way (`AB:CD:…`, 32 bytes).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// The fingerprint of a DER-encoded certificate.
    pub fn of(der: &[u8]) -> Fingerprint {
        Fingerprint(Sha256::digest(der).into())
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// Why a fingerprint could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "证书指纹应为 64 位十六进制（可用冒号分隔）/ a certificate fingerprint is 64 hex digits, \
     colons allowed: {0:?}"
)]
pub struct BadFingerprint(pub String);

/// Reads `AB:CD:…`, `abcd…` or `sha256:…`, as people copy them from
/// `liandong status`, openssl or a browser's certificate viewer.
impl FromStr for Fingerprint {
    type Err = BadFingerprint;

    fn from_str(s: &str) -> Result<Fingerprint, BadFingerprint> {
        let bad = || BadFingerprint(s.chars().take(120).collect());
        let trimmed = s.trim();
        let body = trimmed
            .get(..7)
            .filter(|p| p.eq_ignore_ascii_case("sha256:"))
            .map_or(trimmed, |_| &trimmed[7..]);
        let hex: String = body.chars().filter(|c| !matches!(c, ':' | ' ')).collect();
        let mut out = [0u8; 32];
        hex::decode_to_slice(&hex, &mut out).map_err(|_| bad())?;
        Ok(Fingerprint(out))
    }
}

impl serde::Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Fingerprint {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Fingerprint, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The base64 SHA-256 of a certificate's public key (SubjectPublicKeyInfo):
/// the pin Chromium's `--ignore-certificate-errors-spki-list` and HPKP-style
/// tools take. `None` when the certificate cannot be parsed.
pub fn spki_pin(cert_der: &[u8]) -> Option<String> {
    let der = rustls::pki_types::CertificateDer::from(cert_der);
    let parsed = rustls::server::ParsedCertificate::try_from(&der).ok()?;
    let spki = parsed.subject_public_key_info();
    Some(base64::engine::general_purpose::STANDARD.encode(Sha256::digest(spki.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_print_like_openssl_and_read_back_in_any_common_form() {
        let f = Fingerprint::of(b"not really a certificate");
        let text = f.to_string();
        assert_eq!(text.len(), 32 * 3 - 1);
        assert!(text.chars().all(|c| c == ':' || c.is_ascii_hexdigit()));
        assert_eq!(text.parse::<Fingerprint>(), Ok(f));
        let bare = text.replace(':', "").to_lowercase();
        assert_eq!(bare.parse::<Fingerprint>(), Ok(f));
        assert_eq!(format!("SHA256:{bare}").parse::<Fingerprint>(), Ok(f));
        let json = serde_json::to_string(&f).expect("json");
        assert_eq!(serde_json::from_str::<Fingerprint>(&json).expect("back"), f);

        for bad in [
            "",
            "AB:CD",
            &bare[..62],
            &format!("{bare}00"),
            &format!("{}zz", &bare[..62]),
        ] {
            let err = bad.parse::<Fingerprint>().expect_err(bad);
            assert!(err.to_string().contains("64"), "{err}");
        }
    }
}
