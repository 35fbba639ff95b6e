//! A full disk, for real: posts on a small tmpfs that the test fills.
//!
//! - Under the free-space reserve, writes pause with exit code 4 and a
//!   clear message while reading goes on; they resume by themselves when
//!   space returns — through the CLI alone and through a running post.
//! - With no reserve, the disk fills under sled itself: the write fails,
//!   nothing of it is served, the running post stops with exit code 4, and
//!   after a restart the post's chain has no fork.
//!
//! Mounting a tmpfs needs root; without it each test says SKIPPED loudly.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn liandong(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liandong"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("LIANDONG_DATA_DIR")
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

/// A tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmpfs {
    /// `None` (after saying so) when this process may not mount.
    fn mount(size_mb: u64) -> Option<Tmpfs> {
        let uid = Command::new("id").arg("-u").output().expect("id -u");
        if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
            eprintln!("######## SKIPPED: the full-disk tests need root (mount -t tmpfs) ########");
            return None;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("disk");
        std::fs::create_dir(&path).expect("mkdir");
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size_mb}m"), "tmpfs"])
            .arg(&path)
            .status()
            .expect("run mount")
            .success();
        assert!(ok, "mount tmpfs failed although running as root");
        Some(Tmpfs { path, _dir: dir })
    }

    fn free_mb(&self) -> u64 {
        liandong_node::store::free_bytes(&self.path).expect("statvfs") / (1024 * 1024)
    }

    /// Fills the disk until `leave_mb` MiB are free (0: until it is full).
    fn fill(&self, leave_mb: u64) -> PathBuf {
        let file = self.path.join("filler");
        let chunk = vec![0xAA_u8; 1024 * 1024];
        let mut f = std::fs::File::create(&file).expect("filler");
        use std::io::Write;
        while self.free_mb() > leave_mb {
            if f.write_all(&chunk).is_err() {
                break;
            }
        }
        if leave_mb == 0 {
            // The last pages, byte by byte.
            while f.write_all(&[0xAA]).is_ok() {}
        }
        let _ = f.sync_all();
        file
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

fn init(dir: &Path) {
    let o = liandong(
        dir,
        &[
            "init",
            "--name",
            "西戈壁村",
            "--level",
            "village",
            "--region",
            "654203106201",
        ],
    );
    assert!(o.status.success(), "init: {}", stderr(&o));
}

fn set_reserve(dir: &Path, mb: u64) {
    let path = dir.join("config.toml");
    let text = std::fs::read_to_string(&path).expect("config");
    let text = text.replace("reserve_mb = 64", &format!("reserve_mb = {mb}"));
    assert!(text.contains(&format!("reserve_mb = {mb}")), "{text}");
    std::fs::write(path, text).expect("config");
}

fn notes(dir: &Path) -> Vec<serde_json::Value> {
    json(&liandong(dir, &["log", "--kind", "note", "--json"]))
        .as_array()
        .expect("array")
        .clone()
}

#[test]
fn cli_writes_pause_under_the_reserve_and_resume_when_space_returns() {
    let Some(disk) = Tmpfs::mount(100) else {
        return;
    };
    let dir = disk.path.join("post");
    init(&dir);
    json(&liandong(&dir, &["note", "add", "有空间", "--json"]));

    let filler = disk.fill(40);
    let o = liandong(&dir, &["note", "add", "磁盘满"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("磁盘空间不足"), "{}", stderr(&o));
    assert!(stderr(&o).contains("reserve"), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("Os {"),
        "no debug form: {}",
        stderr(&o)
    );

    // Reading goes on: log, verify, status, bundle export (to another disk).
    assert_eq!(notes(&dir).len(), 1);
    assert!(liandong(&dir, &["verify"]).status.success());
    let status = json(&liandong(&dir, &["status", "--json"]));
    assert_eq!(status["store"]["disk_full"], true, "{status}");
    let out = disk._dir.path().join("out.bundle");
    let o = liandong(
        &dir,
        &["bundle", "export", "-o", out.to_str().expect("utf8")],
    );
    assert!(o.status.success(), "{}", stderr(&o));

    std::fs::remove_file(filler).expect("free space");
    json(&liandong(&dir, &["note", "add", "恢复", "--json"]));
    assert_eq!(notes(&dir).len(), 2);
}

/// Stops the node it started (SIGTERM to its own PID), when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.0.try_wait() {
            return;
        }
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

/// Starts `liandong run` and waits until its console is up; its log goes
/// to `run.log` beside the data directory's disk.
fn run(disk: &Tmpfs, dir: &Path) -> Running {
    let log = std::fs::File::create(disk._dir.path().join("run.log")).expect("log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_liandong"))
        .arg("--data-dir")
        .arg(dir)
        .args([
            "run",
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--console",
            "127.0.0.1:0",
            "--no-mdns",
        ])
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("spawn run");
    let stdout = child.stdout.take().expect("stdout");
    let running = Running(child);
    let up = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains("控制台"));
    assert!(up, "the node printed no console line");
    running
}

fn metric(dir: &Path, name: &str) -> Option<f64> {
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("node.json")).expect("node.json"))
            .expect("json");
    let url = format!("{}/metrics", info["console"].as_str().expect("console"));
    let text = ureq::get(&url)
        .call()
        .expect("metrics")
        .body_mut()
        .read_to_string()
        .expect("text");
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[test]
fn a_running_post_pauses_and_resumes_by_itself() {
    let Some(disk) = Tmpfs::mount(100) else {
        return;
    };
    let dir = disk.path.join("post");
    init(&dir);
    let _node = run(&disk, &dir);
    json(&liandong(&dir, &["note", "add", "运行中", "--json"]));
    assert_eq!(metric(&dir, "liandong_store_writable"), Some(1.0));

    let filler = disk.fill(40);
    let o = liandong(&dir, &["note", "add", "磁盘满"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("磁盘空间不足"), "{}", stderr(&o));
    assert!(stderr(&o).contains("(disk_full)"), "{}", stderr(&o));
    let status = json(&liandong(&dir, &["status", "--json"]));
    assert_eq!(status["store"]["disk_full"], true, "{status}");
    assert_eq!(metric(&dir, "liandong_store_writable"), Some(0.0));
    assert_eq!(notes(&dir).len(), 1, "the console and log still read");

    std::fs::remove_file(filler).expect("free space");
    json(&liandong(&dir, &["note", "add", "已恢复", "--json"]));
    assert_eq!(notes(&dir).len(), 2);
    assert_eq!(metric(&dir, "liandong_store_writable"), Some(1.0));
}

#[test]
fn a_write_the_full_disk_refuses_stops_the_post_and_forks_nothing() {
    let Some(disk) = Tmpfs::mount(100) else {
        return;
    };
    let dir = disk.path.join("post");
    init(&dir);
    set_reserve(&dir, 0);
    let mut node = run(&disk, &dir);
    let first = json(&liandong(&dir, &["note", "add", "落盘", "--json"]));

    let filler = disk.fill(0);
    // Writes until one meets the full disk inside sled (a few may still
    // fit in pages sled already holds).
    let mut failed = None;
    for i in 0..200 {
        let o = liandong(&dir, &["note", "add", &"满".repeat(2000 + i)]);
        if !o.status.success() {
            failed = Some(o);
            break;
        }
    }
    let o = failed.expect("a write on a full disk fails");
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("No space left on device"),
        "{}",
        stderr(&o)
    );
    assert!(
        !stderr(&o).contains("Os {"),
        "no debug form: {}",
        stderr(&o)
    );

    // The post stops by itself, with exit code 4 (systemd restarts it).
    let end = Instant::now() + Duration::from_secs(30);
    let code = loop {
        if let Some(status) = node.0.try_wait().expect("wait") {
            break status.code();
        }
        assert!(
            Instant::now() < end,
            "the post did not stop after its store failed"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let log = std::fs::read_to_string(disk._dir.path().join("run.log")).expect("log");
    assert_eq!(code, Some(4), "{log}");
    assert!(log.contains("the store failed; stopping the post"), "{log}");

    std::fs::remove_file(filler).expect("free space");
    // What is stored is whole, and the chain goes on without a fork.
    assert!(liandong(&dir, &["verify"]).status.success());
    let next = json(&liandong(&dir, &["note", "add", "重启后", "--json"]));
    let all = json(&liandong(&dir, &["log", "--json"]));
    let mut seqs: Vec<u64> = all
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["seq"].as_u64().expect("seq"))
        .collect();
    seqs.sort_unstable();
    let n = seqs.len() as u64;
    assert_eq!(seqs, (1..=n).collect::<Vec<u64>>(), "one entry per seq");
    assert_eq!(next["seq"].as_u64(), Some(n));
    assert!(first["seq"].as_u64() < next["seq"].as_u64());
    let verify = json(&liandong(&dir, &["verify", "--json"]));
    assert_eq!(
        verify["forks"].as_array().map(Vec::len).unwrap_or(0),
        0,
        "{verify}"
    );
    node.0.wait().ok();
}
