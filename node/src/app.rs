//! The composition root: a running post, then its console in front of it.
//!
//! The node (`node/`) knows nothing of HTTP; the console (`api/`) is an
//! adapter over the node's handle. Only this module, `liandong run`, the
//! demo and the tests put the two together.

use std::net::SocketAddr;

use crate::api;
use crate::datadir::DataDir;
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
    let data_dir = options.data_dir.clone();
    let node = Node::spawn(options).await?;
    if let Some(console) = console
        && let Err(e) = serve_console(&node, &data_dir, console).await
    {
        node.shutdown().await;
        return Err(e);
    }
    Ok(node)
}

async fn serve_console(
    node: &NodeHandle,
    data_dir: &DataDir,
    console: ConsoleOptions,
) -> Result<(), NodeError> {
    let addr = console.listen;
    let config = &node.config().console;
    let token = console.token.or_else(|| config.token.clone());
    let data_root = data_dir.root();
    // TLS first: plain HTTP off loopback is refused before anything binds.
    let tls = config
        .tls_plan(addr, data_root)
        .map_err(TlsError::from)
        .and_then(|plan| ServerTls::prepare(&plan, data_root, addr, node.name()))
        .map_err(|e| NodeError::Start(format!("console on {addr}: {e}")))?;
    let machine_role = config
        .machine_role
        .unwrap_or(api::access::DEFAULT_MACHINE_ROLE);
    // The accounts, the audit trail and the local CLI credential live in
    // the data directory (`crate::operators`).
    let access = api::Access::for_post(addr, token, machine_role, data_dir)
        .map_err(|e| NodeError::Start(e.to_string()))?
        .with_tls(tls.is_some());
    api::serve(node.clone(), addr, access, tls)
        .await
        .map(drop)
        .map_err(|e| NodeError::Start(format!("console on {addr}: {e}")))
}
