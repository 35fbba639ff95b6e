//! Certificate work on a running post — what `liandong cert request`,
//! `issue`, `install` and `requests` ask of it while `liandong run` holds
//! the store, and what the console's 成员 page does: the same service
//! functions as the CLI's store path (`service::cert_*`), so both behave
//! alike, refusals and exit codes included.
//!
//! | route | what |
//! |---|---|
//! | `GET /api/members/requests` | requests handed over the network, waiting first |
//! | `POST /api/members/issue` | issue for a request (a file's hex, or a waiting request's id) |
//! | `POST /api/members/install` | install a certificate file, or collect it over the network |
//! | `POST /api/members/request` | sign this post's request; optionally send it to a parent |

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use liandong_protocol::Status;
use serde::Deserialize;

use crate::api::json::JsonBody;
use crate::api::routes::entered::{self, Entered};
use crate::api::{ApiError, ApiState};
use crate::clock;
use crate::node::HandoverFailure;
use crate::service::cert_inbox::{self, RequestRow};
use crate::service::cert_install::InstallError;
use crate::service::cert_issue::{self, IssueError, IssueOutcome, IssueSpec};
use crate::service::cert_request::{self, InstallAnswer, RequestAnswer};

pub fn issue_error(e: IssueError) -> ApiError {
    match e {
        IssueError::Usage(m) => ApiError::bad_request("invalid_issue", m),
        IssueError::Invalid(m) => ApiError::mixed(StatusCode::UNPROCESSABLE_ENTITY, "refused", m),
        IssueError::Ledger(l) => l.into(),
        IssueError::Failed(m) => ApiError::internal(m),
    }
}

pub fn install_error(e: InstallError) -> ApiError {
    match e {
        InstallError::Invalid(m) => {
            ApiError::mixed(StatusCode::UNPROCESSABLE_ENTITY, "invalid_certificate", m)
        }
        InstallError::Ledger(l) => l.into(),
    }
}

fn handover_error(e: HandoverFailure) -> ApiError {
    match e {
        HandoverFailure::Courier(c) => {
            ApiError::mixed(StatusCode::BAD_GATEWAY, "parent_unreachable", c.to_string())
        }
        HandoverFailure::Install(i) => install_error(i),
        HandoverFailure::Ledger(l) => l.into(),
        HandoverFailure::Usage(m) => ApiError::bad_request("no_address", m),
    }
}

fn bad_hex(field: &'static str) -> ApiError {
    ApiError::bad_request(
        "invalid_field",
        format!("{field} is not hex / {field} 不是十六进制"),
    )
    .with_field(field)
}

fn bad_addr(e: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(
        "invalid_field",
        format!("not a network address (multiaddr): {e} / 地址格式有误"),
    )
    .with_field("addr")
}

/// `GET /api/members/requests`.
pub async fn requests(State(s): State<ApiState>) -> Result<Json<Vec<RequestRow>>, ApiError> {
    let rows = s
        .node
        .ledger()
        .read(|l| {
            if l.trust_enabled() {
                cert_inbox::list(l)
            } else {
                Ok(Vec::new())
            }
        })
        .await?
        .map_err(|e| crate::api::error::store_error(&e))?;
    Ok(Json(rows))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    /// A request file, hex-encoded (`cert issue FILE`) …
    #[serde(default)]
    request_file_hex: Option<String>,
    /// … or the id (8+ hex characters) of a request waiting here.
    #[serde(default)]
    request: Option<String>,
    spec: IssueSpec,
}

/// `POST /api/members/issue`: checks, writes (and gossips) the certificate,
/// answers with it and its file; a request waiting here is answered at
/// the newcomer's next ask.
pub async fn issue(
    State(s): State<ApiState>,
    who: Entered,
    JsonBody(body): JsonBody<IssueBody>,
) -> Result<Json<IssueOutcome>, ApiError> {
    let operator = entered::operator(who)?;
    let bytes = match (body.request_file_hex, body.request) {
        (Some(h), None) => hex::decode(h.trim()).map_err(|_| bad_hex("request_file_hex"))?,
        (None, Some(id)) => s
            .node
            .ledger()
            .read(move |l| cert_inbox::find(l, &id))
            .await?
            .map_err(|e| crate::api::error::store_error(&e))?
            .map_err(|m| ApiError::bad_request("unknown_request", m).with_field("request"))?,
        _ => {
            return Err(ApiError::bad_request(
                "missing_field",
                "give request_file_hex or request, not both / 请给出申请文件或申请编号之一",
            )
            .with_field("request"));
        }
    };
    let spec = body.spec;
    let planned = s
        .node
        .ledger()
        .read(move |l| cert_issue::plan(l, &bytes, &spec, clock::now_ms()))
        .await?
        .map_err(issue_error)?;
    let (scope, entry_body) = planned.entry();
    let subject = planned.cert.subject;
    let entry = s
        .node
        .author_by(scope, Status::Actual, entry_body, operator)
        .await?;
    let outcome = cert_issue::finish(planned, &entry).map_err(issue_error)?;
    s.node.certified(subject, outcome.certificate.clone()).await;
    Ok(Json(outcome))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstallBody {
    /// A certificate file, hex-encoded (`cert install FILE`) …
    #[serde(default)]
    file_hex: Option<String>,
    /// … or collect it over the network, from `addr` or wherever the
    /// request was sent.
    #[serde(default)]
    from_network: bool,
    #[serde(default)]
    addr: Option<String>,
}

/// `POST /api/members/install`.
pub async fn install(
    State(s): State<ApiState>,
    JsonBody(body): JsonBody<InstallBody>,
) -> Result<Json<InstallAnswer>, ApiError> {
    if let Some(h) = body.file_hex.filter(|_| !body.from_network) {
        let file = hex::decode(h.trim()).map_err(|_| bad_hex("file_hex"))?;
        let installed = s
            .node
            .install_certificate(file)
            .await
            .map_err(install_error)?;
        return Ok(Json(InstallAnswer {
            installed: Some(installed),
            asked: Vec::new(),
        }));
    }
    if !body.from_network {
        return Err(ApiError::bad_request(
            "missing_field",
            "give file_hex, or from_network / 请给出证书文件，或从网络获取",
        )
        .with_field("file_hex"));
    }
    let addr = body
        .addr
        .map(|a| a.trim().parse().map_err(bad_addr))
        .transpose()?;
    let asked = s
        .node
        .collect_certificate(addr)
        .await
        .map_err(handover_error)?;
    Ok(Json(InstallAnswer {
        installed: asked.iter().find_map(|a| a.installed.clone()),
        asked,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestBody {
    /// A parent's address to hand the request to over the network.
    #[serde(default)]
    send: Option<String>,
}

/// `POST /api/members/request`.
pub async fn request(
    State(s): State<ApiState>,
    JsonBody(body): JsonBody<RequestBody>,
) -> Result<Json<RequestAnswer>, ApiError> {
    if let Some(addr) = body.send {
        let addr = addr.trim().parse().map_err(bad_addr)?;
        let (request, sent) = s
            .node
            .send_cert_request(addr)
            .await
            .map_err(handover_error)?;
        return Ok(Json(RequestAnswer {
            request,
            sent: Some(sent),
        }));
    }
    let me = s.node.config().post.clone();
    let (_, request, _) = s
        .node
        .ledger()
        .read(move |l| cert_request::sign(l, &me, clock::now_ms()))
        .await??;
    Ok(Json(RequestAnswer {
        request,
        sent: None,
    }))
}
