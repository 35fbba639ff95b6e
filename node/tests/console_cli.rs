//! `liandong run` with its console, and the other commands while it runs:
//! the console URL printed at start-up and reported by `status --json`,
//! and domain commands sent to the running node's API (the node holds the
//! store) — planned and checked by the same code, with the same exit codes.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;

fn liandong(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liandong"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("LIANDONG_DATA_DIR")
        .env_remove("LIANDONG_DEV_ROLES")
        .output()
        .expect("run liandong")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "command failed: {}", stderr(o));
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

/// Stops the node it started, politely (SIGTERM), when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let end = Instant::now() + Duration::from_secs(20);
        while Instant::now() < end {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A county post, initialised in `parent`.
fn county(parent: &Path) -> std::path::PathBuf {
    let dir = parent.join("county");
    let o = liandong(
        &dir,
        &[
            "init",
            "--name",
            "沙湾市",
            "--level",
            "county",
            "--region",
            "654203",
        ],
    );
    assert!(o.status.success(), "init: {}", stderr(&o));
    dir
}

/// A 首报 of a warehouse fire, as the CLI prints it in JSON.
fn report_fire(dir: &Path) -> serde_json::Value {
    json(&liandong(
        dir,
        &[
            "incident",
            "report",
            "--title",
            "仓库火灾",
            "--event",
            "fire",
            "--severity",
            "IV",
            "--json",
        ],
    ))
}

#[test]
fn commands_go_through_the_running_nodes_console() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = county(tmp.path());

    let mut child = Command::new(env!("CARGO_BIN_EXE_liandong"))
        .arg("--data-dir")
        .arg(&dir)
        .args([
            "run",
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--console",
            "127.0.0.1:0",
            "--no-mdns",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn run");
    let stdout = child.stdout.take().expect("stdout");
    let running = Running(child);
    // The console URL is printed at start-up.
    let mut console = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read");
        if let Some(url) = line.split("控制台").nth(1) {
            console = Some(url.trim_start_matches([' ', ':']).trim().to_string());
            break;
        }
    }
    let console = console.expect("console URL printed");
    assert!(console.starts_with("http://127.0.0.1:"), "{console}");

    // `status --json` reports it as `console`.
    let status = json(&liandong(&dir, &["status", "--json"]));
    assert_eq!(
        status["console"].as_str(),
        Some(console.as_str()),
        "{status}"
    );

    // A note through the running node answers with this post's name.
    let note = json(&liandong(&dir, &["note", "add", "值班交接", "--json"]));
    assert!(note["author_name"].is_string(), "{note}");

    // A 首报 through the running node, then the board from its views.
    let written = report_fire(&dir);
    let id = written["id"].as_str().expect("id").to_string();
    let board = json(&liandong(&dir, &["board", "incidents", "--json"]));
    assert_eq!(board["incidents"][0]["id"].as_str(), Some(id.as_str()));
    // A search through the node finds it by its title and event type; the
    // node sends only what it found, with the counts.
    let found = json(&liandong(
        &dir,
        &[
            "board",
            "incidents",
            "--search",
            "仓库 火灾",
            "--latest",
            "10",
            "--json",
        ],
    ));
    assert_eq!(found["incidents"][0]["id"].as_str(), Some(id.as_str()));
    assert_eq!(
        (found["open"].as_u64(), found["all"].as_u64()),
        (Some(1), Some(1))
    );
    let o = liandong(&dir, &["board", "incidents", "--search", "地震"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("找到 0 起"), "{table}");
    let o = liandong(&dir, &["board", "incidents", "--search", &"长".repeat(101)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("100"), "{}", stderr(&o));

    // Refusals keep their exit codes: input (2), rules and unknown ids (6).
    let o = liandong(
        &dir,
        &["incident", "report", "--event", "fire", "--severity", "IV"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("title"), "{}", stderr(&o));
    let o = liandong(&dir, &["incident", "update", "--incident", "abcdef12"]);
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("没有编号以 abcdef12 开头的事件"),
        "{}",
        stderr(&o)
    );
    let o = liandong(
        &dir,
        &[
            "response",
            "activate",
            "--incident",
            &id[..8],
            "--level",
            "I",
            "--lead-hq",
            "x",
        ],
    );
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));

    // A drill, written into and reviewed, all through the node.
    let drill = json(&liandong(
        &dir,
        &["drill", "start", "--name", "防汛演练", "--json"],
    ));
    let d = drill["id"].as_str().expect("drill id")[..8].to_string();
    json(&liandong(
        &dir,
        &[
            "incident",
            "report",
            "--title",
            "演练事件",
            "--event",
            "flood_drought",
            "--severity",
            "IV",
            "--drill",
            &d,
            "--json",
        ],
    ));
    let review = json(&liandong(
        &dir,
        &["drill", "review", "--drill", &d, "--json"],
    ));
    assert_eq!(review["incidents"][0]["title"], "演练事件");

    // A board through the node reads its own area only; a drill's board is
    // still headed by the drill's name, and every board answers.
    let o = liandong(&dir, &["board", "incidents", "--drill", &d]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("防汛演练"), "{table}");
    assert!(table.contains("演练事件"), "{table}");
    for board in ["resources", "tasks", "warnings", "plans", "drills"] {
        let o = liandong(&dir, &["board", board]);
        assert!(o.status.success(), "board {board}: {}", stderr(&o));
        json(&liandong(&dir, &["board", board, "--json"]));
    }
    let search = ["board", "incidents", "--search", "仓库", "--json"];
    let through_node = json(&liandong(&dir, &search));
    drop(running);
    // The same search on the store itself finds the same.
    let local = json(&liandong(&dir, &search));
    assert_eq!(local["incidents"], through_node["incidents"]);
    assert_eq!(local["open"], through_node["open"]);
}

/// The snapshot files of the views (`domain::snapshot`) under `dir`.
fn snapshot_files(dir: &Path) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(dir.join("store/side/fold-snapshot")) {
        Ok(items) => items
            .filter_map(Result::ok)
            .map(|item| item.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("chunks."))
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// A large post's fold takes seconds: the console folds the ledger as it
/// starts, not when the first operator opens a page. Seen from outside:
/// with its snapshot file gone, the post writes a new one before any
/// request reaches the console.
#[test]
fn the_console_folds_the_ledger_as_it_starts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = county(tmp.path());
    report_fire(&dir);
    let written = snapshot_files(&dir);
    assert_eq!(written.len(), 1, "the report's check wrote the snapshot");
    std::fs::remove_file(&written[0]).expect("remove the snapshot file");

    let (running, _) = common::running::start_node(&dir);
    let deadline = Instant::now() + Duration::from_secs(60);
    while snapshot_files(&dir).is_empty() {
        assert!(
            Instant::now() < deadline,
            "no snapshot written within 60 s of the start, without a request"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(running);
}
