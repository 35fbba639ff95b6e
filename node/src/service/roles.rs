//! The role every route needs — one table, checked in one place (the
//! guard) for the console and the CLI alike. The domain actions
//! (`POST /api/{area}/{verb}`) take theirs from
//! `crate::domain::actions::ROLES`.
//!
//! Reads need a viewer; writes at least an operator; response decisions,
//! warnings, revocation, certificate issue and bundle import a leader
//! (带班领导); accounts, the audit trail and the post's own certificate an
//! admin.

use axum::http::Method;

use crate::domain::actions;
use crate::operators::OperatorRole;

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Anyone: the console's files, logging in and out.
    Public,
    Role(OperatorRole),
    /// A domain action: the role of `{area}/{verb}` in the actions' table.
    Action,
}

/// Every route of `api::router`, with what it needs. A route missing here
/// needs admin (fails closed); a test checks the router against it.
pub const ROUTES: &[(&str, &str, Need)] = {
    use Need::{Action, Public, Role};
    use OperatorRole::{Admin, Leader, Operator, Viewer};
    &[
        ("GET", "/", Public),
        ("GET", "/assets/{file}", Public),
        ("GET", "/api/access", Public),
        ("POST", "/api/login", Public),
        ("POST", "/api/logout", Public),
        ("GET", "/api/status", Role(Viewer)),
        ("GET", "/api/me", Role(Viewer)),
        ("GET", "/api/vocab", Role(Viewer)),
        ("GET", "/api/digest", Role(Viewer)),
        ("GET", "/api/entries", Role(Viewer)),
        ("POST", "/api/notes", Role(Operator)),
        ("POST", "/api/sync", Role(Operator)),
        ("GET", "/api/bundle", Role(Operator)),
        ("POST", "/api/bundle/import", Role(Leader)),
        ("GET", "/api/views", Role(Viewer)),
        ("GET", "/api/overview", Role(Viewer)),
        ("GET", "/api/incidents", Role(Viewer)),
        ("GET", "/api/incidents/{id}", Role(Viewer)),
        ("GET", "/api/responses", Role(Viewer)),
        ("GET", "/api/warnings", Role(Viewer)),
        ("GET", "/api/resources", Role(Viewer)),
        ("GET", "/api/tasks", Role(Viewer)),
        ("GET", "/api/plans", Role(Viewer)),
        ("GET", "/api/drills", Role(Viewer)),
        ("GET", "/api/forces", Role(Viewer)),
        ("GET", "/api/review", Role(Viewer)),
        ("GET", "/api/conflicts", Role(Viewer)),
        ("GET", "/api/invalid", Role(Viewer)),
        ("GET", "/api/network", Role(Viewer)),
        ("GET", "/api/members", Role(Viewer)),
        ("POST", "/api/members/revoke", Role(Leader)),
        ("GET", "/api/members/requests", Role(Viewer)),
        ("POST", "/api/members/issue", Role(Leader)),
        ("POST", "/api/members/install", Role(Admin)),
        ("POST", "/api/members/request", Role(Admin)),
        ("GET", "/api/posts", Role(Viewer)),
        ("GET", "/api/regions", Role(Viewer)),
        ("GET", "/api/region-names", Role(Viewer)),
        ("GET", "/api/events", Role(Viewer)),
        ("POST", "/api/{area}/{verb}", Action),
        ("GET", "/metrics", Role(Viewer)),
        ("POST", "/api/cap", Role(Leader)),
        ("GET", "/api/cap/{file}", Role(Viewer)),
        ("GET", "/api/operators", Role(Admin)),
        ("POST", "/api/operators", Role(Admin)),
        ("POST", "/api/operators/{account}/passwd", Role(Admin)),
        ("POST", "/api/operators/{account}/disable", Role(Admin)),
        ("POST", "/api/operators/{account}/enable", Role(Admin)),
        ("GET", "/api/audit", Role(Admin)),
    ]
};

/// Whether `path` fits `pattern` (`{x}` matches one segment); the number
/// of `{x}` used (fewer is more specific).
pub fn fits(pattern: &str, path: &str) -> Option<usize> {
    let (mut p, mut q) = (pattern.split('/'), path.split('/'));
    let mut holes = 0;
    loop {
        match (p.next(), q.next()) {
            (None, None) => return Some(holes),
            (Some(a), Some(b)) if a.starts_with('{') && !b.is_empty() => holes += 1,
            (Some(a), Some(b)) if a == b => {}
            _ => return None,
        }
    }
}

/// What a request needs: the most specific route that fits.
pub fn need(method: &Method, path: &str) -> Need {
    // HEAD reads what GET reads.
    let method = if *method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    ROUTES
        .iter()
        .filter(|(m, _, _)| *m == method)
        .filter_map(|(_, pattern, need)| fits(pattern, path).map(|holes| (holes, *need)))
        .min_by_key(|(holes, _)| *holes)
        .map_or(
            // No such route: the handler answers 404 or 405; a write to
            // an unknown path still needs the strictest role.
            if method == "GET" {
                Need::Role(OperatorRole::Viewer)
            } else {
                Need::Role(OperatorRole::Admin)
            },
            |(_, need)| need,
        )
}

/// The role a request needs; `None` for the public routes.
pub fn required_role(method: &Method, path: &str) -> Option<OperatorRole> {
    match need(method, path) {
        Need::Public => None,
        Need::Role(r) => Some(r),
        Need::Action => Some(
            path.strip_prefix("/api/")
                .and_then(actions::required_role)
                // An unknown action is answered 404; still a write.
                .unwrap_or(OperatorRole::Operator),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OperatorRole::{Admin, Leader, Operator, Viewer};

    fn role(method: Method, path: &str) -> Option<OperatorRole> {
        required_role(&method, path)
    }

    /// Every `.route("…", get(…)/post(…))` in the router's source.
    fn routes_in_router() -> Vec<(String, String)> {
        let src = include_str!("../api/mod.rs");
        let mut out = Vec::new();
        for (i, _) in src.match_indices(".route(\"") {
            let rest = &src[i + 8..];
            let Some(end) = rest.find('"') else { continue };
            let path = rest[..end].to_string();
            let call = &rest[end..rest.find(')').unwrap_or(rest.len())];
            for (needle, method) in [("get(", "GET"), ("post(", "POST")] {
                if call.contains(needle) {
                    out.push((method.to_string(), path.clone()));
                }
            }
        }
        out
    }

    #[test]
    fn every_route_of_the_router_is_in_the_table() {
        let routes = routes_in_router();
        assert!(routes.len() >= 40, "the router's routes: {routes:?}");
        for (method, path) in &routes {
            assert!(
                ROUTES.iter().any(|(m, p, _)| m == method && p == path),
                "{method} {path} names no role in service::roles::ROUTES"
            );
        }
        for (m, p, _) in ROUTES {
            assert!(
                routes.iter().any(|(method, path)| method == m && path == p),
                "{m} {p} is in the table but not routed"
            );
        }
    }

    #[test]
    fn a_viewer_reads_and_writes_nothing() {
        for (m, p, need) in ROUTES {
            if *m == "GET" {
                continue;
            }
            match need {
                Need::Public => assert!(p.ends_with("/login") || p.ends_with("/logout")),
                Need::Role(r) => assert!(*r >= Operator, "{m} {p}"),
                Need::Action => {}
            }
        }
        for path in actions::PATHS {
            let r = role(Method::POST, &format!("/api/{path}")).expect("a role");
            assert!(r >= Operator, "{path}: {r}");
        }
        assert_eq!(role(Method::GET, "/api/views"), Some(Viewer));
        assert_eq!(role(Method::GET, "/metrics"), Some(Viewer));
    }

    #[test]
    fn decisions_need_a_leader_and_accounts_an_admin() {
        assert_eq!(role(Method::POST, "/api/incident/report"), Some(Operator));
        assert_eq!(role(Method::POST, "/api/notes"), Some(Operator));
        for p in [
            "/api/response/activate",
            "/api/response/end",
            "/api/warning/issue",
            "/api/plan/activate",
            "/api/members/revoke",
            "/api/members/issue",
            "/api/bundle/import",
            "/api/cap",
        ] {
            assert_eq!(role(Method::POST, p), Some(Leader), "{p}");
        }
        for (m, p) in [
            (Method::GET, "/api/operators"),
            (Method::POST, "/api/operators"),
            (Method::POST, "/api/operators/zhang/passwd"),
            (Method::POST, "/api/operators/zhang/disable"),
            (Method::POST, "/api/operators/zhang/enable"),
            (Method::GET, "/api/audit"),
        ] {
            assert_eq!(role(m.clone(), p), Some(Admin), "{m} {p}");
        }
        // Specific routes win over the actions' pattern.
        assert_eq!(role(Method::POST, "/api/members/install"), Some(Admin));
        assert_eq!(role(Method::POST, "/api/login"), None);
        assert_eq!(role(Method::GET, "/assets/app.js"), None);
        assert_eq!(role(Method::HEAD, "/api/status"), Some(Viewer));
        // Unknown writes fail closed.
        assert_eq!(role(Method::POST, "/api/nothing/here/at/all"), Some(Admin));
        assert_eq!(role(Method::DELETE, "/api/status"), Some(Admin));
    }
}
