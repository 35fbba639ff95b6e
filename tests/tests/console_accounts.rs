//! Operator accounts in a real browser (headless Chromium over WebDriver,
//! HTTPS with the post's generated certificate): a county post with an
//! admin, a duty operator and a viewer.
//!
//! - The console asks for an account and password; a wrong password is
//!   refused with a message, the right one opens the overview with the
//!   operator's name and role in the header.
//! - The duty operator's 首报 records them inside the entry: the incident
//!   page says who entered it. An operator's console offers no admin page.
//! - Logging out returns to the login; the admin logs in, finds the admin
//!   page in the navigation, and sees the accounts and the audit trail —
//!   with the failed login — in Chinese and in English.
//!
//! Screenshots land in `<target>/console-screenshots/` (60–66). Without
//! chromium and chromium-driver the test says SKIPPED and passes.

use std::path::PathBuf;
use std::time::Duration;

use liandong_node::operators::OperatorRole;
use liandong_node::operators::book::{AccountBook, NewAccount};
use liandong_tests::console::{self, tls_on};
use liandong_tests::webdriver::{Browser, Tools};
use liandong_tests::*;

const NO_TIMER: Duration = Duration::from_secs(3600);
const PASSWORD: &str = "correct horse battery";

fn browser_or_skip(test: &str) -> Option<(Tools, PathBuf)> {
    console::browser_or_skip(test, env!("CARGO_TARGET_TMPDIR"))
}

#[test]
fn accounts_log_in_enter_and_administer_in_a_browser() {
    let Some((tools, shots)) = browser_or_skip("accounts_log_in_enter_and_administer_in_a_browser")
    else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let rt = runtime();
    let dir = init_post(tmp.path(), "沙湾市", "654203", "accounts-net");
    let mut book = AccountBook::load(&dir).expect("no accounts yet");
    for (account, display, role) in [
        ("wangwu", "王五", OperatorRole::Admin),
        ("zhangsan", "张三", OperatorRole::Operator),
        ("zhaoliu", "赵六", OperatorRole::Viewer),
    ] {
        book.add(
            NewAccount {
                account: account.into(),
                display: display.into(),
                role,
                password: PASSWORD.into(),
                os_user: None,
            },
            liandong_node::clock::now_ms(),
        )
        .expect("account added");
    }
    book.save(&dir).expect("accounts saved");
    let pin = tls_on(&dir);
    let (node, url) = rt.block_on(spawn_console(&dir, vec![], NO_TIMER));
    assert!(url.starts_with("https://"), "{url}");

    let browser = Browser::launch_pinned(&tools, 1360, 900, &[pin])
        .unwrap_or_else(|e| panic!("chromium is installed but could not start: {e}"));
    let shot = |name: &str| {
        browser
            .screenshot(&shots.join(format!("{name}.png")))
            .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
    };
    let ok = |r: Result<(), String>| r.unwrap_or_else(|e| panic!("{e}"));
    let log_in = |account: &str, password: &str| {
        ok(browser.wait_for("#form-login-account").map(drop));
        ok(browser.set_value("#form-login-account", account));
        ok(browser.set_value("#form-login-password", password));
        ok(browser.click_css("#form-login button[type=submit]"));
    };

    // A post with accounts asks who you are, even on loopback.
    ok(browser.goto(&format!("{url}/#/overview")));
    ok(browser.wait_for("#form-login").map(drop));
    shot("60-login");
    log_in("zhangsan", "not the password");
    ok(browser
        .wait_text(".field-error[data-field=password]", "账户或密码不正确")
        .map(drop));
    shot("61-login-refused");
    log_in("zhangsan", PASSWORD);
    ok(browser.wait_text("#session-slot", "张三").map(drop));
    ok(browser.wait_text("#session-slot", "值班员").map(drop));
    ok(browser.wait_for("#card-active").map(drop));
    assert!(
        browser.find("#nav-admin").is_err(),
        "an operator's console offers no admin page"
    );
    shot("62-operator-overview");

    // The duty operator's 首报 names them.
    ok(browser.click_css("#btn-report"));
    ok(browser.wait_for("#form-incident-report").map(drop));
    ok(browser.type_css("#form-incident-report-title", "沙湾市城区内涝"));
    ok(browser.set_value("#form-incident-report-event", "flood_drought"));
    ok(browser.set_value("#form-incident-report-severity", "IV"));
    ok(browser.click_css("#form-incident-report button[type=submit]"));
    ok(browser.wait_text("main", "沙湾市城区内涝").map(drop));
    let entered = browser
        .wait_read("main", "录入")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        entered.contains("张三"),
        "the report names who entered it: {entered}"
    );
    shot("63-operator-report-entered-by");

    // Out, and in again as the admin.
    ok(browser.click_css("#btn-logout"));
    ok(browser.wait_for("#form-login").map(drop));
    let header = browser
        .wait_read("#session-slot", "")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!header.contains("张三"), "signed out: {header}");
    log_in("wangwu", PASSWORD);
    ok(browser.wait_text("#session-slot", "王五").map(drop));
    ok(browser.wait_text("#nav-admin", "账户与审计").map(drop));
    ok(browser.click_css("#nav-admin"));
    ok(browser.wait_text("main", "zhaoliu").map(drop));
    let trail = browser
        .wait_read("main", "登录失败")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !trail.contains(PASSWORD),
        "no password on the admin page: {trail}"
    );
    shot("64-admin-accounts-and-audit");
    ok(browser.click_css("#lang-toggle"));
    ok(browser.wait_text("main", "Accounts and audit").map(drop));
    ok(browser.wait_text("#session-slot", "Admin").map(drop));
    shot("65-admin-accounts-and-audit-en");
    ok(browser.click_css("#lang-toggle"));

    drop(browser);
    rt.block_on(node.shutdown());
}
