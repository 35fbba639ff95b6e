//! Who may do what: the authority rules of 统一领导、分级负责, as one pure
//! rule engine over data.
//!
//! The rules are data ([`AuthorityPolicy`], carried in the network's
//! genesis), not code constants, so a provincial deployment can set its
//! own. The engine answers one question — may this certified post take this
//! action? — and every layer that needs an answer (admission of entries,
//! certificate issue, the domain fold) asks it here.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::ids::NodeId;
use crate::level::Level;
use crate::region::RegionCode;
use crate::unit::UnitType;

/// A role a certificate grants, e.g. `warning_issuer` (预警发布).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Role(pub String);

impl Role {
    pub const WARNING_ISSUER: &'static str = "warning_issuer";

    pub fn new(name: &str) -> Role {
        Role(name.trim().to_string())
    }

    /// The roles this software names for people (value, Chinese, English).
    /// A role not listed here is shown as written.
    pub const NAMED: [(&'static str, &'static str, &'static str); 1] =
        [(Role::WARNING_ISSUER, "预警发布", "warning issuer")];

    pub fn name_zh(&self) -> &str {
        Self::NAMED
            .iter()
            .find(|(v, _, _)| *v == self.0)
            .map_or(&self.0, |(_, zh, _)| zh)
    }

    pub fn name_en(&self) -> &str {
        Self::NAMED
            .iter()
            .find(|(v, _, _)| *v == self.0)
            .map_or(&self.0, |(_, _, en)| en)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Emergency response levels: Ⅰ is the most severe (national), Ⅳ the least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ResponseLevel {
    I,
    II,
    III,
    IV,
}

impl ResponseLevel {
    pub const ALL: [ResponseLevel; 4] = [
        ResponseLevel::I,
        ResponseLevel::II,
        ResponseLevel::III,
        ResponseLevel::IV,
    ];

    pub fn numeral(self) -> &'static str {
        match self {
            ResponseLevel::I => "Ⅰ",
            ResponseLevel::II => "Ⅱ",
            ResponseLevel::III => "Ⅲ",
            ResponseLevel::IV => "Ⅳ",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for ResponseLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.numeral())
    }
}

/// What the rules need to know about a certified post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostInfo {
    pub node: NodeId,
    pub name: Arc<str>,
    pub level: Level,
    pub region: RegionCode,
    pub unit_type: UnitType,
    pub roles: Vec<Role>,
    /// Whether the post may certify posts below it.
    pub can_certify: bool,
    /// Neighbouring regions the post is certified to cooperate with (区域合作).
    pub cooperates: Vec<RegionCode>,
}

impl PostInfo {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r.0 == role)
    }

    pub fn is_command_post(&self) -> bool {
        self.unit_type == UnitType::Command
    }

    /// True when `region` is in this post's subtree or a cooperation area.
    pub fn covers(&self, region: &RegionCode) -> bool {
        region.is_within(&self.region) || self.cooperates.iter().any(|c| region.is_within(c))
    }
}

/// Who the certified posts are, as the trust layer knows them: the one
/// question views and admission ask about an author.
pub trait Directory {
    /// The post behind `node` at time `at`: `Some` only if its certificate
    /// chain to a root was valid then and it was not revoked or quarantined
    /// as of `at`. Shared, because the fold asks once per entry and keeps
    /// the answer with what it builds: a copy would cost a post's names,
    /// roles and areas each time.
    fn post_at(&self, node: &NodeId, at: crate::hlc::Hlc) -> Option<Arc<PostInfo>>;
}

/// The authority rules, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorityPolicy {
    /// The lowest post level that may decide each response level, indexed
    /// Ⅰ, Ⅱ, Ⅲ, Ⅳ. Default: national, province, prefecture, county.
    pub response_min_level: [Level; 4],
    /// The role a post needs to issue warnings.
    pub warning_role: Role,
}

impl Default for AuthorityPolicy {
    fn default() -> Self {
        AuthorityPolicy {
            response_min_level: [
                Level::National,
                Level::Province,
                Level::Prefecture,
                Level::County,
            ],
            warning_role: Role::new(Role::WARNING_ISSUER),
        }
    }
}

/// Something a post wants to do.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Write any entry scoped to `scope`.
    Write { scope: &'a RegionCode },
    /// Activate, adjust or end a response of `level` in `region`.
    Respond {
        level: ResponseLevel,
        region: &'a RegionCode,
    },
    /// Issue, update or cancel a warning covering these regions.
    Warn { area: &'a [RegionCode] },
    /// Assign a task to a post.
    Assign { assignee: &'a PostInfo },
    /// Certify a new post.
    Certify {
        subject_level: Level,
        subject_region: &'a RegionCode,
        subject_unit: &'a UnitType,
        subject_can_certify: bool,
    },
}

/// Why an action is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorityError {
    #[error(
        "{post} ({level}) may not write about {scope}, which is outside its area / 超出本单位辖区"
    )]
    ScopeOutsideArea {
        post: String,
        level: Level,
        scope: RegionCode,
    },
    #[error(
        "a level {response} response needs a {needed} post or above; {post} is {level} / \
         {response}级响应须由{needed_zh}及以上决定"
    )]
    ResponseLevelTooHigh {
        post: String,
        level: Level,
        response: ResponseLevel,
        needed: Level,
        needed_zh: &'static str,
    },
    #[error("{post} lacks the role {role} needed to issue warnings / 无预警发布权限")]
    MissingRole { post: String, role: Role },
    #[error(
        "{post} may not assign tasks to {assignee}, outside its command / 只能向下级或所属成员单位下达指令"
    )]
    AssigneeOutsideCommand { post: String, assignee: String },
    #[error("{post} may not certify other posts / 无签发证书权限")]
    MayNotCertify { post: String },
    #[error(
        "{post} ({level}) may not certify a {subject_level} post in {region} / 只能为本辖区下级签发证书"
    )]
    CertifyOutsideCommand {
        post: String,
        level: Level,
        subject_level: Level,
        region: RegionCode,
    },
}

impl AuthorityPolicy {
    /// The lowest level that may decide a response level.
    pub fn min_level_for(&self, response: ResponseLevel) -> Level {
        self.response_min_level[response.index()]
    }

    /// May `post` take `action`?
    pub fn check(&self, post: &PostInfo, action: &Action<'_>) -> Result<(), AuthorityError> {
        match *action {
            Action::Write { scope } => self.check_area(post, scope),
            Action::Respond { level, region } => {
                self.check_area(post, region)?;
                let needed = self.min_level_for(level);
                if post.level > needed {
                    return Err(AuthorityError::ResponseLevelTooHigh {
                        post: post.name.to_string(),
                        level: post.level,
                        response: level,
                        needed,
                        needed_zh: needed.name_zh(),
                    });
                }
                Ok(())
            }
            Action::Warn { area } => {
                if !post.has_role(&self.warning_role.0) {
                    return Err(AuthorityError::MissingRole {
                        post: post.name.to_string(),
                        role: self.warning_role.clone(),
                    });
                }
                area.iter().try_for_each(|r| self.check_area(post, r))
            }
            Action::Assign { assignee } => {
                let below = assignee.level > post.level;
                let own_member_unit = assignee.level == post.level
                    && post.is_command_post()
                    && !assignee.is_command_post();
                if assignee.region.is_within(&post.region) && (below || own_member_unit) {
                    Ok(())
                } else {
                    Err(AuthorityError::AssigneeOutsideCommand {
                        post: post.name.to_string(),
                        assignee: assignee.name.to_string(),
                    })
                }
            }
            Action::Certify {
                subject_level,
                subject_region,
                subject_unit,
                subject_can_certify,
            } => {
                if !post.can_certify {
                    return Err(AuthorityError::MayNotCertify {
                        post: post.name.to_string(),
                    });
                }
                // Strictly downward: a lower level, or a member unit (which
                // certifies nobody) of the post's own level.
                let below = subject_level > post.level;
                let member_unit = subject_level == post.level
                    && post.is_command_post()
                    && *subject_unit != UnitType::Command
                    && !subject_can_certify;
                if subject_region.is_within(&post.region)
                    && subject_region.level() == subject_level
                    && (below || member_unit)
                {
                    Ok(())
                } else {
                    Err(AuthorityError::CertifyOutsideCommand {
                        post: post.name.to_string(),
                        level: post.level,
                        subject_level,
                        region: subject_region.clone(),
                    })
                }
            }
        }
    }

    fn check_area(&self, post: &PostInfo, scope: &RegionCode) -> Result<(), AuthorityError> {
        if post.covers(scope) {
            Ok(())
        } else {
            Err(AuthorityError::ScopeOutsideArea {
                post: post.name.to_string(),
                level: post.level,
                scope: scope.clone(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(name: &str, level: Level, region: &str, unit: UnitType, roles: &[&str]) -> PostInfo {
        PostInfo {
            node: NodeId([0; 32]),
            name: name.into(),
            level,
            region: region.parse().expect("region"),
            can_certify: unit == UnitType::Command,
            unit_type: unit,
            roles: roles.iter().map(|r| Role::new(r)).collect(),
            cooperates: Vec::new(),
        }
    }

    fn rc(s: &str) -> RegionCode {
        s.parse().expect("region")
    }

    #[test]
    fn response_levels_follow_the_post_level() {
        let p = AuthorityPolicy::default();
        let county = post("沙湾市", Level::County, "654203", UnitType::Command, &[]);
        let prefecture = post(
            "塔城地区",
            Level::Prefecture,
            "6542",
            UnitType::Command,
            &[],
        );
        let village = post(
            "西戈壁村",
            Level::Village,
            "654203106201",
            UnitType::Command,
            &[],
        );
        let nation = post("国家", Level::National, "00", UnitType::Command, &[]);
        let here = rc("654203106201");
        let respond = |level| Action::Respond {
            level,
            region: &here,
        };
        assert_eq!(p.check(&county, &respond(ResponseLevel::IV)), Ok(()));
        assert!(p.check(&county, &respond(ResponseLevel::III)).is_err());
        assert_eq!(p.check(&prefecture, &respond(ResponseLevel::III)), Ok(()));
        assert!(matches!(
            p.check(&village, &respond(ResponseLevel::I)),
            Err(AuthorityError::ResponseLevelTooHigh {
                needed: Level::National,
                ..
            })
        ));
        assert_eq!(p.check(&nation, &respond(ResponseLevel::I)), Ok(()));
        // Only within the post's own subtree.
        let elsewhere = rc("654202");
        assert!(matches!(
            p.check(
                &county,
                &Action::Respond {
                    level: ResponseLevel::IV,
                    region: &elsewhere
                }
            ),
            Err(AuthorityError::ScopeOutsideArea { .. })
        ));
    }

    #[test]
    fn policy_is_data() {
        let mut p = AuthorityPolicy::default();
        p.response_min_level[3] = Level::Township;
        let town = post(
            "西戈壁镇",
            Level::Township,
            "654203106",
            UnitType::Command,
            &[],
        );
        let here = rc("654203106");
        assert_eq!(
            p.check(
                &town,
                &Action::Respond {
                    level: ResponseLevel::IV,
                    region: &here
                }
            ),
            Ok(())
        );
    }

    #[test]
    fn warnings_need_the_role() {
        let p = AuthorityPolicy::default();
        let weather = post(
            "沙湾市气象局",
            Level::County,
            "654203",
            UnitType::Weather,
            &["warning_issuer"],
        );
        let fire = post(
            "沙湾市消防救援大队",
            Level::County,
            "654203",
            UnitType::Fire,
            &[],
        );
        let area = [rc("654203106")];
        assert_eq!(p.check(&weather, &Action::Warn { area: &area }), Ok(()));
        assert!(matches!(
            p.check(&fire, &Action::Warn { area: &area }),
            Err(AuthorityError::MissingRole { .. })
        ));
        let far = [rc("110101")];
        assert!(p.check(&weather, &Action::Warn { area: &far }).is_err());
    }

    #[test]
    fn tasks_go_down_or_to_own_member_units() {
        let p = AuthorityPolicy::default();
        let county = post("沙湾市", Level::County, "654203", UnitType::Command, &[]);
        let village = post(
            "西戈壁村",
            Level::Village,
            "654203106201",
            UnitType::Command,
            &[],
        );
        let fire = post(
            "沙湾市消防救援大队",
            Level::County,
            "654203",
            UnitType::Fire,
            &[],
        );
        let other_county = post("乌苏市", Level::County, "654202", UnitType::Command, &[]);
        assert_eq!(
            p.check(&county, &Action::Assign { assignee: &village }),
            Ok(())
        );
        assert_eq!(
            p.check(&county, &Action::Assign { assignee: &fire }),
            Ok(())
        );
        assert!(
            p.check(&village, &Action::Assign { assignee: &county })
                .is_err()
        );
        assert!(
            p.check(
                &county,
                &Action::Assign {
                    assignee: &other_county
                }
            )
            .is_err()
        );
        assert!(
            p.check(&fire, &Action::Assign { assignee: &county })
                .is_err()
        );
    }

    #[test]
    fn certification_is_strictly_downward() {
        let p = AuthorityPolicy::default();
        let county = post("沙湾市", Level::County, "654203", UnitType::Command, &[]);
        let certify = |level, region: &'static str, unit: &'static UnitType, cc| {
            p.check(
                &county,
                &Action::Certify {
                    subject_level: level,
                    subject_region: &rc(region),
                    subject_unit: unit,
                    subject_can_certify: cc,
                },
            )
        };
        assert_eq!(
            certify(Level::Township, "654203106", &UnitType::Command, true),
            Ok(())
        );
        assert_eq!(
            certify(Level::County, "654203", &UnitType::Fire, false),
            Ok(()),
            "its own fire brigade"
        );
        assert!(
            certify(Level::County, "654203", &UnitType::Fire, true).is_err(),
            "member units certify nobody"
        );
        assert!(
            certify(Level::County, "654203", &UnitType::Command, false).is_err(),
            "no peer command posts"
        );
        assert!(
            certify(Level::Prefecture, "6542", &UnitType::Command, true).is_err(),
            "not upward"
        );
        assert!(
            certify(Level::Township, "654202100", &UnitType::Command, true).is_err(),
            "not outside its area"
        );
        assert!(
            certify(Level::Township, "654203", &UnitType::Command, true).is_err(),
            "region must match level"
        );
        let fire = post(
            "沙湾市消防救援大队",
            Level::County,
            "654203",
            UnitType::Fire,
            &[],
        );
        assert!(matches!(
            p.check(
                &fire,
                &Action::Certify {
                    subject_level: Level::Village,
                    subject_region: &rc("654203106201"),
                    subject_unit: &UnitType::Fire,
                    subject_can_certify: false
                }
            ),
            Err(AuthorityError::MayNotCertify { .. })
        ));
    }

    #[test]
    fn scope_rule_allows_declared_cooperation() {
        let p = AuthorityPolicy::default();
        let mut village = post(
            "西戈壁村",
            Level::Village,
            "654203106201",
            UnitType::Command,
            &[],
        );
        let neighbour = rc("654203106202");
        assert!(
            p.check(&village, &Action::Write { scope: &neighbour })
                .is_err()
        );
        village.cooperates.push(neighbour.clone());
        assert_eq!(
            p.check(&village, &Action::Write { scope: &neighbour }),
            Ok(())
        );
        assert!(
            p.check(
                &village,
                &Action::Write {
                    scope: &rc("654203")
                }
            )
            .is_err(),
            "not upward"
        );
    }
}
