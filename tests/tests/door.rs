//! The door stays open: silent sockets, on the libp2p port or the console,
//! never lock honest posts or the operator out.
//!
//! The attacker's sockets come from other loopback addresses (127.0.0.2,
//! 127.0.0.3): the limits are per source host, as they are on a real
//! network, and the honest post dials from 127.0.0.1.

use std::net::SocketAddr;
use std::time::Duration;

use liandong_tests::*;
use tokio::net::{TcpSocket, TcpStream};

const NET: &str = "door-net";
const NO_TIMER: Duration = Duration::from_secs(3600);

/// Opens `n` TCP connections to `to` from `from` and keeps them silent.
async fn silent_sockets(from: &str, to: SocketAddr, n: usize) -> Vec<TcpStream> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let socket = TcpSocket::new_v4().expect("socket");
        socket
            .bind(format!("{from}:0").parse().expect("addr"))
            .expect("bind");
        // Refused or reset at once is fine: the door said no.
        if let Ok(s) = socket.connect(to).await {
            out.push(s);
        }
    }
    out
}

fn tcp_addr(node: &liandong_node::node::NodeHandle) -> SocketAddr {
    use libp2p::multiaddr::Protocol;
    let addr = node.listen_addrs().into_iter().next().expect("listens");
    let mut ip = None;
    let mut port = None;
    for p in addr.iter() {
        match p {
            Protocol::Ip4(a) => ip = Some(a),
            Protocol::Tcp(t) => port = Some(t),
            _ => {}
        }
    }
    SocketAddr::from((ip.expect("ip4"), port.expect("tcp")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_sockets_on_the_libp2p_port_do_not_lock_out_honest_posts() {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let county_dir = init_post(tmp.path(), "county", "654203", NET);
    let township_dir = init_post(tmp.path(), "township", "654203106", NET);
    let county = spawn(&county_dir, vec![], NO_TIMER).await;
    let township = spawn(&township_dir, vec![], NO_TIMER).await;

    // Far more silent sockets than libp2p's old pending limit (64), from
    // two hosts; they hold nothing past the handshake deadline.
    let addr = tcp_addr(&county);
    let mut held = silent_sockets("127.0.0.2", addr, 150).await;
    held.extend(silent_sockets("127.0.0.3", addr, 150).await);

    connect(&township, &county).await;
    let e = note(&county, "县：门依然开着").await;
    wait_until("the township gets the county's note", DEADLINE, || {
        has(&township, &e)
    })
    .await;
    drop(held);
    county.shutdown().await;
    township.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_answers_under_two_thousand_idle_connections() {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let county_dir = init_post(tmp.path(), "county", "654203", NET);
    let township_dir = init_post(tmp.path(), "township", "654203106", NET);
    let (county, url) = spawn_console(&county_dir, vec![], NO_TIMER).await;
    let console: SocketAddr = url
        .trim_start_matches("http://")
        .parse()
        .expect("console address");

    let held = silent_sockets("127.0.0.2", console, 2000).await;
    // The operator's request still gets an answer...
    let status_url = format!("{url}/api/status");
    let answered = tokio::task::spawn_blocking(move || {
        ureq::get(&status_url)
            .config()
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .call()
            .map(|r| r.status().as_u16())
    })
    .await
    .expect("join");
    assert_eq!(answered.ok(), Some(200), "the console did not answer");
    // ... and the libp2p port, in the same process, still takes peers.
    let township = spawn(&township_dir, vec![], NO_TIMER).await;
    connect(&township, &county).await;
    drop(held);
    county.shutdown().await;
    township.shutdown().await;
}
