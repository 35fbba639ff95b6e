//! A post's `liandong run` as a child process, for the CLI tests that
//! check a command gives the same answer through a running node.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Stops the node it started (SIGTERM), waiting for it, when dropped.
/// The node's process and its console's address (`http://127.0.0.1:…`).
pub struct Running(Child, pub String);

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

/// Starts `liandong run` on loopback ports and returns once it has
/// started: the node, and what it printed at start-up (its console URL,
/// the certificate's fingerprint under TLS, …, up to how to stop it).
pub fn start_node(dir: &Path) -> (Running, Vec<String>) {
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
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn run");
    let stdout = child.stdout.take().expect("stdout");
    let running = Running(child, String::new());
    let lines = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .take_while(|l| !l.contains("Ctrl-C"))
        .collect();
    (running, lines)
}

/// The value after `label` on the first line of `lines` that has it.
pub fn after(lines: &[String], label: &str) -> Option<String> {
    lines.iter().find_map(|l| {
        let rest = l.split(label).nth(1)?;
        Some(rest.trim_start_matches([' ', ':']).trim().to_string())
    })
}

/// Starts `liandong run` and returns once its console is listening, with
/// the console's address.
pub fn run_node(dir: &Path) -> Running {
    let (mut running, lines) = start_node(dir);
    let console = lines
        .iter()
        .find(|line| line.contains("控制台"))
        .and_then(|line| {
            let at = line.find("http://")?;
            Some(
                line[at..]
                    .split_whitespace()
                    .next()?
                    .trim_end_matches('/')
                    .to_string(),
            )
        });
    running.1 = console.expect("the node printed its console URL");
    running
}
