//! A plain HTTP client for API tests: every answer as (status, JSON), so a
//! test can assert the exact error code.

use std::time::Duration;

use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Api {
    pub base: String,
    agent: ureq::Agent,
    /// Sent as a bearer token when set.
    pub token: Option<String>,
}

impl Api {
    pub fn new(base: &str) -> Api {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build();
        Api {
            base: base.trim_end_matches('/').to_string(),
            agent: ureq::Agent::new_with_config(config),
            token: None,
        }
    }

    /// A client of an HTTPS console that trusts only the certificate with
    /// this fingerprint (what the CLI does).
    pub fn pinned(base: &str, pin: liandong_node::tls::Fingerprint) -> Api {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build();
        Api {
            base: base.trim_end_matches('/').to_string(),
            agent: liandong_node::tls::pin::agent(config, pin)
                .unwrap_or_else(|e| panic!("TLS client: {e}")),
            token: None,
        }
    }

    /// A client of `node`'s console, over TLS (pinned) when it serves TLS.
    pub fn of(node: &liandong_node::node::NodeHandle) -> Api {
        let info = node.console_info().expect("the node serves a console");
        match info.fingerprint {
            Some(pin) => Api::pinned(&info.url(), pin),
            None => Api::new(&info.url()),
        }
    }

    fn finish(resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, Value) {
        let mut resp = resp.unwrap_or_else(|e| panic!("request failed: {e}"));
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .unwrap_or_default();
        let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, v)
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        self.get_with(path, &[])
    }

    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> (u16, Value) {
        let mut req = self.agent.get(format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::finish(req.call())
    }

    /// GET returning the raw text (metrics, the console's files).
    pub fn text(&self, path: &str) -> (u16, String, String) {
        let mut req = self.agent.get(format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let mut resp = req.call().unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = resp.status().as_u16();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        (status, text, ctype)
    }

    /// POST JSON with the anti-forgery header, as the console sends it.
    pub fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.post_raw(
            path,
            body.to_string().as_bytes(),
            "application/json",
            &[("x-liandong-request", "1")],
        )
    }

    pub fn post_raw(
        &self,
        path: &str,
        body: &[u8],
        content_type: &str,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut req = self
            .agent
            .post(format!("{}{path}", self.base))
            .content_type(content_type);
        if let Some(t) = &self.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::finish(req.send(body))
    }

    /// Posts an action that must succeed; returns the written entry's id.
    pub fn write(&self, path: &str, body: Value) -> String {
        let (status, v) = self.post(path, &body);
        assert_eq!(status, 200, "POST {path} {body}: {v}");
        v["entry"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no entry id in {v}"))
            .to_string()
    }

    /// Posts something that must be refused with `status` and `code`;
    /// returns the error object.
    pub fn refused(&self, path: &str, body: Value, status: u16, code: &str) -> Value {
        let (s, v) = self.post(path, &body);
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (status, Some(code)),
            "POST {path} {body}: {v}"
        );
        v["error"].clone()
    }
}
