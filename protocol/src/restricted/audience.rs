//! Who a restricted entry is for. The audience travels inside the
//! ciphertext (only its readers learn it); the envelope shows only how many
//! keys it was sealed to. The author resolves it to posts, and those to
//! their agreement keys, from the certificates it knows when it writes.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::encoding::Bounded;
use crate::authority::{PostInfo, Role};
use crate::body_rules::{BodyError, DomainError};
use crate::ids::NodeId;
use crate::level::Level;
use crate::limits::Limits;
use crate::region::RegionCode;

/// Most posts one audience may name one by one; larger audiences are
/// regions or roles.
pub const MAX_AUDIENCE_POSTS: usize = 64;

/// Who may read a restricted entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Audience {
    /// These posts.
    Posts(
        #[serde(
            serialize_with = "Bounded::<MAX_AUDIENCE_POSTS>::serialize",
            deserialize_with = "Bounded::<MAX_AUDIENCE_POSTS>::deserialize"
        )]
        Vec<NodeId>,
    ),
    /// Posts at `min_level` or above (国家级 is above 省级) whose region lies
    /// inside `region`, or is one of `region`'s ancestors (its line of
    /// command): "654203, county level and above" reaches 沙湾市's county
    /// posts and member units, 塔城地区, 新疆 and the national post, and no
    /// township or village.
    Region {
        region: RegionCode,
        min_level: Level,
    },
    /// Posts whose certificate grants this role.
    Role(Role),
}

impl Audience {
    /// The checks that need no limits: a reader applies them to the
    /// audience it decrypts, whatever the network's limits are.
    pub(crate) fn check_shape(&self) -> Result<(), BodyError> {
        match self {
            Audience::Posts(posts) => {
                if posts.is_empty() {
                    return Err(BodyError::Empty { field: "posts" });
                }
                if posts.len() > MAX_AUDIENCE_POSTS {
                    return Err(BodyError::TooMany {
                        field: "posts",
                        count: posts.len(),
                        max: MAX_AUDIENCE_POSTS,
                    });
                }
                let mut seen = BTreeSet::new();
                for post in posts {
                    if !seen.insert(post) {
                        return Err(DomainError::Duplicate {
                            field: "posts",
                            value: post.to_hex(),
                        }
                        .into());
                    }
                }
                Ok(())
            }
            Audience::Region { .. } => Ok(()),
            Audience::Role(role) => {
                if role.0.trim().is_empty() {
                    return Err(BodyError::Empty { field: "role" });
                }
                Ok(())
            }
        }
    }

    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        self.check_shape()?;
        if let Audience::Role(role) = self {
            crate::body_rules::check_text("role", &role.0, limits.max_name_chars, true)?;
        }
        Ok(())
    }

    /// Whether a certified post belongs to this audience.
    pub fn includes(&self, post: &PostInfo) -> bool {
        match self {
            Audience::Posts(posts) => posts.contains(&post.node),
            Audience::Region { region, min_level } => {
                // `Level` orders from the top: "at or above" is `<=`.
                post.level <= *min_level
                    && (post.region.is_within(region) || region.is_within(&post.region))
            }
            Audience::Role(role) => post.roles.contains(role),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::UnitType;

    fn post(seed: u8, level: Level, region: &str, unit_type: UnitType) -> PostInfo {
        PostInfo {
            node: NodeId([seed; 32]),
            name: format!("post {seed}").into(),
            level,
            region: region.parse().expect("region"),
            unit_type,
            roles: vec![],
            can_certify: false,
            cooperates: vec![],
        }
    }

    #[test]
    fn region_audience_reaches_the_subtree_at_level_and_the_line_of_command() {
        let a = Audience::Region {
            region: "654203".parse().expect("region"),
            min_level: Level::County,
        };
        let inside = [
            post(1, Level::County, "654203", UnitType::Command),
            post(2, Level::County, "654203", UnitType::Fire),
            post(3, Level::Prefecture, "6542", UnitType::Command),
            post(4, Level::Province, "65", UnitType::Command),
            post(5, Level::National, "00", UnitType::Command),
        ];
        for p in &inside {
            assert!(a.includes(p), "{} {}", p.level, p.region);
        }
        let outside = [
            post(6, Level::Village, "654203106201", UnitType::Command),
            post(7, Level::Township, "654203106", UnitType::Command),
            post(8, Level::County, "654202", UnitType::Command),
            post(9, Level::Prefecture, "6541", UnitType::Command),
            post(10, Level::Province, "11", UnitType::Command),
        ];
        for p in &outside {
            assert!(!a.includes(p), "{} {}", p.level, p.region);
        }
        // Village level and above: the whole subtree, villages included.
        let all = Audience::Region {
            region: "654203".parse().expect("region"),
            min_level: Level::Village,
        };
        assert!(all.includes(&outside[0]));
        assert!(!all.includes(&outside[2]));
    }

    #[test]
    fn posts_and_role_audiences() {
        let a = post(1, Level::County, "654203", UnitType::Command);
        let mut b = post(2, Level::County, "654202", UnitType::Command);
        let posts = Audience::Posts(vec![a.node]);
        assert!(posts.includes(&a));
        assert!(!posts.includes(&b));
        let role = Audience::Role(Role::new(Role::WARNING_ISSUER));
        assert!(!role.includes(&b));
        b.roles.push(Role::new(Role::WARNING_ISSUER));
        assert!(role.includes(&b));
        assert!(!role.includes(&a));
    }

    #[test]
    fn named_posts_at_their_limit() {
        let limits = Limits::default();
        let ids = |n: usize| -> Vec<NodeId> {
            (0..n)
                .map(|i| NodeId(*blake3::hash(&i.to_le_bytes()).as_bytes()))
                .collect()
        };
        let max = Audience::Posts(ids(MAX_AUDIENCE_POSTS));
        assert_eq!(max.check(&limits), Ok(()));
        let over = Audience::Posts(ids(MAX_AUDIENCE_POSTS + 1));
        assert_eq!(
            over.check(&limits),
            Err(BodyError::TooMany {
                field: "posts",
                count: MAX_AUDIENCE_POSTS + 1,
                max: MAX_AUDIENCE_POSTS
            })
        );
        // The decoder stops at the same bound.
        let bytes = crate::codec::encode(&over).expect("encode");
        assert!(crate::codec::decode::<Audience>(&bytes, bytes.len()).is_err());
        let bytes = crate::codec::encode(&max).expect("encode");
        assert_eq!(
            crate::codec::decode::<Audience>(&bytes, bytes.len()),
            Ok(max)
        );

        assert_eq!(
            Audience::Posts(vec![]).check(&limits),
            Err(BodyError::Empty { field: "posts" })
        );
        let twice = Audience::Posts(vec![NodeId([1; 32]), NodeId([1; 32])]);
        assert!(matches!(
            twice.check(&limits),
            Err(BodyError::Domain(DomainError::Duplicate { .. }))
        ));
        assert!(Audience::Role(Role::new(" ")).check(&limits).is_err());
        let long = Audience::Role(Role::new(&"r".repeat(limits.max_name_chars + 1)));
        assert!(matches!(
            long.check(&limits),
            Err(BodyError::TooLong { .. })
        ));
    }
}
