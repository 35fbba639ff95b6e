//! The certificate the console serves, and the rustls server config for it.
//!
//! [`ServerTls::prepare`] follows the [`TlsPlan`] the config decided:
//! the operator's PEM files, or the post's own self-signed certificate in
//! `<data-dir>/console-tls/` — generated once at first start (ECDSA P-256,
//! names: localhost, 127.0.0.1, ::1, the listen address when it is a
//! specific one, the host name) and reused after, so a fingerprint that
//! scripts and browsers pinned stays valid across restarts.

use std::fs;
use std::io::{Read as _, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::{Fingerprint, provider, spki_pin};
use crate::config::{TlsPlan, TlsPlanError};

/// Where a post keeps its generated certificate, under the data directory.
pub const TLS_DIR: &str = "console-tls";
/// The generated certificate (PEM), the file scripts pin with
/// `curl --cacert`.
pub const CERT_FILE: &str = "cert.pem";
/// The generated certificate's private key (PEM, mode 0600).
pub const KEY_FILE: &str = "key.pem";
/// Largest certificate or key file read. A chain of a few certificates is
/// a few KiB; this only stops a wrong path (a log, a disk image) from
/// being read into memory.
pub const MAX_PEM_BYTES: u64 = 1024 * 1024;
/// How long a generated certificate is valid. It is pinned, not checked
/// against a CA, so it need not be short; ten years outlives the box.
const GENERATED_VALID_DAYS: u64 = 3650;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error(transparent)]
    Plan(#[from] TlsPlanError),
    #[error("无法读取 {path} / cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} 有 {size} 字节，超过上限 {max} / {path} is {size} bytes, over the limit of {max}"
    )]
    TooLarge { path: PathBuf, size: u64, max: u64 },
    #[error(
        "{path} 中没有可用的 PEM 证书（-----BEGIN CERTIFICATE-----）\
         / {path} holds no PEM certificate (-----BEGIN CERTIFICATE-----): {detail}"
    )]
    NoCertificate { path: PathBuf, detail: String },
    #[error(
        "{path} 中没有可用的 PEM 私钥（PKCS#8、PKCS#1 或 SEC1）\
         / {path} holds no PEM private key (PKCS#8, PKCS#1 or SEC1): {detail}"
    )]
    NoKey { path: PathBuf, detail: String },
    #[error(
        "证书 {cert} 与私钥 {key} 不匹配或无法使用 \
         / the certificate {cert} and the key {key} do not match or cannot be used: {detail}"
    )]
    Unusable {
        cert: PathBuf,
        key: PathBuf,
        detail: String,
    },
    #[error("无法生成控制台证书 / cannot generate the console certificate: {0}")]
    Generate(String),
    #[error("无法写入 {path} / cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The console's TLS: the server config and what people pin.
#[derive(Clone)]
pub struct ServerTls {
    pub(crate) config: Arc<ServerConfig>,
    /// SHA-256 of the leaf certificate.
    pub fingerprint: Fingerprint,
    /// base64 SHA-256 of the leaf's public key (Chromium's SPKI pin).
    pub spki_pin: Option<String>,
    /// The PEM file holding the served certificate.
    pub cert_path: PathBuf,
    /// Whether the post generated it (at this start or an earlier one).
    pub generated: bool,
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTls")
            .field("fingerprint", &self.fingerprint)
            .field("cert_path", &self.cert_path)
            .field("generated", &self.generated)
            .finish_non_exhaustive()
    }
}

impl ServerTls {
    /// The TLS of a console on `listen`, as `plan` says: `None` for plain
    /// HTTP. Generates the post's certificate when it has none yet.
    /// `post_name` goes into a generated certificate's subject.
    pub fn prepare(
        plan: &TlsPlan,
        data_root: &Path,
        listen: SocketAddr,
        post_name: &str,
    ) -> Result<Option<ServerTls>, TlsError> {
        let (cert, key, generated) = match plan {
            TlsPlan::Plain => return Ok(None),
            TlsPlan::Configured { cert, key } => (cert.clone(), key.clone(), false),
            TlsPlan::Generated => {
                let dir = data_root.join(TLS_DIR);
                let (cert, key) = (dir.join(CERT_FILE), dir.join(KEY_FILE));
                if !(cert.exists() && key.exists()) {
                    generate(&dir, listen, post_name)?;
                }
                (cert, key, true)
            }
        };
        ServerTls::load(&cert, &key, generated).map(Some)
    }

    /// Loads a PEM chain (leaf first) and its key.
    pub fn load(cert_path: &Path, key_path: &Path, generated: bool) -> Result<ServerTls, TlsError> {
        let chain = read_chain(cert_path)?;
        let key = read_key(key_path)?;
        let leaf = chain
            .first()
            .map(|c| c.as_ref().to_vec())
            .unwrap_or_default();
        let unusable = |e: rustls::Error| TlsError::Unusable {
            cert: cert_path.to_path_buf(),
            key: key_path.to_path_buf(),
            detail: e.to_string(),
        };
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(unusable)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(unusable)?;
        // The console speaks HTTP/1.1 only (api/server.rs).
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(ServerTls {
            config: Arc::new(config),
            fingerprint: Fingerprint::of(&leaf),
            spki_pin: spki_pin(&leaf),
            cert_path: cert_path.to_path_buf(),
            generated,
        })
    }
}

/// Reads a PEM file of at most [`MAX_PEM_BYTES`].
fn read_limited(path: &Path) -> Result<Vec<u8>, TlsError> {
    let read = |source| TlsError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = fs::File::open(path).map_err(read)?;
    let mut bytes = Vec::new();
    file.take(MAX_PEM_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read)?;
    if bytes.len() as u64 > MAX_PEM_BYTES {
        return Err(TlsError::TooLarge {
            path: path.to_path_buf(),
            size: fs::metadata(path).map_or(bytes.len() as u64, |m| m.len()),
            max: MAX_PEM_BYTES,
        });
    }
    Ok(bytes)
}

fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = read_limited(path)?;
    let no_cert = |detail: String| TlsError::NoCertificate {
        path: path.to_path_buf(),
        detail,
    };
    let chain = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| no_cert(e.to_string()))?;
    if chain.is_empty() {
        return Err(no_cert("no CERTIFICATE section / 无 CERTIFICATE 段".into()));
    }
    Ok(chain)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let bytes = read_limited(path)?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| TlsError::NoKey {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })
}

/// The names a generated certificate covers.
fn names(listen: SocketAddr) -> Vec<String> {
    let mut names: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    let ip = listen.ip();
    if !ip.is_unspecified() && !ip.is_loopback() {
        names.push(ip.to_string());
    }
    if let Some(host) = host_name()
        && !names.contains(&host)
    {
        names.push(host);
    }
    names
}

/// This machine's host name, when it is a plain DNS name.
fn host_name() -> Option<String> {
    let text = fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .ok()?;
    let name = text.lines().next()?.trim().to_ascii_lowercase();
    let plain = !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    plain.then_some(name)
}

/// Generates the post's certificate and key into `dir`: the key first
/// (0600), then the certificate, each written to a temporary file, synced
/// and renamed, so a crash leaves either a usable pair or no certificate
/// (which the next start regenerates — nobody can have pinned it).
fn generate(dir: &Path, listen: SocketAddr, post_name: &str) -> Result<(), TlsError> {
    let fail = |e: rcgen::Error| TlsError::Generate(e.to_string());
    let key = rcgen::KeyPair::generate().map_err(fail)?;
    let mut params = rcgen::CertificateParams::new(names(listen)).map_err(fail)?;
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, "Liandong console / 联动控制台");
    if !post_name.is_empty() {
        dn.push(rcgen::DnType::OrganizationName, post_name);
    }
    params.distinguished_name = dn;
    let now =
        rcgen::date_time_ymd(1970, 1, 1) + std::time::Duration::from_millis(crate::clock::now_ms());
    // A day of slack for a clock that is a little behind on the client.
    params.not_before = now - time_days(1);
    params.not_after = now + time_days(GENERATED_VALID_DAYS);
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.self_signed(&key).map_err(fail)?;

    create_private_dir(dir)?;
    write_atomically(&dir.join(KEY_FILE), key.serialize_pem().as_bytes(), 0o600)?;
    write_atomically(&dir.join(CERT_FILE), cert.pem().as_bytes(), 0o644)?;
    tracing::info!(dir = %dir.display(), "generated the console's self-signed certificate");
    Ok(())
}

fn time_days(days: u64) -> std::time::Duration {
    std::time::Duration::from_secs(days * 86_400)
}

fn create_private_dir(dir: &Path) -> Result<(), TlsError> {
    let write = |source| TlsError::Write {
        path: dir.to_path_buf(),
        source,
    };
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(write)
}

fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> Result<(), TlsError> {
    let write = |source| TlsError::Write {
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_extension("tmp");
    let _ = fs::remove_file(&tmp);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(&tmp).map_err(write)?;
    file.write_all(bytes).map_err(write)?;
    file.sync_all().map_err(write)?;
    drop(file);
    fs::rename(&tmp, path).map_err(write)?;
    if let Some(parent) = path.parent()
        && let Ok(d) = fs::File::open(parent)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listen(a: &str) -> SocketAddr {
        a.parse().expect("addr")
    }

    #[test]
    fn plain_needs_no_certificate() {
        let tmp = tempfile::tempdir().expect("tmp");
        let tls = ServerTls::prepare(&TlsPlan::Plain, tmp.path(), listen("127.0.0.1:1"), "x")
            .expect("plain");
        assert!(tls.is_none());
        assert!(!tmp.path().join(TLS_DIR).exists());
    }

    #[test]
    fn a_generated_certificate_is_kept_private_and_reused() {
        let tmp = tempfile::tempdir().expect("tmp");
        let at = listen("192.168.7.9:7480");
        let first = ServerTls::prepare(&TlsPlan::Generated, tmp.path(), at, "沙湾市应急指挥部")
            .expect("generate")
            .expect("tls");
        assert!(first.generated);
        let dir = tmp.path().join(TLS_DIR);
        assert_eq!(first.cert_path, dir.join(CERT_FILE));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(&dir.join(KEY_FILE)), 0o600);
            assert_eq!(mode(&dir), 0o700);
        }
        // The fingerprint is the certificate file's.
        let pem = fs::read(&first.cert_path).expect("cert");
        let der = CertificateDer::from_pem_slice(&pem).expect("pem");
        assert_eq!(first.fingerprint, Fingerprint::of(der.as_ref()));
        assert!(first.spki_pin.as_ref().is_some_and(|p| p.len() == 44));

        // A later start reuses it.
        let again = ServerTls::prepare(&TlsPlan::Generated, tmp.path(), at, "x")
            .expect("reuse")
            .expect("tls");
        assert_eq!(again.fingerprint, first.fingerprint);

        // Names: loopback, the specific listen address.
        let covered = names(at);
        for n in ["localhost", "127.0.0.1", "::1", "192.168.7.9"] {
            assert!(covered.iter().any(|x| x == n), "{n} in {covered:?}");
        }
        assert!(!names(listen("0.0.0.0:1")).iter().any(|x| x == "0.0.0.0"));
    }

    #[test]
    fn a_half_written_pair_is_generated_again() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join(TLS_DIR);
        fs::create_dir_all(&dir).expect("dir");
        fs::write(dir.join(KEY_FILE), "left over").expect("key");
        let tls = ServerTls::prepare(&TlsPlan::Generated, tmp.path(), listen("0.0.0.0:1"), "x")
            .expect("regenerated")
            .expect("tls");
        assert!(tls.spki_pin.is_some());
    }

    #[test]
    fn configured_files_are_loaded_and_bad_ones_named() {
        // A pair made like an operator's (here: by the generator).
        let tmp = tempfile::tempdir().expect("tmp");
        let made = ServerTls::prepare(&TlsPlan::Generated, tmp.path(), listen("0.0.0.0:1"), "x")
            .expect("made")
            .expect("tls");
        let dir = tmp.path().join(TLS_DIR);
        let (cert, key) = (dir.join(CERT_FILE), dir.join(KEY_FILE));
        let plan = TlsPlan::Configured {
            cert: cert.clone(),
            key: key.clone(),
        };
        let loaded = ServerTls::prepare(&plan, tmp.path(), listen("0.0.0.0:1"), "x")
            .expect("configured")
            .expect("tls");
        assert_eq!(loaded.fingerprint, made.fingerprint);
        assert!(!loaded.generated);

        let bad = tmp.path().join("bad.pem");
        fs::write(&bad, "-----BEGIN CERTIFICATE-----\nnot base64!\n").expect("bad");
        let err = ServerTls::load(&bad, &key, false).expect_err("bad cert");
        assert!(matches!(err, TlsError::NoCertificate { .. }), "{err}");
        assert!(err.to_string().contains("bad.pem"), "{err}");

        let empty = tmp.path().join("empty.pem");
        fs::write(&empty, "nothing here\n").expect("empty");
        let err = ServerTls::load(&empty, &key, false).expect_err("no cert");
        assert!(err.to_string().contains("empty.pem"), "{err}");
        let err = ServerTls::load(&cert, &empty, false).expect_err("no key");
        assert!(matches!(err, TlsError::NoKey { .. }) && err.to_string().contains("empty.pem"));

        let missing = tmp.path().join("missing.pem");
        let err = ServerTls::load(&missing, &key, false).expect_err("missing");
        assert!(err.to_string().contains("missing.pem"), "{err}");

        // Another post's key does not match this certificate.
        let other = tempfile::tempdir().expect("tmp");
        ServerTls::prepare(&TlsPlan::Generated, other.path(), listen("0.0.0.0:1"), "y")
            .expect("other");
        let other_key = other.path().join(TLS_DIR).join(KEY_FILE);
        let err = ServerTls::load(&cert, &other_key, false).expect_err("mismatch");
        assert!(matches!(err, TlsError::Unusable { .. }), "{err}");

        // A file over the limit is not read.
        let huge = tmp.path().join("huge.pem");
        fs::write(&huge, vec![b'a'; MAX_PEM_BYTES as usize + 1]).expect("huge");
        let err = ServerTls::load(&huge, &key, false).expect_err("huge");
        assert!(matches!(err, TlsError::TooLarge { .. }), "{err}");
        // At the limit it is read (and then found to hold no certificate).
        fs::write(&huge, vec![b'a'; MAX_PEM_BYTES as usize]).expect("at limit");
        let err = ServerTls::load(&huge, &key, false).expect_err("no cert");
        assert!(matches!(err, TlsError::NoCertificate { .. }), "{err}");
    }
}
