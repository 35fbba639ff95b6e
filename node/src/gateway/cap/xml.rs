//! Hostile XML made harmless: a document becomes a small element tree, or
//! is refused whole, under these rules:
//!
//! - the size is checked before parsing ([`MAX_CAP_BYTES`]);
//! - only UTF-8 is read (a declared encoding must say so);
//! - any DOCTYPE is refused, so there is no DTD, no external entity and no
//!   entity expansion (billion laughs) — quick-xml does not process DTDs
//!   anyway, and refusing them keeps a later parser change from opening
//!   the door;
//! - only the five predefined entities and numeric character references
//!   are resolved, and only to characters XML allows;
//! - elements in the XInclude namespace are refused (nothing here would
//!   include them, but a document asking for inclusion is not an alert);
//! - depth, element count, attribute count and size are bounded, and text
//!   longer than [`MAX_TEXT_BYTES`] is counted, not kept.
//!
//! Nothing here touches a file or the network: the input is a byte slice.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, XmlVersion};

use super::limits::{
    MAX_ATTRIBUTE_BYTES, MAX_ATTRIBUTES, MAX_CAP_BYTES, MAX_DEPTH, MAX_ELEMENTS, MAX_TEXT_BYTES,
};
use super::problems::{CapProblems, Problem};

/// The XInclude namespace, whose elements are refused.
pub(super) const XINCLUDE_NS: &str = "http://www.w3.org/2001/XInclude";

/// Where problems with the document as a whole are reported.
pub(super) const DOCUMENT: &str = "document";

/// An element: its namespace and local name, attributes, children and the
/// text directly inside it (entities resolved, line ends normalised).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Element {
    pub namespace: Option<String>,
    pub name: String,
    pub attributes: Vec<Attribute>,
    pub children: Vec<Element>,
    text: String,
    text_bytes: usize,
}

/// An attribute other than a namespace declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Attribute {
    pub namespace: Option<String>,
    pub name: String,
    pub value: String,
}

impl Element {
    /// The element's own text, unless it was longer than [`MAX_TEXT_BYTES`].
    pub fn text(&self) -> Result<&str, Problem> {
        if self.text_bytes > MAX_TEXT_BYTES {
            return Err(Problem::TextTooLong {
                bytes: self.text_bytes,
                max: MAX_TEXT_BYTES,
            });
        }
        Ok(&self.text)
    }

    /// An attribute without a namespace prefix, by local name.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.namespace.is_none() && a.name == name)
            .map(|a| a.value.as_str())
    }

    pub fn in_namespace(&self, namespace: &str) -> bool {
        self.namespace.as_deref() == Some(namespace)
    }

    /// `{namespace}name`, for messages.
    pub fn qualified(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{{{ns}}}{}", self.name),
            None => self.name.clone(),
        }
    }

    fn push_text(&mut self, text: &str) {
        self.text_bytes = self.text_bytes.saturating_add(text.len());
        if self.text_bytes <= MAX_TEXT_BYTES {
            self.text.push_str(text);
        } else if !self.text.is_empty() {
            // Over the bound: from here on the text is only counted.
            self.text = String::new();
        }
    }
}

/// Parses `xml` into its root element, or refuses it with the reason.
pub(super) fn parse(xml: &[u8]) -> Result<Element, CapProblems> {
    parse_inner(xml).map_err(|p| CapProblems::one(DOCUMENT, p))
}

fn parse_inner(xml: &[u8]) -> Result<Element, Problem> {
    if xml.len() > MAX_CAP_BYTES {
        return Err(Problem::TooLarge {
            bytes: xml.len(),
            max: MAX_CAP_BYTES,
        });
    }
    let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
    let text = std::str::from_utf8(xml).map_err(|_| Problem::NotUtf8)?;
    let mut reader = NsReader::from_str(text);
    let mut builder = Builder::default();
    loop {
        let position = reader.buffer_position();
        let (namespace, event) = reader
            .read_resolved_event()
            .map_err(|e| Problem::Malformed(format!("{e} (near byte {position})")))?;
        let namespace = match namespace {
            ResolveResult::Bound(ns) => Some(ns.0.to_string()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(prefix) => return Err(Problem::UndeclaredPrefix(prefix)),
        };
        match event {
            Event::Start(start) => {
                let element = open(&reader, namespace, &start)?;
                builder.open(element)?;
            }
            Event::Empty(start) => {
                let element = open(&reader, namespace, &start)?;
                builder.open(element)?;
                builder.close()?;
            }
            Event::End(_) => builder.close()?,
            Event::Text(t) => builder.text(&t.xml10_content())?,
            Event::CData(t) => builder.text(&t.xml10_content())?,
            Event::GeneralRef(r) => {
                if r.is_char_ref() {
                    let c = match r.resolve_char_ref() {
                        Ok(Some(c)) if is_xml_char(c) => c,
                        _ => return Err(Problem::BadCharRef(r.to_string())),
                    };
                    builder.text(c.encode_utf8(&mut [0; 4]))?;
                } else {
                    match quick_xml::escape::resolve_xml_entity(&r) {
                        Some(s) => builder.text(s)?,
                        None => return Err(Problem::Entity(r.to_string())),
                    }
                }
            }
            Event::DocType(_) => return Err(Problem::DocType),
            Event::Decl(decl) => {
                if let Some(encoding) = decl.encoding() {
                    let encoding = encoding
                        .map_err(|e| Problem::Malformed(e.to_string()))?
                        .to_string();
                    let e = encoding.to_ascii_lowercase();
                    if e != "utf-8" && e != "utf8" {
                        return Err(Problem::Encoding(encoding));
                    }
                }
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => return builder.finish(),
        }
    }
}

/// An element from its start tag, attributes checked and resolved.
fn open(
    reader: &NsReader<&[u8]>,
    namespace: Option<String>,
    start: &BytesStart<'_>,
) -> Result<Element, Problem> {
    if namespace.as_deref() == Some(XINCLUDE_NS) {
        return Err(Problem::XInclude);
    }
    let name = start.local_name().as_ref().to_string();
    let mut attributes = Vec::new();
    for (count, attribute) in start.attributes().enumerate() {
        if count >= MAX_ATTRIBUTES {
            return Err(Problem::TooManyAttributes {
                max: MAX_ATTRIBUTES,
            });
        }
        let attribute = attribute.map_err(|e| Problem::Malformed(e.to_string()))?;
        let key = attribute.key.as_ref().to_string();
        if attribute.value.len() > MAX_ATTRIBUTE_BYTES {
            return Err(Problem::AttributeTooLong {
                name: key,
                bytes: attribute.value.len(),
                max: MAX_ATTRIBUTE_BYTES,
            });
        }
        let mut refused = None;
        let value = attribute
            .normalized_value_with(XmlVersion::Implicit1_0, 1, |entity| {
                let known = quick_xml::escape::resolve_xml_entity(entity);
                if known.is_none() {
                    refused = Some(entity.to_string());
                }
                known
            })
            .map_err(|e| match refused.take() {
                Some(entity) => Problem::Entity(entity),
                None => Problem::Malformed(format!("attribute {key}: {e}")),
            })?;
        check_chars(&value)?;
        if key == "xmlns" || key.starts_with("xmlns:") {
            if value == XINCLUDE_NS {
                return Err(Problem::XInclude);
            }
            continue;
        }
        let (ns, local) = reader.resolver().resolve_attribute(attribute.key);
        let namespace = match ns {
            ResolveResult::Bound(ns) => Some(ns.0.to_string()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(prefix) => return Err(Problem::UndeclaredPrefix(prefix)),
        };
        if namespace.as_deref() == Some(XINCLUDE_NS) {
            return Err(Problem::XInclude);
        }
        attributes.push(Attribute {
            namespace,
            name: local.as_ref().to_string(),
            value: value.into_owned(),
        });
    }
    Ok(Element {
        namespace,
        name,
        attributes,
        ..Element::default()
    })
}

/// The open elements, and the root once closed.
#[derive(Default)]
struct Builder {
    open: Vec<Element>,
    root: Option<Element>,
    elements: usize,
}

impl Builder {
    fn open(&mut self, element: Element) -> Result<(), Problem> {
        if self.root.is_some() {
            return Err(Problem::MultipleRoots);
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(Problem::TooDeep { max: MAX_DEPTH });
        }
        self.elements += 1;
        if self.elements > MAX_ELEMENTS {
            return Err(Problem::TooManyElements { max: MAX_ELEMENTS });
        }
        self.open.push(element);
        Ok(())
    }

    fn close(&mut self) -> Result<(), Problem> {
        let element = self
            .open
            .pop()
            .ok_or_else(|| Problem::Malformed("an end tag closes nothing".into()))?;
        match self.open.last_mut() {
            Some(parent) => parent.children.push(element),
            None => self.root = Some(element),
        }
        Ok(())
    }

    fn text(&mut self, text: &str) -> Result<(), Problem> {
        check_chars(text)?;
        match self.open.last_mut() {
            Some(element) => element.push_text(text),
            None if text.trim().is_empty() => {}
            None => return Err(Problem::TextOutsideRoot),
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Element, Problem> {
        if !self.open.is_empty() {
            return Err(Problem::EndsInsideElement);
        }
        self.root.take().ok_or(Problem::NoRoot)
    }
}

/// XML 1.0's `Char` production.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn check_chars(text: &str) -> Result<(), Problem> {
    match text.chars().find(|c| !is_xml_char(*c)) {
        Some(c) => Err(Problem::BadChar(u32::from(c))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(xml: &str) -> Problem {
        match parse_inner(xml.as_bytes()) {
            Ok(e) => panic!("accepted: {e:?}"),
            Err(p) => p,
        }
    }

    #[test]
    fn reads_namespaces_text_and_attributes() {
        let root = parse_inner(
            br#"<?xml version="1.0" encoding="utf-8"?>
<a xmlns="urn:x" xmlns:o="urn:o"><b k="1 &amp; 2">x &lt;&#x4E2D;<![CDATA[<y>]]></b><o:c/></a>"#,
        )
        .expect("parses");
        assert_eq!(root.namespace.as_deref(), Some("urn:x"));
        assert_eq!(root.children.len(), 2);
        let b = &root.children[0];
        assert_eq!(b.text(), Ok("x <中<y>"));
        assert_eq!(b.attribute("k"), Some("1 & 2"));
        assert_eq!(root.children[1].qualified(), "{urn:o}c");
    }

    #[test]
    fn refuses_what_is_not_plain_utf8_xml() {
        assert_eq!(
            refused(r#"<?xml version="1.0" encoding="GB2312"?><a/>"#),
            Problem::Encoding("GB2312".into())
        );
        assert_eq!(parse_inner(b"<a>\xff</a>"), Err(Problem::NotUtf8));
        assert!(matches!(refused("<a><b></a>"), Problem::Malformed(_)));
        assert_eq!(refused("<a/><b/>"), Problem::MultipleRoots);
        assert_eq!(refused("<a>"), Problem::EndsInsideElement);
        assert_eq!(refused(""), Problem::NoRoot);
        assert_eq!(refused("<a/>text"), Problem::TextOutsideRoot);
        assert_eq!(refused("<p:a/>"), Problem::UndeclaredPrefix("p".into()));
        assert!(matches!(refused("<a>&#1;</a>"), Problem::BadCharRef(_)));
        assert_eq!(refused("<a>\u{1}</a>"), Problem::BadChar(1));
        assert_eq!(refused("<a>&nbsp;</a>"), Problem::Entity("nbsp".into()));
        assert_eq!(refused(r#"<a b="&x;"/>"#), Problem::Entity("x".into()));
    }

    #[test]
    fn long_text_is_counted_not_kept() {
        let xml = format!("<a><b>{}</b></a>", "x".repeat(MAX_TEXT_BYTES + 1));
        let root = parse_inner(xml.as_bytes()).expect("parses");
        assert_eq!(
            root.children[0].text(),
            Err(Problem::TextTooLong {
                bytes: MAX_TEXT_BYTES + 1,
                max: MAX_TEXT_BYTES
            })
        );
    }
}
