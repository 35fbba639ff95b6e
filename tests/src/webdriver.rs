//! A small W3C WebDriver client over blocking HTTP, enough to drive the
//! console in headless Chromium through `chromedriver`: open pages, find
//! elements by CSS, click, type, read text, run a script, take
//! screenshots. Every wait has a deadline; nothing sleeps and hopes.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The key W3C WebDriver uses for element references.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Where Chromium and its driver are, if installed.
#[derive(Debug, Clone)]
pub struct Tools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

impl Tools {
    /// Finds `chromium` and `chromedriver` (or the paths in
    /// `LIANDONG_CHROMIUM` / `LIANDONG_CHROMEDRIVER`).
    pub fn find() -> Option<Tools> {
        let chromium = env_or_path(
            "LIANDONG_CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
        )?;
        let chromedriver = env_or_path("LIANDONG_CHROMEDRIVER", &["chromedriver"])?;
        Some(Tools {
            chromium,
            chromedriver,
        })
    }
}

fn env_or_path(var: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(var).map(PathBuf::from) {
        return p.exists().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// One browser session, ended (and the driver killed) on drop.
#[derive(Debug)]
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
    _profile: tempfile::TempDir,
    pub deadline: Duration,
}

#[derive(Debug, Clone)]
pub struct Element(String);

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session.
    pub fn launch(tools: &Tools, width: u32, height: u32) -> Result<Browser, String> {
        Browser::launch_pinned(tools, width, height, &[])
    }

    /// As [`Browser::launch`], trusting the HTTPS consoles whose
    /// certificates' public keys have these SPKI pins (base64 SHA-256,
    /// `liandong_node::tls::spki_pin`) — and no other self-signed one:
    /// Chromium's `--ignore-certificate-errors-spki-list`, not a blanket
    /// `--ignore-certificate-errors`.
    pub fn launch_pinned(
        tools: &Tools,
        width: u32,
        height: u32,
        spki_pins: &[String],
    ) -> Result<Browser, String> {
        let port = free_port()?;
        let driver = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start chromedriver: {e}"))?;
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build();
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut browser = Browser {
            driver,
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
            agent: ureq::Agent::new_with_config(config),
            _profile: profile,
            deadline: Duration::from_secs(60),
        };
        let end = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(v) = browser.raw("GET", "/status", None)
                && v["value"]["ready"] == json!(true)
            {
                break;
            }
            if Instant::now() > end {
                return Err("chromedriver did not become ready".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile_dir = browser._profile.path().display().to_string();
        let mut args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--no-first-run".into(),
            "--disable-sync".into(),
            "--disable-extensions".into(),
            "--lang=zh-CN".into(),
            // Chromium takes the SPKI list only with its own profile dir.
            format!("--user-data-dir={profile_dir}"),
            format!("--window-size={width},{height}"),
        ];
        if !spki_pins.is_empty() {
            args.push(format!(
                "--ignore-certificate-errors-spki-list={}",
                spki_pins.join(",")
            ));
        }
        let caps = json!({
            "capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": tools.chromium.display().to_string(),
                    "args": args,
                }
            }}
        });
        let v = browser.raw("POST", "/session", Some(caps))?;
        browser.session = v["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session id in {v}"))?
            .to_string();
        Ok(browser)
    }

    fn raw(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let resp = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, Some(b)) => self.agent.post(&url).send_json(b),
            (_, None) => self.agent.post(&url).send_json(json!({})),
        };
        let mut resp = resp.map_err(|e| format!("{method} {path}: {e}"))?;
        let status = resp.status();
        let v: Value = resp
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_json()
            .map_err(|e| format!("{method} {path}: {e}"))?;
        if !status.is_success() {
            return Err(format!("{method} {path}: {status} {}", v["value"]));
        }
        Ok(v)
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        self.raw(method, &format!("/session/{}{path}", self.session), body)
            .map(|v| v["value"].clone())
    }

    pub fn goto(&self, url: &str) -> Result<(), String> {
        self.call("POST", "/url", Some(json!({ "url": url })))
            .map(drop)
    }

    pub fn url(&self) -> Result<String, String> {
        self.call("GET", "/url", None)
            .map(|v| v.as_str().unwrap_or_default().to_string())
    }

    pub fn find(&self, css: &str) -> Result<Element, String> {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        )?;
        v[ELEMENT]
            .as_str()
            .map(|id| Element(id.to_string()))
            .ok_or_else(|| format!("no element {css}"))
    }

    pub fn find_all(&self, css: &str) -> Result<Vec<Element>, String> {
        let v = self.call(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT].as_str().map(|id| Element(id.to_string())))
                    .collect()
            })
            .unwrap_or_default())
    }

    pub fn click(&self, e: &Element) -> Result<(), String> {
        self.call("POST", &format!("/element/{}/click", e.0), Some(json!({})))
            .map(drop)
    }

    pub fn send_keys(&self, e: &Element, text: &str) -> Result<(), String> {
        self.call(
            "POST",
            &format!("/element/{}/value", e.0),
            Some(json!({ "text": text })),
        )
        .map(drop)
    }

    pub fn text(&self, e: &Element) -> Result<String, String> {
        self.call("GET", &format!("/element/{}/text", e.0), None)
            .map(|v| v.as_str().unwrap_or_default().to_string())
    }

    /// Runs a script; `args` may hold elements (see [`Browser::arg`]).
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value, String> {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    pub fn arg(e: &Element) -> Value {
        json!({ ELEMENT: e.0 })
    }

    /// Waits until `check` gives a value, retrying through stale elements
    /// and pages still loading, until the deadline.
    pub fn wait<T>(
        &self,
        what: &str,
        mut check: impl FnMut(&Browser) -> Result<Option<T>, String>,
    ) -> Result<T, String> {
        let end = Instant::now() + self.deadline;
        let mut last = String::new();
        loop {
            match check(self) {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => {}
                Err(e) => last = e,
            }
            if Instant::now() > end {
                return Err(format!(
                    "timed out after {:?} waiting for {what} (last error: {last})",
                    self.deadline
                ));
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// Waits for an element.
    pub fn wait_for(&self, css: &str) -> Result<Element, String> {
        self.wait(css, |b| b.find(css).map(Some))
    }

    /// Waits for an element whose text contains `needle`.
    pub fn wait_text(&self, css: &str, needle: &str) -> Result<Element, String> {
        self.wait_matching(css, needle, |_, e, _| Ok(e.clone()))
    }

    /// Waits for an element whose text contains `needle` and returns that
    /// text, read in the same check: the page may re-render the element
    /// between a find and a later read, which would make it stale.
    pub fn wait_read(&self, css: &str, needle: &str) -> Result<String, String> {
        self.wait_matching(css, needle, |_, _, text| Ok(text))
    }

    /// Like [`Browser::wait_read`], and also gives the element's `data-id`,
    /// read in the same check.
    pub fn wait_read_id(&self, css: &str, needle: &str) -> Result<(String, String), String> {
        self.wait_matching(css, needle, |b, e, text| {
            let id = b.execute("return arguments[0].dataset.id;", vec![Browser::arg(e)])?;
            Ok((text, id.as_str().unwrap_or_default().to_string()))
        })
    }

    /// Waits for the first element `css` names whose text contains
    /// `needle`, and gives what `take` makes of it within the same check.
    fn wait_matching<T>(
        &self,
        css: &str,
        needle: &str,
        mut take: impl FnMut(&Browser, &Element, String) -> Result<T, String>,
    ) -> Result<T, String> {
        self.wait(&format!("{css} containing {needle:?}"), |b| {
            for e in b.find_all(css)? {
                let text = b.text(&e)?;
                if text.contains(needle) {
                    return take(b, &e, text).map(Some);
                }
            }
            Ok(None)
        })
    }

    /// Clicks the element `css` names, retrying while the page re-renders.
    pub fn click_css(&self, css: &str) -> Result<(), String> {
        self.wait(&format!("click {css}"), |b| {
            let e = b.find(css)?;
            b.click(&e).map(Some)
        })
    }

    /// Types into the element `css` names.
    pub fn type_css(&self, css: &str, text: &str) -> Result<(), String> {
        self.wait(&format!("type into {css}"), |b| {
            let e = b.find(css)?;
            b.send_keys(&e, text).map(Some)
        })
    }

    /// Sets a form control's value by script (selects, date inputs) and
    /// tells the page it changed.
    pub fn set_value(&self, css: &str, value: &str) -> Result<(), String> {
        self.wait(&format!("set {css}"), |b| {
            let e = b.find(css)?;
            b.execute(
                "arguments[0].value = arguments[1];\
                 arguments[0].dispatchEvent(new Event('input', {bubbles: true}));\
                 arguments[0].dispatchEvent(new Event('change', {bubbles: true}));\
                 return arguments[0].value;",
                vec![Browser::arg(&e), json!(value)],
            )
            .map(|v| (v == json!(value)).then_some(()))
        })
    }

    /// Saves a PNG of the whole page (the window is stretched to the
    /// page's height first, up to a limit).
    pub fn screenshot(&self, path: &Path) -> Result<(), String> {
        let height = self
            .execute(
                "return Math.min(4000, Math.max(document.documentElement.scrollHeight, 600));",
                vec![],
            )?
            .as_u64()
            .unwrap_or(900);
        let rect = self.call("GET", "/window/rect", None)?;
        let width = rect["width"].as_u64().unwrap_or(1360);
        self.call(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": height + 120})),
        )?;
        let data = self.call("GET", "/screenshot", None)?;
        let png = base64_decode(data.as_str().unwrap_or_default())?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        std::fs::write(path, png).map_err(|e| e.to_string())?;
        self.call(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": rect["height"].as_u64().unwrap_or(900)})),
        )?;
        Ok(())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.raw("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Standard base64 (what WebDriver screenshots use).
pub fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buf = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b'\n' | b'\r' => continue,
            _ => return Err(format!("bad base64 byte {c}")),
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_round_trip() {
        assert_eq!(
            super::base64_decode("aGVsbG8=").as_deref(),
            Ok(&b"hello"[..])
        );
        assert_eq!(super::base64_decode("5Y+w").as_deref(), Ok("台".as_bytes()));
    }
}
