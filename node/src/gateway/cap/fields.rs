//! Reading one element's CAP children: which are there, at which path,
//! and their text, enumerations, times and `valueName`/`value` pairs —
//! every problem noted, none stopping the reading, so a refused alert
//! lists all of them.
//!
//! Children in other namespaces (an XML signature, a sender's extension)
//! are skipped; unknown children in the CAP namespace, and children in no
//! namespace, are problems. Element order is not checked on input (the
//! writer keeps the schema's). Leading and trailing whitespace of every
//! text is dropped: senders pretty-print (`<source>\n</source>`) and it
//! carries no meaning; whitespace inside, line breaks included, is kept.

use liandong_protocol::domain::cap::{
    CapCategory, CapCertainty, CapMsgType, CapResponseType, CapScope, CapSeverity, CapStatus,
    CapTime, CapUrgency, CapValue,
};

use super::problems::{CapProblems, Problem};
use super::time;
use super::xml::Element;

/// The CAP versions read, by namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CapVersion {
    V10,
    V11,
    V12,
}

pub(super) const CAP10_NS: &str = "http://www.incident.com/cap/1.0";
pub(super) const CAP11_NS: &str = "urn:oasis:names:tc:emergency:cap:1.1";
pub(super) const CAP12_NS: &str = "urn:oasis:names:tc:emergency:cap:1.2";

impl CapVersion {
    pub fn of_namespace(namespace: Option<&str>) -> Option<CapVersion> {
        match namespace? {
            CAP10_NS => Some(CapVersion::V10),
            CAP11_NS => Some(CapVersion::V11),
            CAP12_NS => Some(CapVersion::V12),
            _ => None,
        }
    }

    pub fn namespace(self) -> &'static str {
        match self {
            CapVersion::V10 => CAP10_NS,
            CapVersion::V11 => CAP11_NS,
            CapVersion::V12 => CAP12_NS,
        }
    }
}

/// A CAP enumeration, for reading any of them one way.
pub(super) trait CapEnum: Copy + 'static {
    const ELEMENT: &'static str;
    fn all() -> &'static [Self];
    fn cap_name(self) -> &'static str;
    fn parse(text: &str) -> Option<Self>;
}

macro_rules! cap_enums {
    ($($t:ty = $element:literal),+ $(,)?) => {$(
        impl CapEnum for $t {
            const ELEMENT: &'static str = $element;
            fn all() -> &'static [Self] { <$t>::ALL }
            fn cap_name(self) -> &'static str { self.name() }
            fn parse(text: &str) -> Option<Self> { <$t>::from_cap(text) }
        }
    )+};
}

cap_enums!(
    CapStatus = "status",
    CapMsgType = "msgType",
    CapScope = "scope",
    CapCategory = "category",
    CapResponseType = "responseType",
    CapUrgency = "urgency",
    CapSeverity = "severity",
    CapCertainty = "certainty",
);

/// An element's CAP children, in document order, with their paths.
#[derive(Debug)]
pub(super) struct Children<'a> {
    at: String,
    items: Vec<(&'a Element, String)>,
}

/// The reading of one alert: its version and the problems found so far.
#[derive(Debug)]
pub(super) struct Reading {
    pub version: CapVersion,
    pub problems: CapProblems,
}

impl Reading {
    pub fn new(version: CapVersion) -> Reading {
        Reading {
            version,
            problems: CapProblems::default(),
        }
    }

    pub fn problem(&mut self, at: &str, problem: Problem) {
        self.problems.push(at, problem);
    }

    /// The CAP children of `element` (at `at`) whose names are in `known`;
    /// a name marked `+` may repeat, any other appearing twice is a
    /// problem. Paths index each name from 0: `info[0]`, `info[1]`.
    pub fn children<'a>(
        &mut self,
        element: &'a Element,
        at: &str,
        known: &[&'static str],
    ) -> Children<'a> {
        let mut items: Vec<(&'a Element, String)> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for child in &element.children {
            match child.namespace.as_deref() {
                Some(ns) if ns == self.version.namespace() => {}
                Some(_) => continue,
                None => {
                    self.problem(
                        &format!("{at}/{}", child.name),
                        Problem::Unqualified(child.name.clone()),
                    );
                    continue;
                }
            }
            let index = seen.iter().filter(|n| **n == child.name).count();
            seen.push(&child.name);
            let path = format!("{at}/{}[{index}]", child.name);
            let Some(spec) = known.iter().find(|k| k.trim_end_matches('+') == child.name) else {
                self.problem(&path, Problem::Unknown(child.name.clone()));
                continue;
            };
            if index == 1 && !spec.ends_with('+') {
                self.problem(&path, Problem::Repeated(spec.trim_end_matches('+')));
            }
            items.push((child, path));
        }
        Children {
            at: at.to_string(),
            items,
        }
    }

    /// The child `name`, which may appear once (path without an index;
    /// a repeat was noted by [`Reading::children`]).
    pub fn one<'a>(&self, children: &Children<'a>, name: &str) -> Option<(&'a Element, String)> {
        let (first, _) = children.items.iter().find(|(e, _)| e.name == name)?;
        Some((*first, format!("{}/{name}", children.at)))
    }

    /// Path of the child `name`, present or not.
    pub fn path(children: &Children<'_>, name: &str) -> String {
        format!("{}/{name}", children.at)
    }

    /// Every child `name`, with indexed paths.
    pub fn many<'a>(&self, children: &Children<'a>, name: &str) -> Vec<(&'a Element, String)> {
        children
            .items
            .iter()
            .filter(|(e, _)| e.name == name)
            .map(|(e, p)| (*e, p.clone()))
            .collect()
    }

    /// An element's text, trimmed; an element inside it that CAP does not
    /// put there is a problem.
    pub fn text(&mut self, element: &Element, at: &str) -> String {
        self.children(element, at, &[]);
        match element.text() {
            Ok(t) => t.trim().to_string(),
            Err(p) => {
                self.problem(at, p);
                String::new()
            }
        }
    }

    /// An optional text element: empty when absent.
    pub fn optional(&mut self, children: &Children<'_>, name: &'static str) -> String {
        match self.one(children, name) {
            Some((e, at)) => self.text(e, &at),
            None => String::new(),
        }
    }

    /// A required text element: a problem when absent or blank.
    pub fn required(&mut self, children: &Children<'_>, name: &'static str) -> Option<String> {
        let Some((e, at)) = self.one(children, name) else {
            self.problem(&Self::path(children, name), Problem::Missing(name));
            return None;
        };
        let text = self.text(e, &at);
        if text.is_empty() {
            self.problem(&at, Problem::Empty(name));
            return None;
        }
        Some(text)
    }

    /// A value of a CAP enumeration, spelled exactly as CAP spells it.
    pub fn enumeration<T: CapEnum>(&mut self, text: &str, at: &str) -> Option<T> {
        let value = T::parse(text);
        if value.is_none() {
            let expected: Vec<&str> = T::all().iter().map(|v| v.cap_name()).collect();
            self.problem(
                at,
                Problem::Enumeration {
                    element: T::ELEMENT,
                    value: text.to_string(),
                    expected: expected.join(", "),
                },
            );
        }
        value
    }

    /// A required single element holding an enumeration value.
    pub fn required_enum<T: CapEnum>(&mut self, children: &Children<'_>) -> Option<T> {
        let text = self.required(children, T::ELEMENT)?;
        self.enumeration(&text, &format!("{}/{}", children.at, T::ELEMENT))
    }

    /// A time element; when `required`, its absence is a problem.
    pub fn time(
        &mut self,
        children: &Children<'_>,
        name: &'static str,
        required: bool,
    ) -> Option<CapTime> {
        let Some((e, at)) = self.one(children, name) else {
            if required {
                self.problem(&Self::path(children, name), Problem::Missing(name));
            }
            return None;
        };
        let text = self.text(e, &at);
        let time = time::parse(&text);
        if time.is_none() {
            self.problem(&at, Problem::Time(text));
        }
        time
    }

    /// Every `valueName`/`value` pair called `name` (CAP 1.0 wrote them as
    /// `name=value` text; 1.1 and 1.2 as two elements).
    pub fn pairs(&mut self, children: &Children<'_>, name: &'static str) -> Vec<CapValue> {
        let mut out = Vec::new();
        for (e, at) in self.many(children, name) {
            let has_elements = e
                .children
                .iter()
                .any(|c| c.namespace.as_deref() == Some(self.version.namespace()));
            if self.version == CapVersion::V10 && !has_elements {
                let text = self.text(e, &at);
                match text.split_once('=') {
                    Some((n, v)) if !n.trim().is_empty() => out.push(CapValue {
                        name: n.trim().to_string(),
                        value: v.trim().to_string(),
                    }),
                    _ => self.problem(&at, Problem::Pair(text)),
                }
                continue;
            }
            let inner = self.children(e, &at, &["valueName", "value"]);
            let value_name = self.required(&inner, "valueName");
            let value = match self.one(&inner, "value") {
                Some((v, path)) => Some(self.text(v, &path)),
                None => {
                    self.problem(&format!("{at}/value"), Problem::Missing("value"));
                    None
                }
            };
            if let (Some(name), Some(value)) = (value_name, value) {
                out.push(CapValue { name, value });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::cap::xml;

    fn reading(xml: &str) -> (Element, Reading) {
        let root = xml::parse(xml.as_bytes()).expect("parses");
        (root, Reading::new(CapVersion::V12))
    }

    #[test]
    fn notes_unknown_repeated_missing_and_misspelt_children() {
        let (root, mut r) = reading(
            r#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2" xmlns:x="urn:x">
                 <status>actual</status><status>Actual</status>
                 <bogus/><x:ext/><plain xmlns=""/>
               </alert>"#,
        );
        let c = r.children(&root, "alert", &["status", "identifier"]);
        assert_eq!(r.required_enum::<CapStatus>(&c), None);
        assert_eq!(r.required(&c, "identifier"), None);
        let found: Vec<String> = r.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(found.len(), 5, "{found:#?}");
        assert!(found[0].starts_with("alert/status[1]: status may appear only once"));
        assert!(found[1].starts_with("alert/bogus[0]: unknown element bogus"));
        assert!(found[2].starts_with("alert/plain: element plain has no namespace"));
        assert!(found[3].starts_with(
            "alert/status: status \"actual\" is not one of Actual, Exercise, System, Test, Draft"
        ));
        assert!(found[4].starts_with("alert/identifier: required element identifier is missing"));
    }

    #[test]
    fn reads_pairs_in_both_forms() {
        let (root, mut r) = reading(
            r#"<info xmlns="urn:oasis:names:tc:emergency:cap:1.2">
                 <parameter><valueName>EAS-ORG</valueName><value>WXR</value></parameter>
                 <parameter><valueName>EMPTY</valueName><value></value></parameter>
                 <parameter><value>x</value></parameter>
               </info>"#,
        );
        let c = r.children(&root, "info", &["parameter+"]);
        let pairs = r.pairs(&c, "parameter");
        assert_eq!(pairs.len(), 2);
        assert_eq!(pairs[1].value, "");
        assert_eq!(r.problems.len(), 1);

        let (root, _) = reading(
            r#"<info xmlns="http://www.incident.com/cap/1.0">
                 <parameter>HSAS=ORANGE</parameter><parameter>nothing</parameter>
               </info>"#,
        );
        let mut r = Reading::new(CapVersion::V10);
        let c = r.children(&root, "info", &["parameter+"]);
        let pairs = r.pairs(&c, "parameter");
        assert_eq!(
            pairs,
            vec![CapValue {
                name: "HSAS".into(),
                value: "ORANGE".into()
            }]
        );
        assert_eq!(
            r.problems.iter().next().map(|p| p.at.as_str()),
            Some("info/parameter[1]")
        );
    }
}
