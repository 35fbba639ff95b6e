//! The post's configuration file (`config.toml`).
//!
//! Written once by `liandong init`, edited by the engineer afterwards.
//! Unknown keys are refused (a typo must not silently fall back to a
//! default), and `config_version` lets a later release migrate old files.

use std::fs;
use std::path::{Path, PathBuf};

use liandong_protocol::domain::GeoPoint;
use liandong_protocol::{Interest, Level, Limits, NetworkId, RegionCode, UnitType};
use serde::{Deserialize, Serialize};

/// The config format this code writes and reads.
pub const CONFIG_VERSION: u32 = 1;

/// Largest config file accepted (it is a few hundred bytes in practice).
const MAX_CONFIG_BYTES: u64 = 256 * 1024;

/// The development network every fresh post joins until the trust layer
/// gives it a genesis.
pub const DEFAULT_NETWORK_NAME: &str = "liandong-dev";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub config_version: u32,
    pub post: PostConfig,
    #[serde(default)]
    pub network: NetworkConfig,
    #[serde(default)]
    pub store: StoreConfig,
    #[serde(default)]
    pub console: ConsoleConfig,
    #[serde(default)]
    pub limits: Limits,
}

/// Who this post is: its self-description (the profile entry's content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostConfig {
    pub name: String,
    pub level: Level,
    pub region: RegionCode,
    pub unit_type: UnitType,
    #[serde(default)]
    pub contact: String,
    /// Where the post is, `"lat,lon"` in decimal degrees (WGS-84): published
    /// as a place entry so every map shows the post.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "location")]
    pub location: Option<GeoPoint>,
}

/// `location = "44.3,85.6"` in the config file.
mod location {
    use liandong_protocol::domain::GeoPoint;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(p: &Option<GeoPoint>, s: S) -> Result<S::Ok, S::Error> {
        match p {
            Some(p) => s.serialize_str(&p.to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<GeoPoint>, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map(Some).map_err(|_| {
            serde::de::Error::custom(format!(
                "location {text:?} must be \"lat,lon\" in decimal degrees, e.g. \"44.33,85.62\" / 位置应为“纬度,经度”"
            ))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkConfig {
    /// The network's name; its id is derived from it until a genesis exists.
    pub name: String,
    /// Multiaddresses to listen on.
    pub listen: Vec<String>,
    /// Peers to dial at start-up.
    pub peers: Vec<String>,
    /// Discover peers on the local network segment.
    pub mdns: bool,
    /// Neighbouring regions this post cooperates with (区域合作): their
    /// entries are held and relayed here too.
    pub cooperate: Vec<RegionCode>,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            name: DEFAULT_NETWORK_NAME.to_string(),
            listen: vec![
                "/ip4/0.0.0.0/tcp/7400".into(),
                "/ip4/0.0.0.0/udp/7400/quic-v1".into(),
            ],
            peers: Vec::new(),
            mdns: true,
            cooperate: Vec::new(),
        }
    }
}

impl NetworkConfig {
    pub fn network_id(&self) -> NetworkId {
        NetworkId::from_name(&self.name)
    }
}

impl Config {
    /// The scopes this post holds.
    pub fn interest(&self) -> Interest {
        Interest::of_post(&self.post.region, &self.network.cooperate)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// sled's page cache, in MiB. Small boxes at village posts need little.
    pub cache_mb: u64,
    /// Free space (MiB) kept back on the store's disk: below it, writes
    /// pause with a clear message and resume when space is freed, while
    /// reading goes on (docs/storage.md).
    pub reserve_mb: u64,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            cache_mb: 64,
            reserve_mb: crate::store::DEFAULT_RESERVE_MB,
        }
    }
}

impl StoreConfig {
    pub fn options(&self) -> crate::store::StoreOptions {
        crate::store::StoreOptions {
            cache_mb: self.cache_mb,
            reserve_bytes: self.reserve_mb.saturating_mul(1024 * 1024),
        }
    }
}

/// The local console and API.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsoleConfig {
    /// Address to serve on; localhost unless the engineer says otherwise.
    pub listen: String,
    /// The operator token. Required when `listen` is not a loopback
    /// address; when set, every request must present it (as a bearer
    /// token, or the cookie the console's login sets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// HTTPS for the console: `auto` (on whenever the console leaves
    /// loopback or a certificate is configured), `on` (loopback too), or
    /// `off` (refused off loopback). See [`ConsoleConfig::tls_plan`].
    pub tls: TlsMode,
    /// The certificate chain (PEM, leaf first) to serve; relative paths are
    /// taken from the data directory. Without it, a post that needs TLS
    /// generates a self-signed certificate at first start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert: Option<PathBuf>,
    /// The certificate's private key (PEM); required with `cert`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<PathBuf>,
    /// The role of the token's `machine` account (viewer, operator,
    /// leader, admin) [default: operator].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machine_role: Option<crate::operators::OperatorRole>,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            listen: "127.0.0.1:7480".into(),
            token: None,
            tls: TlsMode::Auto,
            cert: None,
            key: None,
            machine_role: None,
        }
    }
}

// The token is a secret: never print it in a debug dump or a log.
impl std::fmt::Debug for ConsoleConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleConfig")
            .field("listen", &self.listen)
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .field("tls", &self.tls)
            .field("cert", &self.cert)
            .field("key", &self.key)
            .field("machine_role", &self.machine_role)
            .finish()
    }
}

/// `[console] tls`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// TLS off loopback (or whenever a certificate is configured), plain
    /// HTTP on loopback.
    #[default]
    Auto,
    /// TLS on every address, loopback included.
    On,
    /// Plain HTTP; only allowed on loopback.
    Off,
}

/// How the console is to be served, decided from the config and the
/// address it listens on (before any file is read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsPlan {
    /// Plain HTTP (loopback only).
    Plain,
    /// The operator's certificate and key; paths as resolved against the
    /// data directory.
    Configured { cert: PathBuf, key: PathBuf },
    /// The post's own self-signed certificate, generated at first start
    /// and kept in the data directory.
    Generated,
}

/// Why the console's TLS settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsPlanError {
    #[error(
        "拒绝以明文 HTTP 在非本机地址 {listen} 上提供控制台：局域网上任何人都能读到令牌和数据。\
         请删除 [console] tls = \"off\"（将自动生成自签名证书），或配置 cert/key。\
         / refusing to serve the console over plain HTTP on {listen}, which is not loopback: \
         anyone on the network could read the token and the data. Remove [console] tls = \"off\" \
         (a self-signed certificate is then generated) or configure cert and key."
    )]
    PlainOffLoopback { listen: std::net::SocketAddr },
    #[error(
        "[console] 中 cert 与 key 须同时配置（缺少 {missing}）\
         / [console] cert and key go together: {missing} is missing"
    )]
    Incomplete { missing: &'static str },
    #[error(
        "[console] tls = \"off\" 但配置了证书；请二选一 \
         / [console] tls = \"off\" but a certificate is configured: choose one"
    )]
    OffWithCertificate,
}

impl ConsoleConfig {
    /// Decides how the console on `listen` is served: plain HTTP only on
    /// loopback, TLS everywhere else (the token and every page would
    /// otherwise cross the office LAN in clear). Relative `cert`/`key`
    /// paths are taken from `data_root`.
    pub fn tls_plan(
        &self,
        listen: std::net::SocketAddr,
        data_root: &Path,
    ) -> Result<TlsPlan, TlsPlanError> {
        let configured = match (&self.cert, &self.key) {
            (Some(cert), Some(key)) => Some((data_root.join(cert), data_root.join(key))),
            (Some(_), None) => return Err(TlsPlanError::Incomplete { missing: "key" }),
            (None, Some(_)) => return Err(TlsPlanError::Incomplete { missing: "cert" }),
            (None, None) => None,
        };
        let loopback = listen.ip().is_loopback();
        let wanted = match self.tls {
            TlsMode::Off if configured.is_some() => return Err(TlsPlanError::OffWithCertificate),
            TlsMode::Off if !loopback => return Err(TlsPlanError::PlainOffLoopback { listen }),
            TlsMode::Off => false,
            TlsMode::On => true,
            TlsMode::Auto => !loopback || configured.is_some(),
        };
        Ok(match (wanted, configured) {
            (false, _) => TlsPlan::Plain,
            (true, Some((cert, key))) => TlsPlan::Configured { cert, key },
            (true, None) => TlsPlan::Generated,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("no config at {0}: run `liandong init` first / 未找到配置文件，请先运行 liandong init")]
    Missing(PathBuf),
    #[error("cannot read config {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config {path} is {size} bytes, over the limit of {max} / 配置文件过大")]
    TooLarge { path: PathBuf, size: u64, max: u64 },
    #[error("config {path} is invalid / 配置文件有误: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error(
        "config {path} has config_version {found}; this liandong reads version {supported} \
         / 配置文件版本不受支持"
    )]
    UnsupportedVersion {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
}

impl Config {
    pub fn new(post: PostConfig) -> Config {
        Config {
            config_version: CONFIG_VERSION,
            post,
            network: NetworkConfig::default(),
            store: StoreConfig::default(),
            console: ConsoleConfig::default(),
            limits: Limits::default(),
        }
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let meta = fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ConfigError::Missing(path.to_path_buf()),
            _ => ConfigError::Io {
                path: path.to_path_buf(),
                source: e,
            },
        })?;
        if meta.len() > MAX_CONFIG_BYTES {
            return Err(ConfigError::TooLarge {
                path: path.to_path_buf(),
                size: meta.len(),
                max: MAX_CONFIG_BYTES,
            });
        }
        let text = fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        // Read the version first, so an old or new file gets a version
        // message rather than a confusing field error.
        #[derive(Deserialize)]
        struct VersionOnly {
            config_version: Option<u32>,
        }
        let invalid = |e: toml::de::Error| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let version: VersionOnly = toml::from_str(text).map_err(invalid)?;
        match version.config_version {
            Some(CONFIG_VERSION) => {}
            Some(found) => {
                return Err(ConfigError::UnsupportedVersion {
                    path: path.to_path_buf(),
                    found,
                    supported: CONFIG_VERSION,
                });
            }
            None => {
                return Err(ConfigError::Invalid {
                    path: path.to_path_buf(),
                    message: "missing config_version".into(),
                });
            }
        }
        toml::from_str(text).map_err(invalid)
    }

    pub fn to_toml(&self) -> String {
        let body = toml::to_string_pretty(self).unwrap_or_else(|e| format!("# unprintable: {e}\n"));
        format!(
            "# Liandong post configuration / 联动节点配置\n\
             # Written by `liandong init`; edit with care. Unknown keys are refused.\n\n{body}"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Config {
        Config::new(PostConfig {
            name: "西戈壁村".into(),
            level: Level::Village,
            region: "654203106201".parse().expect("region"),
            unit_type: UnitType::Command,
            contact: "13800000000".into(),
            location: None,
        })
    }

    #[test]
    fn round_trips_through_toml() {
        let c = sample();
        let text = c.to_toml();
        assert_eq!(Config::parse(&text, Path::new("c.toml")).expect("parse"), c);
    }

    #[test]
    fn deploy_examples_parse() {
        for (name, text) in [
            (
                "county.toml",
                include_str!("../../deploy/examples/county.toml"),
            ),
            (
                "village.toml",
                include_str!("../../deploy/examples/village.toml"),
            ),
        ] {
            let c = Config::parse(text, Path::new(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(c.post.region.level(), c.post.level, "{name}");
        }
    }

    fn console(text: &str) -> ConsoleConfig {
        // The sample's own [console] section, replaced by `text`.
        let base = sample().to_toml();
        let start = base.find("[console]").expect("console section");
        let end = base[start + 1..]
            .find("\n[")
            .map_or(base.len(), |i| start + 1 + i);
        let toml = format!("{}{}\n[console]\n{text}\n", &base[..start], &base[end..]);
        Config::parse(&toml, Path::new("c.toml"))
            .unwrap_or_else(|e| panic!("{e}"))
            .console
    }

    fn addr(a: &str) -> std::net::SocketAddr {
        a.parse().expect("addr")
    }

    #[test]
    fn tls_is_off_on_loopback_and_on_everywhere_else() {
        let data = Path::new("/var/lib/liandong");
        let c = console("");
        assert_eq!(c.tls, TlsMode::Auto);
        for local in ["127.0.0.1:7480", "[::1]:7480", "127.0.0.2:0"] {
            assert_eq!(c.tls_plan(addr(local), data), Ok(TlsPlan::Plain), "{local}");
        }
        for remote in ["0.0.0.0:7480", "[::]:7480", "192.168.1.20:7480"] {
            assert_eq!(
                c.tls_plan(addr(remote), data),
                Ok(TlsPlan::Generated),
                "{remote}"
            );
        }
        // Forced on for loopback (tests, a reverse proxy on the same box).
        let on = console("tls = \"on\"");
        assert_eq!(
            on.tls_plan(addr("127.0.0.1:7480"), data),
            Ok(TlsPlan::Generated)
        );
    }

    #[test]
    fn plain_http_off_loopback_is_refused_in_both_languages() {
        let off = console("tls = \"off\"");
        let data = Path::new("/d");
        assert_eq!(
            off.tls_plan(addr("127.0.0.1:7480"), data),
            Ok(TlsPlan::Plain)
        );
        let err = off
            .tls_plan(addr("10.0.0.5:7480"), data)
            .expect_err("plain off loopback");
        let text = err.to_string();
        assert!(text.contains("10.0.0.5:7480"), "{text}");
        assert!(
            text.contains("明文") && text.contains("plain HTTP"),
            "{text}"
        );
    }

    #[test]
    fn a_configured_certificate_is_used_and_relative_paths_start_at_the_data_dir() {
        let c = console("cert = \"tls/console.pem\"\nkey = \"/etc/liandong/console.key\"");
        let plan = TlsPlan::Configured {
            cert: PathBuf::from("/d/tls/console.pem"),
            key: PathBuf::from("/etc/liandong/console.key"),
        };
        // Loopback too: a configured certificate means the operator wants TLS.
        assert_eq!(
            c.tls_plan(addr("127.0.0.1:7480"), Path::new("/d")),
            Ok(plan.clone())
        );
        assert_eq!(c.tls_plan(addr("0.0.0.0:7480"), Path::new("/d")), Ok(plan));
        // The config file round-trips with them.
        let mut full = sample();
        full.console = c.clone();
        let back = Config::parse(&full.to_toml(), Path::new("c.toml")).expect("parse");
        assert_eq!(back.console, c);

        let half = console("cert = \"c.pem\"");
        assert_eq!(
            half.tls_plan(addr("0.0.0.0:1"), Path::new("/d")),
            Err(TlsPlanError::Incomplete { missing: "key" })
        );
        let both = console("tls = \"off\"\ncert = \"c.pem\"\nkey = \"k.pem\"");
        assert_eq!(
            both.tls_plan(addr("127.0.0.1:1"), Path::new("/d")),
            Err(TlsPlanError::OffWithCertificate)
        );
        let typo = sample()
            .to_toml()
            .replace("tls = \"auto\"", "tls = \"yes\"");
        let err = Config::parse(&typo, Path::new("c.toml")).expect_err("tls = yes");
        assert!(err.to_string().contains("yes"), "{err}");
    }

    #[test]
    fn typos_and_versions_are_reported() {
        let text = sample().to_toml().replace("cache_mb", "cache_mbb");
        let err = Config::parse(&text, Path::new("c.toml")).expect_err("typo");
        assert!(err.to_string().contains("cache_mbb"), "{err}");
        let text = sample()
            .to_toml()
            .replace("config_version = 1", "config_version = 9");
        assert!(matches!(
            Config::parse(&text, Path::new("c.toml")),
            Err(ConfigError::UnsupportedVersion { found: 9, .. })
        ));
        let text = sample().to_toml().replace("654203106201", "6542031");
        assert!(Config::parse(&text, Path::new("c.toml")).is_err());
    }
}
