//! The rescue-force registry (救援力量储备库) through the real `liandong`
//! binary: a county registers teams, searches them by capability and
//! distance (from its own location or a point), keeps one current and sends
//! it on a task; the records travel by bundle to a village, which sees them
//! but may not update them; the same search answers through the running
//! node; and text from the ledger reaches the terminal escaped.

use serde_json::Value;

mod common;
use common::cli::{Post, carry, stderr};
use common::running::run_node;

/// The names of the forces a `force list --json` found, in its order.
fn names(list: &Value) -> Vec<String> {
    list["forces"]
        .as_array()
        .expect("forces")
        .iter()
        .map(|f| f["current"]["name"].as_str().expect("name").to_string())
        .collect()
}

fn register(post: &Post, args: &[&str]) -> String {
    let mut all = vec!["force", "register"];
    all.extend_from_slice(args);
    post.write(&all)
}

#[test]
fn forces_are_registered_searched_kept_current_and_carried() {
    let tmp = tempfile::tempdir().expect("tmp");
    let stick = tmp.path().join("stick.bundle");
    let county = Post {
        dir: tmp.path().join("county"),
        roles: None,
    };
    let o = county.run(&[
        "init",
        "--name",
        "沙湾市应急管理局",
        "--level",
        "county",
        "--region",
        "654203",
        "--location",
        "44.330,85.620",
    ]);
    assert!(o.status.success(), "init: {}", stderr(&o));
    let village = Post::init(tmp.path(), "西戈壁村", "village", "654203106201", "command");

    let brigade = register(
        &county,
        &[
            "--name",
            "沙湾市消防救援大队",
            "--type",
            "fire",
            "--headcount",
            "42",
            "--capability",
            "fire_fighting,水域救援",
            "--equipment",
            "冲锋舟 4 艘",
            "--base",
            "44.322,85.606",
            "--contact",
            "0993-119",
            "--last-drill",
            "2026-11-01",
        ],
    );
    let volunteers = register(
        &county,
        &[
            "--name",
            "沙湾市蓝天救援队",
            "--type",
            "志愿者",
            "--headcount",
            "18",
            "--capability",
            "water_rescue",
            "--capability",
            "medical",
            "--base",
            "44.336,85.615",
        ],
    );
    // Based in Ürümqi, some 170 km away.
    register(
        &county,
        &[
            "--name",
            "自治区水域救援支队",
            "--type",
            "water_rescue",
            "--headcount",
            "60",
            "--capability",
            "water_rescue",
            "--base",
            "43.80,87.60",
        ],
    );

    // Nearest first, from the county's own location.
    let all = county.json(&["force", "list"]);
    assert_eq!(all["origin_is"], "post");
    assert_eq!(all["total"], 3);
    assert_eq!(
        names(&all),
        [
            "沙湾市蓝天救援队",
            "沙湾市消防救援大队",
            "自治区水域救援支队"
        ]
    );
    let d0 = all["forces"][0]["distance_km"].as_f64().expect("km");
    assert!(d0 < 2.0, "{d0}");
    let far = all["forces"][2]["distance_km"].as_f64().expect("km");
    assert!((150.0..200.0).contains(&far), "{far}");

    // By capability, in any of its names; then within a distance.
    let medical = county.json(&["force", "list", "--capability", "医疗救护"]);
    assert_eq!(names(&medical), ["沙湾市蓝天救援队"]);
    let water = county.json(&[
        "force",
        "list",
        "--capability",
        "water_rescue",
        "--within",
        "20",
    ]);
    assert_eq!(names(&water), ["沙湾市蓝天救援队", "沙湾市消防救援大队"]);
    let at_point = county.json(&["force", "list", "--near", "43.8,87.6", "--within-km", "5"]);
    assert_eq!(at_point["origin_is"], "query");
    assert_eq!(names(&at_point), ["自治区水域救援支队"]);

    // Input refused before anything is written (usage: exit 2).
    let err = county.refused(
        &[
            "force",
            "register",
            "--name",
            "x",
            "--type",
            "飞行队",
            "--headcount",
            "1",
            "--base",
            "44,85",
        ],
        2,
    );
    assert!(err.contains("--type") && err.contains("militia"), "{err}");
    let err = county.refused(
        &[
            "force",
            "update",
            "--force",
            &brigade[..8],
            "--capability",
            "flying",
        ],
        2,
    );
    assert!(err.contains("flying"), "{err}");
    county.refused(&["force", "list", "--within=-3"], 2);

    // The owner keeps it current.
    county.write(&[
        "force",
        "update",
        "--force",
        &brigade[..8],
        "--headcount",
        "40",
        "--availability",
        "休整",
    ]);
    let shown = county.json(&["force", "show", &brigade[..8]]);
    assert_eq!(shown["current"]["headcount"], 40);
    assert_eq!(shown["current"]["availability"], "resting");
    assert_eq!(shown["records"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        shown["current"]["capabilities"],
        serde_json::json!(["fire_fighting", "water_rescue"]),
        "what is not given stays"
    );

    // Sent on a task: deployed, and the task named.
    carry(&village, &county, &stick);
    let task = county.write(&[
        "task",
        "assign",
        "--to",
        "西戈壁村",
        "--objective",
        "转移低洼地带群众",
    ]);
    county.write(&[
        "force",
        "update",
        "--force",
        &brigade[..8],
        "--assign",
        &task[..8],
    ]);
    let shown = county.json(&["force", "show", &brigade[..8]]);
    assert_eq!(shown["current"]["availability"], "deployed");
    assert_eq!(shown["assignment"]["kind"], "task");
    assert_eq!(shown["assignment"]["label"], "转移低洼地带群众");
    let text = county.text(&["force", "show", &brigade[..8], "--lang", "en"]);
    assert!(
        text.contains("assigned to") && text.contains("转移低洼地带群众"),
        "{text}"
    );

    // The records travel in the county's bundle; the village sees them,
    // with no location of its own no distances, and may not update them.
    carry(&county, &village, &stick);
    let seen = village.json(&["force", "list"]);
    assert_eq!(seen["total"], 3);
    assert!(seen["origin"].is_null());
    assert!(seen["forces"][0]["distance_km"].is_null());
    let err = village.refused(
        &[
            "force",
            "update",
            "--force",
            &volunteers[..8],
            "--availability",
            "resting",
        ],
        6,
    );
    // Written for the force's region, the update is outside the village's
    // area: refused before it is signed.
    assert!(err.contains("654203") && err.contains("辖区"), "{err}");
    let err = village.refused(&["force", "list", "--within", "5"], 2);
    assert!(err.contains("near"), "{err}");

    // Text from the ledger reaches the terminal escaped.
    register(
        &county,
        &[
            "--name",
            "假队\u{1b}[2J伍",
            "--type",
            "militia",
            "--headcount",
            "3",
            "--base",
            "44.33,85.62",
            "--contact",
            "\u{1b}]0;pwned\u{7}",
        ],
    );
    let table = county.text(&["force", "list"]);
    assert!(!table.contains('\u{1b}'), "raw ESC in {table:?}");
    assert!(table.contains("\\u{1b}"), "{table}");
    let one = county.text(&["force", "list", "--capability", "fire_fighting"]);
    assert!(one.contains("沙湾市消防救援大队") && !one.contains("蓝天"));
    let listed = county.json(&["force", "list"]);
    let fake = listed["forces"]
        .as_array()
        .expect("forces")
        .iter()
        .find(|f| f["current"]["force_type"] == "militia")
        .expect("the militia");
    let fake_id = fake["id"].as_str().expect("id")[..8].to_string();
    let shown = county.text(&["force", "show", &fake_id]);
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
        "{shown:?}"
    );

    // The same answers through the running node, which holds the store.
    let local = county.json(&["force", "list", "--capability", "water_rescue"]);
    let node = run_node(&county.dir);
    let remote = county.json(&["force", "list", "--capability", "water_rescue"]);
    assert_eq!(names(&remote), names(&local));
    assert_eq!(
        remote["forces"][0]["distance_km"],
        local["forces"][0]["distance_km"]
    );
    county.write(&[
        "force",
        "update",
        "--force",
        &brigade[..8],
        "--availability",
        "ready",
    ]);
    let shown = county.json(&["force", "show", &brigade[..8]]);
    assert_eq!(shown["current"]["availability"], "ready");
    assert!(
        shown["assignment"].is_null(),
        "back on standby: assignment over"
    );
    drop(node);
}
