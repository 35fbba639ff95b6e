//! The linkage domain through the real `liandong` binary: a scripted flood
//! between a county post and a village post (entries carried by bundle, as
//! over a USB stick), refusals with their exit codes, and a drill kept apart
//! from reality.

mod common;
use common::cli::{Post, carry};

#[test]
fn a_flood_from_first_report_to_final_report() {
    let tmp = tempfile::tempdir().expect("tmp");
    let stick = tmp.path().join("stick.bundle");
    let county = Post::init(
        tmp.path(),
        "沙湾市应急管理局",
        "county",
        "654203",
        "command",
    );
    let village = Post::init(tmp.path(), "西戈壁村", "village", "654203106201", "command");
    carry(&county, &village, &stick);

    // 首报 at the village, 40 minutes after the water came.
    let incident = village.write(&[
        "incident",
        "report",
        "--title",
        "西戈壁村洪涝",
        "--event",
        "水旱灾害",
        "--severity",
        "IV",
        "--occurred",
        "40m",
        "--trapped",
        "3",
        "--evacuated",
        "37",
        "--cause",
        "持续强降雨",
        "--contact",
        "王建国 13800000000",
    ]);
    let short = &incident[..8];
    // 续报 by prefix.
    village.write(&[
        "incident",
        "update",
        "--incident",
        short,
        "--evacuated",
        "52",
        "--trend",
        "水位仍在上涨",
    ]);
    let request = village.write(&[
        "resource",
        "request",
        "--item",
        "冲锋舟",
        "--unit",
        "艘",
        "--quantity",
        "3",
        "--deliver-to",
        "西戈壁村村委会",
        "--incident",
        short,
        "--needed-by",
        "+2h",
    ]);
    carry(&village, &county, &stick);

    // The county activates level Ⅳ; Ⅲ is beyond a county.
    county.write(&[
        "response",
        "activate",
        "--incident",
        short,
        "--level",
        "IV",
        "--lead-hq",
        "沙湾市防汛抗旱指挥部",
        "--units",
        "水利,消防,卫生健康",
    ]);
    let err = county.refused(
        &[
            "response",
            "adjust",
            "--incident",
            short,
            "--level",
            "III",
            "--lead-hq",
            "x",
        ],
        6,
    );
    assert!(
        err.contains("地市级") && err.contains("prefecture"),
        "{err}"
    );

    // Offer, commit (over-commit refused), dispatch.
    let offer = county.write(&[
        "resource",
        "offer",
        "--item",
        "冲锋舟",
        "--unit",
        "艘",
        "--quantity",
        "4",
        "--location",
        "沙湾市应急物资储备库",
        "--request",
        &request[..8],
    ]);
    let err = county.refused(
        &[
            "resource",
            "commit",
            "--offer",
            &offer[..8],
            "--request",
            &request[..8],
            "--quantity",
            "5",
        ],
        6,
    );
    assert!(err.contains("仅剩4艘"), "{err}");
    let commit = county.write(&[
        "resource",
        "commit",
        "--offer",
        &offer[..8],
        "--request",
        &request[..8],
        "--quantity",
        "3",
        "--eta",
        "+1h",
    ]);
    // The request is now fully committed: one more boat is refused unless
    // it is marked as surplus.
    let one_more = [
        "resource",
        "commit",
        "--offer",
        &offer[..8],
        "--request",
        &request[..8],
        "--quantity",
        "1",
    ];
    let err = county.refused(&one_more, 6);
    assert!(err.contains("尚缺0艘") && err.contains("surplus"), "{err}");
    let mut surplus = one_more.to_vec();
    surplus.push("--surplus");
    county.write(&surplus);
    county.write(&["resource", "dispatch", "--commit", &commit[..8]]);
    // A task for the village.
    let task = county.write(&[
        "task",
        "assign",
        "--to",
        "西戈壁村",
        "--objective",
        "转移村东低洼地带群众",
        "--due",
        "+2h",
        "--incident",
        short,
    ]);
    // The village may not task the county.
    let err = village.refused(
        &[
            "task",
            "assign",
            "--to",
            "沙湾市应急管理局",
            "--objective",
            "x",
        ],
        6,
    );
    assert!(err.contains("只能向下级"), "{err}");
    carry(&county, &village, &stick);

    village.write(&["task", "ack", "--task", &task[..8]]);
    village.write(&[
        "task",
        "done",
        "--task",
        &task[..8],
        "--note",
        "已转移 52 人",
    ]);
    let err = village.refused(&["task", "ack", "--task", &task[..8]], 6);
    assert!(err.contains("未予采纳"), "{err}");
    // Dispatch is the sender's to report, receipt the receiver's, once.
    let err = village.refused(&["resource", "dispatch", "--commit", &commit[..8]], 6);
    assert!(err.contains("只有承诺调拨的沙湾市应急管理局"), "{err}");
    village.write(&["resource", "deliver", "--commit", &commit[..8]]);
    let err = village.refused(&["resource", "deliver", "--commit", &commit[..8]], 6);
    assert!(err.contains("重复报告"), "{err}");
    village.write(&[
        "incident",
        "close",
        "--incident",
        short,
        "--evacuated",
        "52",
        "--trend",
        "水位回落",
    ]);
    let err = village.refused(&["incident", "update", "--incident", short], 6);
    assert!(err.contains("终报"), "{err}");
    carry(&village, &county, &stick);

    // A plan, approved by the prefecture, activated for the incident; a
    // consultation and a public release attached to it.
    let plan = county.write(&[
        "plan",
        "register",
        "--title",
        "沙湾市防汛抗旱应急预案",
        "--plan-version",
        "2024",
        "--review-due",
        "+365d",
        "--event",
        "flood_drought",
    ]);
    // 分级负责: the county neither approves nor files its own plan.
    let err = county.refused(&["plan", "approve", "--plan", &plan[..8]], 6);
    assert!(err.contains("上级指挥部批准"), "{err}");
    let err = county.refused(&["plan", "approve", "--plan", &plan[..8], "--file"], 6);
    assert!(err.contains("备案"), "{err}");
    // The village may not activate the county's plan; the county may.
    carry(&county, &village, &stick);
    let activate = [
        "plan",
        "activate",
        "--plan",
        &plan[..8],
        "--incident",
        short,
    ];
    let err = village.refused(&activate, 6);
    assert!(
        err.contains("预案编制单位") && err.contains("owner"),
        "{err}"
    );
    county.write(&activate);
    // The prefecture, above the county, approves it.
    let prefecture = Post::init(
        tmp.path(),
        "塔城地区应急管理局",
        "prefecture",
        "6542",
        "command",
    );
    carry(&county, &prefecture, &stick);
    prefecture.write(&["plan", "approve", "--plan", &plan[..8]]);
    carry(&prefecture, &county, &stick);
    county.write(&[
        "incident",
        "consult",
        "--incident",
        short,
        "--topic",
        "汛情会商",
        "--participants",
        "水利,气象",
        "--assessment",
        "未来 12 小时降雨减弱",
    ]);
    county.write(&[
        "incident",
        "release",
        "--incident",
        short,
        "--channel",
        "政府网站",
        "--headline",
        "西戈壁村洪涝情况通报",
        "--text",
        "已转移群众 52 人，无人员伤亡",
    ]);
    let plans = county.json(&["board", "plans"]);
    assert_eq!(plans["plans"][0]["approved"], true);
    assert_eq!(plans["plans"][0]["filed"], false);
    assert_eq!(
        plans["plans"][0]["activations"].as_array().map(Vec::len),
        Some(1)
    );
    assert!(
        county
            .text(&["board", "plans"])
            .contains("沙湾市防汛抗旱应急预案")
    );

    // The county's boards, in Chinese, in English and as JSON.
    let zh = county.text(&["board", "incidents"]);
    assert!(
        zh.contains("事件看板") && zh.contains("西戈壁村洪涝"),
        "{zh}"
    );
    assert!(
        zh.contains("终报") && zh.contains("已结束") && zh.contains("按时"),
        "{zh}"
    );
    assert!(zh.contains("Ⅳ级"), "{zh}");
    let en = county.text(&["board", "incidents", "--lang", "en"]);
    assert!(
        en.contains("Incidents") && en.contains("flood / drought") && en.contains("closed"),
        "{en}"
    );
    let incidents = county.json(&["board", "incidents"]);
    let i = &incidents["incidents"][0];
    assert_eq!(i["id"], incident.as_str());
    assert_eq!(i["reports"].as_array().map(Vec::len), Some(3));
    assert_eq!(i["current"]["casualties"]["evacuated"], 52);
    assert_eq!(i["response"]["level"], "IV");
    assert_eq!(i["deadlines"]["first_report_late"], false);
    assert!(i["closed"].is_object());
    assert_eq!(incidents["conflicts"].as_array().map(Vec::len), Some(0));
    assert_eq!(i["consultations"][0]["topic"], "汛情会商");
    assert_eq!(i["releases"][0]["channel"], "政府网站");
    assert_eq!(i["plans"][0]["known"], true);

    let res = county.json(&["board", "resources"]);
    assert_eq!(res["requests"][0]["committed"], 4);
    assert_eq!(res["requests"][0]["overfilled"], true);
    assert_eq!(res["requests"][0]["delivered"], 3);
    assert_eq!(res["offers"][0]["remaining"], 0);
    assert_eq!(res["commits"][0]["status"], "delivered");
    assert_eq!(res["commits"][1]["surplus"], true);
    let text = county.text(&["board", "resources"]);
    assert!(text.contains("已交付") && text.contains("冲锋舟"), "{text}");

    let tasks = county.json(&["board", "tasks"]);
    let t = &tasks["tasks"][0];
    assert_eq!(t["state"], "done");
    assert_eq!(t["assignees"][0]["post"]["name"], "西戈壁村");
    assert!(t["assignees"][0]["ack_latency_ms"].is_u64());
    let text = county.text(&["board", "tasks", "--lang", "en"]);
    assert!(text.contains("done") && text.contains("西戈壁村"), "{text}");

    // The after-action review, computed from the ledger.
    let review = county.json(&["drill", "review", "--incident", short]);
    let r = &review["incidents"][0];
    assert_eq!(r["reports"], 3);
    assert_eq!(r["first_report_on_time"], true);
    assert!(
        r["first_report_latency_ms"]
            .as_u64()
            .is_some_and(|ms| ms >= 40 * 60_000)
    );
    assert_eq!(review["tasks"]["done"], 1);
    assert_eq!(review["resources"]["filled"], 1);
    assert!(review["timeline"].as_array().is_some_and(|t| t.len() >= 10));
    let text = county.text(&["drill", "review", "--incident", short]);
    assert!(
        text.contains("总结评估") && text.contains("签收指令"),
        "{text}"
    );

    // `log` summarises domain entries.
    let log = county.text(&["log"]);
    assert!(
        log.contains("首报 · 西戈壁村洪涝") && log.contains("启动Ⅳ级响应"),
        "{log}"
    );
}

#[test]
fn refusals_are_specific_and_roles_come_from_the_dev_roles_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut weather = Post::init(tmp.path(), "沙湾市气象局", "county", "654203", "weather");
    let warn = [
        "warning",
        "issue",
        "--color",
        "橙",
        "--event",
        "flood_drought",
        "--area",
        "654203",
        "--expires",
        "+24h",
        "--headline",
        "沙湾市洪水橙色预警",
        "--description",
        "河道水位持续上涨",
    ];
    let err = weather.refused(&warn, 6);
    assert!(err.contains("无预警发布权限"), "{err}");
    // The role is asked before the form: a post without it learns that
    // first, not after fixing every field.
    let half_filled = ["warning", "issue", "--color", "green"];
    let err = weather.refused(&half_filled, 6);
    assert!(err.contains("无预警发布权限"), "{err}");
    assert!(
        !err.contains("--event"),
        "no field is asked about yet: {err}"
    );
    let roles = tmp.path().join("roles.toml");
    std::fs::write(&roles, "[roles]\n\"沙湾市气象局\" = [\"warning_issuer\"]\n").expect("roles");
    weather.roles = Some(roles);
    // Now every missing or unreadable field at once, each beside its flag;
    // English is not required.
    let err = weather.refused(&half_filled, 2);
    assert!(err.contains("有 5 项需补正 / 5 fields to fix"), "{err}");
    for flag in [
        "--color",
        "--event",
        "--expires",
        "--headline ",
        "--description",
    ] {
        assert_eq!(
            err.lines()
                .filter(|l| l.trim_start().starts_with(flag))
                .count(),
            1,
            "{flag} on its own line: {err}"
        );
    }
    assert!(err.contains("unknown colour"), "{err}");
    assert!(!err.contains("headline-en"), "{err}");
    // A warning without English: the English board shows the Chinese.
    let w = weather.write(&warn);
    let board = weather.json(&["board", "warnings"]);
    assert_eq!(board["warnings"][0]["status"], "active");
    assert_eq!(board["warnings"][0]["current"]["headline_en"], "");
    let text = weather.text(&["board", "warnings", "--lang", "en"]);
    assert!(text.contains("沙湾市洪水橙色预警"), "{text}");
    weather.write(&["warning", "update", "--warning", &w[..8], "--color", "red"]);
    weather.write(&[
        "warning",
        "cancel",
        "--warning",
        &w[..8],
        "--reason",
        "水位回落",
    ]);
    let text = weather.text(&["board", "warnings"]);
    assert!(text.contains("红色") && text.contains("已解除"), "{text}");

    // Bad input: usage errors (2), unknown ids and rule refusals (6).
    weather.refused(
        &[
            "incident",
            "report",
            "--title",
            "x",
            "--event",
            "flood",
            "--severity",
            "IV",
        ],
        2,
    );
    weather.refused(
        &[
            "incident",
            "report",
            "--title",
            "x",
            "--event",
            "fire",
            "--severity",
            "V",
        ],
        2,
    );
    let err = weather.refused(
        &["incident", "report", "--event", "fire", "--severity", "IV"],
        2,
    );
    assert!(err.contains("--title"), "{err}");
    let err = weather.refused(&["incident", "update", "--incident", "abcdef12"], 6);
    assert!(err.contains("没有编号以 abcdef12 开头的事件"), "{err}");
    let err = weather.refused(&["incident", "update", "--incident", "xy"], 2);
    assert!(err.contains("十六进制"), "{err}");
    let err = weather.refused(
        &[
            "incident",
            "report",
            "--title",
            "x",
            "--event",
            "fire",
            "--severity",
            "IV",
            "--region",
            "654202",
        ],
        6,
    );
    assert!(err.contains("超出本单位辖区"), "{err}");
    let err = weather.refused(
        &[
            "resource",
            "request",
            "--item",
            "帐篷",
            "--unit",
            "顶",
            "--quantity",
            "0",
            "--deliver-to",
            "x",
        ],
        6,
    );
    assert!(err.contains("必须大于零"), "{err}");
}

#[test]
fn drills_stay_out_of_the_real_boards() {
    let tmp = tempfile::tempdir().expect("tmp");
    let county = Post::init(
        tmp.path(),
        "沙湾市应急管理局",
        "county",
        "654203",
        "command",
    );
    let drill = county.write(&[
        "drill",
        "start",
        "--name",
        "防汛联合演练",
        "--scenario",
        "西戈壁村河道漫堤",
    ]);
    let d = &drill[..8];
    let real = county.write(&[
        "incident",
        "report",
        "--title",
        "真实事件",
        "--event",
        "fire",
        "--severity",
        "IV",
    ]);
    let played = county.write(&[
        "incident",
        "report",
        "--title",
        "演练事件",
        "--event",
        "flood_drought",
        "--severity",
        "III",
        "--drill",
        d,
    ]);
    county.write(&[
        "response",
        "activate",
        "--incident",
        &played[..8],
        "--level",
        "IV",
        "--lead-hq",
        "演练指挥部",
        "--drill",
        d,
    ]);
    // The drill's incident is not visible from reality, nor the real one
    // from the drill.
    county.refused(
        &[
            "response",
            "activate",
            "--incident",
            &played[..8],
            "--level",
            "IV",
            "--lead-hq",
            "x",
        ],
        6,
    );
    let actual = county.json(&["board", "incidents"]);
    let ids: Vec<&str> = actual["incidents"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(ids, vec![real.as_str()]);
    let drilled = county.json(&["board", "incidents", "--drill", d]);
    let ids: Vec<&str> = drilled["incidents"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(ids, vec![played.as_str()]);
    let text = county.text(&["board", "incidents", "--drill", d]);
    assert!(
        text.contains("演练") && text.contains("防汛联合演练"),
        "{text}"
    );
    let log = county.json(&["log", "--kind", "incident_report"]);
    let statuses: Vec<&str> = log
        .as_array()
        .expect("log")
        .iter()
        .filter_map(|e| e["status"].as_str())
        .collect();
    assert_eq!(statuses, vec!["actual", "exercise"]);

    let drills = county.text(&["board", "drills"]);
    assert!(
        drills.contains("防汛联合演练") && drills.contains("进行中"),
        "{drills}"
    );
    county.write(&["drill", "end", "--drill", d, "--summary", "响应及时"]);
    let err = county.refused(
        &[
            "incident",
            "report",
            "--title",
            "x",
            "--event",
            "fire",
            "--severity",
            "IV",
            "--drill",
            d,
        ],
        6,
    );
    assert!(err.contains("已结束"), "{err}");
    let review = county.json(&["drill", "review", "--drill", d]);
    assert_eq!(review["incidents"].as_array().map(Vec::len), Some(1));
    assert_eq!(review["incidents"][0]["title"], "演练事件");
    assert!(review["incidents"][0]["report_to_response_ms"].is_u64());
}

/// Times read the way the field means them: `--needed-by 3h` is three hours
/// from now, `--occurred 40m` forty minutes ago; a deadline already past or
/// an occurrence in the future is refused, naming the flag.
#[test]
fn deadlines_lie_ahead_and_occurrences_behind() {
    fn args(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let village = Post::init(tmp.path(), "西戈壁村", "village", "654203106201", "command");
    let report = |occurred: &str| {
        vec![
            "incident",
            "report",
            "--title",
            "西戈壁村洪涝",
            "--event",
            "水旱灾害",
            "--severity",
            "IV",
            "--occurred",
            occurred,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    for future in ["9999-12-31", "+40m"] {
        let err = village.refused(&args(&report(future)), 2);
        assert!(
            err.contains("--occurred") && err.contains("发生时间"),
            "{err}"
        );
    }
    let err = village.refused(&args(&report("99999999999h")), 2);
    assert!(
        err.contains("--occurred") && !err.contains("occurred-ms"),
        "{err}"
    );

    let incident = village.json(&args(&report("40m")));
    let now_ms = liandong_node::clock::now_ms();
    let occurred = incident["body"]["occurred_ms"].as_u64().expect("occurred");
    assert!(occurred < now_ms && occurred > now_ms - 3_600_000);

    let id = incident["id"].as_str().expect("id");
    let request = |needed_by: &str| {
        vec![
            "resource",
            "request",
            "--item",
            "沙袋",
            "--unit",
            "袋",
            "--quantity",
            "500",
            "--deliver-to",
            "西戈壁村村委会",
            "--incident",
            &id[..8],
            "--needed-by",
            needed_by,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let err = village.refused(&args(&request("2026-01-01")), 2);
    assert!(err.contains("--needed-by") && err.contains("已过"), "{err}");
    let written = village.json(&args(&request("3h")));
    let needed = written["body"]["needed_by_ms"].as_u64().expect("needed by");
    assert!(
        needed > now_ms + 2 * 3_600_000,
        "3h means three hours from now"
    );
}
