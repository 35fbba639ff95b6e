//! Which entries a post holds (its interest set) and which gossip topics
//! carry them.
//!
//! A post at region R holds:
//! - every entry scoped to R's subtree (a county sees all its villages);
//! - every entry scoped *exactly* to one of R's ancestors (a village sees
//!   what its township, county, prefecture, province and the nation say to
//!   everyone below them);
//! - the subtrees of the neighbours it declares it cooperates with, and
//!   what their ancestors address to everyone below them (which includes
//!   the certificates a neighbour's entries are verified with).
//!
//! So a village node never holds an unrelated county's entries, and traffic
//! grows with a post's interest, not with the size of the network.
//!
//! ## Topic scheme
//!
//! One gossipsub topic per region at county level or above:
//! `liandong/<network id, 8 hex>/<region code>`. An entry's **home topic** is
//! its scope cut to county level (a village entry travels in its county's
//! topic; a prefecture entry in the prefecture's topic). A post subscribes
//! to the topic of its own region (cut to county level) and of each of its
//! ancestors, so gossip carries entries *down* and *across* a county at
//! once. Entries travel *up* (from a county's topic to the prefecture,
//! province and national posts, who are not in that topic) by a direct push
//! to connected posts above, and by anti-entropy sync; see `node::net`.

use serde::{Deserialize, Serialize};

use crate::ids::NetworkId;
use crate::level::Level;
use crate::region::RegionCode;

/// One piece of an interest set.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Selector {
    /// Every scope within this region, the region itself included.
    Subtree(RegionCode),
    /// Exactly this scope.
    Exact(RegionCode),
}

impl Selector {
    pub fn matches(&self, scope: &RegionCode) -> bool {
        match self {
            Selector::Subtree(r) => scope.is_within(r),
            Selector::Exact(r) => scope == r,
        }
    }

    fn intersect(&self, other: &Selector) -> Option<Selector> {
        use Selector::{Exact, Subtree};
        match (self, other) {
            (Subtree(a), Subtree(b)) if a.is_within(b) => Some(Subtree(a.clone())),
            (Subtree(a), Subtree(b)) if b.is_within(a) => Some(Subtree(b.clone())),
            (Subtree(s), Exact(e)) | (Exact(e), Subtree(s)) if e.is_within(s) => {
                Some(Exact(e.clone()))
            }
            (Exact(a), Exact(b)) if a == b => Some(Exact(a.clone())),
            _ => None,
        }
    }
}

/// A set of scopes, as a union of selectors.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Interest {
    selectors: Vec<Selector>,
}

/// Most selectors an interest may have on the wire (a post's own subtree,
/// five ancestors, and its cooperation partners).
pub const MAX_SELECTORS: usize = 64;

impl Interest {
    /// The interest of a post at `region` that cooperates with `neighbours`.
    pub fn of_post(region: &RegionCode, neighbours: &[RegionCode]) -> Interest {
        let mut selectors = vec![Selector::Subtree(region.clone())];
        selectors.extend(region.ancestors().into_iter().map(Selector::Exact));
        for n in neighbours {
            selectors.push(Selector::Subtree(n.clone()));
            // The neighbour's certificate chain is scoped to its ancestors:
            // without them its entries could not be verified here.
            selectors.extend(n.ancestors().into_iter().map(Selector::Exact));
        }
        Interest::from_selectors(selectors)
    }

    /// Everything (the national post's view, and tools).
    pub fn everything() -> Interest {
        Interest {
            selectors: vec![Selector::Subtree(RegionCode::national())],
        }
    }

    pub fn from_selectors(mut selectors: Vec<Selector>) -> Interest {
        selectors.sort();
        selectors.dedup();
        // Drop selectors already covered by a subtree selector.
        let subtrees: Vec<RegionCode> = selectors
            .iter()
            .filter_map(|s| match s {
                Selector::Subtree(r) => Some(r.clone()),
                Selector::Exact(_) => None,
            })
            .collect();
        selectors.retain(|s| match s {
            Selector::Subtree(r) => !subtrees.iter().any(|o| o != r && r.is_within(o)),
            Selector::Exact(r) => !subtrees.iter().any(|o| r.is_within(o)),
        });
        Interest { selectors }
    }

    pub fn selectors(&self) -> &[Selector] {
        &self.selectors
    }

    pub fn contains(&self, scope: &RegionCode) -> bool {
        self.selectors.iter().any(|s| s.matches(scope))
    }

    /// The scopes both interests hold: what two posts reconcile.
    pub fn intersect(&self, other: &Interest) -> Interest {
        let mut out = Vec::new();
        for a in &self.selectors {
            for b in &other.selectors {
                if let Some(s) = a.intersect(b) {
                    out.push(s);
                }
            }
        }
        Interest::from_selectors(out)
    }

    pub fn is_empty(&self) -> bool {
        self.selectors.is_empty()
    }
}

/// The gossip topic region of an entry scoped `scope`: the scope cut to
/// county level.
pub fn home_region(scope: &RegionCode) -> RegionCode {
    let mut r = scope.clone();
    while r.level() > Level::County {
        match r.parent() {
            Some(p) => r = p,
            None => break,
        }
    }
    r
}

/// The regions whose topics a post at `region` subscribes to: its own home
/// region and every ancestor of it.
pub fn subscribed_regions(region: &RegionCode) -> Vec<RegionCode> {
    let home = home_region(region);
    let mut out = vec![home.clone()];
    out.extend(home.ancestors());
    out
}

/// The topic name for a region in a network.
pub fn topic_name(network: &NetworkId, region: &RegionCode) -> String {
    format!("liandong/{}/{}", network.short(), region)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rc(s: &str) -> RegionCode {
        s.parse().expect("region")
    }

    #[test]
    fn village_interest() {
        let i = Interest::of_post(&rc("654203106201"), &[]);
        assert!(i.contains(&rc("654203106201")));
        assert!(i.contains(&rc("654203106")), "its township");
        assert!(i.contains(&rc("654203")), "its county");
        assert!(i.contains(&rc("00")), "the nation");
        assert!(!i.contains(&rc("654203106202")), "a sibling village");
        assert!(!i.contains(&rc("654202")), "an unrelated county");
        assert!(!i.contains(&rc("110101")));
    }

    #[test]
    fn county_sees_its_subtree() {
        let i = Interest::of_post(&rc("654203"), &[]);
        assert!(i.contains(&rc("654203106201")));
        assert!(i.contains(&rc("6542")));
        assert!(!i.contains(&rc("654202001")));
        assert!(Interest::of_post(&rc("00"), &[]).contains(&rc("110101001001")));
    }

    #[test]
    fn cooperation_adds_a_neighbour() {
        let i = Interest::of_post(&rc("654203106201"), &[rc("654203106202")]);
        assert!(i.contains(&rc("654203106202")));
        // Across a prefecture line: the neighbour's ancestors come too, so
        // its certificate chain can be verified.
        let manas = Interest::of_post(&rc("652324"), &[rc("654203")]);
        assert!(manas.contains(&rc("654203106")));
        assert!(
            manas.contains(&rc("6542")),
            "the neighbour's prefecture, exactly"
        );
        assert!(
            !manas.contains(&rc("654202")),
            "not the neighbour's siblings"
        );
    }

    #[test]
    fn intersections() {
        let village = Interest::of_post(&rc("654203106201"), &[]);
        let county = Interest::of_post(&rc("654203"), &[]);
        let both = village.intersect(&county);
        assert!(both.contains(&rc("654203106201")));
        assert!(both.contains(&rc("654203")));
        assert!(both.contains(&rc("65")));
        assert!(
            !both.contains(&rc("654203106202")),
            "county holds it, village does not"
        );
        assert_eq!(both, county.intersect(&village), "symmetric");

        let sibling = Interest::of_post(&rc("654203106202"), &[]);
        let shared = village.intersect(&sibling);
        assert!(shared.contains(&rc("654203106")));
        assert!(!shared.contains(&rc("654203106201")));

        let other_county = Interest::of_post(&rc("654202"), &[]);
        let shared = county.intersect(&other_county);
        assert!(shared.contains(&rc("6542")));
        assert!(!shared.contains(&rc("654203")));
        assert!(!shared.contains(&rc("654202")));
    }

    #[test]
    fn redundant_selectors_are_dropped() {
        let i = Interest::from_selectors(vec![
            Selector::Subtree(rc("65")),
            Selector::Subtree(rc("6542")),
            Selector::Exact(rc("654203")),
            Selector::Exact(rc("00")),
        ]);
        assert_eq!(
            i.selectors(),
            [Selector::Subtree(rc("65")), Selector::Exact(rc("00"))]
        );
    }

    #[test]
    fn topics() {
        assert_eq!(home_region(&rc("654203106201")), rc("654203"));
        assert_eq!(home_region(&rc("6542")), rc("6542"));
        let subs: Vec<String> = subscribed_regions(&rc("654203106201"))
            .iter()
            .map(|r| r.to_string())
            .collect();
        assert_eq!(subs, ["654203", "6542", "65", "00"]);
        let subs: Vec<String> = subscribed_regions(&rc("65"))
            .iter()
            .map(|r| r.to_string())
            .collect();
        assert_eq!(subs, ["65", "00"]);
        let n = NetworkId([0xab; 32]);
        assert_eq!(topic_name(&n, &rc("654203")), "liandong/abababab/654203");
    }
}
