//! The **development-mode** directory: who the posts are, taken from their
//! own self-descriptions (profile entries), until the trust layer's
//! certificate state replaces it.
//!
//! Every author of a profile is treated as certified from the time of that
//! profile, with the level, region and unit type it claims. Nobody holds a
//! role except what the dev-roles file grants. This is for single-post use,
//! demos and tests: it trusts what posts say about themselves, which a real
//! network must not.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use liandong_protocol::{Body, Directory, Hlc, NodeId, PostInfo, RegionCode, Role, SignedEntry};
use serde::Deserialize;

use crate::store::{Query, Store, StoreError};

/// Largest dev-roles file accepted.
const MAX_ROLES_BYTES: u64 = 64 * 1024;

/// Roles granted in development mode: post name or node id (hex) → roles.
///
/// ```toml
/// [roles]
/// "沙湾市气象局" = ["warning_issuer"]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevRoles {
    #[serde(default)]
    pub roles: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum DevRolesError {
    #[error("cannot read dev-roles file {path}: {source} / 无法读取开发角色文件")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("dev-roles file {0} is over 64 KiB / 开发角色文件过大")]
    TooLarge(PathBuf),
    #[error("dev-roles file {path} is invalid / 开发角色文件有误: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl DevRoles {
    pub fn load(path: &Path) -> Result<DevRoles, DevRolesError> {
        let io = |source| DevRolesError::Io {
            path: path.to_path_buf(),
            source,
        };
        if fs::metadata(path).map_err(io)?.len() > MAX_ROLES_BYTES {
            return Err(DevRolesError::TooLarge(path.to_path_buf()));
        }
        let text = fs::read_to_string(path).map_err(io)?;
        toml::from_str(&text).map_err(|e| DevRolesError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    fn for_post(&self, node: &NodeId, name: &str) -> Vec<Role> {
        let mut roles: Vec<Role> = [node.to_hex(), name.to_string()]
            .iter()
            .filter_map(|key| self.roles.get(key))
            .flatten()
            .map(|r| Role::new(r))
            .collect();
        roles.sort();
        roles.dedup();
        roles
    }
}

/// Posts as their profiles describe them, over time.
#[derive(Debug, Clone, Default)]
pub struct DevDirectory {
    /// Each post's profiles, oldest first.
    posts: HashMap<NodeId, Vec<(Hlc, Arc<PostInfo>)>>,
}

impl DevDirectory {
    /// Reads every profile in the store. `local` is this post's node id and
    /// the cooperation areas its config declares, given to its own entry
    /// (other posts' cooperation is certificate data the profiles lack).
    pub fn from_store(
        store: &Store,
        roles: &DevRoles,
        local: Option<(NodeId, &[RegionCode])>,
    ) -> Result<DevDirectory, StoreError> {
        let profiles = store.query(&Query {
            kind: Some(liandong_protocol::Kind::POST_PROFILE),
            ..Query::default()
        })?;
        Ok(Self::from_entries(&profiles, roles, local))
    }

    pub fn from_entries(
        entries: &[SignedEntry],
        roles: &DevRoles,
        local: Option<(NodeId, &[RegionCode])>,
    ) -> DevDirectory {
        let mut posts: HashMap<NodeId, Vec<(Hlc, Arc<PostInfo>)>> = HashMap::new();
        for e in entries {
            let Ok(Body::PostProfile(p)) = e.body() else {
                continue;
            };
            let node = e.author();
            let cooperates = match local {
                Some((me, areas)) if me == node => areas.to_vec(),
                _ => Vec::new(),
            };
            let info = PostInfo {
                node,
                roles: roles.for_post(&node, &p.name),
                name: p.name.into(),
                level: p.level,
                region: p.region,
                unit_type: p.unit_type,
                can_certify: false,
                cooperates,
            };
            posts
                .entry(node)
                .or_default()
                .push((e.hlc(), Arc::new(info)));
        }
        for list in posts.values_mut() {
            list.sort_by_key(|(hlc, _)| *hlc);
        }
        DevDirectory { posts }
    }

    /// The latest description of every post.
    pub fn latest(&self) -> impl Iterator<Item = &PostInfo> {
        self.posts
            .values()
            .filter_map(|l| l.last().map(|(_, p)| &**p))
    }

    pub fn latest_of(&self, node: &NodeId) -> Option<&PostInfo> {
        self.posts.get(node)?.last().map(|(_, p)| &**p)
    }
}

impl Directory for DevDirectory {
    fn post_at(&self, node: &NodeId, at: Hlc) -> Option<Arc<PostInfo>> {
        self.posts
            .get(node)?
            .iter()
            .rev()
            .find(|(since, _)| *since <= at)
            .map(|(_, p)| Arc::clone(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liandong_protocol::{Draft, Keypair, Level, NetworkId, PostProfile, Status, UnitType};

    fn profile(
        key: &Keypair,
        seq: u64,
        wall: u64,
        name: &str,
        level: Level,
        region: &str,
    ) -> SignedEntry {
        let region: RegionCode = region.parse().expect("region");
        SignedEntry::sign(
            key,
            Draft {
                network: NetworkId::from_name("t"),
                seq,
                prev: None,
                hlc: Hlc::at_wall(wall),
                scope: region.clone(),
                status: Status::Actual,
                body: Body::PostProfile(PostProfile {
                    name: name.into(),
                    level,
                    region,
                    unit_type: UnitType::Command,
                    contact: String::new(),
                }),
                operator: None,
            },
        )
        .expect("sign")
    }

    #[test]
    fn posts_are_known_from_their_profile_on_with_granted_roles() {
        let key = Keypair::from_secret([1; 32]);
        let entries = [
            profile(&key, 1, 1000, "沙湾市气象局", Level::County, "654203"),
            profile(&key, 2, 5000, "沙湾市气象局（新）", Level::County, "654203"),
        ];
        let roles: DevRoles =
            toml::from_str("[roles]\n\"沙湾市气象局\" = [\"warning_issuer\"]\n").expect("toml");
        let dir = DevDirectory::from_entries(&entries, &roles, None);
        let node = key.node_id();
        assert_eq!(
            dir.post_at(&node, Hlc::at_wall(999)),
            None,
            "not before its profile"
        );
        let early = dir.post_at(&node, Hlc::at_wall(1000)).expect("known");
        assert!(early.has_role("warning_issuer"));
        let later = dir.post_at(&node, Hlc::at_wall(6000)).expect("known");
        assert_eq!(&*later.name, "沙湾市气象局（新）");
        assert!(
            later.roles.is_empty(),
            "roles follow the name or node id granted"
        );
        assert_eq!(
            dir.latest_of(&node).map(|p| &*p.name),
            Some("沙湾市气象局（新）")
        );
    }

    #[test]
    fn bad_roles_files_are_reported() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("roles.toml");
        fs::write(&path, "[role]\nx = []\n").expect("write");
        assert!(matches!(
            DevRoles::load(&path),
            Err(DevRolesError::Invalid { .. })
        ));
        assert!(matches!(
            DevRoles::load(&dir.path().join("missing.toml")),
            Err(DevRolesError::Io { .. })
        ));
    }
}
