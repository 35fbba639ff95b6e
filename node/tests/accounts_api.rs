//! Operator accounts at the console (issue 17), driven in-process through
//! the real router with a clock moved by hand: login and logout, session
//! expiry, the growing wait after wrong passwords, the role every route and
//! every action needs, the CLI's credential acting as a named operator —
//! and no password, token, session id or hash in any answer, log line or
//! the audit trail.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use liandong_node::api::access::{Access, Clock};
use liandong_node::api::{self, ApiState};
use liandong_node::config::{Config, PostConfig};
use liandong_node::datadir::DataDir;
use liandong_node::domain::actions;
use liandong_node::node::{Node, NodeHandle, NodeOptions};
use liandong_node::operators::sessions::SESSION_IDLE;
use liandong_node::operators::throttle::ACCOUNT_MAX_DELAY;
use liandong_node::operators::{AccountBook, NewAccount, OperatorRole, audit, local_credential};
use liandong_node::post::Post;
use liandong_node::service::operator::{OPERATOR_HEADER, OS_USER_HEADER};
use liandong_node::service::roles::{self, Need};
use liandong_protocol::UnitType;
use serde_json::{Value, json};

const PASSWORD: &str = "correct-horse-battery";
const TOKEN: &str = "a-long-machine-token-for-tests";
const HOST: &str = "127.0.0.1:7480";

/// Every log line of this test binary.
fn logs() -> &'static Mutex<Vec<u8>> {
    static LOGS: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();
    LOGS.get_or_init(|| Mutex::new(Vec::new()))
}

struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        logs()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("debug")
            .with_writer(|| LogWriter)
            .try_init();
    });
}

/// A post with four accounts (one per role), its node and its router.
struct Console {
    rt: tokio::runtime::Runtime,
    node: Option<NodeHandle>,
    app: axum::Router,
    now: Arc<Mutex<Instant>>,
    dir: DataDir,
    /// Every answer's body, for the secrets check.
    answers: Mutex<Vec<String>>,
    /// Every session id handed out.
    sessions: Mutex<Vec<String>>,
    _tmp: tempfile::TempDir,
}

impl Drop for Console {
    fn drop(&mut self) {
        if let Some(node) = self.node.take() {
            self.rt.block_on(node.shutdown());
        }
    }
}

struct Answer {
    status: u16,
    body: Value,
    cookie: Option<String>,
}

const ACCOUNTS: [(&str, &str, OperatorRole); 4] = [
    ("kan", "看板", OperatorRole::Viewer),
    ("zhang", "张三", OperatorRole::Operator),
    ("li", "李四", OperatorRole::Leader),
    ("wang", "王五", OperatorRole::Admin),
];

impl Console {
    fn start() -> Console {
        capture_logs();
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path().join("county"));
        let region: liandong_protocol::RegionCode = "654203".parse().expect("region");
        let mut config = Config::new(PostConfig {
            name: "沙湾市".into(),
            level: region.level(),
            region,
            unit_type: UnitType::Command,
            contact: String::new(),
            location: None,
        });
        config.network.mdns = false;
        Post::init(&dir, config).expect("init");
        let mut book = AccountBook::default();
        for (account, display, role) in ACCOUNTS {
            book.add(
                NewAccount {
                    account: account.into(),
                    display: display.into(),
                    role,
                    password: PASSWORD.into(),
                    os_user: (account == "zhang").then(|| "duty".to_string()),
                },
                1,
            )
            .expect("add");
        }
        book.save(&dir).expect("save");

        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let mut options = NodeOptions::new(dir.clone());
        options.listen = vec!["/ip4/127.0.0.1/tcp/0".parse().expect("multiaddr")];
        options.mdns = Some(false);
        let node = rt.block_on(Node::spawn(options)).expect("spawn");
        let now = Arc::new(Mutex::new(Instant::now()));
        let shared = Arc::clone(&now);
        let clock: Clock = Arc::new(move || *shared.lock().unwrap_or_else(|e| e.into_inner()));
        let access = Access::for_post(
            HOST.parse().expect("addr"),
            Some(TOKEN.into()),
            OperatorRole::Operator,
            &dir,
        )
        .expect("access")
        .with_clock(clock);
        let app = {
            let _guard = rt.enter();
            api::router(ApiState::new(node.clone(), access))
        };
        Console {
            rt,
            node: Some(node),
            app,
            now,
            dir,
            answers: Mutex::new(Vec::new()),
            sessions: Mutex::new(Vec::new()),
            _tmp: tmp,
        }
    }

    fn advance(&self, by: Duration) {
        *self.now.lock().expect("clock") += by;
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
        source: &str,
    ) -> Answer {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, HOST);
        if method != "GET" {
            req = req.header("x-liandong-request", "1");
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let body = match body {
            Some(b) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(b.to_string())
            }
            None => Body::empty(),
        };
        let mut req = req.body(body).expect("request");
        let addr: SocketAddr = format!("{source}:50000").parse().expect("source");
        req.extensions_mut().insert(ConnectInfo(addr));
        let app = self.app.clone();
        let streaming = path.starts_with("/api/events");
        let (status, body, cookie) = self.rt.block_on(async move {
            let resp = tower::ServiceExt::oneshot(app, req)
                .await
                .expect("infallible");
            let status = resp.status().as_u16();
            let cookie = resp
                .headers()
                .get(header::SET_COOKIE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            // The live stream never ends: its status is enough.
            let bytes = if streaming {
                Default::default()
            } else {
                axum::body::to_bytes(resp.into_body(), 64 << 20)
                    .await
                    .unwrap_or_default()
            };
            (status, bytes, cookie)
        });
        let text = String::from_utf8_lossy(&body).into_owned();
        self.answers.lock().expect("answers").push(text.clone());
        if let Some(c) = &cookie
            && let Some(id) = c
                .split(';')
                .next()
                .and_then(|p| p.split_once('='))
                .map(|(_, v)| v)
            && !id.is_empty()
        {
            self.sessions.lock().expect("sessions").push(id.to_string());
        }
        Answer {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            cookie,
        }
    }

    fn login(&self, account: &str, password: &str, source: &str) -> Answer {
        self.send(
            "POST",
            "/api/login",
            &[],
            Some(json!({"account": account, "password": password})),
            source,
        )
    }

    /// Logs in and returns the `Cookie` header to send.
    fn session(&self, account: &str) -> String {
        let a = self.login(account, PASSWORD, "127.0.0.1");
        assert_eq!(a.status, 200, "login {account}: {}", a.body);
        let cookie = a.cookie.expect("a session cookie");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        cookie.split(';').next().expect("pair").to_string()
    }

    fn get(&self, path: &str, cookie: &str) -> Answer {
        self.send("GET", path, &[("cookie", cookie)], None, "127.0.0.1")
    }

    fn post(&self, path: &str, cookie: &str, body: Value) -> Answer {
        self.send("POST", path, &[("cookie", cookie)], Some(body), "127.0.0.1")
    }

    fn local_bearer(&self) -> String {
        format!(
            "Bearer {}",
            local_credential::read(&self.dir).expect("a local credential")
        )
    }

    fn audit_events(&self) -> Vec<String> {
        let (records, check) = audit::read(&self.dir, None).expect("audit");
        assert_eq!(check.problem, None);
        records.iter().map(|r| r.event.name()).collect()
    }

    /// No answer, log line or audit record holds a password, the token,
    /// the local credential, a session id or a password hash.
    fn assert_no_secrets(&self) {
        let mut secrets = vec![
            PASSWORD.to_string(),
            TOKEN.to_string(),
            "new-password-5678".into(),
        ];
        secrets.extend(local_credential::read(&self.dir));
        secrets.extend(self.sessions.lock().expect("sessions").iter().cloned());
        let book = std::fs::read_to_string(self.dir.root().join("operators.json")).expect("book");
        let hashes: Vec<String> = book
            .split('"')
            .filter(|s| s.starts_with("$argon2id$"))
            .map(str::to_string)
            .collect();
        assert!(!hashes.is_empty());
        secrets.extend(hashes);
        let logs = String::from_utf8_lossy(&logs().lock().expect("logs")).into_owned();
        let trail = std::fs::read_to_string(audit::log_path(&self.dir)).unwrap_or_default();
        let answers = self.answers.lock().expect("answers");
        for secret in &secrets {
            for (i, a) in answers.iter().enumerate() {
                assert!(
                    !a.contains(secret.as_str()),
                    "answer {i} holds a secret: {a}"
                );
            }
            assert!(!logs.contains(secret.as_str()), "the logs hold a secret");
            assert!(
                !trail.contains(secret.as_str()),
                "the audit trail holds a secret"
            );
        }
    }
}

/// A concrete path for a route pattern.
fn concrete(pattern: &str) -> String {
    pattern
        .replace("{id}", "abcd")
        .replace("{file}", "x.xml")
        .replace("{account}", "nobody")
        .replace("{area}/{verb}", "incident/report")
}

#[test]
fn every_route_and_every_action_needs_its_role() {
    let c = Console::start();
    // Accounts exist: even on loopback, nothing but the login without one.
    let a = c.send("GET", "/api/status", &[], None, "127.0.0.1");
    assert_eq!(
        (a.status, a.body["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let a = c.send("GET", "/api/access", &[], None, "127.0.0.1");
    assert_eq!(a.body["login"], "account", "{}", a.body);

    let cookies: Vec<(OperatorRole, String)> = ACCOUNTS
        .iter()
        .map(|(account, _, role)| (*role, c.session(account)))
        .collect();
    for (role, cookie) in &cookies {
        let me = c.get("/api/me", cookie);
        assert_eq!(me.body["role"], role.name(), "{}", me.body);
        // Every domain action: refused below its role, let through (to
        // its own checks) at or above it.
        for path in actions::PATHS {
            let needed = actions::required_role(path).expect("a role");
            let a = c.post(&format!("/api/{path}"), cookie, json!({}));
            // Let through, an action may still meet the post's own
            // standing (a warning needs a warning-issuer post): another
            // refusal, never the role's.
            if role.permits(needed) {
                assert!(
                    a.status != 401 && a.body["error"]["code"] != "forbidden_role",
                    "{role} may {path}: {} {}",
                    a.status,
                    a.body
                );
            } else {
                assert_eq!(
                    (a.status, a.body["error"]["code"].as_str()),
                    (403, Some("forbidden_role")),
                    "{role} must not {path}"
                );
            }
        }
        // Every other route.
        for (method, pattern, need) in roles::ROUTES {
            let Need::Role(needed) = need else { continue };
            let path = concrete(pattern);
            let body = (*method == "POST").then(|| json!({}));
            let a = c.send(method, &path, &[("cookie", cookie)], body, "127.0.0.1");
            if role.permits(*needed) {
                assert!(
                    a.status != 401 && a.body["error"]["code"] != "forbidden_role",
                    "{role} may {method} {path}: {} {}",
                    a.status,
                    a.body
                );
            } else {
                assert_eq!(
                    (a.status, a.body["error"]["code"].as_str()),
                    (403, Some("forbidden_role")),
                    "{role} must not {method} {path}"
                );
            }
        }
    }
    // The cases the issue names, once more in words.
    let cookie = |r: OperatorRole| {
        cookies
            .iter()
            .find(|(x, _)| *x == r)
            .expect("role")
            .1
            .clone()
    };
    let report = json!({"title": "仓库火灾", "event": "fire", "severity": "IV"});
    let a = c.post(
        "/api/incident/report",
        &cookie(OperatorRole::Viewer),
        report.clone(),
    );
    assert_eq!(a.status, 403, "a viewer cannot write");
    let a = c.post(
        "/api/incident/report",
        &cookie(OperatorRole::Operator),
        report,
    );
    assert_eq!(a.status, 200, "an operator reports: {}", a.body);
    let id = a.body["entry"]["id"].as_str().expect("id").to_string();
    let decide = json!({"incident": id, "level": "IV", "lead_hq": "沙湾市"});
    let a = c.post(
        "/api/response/activate",
        &cookie(OperatorRole::Operator),
        decide.clone(),
    );
    assert_eq!(
        a.body["error"]["code"], "forbidden_role",
        "an operator cannot decide"
    );
    let a = c.post(
        "/api/response/activate",
        &cookie(OperatorRole::Leader),
        decide,
    );
    assert_eq!(a.status, 200, "a leader decides: {}", a.body);
    let a = c.get("/api/operators", &cookie(OperatorRole::Leader));
    assert_eq!(a.status, 403, "only an admin manages accounts");
    let a = c.get("/api/operators", &cookie(OperatorRole::Admin));
    assert_eq!(a.body.as_array().map(Vec::len), Some(4), "{}", a.body);
    assert!(!a.body.to_string().contains("argon2"));
    c.assert_no_secrets();
}

#[test]
fn sessions_end_when_idle_on_logout_and_when_the_account_changes() {
    let c = Console::start();
    let zhang = c.session("zhang");
    c.advance(SESSION_IDLE - Duration::from_secs(1));
    assert_eq!(c.get("/api/status", &zhang).status, 200);
    c.advance(SESSION_IDLE);
    assert_eq!(c.get("/api/status", &zhang).status, 401, "idle too long");

    let zhang = c.session("zhang");
    let a = c.post("/api/logout", &zhang, json!({}));
    assert!(a.cookie.is_some_and(|k| k.contains("Max-Age=0")));
    assert_eq!(c.get("/api/status", &zhang).status, 401, "logged out");

    let wang = c.session("wang");
    let li = c.session("li");
    let a = c.post(
        "/api/operators/li/passwd",
        &wang,
        json!({"password": "new-password-5678"}),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        c.get("/api/status", &li).status,
        401,
        "a new password ends sessions"
    );
    assert_eq!(c.login("li", PASSWORD, "127.0.0.2").status, 401);
    assert_eq!(c.login("li", "new-password-5678", "127.0.0.2").status, 200);

    let zhang = c.session("zhang");
    let a = c.post("/api/operators/zhang/disable", &wang, json!({}));
    assert_eq!(
        (a.status, a.body["disabled"].as_bool()),
        (200, Some(true)),
        "{}",
        a.body
    );
    assert_eq!(
        c.get("/api/status", &zhang).status,
        401,
        "disabled: session ended"
    );
    assert_eq!(c.login("zhang", PASSWORD, "127.0.0.3").status, 401);
    let a = c.post("/api/operators/zhang/enable", &wang, json!({}));
    assert_eq!(a.status, 200);
    assert_eq!(c.login("zhang", PASSWORD, "127.0.0.3").status, 200);

    let a = c.post(
        "/api/operators",
        &wang,
        json!({"account": "zhao", "display": "赵六", "role": "viewer", "password": PASSWORD}),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    let a = c.post(
        "/api/operators",
        &wang,
        json!({"account": "zhao", "display": "赵六", "role": "viewer", "password": PASSWORD}),
    );
    assert_eq!(a.body["error"]["code"], "account_exists");
    let a = c.post(
        "/api/operators",
        &wang,
        json!({"account": "sun", "display": "孙七", "role": "viewer", "password": "short"}),
    );
    assert_eq!(a.body["error"]["code"], "bad_password");

    let events = c.audit_events();
    for e in [
        "login",
        "logout",
        "login_failed",
        "password_changed",
        "account_disabled",
        "account_enabled",
        "account_added",
    ] {
        assert!(events.iter().any(|x| x == e), "no {e} in {events:?}");
    }
    let a = c.get("/api/audit?since=1h", &wang);
    assert!(
        a.body["records"]
            .as_array()
            .is_some_and(|r| r.len() == events.len())
    );
    assert_eq!(a.body["check"]["problem"], Value::Null);
    c.assert_no_secrets();
}

#[test]
fn wrong_passwords_make_the_next_attempt_wait_longer() {
    let c = Console::start();
    let src = "192.0.2.7";
    // The seconds a refused attempt says to wait.
    let wait_of = |a: &Answer| -> Option<u64> {
        (a.status == 429).then_some(())?;
        assert_eq!(a.body["error"]["code"], "too_many_attempts");
        let en = a.body["error"]["en"].as_str()?;
        en.rsplit("in ").next()?.trim_end_matches(" s").parse().ok()
    };
    // Two wrong passwords are forgiven (typos): the third try is answered.
    for _ in 0..2 {
        let a = c.login("li", "wrong-password", src);
        assert_eq!(a.body["error"]["code"], "bad_login", "{}", a.body);
    }
    let mut waits = Vec::new();
    for _ in 0..6 {
        let a = c.login("li", "wrong-password", src);
        assert_eq!(a.body["error"]["code"], "bad_login", "{}", a.body);
        // Trying again at once, even with the right password: refused
        // without a look at it, saying how long to wait.
        let wait = wait_of(&c.login("li", PASSWORD, src)).expect("a wait");
        waits.push(wait);
        c.advance(Duration::from_secs(wait));
    }
    // The guessing source's wait keeps doubling (to its own, higher cap)…
    assert_eq!(waits, [1, 2, 4, 8, 16, 32], "doubling");
    // …while from another machine the account's wait, capped, is all the
    // honest operator sees: never a lockout.
    c.login("li", "wrong-password", src);
    let a = c.login("li", PASSWORD, "192.0.2.99");
    assert_eq!(wait_of(&a), Some(ACCOUNT_MAX_DELAY.as_secs()));
    c.advance(ACCOUNT_MAX_DELAY);
    let a = c.login("li", PASSWORD, "192.0.2.99");
    assert_eq!(a.status, 200, "{}", a.body);
    // The guessing source still waits longer for any account.
    let a = c.login("wang", PASSWORD, src);
    assert_eq!(a.status, 429, "{}", a.body);
    let failed = c
        .audit_events()
        .iter()
        .filter(|e| *e == "login_failed")
        .count();
    assert!(failed >= 9, "{failed}");
    c.assert_no_secrets();
}

#[test]
fn the_cli_credential_and_the_token_act_as_the_named_operator() {
    let c = Console::start();
    let bearer = c.local_bearer();
    let me = c.send(
        "GET",
        "/api/me",
        &[("authorization", &bearer)],
        None,
        "127.0.0.1",
    );
    assert_eq!(
        (me.body["role"].as_str(), &me.body["operator"]),
        (Some("admin"), &Value::Null)
    );

    let report = json!({"title": "山洪", "event": "flood_drought", "severity": "IV"});
    let as_zhang = [
        ("authorization", bearer.as_str()),
        (OPERATOR_HEADER, "zhang"),
    ];
    let me = c.send("GET", "/api/me", &as_zhang, None, "127.0.0.1");
    assert_eq!(me.body["operator"]["display"], "张三", "{}", me.body);
    assert_eq!(me.body["role"], "operator", "capped by the account's role");
    let a = c.send(
        "POST",
        "/api/incident/report",
        &as_zhang,
        Some(report.clone()),
        "127.0.0.1",
    );
    assert_eq!(a.status, 200, "{}", a.body);
    let id = a.body["entry"]["id"].as_str().expect("id").to_string();
    let decide = json!({"incident": id, "level": "IV", "lead_hq": "沙湾市"});
    let a = c.send(
        "POST",
        "/api/response/activate",
        &as_zhang,
        Some(decide),
        "127.0.0.1",
    );
    assert_eq!(a.body["error"]["code"], "forbidden_role");

    // The local login maps to its account.
    let by_login = [("authorization", bearer.as_str()), (OS_USER_HEADER, "duty")];
    let me = c.send("GET", "/api/me", &by_login, None, "127.0.0.1");
    assert_eq!(me.body["operator"]["account"], "zhang", "{}", me.body);
    let unmapped = [("authorization", bearer.as_str()), (OS_USER_HEADER, "root")];
    let me = c.send("GET", "/api/me", &unmapped, None, "127.0.0.1");
    assert_eq!(me.body["operator"], Value::Null);

    // Naming someone who is not an account, or disabled: refused.
    let nobody = [
        ("authorization", bearer.as_str()),
        (OPERATOR_HEADER, "nobody"),
    ];
    let a = c.send("GET", "/api/me", &nobody, None, "127.0.0.1");
    assert_eq!(
        (a.status, a.body["error"]["code"].as_str()),
        (403, Some("unknown_operator"))
    );
    let wang = c.session("wang");
    assert_eq!(
        c.post("/api/operators/li/disable", &wang, json!({})).status,
        200
    );
    let li = [("authorization", bearer.as_str()), (OPERATOR_HEADER, "li")];
    let a = c.send("GET", "/api/me", &li, None, "127.0.0.1");
    assert_eq!(a.body["error"]["code"], "operator_disabled", "{}", a.body);

    // The machine token: the account `machine`, with its configured role.
    let token = format!("Bearer {TOKEN}");
    let machine = [("authorization", token.as_str())];
    let me = c.send("GET", "/api/me", &machine, None, "127.0.0.1");
    assert_eq!(me.body["operator"]["account"], "machine", "{}", me.body);
    assert_eq!(me.body["role"], "operator");
    let a = c.send("GET", "/api/operators", &machine, None, "127.0.0.1");
    assert_eq!(a.status, 403);
    let wrong = [("authorization", "Bearer not-the-token-at-all")];
    let a = c.send("GET", "/api/status", &wrong, None, "127.0.0.1");
    assert_eq!(a.status, 401);
    // Exports and imports are in the trail, with who and from where.
    let a = c.send("GET", "/api/bundle", &as_zhang, None, "127.0.0.1");
    assert_eq!(a.status, 200);
    let (records, _) = audit::read(&c.dir, None).expect("audit");
    let export = records
        .iter()
        .find(|r| r.event.name() == "bundle_export")
        .expect("the export is recorded");
    assert_eq!(export.account.as_deref(), Some("zhang"));
    assert!(export.source.starts_with("cli"), "{}", export.source);
    c.assert_no_secrets();
}
