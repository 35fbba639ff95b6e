//! `liandong operator …` and `liandong audit log` with the node stopped and
//! running, the local CLI still working on a post that requires a login,
//! and `liandong verify` catching an edited or truncated audit trail.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::cli::{Post, stderr};
use common::running::run_node;
use serde_json::Value;

/// Runs a command with `input` on its standard input.
fn with_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_liandong"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("LIANDONG_DATA_DIR")
        .env_remove("LIANDONG_DEV_ROLES")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn accounts(post: &Post) -> Vec<Value> {
    let o = post.run(&["operator", "list", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!String::from_utf8_lossy(&o.stdout).contains("argon2"));
    serde_json::from_slice::<Vec<Value>>(&o.stdout).expect("json")
}

fn audit_events(post: &Post) -> Vec<String> {
    let v = post.json(&["audit", "log"]);
    v["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["event"].as_str().expect("event").to_string())
        .collect()
}

#[test]
fn operator_commands_work_with_the_node_stopped_and_running() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let post = Post::init(tmp.path(), "沙湾市", "county", "654203", "command");
    assert!(accounts(&post).is_empty());

    // Stopped: the accounts file is changed here.
    let add = [
        "operator",
        "add",
        "zhang",
        "--display",
        "张三",
        "--role",
        "operator",
        "--os-user",
        "duty",
        "--password-stdin",
    ];
    let o = with_stdin(&post.dir, &add, "password-1234\n");
    assert!(o.status.success(), "{}", stderr(&o));
    // No terminal and no --password-stdin: refused, pointing at the flag.
    let o = with_stdin(
        &post.dir,
        &[
            "operator",
            "add",
            "wang",
            "--display",
            "王五",
            "--role",
            "admin",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--password-stdin"), "{}", stderr(&o));
    let o = with_stdin(
        &post.dir,
        &[
            "operator",
            "add",
            "wang",
            "--display",
            "王五",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "short\n",
    );
    assert_eq!(o.status.code(), Some(2), "too short: {}", stderr(&o));
    let o = with_stdin(
        &post.dir,
        &[
            "operator",
            "add",
            "wang",
            "--display",
            "王五",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "password-1234\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = with_stdin(
        &post.dir,
        &["operator", "passwd", "zhang", "--password-stdin"],
        "new-password-5678\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = post.run(&["operator", "disable", "zhang"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = post.run(&["operator", "disable", "nobody"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let list = accounts(&post);
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["disabled"], true);
    assert_eq!(list[0]["display"], "张三");
    assert_eq!(
        audit_events(&post),
        [
            "account_added",
            "account_added",
            "password_changed",
            "account_disabled"
        ]
    );
    let o = post.run(&["verify"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("audit trail intact (4 records)"));

    // Running: the same commands go through its API, with the local
    // credential, although the console now requires a login.
    {
        let node = run_node(&post.dir);
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build(),
        );
        let status = agent
            .get(format!("{}/api/status", node.1))
            .call()
            .expect("status")
            .status();
        assert_eq!(status.as_u16(), 401, "accounts exist: login required");

        let o = with_stdin(
            &post.dir,
            &[
                "operator",
                "add",
                "li",
                "--display",
                "李四",
                "--role",
                "leader",
                "--password-stdin",
            ],
            "password-1234\n",
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let o = post.run(&["operator", "enable", "zhang"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let list = accounts(&post);
        assert_eq!(list.len(), 3, "{list:?}");
        assert_eq!(list[0]["disabled"], false);
        let o = post.run(&["note", "add", "值班交接"]);
        assert!(
            o.status.success(),
            "the local CLI still writes: {}",
            stderr(&o)
        );
        // The trail can be read while the node writes it.
        let events = audit_events(&post);
        assert_eq!(events.len(), 6, "{events:?}");
        // A password login at the console works with the new account.
        let resp = agent
            .post(format!("{}/api/login", node.1))
            .header("x-liandong-request", "1")
            .content_type("application/json")
            .send(r#"{"account":"li","password":"password-1234"}"#)
            .expect("login");
        assert_eq!(resp.status().as_u16(), 200);
    }

    let events = audit_events(&post);
    assert_eq!(
        events.last().map(String::as_str),
        Some("login"),
        "{events:?}"
    );
    let o = post.run(&["verify"]);
    assert!(o.status.success(), "{}", stderr(&o));

    // An edited record is named.
    let log = post.dir.join("audit.log");
    let text = std::fs::read_to_string(&log).expect("log");
    let original = text.clone();
    let edited = text.replacen("王五", "王六", 1);
    assert_ne!(edited, text);
    std::fs::write(&log, edited).expect("edit");
    let o = post.run(&["verify"]);
    assert_eq!(
        o.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(out.contains("record 2 was changed"), "{out}");
    let o = post.run(&["audit", "log"]);
    assert_eq!(o.status.code(), Some(5));

    // So is a truncated one.
    let kept: Vec<&str> = original.lines().take(3).collect();
    std::fs::write(&log, format!("{}\n", kept.join("\n"))).expect("truncate");
    let o = post.run(&["verify", "--json"]);
    assert_eq!(o.status.code(), Some(5));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    let problem = v["audit"]["problem"].as_str().expect("a problem");
    assert!(problem.contains("ends after record 3"), "{problem}");
}
