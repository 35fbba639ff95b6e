//! Real `liandong run` processes in Linux network namespaces, joined by
//! veth pairs (`tests/netns/*.sh`, sharing `lib.sh`): a cut and heal, a
//! restart within seconds, a link that dies silently, and urgent entries
//! over a 64 kbit/s link while a backlog drains. Each script cleans up every
//! process and namespace it made, and fails if one is left. They need root
//! and say "SKIPPED" loudly without it.

use std::process::Command;

fn run_script(name: &str) {
    let script = format!("{}/../tests/netns/{name}.sh", env!("CARGO_MANIFEST_DIR"));
    let output = Command::new("bash")
        .arg(&script)
        .env("LIANDONG_BIN", env!("CARGO_BIN_EXE_liandong"))
        .output()
        .expect("run the netns script");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stdout}{stderr}");
    assert!(
        output.status.success(),
        "netns script {name} failed:\n{stdout}\n{stderr}"
    );
    if stderr.contains("SKIPPED") {
        eprintln!("WARNING: the network-namespace test {name} was skipped (not root)");
        return;
    }
    assert!(stdout.contains("PASS"), "{name}: no PASS line:\n{stdout}");
}

#[test]
fn three_processes_in_namespaces_converge_after_a_cut() {
    run_script("partition");
}

#[test]
fn a_post_restarted_within_seconds_is_never_banned() {
    run_script("restart");
}

#[test]
fn a_link_that_dies_silently_is_noticed_within_thirty_seconds() {
    run_script("dead_link");
}

#[test]
fn urgent_entries_cross_a_thin_link_while_a_backlog_drains() {
    run_script("thin_link");
}
