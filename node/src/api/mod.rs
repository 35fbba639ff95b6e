//! The post's local HTTP API and web console: what `liandong status`, the
//! other CLI commands (while the node runs and holds the store) and the
//! browser console use.
//!
//! Bound to localhost by default; see [`access`] for accounts, sessions,
//! the machine token and why no secret is ever served, `guard` for the
//! cross-site-request rules, and [`roles`] for the role every route needs. Every domain
//! action goes through `crate::domain` — the same planning and checks as
//! the CLI — and is written by `NodeHandle::author`, so it is gossiped.
//!
//! | area | routes |
//! |---|---|
//! | console | `GET /`, `GET /assets/{file}` (embedded in the binary) |
//! | access | `GET /api/access`, `POST /api/login`, `POST /api/logout` |
//! | operators (admin) | `GET/POST /api/operators`, `POST /api/operators/{account}/passwd|disable|enable`, `GET /api/audit` (`?since=`) |
//! | post | `GET /api/status`, `/api/me`, `/api/vocab`, `/api/digest`, `/api/entries` |
//! | views | `GET /api/views`, `/api/overview`, `/api/incidents`, `/api/incidents/{id}`, `/api/responses`, `/api/warnings`, `/api/resources`, `/api/tasks`, `/api/plans`, `/api/drills`, `/api/forces` (`?capability=&near=&within_km=`), `/api/review`, `/api/conflicts`, `/api/invalid` (all take `?drill=`) |
//! | actions | `POST /api/{area}/{verb}` — see `crate::domain::actions` (take `?drill=`) |
//! | network | `GET /api/network`, `POST /api/sync`, `GET /api/bundle`, `POST /api/bundle/import` |
//! | members | `GET /api/members` (certificate tree), `/api/members/requests`, `/api/posts`, `/api/regions`; `POST /api/members/revoke`, `/api/members/issue`, `/api/members/install`, `/api/members/request` (`routes::certs`) |
//! | regions | `GET /api/region-names?codes=…` (names from the region tables) |
//! | live | `GET /api/events` (server-sent events, one per new entry) |
//! | notes | `POST /api/notes` |
//! | metrics | `GET /metrics` (Prometheus text format) |

pub mod access;
mod audit_trail;
mod console;
mod error;
mod guard;
mod json;
mod routes;
mod server;
mod state;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};

pub use access::Access;
pub use error::ApiError;
pub use state::ApiState;

use crate::node::NodeHandle;
pub use crate::service::status::ConsoleInfo;

pub use crate::service::http::MAX_BODY_BYTES;
pub use routes::region_names::MAX_REGION_NAME_CODES;
/// Largest JSON body of any other request.
pub const MAX_JSON_BYTES: usize = 256 * 1024;

pub fn router(state: ApiState) -> Router {
    use routes::{
        actions, audit, cap, certs, events, forces, ledger, members, metrics, network, operators,
        region_names, session, views,
    };
    let api = Router::new()
        .route("/api/access", get(session::access))
        .route("/api/login", post(session::login))
        .route("/api/logout", post(session::logout))
        .route("/api/status", get(ledger::status))
        .route("/api/me", get(session::me))
        .route("/api/vocab", get(session::vocab))
        .route("/api/digest", get(ledger::digest))
        .route("/api/entries", get(ledger::entries))
        .route("/api/notes", post(ledger::add_note))
        .route("/api/sync", post(ledger::sync))
        .route("/api/bundle", get(ledger::export_bundle))
        .route("/api/views", get(views::all))
        .route("/api/overview", get(views::overview))
        .route("/api/incidents", get(views::incidents))
        .route("/api/incidents/{id}", get(views::incident))
        .route("/api/responses", get(views::responses))
        .route("/api/warnings", get(views::warnings))
        .route("/api/resources", get(views::resources))
        .route("/api/tasks", get(views::tasks))
        .route("/api/plans", get(views::plans))
        .route("/api/drills", get(views::drills))
        .route("/api/forces", get(forces::list))
        .route("/api/review", get(views::review))
        .route("/api/conflicts", get(views::conflicts))
        .route("/api/invalid", get(views::invalid))
        .route("/api/network", get(network::health))
        .route("/api/members", get(members::certificates))
        .route("/api/members/revoke", post(members::revoke))
        .route("/api/members/requests", get(certs::requests))
        .route("/api/members/issue", post(certs::issue))
        .route("/api/members/install", post(certs::install))
        .route("/api/members/request", post(certs::request))
        .route("/api/posts", get(members::posts))
        .route("/api/regions", get(members::regions))
        .route("/api/region-names", get(region_names::names))
        .route("/api/events", get(events::stream))
        .route("/api/operators", get(operators::list))
        .route("/api/operators", post(operators::add))
        .route("/api/operators/{account}/passwd", post(operators::passwd))
        .route("/api/operators/{account}/disable", post(operators::disable))
        .route("/api/operators/{account}/enable", post(operators::enable))
        .route("/api/audit", get(audit::log))
        .route("/api/{area}/{verb}", post(actions::act))
        .route("/metrics", get(metrics::scrape))
        .route("/", get(console::index))
        .route("/assets/{file}", get(console::asset))
        .layer(DefaultBodyLimit::max(MAX_JSON_BYTES));
    let uploads = Router::new()
        .route("/api/bundle/import", post(ledger::import_bundle))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    // CAP documents: bounded by the gateway's own limit, the one the CLI
    // and the reader use.
    let cap_gateway = Router::new()
        .route("/api/cap", post(cap::import))
        .route("/api/cap/{file}", get(cap::file))
        .layer(DefaultBodyLimit::max(crate::gateway::cap::MAX_CAP_BYTES));
    api.merge(uploads)
        .merge(cap_gateway)
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.access.clone(),
            guard::guard,
        ))
        .layer(middleware::from_fn(routes::json_errors))
        .with_state(state)
}

pub use server::{HEADER_TIMEOUT, MAX_CONNECTIONS};

/// Binds `addr`, records the bound address (and the certificate's
/// fingerprint) on the node, and serves until the node stops: over TLS
/// with `tls`, with `Strict-Transport-Security` on every answer then.
/// Returns what the node recorded.
pub async fn serve(
    node: NodeHandle,
    addr: SocketAddr,
    access: Access,
    tls: Option<crate::tls::ServerTls>,
) -> std::io::Result<ConsoleInfo> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let info = ConsoleInfo {
        addr: bound,
        fingerprint: tls.as_ref().map(|t| t.fingerprint),
        cert: tls.as_ref().map(|t| t.cert_path.clone()),
    };
    node.set_console(info.clone());
    let state = ApiState::new(node.clone(), access);
    node.adopt(tokio::spawn(state::warm_up(state.clone())));
    let mut app = router(state);
    if tls.is_some() {
        app = app.layer(middleware::map_response(strict_transport_security));
    }
    let acceptor = tls.map(|t| tokio_rustls::TlsAcceptor::from(t.config));
    let stopped = node.stopped();
    let task = tokio::spawn(server::run(listener, app, acceptor, stopped));
    node.adopt(task);
    match &info.fingerprint {
        Some(f) => tracing::info!(url = %info.url(), fingerprint = %f, "console listening (TLS)"),
        None => tracing::info!(url = %info.url(), "console listening"),
    }
    Ok(info)
}

/// How long browsers keep to HTTPS for this console: a year.
pub const HSTS: &str = "max-age=31536000";

async fn strict_transport_security(
    mut response: axum::response::Response,
) -> axum::response::Response {
    response.headers_mut().insert(
        axum::http::header::STRICT_TRANSPORT_SECURITY,
        axum::http::HeaderValue::from_static(HSTS),
    );
    response
}
