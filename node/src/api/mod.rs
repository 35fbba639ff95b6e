//! The post's local HTTP API: what `liandong status`, the other CLI
//! commands (while the node runs and holds the store) and the console use.
//!
//! Bound to localhost by default. Every write goes through the same ledger
//! path as the CLI.

mod error;
mod routes;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub use error::ApiError;

use crate::node::NodeHandle;

/// Largest request body (a bundle upload is the big one).
pub const MAX_BODY_BYTES: usize = 512 * 1024 * 1024;
/// Largest JSON body of any other request.
pub const MAX_JSON_BYTES: usize = 256 * 1024;

pub fn router(node: NodeHandle) -> Router {
    let json = Router::new()
        .route("/api/status", get(routes::status))
        .route("/api/digest", get(routes::digest))
        .route("/api/entries", get(routes::entries))
        .route("/api/notes", post(routes::add_note))
        .route("/api/sync", post(routes::sync))
        .route("/api/bundle", get(routes::export_bundle))
        .layer(DefaultBodyLimit::max(MAX_JSON_BYTES));
    let uploads = Router::new()
        .route("/api/bundle/import", post(routes::import_bundle))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    json.merge(uploads).with_state(node)
}

/// Binds `addr`, records the bound address on the node, and serves until
/// the node stops.
pub async fn serve(node: NodeHandle, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    node.set_console(bound);
    let app = router(node.clone());
    let stopped = node.stopped();
    let task = tokio::spawn(async move {
        let result = axum::serve(listener, app)
            .with_graceful_shutdown(stopped)
            .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "console server failed");
        }
    });
    node.adopt(task);
    tracing::info!(url = %format!("http://{bound}/"), "console listening");
    Ok(())
}
