//! The README's main job, unattended: `liandong demo --headless --json`.

use std::process::Command;

#[test]
fn the_demo_network_converges_and_reviews_the_flood() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let json = tmp.path().join("demo.json");
    let output = Command::new(env!("CARGO_BIN_EXE_liandong"))
        .args(["demo", "--headless", "--json"])
        .arg(&json)
        .output()
        .expect("run the demo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "demo failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("summary written")).expect("json");
    assert_eq!(summary["converged"], true);
    assert!(
        summary["nodes"].as_u64().is_some_and(|n| n >= 12),
        "{summary}"
    );
    assert!(summary["entries"].as_u64().is_some_and(|n| n > 40));
    assert!(summary["convergence_ms"].is_u64());
    assert_eq!(summary["problems"].as_array().map(Vec::len), Some(0));
    let review = &summary["review"]["incidents"][0];
    assert_eq!(review["first_report_on_time"], true);
    assert_eq!(review["highest_level"], "III");
    assert_eq!(summary["review"]["tasks"]["done"], 2);
    assert_eq!(summary["review"]["resources"]["delivered"], 2);
    for post in summary["digests"].as_array().expect("digests") {
        assert_eq!(post["matches"], true, "{post}");
    }
    assert!(stdout.contains("西戈壁村"));
}
