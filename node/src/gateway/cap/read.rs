//! A CAP 1.0, 1.1 or 1.2 `<alert>` element read into a [`CapAlert`],
//! with CAP's own rules checked (required elements, enumerations, times,
//! geometry, the elements `scope` and `msgType` make required). The
//! network's limits on lengths and counts are not checked here: that is
//! `ExternalWarning::check`, run by whoever records the alert.
//!
//! Differences between versions, read into the same types: CAP 1.0's
//! `<password>` is ignored; its certainty `Very Likely` reads as `Likely`
//! (CAP 1.1 merged them); its `name=value` pairs read as 1.2's
//! `valueName`/`value`. CAP 1.0 and 1.1 made a resource's `mimeType`
//! optional; one without reads as `application/octet-stream` (RFC 2046's
//! "unknown binary data"), so it can be written as valid CAP 1.2.

use liandong_protocol::domain::cap::{CapAlert, CapMsgType, CapReference, CapScope, CapStatus};

use super::fields::{CapVersion, Children, Reading};
use super::info;
use super::problems::{CapProblems, Problem};
use super::time;
use super::xml::Element;

const ALERT: &[&str] = &[
    "identifier",
    "sender",
    "password",
    "sent",
    "status",
    "msgType",
    "source",
    "scope",
    "restriction",
    "addresses",
    "code+",
    "note",
    "references",
    "incidents",
    "info+",
];

/// Whether `element` is a CAP alert of a version read here.
pub(super) fn is_alert(element: &Element) -> bool {
    element.name == "alert" && CapVersion::of_namespace(element.namespace.as_deref()).is_some()
}

/// Reads the alert `element`, found at path `at`.
pub(super) fn alert(element: &Element, at: &str) -> Result<CapAlert, CapProblems> {
    let Some(version) =
        CapVersion::of_namespace(element.namespace.as_deref()).filter(|_| element.name == "alert")
    else {
        return Err(CapProblems::one(
            at,
            Problem::NotCap {
                found: element.qualified(),
            },
        ));
    };
    let mut r = Reading::new(version);
    let c = r.children(element, at, ALERT);
    if version != CapVersion::V10
        && let Some((_, path)) = r.one(&c, "password")
    {
        // Only CAP 1.0 had a password (ignored: it protects nothing here).
        r.problem(&path, Problem::Unknown("password".into()));
    }
    let identifier = name(&mut r, &c, "identifier");
    let sender = name(&mut r, &c, "sender");
    let sent = r.time(&c, "sent", true);
    let status = r.required_enum::<CapStatus>(&c);
    let msg_type = r.required_enum::<CapMsgType>(&c);
    let source = r.optional(&c, "source");
    let scope = r.required_enum::<CapScope>(&c);
    let restriction = r.optional(&c, "restriction");
    let addresses = r.optional(&c, "addresses");
    let codes = r
        .many(&c, "code")
        .into_iter()
        .map(|(e, path)| r.text(e, &path))
        .collect();
    let note = r.optional(&c, "note");
    let references = references(&mut r, &c);
    let incidents = r.optional(&c, "incidents");
    let infos: Vec<_> = r
        .many(&c, "info")
        .into_iter()
        .filter_map(|(e, path)| info::info(&mut r, e, &path))
        .collect();

    match scope {
        Some(CapScope::Restricted) if restriction.is_empty() => r.problem(
            &format!("{at}/restriction"),
            Problem::NeedsForScope {
                scope: "Restricted",
                element: "restriction",
            },
        ),
        Some(CapScope::Private) if addresses.is_empty() => r.problem(
            &format!("{at}/addresses"),
            Problem::NeedsForScope {
                scope: "Private",
                element: "addresses",
            },
        ),
        _ => {}
    }
    if let Some(m) = msg_type
        && m.refers()
        && references.is_empty()
    {
        r.problem(
            &format!("{at}/references"),
            Problem::NeedsReferences(m.name()),
        );
    }

    let (
        Some(identifier),
        Some(sender),
        Some(sent),
        Some(status),
        Some(msg_type),
        Some(scope),
        true,
    ) = (
        identifier,
        sender,
        sent,
        status,
        msg_type,
        scope,
        r.problems.is_empty(),
    )
    else {
        // Every missing piece has been noted as a problem.
        return Err(r.problems);
    };
    Ok(CapAlert {
        identifier,
        sender,
        sent,
        status,
        msg_type,
        source,
        scope,
        restriction,
        addresses,
        codes,
        note,
        references,
        incidents,
        infos,
    })
}

/// `identifier` and `sender`: required, and free of the characters that
/// `references` uses as separators (CAP 1.2 §3.2.1).
fn name(r: &mut Reading, c: &Children<'_>, element: &'static str) -> Option<String> {
    let text = r.required(c, element)?;
    if text.contains(|ch: char| ch.is_whitespace() || matches!(ch, ',' | '<' | '&')) {
        r.problem(
            &Reading::path(c, element),
            Problem::BadName {
                element,
                value: text,
            },
        );
        return None;
    }
    Some(text)
}

/// `references`: whitespace-separated `sender,identifier,sent`, the sent
/// time kept as written (it names a message, it is not re-timed) but it
/// must be a CAP time.
fn references(r: &mut Reading, c: &Children<'_>) -> Vec<CapReference> {
    let Some((e, at)) = r.one(c, "references") else {
        return Vec::new();
    };
    let text = r.text(e, &at);
    let mut out = Vec::new();
    for word in text.split_whitespace() {
        let parts: Vec<&str> = word.split(',').collect();
        match parts.as_slice() {
            [sender, identifier, sent]
                if !sender.is_empty() && !identifier.is_empty() && time::parse(sent).is_some() =>
            {
                out.push(CapReference {
                    sender: (*sender).to_string(),
                    identifier: (*identifier).to_string(),
                    sent: (*sent).to_string(),
                });
            }
            _ => r.problem(&at, Problem::Reference(word.to_string())),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::gateway::cap::{Problem, read_alert};

    const CAP12: &str = "urn:oasis:names:tc:emergency:cap:1.2";

    /// An alert with `head` after its required elements and `info` inside.
    fn alert(ns: &str, msg_type: &str, scope: &str, head: &str, info: &str) -> String {
        format!(
            "<alert xmlns=\"{ns}\"><identifier>id-1</identifier><sender>s@example.org</sender>\
             <sent>2026-07-15T14:30:00+08:00</sent><status>Actual</status>\
             <msgType>{msg_type}</msgType><scope>{scope}</scope>{head}{info}</alert>"
        )
    }

    fn info(inside: &str) -> String {
        format!(
            "<info><category>Met</category><event>e</event><urgency>Expected</urgency>\
             <severity>Minor</severity><certainty>Likely</certainty>{inside}</info>"
        )
    }

    fn problems(xml: &str) -> Vec<(String, Problem)> {
        read_alert(xml.as_bytes())
            .expect_err("refused")
            .problems
            .into_iter()
            .map(|p| (p.at, p.problem))
            .collect()
    }

    #[test]
    fn scope_and_msg_type_make_elements_required() {
        assert_eq!(
            problems(&alert(CAP12, "Update", "Restricted", "", "")),
            [
                (
                    "alert/restriction".into(),
                    Problem::NeedsForScope {
                        scope: "Restricted",
                        element: "restriction"
                    }
                ),
                (
                    "alert/references".into(),
                    Problem::NeedsReferences("Update")
                ),
            ]
        );
        assert_eq!(
            problems(&alert(CAP12, "Alert", "Private", "", "")),
            [(
                "alert/addresses".into(),
                Problem::NeedsForScope {
                    scope: "Private",
                    element: "addresses"
                }
            )]
        );
        let ok = alert(
            CAP12,
            "Cancel",
            "Private",
            "<addresses>a b</addresses><references>s,id-0,2026-07-15T14:00:00+08:00</references>",
            "",
        );
        let a = read_alert(ok.as_bytes()).expect("valid");
        assert_eq!(a.references[0].identifier, "id-0");
    }

    #[test]
    fn references_and_names_follow_cap_syntax() {
        let xml = alert(
            CAP12,
            "Update",
            "Public",
            "<references>s,id-0 s,id-0,yesterday s,id-0,2026-07-15T14:00:00+08:00</references>",
            "",
        )
        .replace(
            "<identifier>id-1</identifier>",
            "<identifier>id 1</identifier>",
        );
        assert_eq!(
            problems(&xml),
            [
                (
                    "alert/identifier".into(),
                    Problem::BadName {
                        element: "identifier",
                        value: "id 1".into()
                    }
                ),
                (
                    "alert/references".into(),
                    Problem::Reference("s,id-0".into())
                ),
                (
                    "alert/references".into(),
                    Problem::Reference("s,id-0,yesterday".into())
                ),
            ]
        );
    }

    #[test]
    fn passwords_belong_to_cap_1_0_only() {
        let head = "<password>secret</password>";
        let v10 = alert(
            "http://www.incident.com/cap/1.0",
            "Alert",
            "Public",
            head,
            "",
        );
        read_alert(v10.as_bytes()).expect("CAP 1.0 password ignored");
        assert_eq!(
            problems(&alert(CAP12, "Alert", "Public", head, "")),
            [("alert/password".into(), Problem::Unknown("password".into()))]
        );
    }

    #[test]
    fn info_resource_and_area_rules_are_all_named() {
        let inside = "<language>en_US</language><bogus/>\
             <resource><resourceDesc>r</resourceDesc><size>big</size></resource>\
             <area><areaDesc>a</areaDesc><circle>1,2</circle><ceiling>10</ceiling></area>";
        let xml = alert(CAP12, "Alert", "Public", "", &info(inside))
            .replace("<category>Met</category>", "");
        let found = problems(&xml);
        let at: Vec<&str> = found.iter().map(|(at, _)| at.as_str()).collect();
        assert_eq!(
            at,
            [
                "alert/info[0]/bogus[0]",
                "alert/info[0]/language",
                "alert/info[0]/category",
                "alert/info[0]/resource[0]/mimeType",
                "alert/info[0]/resource[0]/size",
                "alert/info[0]/area[0]/circle[0]",
                "alert/info[0]/area[0]/ceiling",
            ],
            "{found:#?}"
        );
    }

    #[test]
    fn long_kept_text_is_a_problem_but_long_media_is_not() {
        let long = "x".repeat(crate::gateway::cap::limits::MAX_TEXT_BYTES + 1);
        let media = format!(
            "<resource><resourceDesc>r</resourceDesc><mimeType>audio/mp3</mimeType>\
             <derefUri>{long}</derefUri></resource>"
        );
        read_alert(alert(CAP12, "Alert", "Public", "", &info(&media)).as_bytes())
            .expect("derefUri is not kept, so its length does not matter");
        let text = format!("<description>{long}</description>");
        let found = problems(&alert(CAP12, "Alert", "Public", "", &info(&text)));
        assert!(matches!(
            found.as_slice(),
            [(at, Problem::TextTooLong { .. })] if at == "alert/info[0]/description"
        ));
    }
}
