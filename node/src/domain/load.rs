//! Reads the domain entries of a store into a [`Fold`].

use liandong_protocol::Kind;
use liandong_protocol::domain::fold::Fold;

use crate::store::{Query, Store, StoreError};

/// Whether entries of this kind feed the fold (the linkage domain's kinds).
pub fn is_domain_kind(kind: Kind) -> bool {
    (200..500).contains(&kind.0)
}

/// Every domain entry in the store, decoded once into a fold. Reads by the
/// kind index, so notes and profiles are never touched.
pub fn load_fold(store: &Store) -> Result<Fold, StoreError> {
    let mut fold = Fold::new();
    for kind in Kind::KNOWN.iter().copied().filter(|k| is_domain_kind(*k)) {
        for entry in store.query(&Query {
            kind: Some(kind),
            ..Query::default()
        })? {
            fold.insert(&entry);
        }
    }
    Ok(fold)
}
