//! `liandong verify` checks what arrived since the last clean check and
//! says so; `--full` checks everything and finds damage in old entries.

use std::path::Path;
use std::process::{Command, Output};

fn liandong(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liandong"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("LIANDONG_DATA_DIR")
        .output()
        .expect("run liandong")
}

/// The JSON report, whether or not the check found problems.
fn report(dir: &Path, args: &[&str]) -> (bool, serde_json::Value) {
    let o = liandong(dir, args);
    let value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}): {}",
            String::from_utf8_lossy(&o.stderr)
        )
    });
    (o.status.success(), value)
}

fn note(dir: &Path, text: &str) {
    let o = liandong(dir, &["note", "add", text]);
    assert!(
        o.status.success(),
        "note add: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Flips one byte of the stored note whose text is `text` (found by its
/// bytes in whichever tree holds it, whatever the key layout).
fn damage(dir: &Path, text: &str) {
    let db = sled::open(dir.join("store")).expect("raw open");
    let needle = text.as_bytes();
    let mut damaged = 0;
    for name in db.tree_names() {
        let tree = db.open_tree(&name).expect("tree");
        let hits: Vec<_> = tree
            .iter()
            .filter_map(Result::ok)
            .filter_map(|(k, v)| {
                let at = v.windows(needle.len()).position(|w| w == needle)?;
                let mut v = v.to_vec();
                v[at] ^= 0x01;
                Some((k, v))
            })
            .collect();
        for (k, v) in hits {
            tree.insert(k, v).expect("write");
            damaged += 1;
        }
    }
    assert_eq!(damaged, 1, "exactly one stored row holds {text:?}");
    db.flush().expect("flush");
}

#[test]
fn verify_is_incremental_and_full_on_demand() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("post");
    let o = liandong(
        &dir,
        &[
            "init",
            "--name",
            "西戈壁镇应急办",
            "--level",
            "township",
            "--region",
            "654203106",
        ],
    );
    assert!(o.status.success());
    note(&dir, "old-entry-AAAA");
    note(&dir, "old-entry-BBBB");

    // No point recorded yet: everything (profile + 2 notes), and it says why.
    let (ok, first) = report(&dir, &["verify", "--json"]);
    assert!(ok, "{first}");
    assert_eq!(first["mode"], "full");
    assert_eq!(first["entries"], 3);
    assert!(
        first["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("no verified point")),
        "{first}"
    );

    // Then only what arrived since, and from which point.
    note(&dir, "new-entry-CCCC");
    note(&dir, "new-entry-DDDD");
    let (ok, second) = report(&dir, &["verify", "--json"]);
    assert!(ok, "{second}");
    assert_eq!(second["mode"], "incremental");
    assert_eq!(second["entries"], 2);
    assert_eq!(second["valid"], 2);
    assert_eq!(second["since"]["entries"], 3);
    let (ok, third) = report(&dir, &["verify", "--json"]);
    assert!(ok);
    assert_eq!(third["mode"], "incremental");
    assert_eq!(third["entries"], 0, "nothing new since the last check");

    // Bytes rot in an entry checked long ago: the default check does not
    // read it (and says it checked nothing new); --full finds it.
    damage(&dir, "old-entry-AAAA");
    let (ok, quick) = report(&dir, &["verify", "--json"]);
    assert!(ok, "{quick}");
    assert_eq!(quick["mode"], "incremental");
    assert_eq!(quick["entries"], 0);
    let (ok, full) = report(&dir, &["verify", "--full", "--json"]);
    assert!(!ok, "a damaged entry fails --full: {full}");
    assert_eq!(full["mode"], "full");
    assert_eq!(full["entries"], 5);
    assert_eq!(full["valid"], 4);
    assert_eq!(full["problems"].as_array().map(Vec::len), Some(1), "{full}");
    // A check with problems records no point: the next default check
    // starts from the last clean one.
    let (ok, after) = report(&dir, &["verify", "--json"]);
    assert!(ok);
    assert_eq!(after["since"]["entries"], 5);

    // The table says what was checked.
    let table = liandong(&dir, &["verify"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("since the check of"), "{text}");
}
