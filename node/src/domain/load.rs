//! Reads the domain entries of a store into a [`Fold`].

use liandong_protocol::Kind;
use liandong_protocol::domain::fold::Fold;

use crate::restricted::{Keyring, reading::as_read};
use crate::store::{Query, Store, StoreError};

/// Whether entries of this kind feed the fold (the linkage domain's kinds).
pub fn is_domain_kind(kind: Kind) -> bool {
    (200..500).contains(&kind.0)
}

/// Whether stored entries of this kind may feed the fold: the domain's
/// kinds, and restricted entries (those this post opens to a domain kind).
pub fn feeds_fold(kind: Kind) -> bool {
    is_domain_kind(kind) || kind == Kind::RESTRICTED
}

/// Every domain entry in the store, decoded once into a fold, restricted
/// ones opened with `keyring` where it can. Reads by the kind index, so
/// notes and profiles are never touched.
pub fn load_fold(store: &Store, keyring: &Keyring) -> Result<Fold, StoreError> {
    let mut fold = Fold::new();
    for kind in Kind::KNOWN.iter().copied().filter(|k| feeds_fold(*k)) {
        for entry in store.query(&Query {
            kind: Some(kind),
            ..Query::default()
        })? {
            fold.insert(&as_read(entry, keyring));
        }
    }
    Ok(fold)
}
