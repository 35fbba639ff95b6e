//! The demo's posts: a certified hierarchy from the national post down to
//! the villages of 西戈壁镇, with member units, built with real keys, a real
//! genesis and real certificates in temporary data directories.
//!
//! Village codes (12 digits) are made up for the demo; the other codes are
//! the 2023 statistical codes.

use std::path::Path;

use liandong_protocol::trust::{Genesis, Root};
use liandong_protocol::{Body, Certificate, RegionCode, Role, SignedGenesis, Status, UnitType};

use crate::clock;
use crate::config::{Config, PostConfig};
use crate::datadir::DataDir;
use crate::post::Post;

/// One post of the demo.
#[derive(Debug, Clone)]
pub struct Member {
    pub key: String,
    pub name: String,
    pub region: String,
    pub unit: UnitType,
    /// The post that certifies it (`None` for the root).
    pub parent: Option<String>,
    pub roles: Vec<String>,
    pub cooperate: Vec<String>,
    /// Where the post is on the map ("lat,lon"), for the posts of 沙湾市 the
    /// demo's flood happens among; made up near the real places.
    pub location: Option<&'static str>,
}

fn member(key: &str, name: &str, region: &str, unit: UnitType, parent: Option<&str>) -> Member {
    Member {
        key: key.into(),
        name: name.into(),
        region: region.into(),
        unit,
        parent: parent.map(Into::into),
        roles: Vec::new(),
        cooperate: Vec::new(),
        location: None,
    }
}

/// The demo posts' positions: 沙湾市 and the posts below it, near the
/// incident the script reports at 西戈壁镇 (44.33, 85.57).
const PLACES: &[(&str, &str)] = &[
    ("shawan", "44.330,85.620"),
    ("fire", "44.322,85.606"),
    ("health", "44.338,85.633"),
    ("water", "44.345,85.612"),
    ("xigebi-town", "44.352,85.548"),
    ("xigebi", "44.325,85.556"),
    ("gebidong", "44.318,85.590"),
    ("laoshawan-town", "44.420,85.605"),
    ("laoshawan", "44.436,85.588"),
];

/// The cast, parents before children. `extra_villages` adds villages under
/// 西戈壁镇 for a larger network.
pub fn cast(extra_villages: usize) -> Vec<Member> {
    use UnitType::*;
    let mut m = vec![
        member("national", "国家应急指挥中心", "00", Command, None),
        member(
            "xinjiang",
            "新疆维吾尔自治区应急管理厅",
            "65",
            Command,
            Some("national"),
        ),
        member(
            "tacheng",
            "塔城地区应急管理局",
            "6542",
            Command,
            Some("xinjiang"),
        ),
        member(
            "changji",
            "昌吉回族自治州应急管理局",
            "6523",
            Command,
            Some("xinjiang"),
        ),
        member(
            "shawan",
            "沙湾市应急管理局",
            "654203",
            Command,
            Some("tacheng"),
        ),
        member(
            "wusu",
            "乌苏市应急管理局",
            "654202",
            Command,
            Some("tacheng"),
        ),
        member(
            "manas",
            "玛纳斯县应急管理局",
            "652324",
            Command,
            Some("changji"),
        ),
        member(
            "xigebi-town",
            "西戈壁镇人民政府",
            "654203106",
            Command,
            Some("shawan"),
        ),
        member(
            "laoshawan-town",
            "老沙湾镇人民政府",
            "654203102",
            Command,
            Some("shawan"),
        ),
        member(
            "xigebi",
            "西戈壁村村委会",
            "654203106201",
            Command,
            Some("xigebi-town"),
        ),
        member(
            "gebidong",
            "戈壁东村村委会",
            "654203106202",
            Command,
            Some("xigebi-town"),
        ),
        member(
            "laoshawan",
            "老沙湾村村委会",
            "654203102201",
            Command,
            Some("laoshawan-town"),
        ),
        member("fire", "沙湾市消防救援大队", "654203", Fire, Some("shawan")),
        member(
            "health",
            "沙湾市卫生健康委员会",
            "654203",
            Health,
            Some("shawan"),
        ),
        member("water", "沙湾市水利局", "654203", Water, Some("shawan")),
        member(
            "weather",
            "塔城地区气象局",
            "6542",
            Weather,
            Some("tacheng"),
        ),
    ];
    for e in m.iter_mut() {
        e.location = PLACES
            .iter()
            .find(|(key, _)| *key == e.key)
            .map(|(_, at)| *at);
        match e.key.as_str() {
            "weather" => e.roles.push(Role::WARNING_ISSUER.into()),
            // 区域合作: 沙湾 and 玛纳斯 across the prefecture line, and the
            // two neighbouring villages.
            "shawan" => e.cooperate.push("652324".into()),
            "manas" => e.cooperate.push("654203".into()),
            "xigebi" => e.cooperate.push("654203106202".into()),
            "gebidong" => e.cooperate.push("654203106201".into()),
            _ => {}
        }
    }
    for i in 0..extra_villages {
        // Villages 203.. of 西戈壁镇; codes made up like the others.
        let region = format!("654203106{:03}", 203 + i);
        let key = format!("village-{}", 203 + i);
        m.push(member(
            &key,
            &format!("西戈壁镇第{}村", 3 + i),
            &region,
            Command,
            Some("xigebi-town"),
        ));
    }
    m
}

/// The links of the demo network: each post to its parent, plus the
/// cooperation links.
pub fn links(cast: &[Member]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = cast
        .iter()
        .filter_map(|m| m.parent.clone().map(|p| (m.key.clone(), p)))
        .collect();
    out.push(("shawan".into(), "manas".into()));
    out.push(("xigebi".into(), "gebidong".into()));
    out
}

#[derive(Debug, thiserror::Error)]
#[error("demo setup: {0}")]
pub struct SetupError(pub String);

fn fail(e: impl std::fmt::Display) -> SetupError {
    SetupError(e.to_string())
}

/// Creates every post's data directory under `root`: the national post
/// makes the genesis; every other post is certified by its parent, and
/// installs the certificate chain, exactly as `cert issue` and
/// `cert install` do over a USB stick.
pub fn build(root: &Path, cast: &[Member]) -> Result<Vec<(Member, DataDir)>, SetupError> {
    let mut out: Vec<(Member, DataDir)> = Vec::new();
    let mut posts: Vec<(String, Post)> = Vec::new();
    let mut genesis: Option<SignedGenesis> = None;
    for m in cast {
        let dir = DataDir::new(root.join(&m.key));
        let region: RegionCode = m.region.parse().map_err(fail)?;
        let mut config = Config::new(PostConfig {
            name: m.name.clone(),
            level: region.level(),
            region: region.clone(),
            unit_type: m.unit.clone(),
            contact: String::new(),
            location: m.location.map(str::parse).transpose().map_err(fail)?,
        });
        config.network.name = "新疆应急联动演示网".into();
        config.network.mdns = false;
        config.network.cooperate = m
            .cooperate
            .iter()
            .map(|c| c.parse())
            .collect::<Result<_, _>>()
            .map_err(fail)?;
        config.store.cache_mb = 8;
        let post = match (&genesis, &m.parent) {
            (None, None) => {
                let dev = Post::init(&dir, config).map_err(fail)?;
                let g = Genesis::new(
                    "新疆应急联动演示网",
                    clock::now_ms(),
                    Root {
                        key: dev.ledger.node_id(),
                        name: m.name.clone(),
                        roles: Vec::new(),
                    },
                    region.clone(),
                    dev.config.limits.clone(),
                );
                let signed = SignedGenesis::sign(g, dev.ledger.keypair()).map_err(fail)?;
                drop(dev);
                genesis = Some(signed.clone());
                Post::join_network(&dir, &signed).map_err(fail)?
            }
            (Some(g), Some(parent_key)) => {
                let child = Post::init_in(&dir, config, Some(g)).map_err(fail)?;
                let parent = posts
                    .iter()
                    .find(|(k, _)| k == parent_key)
                    .map(|(_, p)| p)
                    .ok_or_else(|| SetupError(format!("{} has no parent {parent_key}", m.key)))?;
                certify(parent, &child, m, &region)?;
                child
            }
            _ => {
                return Err(SetupError(
                    "the cast must start with its single root".into(),
                ));
            }
        };
        posts.push((m.key.clone(), post));
        out.push((m.clone(), dir));
    }
    Ok(out)
}

/// The parent certifies the child; the child installs the chain.
fn certify(parent: &Post, child: &Post, m: &Member, region: &RegionCode) -> Result<(), SetupError> {
    let cert = Certificate {
        subject: child.ledger.node_id(),
        name: m.name.clone(),
        level: region.level(),
        region: region.clone(),
        unit_type: m.unit.clone(),
        roles: m.roles.iter().map(|r| Role::new(r)).collect(),
        can_certify: m.unit == UnitType::Command
            && region.level() < liandong_protocol::Level::Village,
        cooperates: m
            .cooperate
            .iter()
            .map(|c| c.parse())
            .collect::<Result<_, _>>()
            .map_err(fail)?,
        valid_from_ms: 0,
        valid_until_ms: None,
    };
    let entry = parent
        .ledger
        .author(region.clone(), Status::Actual, Body::Certificate(cert))
        .map_err(fail)?;
    let mut chain = parent
        .ledger
        .own_chain()
        .map_err(fail)?
        .ok_or_else(|| SetupError(format!("{} is not certified", parent.config.post.name)))?;
    chain.push(entry.wire().to_vec());
    let report = child
        .ledger
        .ingest(&chain, crate::store::Durability::Durable)
        .map_err(fail)?;
    if !report.rejected.is_empty() || !report.refused.is_empty() {
        return Err(SetupError(format!(
            "{} could not install its chain: {:?} {:?}",
            m.name, report.rejected, report.refused
        )));
    }
    Ok(())
}
