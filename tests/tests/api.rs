//! The local HTTP API of real posts: every view and every action through
//! HTTP, the live event stream, metrics, access control — and bad input,
//! each refusal checked by its exact status and error code.

use std::io::{BufRead, BufReader};
use std::time::Duration;

use liandong_node::api::MAX_REGION_NAME_CODES;
use liandong_node::app::{self, ConsoleOptions};
use liandong_node::datadir::DataDir;
use liandong_node::node::{NodeHandle, NodeOptions};
use liandong_tests::http::Api;
use liandong_tests::*;
use serde_json::{Value, json};

const NET: &str = "api-net";
const NO_TIMER: Duration = Duration::from_secs(3600);
const COUNTY: &str = "沙湾市";
const VILLAGE: &str = "西戈壁村";

struct Posts {
    rt: tokio::runtime::Runtime,
    nodes: Vec<NodeHandle>,
    _tmp: tempfile::TempDir,
}

impl Drop for Posts {
    fn drop(&mut self) {
        let nodes = std::mem::take(&mut self.nodes);
        self.rt.block_on(async {
            for n in nodes {
                n.shutdown().await;
            }
        });
    }
}

/// A county post (a warning issuer in development mode) and, when asked,
/// a village below it, connected; returns their APIs.
fn county_and_village(with_village: bool) -> (Posts, Api, Option<Api>, DataDir) {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let county_dir = init_post(tmp.path(), COUNTY, "654203", NET);
    std::fs::write(
        county_dir.root().join("dev-roles.toml"),
        format!("[roles]\n\"{COUNTY}\" = [\"warning_issuer\"]\n"),
    )
    .expect("roles");
    let rt = runtime();
    let (county, county_url) = rt.block_on(spawn_console(&county_dir, vec![], NO_TIMER));
    let mut nodes = vec![county.clone()];
    let mut village_api = None;
    if with_village {
        let village_dir = init_post(tmp.path(), VILLAGE, "654203106201", NET);
        let (village, village_url) = rt.block_on(spawn_console(&village_dir, vec![], NO_TIMER));
        rt.block_on(connect(&village, &county));
        nodes.push(village);
        village_api = Some(Api::new(&village_url));
    }
    let posts = Posts {
        rt,
        nodes,
        _tmp: tmp,
    };
    (posts, Api::new(&county_url), village_api, county_dir)
}

/// Waits until `api` answers `path` with 200 and `check` holds.
fn wait_view(api: &Api, path: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    wait_blocking(what, DEADLINE, || {
        let (s, v) = api.get(path);
        let ok = s == 200 && check(&v);
        last = v;
        ok
    });
    last
}

#[test]
fn every_view_and_action_over_http() {
    let (_posts, county, village, _) = county_and_village(true);
    let village = village.expect("village");

    // Who the posts are, and what the forms offer.
    let (s, me) = village.get("/api/me");
    assert_eq!(s, 200, "{me}");
    assert_eq!(
        (
            me["name"].as_str(),
            me["level"].as_str(),
            me["known"].as_bool()
        ),
        (Some(VILLAGE), Some("village"), Some(true))
    );
    let (s, vocab) = county.get("/api/vocab");
    assert_eq!(s, 200);
    assert!(vocab["events"].as_array().is_some_and(|e| e.len() > 20));
    assert_eq!(vocab["severities"][3]["numeral"], "Ⅳ");
    let (s, posts) = county.get("/api/posts");
    assert_eq!(s, 200);
    wait_view(
        &county,
        "/api/posts",
        "the village's profile at the county",
        |v| {
            v.as_array().is_some_and(|a| {
                a.iter()
                    .any(|p| p["name"] == VILLAGE && p["below"] == json!(true))
            })
        },
    );
    drop(posts);

    // 首报 at the village, seen at the county.
    let incident = village.write(
        "/api/incident/report",
        json!({"title": "西戈壁村洪涝", "event": "flood_drought", "severity": "IV",
               "trapped": 3, "point": "44.33,85.62", "actions": "转移群众", "occurred": "20m"}),
    );
    let detail = wait_view(
        &county,
        &format!("/api/incidents/{incident}"),
        "the first report at the county",
        |_| true,
    );
    assert_eq!(detail["incident"]["current"]["title"], "西戈壁村洪涝");
    assert_eq!(detail["incident"]["current"]["casualties"]["trapped"], 3);
    let short = &incident[..8];

    // Follow-ups, consultation, release, response decisions.
    village.write(
        "/api/incident/update",
        json!({"incident": short, "report": {"trapped": 1, "evacuated": 40}}),
    );
    county.write(
        "/api/incident/consult",
        json!({"incident": short, "topic": "水情研判", "participants": "水利，气象", "assessment": "水位仍在上涨"}),
    );
    county.write(
        "/api/incident/release",
        json!({"incident": short, "channel": "政府网站", "headline": "沙湾市发布汛情", "text": "请群众远离河道"}),
    );
    wait_view(&county, "/api/incidents", "the update at the county", |v| {
        v["incidents"][0]["reports"].as_array().map(Vec::len) == Some(2)
    });
    county.write(
        "/api/response/activate",
        json!({"incident": short, "level": "IV", "lead_hq": "沙湾市防汛指挥部", "units": "水利、消防"}),
    );
    county.write(
        "/api/response/adjust",
        json!({"incident": short, "level": "IV", "lead_hq": "沙湾市应急指挥部"}),
    );

    // Warnings.
    let warning = county.write(
        "/api/warning/issue",
        json!({"color": "orange", "event": "meteorological", "expires": "+24h",
               "headline": "暴雨橙色预警", "headline_en": "Orange rainstorm warning",
               "description": "未来6小时降雨量将达50毫米以上"}),
    );
    county.write(
        "/api/warning/update",
        json!({"warning": &warning[..8], "fields": {"color": "red"}}),
    );
    let (_, ws) = county.get("/api/warnings");
    assert_eq!(ws["warnings"][0]["current"]["color"], "red");
    county.write(
        "/api/warning/cancel",
        json!({"warning": &warning[..8], "reason": "雨势减弱"}),
    );

    // Resources: request → offer → commit → dispatch → deliver → return;
    // a second commit released.
    let request = village.write(
        "/api/resource/request",
        json!({"item": "冲锋舟", "unit": "艘", "quantity": 2, "deliver_to": "西戈壁村委会",
               "incident": short, "needed_by": "+3h"}),
    );
    wait_view(
        &county,
        "/api/resources",
        "the request at the county",
        |v| v["requests"].as_array().is_some_and(|a| !a.is_empty()),
    );
    let offer = county.write(
        "/api/resource/offer",
        json!({"item": "冲锋舟", "unit": "艘", "quantity": 5, "location": "县应急物资库",
               "request": &request[..8]}),
    );
    let commit = county.write(
        "/api/resource/commit",
        json!({"offer": &offer[..8], "request": &request[..8], "quantity": 1, "eta": "+1h"}),
    );
    county.write("/api/resource/dispatch", json!({"commit": &commit[..8]}));
    // Receipt is the receiving side's (the village's), and happens once.
    county.refused(
        "/api/resource/deliver",
        json!({"commit": &commit[..8]}),
        403,
        "not_party",
    );
    wait_view(
        &village,
        "/api/resources",
        "the dispatch at the village",
        |v| v["commits"][0]["status"] == "dispatched",
    );
    village.write("/api/resource/deliver", json!({"commit": &commit[..8]}));
    village.refused(
        "/api/resource/deliver",
        json!({"commit": &commit[..8]}),
        409,
        "duplicate_status",
    );
    wait_view(
        &county,
        "/api/resources",
        "the receipt at the county",
        |v| v["commits"][0]["status"] == "delivered",
    );
    county.write(
        "/api/resource/return",
        json!({"commit": &commit[..8], "note": "已归还"}),
    );
    // One more boat than the request still needs is refused unless marked.
    county.refused(
        "/api/resource/commit",
        json!({"offer": &offer[..8], "request": &request[..8], "quantity": 2}),
        409,
        "over_request",
    );
    let second = county.write(
        "/api/resource/commit",
        json!({"offer": &offer[..8], "request": &request[..8], "quantity": 1}),
    );
    wait_view(
        &village,
        "/api/resources",
        "the second commit at the village",
        |v| v["commits"].as_array().map(Vec::len) == Some(2),
    );
    village.write("/api/resource/release", json!({"commit": &second[..8]}));
    let res = wait_view(
        &county,
        "/api/resources",
        "the release at the county",
        |v| v["commits"][1]["status"] == "released",
    );
    assert_eq!(res["requests"][0]["committed"], 2, "{res}");
    assert_eq!(res["commits"][0]["status"], "returned");

    // Tasks: assigned at the county, acknowledged and done at the village;
    // a second one refused.
    let task = county.write(
        "/api/task/assign",
        json!({"to": [VILLAGE], "objective": "组织转移低洼地带群众", "due": "+2h", "incident": short}),
    );
    let inbox = wait_view(
        &village,
        "/api/tasks",
        "the task in the village's inbox",
        |v| v["inbox"].as_array().is_some_and(|a| !a.is_empty()),
    );
    assert_eq!(inbox["inbox"][0]["state"], "assigned");
    village.write("/api/task/ack", json!({"task": &task[..8]}));
    village.write(
        "/api/task/progress",
        json!({"task": &task[..8], "note": "正在转移"}),
    );
    village.write("/api/task/done", json!({"task": &task[..8]}));
    let refused = county.write(
        "/api/task/assign",
        json!({"to": [VILLAGE], "objective": "派员值守水文站"}),
    );
    wait_view(&village, "/api/tasks", "the second task", |v| {
        v["inbox"].as_array().map(Vec::len) == Some(2)
    });
    village.write(
        "/api/task/refuse",
        json!({"task": &refused[..8], "note": "人员不足"}),
    );
    let tasks = wait_view(
        &county,
        "/api/tasks",
        "the village's answers at the county",
        |v| {
            v["tasks"][0]["assignees"][0]["state"] == "done"
                && v["tasks"][1]["assignees"][0]["state"] == "refused"
        },
    );
    assert!(tasks["tasks"][0]["assignees"][0]["ack_latency_ms"].is_u64());

    // Plans.
    let plan = county.write(
        "/api/plan/register",
        json!({"title": "沙湾市防汛应急预案", "version": "2026版", "review_due": "2027-06-30",
               "events": ["flood_drought"]}),
    );
    // 分级负责: no post approves its own plan; only its owner or a post
    // above activates it.
    let e = county.refused(
        "/api/plan/approve",
        json!({"plan": &plan[..8]}),
        403,
        "not_authorized",
    );
    assert!(e["zh"].as_str().is_some_and(|z| z.contains("上级")), "{e}");
    wait_view(&village, "/api/plans", "the plan at the village", |v| {
        v["plans"].as_array().is_some_and(|a| !a.is_empty())
    });
    village.refused(
        "/api/plan/activate",
        json!({"plan": &plan[..8], "incident": short}),
        403,
        "not_authorized",
    );
    county.write(
        "/api/plan/activate",
        json!({"plan": &plan[..8], "incident": short}),
    );
    let (_, plans) = county.get("/api/plans");
    assert_eq!(plans["plans"][0]["approved"], false);
    assert_eq!(
        plans["plans"][0]["activations"].as_array().map(Vec::len),
        Some(1)
    );

    // The timeline of the incident holds all of it.
    let detail = wait_view(
        &county,
        &format!("/api/incidents/{short}"),
        "the incident's whole timeline",
        |v| {
            let kinds: Vec<&str> = v["timeline"]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x["kind"].as_str()).collect())
                .unwrap_or_default();
            [
                "report",
                "decision",
                "plan",
                "consultation",
                "release",
                "request",
                "commit",
                "status",
                "task",
                "task_update",
            ]
            .iter()
            .all(|k| kinds.contains(k))
        },
    );
    assert_eq!(detail["incident"]["response"]["level"], "IV");

    // Response ended, incident closed (终报) at the village.
    county.write("/api/response/end", json!({"incident": short}));
    wait_view(
        &village,
        &format!("/api/incidents/{short}"),
        "the end at the village",
        |v| v["incident"]["response"]["active"] == json!(false),
    );
    village.write(
        "/api/incident/close",
        json!({"incident": short, "report": {"trapped": 0}}),
    );

    // A drill: started, written into, ended, reviewed; reality untouched.
    let drill = county.write(
        "/api/drill/start",
        json!({"name": "防汛联合演练", "scenario": "河堤溃口"}),
    );
    county.write(
        &format!("/api/incident/report?drill={}", &drill[..8]),
        json!({"title": "演练事件", "event": "flood_drought", "severity": "IV"}),
    );
    let (_, drill_view) = county.get(&format!("/api/incidents?drill={}", &drill[..8]));
    assert_eq!(drill_view["incidents"][0]["current"]["title"], "演练事件");
    county.write(
        &format!("/api/drill/end?drill={}", &drill[..8]),
        json!({"summary": "响应及时"}),
    );
    let (s, review) = county.get(&format!("/api/review?drill={}", &drill[..8]));
    assert_eq!(s, 200, "{review}");
    assert_eq!(review["incidents"][0]["title"], "演练事件");
    let (s, review) = county.get(&format!("/api/review?incident={short}"));
    assert_eq!(s, 200, "{review}");
    // The review of an incident counts the tasks linked to it.
    assert_eq!(review["tasks"]["tasks"], 1);

    // Every read view answers.
    for path in [
        "/api/status",
        "/api/views",
        "/api/overview",
        "/api/incidents",
        "/api/responses",
        "/api/warnings",
        "/api/resources",
        "/api/tasks",
        "/api/plans",
        "/api/drills",
        "/api/conflicts",
        "/api/invalid",
        "/api/network",
        "/api/members",
        "/api/regions",
        "/api/digest",
        "/api/entries?kind=incident_report",
        "/api/access",
    ] {
        let (s, v) = county.get(path);
        assert_eq!(s, 200, "GET {path}: {v}");
    }
    let (_, overview) = county.get("/api/overview");
    assert_eq!(overview["closed"], 1, "{overview}");
    // The console's incidents list: the newest open and closed ones only,
    // with the counts of all.
    let (_, all) = county.get("/api/incidents");
    let all = all["incidents"].as_array().cloned().unwrap_or_default();
    let open = all.iter().filter(|i| i["closed"].is_null()).count();
    let closed = all.len() - open;
    assert!(closed >= 1, "{all:?}");
    let (s, latest) = county.get("/api/incidents?latest=1");
    assert_eq!(s, 200, "{latest}");
    assert_eq!(latest["open"], open, "{latest}");
    assert_eq!(latest["closed"], closed, "{latest}");
    let listed = latest["incidents"].as_array().cloned().unwrap_or_default();
    assert_eq!(listed.len(), open.min(1) + closed.min(1), "{latest}");
    let newest_closed = all.iter().rev().find(|i| !i["closed"].is_null());
    assert!(
        listed
            .iter()
            .any(|i| Some(&i["id"]) == newest_closed.map(|n| &n["id"]))
    );
    let (_, none) = county.get("/api/incidents?latest=0");
    assert_eq!(none["incidents"], serde_json::json!([]), "{none}");
    // A search: by the first incident's title, then by words nothing has;
    // `all` counts every incident either way.
    let title = all[0]["current"]["title"].as_str().unwrap_or_default();
    let (s, found) = county.get(&format!("/api/incidents?latest=5&q={}", urlencode(title)));
    assert_eq!(s, 200, "{found}");
    assert!(
        found["incidents"]
            .as_array()
            .is_some_and(|l| l.iter().any(|i| i["id"] == all[0]["id"])),
        "{found}"
    );
    assert_eq!(found["all"], all.len(), "{found}");
    let (_, nothing) = county.get("/api/incidents?latest=5&q=zzz-nothing");
    assert_eq!(nothing["incidents"], serde_json::json!([]), "{nothing}");
    assert_eq!(
        (&nothing["open"], &nothing["closed"]),
        (&0.into(), &0.into())
    );
    // One character over the limit is refused, by name.
    let over = "a".repeat(liandong_node::domain::incident_search::MAX_SEARCH_CHARS + 1);
    let (s, refused) = county.get(&format!("/api/incidents?q={over}"));
    assert_eq!(s, 400, "{refused}");
    assert_eq!(refused["error"]["code"], "search_too_long", "{refused}");
    let (_, responses) = county.get("/api/responses");
    assert_eq!(
        responses["responses"][0]["decisions"]
            .as_array()
            .map(Vec::len),
        Some(3),
        "{responses}"
    );
    let (_, reality) = county.get("/api/incidents");
    assert_eq!(reality["incidents"].as_array().map(Vec::len), Some(1));
    let (_, net) = county.get("/api/network");
    assert!(
        net["heard"].as_array().is_some_and(|a| a
            .iter()
            .any(|h| h["name"] == VILLAGE && h["connected"] == json!(true))),
        "{net}"
    );
    // No township post runs here: the village's parent is the nearest post
    // above it, the county (a township nobody runs would read "never heard").
    let (_, vnet) = village.get("/api/network");
    assert_eq!(vnet["parent"]["region"], "654203", "{vnet}");
    assert_eq!(vnet["parent"]["name"], COUNTY, "{vnet}");
    assert_eq!(vnet["parent"]["connected"], json!(true), "{vnet}");
    // Region names for the console's lists; an unknown code has none.
    let (s, names) = county.get("/api/region-names?codes=654203,654203106,659999");
    assert_eq!(s, 200, "{names}");
    assert_eq!(names["654203"]["name"], "沙湾市", "{names}");
    assert_eq!(names["654203106"]["name"], "西戈壁镇", "{names}");
    assert!(names.get("659999").is_none(), "{names}");
    let many = vec!["654203"; MAX_REGION_NAME_CODES].join(",");
    let (s, _) = county.get(&format!("/api/region-names?codes={many}"));
    assert_eq!(s, 200, "exactly the limit is answered");
    let (s, refused) = county.get(&format!("/api/region-names?codes={many},654203"));
    assert_eq!(s, 400, "{refused}");
    assert_eq!(refused["error"]["code"], "too_many_codes", "{refused}");
    let (_, members) = county.get("/api/members");
    assert_eq!(members["mode"], "dev");
    assert_eq!(
        members["tree"].as_array().map(Vec::len),
        Some(2),
        "{members}"
    );
    let (_, regions) = county.get("/api/regions");
    assert_eq!(regions["code"], "654203", "{regions}");
    assert_eq!(regions["children"][0]["children"][0]["posts"][0], VILLAGE);
}

#[test]
fn bad_input_is_refused_with_exact_codes() {
    let (_posts, api, _, _) = county_and_village(false);
    let report = |extra: Value| {
        let mut body = json!({"title": "x", "event": "fire", "severity": "IV"});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        body
    };

    // Missing fields, named.
    let e = api.refused(
        "/api/incident/report",
        json!({"event": "fire", "severity": "IV"}),
        400,
        "missing_field",
    );
    assert_eq!(e["field"], "title");
    assert!(
        e["zh"].as_str().is_some_and(|z| z.contains("事件名称")),
        "{e}"
    );
    let e = api.refused(
        "/api/resource/commit",
        json!({"offer": "abcd", "request": "abcd"}),
        400,
        "missing_field",
    );
    assert_eq!(e["field"], "quantity");
    // A warning form with several faults: every one named at once, each
    // with its own code and message for the console to show at its field;
    // English is optional, so it is not among them.
    let e = api.refused(
        "/api/warning/issue",
        json!({"color": "green", "event": "flood_drought", "polygon": "44.3;85.5"}),
        400,
        "invalid_fields",
    );
    assert_eq!(e["field"], "color", "the first stays `field`");
    let fields: Vec<(&str, &str)> = e["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["field"].as_str().unwrap_or(""),
                        f["code"].as_str().unwrap_or(""),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        fields,
        [
            ("color", "invalid_field"),
            ("polygon", "invalid_field"),
            ("expires", "missing_field"),
            ("headline", "missing_field"),
            ("description", "missing_field"),
        ],
        "{e}"
    );
    for f in e["fields"].as_array().into_iter().flatten() {
        assert!(
            f["zh"].as_str().is_some_and(|t| !t.is_empty())
                && f["en"].as_str().is_some_and(|t| !t.is_empty()),
            "{f}"
        );
    }
    assert!(
        e["zh"]
            .as_str()
            .is_some_and(|z| z.starts_with("有 5 项需补正")),
        "{e}"
    );
    // And a warning in Chinese alone is issued.
    api.write(
        "/api/warning/issue",
        json!({"color": "blue", "event": "flood_drought", "expires": "+6h",
               "headline": "沙湾市洪水蓝色预警", "description": "河道水位上涨"}),
    );
    let (_, ws) = api.get("/api/warnings");
    assert_eq!(ws["warnings"][0]["current"]["headline_en"], "", "{ws}");
    // Wrong types.
    let e = api.refused(
        "/api/incident/report",
        report(json!({"trapped": "three"})),
        400,
        "invalid_field",
    );
    assert_eq!(e["field"], "trapped");
    let e = api.refused(
        "/api/incident/report",
        report(json!({"title": 5})),
        400,
        "invalid_field",
    );
    assert_eq!(e["field"], "title");
    // Values that do not parse.
    let e = api.refused(
        "/api/incident/report",
        report(json!({"event": "flood"})),
        400,
        "invalid_field",
    );
    assert_eq!(e["field"], "event");
    let e = api.refused(
        "/api/incident/report",
        report(json!({"severity": "V"})),
        400,
        "invalid_field",
    );
    assert_eq!(e["field"], "severity");
    let e = api.refused(
        "/api/incident/report",
        report(json!({"occurred": "yesterday-ish"})),
        400,
        "invalid_field",
    );
    assert_eq!(e["field"], "occurred");
    let e = api.refused(
        "/api/incident/report",
        report(json!({"point": "95,0"})),
        400,
        "invalid_field",
    );
    assert_eq!(e["field"], "point");
    // Unknown fields.
    let e = api.refused(
        "/api/incident/report",
        report(json!({"titel": "x"})),
        400,
        "unknown_field",
    );
    assert_eq!(e["field"], "titel");
    // Not JSON, not an object, not declared JSON, too big.
    for (body, ctype, status, code) in [
        (&b"{"[..], "application/json", 400, "invalid_json"),
        (&b"[1, 2]"[..], "application/json", 400, "invalid_json"),
        (
            &b"title=x"[..],
            "application/x-www-form-urlencoded",
            415,
            "unsupported_media_type",
        ),
    ] {
        let (s, v) = api.post_raw(
            "/api/incident/report",
            body,
            ctype,
            &[("x-liandong-request", "1")],
        );
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (status, Some(code)),
            "{v}"
        );
    }
    let big = json!({"title": "洪".repeat(100_000), "event": "fire", "severity": "IV"});
    let e = api.refused("/api/incident/report", big, 413, "body_too_large");
    assert!(
        e["en"].as_str().is_some_and(|t| t.contains("256 KiB")),
        "{e}"
    );
    // Field rules of the body: named too.
    let e = api.refused(
        "/api/resource/request",
        json!({"item": "帐篷", "unit": "顶", "quantity": 0, "deliver_to": "x"}),
        422,
        "invalid_body",
    );
    assert_eq!(e["field"], "quantity");
    let e = api.refused(
        "/api/incident/report",
        report(json!({"title": " "})),
        400,
        "missing_field",
    );
    assert_eq!(e["field"], "title");

    // Unknown and malformed ids.
    let unknown = "ab".repeat(32);
    let e = api.refused(
        "/api/incident/update",
        json!({"incident": unknown}),
        404,
        "unknown_incident",
    );
    assert_eq!(e["field"], "incident");
    api.refused(
        "/api/incident/consult",
        json!({"incident": "abcdef12", "topic": "t", "assessment": "a"}),
        404,
        "unknown_incident",
    );
    api.refused(
        "/api/incident/update",
        json!({"incident": "xy"}),
        400,
        "invalid_id",
    );
    api.refused(
        "/api/task/ack",
        json!({"task": "abcd1234"}),
        404,
        "unknown_task",
    );
    api.refused(
        "/api/resource/dispatch",
        json!({"commit": "abcd1234"}),
        404,
        "unknown_commit",
    );
    api.refused(
        "/api/warning/cancel",
        json!({"warning": "abcd1234"}),
        404,
        "unknown_warning",
    );
    api.refused(
        "/api/plan/approve",
        json!({"plan": "abcd1234"}),
        404,
        "unknown_plan",
    );
    api.refused(
        "/api/incident/report?drill=abcd1234",
        report(json!({})),
        404,
        "unknown_drill",
    );
    api.refused(
        "/api/task/assign",
        json!({"to": ["无此单位"], "objective": "o"}),
        404,
        "unknown_post",
    );
    for path in [
        format!("/api/incidents/{unknown}"),
        "/api/incidents/abcdef12".to_string(),
    ] {
        let (s, v) = api.get(&path);
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (404, Some("unknown_incident")),
            "{v}"
        );
    }
    let (s, v) = api.get("/api/incidents/xy");
    assert_eq!((s, v["error"]["code"].as_str()), (400, Some("invalid_id")));
    let (s, v) = api.get("/api/review?incident=abcdef12");
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (404, Some("unknown_incident"))
    );
    let (s, v) = api.get("/api/digest?scope=12x");
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (400, Some("invalid_region"))
    );
    let (s, v) = api.get("/api/entries?kind=gossip");
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (400, Some("invalid_kind"))
    );
    let (s, v) = api.get("/api/entries?limit=many");
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (400, Some("bad_request")),
        "{v}"
    );

    // The rules: authority, conflicts, refusals.
    let incident = api.write("/api/incident/report", report(json!({"title": "仓库火灾"})));
    let e = api.refused(
        "/api/response/activate",
        json!({"incident": &incident[..8], "level": "I", "lead_hq": "x"}),
        403,
        "not_authorized",
    );
    assert!(e["zh"].as_str().is_some_and(|z| !z.is_empty()));
    api.refused(
        "/api/response/end",
        json!({"incident": &incident[..8]}),
        409,
        "no_active_response",
    );
    api.refused(
        "/api/task/refuse",
        json!({"task": "abcd1234"}),
        400,
        "missing_field",
    );
    api.write("/api/incident/close", json!({"incident": &incident[..8]}));
    api.refused(
        "/api/incident/update",
        json!({"incident": &incident[..8], "report": {"dead": 1}}),
        409,
        "closed_incident",
    );
    api.refused(
        "/api/incident/close",
        json!({"incident": &incident[..8], "verified": true}),
        400,
        "invalid_field",
    );
    // The post that closed it reopens it explicitly; once.
    api.write(
        "/api/incident/update",
        json!({"incident": &incident[..8], "reopen": true}),
    );
    api.refused(
        "/api/incident/update",
        json!({"incident": &incident[..8], "reopen": true}),
        409,
        "not_closed",
    );
    api.refused(
        "/api/incident/report",
        report(json!({"region": "654202"})),
        403,
        "not_authorized",
    );

    // Routing and bundles.
    api.refused("/api/incident/explode", json!({}), 404, "not_found");
    let (s, v) = api.get("/api/incident/report");
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (405, Some("method_not_allowed"))
    );
    let (s, v) = api.get("/api/nothing-here");
    assert_eq!((s, v["error"]["code"].as_str()), (404, Some("not_found")));
    let (s, v) = api.post_raw(
        "/api/bundle/import",
        b"not a bundle",
        "application/octet-stream",
        &[("x-liandong-request", "1")],
    );
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (400, Some("invalid_bundle")),
        "{v}"
    );

    // Cross-site requests and rebinding.
    let (s, v) = api.post_raw(
        "/api/incident/report",
        report(json!({})).to_string().as_bytes(),
        "application/json",
        &[],
    );
    assert_eq!((s, v["error"]["code"].as_str()), (403, Some("csrf")));
    let (s, v) = api.post_raw(
        "/api/incident/report",
        report(json!({})).to_string().as_bytes(),
        "application/json",
        &[
            ("x-liandong-request", "1"),
            ("origin", "http://evil.example"),
        ],
    );
    assert_eq!((s, v["error"]["code"].as_str()), (403, Some("csrf")));
    let (s, v) = api.get_with("/api/status", &[("host", "evil.example:7480")]);
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (403, Some("forbidden_host"))
    );
    // The console's own origin is fine.
    let host = api.base.trim_start_matches("http://").to_string();
    let (s, v) = api.post_raw(
        "/api/incident/report",
        report(json!({"title": "同源请求"})).to_string().as_bytes(),
        "application/json",
        &[
            ("x-liandong-request", "1"),
            ("origin", &format!("http://{host}")),
        ],
    );
    assert_eq!(s, 200, "{v}");
}

#[test]
fn the_operator_token_guards_everything_but_the_login() {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = init_post(tmp.path(), COUNTY, "654203", NET);
    let rt = runtime();
    let token = "a-long-operator-token-for-tests";
    let o = options(&dir, vec![], NO_TIMER);
    let console = ConsoleOptions {
        listen: "127.0.0.1:0".parse().expect("addr"),
        token: Some(token.into()),
    };
    let node = rt.block_on(app::start(o, Some(console))).expect("spawn");
    let base = format!("http://{}", node.console().expect("console"));
    let mut api = Api::new(&base);

    for path in ["/api/status", "/api/me", "/metrics", "/api/events"] {
        let (s, v) = api.get(path);
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (401, Some("unauthorized")),
            "{path}"
        );
    }
    let (s, v) = api.get("/api/access");
    assert_eq!((s, v["token_required"].as_bool()), (200, Some(true)));
    let (s, html, _) = api.text("/");
    assert!(s == 200 && html.contains("/assets/app.js"));
    let (s, _, ctype) = api.text("/assets/app.js");
    assert_eq!((s, ctype.as_str()), (200, "text/javascript; charset=utf-8"));
    let e = api.refused("/api/login", json!({"token": "wrong"}), 401, "bad_token");
    assert_eq!(e["field"], "token");

    // The login sets a session cookie that is not the token.
    let (s, v) = api.post("/api/login", &json!({"token": token}));
    assert_eq!(s, 200, "{v}");
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build();
    let agent = ureq::Agent::new_with_config(agent);
    let resp = agent
        .post(format!("{base}/api/login"))
        .header("x-liandong-request", "1")
        .content_type("application/json")
        .send(json!({"token": token}).to_string())
        .expect("login");
    let cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie")
        .to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(!cookie.contains(token));
    let pair = cookie.split(';').next().expect("pair").to_string();
    let (s, _) = api.get_with("/api/status", &[("cookie", &pair)]);
    assert_eq!(s, 200);
    let (s, _) = api.get_with("/api/status", &[("cookie", "liandong_session=00")]);
    assert_eq!(s, 401);

    // A bearer token works too (scripts, Prometheus), on any Host.
    api.token = Some(token.into());
    let (s, _) = api.get_with("/api/status", &[("host", "console.example:7480")]);
    assert_eq!(s, 200);
    let (s, metrics, _) = api.text("/metrics");
    assert!(s == 200 && metrics.contains("liandong_peers"));
    rt.block_on(node.shutdown());
}

#[test]
fn a_console_off_loopback_needs_a_token() {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = init_post(tmp.path(), COUNTY, "654203", NET);
    let rt = runtime();
    let o: NodeOptions = options(&dir, vec![], NO_TIMER);
    let mut console = ConsoleOptions::on("0.0.0.0:0".parse().expect("addr"));
    let err = rt
        .block_on(app::start(o.clone(), Some(console.clone())))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("token") && err.contains("令牌"), "{err}");
    console.token = Some("short".into());
    assert!(
        rt.block_on(app::start(o.clone(), Some(console.clone())))
            .is_err()
    );
    console.token = Some("a-long-operator-token-for-tests".into());
    let node = rt
        .block_on(app::start(o, Some(console)))
        .expect("with a token");
    assert!(node.console().is_some_and(|a| a.ip().is_unspecified()));
    rt.block_on(node.shutdown());
}

#[test]
fn metrics_live_events_and_no_secrets() {
    let (posts, api, _, dir) = county_and_village(false);

    // A live listener, reading the event stream on its own thread.
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let url = format!("{}/api/events", api.base);
    std::thread::spawn(move || {
        let agent = ureq::Agent::new_with_config(ureq::Agent::config_builder().build());
        let Ok(resp) = agent.get(&url).call() else {
            return;
        };
        let reader = BufReader::new(resp.into_body().into_reader());
        for line in reader.lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    // The stream is open once its first keep-alive or event could arrive;
    // write until an event shows up (each write is a new entry).
    let mut seen = false;
    for attempt in 0..20 {
        api.write(
            "/api/incident/report",
            json!({"title": format!("测试事件{attempt}"), "event": "fire", "severity": "IV"}),
        );
        let end = std::time::Instant::now() + Duration::from_secs(3);
        while let Ok(line) =
            rx.recv_timeout(end.saturating_duration_since(std::time::Instant::now()))
        {
            if line.starts_with("data:") && line.contains("incident_report") {
                seen = true;
                break;
            }
        }
        if seen {
            break;
        }
    }
    assert!(seen, "no entry event on /api/events");

    let (s, text, ctype) = api.text("/metrics");
    assert_eq!(s, 200);
    assert!(ctype.starts_with("application/openmetrics-text"), "{ctype}");
    for needle in [
        "liandong_entries_written_total{kind=\"incident_report\"}",
        "liandong_entries{kind=\"incident_report\"}",
        "liandong_store_bytes",
        "liandong_store_entries",
        "liandong_peers 0",
        "liandong_first_report_latency_seconds_bucket",
        "liandong_gossip_published_total",
        "libp2p_swarm",
        "# EOF",
    ] {
        assert!(text.contains(needle), "metrics lack {needle}:\n{text}");
    }

    // No secret key material anywhere.
    let key = std::fs::read_to_string(dir.key_path()).expect("key file");
    let secret = key
        .lines()
        .find(|l| l.len() == 64 && l.bytes().all(|b| b.is_ascii_hexdigit()))
        .expect("hex secret line")
        .to_string();
    for path in [
        "/api/status",
        "/api/me",
        "/api/network",
        "/api/members",
        "/api/views",
        "/api/entries",
        "/metrics",
        "/",
        "/assets/app.js",
    ] {
        let (_, body, _) = api.text(path);
        assert!(!body.contains(&secret), "{path} serves the secret key");
    }
    drop(posts);
}

#[test]
fn a_bundle_exported_over_http_imports_over_http() {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let county_dir = init_post(tmp.path(), COUNTY, "654203", NET);
    let village_dir = init_post(tmp.path(), VILLAGE, "654203106201", NET);
    let rt = runtime();
    // Two posts that never connect: the bundle is the only link.
    let (county, county_url) = rt.block_on(spawn_console(&county_dir, vec![], NO_TIMER));
    let (village, village_url) = rt.block_on(spawn_console(&village_dir, vec![], NO_TIMER));
    let (c, v) = (Api::new(&county_url), Api::new(&village_url));
    let id = c.write(
        "/api/incident/report",
        json!({"title": "县城内涝", "event": "flood_drought", "severity": "IV"}),
    );
    let agent = ureq::Agent::new_with_config(ureq::Agent::config_builder().build());
    let bundle = agent
        .get(format!("{county_url}/api/bundle"))
        .call()
        .expect("export")
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .expect("bundle bytes");
    let (s, summary) = v.post_raw(
        "/api/bundle/import",
        &bundle,
        "application/octet-stream",
        &[("x-liandong-request", "1")],
    );
    assert_eq!(s, 200, "{summary}");
    assert!(
        summary["added"].as_u64().is_some_and(|n| n >= 2),
        "{summary}"
    );
    let (s, detail) = v.get(&format!("/api/incidents/{id}"));
    assert_eq!(s, 200, "{detail}");
    assert_eq!(detail["incident"]["current"]["title"], "县城内涝");
    // Importing again adds nothing.
    let (_, again) = v.post_raw(
        "/api/bundle/import",
        &bundle,
        "application/octet-stream",
        &[("x-liandong-request", "1")],
    );
    assert_eq!(again["added"], 0, "{again}");
    rt.block_on(async {
        county.shutdown().await;
        village.shutdown().await;
    });
}

/// The CAP gateway over HTTP: an alert in (and recognised again), every
/// problem of a bad one named, links never followed, the size bounded;
/// a warning out as CAP 1.2 and the Atom index linking it; and the
/// village, which holds the county's warning by gossip, serves it too.
#[test]
fn cap_goes_in_and_out_over_http() {
    let (_posts, county, village, _) = county_and_village(true);
    let village = village.expect("village");
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../node/tests/fixtures/cap");
    let read = |name: &str| {
        std::fs::read(format!("{fixtures}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let csrf = [("x-liandong-request", "1")];
    let post_cap =
        |api: &Api, body: &[u8]| api.post_raw("/api/cap", body, "application/xml", &csrf);

    let (s, report) = post_cap(&county, &read("rainstorm-orange.xml"));
    assert_eq!(s, 200, "{report}");
    assert_eq!(
        report["written"].as_array().map(Vec::len),
        Some(1),
        "{report}"
    );
    let (s, again) = post_cap(&county, &read("rainstorm-orange.xml"));
    assert_eq!(s, 200, "{again}");
    assert_eq!(
        again["skipped"][0]["identifier"],
        "65420304100000_20260715143000_1"
    );

    let (s, bad) = post_cap(&county, &read("invalid-four-problems.xml"));
    assert_eq!(
        (s, bad["error"]["code"].as_str()),
        (422, Some("invalid_cap")),
        "{bad}"
    );
    let en = bad["error"]["en"].as_str().expect("en");
    assert_eq!(en.lines().count(), 4, "every problem, one per line: {en}");

    // An index linking a file: the API follows no link.
    let index = r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>x</title><updated>2026-12-02T08:00:00+08:00</updated><entry><id>e</id><title>e</title><updated>2026-12-02T08:00:00+08:00</updated><link href="rainstorm-orange.xml"/></entry></feed>"#;
    let (s, linked) = post_cap(&county, index.as_bytes());
    assert_eq!(
        (s, linked["error"]["code"].as_str()),
        (422, Some("invalid_cap")),
        "{linked}"
    );

    // One limit on both sides: a document of exactly MAX_CAP_BYTES (the
    // alert padded with trailing whitespace) is read; one byte more is not.
    let mut largest = read("rainstorm-orange.xml");
    largest.resize(liandong_node::gateway::cap::MAX_CAP_BYTES, b' ');
    let (s, at_limit) = post_cap(&county, &largest);
    assert_eq!(s, 200, "{at_limit}");
    assert_eq!(
        at_limit["skipped"].as_array().map(Vec::len),
        Some(1),
        "{at_limit}"
    );
    let huge = vec![b' '; liandong_node::gateway::cap::MAX_CAP_BYTES + 1];
    let (s, big) = post_cap(&county, &huge);
    assert_eq!(
        (s, big["error"]["code"].as_str()),
        (413, Some("body_too_large")),
        "{big}"
    );

    let (s, refused) = post_cap(&county, &read("rainstorm-exercise.xml"));
    assert_eq!(
        (s, refused["error"]["code"].as_str()),
        (422, Some("import_refused")),
        "{refused}"
    );

    // A native warning in force: served as CAP, listed in the index.
    let id = county.write(
        "/api/warning/issue",
        json!({"color": "yellow", "event": "meteorological", "expires": "+24h",
               "headline": "大风黄色预警", "headline_en": "Yellow gale warning",
               "description": "阵风可达 9 级"}),
    );
    let (s, xml, ctype) = county.text(&format!("/api/cap/{}.xml", &id[..8]));
    assert_eq!(s, 200, "{xml}");
    assert_eq!(ctype, "application/cap+xml");
    assert!(
        xml.contains("<severity>Moderate</severity>") && xml.contains("大风黄色预警"),
        "{xml}"
    );
    let (s, atom, ctype) = county.text("/api/cap/index.atom");
    assert_eq!(s, 200, "{atom}");
    assert!(ctype.starts_with("application/atom+xml"), "{ctype}");
    assert!(atom.contains(&format!("/api/cap/{id}.xml")), "{atom}");
    assert!(
        !atom.contains("暴雨橙色预警信号"),
        "the expired July alert is not in force: {atom}"
    );
    let (s, missing) = county.get("/api/cap/ffffffff.xml");
    assert_eq!(
        (s, missing["error"]["code"].as_str()),
        (404, Some("unknown_warning")),
        "{missing}"
    );

    // The village holds the alert the county recorded (by gossip; no role
    // is needed to record one) and serves it as the county does. (The
    // county's own warning needs the issuer role, which in development
    // mode only the county's roles file grants.)
    let external = report["written"][0]["entry"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    wait_view(
        &village,
        "/api/warnings",
        "the alert reaches the village",
        |v| {
            v["warnings"]
                .as_array()
                .is_some_and(|w| w.iter().any(|w| w["id"] == external.as_str()))
        },
    );
    let (s, xml, _) = village.text(&format!("/api/cap/{external}.xml"));
    assert_eq!(s, 200, "{xml}");
    assert!(
        xml.contains("<identifier>65420304100000_20260715143000_1</identifier>"),
        "{xml}"
    );
}

#[test]
fn the_rescue_force_registry_over_http() {
    let (_posts, county, village, _) = county_and_village(true);
    let village = village.expect("village");

    let brigade = county.write(
        "/api/forces/register",
        json!({"name": "沙湾市消防救援大队", "type": "fire", "headcount": 42,
               "capabilities": ["water_rescue", "灭火"], "equipment": ["冲锋舟 4 艘"],
               "base": "44.322,85.606", "contact": "0993-119"}),
    );
    county.write(
        "/api/forces/register",
        json!({"name": "沙湾市蓝天救援队", "type": "volunteer", "headcount": 18,
               "capabilities": ["medical"], "base": "44.336,85.615"}),
    );
    // This post has no location: distances come from the point given.
    let (s, all) = county.get("/api/forces");
    assert_eq!(s, 200, "{all}");
    assert_eq!(all["total"], 2);
    assert!(all["origin"].is_null());
    assert!(
        all["vocab"]["capabilities"]
            .as_array()
            .is_some_and(|c| c.len() >= 10)
    );
    let (s, near) =
        county.get("/api/forces?capability=water_rescue&near=44.322,85.606&within_km=1");
    assert_eq!(s, 200, "{near}");
    assert_eq!(near["origin_is"], "query");
    assert_eq!(near["forces"].as_array().map(Vec::len), Some(1));
    assert_eq!(near["forces"][0]["id"], brigade.as_str());
    assert_eq!(near["forces"][0]["distance_km"], 0.0);
    assert_eq!(
        near["forces"][0]["capabilities_zh"],
        json!(["水域救援", "灭火"])
    );

    // A distance without a point, and a bad point, name their field.
    let (s, e) = county.get("/api/forces?within_km=5");
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (400, Some("near")),
        "{e}"
    );
    let (s, e) = county.get("/api/forces?near=north");
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (400, Some("near")),
        "{e}"
    );
    county.refused(
        "/api/forces/register",
        json!({"name": "x", "type": "bogus", "headcount": 1, "base": "44,85"}),
        400,
        "invalid_field",
    );

    // The owner updates; the village, below it, may not (its update,
    // scoped to the force's region, is outside its area before anything
    // else).
    county.write(
        "/api/forces/update",
        json!({"force": &brigade[..8], "availability": "deployed", "headcount": 40}),
    );
    let seen = wait_view(&village, "/api/forces", "the forces at the village", |v| {
        v["forces"].as_array().is_some_and(|f| {
            f.iter()
                .any(|f| f["id"] == brigade.as_str() && f["current"]["headcount"] == 40)
        })
    });
    assert_eq!(seen["total"], 2);
    let refusal = village.refused(
        "/api/forces/update",
        json!({"force": &brigade[..8], "availability": "resting"}),
        403,
        "not_authorized",
    );
    assert!(
        refusal["en"].as_str().is_some_and(|t| t.contains("654203")),
        "{refusal}"
    );
}

/// A warning expiring shows without any new entry: the console keeps the
/// views while the entries are the same and only sets the new time on
/// them (`Views::set_time`), so the status must still move on its own.
#[test]
fn a_warning_expires_on_the_console_without_a_new_entry() {
    let (_posts, county, _, _) = county_and_village(false);
    let warning = county.write(
        "/api/warning/issue",
        json!({"color": "blue", "event": "meteorological", "expires": "+4s",
               "headline": "大风蓝色预警", "description": "阵风7级"}),
    );
    let status = |v: &Value| {
        v["warnings"]
            .as_array()
            .and_then(|ws| ws.iter().find(|w| w["id"] == warning.as_str()))
            .and_then(|w| w["status"].as_str())
            .map(str::to_owned)
    };
    // Seen (and kept) before it expires, on any machine not four seconds
    // behind; then expired with the same entries.
    let first = wait_view(&county, "/api/warnings", "the warning", |v| {
        status(v).is_some()
    });
    let (_, before) = county.get("/api/digest");
    let last = wait_view(&county, "/api/warnings", "the warning expired", |v| {
        status(v).as_deref() == Some("expired")
    });
    let (_, after) = county.get("/api/digest");
    assert_eq!(before, after, "no entry was written meanwhile");
    assert!(
        matches!(status(&first).as_deref(), Some("active" | "expired")),
        "{first}"
    );
    assert_eq!(status(&last).as_deref(), Some("expired"));
}

/// Percent-encodes a query value (every byte but ASCII letters and digits).
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
