//! Restricted entries (受限信息) in a real browser (headless Chromium over
//! WebDriver), between the posts of a certified network:
//!
//! - the county's duty operator files a 首报 restricted to "沙湾市 乡镇级及以上"
//!   with the form's 受限范围 choice; the county's overview lists it as
//!   readable, with its audience;
//! - the village (below the audience) holds the entry but its overview
//!   shows only a placeholder — never the report's title — in Chinese and
//!   in English.
//!
//! Screenshots land in `<target>/console-screenshots/` (70–73). Without
//! chromium and chromium-driver the test says SKIPPED and passes.

use std::path::PathBuf;
use std::time::Duration;

use liandong_node::restricted::directory::announced_keys;
use liandong_tests::console;
use liandong_tests::trusted::{COUNTY, TOWNSHIP, TrustedNet, VILLAGE};
use liandong_tests::webdriver::{Browser, Tools};
use liandong_tests::*;

const NO_TIMER: Duration = Duration::from_secs(3600);
const TITLE: &str = "沙湾市危化品仓库泄漏（含伤亡名单）";

fn browser_or_skip(test: &str) -> Option<(Tools, PathBuf)> {
    console::browser_or_skip(test, env!("CARGO_TARGET_TMPDIR"))
}

#[test]
fn a_restricted_report_reaches_only_its_audience_in_the_browser() {
    let Some((tools, shots)) =
        browser_or_skip("a_restricted_report_reaches_only_its_audience_in_the_browser")
    else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let rt = runtime();
    let mut net = TrustedNet::new(tmp.path());
    let county_dir = net.join("county", COUNTY);
    let township_dir = net.join("township", TOWNSHIP);
    let village_dir = net.join("village", VILLAGE);
    let root = net.root_dir();
    let id = TrustedNet::node_id(&county_dir);
    net.certify(&root, id, "沙湾市应急管理局", COUNTY, true);
    let id = TrustedNet::node_id(&township_dir);
    net.certify(&county_dir, id, "西戈壁镇应急办", TOWNSHIP, true);
    let id = TrustedNet::node_id(&village_dir);
    net.certify(&county_dir, id, "西戈壁村村委会", VILLAGE, false);
    for dir in [&county_dir, &township_dir, &village_dir] {
        net.install(dir);
    }
    let (county, county_url) = rt.block_on(spawn_console(&county_dir, vec![], NO_TIMER));
    let township = rt.block_on(spawn(&township_dir, vec![], NO_TIMER));
    let (village, village_url) = rt.block_on(spawn_console(&village_dir, vec![], NO_TIMER));
    rt.block_on(async {
        connect(&township, &county).await;
        connect(&village, &county).await;
        let who = township.node_id();
        wait_until("the county holds the township's key", DEADLINE, || async {
            county
                .ledger()
                .read(move |l| announced_keys(l.store()).is_ok_and(|k| k.contains_key(&who)))
                .await
                .unwrap_or(false)
        })
        .await;
    });

    let browser = Browser::launch(&tools, 1360, 900)
        .unwrap_or_else(|e| panic!("chromium is installed but could not start: {e}"));
    let shot = |name: &str| {
        browser
            .screenshot(&shots.join(format!("{name}.png")))
            .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
    };
    let ok = |r: Result<(), String>| r.unwrap_or_else(|e| panic!("{e}"));

    // The county files a 首报 restricted to its townships and above.
    ok(browser.goto(&format!("{county_url}/#/report")));
    ok(browser.wait_for("#form-incident-report").map(drop));
    ok(browser.type_css("#form-incident-report-title", TITLE));
    ok(browser.set_value("#form-incident-report-event", "flood_drought"));
    ok(browser.set_value("#form-incident-report-severity", "III"));
    ok(browser.click_css("#form-incident-report details.more summary"));
    ok(browser.set_value(
        "#form-incident-report-restrict_to",
        &format!("region:{COUNTY}:township"),
    ));
    shot("70-restricted-report-form");
    ok(browser.click_css("#form-incident-report button[type=submit]"));
    ok(browser.wait_text("main", TITLE).map(drop));

    // The county reads it, and its overview lists it with its audience.
    ok(browser.goto(&format!("{county_url}/#/overview")));
    ok(browser.wait_text("main", "受限信息").map(drop));
    ok(browser.wait_text(".restricted-row", "可阅读").map(drop));
    ok(browser.wait_text(".restricted-row", TITLE).map(drop));
    shot("71-restricted-county-overview");

    // The village holds the entry and shows a placeholder only.
    rt.block_on(wait_until(
        "the village holds the restricted entry",
        DEADLINE,
        || async {
            village
                .ledger()
                .read(|l| {
                    l.store()
                        .query(&liandong_node::store::Query {
                            kind: Some(liandong_protocol::Kind::RESTRICTED),
                            ..Default::default()
                        })
                        .map(|v| !v.is_empty())
                        .unwrap_or(false)
                })
                .await
                .unwrap_or(false)
        },
    ));
    ok(browser.goto(&format!("{village_url}/#/overview")));
    let row = browser
        .wait_read(".restricted-row", "不可读")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(row.contains("本岗位不在受限范围内"), "{row}");
    let page = browser
        .wait_read("main", "")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !page.contains(TITLE),
        "the village's console shows no title"
    );
    ok(browser.goto(&format!("{village_url}/#/incidents")));
    ok(browser.wait_for("main h1").map(drop));
    let incidents = browser
        .wait_read("main", "")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!incidents.contains(TITLE), "nor does its incident board");
    ok(browser.goto(&format!("{village_url}/#/overview")));
    ok(browser.wait_text(".restricted-row", "不可读").map(drop));
    shot("72-restricted-village-overview");
    ok(browser.click_css("#lang-toggle"));
    ok(browser
        .wait_text(".restricted-row", "not readable")
        .map(drop));
    shot("73-restricted-village-overview-en");
    ok(browser.click_css("#lang-toggle"));

    drop(browser);
    rt.block_on(async {
        for node in [county, township, village] {
            node.shutdown().await;
        }
    });
}
