//! The trust layer through the `liandong` binary: a genesis at the root,
//! certificates carried between data directories as files, and admission
//! of bundles (uncertified authors, revoked keys, a revocation that
//! arrives after the entries it voids).

mod common;

use std::path::{Path, PathBuf};

use common::certs::{Net, liandong, node_id, ok_json, s, stderr};
use serde_json::Value;

/// What this file's tests do with the shared network (`common::certs`):
/// certificates with extra flags, checked as issued and installed, and
/// bundles carried and refused.
trait TrustNet {
    fn certify_with(&self, parent: &Path, child: &Path, level: &str, region: &str, extra: &[&str]);
    fn bundle(&self, from: &Path, name: &str, extra: &[&str]) -> PathBuf;
    fn import(&self, into: &Path, file: &Path) -> Value;
    fn import_refused(&self, into: &Path, file: &Path) -> Value;
}

impl TrustNet for Net {
    /// request → issue at `parent` → install at `child`.
    fn certify_with(&self, parent: &Path, child: &Path, level: &str, region: &str, extra: &[&str]) {
        let name = child.file_name().and_then(|n| n.to_str()).expect("name");
        let req = self.request(child);
        let cert = self.path(&format!("{name}.cert"));
        let extra = [extra, &["--json"]].concat();
        let issued = ok_json(self.issue(parent, &req, level, region, &cert, &extra));
        assert_eq!(issued["region"], region);
        let installed = ok_json(liandong(child, &["cert", "install", s(&cert), "--json"]));
        assert_eq!(installed["region"], region);
    }

    fn bundle(&self, from: &Path, name: &str, extra: &[&str]) -> PathBuf {
        let file = self.path(name);
        let mut args = vec!["bundle", "export", "-o", s(&file), "--json"];
        args.extend_from_slice(extra);
        ok_json(liandong(from, &args));
        file
    }

    fn import(&self, into: &Path, file: &Path) -> Value {
        ok_json(liandong(into, &["bundle", "import", s(file), "--json"]))
    }

    /// An import that takes nothing new and refuses something: exit code 6,
    /// the summary still on stdout, the refusals counted on stderr.
    fn import_refused(&self, into: &Path, file: &Path) -> Value {
        let o = liandong(into, &["bundle", "import", s(file), "--json"]);
        assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
        assert!(stderr(&o).contains("nothing imported"), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).expect("json on stdout")
    }
}

fn note(dir: &Path, text: &str) -> Value {
    ok_json(liandong(dir, &["note", "add", text, "--json"]))
}

/// The log rows of notes with `text`, at `dir`.
fn notes_with(dir: &Path, text: &str) -> Vec<Value> {
    ok_json(liandong(dir, &["log", "--kind", "note", "--json"]))
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| r["summary"].as_str().is_some_and(|t| t.contains(text)))
        .cloned()
        .collect()
}

#[test]
fn genesis_request_issue_install_across_three_posts() {
    let net = Net::new();
    let province = net.join("province", "新疆应急管理厅", "province", "65");
    net.certify_with(&net.root, &province, "province", "65", &["--can-certify"]);
    let county = net.join("county", "沙湾市应急管理局", "county", "654203");
    net.certify_with(
        &province,
        &county,
        "county",
        "654203",
        &["--can-certify", "--roles", "warning_issuer"],
    );

    // Every post is in the same network.
    let id = |dir: &Path| ok_json(liandong(dir, &["id", "--json"]))["network_id"].clone();
    assert_eq!(id(&county), id(&net.root));
    assert_eq!(id(&province), id(&net.root));

    // The county holds the whole chain to the root.
    let list = ok_json(liandong(&county, &["cert", "list", "--json"]));
    let tree = list["tree"].as_array().expect("tree");
    let depths: Vec<u64> = tree
        .iter()
        .map(|r| r["depth"].as_u64().expect("d"))
        .collect();
    assert_eq!(depths, [0, 1, 2]);
    assert!(tree.iter().all(|r| r["status"] == "valid"), "{tree:?}");
    assert_eq!(tree[2]["roles"][0], "warning_issuer");

    // A member unit of the county: its weather bureau, a warning issuer.
    let weather = net.path("weather");
    let genesis_file = net.root.join("genesis.bin");
    ok_json(liandong(
        &weather,
        &[
            "init",
            "--genesis",
            s(&genesis_file),
            "--name",
            "沙湾市气象局",
            "--level",
            "county",
            "--region",
            "654203",
            "--unit-type",
            "weather",
            "--json",
        ],
    ));
    net.certify_with(
        &county,
        &weather,
        "county",
        "654203",
        &["--roles", "warning_issuer"],
    );
    let list = ok_json(liandong(&weather, &["cert", "list", "--json"]));
    let unit = list["tree"]
        .as_array()
        .expect("tree")
        .iter()
        .find(|r| r["name"] == "沙湾市气象局")
        .cloned()
        .expect("weather row");
    assert_eq!(
        (unit["depth"].as_u64(), unit["status"].as_str()),
        (Some(3), Some("valid"))
    );
    assert_eq!(unit["unit_type"], "气象");
    assert_eq!(unit["roles"][0], "warning_issuer");
    assert_eq!(unit["can_certify"], false);

    // The genesis file reads the same anywhere.
    let shown = ok_json(liandong(
        &county,
        &["genesis", "show", "--file", s(&genesis_file), "--json"],
    ));
    assert_eq!(shown["network_id"], id(&net.root));

    // The county's entries — its profile from before it was certified
    // included — reach the province by USB stick and are accepted there.
    note(&county, "河水漫堤");
    let file = net.bundle(&county, "county.bundle", &[]);
    let summary = net.import(&province, &file);
    assert_eq!(
        summary["refused"].as_array().map(Vec::len),
        Some(0),
        "{summary}"
    );
    assert_eq!(summary["rejected"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        summary["added"], 3,
        "the county's profile, its note and the weather bureau's certificate: {summary}"
    );

    // A post cannot certify beyond its authority.
    let other = net.join("other", "乌苏市应急管理局", "county", "654202");
    let req = net.path("other.req");
    ok_json(liandong(
        &other,
        &["cert", "request", "-o", s(&req), "--json"],
    ));
    let o = liandong(
        &county,
        &[
            "cert",
            "issue",
            s(&req),
            "--level",
            "county",
            "--region",
            "654202",
            "-o",
            s(&net.path("other.cert")),
        ],
    );
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("只能为本辖区下级签发证书"),
        "{}",
        stderr(&o)
    );
    // Nor can an uncertified post certify anyone.
    let o = liandong(
        &other,
        &[
            "cert",
            "issue",
            s(&req),
            "--level",
            "county",
            "--region",
            "654202",
            "-o",
            s(&net.path("x.cert")),
        ],
    );
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    assert!(stderr(&o).contains("未经本网络认证"), "{}", stderr(&o));

    // A certificate file is for one post only.
    let o = liandong(&other, &["cert", "install", s(&net.path("county.cert"))]);
    assert_eq!(o.status.code(), Some(6));
    assert!(stderr(&o).contains("another post"), "{}", stderr(&o));
}

#[test]
fn an_uncertified_authors_bundle_is_refused() {
    let net = Net::new();
    let newcomer = net.join("newcomer", "西戈壁镇", "township", "654203106");
    note(&newcomer, "镇区积水 30 厘米");
    // The newcomer keeps its own entries.
    assert_eq!(notes_with(&newcomer, "积水").len(), 1);
    let file = net.bundle(&newcomer, "newcomer.bundle", &[]);
    let summary = net.import_refused(&net.root, &file);
    assert_eq!(summary["added"], 0, "{summary}");
    let refused = summary["refused"].as_array().expect("refused");
    assert_eq!(refused.len(), 2, "profile and note: {summary}");
    assert!(
        refused.iter().all(|r| r["reason"]
            .as_str()
            .is_some_and(|t| t.contains("not certified") || t.contains("holds no certificate"))),
        "{summary}"
    );
    assert!(notes_with(&net.root, "积水").is_empty());
}

#[test]
fn a_revoked_keys_later_entries_are_refused_and_voided() {
    let net = Net::new();
    let province = net.join("province", "新疆应急管理厅", "province", "65");
    net.certify_with(&net.root, &province, "province", "65", &["--can-certify"]);
    let county = net.join("county", "沙湾市应急管理局", "county", "654203");
    net.certify_with(&net.root, &county, "county", "654203", &[]);

    note(&county, "撤离前");
    let before = net.bundle(&county, "before.bundle", &[]);
    assert_eq!(
        net.import(&net.root, &before)["refused"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );

    // The root revokes the county's key (by a unique prefix of it).
    let county_id = node_id(&county);
    ok_json(liandong(
        &net.root,
        &[
            "cert",
            "revoke",
            &county_id[..12],
            "--reason",
            "设备丢失 / box stolen",
            "--yes",
            "--json",
        ],
    ));
    note(&county, "撤离后");
    let after = net.bundle(&county, "after.bundle", &[]);

    // Before the revocation reaches it, the province accepts the later note
    // (it cannot know better) ...
    let at_province = net.import(&province, &after);
    assert_eq!(
        at_province["refused"].as_array().map(Vec::len),
        Some(0),
        "{at_province}"
    );
    assert!(notes_with(&province, "撤离后")[0].get("invalid").is_none());

    // ... the root, which revoked the key, refuses it on ingest ...
    let at_root = net.import_refused(&net.root, &after);
    let refused = at_root["refused"].as_array().expect("refused");
    assert_eq!(refused.len(), 1, "{at_root}");
    assert!(
        refused[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("revoked")),
        "{at_root}"
    );
    assert!(notes_with(&net.root, "撤离后").is_empty());
    assert_eq!(notes_with(&net.root, "撤离前").len(), 1);
    let list = ok_json(liandong(&net.root, &["cert", "list", "--json"]));
    let row = list["tree"]
        .as_array()
        .expect("tree")
        .iter()
        .find(|r| r["node"] == county_id.as_str())
        .cloned()
        .expect("county row");
    assert_eq!(row["status"], "revoked");

    // ... and once the revocation arrives at the province, the note it
    // already stored stays stored but no longer counts: voided, out of the
    // listings, shown as invalid evidence.
    let revocation = net.bundle(&net.root, "root.bundle", &["--scope", "65"]);
    net.import(&province, &revocation);
    assert!(
        notes_with(&province, "撤离后").is_empty(),
        "no longer counts"
    );
    let voided: Vec<Value> = ok_json(liandong(&province, &["log", "--voided", "--json"]))
        .as_array()
        .expect("array")
        .clone();
    assert_eq!(voided.len(), 1, "kept as evidence: {voided:?}");
    assert!(
        voided[0]["summary"]
            .as_str()
            .is_some_and(|t| t.contains("撤离后"))
            && voided[0]["invalid"]
                .as_str()
                .is_some_and(|r| r.contains("revoked")),
        "{voided:?}"
    );
    assert!(notes_with(&province, "撤离前")[0].get("invalid").is_none());
    let report = ok_json(liandong(&province, &["verify", "--json"]));
    assert_eq!(report["voided"]["revoked"], 1, "{report}");
    assert_eq!(report["problems"].as_array().map(Vec::len), Some(0));
}
