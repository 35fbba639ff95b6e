//! Talking to this data directory's running node.
//!
//! `liandong run` writes `<data-dir>/node.json` (pid, peer id, console
//! address) and removes it on a clean stop. While a node runs it holds the
//! store, so the other commands send their work to its local API instead.
//! When the console serves TLS, `node.json` also carries its certificate's
//! fingerprint, and the client trusts that certificate only
//! (`crate::tls::pin`).

use std::path::PathBuf;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::datadir::DataDir;
use crate::domain::FieldError;
use crate::domain::error::field_lines;
use crate::service::http::{CSRF_HEADER, MAX_BODY_BYTES};
use crate::service::operator::{OPERATOR_HEADER, OS_USER_HEADER};
use crate::tls::Fingerprint;

const TIMEOUT: Duration = Duration::from_secs(120);

/// What a running node writes about itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunInfo {
    pub pid: u32,
    pub peer_id: String,
    /// `http://…` or, with TLS, `https://…`.
    pub console: Option<String>,
    pub listen: Vec<String>,
    /// The SHA-256 fingerprint of the console's certificate (TLS only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub console_fingerprint: Option<Fingerprint>,
    /// The PEM file of that certificate, for `curl --cacert` (TLS only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub console_cert: Option<PathBuf>,
}

pub fn run_info_path(data_dir: &DataDir) -> PathBuf {
    data_dir.root().join("node.json")
}

/// Writes `node.json` through a temporary file renamed over it: a command
/// that reads it while the node starts finds the old file or the new one,
/// never an empty one (which it took for "no running node").
pub fn write_run_info(data_dir: &DataDir, info: &RunInfo) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(info).map_err(std::io::Error::other)?;
    let path = run_info_path(data_dir);
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, &path)
}

pub fn remove_run_info(data_dir: &DataDir) {
    let _ = std::fs::remove_file(run_info_path(data_dir));
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("no running node for {0} (start it with `liandong run`) / 节点未运行")]
    NotRunning(String),
    #[error("the running node answered unexpectedly: {0}")]
    Api(String),
    /// The node refused the request (HTTP `status`, the API's error
    /// `code`), with its message.
    #[error("{message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    #[error("cannot reach the running node: {0}")]
    Unreachable(String),
    /// The console showed a certificate other than the pinned one, or
    /// `node.json` names an HTTPS console without its fingerprint.
    #[error("{0}")]
    Untrusted(String),
}

/// A transport error, as a client error: a pin mismatch is named as such,
/// never taken for an unreachable node.
fn transport_error(e: ureq::Error) -> ClientError {
    if let ureq::Error::Io(io) = &e
        && let Some(rustls::Error::InvalidCertificate(rustls::CertificateError::Other(other))) = io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        && let Some(mismatch) = other.0.downcast_ref::<crate::tls::pin::PinMismatch>()
    {
        return ClientError::Untrusted(format!(
            "{mismatch}; 若证书已更换，请重启节点以更新 node.json \
             / if the certificate was replaced, restart the node so node.json names it"
        ));
    }
    ClientError::Unreachable(e.to_string())
}

/// The node's error answer as a client error.
fn refusal(status: u16, body: &mut ureq::Body) -> ClientError {
    match body.read_json::<ErrorBody>() {
        Ok(err) => ClientError::Refused {
            status,
            message: refusal_message(&err.error),
            code: err.error.code,
        },
        Err(e) => ClientError::Api(format!("HTTP {status}: {e}")),
    }
}

/// The refusal's text with its code; one naming several fields is printed
/// as the same refusal is locally: one line per field, beside its flag.
fn refusal_message(e: &ErrorInner) -> String {
    if e.fields.is_empty() {
        format!("{} ({})", e.message, e.code)
    } else {
        format!(
            "有 {n} 项需补正 / {n} fields to fix ({}):\n{}",
            e.code,
            field_lines(&e.fields),
            n = e.fields.len()
        )
    }
}

/// A running node's API.
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    agent: ureq::Agent,
    /// The console's operator token, when the config sets one.
    token: Option<String>,
    /// The operator account the command names (`--operator`), sent as
    /// `OPERATOR_HEADER`.
    operator: Option<String>,
    /// The local login name, sent as `OS_USER_HEADER`.
    os_user: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorInner,
}

#[derive(Deserialize)]
struct ErrorInner {
    code: String,
    message: String,
    #[serde(default)]
    fields: Vec<FieldError>,
}

impl Client {
    /// Finds the node running on `data_dir`, if any.
    pub fn find(data_dir: &DataDir) -> Result<Client, ClientError> {
        let not_running = || ClientError::NotRunning(data_dir.root().display().to_string());
        let text = std::fs::read_to_string(run_info_path(data_dir)).map_err(|_| not_running())?;
        let info: RunInfo = serde_json::from_str(&text).map_err(|_| not_running())?;
        let console = info.console.ok_or_else(not_running)?;
        // The running node's credential for its own CLI (see
        // `operators::local_credential`), else the config's machine token.
        let token = crate::operators::local_credential::read(data_dir).or_else(|| {
            crate::config::Config::load(&data_dir.config_path())
                .ok()
                .and_then(|c| c.console.token)
        });
        let base = console.trim_end_matches('/');
        let client = if base.starts_with("https://") {
            let pin = info.console_fingerprint.ok_or_else(|| {
                ClientError::Untrusted(format!(
                    "{} 指明 HTTPS 控制台却没有证书指纹 / names an HTTPS console without its \
                     certificate fingerprint",
                    run_info_path(data_dir).display()
                ))
            })?;
            Client::pinned(base, pin)?
        } else {
            Client::new(base)
        };
        Ok(client.with_token(token))
    }

    /// Sends `token` as a bearer token with every request.
    pub fn with_token(mut self, token: Option<String>) -> Client {
        self.token = token;
        self
    }

    /// Names the operator and the local user to the node with every
    /// request: its access check decides whom the entries record.
    pub fn with_operator(mut self, operator: Option<String>, os_user: Option<String>) -> Client {
        self.operator = operator;
        self.os_user = os_user;
        self
    }

    fn auth(&self) -> Option<String> {
        self.token.as_ref().map(|t| format!("Bearer {t}"))
    }

    /// The token and the operator's headers, on any request.
    fn identify<B>(&self, mut req: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        if let Some(auth) = self.auth() {
            req = req.header("authorization", auth);
        }
        if let Some(operator) = &self.operator {
            req = req.header(OPERATOR_HEADER, operator);
        }
        if let Some(user) = &self.os_user {
            req = req.header(OS_USER_HEADER, user);
        }
        req
    }

    fn agent_config() -> ureq::config::Config {
        ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(false)
            .build()
    }

    /// A client of a plain-HTTP console (loopback).
    pub fn new(base: &str) -> Client {
        Client {
            base: base.to_string(),
            agent: ureq::Agent::new_with_config(Self::agent_config()),
            token: None,
            operator: None,
            os_user: None,
        }
    }

    /// A client of an HTTPS console that accepts only the certificate with
    /// fingerprint `pin`.
    pub fn pinned(base: &str, pin: Fingerprint) -> Result<Client, ClientError> {
        let agent = crate::tls::pin::agent(Self::agent_config(), pin)
            .map_err(|e| ClientError::Untrusted(format!("TLS: {e}")))?;
        Ok(Client {
            base: base.to_string(),
            agent,
            token: None,
            operator: None,
            os_user: None,
        })
    }

    fn finish<T: DeserializeOwned>(
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<T, ClientError> {
        let mut resp = result.map_err(transport_error)?;
        let status = resp.status();
        let body = resp.body_mut();
        if status.is_success() {
            body.read_json::<T>()
                .map_err(|e| ClientError::Api(e.to_string()))
        } else {
            Err(refusal(status.as_u16(), body))
        }
    }

    /// GET with query parameters (absent values are left out).
    pub fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        params: &[(&str, Option<String>)],
    ) -> Result<T, ClientError> {
        let mut req = self.identify(self.agent.get(format!("{}{path}", self.base)));
        for (k, v) in params {
            if let Some(v) = v {
                req = req.query(*k, v);
            }
        }
        Self::finish(req.call())
    }

    pub fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        let req = self.identify(
            self.agent
                .post(format!("{}{path}", self.base))
                .header(CSRF_HEADER, "1"),
        );
        Self::finish(req.send_json(body))
    }

    pub fn post_bytes<T: DeserializeOwned>(
        &self,
        path: &str,
        bytes: &[u8],
    ) -> Result<T, ClientError> {
        let req = self.identify(
            self.agent
                .post(format!("{}{path}", self.base))
                .header(CSRF_HEADER, "1"),
        );
        Self::finish(req.content_type("application/octet-stream").send(bytes))
    }

    /// GET of a JSON answer of up to [`MAX_BODY_BYTES`] (`get` reads at
    /// most 10 MB, and a large post's views are hundreds of megabytes).
    pub fn get_large<T: DeserializeOwned>(
        &self,
        path: &str,
        params: &[(&str, Option<String>)],
    ) -> Result<T, ClientError> {
        let bytes = self.get_bytes(path, params)?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Api(e.to_string()))
    }

    pub fn get_bytes(
        &self,
        path: &str,
        params: &[(&str, Option<String>)],
    ) -> Result<Vec<u8>, ClientError> {
        self.get_limited(path, params, MAX_BODY_BYTES)
    }

    /// GET of at most `limit` bytes: a longer answer is an error, not a
    /// truncated document.
    pub fn get_limited(
        &self,
        path: &str,
        params: &[(&str, Option<String>)],
        limit: usize,
    ) -> Result<Vec<u8>, ClientError> {
        let mut req = self.identify(self.agent.get(format!("{}{path}", self.base)));
        for (k, v) in params {
            if let Some(v) = v {
                req = req.query(*k, v);
            }
        }
        let mut resp = req.call().map_err(transport_error)?;
        let status = resp.status();
        if !status.is_success() {
            return Err(refusal(status.as_u16(), resp.body_mut()));
        }
        resp.body_mut()
            .with_config()
            .limit(u64::try_from(limit).unwrap_or(u64::MAX))
            .read_to_vec()
            .map_err(|e| ClientError::Api(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remote_refusal_of_several_fields_names_each_flag() {
        let body: ErrorBody = serde_json::from_value(serde_json::json!({"error": {
            "code": "invalid_fields", "field": "color",
            "zh": "有 2 项需补正：…", "en": "2 fields to fix: …", "message": "…",
            "fields": [
                {"field": "color", "code": "missing_field", "zh": "请填写预警颜色（color）", "en": "color is required"},
                {"field": "headline_en", "code": "invalid_field", "zh": "过长", "en": "too long"}
            ]}}))
        .expect("error body");
        let text = refusal_message(&body.error);
        assert!(text.starts_with("有 2 项需补正 / 2 fields to fix (invalid_fields):"));
        assert!(text.contains("\n  --color  请填写预警颜色（color） / color is required"));
        assert!(
            text.contains("\n  --headline-en  过长 / too long"),
            "{text}"
        );

        let one: ErrorBody = serde_json::from_value(serde_json::json!({"error": {
            "code": "missing_field", "field": "title", "zh": "z", "en": "e", "message": "z / e"}}))
        .expect("error body");
        assert_eq!(refusal_message(&one.error), "z / e (missing_field)");
    }
}
