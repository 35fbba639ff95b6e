//! The composition root: a running post, then its console in front of it.
//!
//! The node (`node/`) knows nothing of HTTP; the console (`api/`) is an
//! adapter over the node's handle. Only this module, `liandong run`, the
//! demo and the tests put the two together.

use std::net::SocketAddr;
use std::path::Path;

use crate::api;
use crate::node::{Node, NodeError, NodeHandle, NodeOptions};
use crate::tls::{ServerTls, TlsError};

/// Where the console listens, and its operator token.
#[derive(Debug, Clone)]
pub struct ConsoleOptions {
    pub listen: SocketAddr,
    /// `None` means the config's (`[console] token`). Required when the
    /// console is not on loopback.
    pub token: Option<String>,
}

impl ConsoleOptions {
    /// A console on `listen` with the config's token.
    pub fn on(listen: SocketAddr) -> ConsoleOptions {
        ConsoleOptions {
            listen,
            token: None,
        }
    }
}

/// Starts the post and, when asked, its console. A console that cannot
/// start (a port in use, a missing token, plain HTTP off loopback, an
/// unreadable certificate) stops the post again: a post whose operator
/// cannot reach it is not what was asked for.
pub async fn start(
    options: NodeOptions,
    console: Option<ConsoleOptions>,
) -> Result<NodeHandle, NodeError> {
    let data_root = options.data_dir.root().to_path_buf();
    let node = Node::spawn(options).await?;
    if let Some(console) = console
        && let Err(e) = serve_console(&node, console, &data_root).await
    {
        node.shutdown().await;
        return Err(e);
    }
    Ok(node)
}

async fn serve_console(
    node: &NodeHandle,
    console: ConsoleOptions,
    data_root: &Path,
) -> Result<(), NodeError> {
    let addr = console.listen;
    let config = &node.config().console;
    let token = console.token.or_else(|| config.token.clone());
    // TLS first: plain HTTP off loopback is refused before anything binds.
    let tls = config
        .tls_plan(addr, data_root)
        .map_err(TlsError::from)
        .and_then(|plan| ServerTls::prepare(&plan, data_root, addr, node.name()))
        .map_err(|e| NodeError::Start(format!("console on {addr}: {e}")))?;
    let access = api::Access::new(addr, token).map_err(|e| NodeError::Start(e.to_string()))?;
    api::serve(node.clone(), addr, access, tls)
        .await
        .map(drop)
        .map_err(|e| NodeError::Start(format!("console on {addr}: {e}")))
}
