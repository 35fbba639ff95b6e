//! The credential of the post's own command line: a random secret the
//! running node writes to `<data-dir>/local-cli.credential` (mode 0600) at
//! every start, and the CLI sends as a bearer token — so `liandong note
//! add` and the other commands keep working on a post whose console needs
//! a login.
//!
//! Why this is safe: only the post's own user can read the file, and that
//! user can read the post's signing key (`secret.key`) in the same
//! directory anyway — the credential gives no power the key does not. A
//! new start writes a new secret, so an old copy is worthless.

use std::path::PathBuf;

use super::files;
use crate::datadir::DataDir;

/// Random bytes in the credential (hex in the file).
const CREDENTIAL_BYTES: usize = 32;
/// Largest credential file read.
const MAX_FILE_BYTES: u64 = 256;

pub fn credential_path(data_dir: &DataDir) -> PathBuf {
    data_dir.root().join("local-cli.credential")
}

/// Writes a fresh credential; returns its BLAKE3 hash (what the running
/// node keeps to compare with).
pub fn issue(data_dir: &DataDir) -> std::io::Result<blake3::Hash> {
    let mut bytes = [0u8; CREDENTIAL_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    let secret = hex::encode(bytes);
    files::write_private(&credential_path(data_dir), secret.as_bytes())?;
    Ok(blake3::hash(secret.as_bytes()))
}

/// The credential, for the CLI; `None` when there is none (or it cannot
/// be read — the CLI then goes without).
pub fn read(data_dir: &DataDir) -> Option<String> {
    let bytes = files::read_limited(&credential_path(data_dir), MAX_FILE_BYTES).ok()??;
    let text = String::from_utf8(bytes).ok()?;
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_start_issues_a_new_private_credential() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        assert_eq!(read(&dir), None);
        let first = issue(&dir).expect("issue");
        let text = read(&dir).expect("credential");
        assert_eq!(blake3::hash(text.as_bytes()), first);
        let second = issue(&dir).expect("issue");
        assert_ne!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(credential_path(&dir))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
