//! Ids as operators type them: a full 64-character id, or a unique prefix
//! of at least 4 characters (the 8 the boards show are always enough in
//! practice).

use liandong_protocol::{EntryId, NodeId, PostInfo};

use crate::cli::CliError;

const MIN_PREFIX: usize = 4;

/// Resolves `text` among `candidates`. A full id is taken as is (it may
/// name something this post has not seen; the fold then says so).
pub fn resolve(
    text: &str,
    candidates: impl IntoIterator<Item = EntryId>,
    what: (&str, &str),
) -> Result<EntryId, CliError> {
    let t = text.trim().to_ascii_lowercase();
    if let Ok(id) = t.parse::<EntryId>() {
        return Ok(id);
    }
    if t.len() < MIN_PREFIX || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(CliError::Usage(format!(
            "{text:?} is not a {en} id; give at least {MIN_PREFIX} hex characters / \
             {zh}编号应为至少 {MIN_PREFIX} 位十六进制字符",
            en = what.0,
            zh = what.1
        )));
    }
    let mut found: Vec<EntryId> = candidates
        .into_iter()
        .filter(|id| id.to_hex().starts_with(&t))
        .collect();
    found.sort();
    found.dedup();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(CliError::Invalid(format!(
            "没有编号以 {t} 开头的{zh} / no {en} id starts with {t} (see `liandong board`)",
            zh = what.1,
            en = what.0
        ))),
        many => Err(CliError::Usage(format!(
            "编号 {t} 对应 {n} 个{zh}，请多输入几位 / {t} matches {n} {en}s; type more characters",
            n = many.len(),
            zh = what.1,
            en = what.0
        ))),
    }
}

/// Resolves a post by exact name, node id, or node id prefix.
pub fn resolve_post<'a>(
    text: &str,
    posts: impl IntoIterator<Item = &'a PostInfo>,
) -> Result<NodeId, CliError> {
    let t = text.trim();
    if let Ok(node) = t.parse::<NodeId>() {
        return Ok(node);
    }
    let posts: Vec<&PostInfo> = posts.into_iter().collect();
    let by_name: Vec<NodeId> = posts
        .iter()
        .filter(|p| p.name == t)
        .map(|p| p.node)
        .collect();
    if let [one] = by_name.as_slice() {
        return Ok(*one);
    }
    let lower = t.to_ascii_lowercase();
    let by_id: Vec<NodeId> =
        if lower.len() >= MIN_PREFIX && lower.bytes().all(|b| b.is_ascii_hexdigit()) {
            posts
                .iter()
                .filter(|p| p.node.to_hex().starts_with(&lower))
                .map(|p| p.node)
                .collect()
        } else {
            Vec::new()
        };
    match (by_name.len(), by_id.as_slice()) {
        (0, [one]) => Ok(*one),
        (0, []) => Err(CliError::Invalid(format!(
            "本节点不认识单位 {t:?}（名称或节点标识）/ no known post is named {t:?} or has that node id"
        ))),
        _ => Err(CliError::Usage(format!(
            "{t:?} 对应多个单位，请用节点标识 / {t:?} matches several posts; use the node id"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_resolve_uniquely() {
        let a = EntryId([0xab; 32]);
        let b = EntryId([0xac; 32]);
        let what = ("incident", "事件");
        assert_eq!(resolve("abab", [a, b], what).ok(), Some(a));
        assert!(matches!(
            resolve("ab", [a, b], what),
            Err(CliError::Usage(_))
        ));
        assert!(matches!(
            resolve("ffff", [a, b], what),
            Err(CliError::Invalid(_))
        ));
        let c = EntryId({
            let mut x = [0xab; 32];
            x[31] = 0;
            x
        });
        assert!(matches!(
            resolve("abab", [a, c], what),
            Err(CliError::Usage(_))
        ));
        assert_eq!(resolve(&a.to_hex(), [], what).ok(), Some(a));
    }
}
