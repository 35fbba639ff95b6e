//! Restricted entries (受限信息) through the `liandong` binary, offline and
//! carried by bundles: `key rotate` announces a key; `note add` and
//! `incident report` take `--restrict-to`; `log` and `board restricted`
//! show the writer the entry and a post outside the audience only a
//! placeholder; a bad audience or a kind that is always public is refused.

mod common;

use common::certs::{Net, liandong, node_id, ok_json, s, stderr};

const SECRET: &str = "伤亡名单：王某某（重伤）";
const TITLE: &str = "危化品仓库泄漏";

#[test]
fn restricted_writes_read_and_refuse_from_the_cli() {
    let net = Net::new();
    let county = net.join("county", "沙湾市应急管理局", "county", "654203");
    let township = net.join("township", "西戈壁镇应急办", "township", "654203106");
    let village = net.join("village", "西戈壁村村委会", "village", "654203106201");
    let req = net.request(&county);
    let cert = net.path("county.cert");
    ok_json(net.issue(
        &net.root,
        &req,
        "county",
        "654203",
        &cert,
        &["--can-certify", "--json"],
    ));
    ok_json(liandong(&county, &["cert", "install", s(&cert), "--json"]));
    net.certify(&county, &township, "township", "654203106");
    net.certify(&county, &village, "village", "654203106201");

    // Keys are announced at a node's start, or by `key rotate`.
    let shown = ok_json(liandong(&township, &["key", "show", "--json"]));
    assert_eq!(shown["number"], 1);
    let rotated = ok_json(liandong(&township, &["key", "rotate", "--json"]));
    assert_eq!(rotated["number"], 2);
    assert_eq!(rotated["keys_kept"], 2);
    assert_eq!(rotated["announced"], true);
    net.carry(&township, &county);

    // Refused: nobody else could read it (the village, the only post
    // named, announced no key), a malformed audience, a kind that is
    // always public.
    let only_village = format!("posts:{}", node_id(&village));
    let lonely = liandong(
        &county,
        &["note", "add", "x", "--restrict-to", &only_village],
    );
    assert!(!lonely.status.success());
    assert!(
        stderr(&lonely).contains("no other post"),
        "{}",
        stderr(&lonely)
    );
    let bad = liandong(&county, &["note", "add", "x", "--restrict-to", "county"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("--restrict-to"), "{}", stderr(&bad));

    // Written restricted: the writer reads its own entries.
    let note = ok_json(liandong(
        &county,
        &[
            "note",
            "add",
            SECRET,
            "--restrict-to",
            "region:654203:township",
            "--json",
        ],
    ));
    assert_eq!(note["restricted"]["readable"], true);
    assert_eq!(note["restricted"]["recipients"], 2);
    let report = ok_json(liandong(
        &county,
        &[
            "incident",
            "report",
            "--title",
            TITLE,
            "--event",
            "水旱灾害",
            "--severity",
            "IV",
            "--region",
            "654203",
            "--restrict-to",
            "region:654203:township",
            "--json",
        ],
    ));
    assert!(
        report["summary"]
            .as_str()
            .is_some_and(|t| t.contains(TITLE))
    );
    // A response decision is always public: every post must act on it.
    let incident = report["id"].as_str().expect("id");
    let public = liandong(
        &county,
        &[
            "response",
            "activate",
            "--incident",
            incident,
            "--level",
            "IV",
            "--lead-hq",
            "沙湾市防汛抗旱指挥部",
            "--restrict-to",
            "region:654203:township",
        ],
    );
    assert!(!public.status.success());
    assert!(
        stderr(&public).contains("cannot be restricted"),
        "{}",
        stderr(&public)
    );
    let board = ok_json(liandong(&county, &["board", "restricted", "--json"]));
    assert_eq!(board.as_array().map(Vec::len), Some(2));
    let incidents = ok_json(liandong(&county, &["board", "incidents", "--json"]));
    assert!(
        incidents.to_string().contains(TITLE),
        "the writer's views fold it"
    );

    // The village holds both (by bundle) and reads neither.
    net.carry(&county, &village);
    let rows = ok_json(liandong(&village, &["board", "restricted", "--json"]));
    let rows = rows.as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    for row in rows {
        assert_eq!(row["restricted"]["readable"], false);
        assert!(
            row["summary"]
                .as_str()
                .is_some_and(|t| t.contains("受限信息"))
        );
    }
    let all = liandong(&village, &["log", "--json"]);
    let text = String::from_utf8_lossy(&all.stdout);
    assert!(!text.contains(SECRET) && !text.contains(TITLE), "{text}");
    let views = ok_json(liandong(&village, &["board", "incidents", "--json"]));
    assert!(!views.to_string().contains(TITLE));

    // The township (audience) reads both after a bundle from the village,
    // which could not read them.
    net.carry(&village, &township);
    let rows = ok_json(liandong(&township, &["board", "restricted", "--json"]));
    let readable = rows
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["restricted"]["readable"] == true)
        .count();
    assert_eq!(readable, 2);
    let incidents = ok_json(liandong(&township, &["board", "incidents", "--json"]));
    assert!(incidents.to_string().contains(TITLE));
    let table = liandong(&township, &["log", "--kind", "restricted"]);
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("受限") && table.contains(SECRET), "{table}");
}
