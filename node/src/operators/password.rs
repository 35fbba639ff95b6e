//! Passwords: checked for length, hashed with Argon2id (RustCrypto's
//! `argon2`, its default parameters) into a PHC string, verified against
//! one. A password is never stored, logged or served; only its hash is
//! kept, in the accounts file.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Shortest password accepted (characters).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted (bytes): Argon2 takes any length, but a
/// megabyte "password" is only work for the server.
pub const MAX_PASSWORD_BYTES: usize = 256;
/// Longest PHC string read back from the accounts file.
pub const MAX_HASH_BYTES: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error(
        "the password is shorter than {MIN_PASSWORD_CHARS} characters / 密码至少 {MIN_PASSWORD_CHARS} 个字符"
    )]
    TooShort,
    #[error("the password is longer than {MAX_PASSWORD_BYTES} bytes / 密码过长")]
    TooLong,
    #[error("the password cannot be hashed: {0} / 密码无法处理")]
    Hash(String),
}

/// Checks a new password's length.
pub fn check_new(password: &str) -> Result<(), PasswordError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordError::TooLong);
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    Ok(())
}

/// The PHC string (`$argon2id$v=19$…`) of a new password, with a fresh
/// random salt.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    check_new(password)?;
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` matches the PHC string `phc`. A malformed or
/// oversized hash, or an oversized password, never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    if password.len() > MAX_PASSWORD_BYTES || phc.len() > MAX_HASH_BYTES {
        return false;
    }
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Spends the time of one verification, for a login naming no account (or
/// a disabled one): the answer's timing does not tell which names exist.
pub fn verify_nothing(password: &str) {
    use std::sync::OnceLock;
    static DUMMY: OnceLock<String> = OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("not a password of anyone").unwrap_or_default());
    let _ = verify(password, phc);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let phc = hash("正确的密码-correct").expect("hash");
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(!phc.contains("correct"));
        assert!(phc.len() <= MAX_HASH_BYTES);
        assert!(verify("正确的密码-correct", &phc));
        assert!(!verify("正确的密码-Correct", &phc));
        assert!(!verify("x", "not a phc string"));
        // Two hashes of one password differ (salt).
        assert_ne!(phc, hash("正确的密码-correct").expect("hash"));
        verify_nothing("anything");
    }

    #[test]
    fn lengths_are_checked_at_their_limits() {
        let short = "a".repeat(MIN_PASSWORD_CHARS - 1);
        assert_eq!(check_new(&short), Err(PasswordError::TooShort));
        assert_eq!(check_new(&"a".repeat(MIN_PASSWORD_CHARS)), Ok(()));
        // Characters, not bytes: eight Chinese characters are enough.
        assert_eq!(check_new("值班员值班员值班"), Ok(()));
        assert_eq!(check_new(&"a".repeat(MAX_PASSWORD_BYTES)), Ok(()));
        assert_eq!(
            check_new(&"a".repeat(MAX_PASSWORD_BYTES + 1)),
            Err(PasswordError::TooLong)
        );
        assert!(!verify(&"a".repeat(MAX_PASSWORD_BYTES + 1), "$argon2id$"));
    }
}
