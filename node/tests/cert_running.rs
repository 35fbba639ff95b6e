//! Certificates without downtime, through the `liandong` binary: `cert
//! request`, `issue`, `install` and `requests` against posts whose `liandong
//! run` holds the store; and a newcomer's request handed over the network
//! (`/liandong/cert-request/1`), issued at the parent, collected by the
//! newcomer — by its running node on its own, or by `cert install
//! --from-network` — after which the parent admits it.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::certs::{Net, liandong, node_id, ok_json, s, stderr};
use common::running::{Running, run_node};
use serde_json::Value;

/// Waits for `check` to hold, up to `secs`, asking every 200 ms.
fn wait_for(what: &str, secs: u64, mut check: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("{what}: not within {secs} s");
}

/// The running post's address for other posts, with its peer id.
fn address(dir: &Path) -> String {
    let info: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("node.json")).expect("node.json of the running post"),
    )
    .expect("node.json");
    info["listen"]
        .as_array()
        .and_then(|l| {
            l.iter()
                .filter_map(Value::as_str)
                .find(|a| a.contains("/tcp/"))
        })
        .expect("a tcp listen address")
        .to_string()
}

fn status_of<'a>(tree: &'a Value, node: &str) -> Option<&'a str> {
    tree["tree"]
        .as_array()?
        .iter()
        .find(|r| r["node"] == node)?["status"]
        .as_str()
}

/// `cert request`, `issue` and `install` work while both posts run: the
/// same refusals (exit 2 for a region other than requested), the same
/// files, the certificate in force at both.
#[test]
fn request_issue_and_install_work_against_running_posts() {
    let net = Net::new();
    let county = net.join("county", "沙湾市应急管理局", "county", "654203");
    let county_id = node_id(&county);
    let _root_running: Running = run_node(&net.root);
    let _county_running: Running = run_node(&county);

    // The request needs the key and the ledger: the running node signs it.
    let req = net.path("county.req");
    let r = ok_json(liandong(
        &county,
        &["cert", "request", "-o", s(&req), "--json"],
    ));
    assert_eq!(r["node_id"], county_id.as_str());
    assert!(req.exists());

    let cert = net.path("county.cert");
    let issue =
        |region: &str, extra: &[&str]| net.issue(&net.root, &req, "county", region, &cert, extra);
    let o = issue("654202", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert!(!cert.exists(), "nothing written when refused");

    let issued = ok_json(issue("654203", &["--json"]));
    assert_eq!(issued["subject"], county_id.as_str());
    assert_eq!(issued["differs_from_request"], false);
    assert!(cert.exists());
    let root_tree = ok_json(liandong(&net.root, &["cert", "list", "--json"]));
    assert_eq!(status_of(&root_tree, &county_id), Some("valid"));

    let installed = ok_json(liandong(&county, &["cert", "install", s(&cert), "--json"]));
    assert_eq!(installed["region"], "654203");
    let county_tree = ok_json(liandong(&county, &["cert", "list", "--json"]));
    assert_eq!(status_of(&county_tree, &county_id), Some("valid"));

    // A file for another post is refused by the running node as locally.
    let other = net.join("other", "别处", "county", "654202");
    let o = liandong(&other, &["cert", "install", s(&cert)]);
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
}

/// The whole network path: the newcomer (running, not admitted) hands its
/// request to the parent, the parent lists and issues it, the newcomer's
/// node collects and installs it by itself and is then admitted — its
/// entries reach the parent. A second newcomer, not running, does the same
/// with `--send` and `cert install --from-network`.
#[test]
fn a_request_handed_over_the_network_comes_back_as_a_certificate() {
    let net = Net::new();
    let county = net.join("county", "沙湾市应急管理局", "county", "654203");
    let township = net.join("township", "西戈壁镇应急办", "township", "654203106");
    let county_id = node_id(&county);
    let township_id = node_id(&township);
    let root_running = run_node(&net.root);
    let parent = address(&net.root);
    let county_running = run_node(&county);
    let issue_queued = |id: &str, level: &str, region: &str, extra: &[&str]| {
        let mut args = vec![
            "cert",
            "issue",
            "--request",
            id,
            "--level",
            level,
            "--region",
            region,
        ];
        args.extend_from_slice(extra);
        liandong(&net.root, &args)
    };

    let sent = ok_json(liandong(
        &county,
        &["cert", "request", "--send", &parent, "--json"],
    ));
    assert_eq!(sent["sent"]["answer"], "received", "{sent}");
    assert_eq!(
        sent["file"],
        Value::Null,
        "--send writes no file unless asked"
    );

    // The stopped township hands over its request by a short-lived link.
    let sent = ok_json(liandong(
        &township,
        &["cert", "request", "--send", &parent, "--json"],
    ));
    assert_eq!(sent["sent"]["answer"], "received", "{sent}");
    let o = liandong(&township, &["cert", "install", "--from-network"]);
    assert_eq!(o.status.code(), Some(1), "not issued yet: {}", stderr(&o));
    assert!(stderr(&o).contains("not issued yet"), "{}", stderr(&o));

    let waiting = ok_json(liandong(&net.root, &["cert", "requests", "--json"]));
    let rows = waiting.as_array().expect("rows");
    assert_eq!(rows.len(), 2, "{waiting}");
    let county_row = rows
        .iter()
        .find(|r| r["node"] == county_id.as_str())
        .expect("the county's request");
    assert_eq!(county_row["status"], "pending");
    assert_eq!(county_row["level"], "county");
    assert_eq!(county_row["region"], "654203");
    assert_eq!(county_row["source"], "127.0.0.1");

    // Issued by its id; the region must match the request, as for a file.
    let o = issue_queued(&county_id[..8], "county", "654202", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = issue_queued("ffffffff", "county", "654203", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&county_id[..8]),
        "lists the waiting: {}",
        stderr(&o)
    );
    let issued = ok_json(issue_queued(
        &county_id[..8],
        "county",
        "654203",
        &["--json"],
    ));
    assert_eq!(issued["subject"], county_id.as_str());
    assert_eq!(issued["file"], Value::Null);

    // The running county collects and installs it by itself …
    wait_for("the county installs its certificate", 90, || {
        let tree = ok_json(liandong(&county, &["cert", "list", "--json"]));
        status_of(&tree, &county_id) == Some("valid")
    });
    // … and is admitted: the parent knows it from its hello, and its
    // entries count there.
    wait_for("the parent admits the county", 60, || {
        let status = ok_json(liandong(&net.root, &["status", "--json"]));
        status["peer_list"]
            .as_array()
            .is_some_and(|l| l.iter().any(|p| p["node_id"] == county_id.as_str()))
    });
    ok_json(liandong(
        &county,
        &["note", "add", "入网后第一条", "--json"],
    ));
    wait_for("the county's note reaches the parent", 60, || {
        let log = ok_json(liandong(&net.root, &["log", "--kind", "note", "--json"]));
        log.as_array().is_some_and(|l| {
            l.iter().any(|r| {
                r["summary"]
                    .as_str()
                    .is_some_and(|t| t.contains("入网后第一条"))
            })
        })
    });
    let rows = ok_json(liandong(&net.root, &["cert", "requests", "--json"]));
    let county_row = rows
        .as_array()
        .and_then(|r| r.iter().find(|r| r["node"] == county_id.as_str()).cloned())
        .expect("kept as issued");
    assert_eq!(county_row["status"], "issued");

    // The stopped township collects its own when it asks.
    ok_json(issue_queued(
        &township_id[..8],
        "township",
        "654203106",
        &["--json"],
    ));
    let got = ok_json(liandong(
        &township,
        &["cert", "install", "--from-network", "--json"],
    ));
    assert_eq!(got["installed"]["region"], "654203106", "{got}");
    let tree = ok_json(liandong(&township, &["cert", "list", "--json"]));
    assert_eq!(status_of(&tree, &township_id), Some("valid"));
    drop(county_running);
    drop(root_running);
}
