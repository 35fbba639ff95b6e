//! The `liandong` binary end to end: commands, exit codes, and clear
//! refusals of bad data directories.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn liandong(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liandong"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("LIANDONG_DATA_DIR")
        .output()
        .expect("run liandong")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn init(dir: &Path) {
    let o = liandong(
        dir,
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
    assert!(o.status.success(), "init failed: {}", stderr(&o));
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "command failed: {}", stderr(o));
    serde_json::from_slice(&o.stdout).expect("valid JSON on stdout")
}

#[test]
fn init_note_log_verify() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("post");
    init(&dir);
    let id = json(&liandong(&dir, &["id", "--json"]));
    assert_eq!(id["node_id"].as_str().map(str::len), Some(64));
    assert!(
        id["peer_id"]
            .as_str()
            .is_some_and(|p| p.starts_with("12D3KooW"))
    );
    assert_eq!(id["region"], "654203106");

    let note = json(&liandong(
        &dir,
        &["note", "add", "镇区积水 30 厘米", "--json"],
    ));
    assert_eq!(note["seq"], 2);
    assert_eq!(note["kind"], "note");
    assert_eq!(note["author_name"], "西戈壁镇应急办");
    let drill = json(&liandong(
        &dir,
        &[
            "note",
            "add",
            "演练：转移群众",
            "--status",
            "exercise",
            "--scope",
            "654203106201",
            "--json",
        ],
    ));
    assert_eq!(drill["status"], "exercise");
    assert_eq!(drill["scope"], "654203106201");

    let all = json(&liandong(&dir, &["log", "--json"]));
    assert_eq!(all.as_array().map(Vec::len), Some(3));
    let notes = json(&liandong(&dir, &["log", "--kind", "note", "--json"]));
    assert_eq!(notes.as_array().map(Vec::len), Some(2));
    assert_eq!(notes[0]["author_name"], "西戈壁镇应急办");
    let village = json(&liandong(
        &dir,
        &["log", "--scope", "654203106201", "--json"],
    ));
    assert_eq!(village.as_array().map(Vec::len), Some(1));
    let future = json(&liandong(&dir, &["log", "--since", "2999-01-01", "--json"]));
    assert_eq!(future.as_array().map(Vec::len), Some(0));
    let table = liandong(&dir, &["log"]);
    assert!(stdout(&table).contains("镇区积水"), "{}", stdout(&table));

    // --author takes the 8 characters listings show, as the full id does.
    let node_id = id["node_id"].as_str().expect("node id").to_string();
    for given in [&node_id[..8], &node_id[..13], node_id.as_str()] {
        let mine = json(&liandong(&dir, &["log", "--author", given, "--json"]));
        assert_eq!(mine.as_array().map(Vec::len), Some(3), "--author {given}");
    }
    let short = liandong(&dir, &["log", "--author", &node_id[..7]]);
    assert_eq!(short.status.code(), Some(2), "{}", stderr(&short));
    assert!(stderr(&short).contains("8"), "{}", stderr(&short));
    let stranger = if node_id.starts_with('0') {
        "11111111"
    } else {
        "00000000"
    };
    let none = liandong(&dir, &["log", "--author", stranger]);
    assert_eq!(none.status.code(), Some(2), "{}", stderr(&none));
    assert!(stderr(&none).contains(stranger), "{}", stderr(&none));

    let report = json(&liandong(&dir, &["verify", "--json"]));
    assert_eq!(report["entries"], 3);
    assert_eq!(report["valid"], 3);
    assert_eq!(report["problems"].as_array().map(Vec::len), Some(0));
}

#[test]
fn data_dir_from_environment() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("env-post");
    let o = Command::new(env!("CARGO_BIN_EXE_liandong"))
        .args([
            "init",
            "--name",
            "沙湾市",
            "--level",
            "county",
            "--region",
            "654203",
            "--json",
        ])
        .env("LIANDONG_DATA_DIR", &dir)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.join("secret.key").exists());
}

#[test]
fn init_never_overwrites() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("post");
    init(&dir);
    let key_before = std::fs::read(dir.join("secret.key")).expect("key");
    let o = liandong(
        &dir,
        &[
            "init", "--name", "x", "--level", "county", "--region", "654203",
        ],
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("never overwritten"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(dir.join("secret.key")).expect("key"),
        key_before
    );
}

#[test]
fn init_refuses_a_foreign_non_empty_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("thesis.docx"), b"precious").expect("write");
    let o = liandong(
        tmp.path(),
        &[
            "init", "--name", "x", "--level", "county", "--region", "654203",
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("not empty"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(tmp.path().join("thesis.docx")).expect("read"),
        b"precious"
    );
    assert!(!tmp.path().join("secret.key").exists());
}

#[test]
fn bad_arguments_are_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("post");
    let o = liandong(
        &dir,
        &[
            "init", "--name", "x", "--level", "county", "--region", "654200",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("zero-padded form of 6542"),
        "{}",
        stderr(&o)
    );
    let o = liandong(
        &dir,
        &[
            "init", "--name", "x", "--level", "city", "--region", "654203",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown level"), "{}", stderr(&o));
    // Level and region disagree: refused before anything is written.
    let o = liandong(
        &dir,
        &[
            "init", "--name", "x", "--level", "village", "--region", "654203",
        ],
    );
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    assert!(!dir.exists(), "nothing written on refusal");
    init(&dir);
    let o = liandong(&dir, &["note", "add", "   "]);
    assert_eq!(o.status.code(), Some(6));
    assert!(stderr(&o).contains("empty"), "{}", stderr(&o));
    let o = liandong(&dir, &["log", "--since", "yesterday-ish"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn uninitialised_missing_key_and_loose_permissions() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = liandong(&tmp.path().join("nothing"), &["log"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("liandong init"), "{}", stderr(&o));

    let dir = tmp.path().join("post");
    init(&dir);
    let key = dir.join("secret.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let o = liandong(&dir, &["note", "add", "x"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("chmod 600"), "{}", stderr(&o));
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("chmod");

    std::fs::rename(&key, dir.join("moved.key")).expect("move key");
    let o = liandong(&dir, &["log"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("no key file"), "{}", stderr(&o));
}

#[test]
fn corrupt_config_and_store_are_reported() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("post");
    init(&dir);
    let config = std::fs::read_to_string(dir.join("config.toml")).expect("config");
    std::fs::write(
        dir.join("config.toml"),
        config.replace("[post]", "[post]\nnmae = \"typo\""),
    )
    .expect("write");
    let o = liandong(&dir, &["log"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("nmae"), "{}", stderr(&o));
    std::fs::write(dir.join("config.toml"), config).expect("restore");

    let db = dir.join("store").join("db");
    let len = std::fs::metadata(&db).expect("db").len() as usize;
    std::fs::write(&db, vec![0x5A; len.max(4096)]).expect("corrupt");
    let o = liandong(&dir, &["log"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("store"), "{}", stderr(&o));
}

#[test]
fn a_running_writer_locks_the_store_for_others() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("post");
    init(&dir);
    let mut writer = Command::new(env!("CARGO_BIN_EXE_liandong"))
        .arg("--data-dir")
        .arg(&dir)
        .args(["bench", "store", "--entries", "100000000", "--print-acks"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn writer");
    let mut lines = BufReader::new(writer.stdout.take().expect("stdout")).lines();
    lines.next().expect("first ack").expect("read ack");
    let o = liandong(&dir, &["note", "add", "x"]);
    writer.kill().expect("kill");
    writer.wait().expect("wait");
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("in use by another liandong process"),
        "{}",
        stderr(&o)
    );
}

/// `liandong log | head -1`: the reader goes away; the command ends
/// without a panic (quietly, as other Unix tools do: SIGPIPE).
#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("post");
    init(&dir);
    // More output than a pipe holds, so the writer meets the closed end
    // whenever the reader leaves.
    let o = liandong(
        &dir,
        &["bench", "store", "--entries", "1500", "--batch", "100"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mut child = Command::new(env!("CARGO_BIN_EXE_liandong"))
        .arg("--data-dir")
        .arg(&dir)
        .arg("log")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn log");
    let mut first = [0u8; 64];
    let mut out = child.stdout.take().expect("stdout");
    out.read_exact(&mut first).expect("the first line arrives");
    drop(out);
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    let status = child.wait().expect("wait");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        status.success() || status.signal() == Some(13),
        "{status:?}: {err}"
    );
}

/// A log damaged where sled 0.34's recovery panics: exit code 4, the file
/// named, no panic text for the operator.
#[test]
fn a_log_that_makes_sled_panic_is_exit_4_with_the_file_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("post");
    init(&dir);
    let o = liandong(
        &dir,
        &["bench", "store", "--entries", "5000", "--batch", "50"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let db = dir.join("store").join("db");
    let mut bytes = std::fs::read(&db).expect("read");
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..50 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let at = (x % bytes.len() as u64) as usize;
        bytes[at] ^= (x >> 32) as u8 | 1;
    }
    std::fs::write(&db, &bytes).expect("write");
    for args in [&["log"][..], &["verify"], &["note", "add", "x"]] {
        let o = liandong(&dir, args);
        assert_eq!(o.status.code(), Some(4), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.contains(&db.display().to_string()), "{args:?}: {err}");
        assert!(err.contains("sled could not recover it"), "{args:?}: {err}");
    }
}

/// Any certified author can write text that the operator's terminal shows:
/// `log`, `board` and what a write answers must not pass an escape
/// sequence (clear the screen, move the cursor, retitle the window) or a
/// line break that fakes a line through to it.
#[test]
fn entry_text_cannot_drive_the_operators_terminal() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("post");
    init(&dir);
    let hostile =
        "\u{1b}[2J\u{1b}[1;1H\u{1b}]0;pwned\u{7}洪水\r\n2026-12-01 伪造 fake line\u{202e}";
    let written = liandong(&dir, &["note", "add", hostile]);
    assert!(written.status.success(), "{}", stderr(&written));
    let report = liandong(
        &dir,
        &[
            "incident",
            "report",
            "--title",
            hostile,
            "--event",
            "水旱灾害",
            "--severity",
            "IV",
            "--occurred",
            "40m",
            "--region",
            "654203106",
        ],
    );
    assert!(report.status.success(), "{}", stderr(&report));
    for shown in [
        written,
        report,
        liandong(&dir, &["log"]),
        liandong(&dir, &["board", "incidents"]),
    ] {
        let text = stdout(&shown);
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "control characters reach the terminal: {text:?}"
        );
        assert!(!text.contains("\n2026-12-01 伪造"), "a faked line: {text}");
    }
    let log = stdout(&liandong(&dir, &["log"]));
    assert!(
        log.contains("\\u{1b}[2J"),
        "the escape is shown, not obeyed: {log}"
    );
    // JSON keeps the text exactly (escaped by JSON itself).
    let rows = json(&liandong(&dir, &["log", "--kind", "note", "--json"]));
    assert_eq!(rows[0]["body"]["text"], hostile);
}
