//! What a restricted entry reads as at this post: opened (this post is in
//! its audience), closed (it is not: a placeholder with author, time,
//! class and audience size), or damaged (sealed to this post, but it does
//! not open: a dishonest or broken author; the entry still replicates, as
//! every post that cannot read it accepts it alike).
//!
//! Views fold the opened entry as if it had been written in the clear;
//! anything a closed entry would have changed is simply absent here (the
//! rule is in docs/trust.md).

use liandong_protocol::restricted::{Audience, OpenError};
use liandong_protocol::{Body, Kind, SignedEntry};

use super::Keyring;

#[derive(Debug, Clone)]
pub enum Reading {
    /// The entry as its audience reads it: kind and body are the inner
    /// ones; id, wire bytes and header fields are the sealed entry's.
    Open {
        // Boxed: an opened entry is far larger than a placeholder.
        entry: Box<SignedEntry>,
        audience: Audience,
        recipients: usize,
    },
    Closed {
        class_zh: String,
        class_en: String,
        recipients: usize,
    },
    Damaged {
        why: String,
        recipients: usize,
    },
}

/// How `entry` reads here; `None` when it is not restricted.
pub fn read(entry: &SignedEntry, keyring: &Keyring) -> Option<Reading> {
    if entry.kind() != Kind::RESTRICTED {
        return None;
    }
    let sealed = match entry.body() {
        Ok(Body::Restricted(sealed)) => sealed,
        // Validation checked the envelope before it was stored.
        Ok(_) | Err(_) => {
            return Some(Reading::Damaged {
                why: "the envelope does not decode / 密文信封无法解码".into(),
                recipients: 0,
            });
        }
    };
    let recipients = sealed.audience_size();
    Some(
        match sealed.open(&entry.seal_context(), keyring.secrets()) {
            // The inner body is checked as validation checks a plain one:
            // a body over the limits is damage, not something to fold.
            Ok(opened) => match opened.decode_body(keyring.limits()) {
                Ok(_) => Reading::Open {
                    entry: Box::new(entry.opened(&opened)),
                    audience: opened.audience,
                    recipients,
                },
                Err(e) => Reading::Damaged {
                    why: e.to_string(),
                    recipients,
                },
            },
            Err(OpenError::NotForUs) => Reading::Closed {
                class_zh: sealed.class.name_zh().to_string(),
                class_en: sealed.class.name().to_string(),
                recipients,
            },
            Err(OpenError::Damaged(why)) => Reading::Damaged { why, recipients },
        },
    )
}

/// The entry as this post reads it: opened when it is restricted and this
/// post can open it, otherwise as stored.
pub fn as_read(entry: SignedEntry, keyring: &Keyring) -> SignedEntry {
    match read(&entry, keyring) {
        Some(Reading::Open { entry: opened, .. }) => *opened,
        _ => entry,
    }
}
