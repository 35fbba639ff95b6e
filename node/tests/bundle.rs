//! Bundles between two posts that never connect: round trip, idempotence,
//! and refusal of tampered, truncated and foreign files.

use std::path::Path;
use std::process::{Command, Output};

fn liandong(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liandong"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .expect("run liandong")
}

fn ok_json(o: Output) -> serde_json::Value {
    assert!(
        o.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("json")
}

fn init(dir: &Path, name: &str, level: &str, region: &str, network: &str) {
    let o = liandong(
        dir,
        &[
            "init",
            "--name",
            name,
            "--level",
            level,
            "--region",
            region,
            "--network",
            network,
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

struct Pair {
    _tmp: tempfile::TempDir,
    village: std::path::PathBuf,
    county: std::path::PathBuf,
    file: std::path::PathBuf,
}

/// A village with three notes exports a bundle for its county.
fn exported() -> Pair {
    let tmp = tempfile::tempdir().expect("tempdir");
    let village = tmp.path().join("village");
    let county = tmp.path().join("county");
    init(&village, "西戈壁村", "village", "654203106201", "flood-net");
    init(&county, "沙湾市", "county", "654203", "flood-net");
    for text in ["河水漫堤", "转移 12 户", "道路中断"] {
        ok_json(liandong(&village, &["note", "add", text, "--json"]));
    }
    let file = tmp.path().join("usb").join("village.bundle");
    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    let summary = ok_json(liandong(
        &village,
        &[
            "bundle",
            "export",
            "-o",
            file.to_str().expect("utf8"),
            "--json",
        ],
    ));
    assert_eq!(summary["entries"], 4, "profile + 3 notes");
    Pair {
        _tmp: tmp,
        village,
        county,
        file,
    }
}

fn digest(dir: &Path, scope: &str) -> String {
    let log = ok_json(liandong(dir, &["log", "--scope", scope, "--json"]));
    let mut ids: Vec<String> = log
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_string())
        .collect();
    ids.sort();
    ids.join(",")
}

#[test]
fn round_trip_and_idempotent() {
    let p = exported();
    let file = p.file.to_str().expect("utf8");
    let first = ok_json(liandong(&p.county, &["bundle", "import", file, "--json"]));
    assert_eq!(first["added"], 4);
    assert_eq!(first["rejected"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        digest(&p.county, "654203106201"),
        digest(&p.village, "654203106201")
    );
    let again = ok_json(liandong(&p.county, &["bundle", "import", file, "--json"]));
    assert_eq!(again["added"], 0);
    assert_eq!(again["duplicate"], 4);
}

#[test]
fn tampered_bundle_is_refused_whole() {
    let p = exported();
    let mut bytes = std::fs::read(&p.file).expect("read");
    let last = bytes.len() - 10;
    bytes[last] ^= 0x40;
    std::fs::write(&p.file, &bytes).expect("write");
    let o = liandong(
        &p.county,
        &["bundle", "import", p.file.to_str().expect("utf8")],
    );
    assert_eq!(o.status.code(), Some(6));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("altered"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(digest(&p.county, "654203106201"), "", "nothing imported");
}

#[test]
fn truncated_bundle_is_refused_whole() {
    let p = exported();
    let bytes = std::fs::read(&p.file).expect("read");
    for cut in [1, 30, bytes.len() / 2] {
        std::fs::write(&p.file, &bytes[..bytes.len() - cut]).expect("write");
        let o = liandong(
            &p.county,
            &["bundle", "import", p.file.to_str().expect("utf8")],
        );
        assert_eq!(o.status.code(), Some(6), "cut {cut}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("truncated"),
            "cut {cut}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert_eq!(digest(&p.county, "654203106201"), "");
}

#[test]
fn foreign_and_non_bundles_are_refused() {
    let p = exported();
    let stranger = p.village.parent().expect("tmp").join("stranger");
    init(&stranger, "别处", "county", "110101", "another-net");
    let o = liandong(
        &stranger,
        &["bundle", "import", p.file.to_str().expect("utf8")],
    );
    assert_eq!(o.status.code(), Some(6));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not this network"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let junk = p.file.with_file_name("junk.bundle");
    std::fs::write(&junk, b"PK\x03\x04 a zip file, not a bundle").expect("write");
    let o = liandong(
        &p.county,
        &["bundle", "import", junk.to_str().expect("utf8")],
    );
    assert_eq!(o.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a liandong bundle"));
}

#[test]
fn out_of_scope_entries_are_not_stored() {
    let p = exported();
    // A village in another county receives the bundle: valid, but not its business.
    let other = p.village.parent().expect("tmp").join("other-village");
    init(&other, "别村", "village", "654202100201", "flood-net");
    let summary = ok_json(liandong(
        &other,
        &["bundle", "import", p.file.to_str().expect("utf8"), "--json"],
    ));
    assert_eq!(summary["added"], 0);
    assert_eq!(summary["out_of_scope"], 4);
}
