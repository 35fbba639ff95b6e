//! An `<info>` block and its `<resource>`s read into [`CapInfo`]. An info
//! without `<language>` is in `en-US`, CAP's default. A resource's
//! embedded content (`derefUri`) is not kept: media does not ride the
//! ledger (its URI, size and digest are kept), so its text is not read.

use liandong_protocol::domain::cap::{
    CapCategory, CapCertainty, CapInfo, CapResource, CapResponseType, CapSeverity, CapUrgency,
};

use super::area;
use super::fields::{CapVersion, Children, Reading};
use super::problems::{NumberUnit, Problem};
use super::xml::Element;

/// CAP's default language.
pub(super) const DEFAULT_LANGUAGE: &str = "en-US";

/// The MIME type a CAP 1.0/1.1 resource without one is read as.
pub(super) const UNKNOWN_MIME_TYPE: &str = "application/octet-stream";

const INFO: &[&str] = &[
    "language",
    "category+",
    "event",
    "responseType+",
    "urgency",
    "severity",
    "certainty",
    "audience",
    "eventCode+",
    "effective",
    "onset",
    "expires",
    "senderName",
    "headline",
    "description",
    "instruction",
    "web",
    "contact",
    "parameter+",
    "resource+",
    "area+",
];

const RESOURCE: &[&str] = &[
    "resourceDesc",
    "mimeType",
    "size",
    "uri",
    "derefUri",
    "digest",
];

/// Reads the info at `at`; `None` when it has problems (all noted).
pub(super) fn info(r: &mut Reading, element: &Element, at: &str) -> Option<CapInfo> {
    let before = r.problems.len();
    let c = r.children(element, at, INFO);
    let language = match r.optional(&c, "language") {
        l if l.is_empty() => DEFAULT_LANGUAGE.to_string(),
        l if is_language_tag(&l) => l,
        l => {
            r.problem(&Reading::path(&c, "language"), Problem::Language(l.clone()));
            l
        }
    };
    let mut categories = Vec::new();
    for (e, path) in r.many(&c, "category") {
        let text = r.text(e, &path);
        categories.extend(r.enumeration::<CapCategory>(&text, &path));
    }
    if r.many(&c, "category").is_empty() {
        r.problem(&Reading::path(&c, "category"), Problem::Missing("category"));
    }
    let event = r.required(&c, "event");
    let mut response_types = Vec::new();
    for (e, path) in r.many(&c, "responseType") {
        let text = r.text(e, &path);
        response_types.extend(r.enumeration::<CapResponseType>(&text, &path));
    }
    let urgency = r.required_enum::<CapUrgency>(&c);
    let severity = r.required_enum::<CapSeverity>(&c);
    let certainty = certainty(r, &c);
    let audience = r.optional(&c, "audience");
    let event_codes = r.pairs(&c, "eventCode");
    let effective = r.time(&c, "effective", false);
    let onset = r.time(&c, "onset", false);
    let expires = r.time(&c, "expires", false);
    let sender_name = r.optional(&c, "senderName");
    let headline = r.optional(&c, "headline");
    let description = r.optional(&c, "description");
    let instruction = r.optional(&c, "instruction");
    let web = r.optional(&c, "web");
    let contact = r.optional(&c, "contact");
    let parameters = r.pairs(&c, "parameter");
    let resources: Vec<CapResource> = r
        .many(&c, "resource")
        .into_iter()
        .filter_map(|(e, path)| resource(r, e, &path))
        .collect();
    let areas: Vec<_> = r
        .many(&c, "area")
        .into_iter()
        .filter_map(|(e, path)| area::area(r, e, &path))
        .collect();
    if r.problems.len() > before {
        return None;
    }
    Some(CapInfo {
        language,
        categories,
        event: event?,
        response_types,
        urgency: urgency?,
        severity: severity?,
        certainty: certainty?,
        audience,
        event_codes,
        effective,
        onset,
        expires,
        sender_name,
        headline,
        description,
        instruction,
        web,
        contact,
        parameters,
        resources,
        areas,
    })
}

/// CAP 1.0's `Very Likely` is 1.1's `Likely`.
fn certainty(r: &mut Reading, c: &Children<'_>) -> Option<CapCertainty> {
    let text = r.required(c, "certainty")?;
    if r.version == CapVersion::V10 && text == "Very Likely" {
        return Some(CapCertainty::Likely);
    }
    r.enumeration(&text, &Reading::path(c, "certainty"))
}

fn resource(r: &mut Reading, element: &Element, at: &str) -> Option<CapResource> {
    let before = r.problems.len();
    let c = r.children(element, at, RESOURCE);
    let description = r.required(&c, "resourceDesc");
    let mime_type = if r.version == CapVersion::V12 || r.one(&c, "mimeType").is_some() {
        r.required(&c, "mimeType")
    } else {
        Some(UNKNOWN_MIME_TYPE.to_string())
    };
    let size = match r.one(&c, "size") {
        Some((e, path)) => {
            let text = r.text(e, &path);
            let size = text.parse::<u64>().ok();
            if size.is_none() {
                r.problem(
                    &path,
                    Problem::Number {
                        element: "size",
                        value: text,
                        unit: NumberUnit::Bytes,
                    },
                );
            }
            size
        }
        None => None,
    };
    let uri = r.optional(&c, "uri");
    let digest = r.optional(&c, "digest");
    if r.problems.len() > before {
        return None;
    }
    Some(CapResource {
        description: description?,
        mime_type: mime_type?,
        size,
        uri,
        digest,
    })
}

/// `xs:language`: `[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*`.
fn is_language_tag(text: &str) -> bool {
    let mut parts = text.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        for good in ["en-US", "zh-CN", "es", "zh-Hans-CN", "x-klingon"] {
            assert!(is_language_tag(good), "{good}");
        }
        for bad in ["", "en_US", "-en", "en-", "toolongtag-x", "中文"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }
}
