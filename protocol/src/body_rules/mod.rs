//! What makes an entry body acceptable: the error every body check returns
//! ([`BodyError`], with the linkage bodies' own reasons in [`DomainError`])
//! and the text rule every body applies.
//!
//! Below every body type — the ledger core bodies in `entry::body`, the
//! trust bodies in `trust_bodies`, the linkage bodies in `linkage` — so that
//! each reports in the one type `entry::Body::check` returns, without any of
//! them depending on the entry that carries it.

mod body_error;
pub mod domain_error;

pub use body_error::BodyError;
pub use domain_error::DomainError;

/// A text field: non-blank when `required`, at most `max` characters.
pub(crate) fn check_text(
    field: &'static str,
    text: &str,
    max: usize,
    required: bool,
) -> Result<(), BodyError> {
    if required && text.trim().is_empty() {
        return Err(BodyError::Empty { field });
    }
    let chars = text.chars().count();
    if chars > max {
        return Err(BodyError::TooLong { field, chars, max });
    }
    Ok(())
}
