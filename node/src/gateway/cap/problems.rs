//! Why a CAP document was refused: every problem found, each at an element
//! path (`alert/info[1]/area[0]/polygon[2]`, indices counting elements of
//! that name from 0) with its reason in English and in Chinese.

use std::fmt;

use super::limits::MAX_PROBLEMS;

/// One reason a CAP document is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    // ------------------------------------------------ the document itself
    TooLarge {
        bytes: usize,
        max: usize,
    },
    NotUtf8,
    /// The declared encoding, which is not UTF-8.
    Encoding(String),
    /// quick-xml's own reason (English only).
    Malformed(String),
    UndeclaredPrefix(String),
    MultipleRoots,
    NoRoot,
    EndsInsideElement,
    TextOutsideRoot,
    /// A character XML 1.0 does not allow, as a code point.
    BadChar(u32),
    DocType,
    Entity(String),
    BadCharRef(String),
    XInclude,
    TooDeep {
        max: usize,
    },
    TooManyElements {
        max: usize,
    },
    TooManyAttributes {
        max: usize,
    },
    AttributeTooLong {
        name: String,
        bytes: usize,
        max: usize,
    },
    TextTooLong {
        bytes: usize,
        max: usize,
    },
    /// The root element, `{namespace}name`.
    NotCap {
        found: String,
    },

    // ------------------------------------------------------- CAP's rules
    Missing(&'static str),
    Empty(&'static str),
    Unqualified(String),
    Repeated(&'static str),
    Unknown(String),
    Enumeration {
        element: &'static str,
        value: String,
        expected: String,
    },
    Time(String),
    BadName {
        element: &'static str,
        value: String,
    },
    Reference(String),
    NeedsReferences(&'static str),
    NeedsForScope {
        scope: &'static str,
        element: &'static str,
    },
    Pair(String),
    Language(String),
    Number {
        element: &'static str,
        value: String,
        unit: NumberUnit,
    },
    CeilingWithoutAltitude,
    Point(String),
    PolygonPoints(usize),
    PolygonOpen {
        first: String,
        last: String,
    },
    Circle(String),

    // ------------------------------------------------- Atom / RSS indexes
    TooManyEntries {
        count: usize,
        max: usize,
    },
    NoEntries,
    NoAlert,
    LinkRefused(String),
    LinkOutside {
        href: String,
        why: LinkWhy,
    },
    LinkUnreadable {
        path: String,
        error: String,
    },
}

/// What a number element counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberUnit {
    /// `size`: whole bytes.
    Bytes,
    /// `altitude`, `ceiling`: a decimal number of feet.
    Feet,
}

/// Why a link does not name a file inside the index's folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkWhy {
    Url,
    Absolute,
    QueryOrFragment,
    BadPercent,
    BackslashOrNul,
    ParentFolder,
    NoFile,
    Symlink,
}

impl LinkWhy {
    fn en(self) -> &'static str {
        match self {
            LinkWhy::Url => "a URL; only relative file paths are followed",
            LinkWhy::Absolute => "an absolute path",
            LinkWhy::QueryOrFragment => "a query or fragment",
            LinkWhy::BadPercent => "bad %-encoding",
            LinkWhy::BackslashOrNul => "a backslash or NUL",
            LinkWhy::ParentFolder => "it goes up a folder (..)",
            LinkWhy::NoFile => "it names no file",
            LinkWhy::Symlink => "it leads outside through a symbolic link",
        }
    }

    fn zh(self) -> &'static str {
        match self {
            LinkWhy::Url => "是 URL，只跟随相对文件路径",
            LinkWhy::Absolute => "是绝对路径",
            LinkWhy::QueryOrFragment => "含查询或片段",
            LinkWhy::BadPercent => "百分号编码错误",
            LinkWhy::BackslashOrNul => "含反斜杠或 NUL",
            LinkWhy::ParentFolder => "含 ..（上级目录）",
            LinkWhy::NoFile => "未指明文件",
            LinkWhy::Symlink => "经符号链接指向目录之外",
        }
    }
}

impl Problem {
    /// The reason in English.
    pub fn en(&self) -> String {
        use Problem as P;
        match self {
            P::TooLarge { bytes, max } => {
                format!("the document is {bytes} bytes, over the limit of {max}")
            }
            P::NotUtf8 => "the document is not UTF-8".into(),
            P::Encoding(e) => format!("the document declares encoding {e:?}; only UTF-8 is read"),
            P::Malformed(e) => format!("the document is not well-formed XML: {e}"),
            P::UndeclaredPrefix(p) => format!("namespace prefix {p:?} is not declared"),
            P::MultipleRoots => "the document has more than one root element".into(),
            P::NoRoot => "the document has no root element".into(),
            P::EndsInsideElement => "the document ends inside an element".into(),
            P::TextOutsideRoot => "text outside the root element".into(),
            P::BadChar(c) => format!("character U+{c:04X} is not allowed in XML"),
            P::DocType => {
                "a DOCTYPE (DTD) is refused: CAP needs none, and DTDs carry entity attacks".into()
            }
            P::Entity(e) => format!(
                "entity reference &{e}; is refused: only &lt; &gt; &amp; &apos; &quot; and \
                 numeric references are read"
            ),
            P::BadCharRef(r) => format!("character reference &{r}; is not an XML character"),
            P::XInclude => "XInclude is refused".into(),
            P::TooDeep { max } => format!("elements nest deeper than {max}"),
            P::TooManyElements { max } => format!("more than {max} elements"),
            P::TooManyAttributes { max } => format!("more than {max} attributes on one element"),
            P::AttributeTooLong { name, bytes, max } => {
                format!("attribute {name} is {bytes} bytes, over the limit of {max}")
            }
            P::TextTooLong { bytes, max } => {
                format!("the text is {bytes} bytes, over the limit of {max}")
            }
            P::NotCap { found } => format!(
                "the root element is {found}, not a CAP 1.0/1.1/1.2 alert, an Atom feed or an \
                 RSS channel"
            ),
            P::Missing(e) => format!("required element {e} is missing"),
            P::Empty(e) => format!("element {e} is empty"),
            P::Unqualified(e) => {
                format!("element {e} has no namespace; CAP elements are in the alert's namespace")
            }
            P::Repeated(e) => format!("{e} may appear only once"),
            P::Unknown(e) => format!("unknown element {e} in the CAP namespace"),
            P::Enumeration {
                element,
                value,
                expected,
            } => format!(
                "{element} {value:?} is not one of {expected} (CAP spelling, case-sensitive)"
            ),
            P::Time(t) => format!("{t:?} is not a CAP time (YYYY-MM-DDThh:mm:ss+hh:mm)"),
            P::BadName { element, value } => {
                format!("{element} {value:?} must not contain spaces, commas, < or &")
            }
            P::Reference(r) => format!("reference {r:?} is not sender,identifier,sent"),
            P::NeedsReferences(m) => format!("msgType {m} requires references"),
            P::NeedsForScope { scope, element } => format!("scope {scope} requires {element}"),
            P::Pair(t) => format!("{t:?} is not a valueName=value pair"),
            P::Language(l) => format!("{l:?} is not a language tag (RFC 3066)"),
            P::Number {
                element,
                value,
                unit,
            } => {
                let expected = match unit {
                    NumberUnit::Bytes => "a whole number of bytes",
                    NumberUnit::Feet => "a decimal number of feet",
                };
                format!("{element} {value:?} is not {expected}")
            }
            P::CeilingWithoutAltitude => "ceiling needs altitude".into(),
            P::Point(p) => {
                format!("point {p:?} is not latitude,longitude in degrees (−90…90, −180…180)")
            }
            P::PolygonPoints(n) => format!("a polygon needs at least 4 points, it has {n}"),
            P::PolygonOpen { first, last } => format!(
                "the polygon does not close: its last point {last} differs from its first {first}"
            ),
            P::Circle(c) => format!("circle {c:?} is not \"latitude,longitude radius_km\""),
            P::TooManyEntries { count, max } => {
                format!("the index lists {count} alerts, over the limit of {max}")
            }
            P::NoEntries => "the index lists no alerts".into(),
            P::NoAlert => "the entry neither carries a CAP alert nor links one".into(),
            P::LinkRefused(h) => {
                format!("link {h:?} is not followed here: send the alert itself")
            }
            P::LinkOutside { href, why } => format!(
                "link {href:?} is not a relative file path inside the index's folder: {}",
                why.en()
            ),
            P::LinkUnreadable { path, error } => {
                format!("cannot read linked file {path}: {error}")
            }
        }
    }

    /// The reason in Chinese.
    pub fn zh(&self) -> String {
        use Problem as P;
        match self {
            P::TooLarge { bytes, max } => format!("文档 {bytes} 字节，超过上限 {max}"),
            P::NotUtf8 => "文档不是 UTF-8 编码".into(),
            P::Encoding(e) => format!("文档声明编码 {e:?}，只接受 UTF-8"),
            P::Malformed(e) => format!("XML 格式错误：{e}"),
            P::UndeclaredPrefix(p) => format!("命名空间前缀 {p:?} 未声明"),
            P::MultipleRoots => "文档的根元素不止一个".into(),
            P::NoRoot => "文档没有根元素".into(),
            P::EndsInsideElement => "文档在元素内部结束".into(),
            P::TextOutsideRoot => "根元素之外有文本".into(),
            P::BadChar(c) => format!("XML 不允许字符 U+{c:04X}"),
            P::DocType => "拒绝 DOCTYPE（DTD）：CAP 不需要，且可能夹带实体攻击".into(),
            P::Entity(e) => format!("拒绝实体引用 &{e};：只接受五个预定义实体和数字字符引用"),
            P::BadCharRef(r) => format!("字符引用 &{r}; 不是合法的 XML 字符"),
            P::XInclude => "拒绝 XInclude".into(),
            P::TooDeep { max } => format!("元素嵌套超过 {max} 层"),
            P::TooManyElements { max } => format!("元素超过 {max} 个"),
            P::TooManyAttributes { max } => format!("单个元素的属性超过 {max} 个"),
            P::AttributeTooLong { name, bytes, max } => {
                format!("属性 {name} 长 {bytes} 字节，超过上限 {max}")
            }
            P::TextTooLong { bytes, max } => format!("文本 {bytes} 字节，超过上限 {max}"),
            P::NotCap { found } => {
                format!("根元素为 {found}，不是 CAP 1.0/1.1/1.2 警报、Atom 或 RSS 索引")
            }
            P::Missing(e) => format!("缺少必需元素 {e}"),
            P::Empty(e) => format!("元素 {e} 为空"),
            P::Unqualified(e) => format!("元素 {e} 没有命名空间，CAP 元素应在警报的命名空间中"),
            P::Repeated(e) => format!("{e} 只能出现一次"),
            P::Unknown(e) => format!("CAP 命名空间中的未知元素 {e}"),
            P::Enumeration {
                element,
                value,
                expected,
            } => format!("{element} 的取值 {value:?} 无效，应为 {expected}（区分大小写）"),
            P::Time(t) => format!("{t:?} 不是 CAP 时间（YYYY-MM-DDThh:mm:ss+hh:mm）"),
            P::BadName { element, value } => {
                format!("{element} {value:?} 不得包含空格、逗号、< 或 &")
            }
            P::Reference(r) => format!("引用 {r:?} 应为 发送者,标识符,发送时间"),
            P::NeedsReferences(m) => format!("msgType 为 {m} 时必须有 references"),
            P::NeedsForScope { scope, element } => {
                format!("scope 为 {scope} 时必须有 {element}")
            }
            P::Pair(t) => format!("{t:?} 不是 valueName=value 形式"),
            P::Language(l) => format!("{l:?} 不是语言标记（RFC 3066）"),
            P::Number {
                element,
                value,
                unit,
            } => {
                let expected = match unit {
                    NumberUnit::Bytes => "整数字节数",
                    NumberUnit::Feet => "以英尺计的十进制数",
                };
                format!("{element} 的值 {value:?} 不是{expected}")
            }
            P::CeilingWithoutAltitude => "有 ceiling 时必须有 altitude".into(),
            P::Point(p) => format!("坐标 {p:?} 应为 纬度,经度（−90…90，−180…180）"),
            P::PolygonPoints(n) => format!("多边形至少需要 4 个点，实有 {n} 个"),
            P::PolygonOpen { first, last } => {
                format!("多边形未闭合：末点 {last} 与首点 {first} 不同")
            }
            P::Circle(c) => format!("圆 {c:?} 应为 \"纬度,经度 半径公里数\""),
            P::TooManyEntries { count, max } => {
                format!("索引列出 {count} 条警报，超过上限 {max}")
            }
            P::NoEntries => "索引中没有警报".into(),
            P::NoAlert => "该条目既未包含也未链接 CAP 警报".into(),
            P::LinkRefused(h) => format!("此处不跟随链接 {h:?}：请直接提交警报"),
            P::LinkOutside { href, why } => {
                format!(
                    "链接 {href:?} 不是索引所在目录内的相对文件路径：{}",
                    why.zh()
                )
            }
            P::LinkUnreadable { path, error } => format!("无法读取链接的文件 {path}：{error}"),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.en(), self.zh())
    }
}

impl std::error::Error for Problem {}

/// A problem and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapProblem {
    /// Element path, e.g. `alert/info[1]/area[0]/polygon[2]`; a linked
    /// file's problems start with its entry and link,
    /// `feed/entry[2]/link(a.xml)/alert/…`.
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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

    /// Every problem, one a line, in Chinese and in English: `(zh, en)`.
    pub fn describe(&self) -> (String, String) {
        let lines = |text: fn(&Problem) -> String, more: String| {
            let mut out: Vec<String> = self
                .problems
                .iter()
                .map(|p| format!("{}: {}", p.at, text(&p.problem)))
                .collect();
            if self.more > 0 {
                out.push(more);
            }
            out.join("\n")
        };
        (
            lines(Problem::zh, format!("另有 {} 个问题未列出", self.more)),
            lines(Problem::en, format!("… and {} more problems", self.more)),
        )
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
        let mut lines: Vec<String> = self.problems.iter().map(ToString::to_string).collect();
        if self.more > 0 {
            lines.push(format!(
                "… and {} more problems / 另有 {} 个问题未列出",
                self.more, self.more
            ));
        }
        f.write_str(&lines.join("\n"))
    }
}

impl std::error::Error for CapProblems {}

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
        assert!(text.lines().next().is_some_and(|l| l
            == "alert/code[0]: required element identifier is missing / 缺少必需元素 identifier"));
        assert!(text.ends_with("… and 3 more problems / 另有 3 个问题未列出"));
        let (zh, en) = all.describe();
        assert!(zh.starts_with("alert/code[0]: 缺少必需元素 identifier\n"));
        assert!(en.starts_with("alert/code[0]: required element identifier is missing\n"));
        assert!(zh.ends_with("另有 3 个问题未列出"));
        assert_eq!(en.lines().count(), MAX_PROBLEMS + 1);
    }

    #[test]
    fn every_reason_reads_in_both_languages() {
        let samples = [
            Problem::DocType,
            Problem::Entity("xxe".into()),
            Problem::LinkOutside {
                href: "../x.xml".into(),
                why: LinkWhy::ParentFolder,
            },
            Problem::Number {
                element: "size",
                value: "x".into(),
                unit: NumberUnit::Bytes,
            },
        ];
        for p in samples {
            assert!(!p.en().is_empty() && !p.zh().is_empty());
            assert!(p.zh().chars().any(|c| c > '\u{2E80}'), "{}", p.zh());
            assert_eq!(p.to_string(), format!("{} / {}", p.en(), p.zh()));
        }
    }
}
