//! Atom and RSS indexes: alerts inline and linked, links followed only
//! inside the index's folder, every refused link named.

use std::fs;
use std::path::Path;

use crate::gateway::cap::limits::MAX_INDEX_ENTRIES;
use crate::gateway::cap::{Links, MAX_CAP_BYTES, Problem, read_document};

use super::own_fixture;

const ATOM: &str = "http://www.w3.org/2005/Atom";

fn alert(identifier: &str) -> String {
    format!(
        r#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.1"><identifier>{identifier}</identifier>
<sender>s@example.org</sender><sent>2026-07-15T14:30:00+08:00</sent><status>Actual</status>
<msgType>Alert</msgType><scope>Public</scope></alert>"#
    )
}

fn feed(entries: &[String]) -> String {
    let body: String = entries
        .iter()
        .map(|e| format!("<entry><title>t</title>{e}</entry>"))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><feed xmlns="{ATOM}"><title>f</title>{body}</feed>"#
    )
}

fn link(href: &str) -> String {
    format!(r#"<link rel="alternate" type="application/cap+xml" href="{href}"/>"#)
}

fn under(dir: &Path) -> Links {
    Links::Under(dir.to_path_buf())
}

#[test]
fn a_bare_alert_is_one_item() {
    let alerts = read_document(alert("a1").as_bytes(), Links::Refuse).expect("reads");
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].identifier, "a1");
}

#[test]
fn atom_entries_carry_or_link_alerts() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir(dir.path().join("alerts")).expect("mkdir");
    fs::write(dir.path().join("alerts/linked one.xml"), alert("linked")).expect("write");
    fs::copy(
        own_fixture("rainstorm-orange.xml"),
        dir.path().join("rainstorm.xml"),
    )
    .expect("copy");
    let xml = feed(&[
        format!(
            r#"<content type="application/cap+xml">{}</content>"#,
            alert("in-content")
        ),
        alert("in-entry"),
        format!(
            r#"<link rel="self" href="http://example.org/feed"/>{}"#,
            link("alerts/linked%20one.xml")
        ),
        r#"<link href="./rainstorm.xml"/>"#.to_string(),
    ]);
    let alerts = read_document(xml.as_bytes(), under(dir.path())).expect("reads");
    let ids: Vec<&str> = alerts.iter().map(|a| a.identifier.as_str()).collect();
    assert_eq!(
        ids,
        [
            "in-content",
            "in-entry",
            "linked",
            "65420304100000_20260715143000_1"
        ]
    );
}

#[test]
fn rss_items_carry_or_link_alerts() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("a.xml"), alert("linked")).expect("write");
    let xml = format!(
        "<rss version=\"2.0\"><channel><title>c</title>\
         <item><title>one</title><link>a.xml</link></item>\
         <item>{}</item></channel></rss>",
        alert("inline")
    );
    let alerts = read_document(xml.as_bytes(), under(dir.path())).expect("reads");
    let ids: Vec<&str> = alerts.iter().map(|a| a.identifier.as_str()).collect();
    assert_eq!(ids, ["linked", "inline"]);

    // From the network, the same index is refused for its link.
    let problems = read_document(xml.as_bytes(), Links::Refuse).expect_err("refused");
    let found: Vec<(&str, &Problem)> = problems
        .iter()
        .map(|p| (p.at.as_str(), &p.problem))
        .collect();
    assert_eq!(
        found,
        [(
            "rss/channel[0]/item[0]",
            &Problem::LinkRefused("a.xml".into())
        )]
    );
}

#[test]
fn links_never_leave_the_folder() {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("index");
    fs::create_dir(&dir).expect("mkdir");
    fs::write(root.path().join("x.xml"), alert("SECRET-OUTSIDE-ALERT")).expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.path().join("x.xml"), dir.join("sneaky.xml")).expect("symlink");
    let hrefs = [
        "../x.xml",
        "a/../../x.xml",
        "%2e%2e/x.xml",
        "/etc/passwd",
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.xml",
        "x.xml?v=1",
        "..\\x.xml",
        "sneaky.xml",
    ];
    let entries: Vec<String> = hrefs.iter().map(|h| link(h)).collect();
    let problems = read_document(feed(&entries).as_bytes(), under(&dir)).expect_err("refused");
    assert_eq!(problems.len(), hrefs.len(), "{problems}");
    for (i, (p, href)) in problems.iter().zip(hrefs).enumerate() {
        assert_eq!(p.at, format!("feed/entry[{i}]"));
        match &p.problem {
            Problem::LinkOutside { href: h, .. } => assert_eq!(h, href),
            other => panic!("{href}: {other}"),
        }
    }
    assert!(
        !problems.to_string().contains("SECRET-OUTSIDE-ALERT"),
        "nothing was read"
    );
}

#[test]
fn linked_files_are_size_checked_and_must_be_alerts() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("big.xml"), vec![b' '; MAX_CAP_BYTES + 1]).expect("write");
    fs::write(
        dir.path().join("bad.xml"),
        "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"/>",
    )
    .expect("write");
    fs::write(dir.path().join("index.xml"), feed(&[alert("nested")])).expect("write");
    fs::create_dir(dir.path().join("folder.xml")).expect("mkdir");
    let xml = feed(&[
        link("big.xml"),
        link("missing.xml"),
        link("bad.xml"),
        link("index.xml"),
        link("folder.xml"),
        "<summary>nothing</summary>".to_string(),
    ]);
    let problems = read_document(xml.as_bytes(), under(dir.path())).expect_err("refused");
    let text = problems.to_string();
    let at: Vec<&str> = problems.iter().map(|p| p.at.as_str()).collect();
    assert_eq!(at[0], "feed/entry[0]");
    assert!(
        matches!(problems.problems[0].problem, Problem::TooLarge { .. }),
        "{text}"
    );
    assert!(
        matches!(problems.problems[1].problem, Problem::LinkUnreadable { .. }),
        "{text}"
    );
    assert!(
        at.contains(&"feed/entry[2]/link(bad.xml)/alert/identifier"),
        "{text}"
    );
    assert!(
        at.contains(&"feed/entry[3]/link(index.xml)/alert"),
        "a linked index is not followed: {text}"
    );
    let folder = problems.iter().find(|p| p.at == "feed/entry[4]");
    assert!(
        folder.is_some_and(|p| matches!(&p.problem, Problem::LinkUnreadable { error, .. } if error == "not a regular file")),
        "a folder is not opened: {text}"
    );
    assert_eq!(
        problems.problems.last().map(|p| (&p.at[..], &p.problem)),
        Some(("feed/entry[5]", &Problem::NoAlert))
    );
}

#[test]
fn indexes_are_bounded_and_not_empty() {
    let problems = read_document(feed(&[]).as_bytes(), Links::Refuse).expect_err("empty");
    assert_eq!(problems.problems[0].problem, Problem::NoEntries);
    let many = vec![alert("a"); MAX_INDEX_ENTRIES + 1];
    let problems = read_document(feed(&many).as_bytes(), Links::Refuse).expect_err("too many");
    assert_eq!(
        problems.problems[0].problem,
        Problem::TooManyEntries {
            count: MAX_INDEX_ENTRIES + 1,
            max: MAX_INDEX_ENTRIES
        }
    );
    let problems = read_document(b"<html/>", Links::Refuse).expect_err("not an index");
    assert!(matches!(
        problems.problems[0].problem,
        Problem::NotCap { .. }
    ));
}
