//! What an operator may do at this post: four roles, each allowed all that
//! the ones below it are.

use serde::{Deserialize, Serialize};

/// What an operator may do at this post. Ordered: each role may do
/// everything the roles before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OperatorRole {
    /// Reads only (the board in the duty room).
    Viewer,
    /// 值班员: reports, tasks, resources, notes.
    Operator,
    /// 带班领导: response decisions, warnings, plan activation, revocation,
    /// certificate issue, bundle import.
    Leader,
    /// Accounts and console settings.
    Admin,
}

impl OperatorRole {
    pub const ALL: [OperatorRole; 4] = [
        OperatorRole::Viewer,
        OperatorRole::Operator,
        OperatorRole::Leader,
        OperatorRole::Admin,
    ];

    /// The name in config files, the CLI and the API.
    pub fn name(self) -> &'static str {
        match self {
            OperatorRole::Viewer => "viewer",
            OperatorRole::Operator => "operator",
            OperatorRole::Leader => "leader",
            OperatorRole::Admin => "admin",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            OperatorRole::Viewer => "只读",
            OperatorRole::Operator => "值班员",
            OperatorRole::Leader => "带班领导",
            OperatorRole::Admin => "管理员",
        }
    }

    /// Whether this role may do what `needed` is required for.
    pub fn permits(self, needed: OperatorRole) -> bool {
        self >= needed
    }
}

impl std::fmt::Display for OperatorRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for OperatorRole {
    type Err = String;

    fn from_str(s: &str) -> Result<OperatorRole, String> {
        let t = s.trim();
        OperatorRole::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(t) || r.name_zh() == t)
            .ok_or_else(|| {
                format!(
                    "unknown role {t:?}: write viewer, operator, leader or admin \
                     / 角色须为 viewer（只读）、operator（值班员）、leader（带班领导）或 admin（管理员）"
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_parse_in_both_languages() {
        assert!(OperatorRole::Admin.permits(OperatorRole::Leader));
        assert!(OperatorRole::Leader.permits(OperatorRole::Leader));
        assert!(!OperatorRole::Operator.permits(OperatorRole::Leader));
        assert!(!OperatorRole::Viewer.permits(OperatorRole::Operator));
        for r in OperatorRole::ALL {
            assert_eq!(r.name().parse::<OperatorRole>(), Ok(r));
            assert_eq!(r.name_zh().parse::<OperatorRole>(), Ok(r));
            let json = serde_json::to_string(&r).expect("json");
            assert_eq!(json, format!("\"{}\"", r.name()));
        }
        assert!("root".parse::<OperatorRole>().is_err());
    }
}
