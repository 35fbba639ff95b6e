//! Naming an author as operators do: a full node id, or the first 8+ hex
//! characters that `log`, `board` and `cert list` show. The same rule
//! for `liandong log --author` on the store and for `GET /api/entries`.

use liandong_protocol::NodeId;

use crate::store::{Store, StoreError};

/// The shortest prefix taken: what every listing shows.
pub const MIN_AUTHOR_PREFIX: usize = 8;

/// How many matches an ambiguous prefix lists.
const SHOWN: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum AuthorError {
    #[error(
        "{0:?} is not a node id (64 hex characters, or a prefix of 8 or more) / 节点标识格式有误（64 位十六进制，或至少 8 位前缀）"
    )]
    Malformed(String),
    #[error("no author in this ledger starts with {0} / 本节点账本中没有以 {0} 开头的作者")]
    NoMatch(String),
    #[error("{prefix} matches several authors ({}); give more characters / 前缀不唯一，请多输入几位", .matches.join(", "))]
    Ambiguous {
        prefix: String,
        matches: Vec<String>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The author `text` names. A full id is taken as it is, even with no
/// entry here (an empty answer is still an answer); a prefix must name
/// exactly one author this store holds.
pub fn resolve(store: &Store, text: &str) -> Result<NodeId, AuthorError> {
    let t = text.trim().to_ascii_lowercase();
    if let Ok(id) = t.parse::<NodeId>() {
        return Ok(id);
    }
    if t.len() < MIN_AUTHOR_PREFIX || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AuthorError::Malformed(
            text.chars().filter(|c| !c.is_control()).take(80).collect(),
        ));
    }
    match store.authors_starting_with(&t, SHOWN + 1)?.as_slice() {
        [one] => Ok(*one),
        [] => Err(AuthorError::NoMatch(t)),
        several => Err(AuthorError::Ambiguous {
            prefix: t,
            // Longer than the prefix they share, so they can be told apart.
            matches: several
                .iter()
                .take(SHOWN)
                .map(|a| a.to_hex()[..16].to_string())
                .collect(),
        }),
    }
}
