//! The web console in a real browser (headless Chromium over WebDriver),
//! on a 3-post network — a village, its township and its county:
//! a 首报 filed through the village's form appears on the county's console;
//! the county assigns a task that the village acknowledges in its inbox;
//! the language switches to English and back. Screenshots are saved under
//! `<target>/console-screenshots/` for people to look at.
//!
//! Needs `chromium` and `chromium-driver` (Debian). Without them the test
//! says SKIPPED loudly and passes.

use std::path::PathBuf;
use std::time::Duration;

use liandong_node::node::NodeHandle;
use liandong_tests::webdriver::{Browser, Tools};
use liandong_tests::*;
use serde_json::json;

const NET: &str = "console-net";
const NO_TIMER: Duration = Duration::from_secs(3600);

fn shots_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is <target>/tmp: the screenshots go beside it.
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent()
        .map(|t| t.join("console-screenshots"))
        .unwrap_or_else(|| tmp.join("console-screenshots"))
}

struct Net {
    rt: tokio::runtime::Runtime,
    nodes: Vec<NodeHandle>,
    _tmp: tempfile::TempDir,
}

impl Drop for Net {
    fn drop(&mut self) {
        let nodes = std::mem::take(&mut self.nodes);
        self.rt.block_on(async {
            for n in nodes {
                n.shutdown().await;
            }
        });
    }
}

#[test]
fn console_in_a_browser_on_three_posts() {
    let Some(tools) = Tools::find() else {
        eprintln!(
            "\n*** SKIPPED console_in_a_browser_on_three_posts: chromium and/or chromedriver not \
             found (Debian: apt-get install chromium chromium-driver) ***\n"
        );
        return;
    };
    init_logging();
    let shots = shots_dir();
    let _ = std::fs::create_dir_all(&shots);

    // Three posts in a line: village — township — county.
    let tmp = tempfile::tempdir().expect("tempdir");
    let rt = runtime();
    let dirs = [
        init_post(tmp.path(), "西戈壁村", "654203106201", NET),
        init_post(tmp.path(), "西戈壁镇", "654203106", NET),
        init_post(tmp.path(), "沙湾市", "654203", NET),
    ];
    // The county issues warnings (development mode grants the role).
    std::fs::write(
        dirs[2].root().join("dev-roles.toml"),
        "[roles]\n\"沙湾市\" = [\"warning_issuer\"]\n",
    )
    .expect("dev roles");
    let mut nodes = Vec::new();
    let mut urls = Vec::new();
    for d in &dirs {
        let (n, url) = rt.block_on(spawn_console(d, vec![], NO_TIMER));
        nodes.push(n);
        urls.push(url);
    }
    rt.block_on(async {
        connect(&nodes[0], &nodes[1]).await;
        connect(&nodes[1], &nodes[2]).await;
    });
    let (village, county) = (urls[0].clone(), urls[2].clone());
    let urls_township = urls[1].clone();
    let net = Net {
        rt,
        nodes,
        _tmp: tmp,
    };

    let browser = match Browser::launch(&tools, 1360, 900) {
        Ok(b) => b,
        Err(e) => panic!("chromium is installed but could not start: {e}"),
    };
    let shot = |name: &str| {
        let path = shots.join(format!("{name}.png"));
        browser
            .screenshot(&path)
            .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
    };
    let ok = |r: Result<(), String>| r.unwrap_or_else(|e| panic!("{e}"));

    // The village's overview, in Chinese by default.
    ok(browser.goto(&format!("{village}/#/overview")));
    ok(browser.wait_text("#nav-overview", "总览").map(drop));
    ok(browser.wait_for("#card-active").map(drop));
    shot("01-village-overview");

    // 首报 through the form: first refused with field-level messages.
    ok(browser.click_css("#btn-report"));
    ok(browser.wait_for("#form-incident-report").map(drop));
    ok(browser.click_css("#form-incident-report button[type=submit]"));
    let title_error = browser
        .wait(".field-error for title", |b| {
            let e = b.find(".field-error[data-field=title]")?;
            let t = b.text(&e)?;
            Ok((!t.is_empty()).then_some(t))
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(title_error.contains("事件名称"), "{title_error}");
    shot("02-village-report-validation");

    ok(browser.type_css("#form-incident-report-title", "西戈壁村洪涝"));
    ok(browser.set_value("#form-incident-report-event", "flood_drought"));
    ok(browser.set_value("#form-incident-report-severity", "IV"));
    ok(browser.type_css("#form-incident-report-trapped", "3"));
    ok(browser.type_css("#form-incident-report-evacuated", "37"));
    ok(browser.type_css(
        "#form-incident-report-actions",
        "已组织转移低洼地带群众，村委会设临时安置点",
    ));
    ok(browser.type_css("#form-incident-report-contact", "村支书 王建国 13800000000"));
    ok(browser.click_css("#form-incident-report details.more summary"));
    ok(browser.type_css("#form-incident-report-losses", "农田受淹约200亩"));
    // A position out of range: refused by the node, shown at the field.
    ok(browser.type_css("#form-incident-report-point", "95,85.622"));
    ok(browser.click_css("#form-incident-report button[type=submit]"));
    let point_error = browser
        .wait("the node's refusal at the point field", |b| {
            let e = b.find(".field-error[data-field=point]")?;
            let t = b.text(&e)?;
            Ok((!t.is_empty()).then_some(t))
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        point_error.contains("坐标格式") || point_error.contains("point"),
        "{point_error}"
    );
    shot("03-village-report-point-refused");
    ok(browser.set_value("#form-incident-report-point", "44.331,85.622"));
    shot("03-village-report-filled");
    ok(browser.click_css("#form-incident-report button[type=submit]"));
    let incident = browser
        .wait("the incident page after the report", |b| {
            let url = b.url()?;
            Ok(url
                .split("#/incidents/")
                .nth(1)
                .filter(|id| id.len() == 64)
                .map(str::to_string))
        })
        .unwrap_or_else(|e| panic!("{e}"));
    ok(browser.wait_text("main h1", "西戈壁村洪涝").map(drop));
    ok(browser.wait_for("#incident-timeline li").map(drop));
    shot("04-village-incident");

    // The county's console shows it (live, or on its next look).
    ok(browser.goto(&format!("{county}/#/overview")));
    ok(browser.wait_text("#nav-overview", "总览").map(drop));
    ok(
        browser.wait("the village's report on the county's overview", |b| {
            for e in b.find_all("tr.incident-row")? {
                if b.text(&e)?.contains("西戈壁村洪涝") {
                    return Ok(Some(()));
                }
            }
            // Not arrived yet: look again (the page also refreshes live).
            b.execute(
                "window.dispatchEvent(new HashChangeEvent('hashchange'))",
                vec![],
            )?;
            Ok(None)
        }),
    );
    shot("05-county-overview");

    // The county assigns a task to the village, linked to the incident.
    ok(browser.goto(&format!("{county}/#/incidents/{incident}")));
    ok(browser.wait_text("main h1", "西戈壁村洪涝").map(drop));
    ok(browser.goto(&format!("{county}/#/tasks")));
    ok(browser.click_css("#btn-assign"));
    ok(browser.wait_for("#form-task-assign").map(drop));
    ok(browser.wait("the village among the assignees", |b| {
        for e in b.find_all("#form-task-assign .multi label")? {
            if b.text(&e)?.contains("西戈壁村") {
                let input = b.find_all("#form-task-assign .multi input")?;
                let labels = b.find_all("#form-task-assign .multi label")?;
                for (l, i) in labels.iter().zip(input.iter()) {
                    if b.text(l)?.contains("西戈壁村") {
                        b.click(i)?;
                        return Ok(Some(()));
                    }
                }
            }
        }
        Ok(None)
    }));
    ok(browser.type_css(
        "#form-task-assign-objective",
        "组织转移低洼地带群众，12时前报告转移人数",
    ));
    ok(browser.type_css("#form-task-assign-incident", &incident[..8]));
    shot("06-county-assign-task");
    ok(browser.click_css("#form-task-assign button[type=submit]"));
    ok(browser
        .wait_text("main table", "组织转移低洼地带群众")
        .map(drop));

    // The village acknowledges it in its inbox.
    ok(browser.goto(&format!("{village}/#/tasks")));
    ok(browser.wait_text("#nav-tasks", "指令").map(drop));
    ok(browser.wait("the task in the village's inbox", |b| {
        if b.find("button[data-action=ack]").is_ok() {
            return Ok(Some(()));
        }
        b.execute(
            "window.dispatchEvent(new HashChangeEvent('hashchange'))",
            vec![],
        )?;
        Ok(None)
    }));
    shot("07-village-inbox");
    ok(browser.click_css("button[data-action=ack]"));
    ok(browser.wait_for("button[data-action=done]").map(drop));
    ok(browser.wait_text("tr.task-row", "已签收").map(drop));
    shot("08-village-acknowledged");

    // The county sees the acknowledgement.
    ok(browser.goto(&format!("{county}/#/tasks")));
    ok(browser.wait("the acknowledgement at the county", |b| {
        for e in b.find_all("main table td")? {
            if b.text(&e)?.contains("已签收") {
                return Ok(Some(()));
            }
        }
        b.execute(
            "window.dispatchEvent(new HashChangeEvent('hashchange'))",
            vec![],
        )?;
        Ok(None)
    }));
    shot("09-county-tasks");

    // The county's view of the incident: timeline, task, resources.
    ok(browser.goto(&format!("{county}/#/incidents/{incident}")));
    ok(browser.wait_text("#incident-timeline", "签收").map(drop));
    shot("10-county-incident");

    // English, and back to Chinese.
    ok(browser.goto(&format!("{county}/#/overview")));
    ok(browser.wait_text("#nav-overview", "总览").map(drop));
    ok(browser.click_css("#lang-toggle"));
    ok(browser.wait_text("#nav-overview", "Overview").map(drop));
    ok(browser.wait_text("main h1", "Overview").map(drop));
    shot("11-county-overview-en");
    ok(browser.click_css("#lang-toggle"));
    ok(browser.wait_text("#nav-overview", "总览").map(drop));

    // More for the other pages to show: a warning with its polygon, a
    // request answered by an offer (through the API, as a script would).
    let county_api = liandong_tests::http::Api::new(&county);
    let village_api = liandong_tests::http::Api::new(&village);
    county_api.write(
        "/api/warning/issue",
        json!({"color": "orange", "event": "meteorological", "expires": "+24h",
               "area": "654203106", "polygon": "44.30,85.58;44.36,85.58;44.36,85.66;44.30,85.66;44.30,85.58",
               "headline": "西戈壁镇暴雨橙色预警", "headline_en": "Orange rainstorm warning for Xigebi",
               "description": "未来6小时累计降雨量将达50毫米以上", "instruction": "远离河道，低洼地带群众立即转移"}),
    );
    let request = village_api.write(
        "/api/resource/request",
        json!({"item": "冲锋舟", "unit": "艘", "quantity": 2, "deliver_to": "西戈壁村委会",
               "incident": &incident[..8], "needed_by": "+3h"}),
    );
    wait_blocking("the request at the county", DEADLINE, || {
        let (_, v) = county_api.get("/api/resources");
        v["requests"].as_array().is_some_and(|a| !a.is_empty())
    });
    county_api.write(
        "/api/resource/offer",
        json!({"item": "冲锋舟", "unit": "艘", "quantity": 5, "location": "沙湾市应急物资储备库",
               "request": &request[..8]}),
    );

    // A warning through the county's form.
    ok(browser.goto(&format!("{county}/#/warnings")));
    ok(browser.click_css("#btn-warning"));
    ok(browser.wait_for("#form-warning-issue").map(drop));
    ok(browser.set_value("#form-warning-issue-color", "yellow"));
    ok(browser.set_value("#form-warning-issue-event", "geological"));
    ok(browser.set_value("#form-warning-issue-expires", "2030-01-01T08:00"));
    ok(browser.type_css("#form-warning-issue-headline", "沙湾市地质灾害黄色预警"));
    ok(browser.type_css(
        "#form-warning-issue-headline_en",
        "Yellow geological hazard warning",
    ));
    ok(browser.type_css(
        "#form-warning-issue-description",
        "山区降雨可能引发滑坡、泥石流",
    ));
    ok(browser.type_css("#form-warning-issue-instruction", "山区群众注意避险"));
    shot("16-county-warning-form");
    ok(browser.click_css("#form-warning-issue button[type=submit]"));
    ok(browser
        .wait_text("main table", "沙湾市地质灾害黄色预警")
        .map(drop));
    shot("16-county-warnings");

    // A commitment through the county's form, for the village's request.
    ok(browser.goto(&format!("{county}/#/resources")));
    ok(browser.click_css("main table button.small:not(.secondary)"));
    ok(browser.wait_for("#form-resource-commit").map(drop));
    ok(browser.set_value("#form-resource-commit-request", &request));
    ok(browser.type_css("#form-resource-commit-quantity", "2"));
    ok(browser.click_css("#form-resource-commit button[type=submit]"));
    ok(browser.wait_text("main", "已承诺").map(drop));
    shot("15-county-resources");

    // A drill started through the form, written into, and its review.
    ok(browser.goto(&format!("{county}/#/drills")));
    ok(browser.click_css("#btn-drill"));
    ok(browser.wait_for("#form-drill").map(drop));
    ok(browser.type_css("#form-drill-name", "防汛联合演练"));
    ok(browser.type_css("#form-drill-scenario", "河堤溃口，转移沿河村民"));
    ok(browser.click_css("#form-drill button[type=submit]"));
    ok(browser.wait_text("main table", "防汛联合演练").map(drop));
    let (_, drills) = county_api.get("/api/drills");
    let drill = drills["drills"][0]["id"]
        .as_str()
        .expect("drill id")
        .to_string();
    county_api.write(
        &format!("/api/incident/report?drill={}", &drill[..8]),
        json!({"title": "演练：河堤溃口", "event": "flood_drought", "severity": "III", "occurred": "30m"}),
    );
    county_api.write(
        &format!("/api/task/assign?drill={}", &drill[..8]),
        json!({"to": ["西戈壁村"], "objective": "演练：组织沿河村民转移"}),
    );
    shot("17-county-drills");
    ok(browser.goto(&format!("{county}/#/review?drill={drill}")));
    ok(browser.wait_text("main", "演练：河堤溃口").map(drop));
    shot("17-county-drill-review");

    // The other pages, for people to look at.
    for (page, name, ready) in [
        ("network", "12-county-network", "#bundle-export"),
        ("members", "13-county-members", "#cert-tree"),
        ("map", "14-county-map", "svg.map"),
    ] {
        ok(browser.goto(&format!("{county}/#/{page}")));
        ok(browser.wait_for(ready).map(drop));
        shot(name);
    }
    ok(browser.goto(&format!("{village}/#/network")));
    ok(browser.wait_for("#bundle-export").map(drop));
    shot("18-village-network");

    // The village cut off from the township: its console says so.
    net.rt.block_on(cut(&net.nodes[0], &net.nodes[1]));
    ok(browser.goto(&format!("{village}/#/overview")));
    ok(browser.wait("the partition banner on the village", |b| {
        if b.find("#partition-banner").is_ok() {
            return Ok(Some(()));
        }
        b.execute(
            "window.dispatchEvent(new HashChangeEvent('hashchange'))",
            vec![],
        )?;
        Ok(None)
    }));
    shot("19-village-partitioned");

    // A ban: the county bans the township (as it would for invalid
    // entries); both network pages say so, the township's in both languages.
    let township_url = urls_township.clone();
    net.rt.block_on(async {
        net.nodes[2]
            .network()
            .ban(
                net.nodes[1].peer_id(),
                liandong_node::net::bans::BanReason::InvalidEntries { count: 65 },
            )
            .await;
        let township = net.nodes[1].clone();
        wait_until("the township heard it is banned", DEADLINE, || async {
            !township.status().await.banned_by.is_empty()
        })
        .await;
    });
    ok(browser.goto(&format!("{county}/#/network")));
    ok(browser.wait_text("main", "本节点封禁对方").map(drop));
    shot("20-county-network-ban");
    ok(browser.goto(&format!("{township_url}/#/network")));
    ok(browser.wait_text("main", "对方封禁本节点").map(drop));
    shot("21-township-banned");
    ok(browser.click_css("#lang-toggle"));
    ok(browser.wait_text("main", "keeps this post out").map(drop));
    shot("21-township-banned-en");
    ok(browser.click_css("#lang-toggle"));
    ok(browser.wait_text("#nav-overview", "总览").map(drop));

    // A troubled post: its disk under the reserve and its configured parent
    // unreachable. The banner and the network page say both.
    let troubled_dir = init_post(net._tmp.path(), "东戈壁村", "654203106202", NET);
    let config_path = troubled_dir.config_path();
    let config = std::fs::read_to_string(&config_path).expect("config");
    std::fs::write(
        &config_path,
        config.replace("reserve_mb = 64", "reserve_mb = 100000000"),
    )
    .expect("config");
    let dead_parent: libp2p::Multiaddr =
        format!("/ip4/127.0.0.1/tcp/9/p2p/{}", libp2p::PeerId::random())
            .parse()
            .expect("addr");
    let (troubled, troubled_url) =
        net.rt
            .block_on(spawn_console(&troubled_dir, vec![dead_parent], NO_TIMER));
    net.rt
        .block_on(wait_until("a failed dial", DEADLINE, || async {
            troubled.status().await.links.iter().any(|l| l.failures > 0)
        }));
    ok(browser.goto(&format!("{troubled_url}/#/overview")));
    ok(browser.wait_for("#store-banner").map(drop));
    shot("22-village-disk-full");
    ok(browser.goto(&format!("{troubled_url}/#/network")));
    ok(browser.wait_text("main", "重连中").map(drop));
    shot("23-village-links");
    ok(browser.click_css("#lang-toggle"));
    ok(browser.wait_text("main", "redialling").map(drop));
    shot("23-village-links-en");
    ok(browser.goto(&format!("{troubled_url}/#/overview")));
    ok(browser
        .wait_text("#store-banner", "Disk nearly full")
        .map(drop));
    shot("22-village-disk-full-en");
    ok(browser.click_css("#lang-toggle"));
    net.rt.block_on(troubled.shutdown());

    // The console's own answer about the live stream: the county got every
    // entry by gossip, and the page's JSON says so too.
    let (_, v) = liandong_tests::http::Api::new(&county).get("/api/overview");
    assert_eq!(v["active"][0]["title"], json!("西戈壁村洪涝"), "{v}");
    eprintln!("console screenshots: {}", shots.display());
    drop(browser);
    drop(net);
}
