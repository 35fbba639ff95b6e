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
//! - With TLS (`crate::tls`), the handshake runs in the connection's own
//!   task and must finish within [`HEADER_TIMEOUT`] too; until a request
//!   arrives the connection counts as silent, so handshaking ones are
//!   evicted first. A failed handshake is logged at debug and closes that
//!   one connection. A browser that speaks plain HTTP to the TLS port gets
//!   a short bilingual answer telling it to use `https://`.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;

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

/// The first byte of every TLS connection (a handshake record).
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// What a plain-HTTP request to the TLS port is told.
const HTTPS_ONLY: &str = "此控制台只接受 HTTPS，请改用 https:// 访问。\n\
                          This console speaks HTTPS only: use https://\n";

/// Serves `app` on `listener` until `stop` resolves; over TLS when `tls`
/// is given.
pub async fn run(
    listener: TcpListener,
    app: Router,
    tls: Option<TlsAcceptor>,
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
        open.push_back(spawn_connection(stream, remote, app.clone(), tls.clone()));
    }
    // Stop accepting; give the open connections a moment, then close them.
    drop(listener);
    let deadline = tokio::time::Instant::now() + DRAIN;
    for c in open {
        let _ = c.evict.send(());
        let _ = tokio::time::timeout_at(deadline, c.done).await;
    }
}

fn spawn_connection(
    stream: TcpStream,
    remote: SocketAddr,
    app: Router,
    tls: Option<TlsAcceptor>,
) -> Open {
    let served = Arc::new(AtomicBool::new(false));
    let (evict, mut evicted) = oneshot::channel::<()>();
    let (finished, done) = oneshot::channel::<()>();
    let flag = Arc::clone(&served);
    let service = hyper::service::service_fn(move |mut req: hyper::Request<_>| {
        flag.store(true, Ordering::Release);
        // Who is asking: the login wait per source and the audit trail
        // read it (`axum::extract::ConnectInfo`).
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(remote));
        let app = app.clone();
        async move { tower::ServiceExt::oneshot(app, req).await }
    });
    tokio::spawn(async move {
        match tls {
            None => serve_http(TokioIo::new(stream), service, remote, evicted).await,
            Some(acceptor) => {
                let handshake = tokio::select! {
                    r = tokio::time::timeout(HEADER_TIMEOUT, handshake(acceptor, stream)) => r,
                    _ = &mut evicted => Ok(Err("evicted during the handshake".to_string())),
                };
                match handshake {
                    Ok(Ok(secure)) => {
                        serve_http(TokioIo::new(secure), service, remote, evicted).await;
                    }
                    Ok(Err(e)) => {
                        tracing::debug!(%remote, error = %e, "console TLS handshake failed")
                    }
                    Err(_) => tracing::debug!(%remote, "console TLS handshake timed out"),
                }
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

/// The TLS handshake, or why it failed. A connection whose first byte is
/// not a TLS record is answered in plain HTTP (see [`HTTPS_ONLY`]).
async fn handshake(
    acceptor: TlsAcceptor,
    mut stream: TcpStream,
) -> Result<tokio_rustls::server::TlsStream<TcpStream>, String> {
    let mut first = [0u8; 1];
    let n = stream.peek(&mut first).await.map_err(|e| e.to_string())?;
    if n == 0 {
        return Err("closed before the handshake".into());
    }
    if first[0] != TLS_HANDSHAKE_RECORD {
        // Take the request off the socket first: closing one with unread
        // bytes resets it, and the browser would show a reset, not this.
        let mut request = [0u8; 8 * 1024];
        let _ = stream.read(&mut request).await;
        let answer = format!(
            "HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{HTTPS_ONLY}",
            HTTPS_ONLY.len()
        );
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = stream.shutdown().await;
        return Err("plain HTTP on the TLS port".into());
    }
    acceptor.accept(stream).await.map_err(|e| e.to_string())
}

/// HTTP/1.1 on one connection until it ends or is evicted.
async fn serve_http<I, S>(
    io: TokioIo<I>,
    service: S,
    remote: SocketAddr,
    evicted: oneshot::Receiver<()>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: hyper::service::HttpService<hyper::body::Incoming> + Send + 'static,
    S::Future: Send + 'static,
    S::ResBody: Send + 'static,
    <S::ResBody as hyper::body::Body>::Data: Send,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .keep_alive(true)
        .serve_connection(io, service);
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
}
