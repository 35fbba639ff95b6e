//! Who entered what, at the post's doors: the console's routes record the
//! signed-in operator the access check hands them (`SignedIn` in the
//! request's extensions), and the CLI records `--operator` when it writes
//! to the store itself.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use axum::Extension;
use axum::body::Body as HttpBody;
use axum::http::{Request, StatusCode, header};
use liandong_node::api::{self, ApiState, access::Access};
use liandong_node::config::{Config, PostConfig};
use liandong_node::datadir::DataDir;
use liandong_node::node::{Node, NodeHandle, NodeOptions};
use liandong_node::operators::{AccountBook, NewAccount};
use liandong_node::post::Post;
use liandong_node::service::http::CSRF_HEADER;
use liandong_node::service::operator::{OperatorRole, SignedIn};
use liandong_protocol::{EntryId, Operator, RegionCode, SignedEntry, UnitType};
use tower::ServiceExt;

fn init_post(root: &Path, name: &str) -> DataDir {
    let region: RegionCode = "654203106".parse().expect("region");
    let dir = DataDir::new(root.join(name));
    let config = Config::new(PostConfig {
        name: name.to_string(),
        level: region.level(),
        region,
        unit_type: UnitType::Command,
        contact: String::new(),
        location: None,
    });
    Post::init(&dir, config).expect("init post");
    dir
}

async fn spawn(dir: &DataDir) -> NodeHandle {
    let mut o = NodeOptions::new(dir.clone());
    o.listen = vec!["/ip4/127.0.0.1/tcp/0".parse().expect("multiaddr")];
    o.mdns = Some(false);
    o.sync_interval = Duration::from_secs(3600);
    Node::spawn(o).await.expect("spawn")
}

fn signed_in(account: &str, display: &str) -> SignedIn {
    SignedIn {
        account: account.into(),
        display: display.into(),
        role: OperatorRole::Operator,
    }
}

/// POSTs `body` to `path` through the console's router, with `who` put
/// into the request's extensions as the access check would.
async fn post(
    node: &NodeHandle,
    who: Option<SignedIn>,
    path: &str,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let access = Access::new("127.0.0.1:0".parse().expect("addr"), None).expect("access");
    let mut app = api::router(ApiState::new(node.clone(), access));
    if let Some(who) = who {
        app = app.layer(Extension(who));
    }
    let request = Request::post(path)
        .header(header::HOST, "127.0.0.1")
        .header(header::CONTENT_TYPE, "application/json")
        .header(CSRF_HEADER, "1")
        .body(HttpBody::from(body.to_string()))
        .expect("request");
    let response = app.oneshot(request).await.expect("answer");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

async fn stored(node: &NodeHandle, id: &str) -> SignedEntry {
    let id: EntryId = id.parse().expect("entry id");
    node.ledger()
        .read(move |l| l.store().get(&id).expect("store"))
        .await
        .expect("ledger")
        .expect("entry stored")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_writes_record_the_signed_in_operator() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let node = spawn(&init_post(tmp.path(), "西戈壁镇")).await;
    let zhangsan = Operator::new("zhangsan", "张三").expect("operator");

    // A note.
    let (status, row) = post(
        &node,
        Some(signed_in("zhangsan", "张三")),
        "/api/notes",
        serde_json::json!({"text": "河水上涨"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{row}");
    assert_eq!(row["entered_by"]["account"], "zhangsan");
    let e = stored(&node, row["id"].as_str().expect("id")).await;
    assert_eq!(e.operator(), Some(&zhangsan));
    assert_eq!(e.header().version, 2);

    // A domain action (the 首报), through the one action route.
    let (status, written) = post(
        &node,
        Some(signed_in("zhangsan", "张三")),
        "/api/incident/report",
        serde_json::json!({"title": "西戈壁村洪涝", "event": "flood_drought", "severity": "IV"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{written}");
    let e = stored(&node, written["entry"]["id"].as_str().expect("id")).await;
    assert_eq!(e.operator(), Some(&zhangsan));

    // No one signed in (a post without accounts): version 1, as before.
    let (status, row) = post(
        &node,
        None,
        "/api/notes",
        serde_json::json!({"text": "无账号时的记录"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{row}");
    assert!(row.get("entered_by").is_none(), "{row}");
    let e = stored(&node, row["id"].as_str().expect("id")).await;
    assert_eq!((e.operator(), e.header().version), (None, 1));

    // An account no entry can record is refused, never written anonymously.
    let (status, err) = post(
        &node,
        Some(signed_in("Zhang San", "张三")),
        "/api/notes",
        serde_json::json!({"text": "不应写入"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["error"]["code"], "operator_unrecordable");
    node.shutdown().await;
}

fn liandong(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liandong"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("LIANDONG_DATA_DIR")
        .env_remove("LIANDONG_OPERATOR")
        .output()
        .expect("run liandong")
}

#[test]
fn the_cli_records_its_operator_when_it_writes_to_the_store() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = init_post(tmp.path(), "西戈壁镇");
    let root = dir.root();
    // The post's accounts: two duty operators and a viewer.
    let mut book = AccountBook::load(&dir).expect("no accounts yet");
    for (account, display, role) in [
        ("zhangsan", "张三", OperatorRole::Operator),
        ("lisi", "李四", OperatorRole::Operator),
        ("zhaoliu", "赵六", OperatorRole::Viewer),
    ] {
        let new = NewAccount {
            account: account.into(),
            display: display.into(),
            role,
            password: "a long enough password".into(),
            os_user: None,
        };
        book.add(new, 1).expect("account");
    }
    book.save(&dir).expect("saved");

    let o = liandong(
        root,
        &[
            "--operator",
            "zhangsan",
            "note",
            "add",
            "道路中断",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let row: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(row["entered_by"]["account"], "zhangsan");
    assert_eq!(row["entered_by"]["display"], "张三");

    // The environment names the operator as well as the flag does.
    let o = Command::new(env!("CARGO_BIN_EXE_liandong"))
        .arg("--data-dir")
        .arg(root)
        .args(["note", "add", "续报", "--json"])
        .env_remove("LIANDONG_DATA_DIR")
        .env("LIANDONG_OPERATOR", "lisi")
        .output()
        .expect("run liandong");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let row: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(row["entered_by"]["account"], "lisi");

    // `log` shows who entered each entry.
    let o = liandong(root, &["log"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("录入 entered by"), "{text}");
    assert!(text.contains("张三") && text.contains("李四"), "{text}");

    // No such account, or one whose role may not write: refused, nothing
    // written (the same role table as a running node's).
    let o = liandong(root, &["--operator", "wangwu", "note", "add", "x"]);
    assert_eq!(
        o.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = liandong(root, &["--operator", "zhaoliu", "note", "add", "x"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("赵六") && err.contains("operator"), "{err}");

    // An account name no entry could record: a usage error, nothing written.
    let o = liandong(root, &["--operator", "Zhang San", "note", "add", "x"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // …but it does not stop commands that write nothing.
    let o = liandong(root, &["--operator", "Zhang San", "log", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(
        rows.as_array().map(Vec::len),
        Some(3),
        "the profile and two notes"
    );
}
