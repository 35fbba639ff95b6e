//! Destructive certificate acts through the `liandong` binary: `cert
//! revoke` previews who is revoked, from when and what it voids here, and
//! acts only with `--yes`; a mistyped id revokes nobody; `cert issue`
//! refuses a level or region other than requested unless `--force`.

mod common;

use std::path::Path;

use common::certs::{Net, liandong, liandong_skewed, node_id, ok_json, s, stderr, stdout};
use serde_json::Value;

/// How far ahead the county's clock runs when it writes "later" entries:
/// inside the network's future window (10 minutes), so peers store them,
/// and far enough that they lie after a revocation written now.
const AHEAD_MS: &str = "300000";

fn notes_with(dir: &Path, text: &str) -> usize {
    ok_json(liandong(dir, &["log", "--kind", "note", "--json"]))
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| r["summary"].as_str().is_some_and(|t| t.contains(text)))
        .count()
}

fn county_row(root: &Path, county: &str) -> Value {
    ok_json(liandong(root, &["cert", "list", "--json"]))["tree"]
        .as_array()
        .expect("tree")
        .iter()
        .find(|r| r["node"] == county)
        .cloned()
        .expect("county row")
}

#[test]
fn revoke_previews_what_it_voids_and_acts_only_with_yes() {
    let net = Net::new();
    let county = net.join("county", "沙湾市应急管理局", "county", "654203");
    net.certify(&net.root, &county, "county", "654203");
    let county_id = node_id(&county);

    // One note before the revocation's time, three after it (the county's
    // clock runs ahead, as a post cut off with a drifting clock would):
    // the root holds all four.
    ok_json(liandong(&county, &["note", "add", "撤离前", "--json"]));
    for i in 0..3 {
        ok_json(liandong_skewed(
            &county,
            &["note", "add", &format!("撤离后 {i}"), "--json"],
            Some(AHEAD_MS),
        ));
    }
    net.carry(&county, &net.root);
    assert_eq!(notes_with(&net.root, "撤离后"), 3);

    // Without --yes: the preview, exit 2, and nothing changes.
    let revoke = ["cert", "revoke", &county_id[..10], "--reason", "误操作测试"];
    let o = liandong(&net.root, &revoke);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not done: add --yes"), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("沙湾市应急管理局")
            && text.contains("县级")
            && text.contains("654203")
            && text.contains(&county_id[..8]),
        "who: {text}"
    );
    assert!(text.contains("生效时间 / effective"), "since when: {text}");
    // The post's clock observed the later notes, so a revocation written
    // here orders after them: it voids nothing here, and says so.
    assert!(text.contains("voided here: 0 条"), "how many: {text}");

    let mut args = revoke.to_vec();
    args.push("--json");
    let o = liandong(&net.root, &args);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let preview: Value = serde_json::from_slice(&o.stdout).expect("json preview");
    assert_eq!(preview["done"], false);
    let p = &preview["preview"];
    assert_eq!(p["subject"], county_id.as_str());
    assert_eq!(p["name"], "沙湾市应急管理局");
    assert_eq!(p["region"], "654203");
    assert_eq!(p["voids"], 0, "{p}");
    assert_eq!(p["voids_by_author"].as_array().map(Vec::len), Some(0));
    let kept = p["subject_entries_kept"].as_u64().expect("kept");
    assert!(kept >= 4, "the four notes at least: {p}");
    assert!(p["subject_last_entry"].is_string());
    assert!(p["effective_ms"].as_u64().is_some_and(|ms| ms > 0));
    assert!(p["already_revoked_since"].is_null());

    assert_eq!(county_row(&net.root, &county_id)["status"], "valid");
    let list = ok_json(liandong(&net.root, &["cert", "list", "--json"]));
    assert_eq!(list["revocations"].as_array().map(Vec::len), Some(0));
    assert_eq!(notes_with(&net.root, "撤离后"), 3);
    let voided = ok_json(liandong(&net.root, &["log", "--voided", "--json"]));
    assert_eq!(voided.as_array().map(Vec::len), Some(0));

    // A mistyped id revokes nobody, and names the keys it could have meant.
    let o = liandong(
        &net.root,
        &["cert", "revoke", "deadbeef00", "--reason", "x", "--yes"],
    );
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("candidates") && err.contains(&county_id[..8]) && err.contains("沙湾市"),
        "{err}"
    );
    let o = liandong(
        &net.root,
        &["cert", "revoke", "xyz", "--reason", "x", "--yes"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains(&county_id[..8]), "{}", stderr(&o));
    assert_eq!(county_row(&net.root, &county_id)["status"], "valid");

    // With --yes: revoked, voiding what the preview said (nothing here),
    // and from then on the county's entries are refused here.
    args.push("--yes");
    let done = ok_json(liandong(&net.root, &args));
    assert_eq!(done["done"], true);
    assert_eq!(done["voided"], p["voids"], "{done}");
    // (Its status reads `revoked` only from the revocation's time, which
    // the county's fast clock pushed a few minutes ahead.)
    let list = ok_json(liandong(&net.root, &["cert", "list", "--json"]));
    let revocations = list["revocations"].as_array().expect("revocations");
    assert_eq!(revocations.len(), 1, "{list}");
    assert_eq!(revocations[0]["counts"], true);
    assert_eq!(notes_with(&net.root, "撤离后"), 3);
    assert_eq!(notes_with(&net.root, "撤离前"), 1);
    let voided = ok_json(liandong(&net.root, &["log", "--voided", "--json"]));
    assert_eq!(voided.as_array().map(Vec::len), Some(0), "{voided}");
    ok_json(liandong_skewed(
        &county,
        &["note", "add", "吊销后", "--json"],
        Some("480000"),
    ));
    let file = net.path("after.bundle");
    ok_json(liandong(
        &county,
        &["bundle", "export", "-o", s(&file), "--json"],
    ));
    let o = liandong(&net.root, &["bundle", "import", s(&file), "--json"]);
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    assert_eq!(notes_with(&net.root, "吊销后"), 0);

    // Revoking it again voids nothing more, and says so.
    let o = liandong(&net.root, &revoke);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("already revoked") && text.contains("voided here: 0 条"),
        "{text}"
    );
}

#[test]
fn issue_for_another_region_than_requested_needs_force() {
    let net = Net::new();
    let township = net.join("township", "西戈壁镇应急办", "township", "654203106");
    let req = net.request(&township);
    let cert = net.path("township.cert");
    let issue = |extra: &[&str]| {
        let mut args = vec![
            "cert",
            "issue",
            s(&req),
            "--level",
            "township",
            "--region",
            "654203107",
            "-o",
            s(&cert),
        ];
        args.extend_from_slice(extra);
        liandong(&net.root, &args)
    };

    let o = issue(&[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("654203106") && err.contains("654203107") && err.contains("--force"),
        "{err}"
    );
    assert!(!cert.exists(), "nothing written when refused");
    let list = ok_json(liandong(&net.root, &["cert", "list", "--json"]));
    assert_eq!(list["tree"].as_array().map(Vec::len), Some(1), "{list}");

    let o = issue(&["--force", "--json"]);
    let issued = ok_json(o);
    assert_eq!(issued["region"], "654203107");
    assert_eq!(issued["differs_from_request"], true);
    assert!(cert.exists());

    // The level differing is refused the same way.
    let o = liandong(
        &net.root,
        &[
            "cert",
            "issue",
            s(&req),
            "--level",
            "county",
            "--region",
            "654203",
            "-o",
            s(&net.path("county.cert")),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
}

/// docs/trust.md's recovery, step by step: the revoked key stays revoked
/// (re-certifying it is refused), a new key with a new certificate writes
/// again, and what the old key wrote before the revocation still counts.
#[test]
fn a_mistaken_revocation_is_repaired_with_a_new_key() {
    let net = Net::new();
    let county = net.join("county", "沙湾市应急管理局", "county", "654203");
    net.certify(&net.root, &county, "county", "654203");
    let county_id = node_id(&county);
    ok_json(liandong(&county, &["note", "add", "吊销前", "--json"]));
    net.carry(&county, &net.root);
    ok_json(liandong(
        &net.root,
        &[
            "cert",
            "revoke",
            &county_id[..8],
            "--reason",
            "误吊销",
            "--yes",
            "--json",
        ],
    ));

    // The old key cannot be certified again.
    let req = net.request(&county);
    let o = liandong(
        &net.root,
        &[
            "cert",
            "issue",
            s(&req),
            "--level",
            "county",
            "--region",
            "654203",
            "-o",
            s(&net.path("again.cert")),
        ],
    );
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    assert!(stderr(&o).contains("new key"), "{}", stderr(&o));

    // A new data directory (a new key) takes along what the post held,
    // and is certified like a newcomer.
    let renewed = net.join("county2", "沙湾市应急管理局", "county", "654203");
    net.carry(&county, &renewed);
    net.certify(&net.root, &renewed, "county", "654203");
    assert_ne!(node_id(&renewed), county_id);
    ok_json(liandong(&renewed, &["note", "add", "换钥后", "--json"]));
    net.carry(&renewed, &net.root);
    assert_eq!(notes_with(&net.root, "换钥后"), 1);
    assert_eq!(
        notes_with(&net.root, "吊销前"),
        1,
        "written before: still counts"
    );
}

/// `cert list` and `cert revoke` while `liandong run` holds the store: the
/// running node previews and revokes, with the same refusals and exit codes.
#[test]
fn list_and_revoke_work_against_a_running_node() {
    let net = Net::new();
    let county = net.join("county", "沙湾市应急管理局", "county", "654203");
    net.certify(&net.root, &county, "county", "654203");
    let county_id = node_id(&county);
    ok_json(liandong(&county, &["note", "add", "运行中", "--json"]));
    net.carry(&county, &net.root);

    let _running = common::running::run_node(&net.root);
    assert_eq!(county_row(&net.root, &county_id)["status"], "valid");

    let o = liandong(
        &net.root,
        &["cert", "revoke", &county_id[..8], "--reason", "测试"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not done: add --yes"), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("沙湾市应急管理局") && text.contains("voided here: 0 条"),
        "{text}"
    );
    let list = ok_json(liandong(&net.root, &["cert", "list", "--json"]));
    assert_eq!(list["revocations"].as_array().map(Vec::len), Some(0));

    let o = liandong(
        &net.root,
        &["cert", "revoke", "deadbeef00", "--reason", "x", "--yes"],
    );
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    assert!(stderr(&o).contains(&county_id[..8]), "{}", stderr(&o));

    let done = ok_json(liandong(
        &net.root,
        &[
            "cert",
            "revoke",
            &county_id[..8],
            "--reason",
            "测试",
            "--yes",
            "--json",
        ],
    ));
    assert_eq!(done["done"], true);
    assert_eq!(done["voided"], 0);
    assert_eq!(done["preview"]["subject"], county_id.as_str());
    let list = ok_json(liandong(&net.root, &["cert", "list", "--json"]));
    let revocations = list["revocations"].as_array().expect("revocations");
    assert_eq!(revocations.len(), 1, "{list}");
    assert_eq!(revocations[0]["counts"], true);
    assert_eq!(county_row(&net.root, &county_id)["status"], "revoked");
}
