//! The web console in a real browser (headless Chromium over WebDriver),
//! on a 3-post network — a village, its township and its county:
//! a 首报 filed through the village's form appears on the county's console;
//! the county assigns a task that the village acknowledges in its inbox;
//! the county imports a weather bureau's CAP alert through its 预警 page
//! and sees it listed and on the map;
//! the language switches to English and back. Screenshots are saved under
//! `<target>/console-screenshots/` for people to look at.
//!
//! Every console here serves HTTPS with the certificate its post generated
//! (`[console] tls = "on"`, as off loopback); the browser trusts exactly
//! those certificates by their public keys (`--ignore-certificate-errors-
//! spki-list`), as an operator's browser would after pinning them.
//!
//! Needs `chromium` and `chromium-driver` (Debian). Without them the test
//! says SKIPPED loudly and passes.

use std::path::PathBuf;
use std::time::Duration;

use liandong_node::config::Config;
use liandong_node::node::NodeHandle;
use liandong_tests::console::{self, tls_on};
use liandong_tests::webdriver::{Browser, Tools};
use liandong_tests::*;
use serde_json::json;

const NET: &str = "console-net";
const NO_TIMER: Duration = Duration::from_secs(3600);

/// Chromium and its driver, and where screenshots go (or a loud skip).
fn browser_or_skip(test: &str) -> Option<(Tools, PathBuf)> {
    console::browser_or_skip(test, env!("CARGO_TARGET_TMPDIR"))
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
    let Some((tools, shots)) = browser_or_skip("console_in_a_browser_on_three_posts") else {
        return;
    };

    // Three posts in a line: village — township — county.
    let tmp = tempfile::tempdir().expect("tempdir");
    let rt = runtime();
    let dirs = [
        init_post(tmp.path(), "西戈壁村", "654203106201", NET),
        init_post(tmp.path(), "西戈壁镇", "654203106", NET),
        init_post(tmp.path(), "沙湾市", "654203", NET),
    ];
    // Where the county and the village are (their configs' `location`): the
    // map draws them.
    for (dir, at) in [(&dirs[0], "44.325,85.556"), (&dirs[2], "44.330,85.620")] {
        let path = dir.config_path();
        let mut config = Config::load(&path).expect("config");
        config.post.location = Some(at.parse().expect("location"));
        std::fs::write(&path, config.to_toml()).expect("config written");
    }
    // The county issues warnings (development mode grants the role).
    std::fs::write(
        dirs[2].root().join("dev-roles.toml"),
        "[roles]\n\"沙湾市\" = [\"warning_issuer\"]\n",
    )
    .expect("dev roles");
    // A troubled post, started later in the tour: its disk under the
    // reserve and its configured parent unreachable.
    let troubled_dir = init_post(tmp.path(), "东戈壁村", "654203106202", NET);
    let config_path = troubled_dir.config_path();
    let config = std::fs::read_to_string(&config_path).expect("config");
    std::fs::write(
        &config_path,
        config.replace("reserve_mb = 64", "reserve_mb = 100000000"),
    )
    .expect("config");
    let mut pins: Vec<String> = dirs.iter().map(tls_on).collect();
    pins.push(tls_on(&troubled_dir));
    let mut nodes = Vec::new();
    let mut urls = Vec::new();
    for d in &dirs {
        let (n, url) = rt.block_on(spawn_console(d, vec![], NO_TIMER));
        assert!(url.starts_with("https://"), "{url}");
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

    let browser = match Browser::launch_pinned(&tools, 1360, 900, &pins) {
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
    let county_api = liandong_tests::http::Api::of(&net.nodes[2]);
    let village_api = liandong_tests::http::Api::of(&net.nodes[0]);
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

    // The village holds no warning-issuer role: its empty warning form is
    // refused for the role, before any field is asked about.
    ok(browser.goto(&format!("{village}/#/warnings")));
    ok(browser.click_css("#btn-warning"));
    ok(browser.wait_for("#form-warning-issue").map(drop));
    ok(browser.click_css("#form-warning-issue button[type=submit]"));
    ok(browser
        .wait_text("#form-warning-issue .form-error", "无预警发布权限")
        .map(drop));
    let marked = browser.find_all("#form-warning-issue .field.invalid");
    assert_eq!(
        marked.map(|m| m.len()),
        Ok(0),
        "no field marked before the role"
    );

    // A warning through the county's form: first sent empty, every missing
    // field is marked at once; English is optional (选填) and left out.
    ok(browser.goto(&format!("{county}/#/warnings")));
    ok(browser.click_css("#btn-warning"));
    ok(browser.wait_for("#form-warning-issue").map(drop));
    ok(browser
        .wait_text("#form-warning-issue [data-field=headline_en] label", "选填")
        .map(drop));
    ok(browser.click_css("#form-warning-issue button[type=submit]"));
    ok(browser
        .wait("every missing field marked", |b| {
            let marked = b.find_all("#form-warning-issue .field.invalid")?;
            Ok((marked.len() == 5).then_some(()))
        })
        .map(drop));
    for field in ["color", "event", "expires", "headline", "description"] {
        ok(browser
            .find(&format!(
                "#form-warning-issue .field.invalid[data-field={field}]"
            ))
            .map(drop));
    }
    shot("16-county-warning-form-missing");
    ok(browser.set_value("#form-warning-issue-color", "yellow"));
    ok(browser.set_value("#form-warning-issue-event", "geological"));
    ok(browser.set_value("#form-warning-issue-expires", "2030-01-01T08:00"));
    ok(browser.type_css("#form-warning-issue-headline", "沙湾市地质灾害黄色预警"));
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

    // A CAP alert imported through the form, listed, exported, mapped.
    ok(cap_on_the_console(&browser, &county, &shot));
    ok(every_page_in_both_languages(
        &browser,
        &county,
        &county_api,
        &shot,
    ));

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
    let (_, v) = liandong_tests::http::Api::of(&net.nodes[2]).get("/api/overview");
    assert_eq!(v["active"][0]["title"], json!("西戈壁村洪涝"), "{v}");
    eprintln!("console screenshots: {}", shots.display());
    drop(browser);
    drop(net);
}

/// The county's region code: the CAP alert's geocode names it.
const COUNTY: &str = "654203";

/// A CAP 1.2 time (`YYYY-MM-DDThh:mm:ss+08:00`; the schema allows no
/// fractional seconds) `ms` after the epoch, in Beijing time.
fn cap_time(ms: u64) -> String {
    let whole = liandong_node::clock::rfc3339_ms(ms - ms % 1000);
    whole.replacen(".000", "", 1)
}

/// A weather bureau's 暴雨橙色预警 for the county, as CAP 1.2: one area
/// with a polygon, a circle and the county's GB/T 2260 code. It expires a
/// day from now, so the fold (which judges at `now`) has it in force.
fn rainstorm_alert() -> String {
    let expires = cap_time(liandong_node::clock::now_ms() + 24 * 3600 * 1000);
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>65420341600000_20261202080000</identifier>
  <sender>shawan.qxt@12379.cn</sender>
  <sent>2026-12-02T08:00:00+08:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <expires>{expires}</expires>
    <senderName>沙湾市气象台</senderName>
    <headline>沙湾市气象台发布暴雨橙色预警信号</headline>
    <description>受强降雨云团影响，预计未来6小时沙湾市南部山区及沿河乡镇累计降雨量将达50毫米以上，局地伴有短时强降水。</description>
    <instruction>政府及相关部门按照职责做好防暴雨应急工作；切断有危险的室外电源，暂停户外作业；处于危险地带的单位停课、停业。</instruction>
    <area>
      <areaDesc>沙湾市南部山区及沿河乡镇</areaDesc>
      <polygon>44.42,85.32 44.45,85.45 44.36,85.52 44.26,85.46 44.28,85.34 44.42,85.32</polygon>
      <circle>44.40,85.76 6</circle>
      <geocode>
        <valueName>GB/T 2260</valueName>
        <value>{COUNTY}</value>
      </geocode>
    </area>
  </info>
</alert>
"#
    )
}

/// A hydrological station's notice with severity Unknown: no colour, shown
/// as 未分级 (grey), never as the placeholder colour.
fn ungraded_notice() -> String {
    let expires = cap_time(liandong_node::clock::now_ms() + 24 * 3600 * 1000);
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>654203-SW-20261202-01</identifier>
  <sender>shawan.swz@example.cn</sender>
  <sent>2026-12-02T09:00:00+08:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>河道水位上涨</event>
    <urgency>Unknown</urgency>
    <severity>Unknown</severity>
    <certainty>Unknown</certainty>
    <expires>{expires}</expires>
    <senderName>沙湾市水文站</senderName>
    <headline>金沟河水位上涨提示</headline>
    <description>金沟河沙湾段水位持续上涨，沿河群众注意安全。</description>
    <area>
      <areaDesc>金沟河沙湾段</areaDesc>
      <circle>44.22,85.70 4</circle>
      <geocode>
        <valueName>GB/T 2260</valueName>
        <value>{COUNTY}</value>
      </geocode>
    </area>
  </info>
</alert>
"#
    )
}

/// CAP with several problems at once: no sender, a sent that is no date,
/// a status CAP does not have, a polygon that does not close.
const BROKEN_ALERT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>broken-1</identifier>
  <sent>昨天下午</sent>
  <status>Real</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <category>Met</category>
    <event>暴雨</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <area>
      <areaDesc>未闭合的多边形</areaDesc>
      <polygon>44.30,85.58 44.36,85.58 44.36,85.66 44.30,85.66</polygon>
    </area>
  </info>
</alert>
"#;

/// Fetches `url` from inside the page (same origin, the page's session):
/// what a click on the link gives the operator. (status, body)
fn fetch_in_page(browser: &Browser, url: &str) -> Result<(u64, String), String> {
    let v = browser.execute(
        "const r = new XMLHttpRequest(); r.open('GET', arguments[0], false); r.send();\
         return [r.status, r.responseText];",
        vec![json!(url)],
    )?;
    Ok((
        v[0].as_u64().unwrap_or(0),
        v[1].as_str().unwrap_or_default().to_string(),
    ))
}

/// The texts of every element `css` names.
fn texts(browser: &Browser, css: &str) -> Result<Vec<String>, String> {
    browser
        .find_all(css)?
        .iter()
        .map(|e| browser.text(e))
        .collect()
}

/// The county imports a CAP alert through the 预警 page: a broken paste is
/// refused with every problem listed; the alert is listed as external
/// with its source; its CAP link and the Atom feed answer; a second import
/// is skipped as a duplicate; an alert of severity Unknown is 未分级, grey;
/// the map draws the polygon and the circles in their colours.
/// Screenshots in Chinese and English.
fn cap_on_the_console(browser: &Browser, county: &str, shot: &dyn Fn(&str)) -> Result<(), String> {
    browser.goto(&format!("{county}/#/warnings"))?;
    browser.click_css("#btn-cap-import")?;
    browser.wait_for("#form-cap-import")?;

    // Every problem of a broken paste, one line each; nothing written.
    browser.set_value("#form-cap-import-xml", BROKEN_ALERT)?;
    browser.click_css("#form-cap-import button[type=submit]")?;
    let problems = browser.wait("every problem of the broken CAP", |b| {
        let t = texts(b, "#cap-problems li")?;
        Ok((t.len() >= 3).then_some(t))
    })?;
    assert!(
        problems.iter().any(|p| p.contains("sender")),
        "the missing sender among the problems: {problems:?}"
    );
    assert!(
        browser.find("tr.warning-row.external").is_err(),
        "nothing written"
    );
    shot("24-county-cap-invalid");

    // The weather bureau's alert: imported, listed as external.
    browser.set_value("#form-cap-import-xml", &rainstorm_alert())?;
    shot("24-county-cap-import");
    browser.click_css("#form-cap-import button[type=submit]")?;
    browser.wait_text("#cap-report h2", "已导入 1 条")?;
    let (row_text, id) = browser.wait_read_id(
        "tr.warning-row.external",
        "沙湾市气象台发布暴雨橙色预警信号",
    )?;
    for needle in ["外部", "沙湾市气象台", "橙色", "沙湾市南部山区及沿河乡镇"]
    {
        assert!(row_text.contains(needle), "{needle:?} in {row_text:?}");
    }
    // Only the sender changes it: no 变更/解除 on an external warning.
    assert!(!row_text.contains("变更"), "{row_text:?}");
    assert_eq!(id.len(), 64, "the external warning's id: {id:?}");
    shot("25-county-warnings-cap");

    // Its CAP link and the Atom feed work for the operator of this page.
    let href = browser
        .execute(
            "return document.querySelector('tr.warning-row.external a.cap-link').href;",
            vec![],
        )?
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (status, xml) = fetch_in_page(browser, &href)?;
    assert_eq!(status, 200, "{href}: {xml}");
    assert!(
        xml.contains("urn:oasis:names:tc:emergency:cap:1.2")
            && xml.contains("沙湾市气象台发布暴雨橙色预警信号"),
        "{xml}"
    );
    let feed = browser
        .execute("return document.getElementById('cap-feed').href;", vec![])?
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (status, atom) = fetch_in_page(browser, &feed)?;
    assert_eq!(status, 200, "{feed}: {atom}");
    assert!(
        atom.contains("<feed") && atom.contains("沙湾市气象台发布暴雨橙色预警信号"),
        "{atom}"
    );

    // The same alert again: skipped, with the reason.
    browser.click_css("#btn-cap-import")?;
    browser.wait_for("#form-cap-import")?;
    browser.set_value("#form-cap-import-xml", &rainstorm_alert())?;
    browser.click_css("#form-cap-import button[type=submit]")?;
    browser.wait_text("#cap-report h2", "跳过 1 条")?;
    assert_eq!(
        browser.find_all("tr.warning-row.external")?.len(),
        1,
        "a duplicate adds no warning"
    );

    // Severity Unknown: 未分级 in grey, no colour.
    browser.click_css("#btn-cap-import")?;
    browser.wait_for("#form-cap-import")?;
    browser.set_value("#form-cap-import-xml", &ungraded_notice())?;
    browser.click_css("#form-cap-import button[type=submit]")?;
    let (notice_text, notice_id) =
        browser.wait_read_id("tr.warning-row.external", "金沟河水位上涨提示")?;
    assert!(
        notice_text.contains("未分级") && !notice_text.contains("蓝色"),
        "{notice_text:?}"
    );

    // In English.
    browser.click_css("#lang-toggle")?;
    browser.wait_text("tr.warning-row.external", "External")?;
    browser.wait_text("main h1", "Warnings")?;
    shot("25-county-warnings-cap-en");

    // The map: the alert's polygon and circle, in its colour.
    browser.goto(&format!("{county}/#/map"))?;
    let shapes = format!("#situation-map g.map-warning[data-id='{id}']");
    browser.wait_for(&format!("{shapes} polygon"))?;
    browser.wait_for(&format!("{shapes} ellipse"))?;
    let fill = browser
        .execute(
            "return document.querySelector(arguments[0]).getAttribute('fill');",
            vec![json!(format!("{shapes} ellipse"))],
        )?
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(fill, "#f57c00", "the orange of 橙色预警");
    let grey = browser
        .execute(
            "return document.querySelector(arguments[0]).getAttribute('fill');",
            vec![json!(format!(
                "#situation-map g.map-warning[data-id='{notice_id}'] ellipse"
            ))],
        )?
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(grey, "#78909c", "an ungraded warning is grey");
    // The axis labels: some, and no two overlapping.
    let labels = browser.execute(
        "const r = Array.from(document.querySelectorAll('#situation-map .glabel')).map((e) => e.getBBox());\
         let n = 0;\
         for (let i = 0; i < r.length; i++) for (let j = i + 1; j < r.length; j++) {\
           const a = r[i], b = r[j];\
           if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) n++;\
         }\
         return [r.length, n];",
        vec![],
    )?;
    assert!(
        labels[0].as_u64().unwrap_or(0) >= 4,
        "axis labels: {labels}"
    );
    assert_eq!(labels[1], json!(0), "overlapping axis labels: {labels}");
    // The county (this post, dark) and the village below it, where their
    // configs put them.
    browser.wait_for("#situation-map g.map-post.me rect")?;
    let posts = browser.execute(
        "return document.querySelectorAll('#situation-map g.map-post').length;",
        vec![],
    )?;
    assert_eq!(posts, json!(2), "the county and the village on the map");
    browser.wait_text("#map-legend", "Ungraded")?;
    shot("26-county-map-cap-en");
    browser.click_css("#lang-toggle")?;
    browser.wait_text("#map-legend", "未分级")?;
    browser.wait_text("#map-warnings", "沙湾市气象台")?;
    shot("26-county-map-cap");
    Ok(())
}

/// The county's every page, in Chinese and then in English, each looked at
/// (a screenshot) — and in English, the console's own words (navigation,
/// headings, column heads, badges, buttons, labels) hold no Chinese: what
/// an English-reading officer would otherwise stumble on (level badges,
/// unit types, roles). Names from the ledger (incident titles, post names)
/// are the operators' words and stay as written.
fn every_page_in_both_languages(
    browser: &Browser,
    county: &str,
    api: &liandong_tests::http::Api,
    shot: &dyn Fn(&str),
) -> Result<(), String> {
    const PAGES: [&str; 11] = [
        "overview",
        "incidents",
        "resources",
        "tasks",
        "warnings",
        "plans",
        "drills",
        "forces",
        "map",
        "network",
        "members",
    ];
    let han = |t: &str| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    // Two rescue forces for the registry's page to list.
    api.write(
        "/api/forces/register",
        json!({"name": "沙湾市消防救援大队", "type": "fire", "headcount": 42,
               "capabilities": ["water_rescue", "灭火"], "equipment": ["冲锋舟 4 艘"],
               "base": "44.322,85.606", "contact": "0993-119"}),
    );
    api.write(
        "/api/forces/register",
        json!({"name": "沙湾市蓝天救援队", "type": "volunteer", "headcount": 18,
               "capabilities": ["medical"], "base": "44.336,85.615"}),
    );
    for (lang, nav_word) in [("zh", "总览"), ("en", "Overview")] {
        browser.goto(&format!("{county}/#/overview"))?;
        browser.wait_for("main[data-page=overview]")?;
        if !browser.wait_read("#nav-overview", "")?.contains(nav_word) {
            browser.click_css("#lang-toggle")?;
        }
        browser.wait_text("#nav-overview", nav_word)?;
        for page in PAGES {
            browser.goto(&format!("{county}/#/{page}"))?;
            browser.wait_for(&format!("main[data-page={page}]"))?;
            // Region names are written in after the page is drawn.
            browser.wait(&format!("region names on {page}"), |b| {
                let codes = texts(b, "main [data-region].mono")?;
                Ok(codes
                    .iter()
                    .all(|c| !matches!(c.as_str(), "654203" | "654203106"))
                    .then_some(()))
            })?;
            shot(&format!("30-county-{page}-{lang}"));
            if lang == "en" {
                let chrome = texts(
                    browser,
                    "nav a, main h1, main h2, main th, main .badge, main button, main label, main .k, #post-info .lvl",
                )?;
                let chinese: Vec<&String> = chrome.iter().filter(|t| han(t)).collect();
                assert!(
                    chinese.is_empty(),
                    "{page} in English still shows Chinese: {chinese:?}"
                );
            }
        }
    }
    browser.click_css("#lang-toggle")?;
    browser.wait_text("#nav-overview", "总览")?;

    // A closed incident offers no new response, request or task — only
    // what still makes sense: a verified correction and reopening.
    let id = api.write(
        "/api/incident/report",
        json!({"title": "沙湾市道路塌陷", "event": "geological", "severity": "IV", "occurred": "30m"}),
    );
    api.write(
        "/api/incident/close",
        json!({"incident": &id[..8], "report": {"trapped": 0}}),
    );
    browser.goto(&format!("{county}/#/incidents/{id}"))?;
    browser.wait_for("#btn-reopen")?;
    shot("31-county-incident-closed");
    for gone in ["#btn-response", "#btn-request", "#btn-update", "#btn-close"] {
        assert!(
            browser.find_all(gone)?.is_empty(),
            "a closed incident still offers {gone}"
        );
    }

    // The incidents page's search: a place name finds the village's flood
    // (the name of its township, above it), and says how many of how many;
    // words nothing has say so, and the search can be cleared.
    browser.goto(&format!("{county}/#/incidents"))?;
    browser.wait_for("#inc-search")?;
    // Set at once: a live refresh (the entries just written) redraws the
    // page, but not while the box holds words not yet searched for.
    browser.set_value("#inc-search", "西戈壁")?;
    browser.click_css("#inc-search-go")?;
    browser.wait_text("#inc-found", "找到")?;
    let rows = texts(browser, "tr.incident-row")?;
    assert!(
        !rows.is_empty() && rows.iter().all(|r| !r.contains("道路塌陷")),
        "西戈壁 finds the flood only: {rows:?}"
    );
    shot("32-county-incidents-search");
    browser.goto(&format!("{county}/#/incidents?q=zzz"))?;
    browser.wait_text("#inc-none-found", "zzz")?;
    browser.click_css("#inc-search-clear")?;
    browser.wait("the whole list after clearing", |b| {
        Ok(
            (b.find_all("#inc-found")?.is_empty() && !b.find_all("tr.incident-row")?.is_empty())
                .then_some(()),
        )
    })?;
    Ok(())
}

/// The 成员 page of a certified county, in a browser: a newcomer's request
/// handed over the network is listed with 签发; the issue form shows what
/// was asked for, warns when the region differs and issues nothing until
/// the force box is ticked (or the region is put right); once issued the
/// request shows as issued. 吊销 on the township opens a dialog with the
/// node's preview — who, the effective time as a date, what it voids here,
/// the note about other posts — and revokes only with a reason and the
/// confirm; the revocation is then listed with its date.
#[test]
fn members_page_issues_and_revokes_only_after_confirmation() {
    use liandong_node::net::courier;
    use liandong_node::service::cert_request;
    use liandong_protocol::trust::handover::{CertAnswer, CertAsk};
    use liandong_tests::trusted::{Cast, TrustedNet, open};

    let Some((tools, shots)) =
        browser_or_skip("members_page_issues_and_revokes_only_after_confirmation")
    else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let rt = runtime();
    let cast = Cast::new(tmp.path());
    let township_id = TrustedNet::node_id(&cast.township).to_hex();
    // A newcomer township next door, not certified, hands its request over
    // the network to the running county.
    let newcomer = cast.net.join("老沙湾镇应急办", "654203107");
    let request = {
        let post = open(&newcomer);
        let (_, _, bytes) = cert_request::sign(
            &post.ledger,
            &post.config.post,
            liandong_node::clock::now_ms(),
        )
        .expect("request");
        bytes
    };
    let newcomer_id = TrustedNet::node_id(&newcomer).to_hex();
    let pin = tls_on(&cast.county);
    let (county, url) = rt.block_on(spawn_console(&cast.county, vec![], NO_TIMER));
    assert!(url.starts_with("https://"), "{url}");
    let addr = county.listen_addrs()[0].clone();
    let answer = rt
        .block_on(courier::ask(&addr, CertAsk::Submit { request }))
        .expect("the county answers");
    assert!(matches!(answer, CertAnswer::Received { .. }), "{answer:?}");
    let net = Net {
        rt,
        nodes: vec![county],
        _tmp: tmp,
    };
    let api = liandong_tests::http::Api::of(&net.nodes[0]);

    let browser = Browser::launch_pinned(&tools, 1360, 900, &[pin])
        .unwrap_or_else(|e| panic!("chromium is installed but could not start: {e}"));
    let shot = |name: &str| {
        browser
            .screenshot(&shots.join(format!("{name}.png")))
            .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
    };
    let ok = |r: Result<(), String>| r.unwrap_or_else(|e| panic!("{e}"));

    // The request, with 签发.
    ok(browser.goto(&format!("{url}/#/members")));
    ok(browser
        .wait_text(
            &format!("[data-request='{}']", &newcomer_id[..8]),
            "老沙湾镇应急办",
        )
        .map(drop));
    shot("40-county-members-request");
    ok(browser.click_css(&format!("[data-issue='{}']", &newcomer_id[..8])));
    ok(browser.wait_text("#issue-form", "654203107").map(drop));

    // Another region than asked for: a warning, and nothing issued.
    ok(browser.set_value("#issue-form-region", "654203108"));
    ok(browser.wait_text("#issue-mismatch", "654203108").map(drop));
    ok(browser.click_css("#issue-form button[type=submit]"));
    ok(browser.wait_text("#issue-mismatch", "654203107").map(drop));
    shot("41-county-issue-mismatch");
    let (_, rows) = api.get("/api/members/requests");
    assert_eq!(rows[0]["status"], "pending", "{rows}");

    // As asked: issued.
    ok(browser.set_value("#issue-form-region", "654203107"));
    ok(browser.click_css("#issue-form button[type=submit]"));
    ok(browser
        .wait("the request shown as issued", |b| {
            let (_, rows) = fetch_in_page(b, "/api/members/requests")?;
            Ok(rows.contains("\"issued\"").then_some(()))
        })
        .map(drop));
    ok(browser
        .wait_text(&format!("[data-request='{}']", &newcomer_id[..8]), "已签发")
        .map(drop));

    // 吊销: the preview first.
    ok(browser.click_css(&format!("[data-revoke='{}']", &township_id[..8])));
    let preview = browser
        .wait_read("#revoke-preview", "西戈壁镇应急办")
        .unwrap_or_else(|e| panic!("{e}"));
    let year = &liandong_node::clock::format_ms(liandong_node::clock::now_ms())[..5];
    assert!(
        preview.contains(year) && preview.contains("生效时间"),
        "the effective time as a date: {preview}"
    );
    assert!(preview.contains("本节点将作废条目"), "{preview}");
    let dialog = browser
        .wait_read("#revoke-dialog", "其他节点")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!dialog.contains("null"), "{dialog}");
    shot("42-county-revoke-dialog");

    // No reason: nothing revoked.
    ok(browser.click_css("#revoke-confirm"));
    ok(browser
        .wait_text("#revoke-dialog", "请填写吊销原因")
        .map(drop));
    let (_, members) = api.get("/api/members");
    assert_eq!(members["revocations"], json!([]), "{members}");

    // With a reason and the confirm: revoked, listed with its date.
    ok(browser.set_value("#revoke-reason", "设备丢失"));
    ok(browser.click_css("#revoke-confirm"));
    let listed = browser
        .wait_read("#revocation-list", "设备丢失")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        listed.contains(year) && listed.contains("西戈壁镇应急办"),
        "a date and a name, not milliseconds: {listed}"
    );
    let tree = browser
        .wait_read("#cert-tree", "已吊销")
        .unwrap_or_else(|e| panic!("{e}"));
    let longest_number = tree
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(longest_number < 13, "no raw milliseconds: {tree}");
    shot("43-county-revoked");
    // The same page in English.
    ok(browser.click_css("#lang-toggle"));
    ok(browser.wait_text("main", "Certificate requests").map(drop));
    ok(browser
        .wait_text("[data-request]", "issued, not yet collected")
        .map(drop));
    shot("44-county-members-en");
    ok(browser.click_css("#lang-toggle"));
    let (_, members) = api.get("/api/members");
    assert_eq!(
        members["revocations"][0]["counts"],
        json!(true),
        "{members}"
    );
    drop(browser);
    drop(net);
}
