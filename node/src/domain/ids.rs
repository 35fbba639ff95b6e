//! Ids as operators type them: a full 64-character id, or a unique prefix
//! of at least 4 characters (the 8 the boards and the console show are
//! always enough in practice).

use liandong_protocol::{EntryId, NodeId, PostInfo};

use super::error::{ActionError, ActionErrorKind};

const MIN_PREFIX: usize = 4;

/// A kind of thing an id names, for messages and error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thing {
    pub en: &'static str,
    pub zh: &'static str,
    /// The error code when nothing matches: `unknown_incident` …
    pub unknown: &'static str,
}

pub const INCIDENT: Thing = Thing {
    en: "incident",
    zh: "事件",
    unknown: "unknown_incident",
};
pub const WARNING: Thing = Thing {
    en: "warning",
    zh: "预警",
    unknown: "unknown_warning",
};
pub const REQUEST: Thing = Thing {
    en: "request",
    zh: "资源需求",
    unknown: "unknown_request",
};
pub const OFFER: Thing = Thing {
    en: "offer",
    zh: "资源提供",
    unknown: "unknown_offer",
};
pub const COMMIT: Thing = Thing {
    en: "commitment",
    zh: "资源承诺",
    unknown: "unknown_commit",
};
pub const TASK: Thing = Thing {
    en: "task",
    zh: "指令",
    unknown: "unknown_task",
};
pub const PLAN: Thing = Thing {
    en: "plan",
    zh: "预案",
    unknown: "unknown_plan",
};
pub const DRILL: Thing = Thing {
    en: "drill",
    zh: "演练",
    unknown: "unknown_drill",
};

/// Nothing of this kind has that id in this post's ledger.
pub fn unknown(thing: Thing, id: &EntryId, field: &str) -> ActionError {
    ActionError::new(
        ActionErrorKind::NotFound,
        thing.unknown,
        format!("本节点台账中没有{} {}", thing.zh, id.short()),
        format!("{} {} is not in this post's ledger", thing.en, id.short()),
    )
    .with_field(field)
}

/// Resolves `text` (the value of input `field`) among `candidates`: the
/// ids of the things of this kind this post holds.
pub fn resolve(
    text: &str,
    candidates: impl IntoIterator<Item = EntryId>,
    thing: Thing,
    field: &str,
) -> Result<EntryId, ActionError> {
    let t = text.trim().to_ascii_lowercase();
    let candidates: Vec<EntryId> = candidates.into_iter().collect();
    if let Ok(id) = t.parse::<EntryId>() {
        return if candidates.contains(&id) {
            Ok(id)
        } else {
            Err(unknown(thing, &id, field))
        };
    }
    if t.len() < MIN_PREFIX || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ActionError::new(
            ActionErrorKind::Input,
            "invalid_id",
            format!(
                "{text:?} 不是有效的{zh}编号：{zh}编号应为至少 {MIN_PREFIX} 位十六进制字符",
                zh = thing.zh
            ),
            format!(
                "{text:?} is not a {en} id; give at least {MIN_PREFIX} hex characters",
                en = thing.en
            ),
        )
        .with_field(field));
    }
    let mut found: Vec<EntryId> = candidates
        .into_iter()
        .filter(|id| id.to_hex().starts_with(&t))
        .collect();
    found.sort();
    found.dedup();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(ActionError::new(
            ActionErrorKind::NotFound,
            thing.unknown,
            format!("没有编号以 {t} 开头的{}", thing.zh),
            format!("no {} id starts with {t}", thing.en),
        )
        .with_field(field)),
        many => Err(ActionError::new(
            ActionErrorKind::Input,
            "ambiguous_id",
            format!(
                "编号 {t} 对应 {n} 个{zh}，请多输入几位",
                n = many.len(),
                zh = thing.zh
            ),
            format!(
                "{t} matches {n} {en}s; type more characters",
                n = many.len(),
                en = thing.en
            ),
        )
        .with_field(field)),
    }
}

/// Resolves a post by exact name, node id, or node id prefix.
pub fn resolve_post<'a>(
    text: &str,
    posts: impl IntoIterator<Item = &'a PostInfo>,
    field: &str,
) -> Result<NodeId, ActionError> {
    let t = text.trim();
    if let Ok(node) = t.parse::<NodeId>() {
        return Ok(node);
    }
    let posts: Vec<&PostInfo> = posts.into_iter().collect();
    let by_name: Vec<NodeId> = posts
        .iter()
        .filter(|p| &*p.name == t)
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
        (0, []) => Err(ActionError::new(
            ActionErrorKind::NotFound,
            "unknown_post",
            format!("本节点不认识单位 {t:?}（名称或节点标识）"),
            format!("no known post is named {t:?} or has that node id"),
        )
        .with_field(field)),
        _ => Err(ActionError::new(
            ActionErrorKind::Input,
            "ambiguous_post",
            format!("{t:?} 对应多个单位，请用节点标识"),
            format!("{t:?} matches several posts; use the node id"),
        )
        .with_field(field)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_resolve_uniquely() {
        let a = EntryId([0xab; 32]);
        let b = EntryId([0xac; 32]);
        let code = |r: Result<EntryId, ActionError>| r.err().map(|e| e.code);
        assert_eq!(resolve("abab", [a, b], INCIDENT, "incident").ok(), Some(a));
        assert_eq!(
            code(resolve("ab", [a, b], INCIDENT, "incident")),
            Some("invalid_id")
        );
        assert_eq!(
            code(resolve("ffff", [a, b], INCIDENT, "incident")),
            Some("unknown_incident")
        );
        let c = EntryId({
            let mut x = [0xab; 32];
            x[31] = 0;
            x
        });
        assert_eq!(
            code(resolve("abab", [a, c], INCIDENT, "incident")),
            Some("ambiguous_id")
        );
        assert_eq!(resolve(&a.to_hex(), [a], TASK, "task").ok(), Some(a));
        let err = resolve(&a.to_hex(), [], TASK, "task").err();
        assert_eq!(err.as_ref().map(|e| e.code), Some("unknown_task"));
        assert_eq!(err.and_then(|e| e.field), Some("task".to_string()));
    }
}
