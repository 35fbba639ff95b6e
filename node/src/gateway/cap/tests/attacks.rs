//! Hostile XML is harmless: one test per attack. Each is refused with its
//! named problem, and nothing it points at is read.

use std::fs;

use crate::gateway::cap::limits::{MAX_ATTRIBUTE_BYTES, MAX_ATTRIBUTES, MAX_DEPTH};
use crate::gateway::cap::{CapProblems, Links, MAX_CAP_BYTES, Problem, read_alert, read_document};

const HEAD: &str = r#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">"#;

/// A valid alert with `extra` inside `<description>`.
fn alert_with(extra: &str) -> String {
    format!(
        "{HEAD}<identifier>x1</identifier><sender>s@example.org</sender>\
         <sent>2026-07-15T14:30:00+08:00</sent><status>Actual</status>\
         <msgType>Alert</msgType><scope>Public</scope><info><category>Met</category>\
         <event>e</event><urgency>Expected</urgency><severity>Minor</severity>\
         <certainty>Likely</certainty><description>{extra}</description></info></alert>"
    )
}

/// Reads `xml` both ways (alert, and document under a folder whose links
/// may be followed): both must refuse it with exactly `expected`.
fn refused(xml: &str, expected: &Problem) -> CapProblems {
    let dir = tempfile::tempdir().expect("temp dir");
    for result in [
        read_alert(xml.as_bytes()).map(|_| ()),
        read_document(xml.as_bytes(), Links::Under(dir.path().to_path_buf())).map(|_| ()),
    ] {
        let problems = result.expect_err("hostile XML is refused");
        let found: Vec<&Problem> = problems.iter().map(|p| &p.problem).collect();
        assert_eq!(found, [expected], "{problems}");
    }
    read_alert(xml.as_bytes()).expect_err("refused")
}

#[test]
fn the_reference_alert_is_accepted() {
    // The attacks below differ from this only by the attack.
    read_alert(alert_with("plain").as_bytes()).expect("valid");
}

#[test]
fn xxe_an_external_entity_is_never_read() {
    let passwd = fs::read_to_string("/etc/passwd").unwrap_or_default();
    let first_line = passwd.lines().next().unwrap_or("root:x:0:0");
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE alert [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n{}",
        alert_with("&xxe;")
    );
    let problems = refused(&xml, &Problem::DocType);
    assert!(!format!("{problems:?}").contains(first_line));
    assert!(!problems.to_string().contains(first_line));

    // Without its declaration the reference is still refused, by name.
    let problems = refused(&alert_with("&xxe;"), &Problem::Entity("xxe".into()));
    assert!(!problems.to_string().contains(first_line));

    // A parameter entity reaching out over the network: refused the same.
    let xml = format!(
        "<!DOCTYPE alert [<!ENTITY % remote SYSTEM \"http://127.0.0.1:9/x.dtd\"> %remote;]>{}",
        alert_with("x")
    );
    refused(&xml, &Problem::DocType);
}

#[test]
fn billion_laughs_is_refused_before_any_expansion() {
    let mut dtd = String::from("<!DOCTYPE alert [\n<!ENTITY lol \"lol\">\n");
    for i in 1..=9 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        dtd.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    dtd.push_str("]>\n");
    let xml = format!("{dtd}{}", alert_with("&lol9;"));
    let started = std::time::Instant::now();
    refused(&xml, &Problem::DocType);
    refused(&alert_with("&lol9;"), &Problem::Entity("lol9".into()));
    // 10^9 expansions would take far longer than this; a refusal is instant.
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn deep_nesting_is_bounded() {
    // In a foreign namespace, which would otherwise be skipped.
    let depth = 60_000;
    let xml = alert_with(&format!(
        "<x:a xmlns:x=\"urn:x\">{}{}",
        "<x:a>".repeat(depth - 1),
        "</x:a>".repeat(depth)
    ));
    assert!(xml.len() <= MAX_CAP_BYTES);
    refused(&xml, &Problem::TooDeep { max: MAX_DEPTH });
}

#[test]
fn huge_attributes_are_bounded() {
    let value = "A".repeat(200_000);
    let xml = alert_with("").replacen(
        HEAD,
        &format!(r#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2" big="{value}">"#),
        1,
    );
    refused(
        &xml,
        &Problem::AttributeTooLong {
            name: "big".into(),
            bytes: 200_000,
            max: MAX_ATTRIBUTE_BYTES,
        },
    );
    let many: String = (0..=MAX_ATTRIBUTES)
        .map(|i| format!(" a{i}=\"1\""))
        .collect();
    let xml = alert_with(&format!("<x:b xmlns:x=\"urn:x\"{many}/>"));
    refused(
        &xml,
        &Problem::TooManyAttributes {
            max: MAX_ATTRIBUTES,
        },
    );
}

#[test]
fn xinclude_is_refused() {
    let xml = alert_with(
        r#"<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" parse="text"/>"#,
    );
    refused(&xml, &Problem::XInclude);
    // Declaring the namespace is enough to be refused.
    let xml = alert_with("").replacen(
        HEAD,
        r#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2" xmlns:xi="http://www.w3.org/2001/XInclude">"#,
        1,
    );
    refused(&xml, &Problem::XInclude);
}

#[test]
fn oversize_documents_are_refused_before_parsing() {
    let mut xml = alert_with("x");
    let padding = MAX_CAP_BYTES + 1 - xml.len() - "<!---->".len();
    xml.push_str(&format!("<!--{}-->", " ".repeat(padding)));
    assert_eq!(xml.len(), MAX_CAP_BYTES + 1);
    refused(
        &xml,
        &Problem::TooLarge {
            bytes: MAX_CAP_BYTES + 1,
            max: MAX_CAP_BYTES,
        },
    );
    // Even garbage that size is refused for its size, not parsed.
    let garbage = vec![b'<'; MAX_CAP_BYTES + 1];
    let problems = read_alert(&garbage).expect_err("refused");
    assert_eq!(
        problems.iter().map(|p| &p.problem).collect::<Vec<_>>(),
        [&Problem::TooLarge {
            bytes: MAX_CAP_BYTES + 1,
            max: MAX_CAP_BYTES
        }]
    );
    // One byte less is read.
    xml.pop();
    xml.pop();
    xml.pop();
    xml.pop();
    xml.push_str("-->");
    assert_eq!(xml.len(), MAX_CAP_BYTES);
    read_alert(xml.as_bytes()).expect("at the limit is fine");
}
