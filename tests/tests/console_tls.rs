//! The console over TLS (issue 17, item 1), on loopback with `[console]
//! tls = "on"`: the CLI's client pins the certificate the node names in
//! `node.json` and refuses any other; every answer carries HSTS; plain HTTP
//! to the TLS port gets told to use https://; a broken or silent handshake
//! closes that connection only, within the header timeout.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use liandong_node::api::{HEADER_TIMEOUT, HSTS};
use liandong_node::client::{self, Client, ClientError, RunInfo};
use liandong_node::config::{Config, TlsMode};
use liandong_node::datadir::DataDir;
use liandong_node::service::status::NodeStatus;
use liandong_node::tls::{self, Fingerprint};
use liandong_tests::*;

const NET: &str = "tls-net";
const NO_TIMER: Duration = Duration::from_secs(3600);

fn tls_on(dir: &DataDir) {
    let path = dir.config_path();
    let mut config = Config::load(&path).expect("config");
    config.console.tls = TlsMode::On;
    std::fs::write(&path, config.to_toml()).expect("config written");
}

/// Reads until the peer closes (or `limit` passes); returns what came and
/// how long the peer took to close.
fn read_to_close(mut s: TcpStream, limit: Duration) -> (Vec<u8>, Duration) {
    let start = Instant::now();
    s.set_read_timeout(Some(limit)).expect("timeout");
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return (got, start.elapsed()),
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
}

#[test]
fn the_cli_pins_the_generated_certificate_and_refuses_another() {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = init_post(tmp.path(), "沙湾市", "654203", NET);
    tls_on(&dir);
    let rt = runtime();
    let (node, url) = rt.block_on(spawn_console(&dir, vec![], NO_TIMER));
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let info = node.console_info().expect("console");
    let pin = info.fingerprint.expect("fingerprint");
    let cert = info.cert.clone().expect("certificate file");
    assert_eq!(cert, dir.root().join(tls::TLS_DIR).join("cert.pem"));

    // What `liandong run` writes, and what every other command then reads.
    let run_info = RunInfo {
        pid: std::process::id(),
        peer_id: node.peer_id().to_string(),
        console: Some(url.clone()),
        listen: vec![],
        console_fingerprint: Some(pin),
        console_cert: Some(cert),
    };
    client::write_run_info(&dir, &run_info).expect("node.json");
    let status: NodeStatus = Client::find(&dir)
        .expect("client")
        .get("/api/status", &[])
        .expect("status over TLS");
    assert_eq!(status.console_fingerprint, Some(pin.to_string()));
    assert_eq!(status.console.as_deref(), Some(format!("{url}/").as_str()));

    // Another fingerprint (a replaced certificate, or someone else's
    // server on that port) is refused — named as such, not "unreachable".
    let wrong: Fingerprint = Fingerprint::of(b"another certificate");
    let err = Client::pinned(&url, wrong)
        .expect("client")
        .get::<NodeStatus>("/api/status", &[])
        .expect_err("wrong pin");
    match &err {
        ClientError::Untrusted(m) => {
            assert!(m.contains("指纹") && m.contains("fingerprint"), "{m}");
            assert!(m.contains(&pin.to_string()), "names what it found: {m}");
        }
        other => panic!("expected Untrusted, got {other:?}"),
    }
    let tampered = RunInfo {
        console_fingerprint: Some(wrong),
        ..run_info.clone()
    };
    client::write_run_info(&dir, &tampered).expect("node.json");
    let err = Client::find(&dir)
        .expect("client")
        .get::<NodeStatus>("/api/status", &[])
        .expect_err("tampered node.json");
    assert!(matches!(err, ClientError::Untrusted(_)), "{err:?}");
    // An https console without a fingerprint is not trusted blindly.
    let unpinned = RunInfo {
        console_fingerprint: None,
        ..run_info
    };
    client::write_run_info(&dir, &unpinned).expect("node.json");
    assert!(matches!(Client::find(&dir), Err(ClientError::Untrusted(_))));
    rt.block_on(node.shutdown());
}

#[test]
fn every_answer_carries_hsts_and_plain_http_is_told_to_use_https() {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = init_post(tmp.path(), "沙湾市", "654203", NET);
    tls_on(&dir);
    let rt = runtime();
    let (node, url) = rt.block_on(spawn_console(&dir, vec![], NO_TIMER));
    let info = node.console_info().expect("console");
    let pin = info.fingerprint.expect("fingerprint");
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(DEADLINE))
        .http_status_as_error(false)
        .build();
    let agent = tls::pin::agent(config, pin).expect("agent");
    for (path, status) in [("/api/status", 200), ("/", 200), ("/no/such/page", 404)] {
        let resp = agent
            .get(format!("{url}{path}"))
            .call()
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(resp.status().as_u16(), status, "{path}");
        let hsts = resp
            .headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok());
        assert_eq!(hsts, Some(HSTS), "{path}");
    }

    // Plain HTTP to the TLS port: a short answer, in both languages.
    let mut plain = TcpStream::connect(info.addr).expect("connect");
    plain
        .write_all(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        .expect("send");
    let (answer, _) = read_to_close(plain, DEADLINE);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        answer.contains("https://") && answer.contains("HTTPS"),
        "{answer}"
    );

    // A broken handshake closes that connection only.
    let mut junk = TcpStream::connect(info.addr).expect("connect");
    junk.write_all(&[0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5])
        .expect("send");
    let (_, took) = read_to_close(junk, DEADLINE);
    assert!(
        took < HEADER_TIMEOUT,
        "a broken handshake is closed at once ({took:?})"
    );
    let status: NodeStatus = Client::pinned(&url, pin)
        .expect("client")
        .get("/api/status", &[])
        .expect("still serving");
    assert!(status.console_fingerprint.is_some());
    rt.block_on(node.shutdown());
}

#[test]
fn a_handshake_that_never_finishes_is_closed_after_the_header_timeout() {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = init_post(tmp.path(), "沙湾市", "654203", NET);
    tls_on(&dir);
    let rt = runtime();
    let (node, _url) = rt.block_on(spawn_console(&dir, vec![], NO_TIMER));
    let addr = node.console().expect("console");
    // The first byte of a TLS record, then silence.
    let mut stalled = TcpStream::connect(addr).expect("connect");
    stalled.write_all(&[0x16]).expect("send");
    let (_, took) = read_to_close(stalled, HEADER_TIMEOUT + DEADLINE);
    assert!(
        took >= HEADER_TIMEOUT - Duration::from_secs(1) && took < HEADER_TIMEOUT + DEADLINE,
        "closed after {took:?}, the limit is {HEADER_TIMEOUT:?}"
    );
    rt.block_on(node.shutdown());
}

#[test]
fn plain_http_off_loopback_is_refused_at_start() {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = init_post(tmp.path(), "沙湾市", "654203", NET);
    let path = dir.config_path();
    let mut config = Config::load(&path).expect("config");
    config.console.tls = TlsMode::Off;
    config.console.token = Some("a-long-operator-token-for-tests".into());
    std::fs::write(&path, config.to_toml()).expect("config written");
    let rt = runtime();
    let o = options(&dir, vec![], NO_TIMER);
    let console = liandong_node::app::ConsoleOptions::on("0.0.0.0:0".parse().expect("addr"));
    let err = rt
        .block_on(liandong_node::app::start(o, Some(console)))
        .err()
        .map(|e| e.to_string())
        .expect("refused");
    assert!(err.contains("明文") && err.contains("plain HTTP"), "{err}");
}
