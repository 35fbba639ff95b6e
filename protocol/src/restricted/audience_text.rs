//! Audiences as people read and type them: the descriptions boards show,
//! and the `--restrict-to` syntax of the CLI.

use super::{Audience, RestrictedError};
use crate::authority::Role;
use crate::ids::NodeId;
use crate::level::Level;
use crate::region::RegionCode;

/// How many named posts a description lists before "…".
const DESCRIBE_POSTS: usize = 3;

impl Audience {
    /// "654203县级及以上", "指定岗位 2 个：1a2b3c4d、5e6f7a8b", "持有“预警发布”角色的岗位".
    pub fn describe_zh(&self) -> String {
        self.describe_zh_with(&|_| None)
    }

    /// [`Audience::describe_zh`] naming the region where `region_name`
    /// knows it: "沙湾市(654203)县级及以上". The protocol holds no place
    /// names; the node's GB/T 2260 table does.
    pub fn describe_zh_with(&self, region_name: &dyn Fn(&RegionCode) -> Option<String>) -> String {
        match self {
            Audience::Posts(posts) => format!("指定岗位 {} 个：{}", posts.len(), list(posts, "、")),
            Audience::Region { region, min_level } => {
                let place = match region_name(region) {
                    Some(name) => format!("{name}({region})"),
                    None if region.is_national() => "全国".to_string(),
                    None => region.to_string(),
                };
                format!("{place}{}及以上", min_level.name_zh())
            }
            Audience::Role(role) => format!("持有“{}”角色的岗位", role.name_zh()),
        }
    }

    /// "county level and above in 654203", "2 named posts: 1a2b3c4d, 5e6f7a8b".
    pub fn describe_en(&self) -> String {
        match self {
            Audience::Posts(posts) => {
                let noun = if posts.len() == 1 { "post" } else { "posts" };
                format!("{} named {noun}: {}", posts.len(), list(posts, ", "))
            }
            Audience::Region { region, min_level } => {
                let place = if region.is_national() {
                    "the whole country".to_string()
                } else {
                    region.to_string()
                };
                format!("{} level and above in {place}", min_level.name_en())
            }
            Audience::Role(role) => format!("posts with the role {}", role.name_en()),
        }
    }

    /// The CLI form, which [`Audience::parse`] reads back.
    pub fn to_text(&self) -> String {
        match self {
            Audience::Posts(posts) => format!(
                "posts:{}",
                posts
                    .iter()
                    .map(NodeId::to_hex)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Audience::Region { region, min_level } => {
                format!("region:{region}:{}", min_level.name_en())
            }
            Audience::Role(role) => format!("role:{role}"),
        }
    }

    /// Reads `posts:<node id>,<node id>`, `region:<code>[:<level>]` (the
    /// level in English or Chinese, the region's own level when left out)
    /// or `role:<role>`. The schemes may also be written 岗位, 区域, 角色.
    /// The result has passed the checks that need no limits.
    pub fn parse(text: &str) -> Result<Audience, RestrictedError> {
        let syntax = || RestrictedError::AudienceSyntax {
            text: text.to_string(),
        };
        let (scheme, rest) = text.trim().split_once([':', '：']).ok_or_else(syntax)?;
        let rest = rest.trim();
        let audience = match scheme.trim().to_ascii_lowercase().as_str() {
            "posts" | "post" | "岗位" => {
                let posts = rest
                    .split([',', '，'])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(|t| {
                        t.parse::<NodeId>()
                            .map_err(|_| RestrictedError::AudienceNode {
                                text: t.to_string(),
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Audience::Posts(posts)
            }
            "region" | "区域" => {
                let (code, level) = match rest.split_once([':', '：']) {
                    Some((code, level)) => (code, Some(level)),
                    None => (rest, None),
                };
                let region = RegionCode::parse(code).map_err(RestrictedError::AudienceRegion)?;
                let min_level = match level {
                    Some(l) => l.parse::<Level>().map_err(RestrictedError::AudienceLevel)?,
                    None => region.level(),
                };
                Audience::Region { region, min_level }
            }
            "role" | "角色" => Audience::Role(Role::new(rest)),
            _ => return Err(syntax()),
        };
        audience
            .check_shape()
            .map_err(RestrictedError::InvalidAudience)?;
        Ok(audience)
    }
}

fn list(posts: &[NodeId], sep: &str) -> String {
    let mut shown: Vec<String> = posts
        .iter()
        .take(DESCRIBE_POSTS)
        .map(NodeId::short)
        .collect();
    if posts.len() > DESCRIBE_POSTS {
        shown.push("…".to_string());
    }
    shown.join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body_rules::BodyError;

    fn rc(code: &str) -> RegionCode {
        code.parse().expect("region")
    }

    #[test]
    fn descriptions_in_both_languages() {
        let a = Audience::Region {
            region: rc("654203"),
            min_level: Level::County,
        };
        assert_eq!(a.describe_zh(), "654203县级及以上");
        assert_eq!(
            a.describe_zh_with(&|r| (r.as_str() == "654203").then(|| "沙湾市".to_string())),
            "沙湾市(654203)县级及以上"
        );
        assert_eq!(a.describe_en(), "county level and above in 654203");
        let r = Audience::Role(Role::new(Role::WARNING_ISSUER));
        assert_eq!(r.describe_zh(), "持有“预警发布”角色的岗位");
        assert_eq!(r.describe_en(), "posts with the role warning issuer");
        let p = Audience::Posts(vec![NodeId([0xab; 32]); 4]);
        assert_eq!(
            p.describe_en(),
            "4 named posts: abababab, abababab, abababab, …"
        );
        assert!(p.describe_zh().starts_with("指定岗位 4 个：abababab、"));
    }

    #[test]
    fn parses_the_cli_forms() {
        let county = Audience::Region {
            region: rc("654203"),
            min_level: Level::County,
        };
        assert_eq!(Audience::parse("region:654203:county"), Ok(county.clone()));
        assert_eq!(Audience::parse(" region:654203:县级 "), Ok(county.clone()));
        assert_eq!(Audience::parse("region:654203"), Ok(county.clone()));
        assert_eq!(Audience::parse("区域：654203：县"), Ok(county.clone()));
        assert_eq!(
            Audience::parse("region:654203:prefecture"),
            Ok(Audience::Region {
                region: rc("654203"),
                min_level: Level::Prefecture
            })
        );
        assert_eq!(
            Audience::parse("role:warning_issuer"),
            Ok(Audience::Role(Role::new("warning_issuer")))
        );
        let a = NodeId([1; 32]);
        let b = NodeId([2; 32]);
        let posts = Audience::Posts(vec![a, b]);
        assert_eq!(
            Audience::parse(&format!("posts:{a}, {b}")),
            Ok(posts.clone())
        );
        for audience in [county, posts, Audience::Role(Role::new("x"))] {
            assert_eq!(Audience::parse(&audience.to_text()), Ok(audience));
        }
    }

    #[test]
    fn bad_audiences_say_what_is_wrong() {
        assert!(matches!(
            Audience::parse("654203"),
            Err(RestrictedError::AudienceSyntax { .. })
        ));
        assert!(matches!(
            Audience::parse("team:red"),
            Err(RestrictedError::AudienceSyntax { .. })
        ));
        assert!(matches!(
            Audience::parse("region:65420"),
            Err(RestrictedError::AudienceRegion(_))
        ));
        assert!(matches!(
            Audience::parse("region:654203:city"),
            Err(RestrictedError::AudienceLevel(_))
        ));
        assert!(matches!(
            Audience::parse("posts:abc"),
            Err(RestrictedError::AudienceNode { .. })
        ));
        assert_eq!(
            Audience::parse("posts:"),
            Err(RestrictedError::InvalidAudience(BodyError::Empty {
                field: "posts"
            }))
        );
        assert_eq!(
            Audience::parse("role: "),
            Err(RestrictedError::InvalidAudience(BodyError::Empty {
                field: "role"
            }))
        );
        let a = NodeId([1; 32]);
        assert!(matches!(
            Audience::parse(&format!("posts:{a},{a}")),
            Err(RestrictedError::InvalidAudience(_))
        ));
        let message = Audience::parse("654203")
            .expect_err("no scheme")
            .to_string();
        assert!(
            message.contains("region:<code>") && message.contains("受限范围"),
            "{message}"
        );
    }
}
