//! The console's HTTP server: axum's router on hyper, with the limits
//! `axum::serve` does not set.
//!
//! - A connection must send its request headers within
//!   [`HEADER_TIMEOUT`], and an idle keep-alive connection is closed after
//!   as long: a socket that connects and says nothing holds nothing for
//!   long.
//! - At most [`MAX_CONNECTIONS`] are open. When all are taken, a new one
//!   evicts the oldest connection that never sent a request — the silent
//!   ones an attacker opens, never an operator's page in mid-request — and
//!   if every one is busy, the new one is closed at once. So 2,000 idle
//!   connections neither exhaust the process's descriptors (which the
//!   libp2p port shares) nor lock the operator out.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// How long a connection may take to send its request headers, and how
/// long a keep-alive connection may sit idle.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Console connections open at once.
pub const MAX_CONNECTIONS: usize = 256;
/// How long open connections get to finish when the node stops.
const DRAIN: Duration = Duration::from_secs(2);

/// One open connection, as the accept loop sees it.
struct Open {
    /// Set when the connection's first request arrived.
    served: Arc<AtomicBool>,
    /// Closes it.
    evict: oneshot::Sender<()>,
    /// Ends when the connection's task does.
    done: oneshot::Receiver<()>,
}

/// Serves `app` on `listener` until `stop` resolves.
pub async fn run(
    listener: TcpListener,
    app: Router,
    stop: impl std::future::Future<Output = ()> + Send,
) {
    let mut open: VecDeque<Open> = VecDeque::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, remote) = tokio::select! {
            biased;
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors, say: wait a little, never spin.
                    tracing::warn!(error = %e, "console accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        open.retain_mut(|c| matches!(c.done.try_recv(), Err(oneshot::error::TryRecvError::Empty)));
        if open.len() >= MAX_CONNECTIONS {
            match open.iter().position(|c| !c.served.load(Ordering::Acquire)) {
                Some(i) => {
                    if let Some(silent) = open.remove(i) {
                        let _ = silent.evict.send(());
                    }
                }
                None => {
                    tracing::debug!(%remote, "console full: connection refused");
                    drop(stream);
                    continue;
                }
            }
        }
        open.push_back(spawn_connection(stream, remote, app.clone()));
    }
    // Stop accepting; give the open connections a moment, then close them.
    drop(listener);
    let deadline = tokio::time::Instant::now() + DRAIN;
    for c in open {
        let _ = c.evict.send(());
        let _ = tokio::time::timeout_at(deadline, c.done).await;
    }
}

fn spawn_connection(stream: tokio::net::TcpStream, remote: SocketAddr, app: Router) -> Open {
    let served = Arc::new(AtomicBool::new(false));
    let (evict, evicted) = oneshot::channel::<()>();
    let (finished, done) = oneshot::channel::<()>();
    let flag = Arc::clone(&served);
    let service = hyper::service::service_fn(move |req| {
        flag.store(true, Ordering::Release);
        let app = app.clone();
        async move { tower::ServiceExt::oneshot(app, req).await }
    });
    tokio::spawn(async move {
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .keep_alive(true)
            .serve_connection(TokioIo::new(stream), service);
        tokio::pin!(conn);
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::trace!(%remote, error = %e, "console connection ended");
                }
            }
            _ = evicted => {
                conn.as_mut().graceful_shutdown();
                let _ = tokio::time::timeout(DRAIN, conn).await;
            }
        }
        let _ = finished.send(());
    });
    Open {
        served,
        evict,
        done,
    }
}
