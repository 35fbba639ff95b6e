//! Why a CAP document was refused: every problem found, each at an element
//! path (`alert/info[1]/area[0]/polygon[2]`, indices counting elements of
//! that name from 0) with its reason in English and Chinese.

use std::fmt;

use super::limits::MAX_PROBLEMS;

/// One reason a CAP document is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    // ------------------------------------------------ the document itself
    #[error(
        "the document is {bytes} bytes, over the limit of {max} / 文档 {bytes} 字节，超过上限 {max}"
    )]
    TooLarge { bytes: usize, max: usize },
    #[error("the document is not UTF-8 / 文档不是 UTF-8 编码")]
    NotUtf8,
    #[error(
        "the document declares encoding {0:?}; only UTF-8 is read / 文档声明编码 {0:?}，只接受 UTF-8"
    )]
    Encoding(String),
    #[error("the document is not well-formed XML: {0} / XML 格式错误：{0}")]
    Malformed(String),
    #[error(
        "a DOCTYPE (DTD) is refused: CAP needs none, and DTDs carry entity attacks / \
         拒绝 DOCTYPE（DTD）：CAP 不需要，且可能夹带实体攻击"
    )]
    DocType,
    #[error(
        "entity reference &{0}; is refused: only &lt; &gt; &amp; &apos; &quot; and numeric \
         references are read / 拒绝实体引用 &{0};：只接受五个预定义实体和数字字符引用"
    )]
    Entity(String),
    #[error(
        "character reference &{0}; is not an XML character / 字符引用 &{0}; 不是合法的 XML 字符"
    )]
    BadCharRef(String),
    #[error("XInclude is refused / 拒绝 XInclude")]
    XInclude,
    #[error("elements nest deeper than {max} / 元素嵌套超过 {max} 层")]
    TooDeep { max: usize },
    #[error("more than {max} elements / 元素超过 {max} 个")]
    TooManyElements { max: usize },
    #[error("more than {max} attributes on one element / 单个元素的属性超过 {max} 个")]
    TooManyAttributes { max: usize },
    #[error(
        "attribute {name} is {bytes} bytes, over the limit of {max} / 属性 {name} 长 {bytes} 字节，超过上限 {max}"
    )]
    AttributeTooLong {
        name: String,
        bytes: usize,
        max: usize,
    },
    #[error(
        "the text is {bytes} bytes, over the limit of {max} / 文本 {bytes} 字节，超过上限 {max}"
    )]
    TextTooLong { bytes: usize, max: usize },
    #[error(
        "the root element is {found}, not a CAP 1.0/1.1/1.2 alert, an Atom feed or an RSS channel / \
         根元素为 {found}，不是 CAP 1.0/1.1/1.2 警报、Atom 或 RSS 索引"
    )]
    NotCap { found: String },

    // ------------------------------------------------------- CAP's rules
    #[error("required element {0} is missing / 缺少必需元素 {0}")]
    Missing(&'static str),
    #[error("element {0} is empty / 元素 {0} 为空")]
    Empty(&'static str),
    #[error(
        "element {0} has no namespace; CAP elements are in the alert's namespace / \
         元素 {0} 没有命名空间，CAP 元素应在警报的命名空间中"
    )]
    Unqualified(String),
    #[error("{0} may appear only once / {0} 只能出现一次")]
    Repeated(&'static str),
    #[error("unknown element {0} in the CAP namespace / CAP 命名空间中的未知元素 {0}")]
    Unknown(String),
    #[error(
        "{element} {value:?} is not one of {expected} (CAP spelling, case-sensitive) / \
         {element} 的取值 {value:?} 无效，应为 {expected}（区分大小写）"
    )]
    Enumeration {
        element: &'static str,
        value: String,
        expected: String,
    },
    #[error(
        "{0:?} is not a CAP time (YYYY-MM-DDThh:mm:ss+hh:mm) / {0:?} 不是 CAP 时间（YYYY-MM-DDThh:mm:ss+hh:mm）"
    )]
    Time(String),
    #[error(
        "{element} {value:?} must not contain spaces, commas, < or & / {element} {value:?} 不得包含空格、逗号、< 或 &"
    )]
    BadName {
        element: &'static str,
        value: String,
    },
    #[error(
        "reference {0:?} is not sender,identifier,sent / 引用 {0:?} 应为 发送者,标识符,发送时间"
    )]
    Reference(String),
    #[error("msgType {0} requires references / msgType 为 {0} 时必须有 references")]
    NeedsReferences(&'static str),
    #[error("scope {scope} requires {element} / scope 为 {scope} 时必须有 {element}")]
    NeedsForScope {
        scope: &'static str,
        element: &'static str,
    },
    #[error("{0:?} is not a valueName=value pair / {0:?} 不是 valueName=value 形式")]
    Pair(String),
    #[error("{0:?} is not a language tag (RFC 3066) / {0:?} 不是语言标记（RFC 3066）")]
    Language(String),
    #[error("{element} {value:?} is not {expected} / {element} 的值 {value:?} 不是{expected}")]
    Number {
        element: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("ceiling needs altitude / 有 ceiling 时必须有 altitude")]
    CeilingWithoutAltitude,
    #[error(
        "point {0:?} is not latitude,longitude in degrees (−90…90, −180…180) / \
         坐标 {0:?} 应为 纬度,经度（−90…90，−180…180）"
    )]
    Point(String),
    #[error("a polygon needs at least 4 points, it has {0} / 多边形至少需要 4 个点，实有 {0} 个")]
    PolygonPoints(usize),
    #[error(
        "the polygon does not close: its last point {last} differs from its first {first} / \
         多边形未闭合：末点 {last} 与首点 {first} 不同"
    )]
    PolygonOpen { first: String, last: String },
    #[error(
        "circle {0:?} is not \"latitude,longitude radius_km\" / 圆 {0:?} 应为 \"纬度,经度 半径公里数\""
    )]
    Circle(String),

    // ------------------------------------------------- Atom / RSS indexes
    #[error(
        "the index lists {count} alerts, over the limit of {max} / 索引列出 {count} 条警报，超过上限 {max}"
    )]
    TooManyEntries { count: usize, max: usize },
    #[error("the index lists no alerts / 索引中没有警报")]
    NoEntries,
    #[error(
        "the entry neither carries a CAP alert nor links one / 该条目既未包含也未链接 CAP 警报"
    )]
    NoAlert,
    #[error(
        "link {0:?} is not followed here: send the alert itself / 此处不跟随链接 {0:?}：请直接提交警报"
    )]
    LinkRefused(String),
    #[error(
        "link {href:?} is not a relative file path inside the index's folder ({why}) / \
         链接 {href:?} 不是索引所在目录内的相对文件路径（{why}）"
    )]
    LinkOutside { href: String, why: &'static str },
    #[error("cannot read linked file {path}: {error} / 无法读取链接的文件 {path}：{error}")]
    LinkUnreadable { path: String, error: String },
}

/// A problem and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapProblem {
    /// Element path, e.g. `alert/info[1]/area[0]/polygon[2]`; a linked
    /// file's problems start with the entry and the file name.
    pub at: String,
    pub problem: Problem,
}

impl fmt::Display for CapProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.problem)
    }
}

/// Every problem found in one document (the first [`MAX_PROBLEMS`], and
/// how many more there were).
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
pub struct CapProblems {
    pub problems: Vec<CapProblem>,
    /// Problems found beyond [`MAX_PROBLEMS`], counted, not listed.
    pub more: usize,
}

impl CapProblems {
    pub(super) fn one(at: impl Into<String>, problem: Problem) -> CapProblems {
        let mut p = CapProblems::default();
        p.push(at, problem);
        p
    }

    pub(super) fn push(&mut self, at: impl Into<String>, problem: Problem) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(CapProblem {
                at: at.into(),
                problem,
            });
        } else {
            self.more += 1;
        }
    }

    /// Takes `other`'s problems, each location prefixed with `prefix`.
    pub(super) fn absorb(&mut self, prefix: &str, other: CapProblems) {
        for p in other.problems {
            self.push(format!("{prefix}{}", p.at), p.problem);
        }
        self.more += other.more;
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty() && self.more == 0
    }

    pub fn len(&self) -> usize {
        self.problems.len() + self.more
    }

    pub fn iter(&self) -> impl Iterator<Item = &CapProblem> {
        self.problems.iter()
    }

    /// `Ok(value)` when nothing was found, else every problem.
    pub(super) fn result<T>(self, value: T) -> Result<T, CapProblems> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for CapProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for p in &self.problems {
            if !first {
                writeln!(f)?;
            }
            first = false;
            write!(f, "{p}")?;
        }
        if self.more > 0 {
            if !first {
                writeln!(f)?;
            }
            write!(
                f,
                "… and {} more problems / 另有 {} 个问题未列出",
                self.more, self.more
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_one_problem_a_line_and_counts_beyond_the_cap() {
        let mut all = CapProblems::default();
        for i in 0..MAX_PROBLEMS + 3 {
            all.push(format!("alert/code[{i}]"), Problem::Missing("identifier"));
        }
        assert_eq!(all.len(), MAX_PROBLEMS + 3);
        let text = all.to_string();
        assert_eq!(text.lines().count(), MAX_PROBLEMS + 1);
        assert!(text.lines().next().is_some_and(|l| l.starts_with(
            "alert/code[0]: required element identifier is missing / 缺少必需元素 identifier"
        )));
        assert!(text.ends_with("… and 3 more problems / 另有 3 个问题未列出"));
    }
}
