//! One link between two posts, as a TCP relay the nemesis controls: every
//! post dials its parent through one, so the harness can cut the link, make
//! it go silent, or throttle it — with real sockets, and without root.
//!
//! - **Open**: bytes flow (at `rate` bytes/s each way, when throttled).
//! - **Cut**: every connection is closed and new ones are refused, as when
//!   a router drops the route and says so.
//! - **Silent**: bytes stop flowing but nobody is told — a cable cut far
//!   away. Posts must notice on their own (ping liveness).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What a link does now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LinkState {
    /// Bytes flow, at most `rate` bytes per second each way if given.
    Open {
        rate: Option<u32>,
    },
    Cut,
    Silent,
}

/// Bytes relayed per step; small, so that throttling is smooth.
const CHUNK: usize = 2048;

/// A relay from a local port to `target`.
#[derive(Debug)]
pub struct Wire {
    pub addr: SocketAddr,
    state: watch::Sender<LinkState>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Wire {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Wire {
    /// Starts a relay on a free loopback port.
    pub async fn start(target: SocketAddr) -> std::io::Result<Wire> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (state, rx) = watch::channel(LinkState::Open { rate: None });
        let task = tokio::spawn(accept(listener, target, rx));
        Ok(Wire { addr, state, task })
    }

    pub fn set(&self, state: LinkState) {
        self.state.send_replace(state);
    }

    pub fn state(&self) -> LinkState {
        *self.state.borrow()
    }
}

async fn accept(listener: TcpListener, target: SocketAddr, state: watch::Receiver<LinkState>) {
    loop {
        let Ok((inbound, _)) = listener.accept().await else {
            continue;
        };
        if *state.borrow() == LinkState::Cut {
            drop(inbound);
            continue;
        }
        let state = state.clone();
        tokio::spawn(async move {
            let Ok(outbound) = TcpStream::connect(target).await else {
                return;
            };
            let _ = inbound.set_nodelay(true);
            let _ = outbound.set_nodelay(true);
            let (ir, iw) = inbound.into_split();
            let (or, ow) = outbound.into_split();
            tokio::select! {
                () = pump(ir, ow, state.clone()) => {}
                () = pump(or, iw, state) => {}
            }
        });
    }
}

/// Relays one direction until either side closes or the link is cut.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut state: watch::Receiver<LinkState>,
) {
    let mut buf = vec![0u8; CHUNK];
    loop {
        // Hold while silent; leave when cut.
        loop {
            let now = *state.borrow_and_update();
            match now {
                LinkState::Cut => return,
                LinkState::Silent => {}
                LinkState::Open { .. } => break,
            }
            if state.changed().await.is_err() {
                return;
            }
        }
        let n = tokio::select! {
            read = from.read(&mut buf) => match read {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            },
            changed = state.changed() => {
                if changed.is_err() { return; }
                continue;
            }
        };
        // Bytes read while open go out at the link's rate, unless it is
        // cut meanwhile (silent holds them, like a dead cable).
        loop {
            let now = *state.borrow_and_update();
            match now {
                LinkState::Cut => return,
                LinkState::Silent => {
                    if state.changed().await.is_err() {
                        return;
                    }
                }
                LinkState::Open { rate } => {
                    if let Some(rate) = rate {
                        let pause = Duration::from_secs_f64(n as f64 / f64::from(rate.max(1)));
                        tokio::time::sleep(pause).await;
                    }
                    break;
                }
            }
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn echo_server() -> SocketAddr {
        let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = l.local_addr().expect("addr");
        tokio::spawn(async move {
            while let Ok((mut s, _)) = l.accept().await {
                tokio::spawn(async move {
                    let (mut r, mut w) = s.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        addr
    }

    #[tokio::test]
    async fn relays_throttles_silences_and_cuts() {
        let wire = Wire::start(echo_server().await).await.expect("wire");
        let mut c = TcpStream::connect(wire.addr).await.expect("connect");
        c.write_all(b"hello").await.expect("write");
        let mut back = [0u8; 5];
        c.read_exact(&mut back).await.expect("echo");
        assert_eq!(&back, b"hello");

        // Throttled: 4 KiB at 8 KiB/s takes about half a second each way.
        wire.set(LinkState::Open { rate: Some(8192) });
        let started = std::time::Instant::now();
        c.write_all(&[7u8; 4096]).await.expect("write");
        let mut big = vec![0u8; 4096];
        c.read_exact(&mut big).await.expect("echo");
        assert!(
            started.elapsed() >= Duration::from_millis(700),
            "{:?}",
            started.elapsed()
        );

        // Silent: nothing comes back, and the socket stays open.
        wire.set(LinkState::Silent);
        c.write_all(b"ping").await.expect("write");
        let mut one = [0u8; 4];
        let silent = tokio::time::timeout(Duration::from_millis(300), c.read_exact(&mut one)).await;
        assert!(silent.is_err(), "bytes crossed a silent link");
        // Back open: what was held arrives.
        wire.set(LinkState::Open { rate: None });
        c.read_exact(&mut one).await.expect("held bytes");
        assert_eq!(&one, b"ping");

        // Cut: the connection ends, new ones are refused.
        wire.set(LinkState::Cut);
        let mut rest = Vec::new();
        let ended = tokio::time::timeout(Duration::from_secs(5), c.read_to_end(&mut rest)).await;
        assert!(ended.is_ok(), "a cut link kept the connection");
        let mut again = TcpStream::connect(wire.addr).await.expect("tcp accept");
        let mut b = [0u8; 1];
        let refused = tokio::time::timeout(Duration::from_secs(5), again.read(&mut b)).await;
        assert!(matches!(refused, Ok(Ok(0)) | Ok(Err(_))), "{refused:?}");
    }
}
