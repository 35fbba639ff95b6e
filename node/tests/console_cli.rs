//! `liandong run` with its console, and the other commands while it runs:
//! the console URL printed at start-up and reported by `status --json`,
//! and domain commands sent to the running node's API (the node holds the
//! store) — planned and checked by the same code, with the same exit codes.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

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

#[test]
fn commands_go_through_the_running_nodes_console() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("county");
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
    let written = json(&liandong(
        &dir,
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
    ));
    let id = written["id"].as_str().expect("id").to_string();
    let board = json(&liandong(&dir, &["board", "incidents", "--json"]));
    assert_eq!(board["incidents"][0]["id"].as_str(), Some(id.as_str()));

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
    drop(running);
}
