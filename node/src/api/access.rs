//! Who may use the console, as whom, and with which role.
//!
//! - **Accounts.** Once the post has an operator account
//!   (`liandong operator add`, or the admin page), every request but the
//!   console's static files and the login must come from someone logged in:
//!   `POST /api/login` with account and password starts a server-side
//!   session (a random id in an `HttpOnly`, `SameSite=Strict` cookie,
//!   `Secure` when the console speaks TLS) that ends when idle, at its
//!   absolute limit, on logout, or when the account is disabled or its
//!   password changes (`crate::operators::sessions`). Wrong passwords make
//!   the next attempt wait longer (`crate::operators::throttle`).
//! - **Machine token.** `[console] token` stays for scripts and Prometheus
//!   (`Authorization: Bearer`), acting as the account `machine` with the
//!   role `[console] machine_role`; a browser may log in with it too.
//! - **The post's own CLI** sends the running node's local credential
//!   (`crate::operators::local_credential`) and acts with the admin role —
//!   its user can read the post's signing key anyway.
//! - **Open.** A post with neither accounts nor token, on loopback, stays
//!   open as before: admin, no operator recorded. The `Host` header must
//!   then name loopback, so a page on another site that re-points its own
//!   name at 127.0.0.1 cannot read the console (DNS rebinding).
//! - **Naming the operator.** Token, local credential and open console
//!   act as the account the CLI names (`x-liandong-operator`) or the local
//!   login maps to (`x-liandong-os-user`), with the role capped by that
//!   account's; naming an account that does not exist or is disabled is
//!   refused.
//! - **Cross-site requests.** Every request that changes state must carry
//!   `X-Liandong-Request` and, when the browser sends `Origin`, come from
//!   this console's own (`api::guard`).
//! - **Secrets.** Passwords, tokens, session ids and hashes are never
//!   logged or served; nothing here reads the post's signing key.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode, header};

use super::ApiError;
use crate::clock;
use crate::datadir::DataDir;
use crate::operators::account::Account;
use crate::operators::audit::{AuditError, AuditEvent, AuditLog};
use crate::operators::sessions::{SESSION_MAX, Sessions};
use crate::operators::throttle::Throttle;
use crate::operators::{
    AccountBook, AccountRow, MACHINE_ACCOUNT, NewAccount, OperatorRole, OperatorsError,
    local_credential,
};
use crate::service::operator::{OPERATOR_HEADER, OS_USER_HEADER, SignedIn};

/// The session cookie's name.
pub const COOKIE: &str = "liandong_session";
/// Shortest operator token accepted: long enough not to be guessed.
pub const MIN_TOKEN_CHARS: usize = 16;
/// Password checks run at once at most (Argon2 is deliberately costly).
const VERIFY_PERMITS: usize = 2;
/// The machine account's role when the config names none: it may file
/// reports and read (scripts, Prometheus), not decide.
pub const DEFAULT_MACHINE_ROLE: OperatorRole = OperatorRole::Operator;

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error(
        "the console on {0} is reachable from other machines and needs an operator token or \
         operator accounts: set [console] token in config.toml (at least 16 characters) or add an \
         account with `liandong operator add` / 控制台监听非本机地址，须设置操作令牌或添加操作员账户"
    )]
    TokenRequired(SocketAddr),
    #[error("the console token is shorter than {MIN_TOKEN_CHARS} characters / 控制台操作令牌过短")]
    TokenTooShort,
    #[error(transparent)]
    Accounts(#[from] OperatorsError),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error("the local CLI credential cannot be written: {0} / 无法写入本机命令行凭据")]
    Credential(std::io::Error),
}

/// How a request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// No credentials configured: the open loopback console.
    Open,
    Session,
    /// The machine token.
    Token,
    /// The running node's credential for its own CLI.
    LocalCli,
}

/// Who is behind an authenticated request, as the guard hands it to the
/// routes (a request extension).
#[derive(Debug, Clone)]
pub struct Caller {
    pub role: OperatorRole,
    /// The operator to record, when one is known.
    pub operator: Option<SignedIn>,
    pub via: Via,
    pub source: Option<IpAddr>,
}

impl Caller {
    /// Where the request came from, for the audit trail.
    pub fn source_text(&self) -> String {
        let via = match self.via {
            Via::Open => "console (open)",
            Via::Session => "console",
            Via::Token => "token",
            Via::LocalCli => "cli",
        };
        match self.source {
            Some(ip) => format!("{via} {ip}"),
            None => via.to_string(),
        }
    }

    pub fn account(&self) -> Option<&str> {
        self.operator.as_ref().map(|o| o.account.as_str())
    }
}

/// The clock sessions and the throttle read: `Instant::now` except in
/// tests, which move it by hand.
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// The accounts part: present when the console runs for a post (a data
/// directory), absent for a bare token policy.
struct Post {
    data_dir: DataDir,
    local: Option<blake3::Hash>,
    book: RwLock<AccountBook>,
    audit: Mutex<AuditLog>,
}

struct Shared {
    post: Option<Post>,
    sessions: Mutex<Sessions>,
    throttle: Mutex<Throttle>,
    verify: tokio::sync::Semaphore,
}

/// The console's access policy and its state.
#[derive(Clone)]
pub struct Access {
    /// BLAKE3 of the machine token, when one is set.
    token: Option<blake3::Hash>,
    machine_role: OperatorRole,
    /// Whether the console speaks TLS (cookies are then `Secure`).
    tls: bool,
    shared: Arc<Shared>,
    clock: Clock,
}

impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Access")
            .field("token", &self.token.map(|_| "<set>"))
            .field("machine_role", &self.machine_role)
            .field("tls", &self.tls)
            .field("accounts", &self.shared.post.is_some())
            .finish()
    }
}

fn check_token(
    addr: SocketAddr,
    token: &Option<String>,
    accounts: bool,
) -> Result<(), AccessError> {
    match token {
        None if !addr.ip().is_loopback() && !accounts => Err(AccessError::TokenRequired(addr)),
        Some(t) if t.chars().count() < MIN_TOKEN_CHARS => Err(AccessError::TokenTooShort),
        _ => Ok(()),
    }
}

impl Access {
    /// A bare token policy for a console bound to `addr` (no accounts, no
    /// audit trail): what tests of the HTTP layer use.
    pub fn new(addr: SocketAddr, token: Option<String>) -> Result<Access, AccessError> {
        let token = token.filter(|t| !t.trim().is_empty());
        check_token(addr, &token, false)?;
        Ok(Access::build(token, None))
    }

    /// The policy of a post's console: its accounts, audit trail and a
    /// fresh local CLI credential in `data_dir`. Off loopback it needs a
    /// token or at least one account.
    pub fn for_post(
        addr: SocketAddr,
        token: Option<String>,
        machine_role: OperatorRole,
        data_dir: &DataDir,
    ) -> Result<Access, AccessError> {
        let token = token.filter(|t| !t.trim().is_empty());
        let book = AccountBook::load(data_dir)?;
        check_token(addr, &token, !book.is_empty())?;
        let audit = AuditLog::open_or_set_aside(data_dir, crate::clock::now_ms())?;
        let local = local_credential::issue(data_dir).map_err(AccessError::Credential)?;
        let post = Post {
            data_dir: data_dir.clone(),
            local: Some(local),
            book: RwLock::new(book),
            audit: Mutex::new(audit),
        };
        let mut access = Access::build(token, Some(post));
        access.machine_role = machine_role;
        Ok(access)
    }

    fn build(token: Option<String>, post: Option<Post>) -> Access {
        Access {
            token: token.map(|t| blake3::hash(t.trim().as_bytes())),
            machine_role: DEFAULT_MACHINE_ROLE,
            tls: false,
            shared: Arc::new(Shared {
                post,
                sessions: Mutex::new(Sessions::default()),
                throttle: Mutex::new(Throttle::default()),
                verify: tokio::sync::Semaphore::new(VERIFY_PERMITS),
            }),
            clock: Arc::new(Instant::now),
        }
    }

    /// Tells the policy the console speaks TLS: session cookies become
    /// `Secure`.
    pub fn with_tls(mut self, tls: bool) -> Access {
        self.tls = tls;
        self
    }

    /// The machine token's role.
    pub fn with_machine_role(mut self, role: OperatorRole) -> Access {
        self.machine_role = role;
        self
    }

    /// Replaces the clock (tests move time by hand instead of sleeping).
    pub fn with_clock(mut self, clock: Clock) -> Access {
        self.clock = clock;
        self
    }

    fn now(&self) -> Instant {
        (self.clock)()
    }

    fn book(&self) -> Option<std::sync::RwLockReadGuard<'_, AccountBook>> {
        self.shared
            .post
            .as_ref()
            .map(|p| p.book.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Whether the post has any account (enabled or not).
    pub fn has_accounts(&self) -> bool {
        self.book().is_some_and(|b| !b.is_empty())
    }

    /// Whether requests must prove who they are (a token or accounts).
    pub fn login_required(&self) -> bool {
        self.token.is_some() || self.has_accounts()
    }

    /// Kept for the console's `/api/access`: whether a login is needed.
    pub fn token_required(&self) -> bool {
        self.login_required()
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// Whether `given` is the machine token.
    pub fn token_matches(&self, given: &str) -> bool {
        self.token
            .is_some_and(|t| t == blake3::hash(given.trim().as_bytes()))
    }

    fn cookie_with(&self, value: &str, max_age: u64) -> String {
        let secure = if self.tls { "; Secure" } else { "" };
        format!("{COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}")
    }

    /// The `Set-Cookie` value of a new session.
    pub fn session_cookie(&self, id: &str) -> String {
        self.cookie_with(id, SESSION_MAX.as_secs())
    }

    /// The `Set-Cookie` value that removes the session cookie.
    pub fn cleared_cookie(&self) -> String {
        self.cookie_with("", 0)
    }

    /// Who sent `headers` (from `source`); an error when they did not
    /// prove it, or named an operator this post cannot act as.
    pub fn authenticate(
        &self,
        headers: &HeaderMap,
        source: Option<IpAddr>,
    ) -> Result<Caller, ApiError> {
        let caller = |role, operator, via| Caller {
            role,
            operator,
            via,
            source,
        };
        if let Some(bearer) = bearer(headers) {
            let hash = blake3::hash(bearer.as_bytes());
            let local = self.shared.post.as_ref().and_then(|p| p.local);
            let (base, via) = if local == Some(hash) {
                (OperatorRole::Admin, Via::LocalCli)
            } else if self.token == Some(hash) {
                (self.machine_role, Via::Token)
            } else {
                return Err(self.wrong_bearer(source));
            };
            return match self.named_operator(headers)? {
                Some(op) => Ok(caller(base.min(op.role), Some(op), via)),
                None if via == Via::Token => Ok(caller(base, Some(self.machine(base)), via)),
                None => Ok(caller(base, None, via)),
            };
        }
        if let Some(id) = session_cookie(headers) {
            let account = self
                .shared
                .sessions
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .use_session(id, self.now());
            if let Some(account) = account {
                if account == MACHINE_ACCOUNT && self.token.is_some() {
                    let role = self.machine_role;
                    return Ok(caller(role, Some(self.machine(role)), Via::Session));
                }
                if let Some(a) = self.book().as_ref().and_then(|b| b.get(&account).cloned())
                    && !a.disabled
                {
                    return Ok(caller(a.role, Some(signed_in(&a)), Via::Session));
                }
            }
        }
        if !self.login_required() {
            let op = self.named_operator(headers)?;
            return Ok(caller(OperatorRole::Admin, op, Via::Open));
        }
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "请先登录（账户与密码，或操作令牌）",
            "log in first (account and password, or the operator token)",
        ))
    }

    fn machine(&self, role: OperatorRole) -> SignedIn {
        SignedIn {
            account: MACHINE_ACCOUNT.into(),
            display: "机器账户 / machine".into(),
            role,
        }
    }

    /// A wrong bearer token counts as a failed login of the machine
    /// account from that source.
    fn wrong_bearer(&self, source: Option<IpAddr>) -> ApiError {
        let now = self.now();
        let mut t = self
            .shared
            .throttle
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(wait) = t.wait(MACHINE_ACCOUNT, source, now) {
            return too_many(wait);
        }
        t.failed(MACHINE_ACCOUNT, source, now);
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "凭据不正确",
            "the bearer credential is wrong",
        )
    }

    /// The account the request names (`x-liandong-operator`) or whose
    /// local login it passes (`x-liandong-os-user`).
    fn named_operator(&self, headers: &HeaderMap) -> Result<Option<SignedIn>, ApiError> {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let (explicit, os_user) = (text(OPERATOR_HEADER), text(OS_USER_HEADER));
        if explicit.is_none() && os_user.is_none() {
            return Ok(None);
        }
        let empty = AccountBook::default();
        let guard = self.book();
        let book = guard.as_deref().unwrap_or(&empty);
        let resolved = if book.is_empty() {
            // A post without accounts records nobody; naming someone is an
            // error (the same as offline).
            match explicit.map(str::trim).filter(|s| !s.is_empty()) {
                Some(name) => Err(OperatorsError::NoSuchAccount(name.to_string())),
                None => Ok(None),
            }
        } else {
            book.resolve(explicit, os_user)
        };
        match resolved {
            Ok(a) => Ok(a.map(signed_in)),
            Err(e) => Err(ApiError::mixed(
                StatusCode::FORBIDDEN,
                e.code(),
                e.to_string(),
            )),
        }
    }

    /// Checks a password login; the new session's id. Waits for the
    /// throttle's answer, never sleeps.
    pub async fn login_password(
        &self,
        account: &str,
        password: String,
        source: Option<IpAddr>,
    ) -> Result<(String, SignedIn), ApiError> {
        self.throttled(account, source)?;
        let Some(post) = self.shared.post.as_ref() else {
            return Err(bad_login());
        };
        let found = {
            let _permit = self
                .shared
                .verify
                .acquire()
                .await
                .map_err(|_| ApiError::unavailable("stopping / 正在停止"))?;
            let book = post.book.read().unwrap_or_else(|e| e.into_inner()).clone();
            let name = account.to_string();
            tokio::task::spawn_blocking(move || book.check_password(&name, &password).cloned())
                .await
                .map_err(|e| ApiError::internal(e.to_string()))?
        };
        let typed = typed_name(account);
        match found {
            Some(a) => {
                let who = signed_in(&a);
                let id = self.start_session(&a.account, source)?;
                self.audit(AuditEvent::Login, Some(&a.account), &source_of(source), "")
                    .await;
                Ok((id, who))
            }
            None => {
                self.failed(&typed, source);
                self.audit(
                    AuditEvent::LoginFailed,
                    Some(&typed),
                    &source_of(source),
                    "wrong account or password / 账户或密码错误",
                )
                .await;
                Err(bad_login())
            }
        }
    }

    /// Checks a machine-token login (the browser of a post without
    /// accounts, as before); the new session's id.
    pub async fn login_token(
        &self,
        token: &str,
        source: Option<IpAddr>,
    ) -> Result<String, ApiError> {
        self.throttled(MACHINE_ACCOUNT, source)?;
        if !self.token_matches(token) {
            self.failed(MACHINE_ACCOUNT, source);
            self.audit(
                AuditEvent::LoginFailed,
                Some(MACHINE_ACCOUNT),
                &source_of(source),
                "wrong token / 令牌错误",
            )
            .await;
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "bad_token",
                "操作令牌不正确",
                "the operator token is wrong",
            )
            .with_field("token"));
        }
        let id = self.start_session(MACHINE_ACCOUNT, source)?;
        self.audit(
            AuditEvent::Login,
            Some(MACHINE_ACCOUNT),
            &source_of(source),
            "token",
        )
        .await;
        Ok(id)
    }

    fn throttled(&self, account: &str, source: Option<IpAddr>) -> Result<(), ApiError> {
        let t = self
            .shared
            .throttle
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match t.wait(account, source, self.now()) {
            Some(wait) => Err(too_many(wait)),
            None => Ok(()),
        }
    }

    fn failed(&self, account: &str, source: Option<IpAddr>) {
        self.shared
            .throttle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .failed(account, source, self.now());
    }

    fn start_session(&self, account: &str, source: Option<IpAddr>) -> Result<String, ApiError> {
        self.shared
            .throttle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .succeeded(account, source);
        self.shared
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .start(account, self.now())
            .ok_or_else(|| ApiError::internal("no randomness for a session id / 无法生成会话标识"))
    }

    /// Ends the session the request carries; the account it was.
    pub async fn logout(&self, headers: &HeaderMap, source: Option<IpAddr>) -> Option<String> {
        let id = session_cookie(headers)?;
        let account = self
            .shared
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .end(id)?;
        self.audit(AuditEvent::Logout, Some(&account), &source_of(source), "")
            .await;
        Some(account)
    }

    /// Appends to the audit trail (when the console has one). A failure
    /// is logged, not fatal: in an emergency the console keeps working.
    pub async fn audit(
        &self,
        event: AuditEvent,
        account: Option<&str>,
        source: &str,
        details: &str,
    ) {
        let Some(_) = self.shared.post.as_ref() else {
            return;
        };
        let shared = Arc::clone(&self.shared);
        let (account, source, details) = (
            account.map(str::to_string),
            source.to_string(),
            details.to_string(),
        );
        let result = tokio::task::spawn_blocking(move || {
            let post = shared.post.as_ref()?;
            let mut log = post.audit.lock().unwrap_or_else(|e| e.into_inner());
            Some(log.append(
                clock::now_ms(),
                event,
                account.as_deref(),
                &source,
                &details,
            ))
        })
        .await;
        match result {
            Ok(Some(Ok(_))) | Ok(None) => {}
            Ok(Some(Err(e))) => {
                tracing::error!(error = %e, event = %event.name(), "audit record not written / 审计记录未写入");
            }
            Err(e) => tracing::error!(error = %e, "audit task failed"),
        }
    }

    /// The accounts (no hashes).
    pub fn accounts(&self) -> Vec<AccountRow> {
        self.book().map(|b| b.rows()).unwrap_or_default()
    }

    /// The data directory of the post's console (for the audit page).
    pub fn data_dir(&self) -> Option<&DataDir> {
        self.shared.post.as_ref().map(|p| &p.data_dir)
    }

    /// Changes the accounts with `change`, saves them, ends the changed
    /// account's sessions when asked, and records `event` in the audit
    /// trail.
    pub async fn change_accounts<F>(
        &self,
        caller: &Caller,
        event: AuditEvent,
        ends_sessions: bool,
        change: F,
    ) -> Result<AccountRow, ApiError>
    where
        F: FnOnce(&mut AccountBook, u64) -> Result<AccountRow, OperatorsError> + Send + 'static,
    {
        let shared = Arc::clone(&self.shared);
        let row = tokio::task::spawn_blocking(move || {
            let post = shared.post.as_ref().ok_or(OperatorsError::Io(
                "this console keeps no accounts / 本控制台不管理账户".into(),
            ))?;
            let mut book = post.book.write().unwrap_or_else(|e| e.into_inner());
            let mut next = book.clone();
            let row = change(&mut next, clock::now_ms())?;
            next.save(&post.data_dir)?;
            *book = next;
            Ok::<_, OperatorsError>(row)
        })
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(operators_error)?;
        if ends_sessions {
            self.shared
                .sessions
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .end_account(&row.account);
        }
        let details = format!("account {} ({}, {})", row.account, row.display, row.role);
        let by = caller.account().map(str::to_string);
        let source = caller.source_text();
        self.audit(event, by.as_deref(), &source, &details).await;
        Ok(row)
    }

    /// Adds an account.
    pub async fn add_account(
        &self,
        caller: &Caller,
        new: NewAccount,
    ) -> Result<AccountRow, ApiError> {
        self.change_accounts(caller, AuditEvent::AccountAdded, false, move |b, now| {
            b.add(new, now)
        })
        .await
    }
}

/// A password check's refusal: the same whether the account exists.
fn bad_login() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "bad_login",
        "账户或密码不正确",
        "wrong account or password",
    )
    .with_field("password")
}

fn too_many(wait: Duration) -> ApiError {
    let secs = wait.as_millis().div_ceil(1000);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        format!("尝试次数过多，请 {secs} 秒后再试"),
        format!("too many wrong attempts: try again in {secs} s"),
    )
}

/// An accounts refusal as an API error.
pub fn operators_error(e: OperatorsError) -> ApiError {
    let status = match e {
        OperatorsError::NoSuchAccount(_) => StatusCode::NOT_FOUND,
        OperatorsError::Exists(_)
        | OperatorsError::OsUserTaken { .. }
        | OperatorsError::LastAdmin(_) => StatusCode::CONFLICT,
        OperatorsError::Io(_) | OperatorsError::Corrupt(_) => StatusCode::INTERNAL_SERVER_ERROR,
        OperatorsError::Password(crate::operators::password::PasswordError::Hash(_)) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        _ => StatusCode::BAD_REQUEST,
    };
    ApiError::mixed(status, e.code(), e.to_string())
}

fn signed_in(a: &Account) -> SignedIn {
    SignedIn {
        account: a.account.clone(),
        display: a.display.clone(),
        role: a.role,
    }
}

/// An account name as typed, bounded, for the throttle and the trail.
fn typed_name(account: &str) -> String {
    account
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(crate::operators::account::MAX_ACCOUNT_CHARS + 1)
        .collect()
}

fn source_of(source: Option<IpAddr>) -> String {
    match source {
        Some(ip) => format!("console {ip}"),
        None => "console".into(),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The session cookie's value, if the request carries one.
fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    cookies(headers)
        .filter(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
        .find(|v| !v.is_empty())
}

/// `name=value` pairs of every Cookie header.
fn cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().expect("addr")
    }

    #[test]
    fn other_addresses_need_a_long_token_or_accounts() {
        assert!(Access::new(addr("127.0.0.1:7480"), None).is_ok());
        assert!(matches!(
            Access::new(addr("0.0.0.0:7480"), None),
            Err(AccessError::TokenRequired(_))
        ));
        assert!(matches!(
            Access::new(addr("0.0.0.0:7480"), Some("short".into())),
            Err(AccessError::TokenTooShort)
        ));
        let a =
            Access::new(addr("0.0.0.0:7480"), Some("a-long-operator-token".into())).expect("token");
        assert!(a.token_matches("a-long-operator-token"));
        assert!(!a.token_matches("a-long-operator-tokeN"));

        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        assert!(matches!(
            Access::for_post(addr("0.0.0.0:7480"), None, OperatorRole::Viewer, &dir),
            Err(AccessError::TokenRequired(_))
        ));
        let mut book = AccountBook::default();
        book.add(
            NewAccount {
                account: "admin".into(),
                display: "管理员".into(),
                role: OperatorRole::Admin,
                password: "password-1234".into(),
                os_user: None,
            },
            1,
        )
        .expect("add");
        book.save(&dir).expect("save");
        let a = Access::for_post(addr("0.0.0.0:7480"), None, OperatorRole::Viewer, &dir)
            .expect("accounts guard it");
        assert!(a.login_required() && !a.has_token());
    }

    #[test]
    fn cookies_are_secure_under_tls_and_never_hold_the_token() {
        let a = Access::new(addr("127.0.0.1:7480"), Some("a-long-operator-token".into()))
            .expect("token");
        let c = a.session_cookie("abc");
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && !c.contains("Secure"));
        assert!(!c.contains("a-long-operator-token"));
        let c = a.with_tls(true).session_cookie("abc");
        assert!(c.ends_with("; Secure"), "{c}");
    }
}
