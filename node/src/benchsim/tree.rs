//! The simulated network's posts: national → provinces → prefectures →
//! counties → townships → villages, with member units beside each county
//! post, and who each post connects to.
//!
//! Every county has the same shape (its member units, townships and
//! villages per township), so adding provinces adds counties without
//! changing any one county: what a village holds and hears can then be
//! compared across network sizes. `--posts` fixes how many counties there
//! are (the largest number whose tree fits); they are dealt to the
//! provinces in turn and grouped into prefectures of at most
//! [`Shape::counties_per_prefecture`].
//!
//! Connections follow the example deployment (`deploy/examples`): every
//! post lists its parent among its peers (a member unit, its county post),
//! and a post that cooperates with a neighbour (`network.cooperate`) lists
//! that neighbour too. Villages cooperate with the next village of their
//! township, counties with the next county of their prefecture.

use liandong_protocol::{Level, RegionCode, UnitType};

/// The 31 province-level codes of GB/T 2260, then the rest of the valid
/// range, for simulations with more provinces than the country has.
const PROVINCES: [&str; 31] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
];

/// Member units at a county (besides its command post), in order.
const UNITS: [UnitType; 12] = [
    UnitType::Fire,
    UnitType::Police,
    UnitType::Health,
    UnitType::Water,
    UnitType::Weather,
    UnitType::Transport,
    UnitType::Communications,
    UnitType::Earthquake,
    UnitType::Environment,
    UnitType::CivilAffairs,
    UnitType::Military,
    UnitType::Volunteer,
];

/// The shape of every county and how counties are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Shape {
    pub provinces: usize,
    pub counties_per_prefecture: usize,
    /// Member units beside each county post (fire, police, health, water,
    /// weather, …; at most 12).
    pub units: usize,
    pub townships: usize,
    pub villages: usize,
}

impl Shape {
    /// Posts one county brings: its command post, units, townships and
    /// villages.
    pub fn county_posts(&self) -> usize {
        1 + self.units + self.townships * (1 + self.villages)
    }
}

/// One post of the tree.
#[derive(Debug, Clone)]
pub struct PostSpec {
    pub region: RegionCode,
    pub level: Level,
    pub unit: UnitType,
    /// The post it lists as its first peer (none for the national post).
    pub parent: Option<usize>,
    pub cooperate: Vec<RegionCode>,
}

/// The posts, and the connections between them (each listed once, by the
/// post that dials it).
#[derive(Debug, Clone)]
pub struct Tree {
    pub posts: Vec<PostSpec>,
    /// (dialler, listener)
    pub links: Vec<(usize, usize)>,
    pub counties: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    #[error("{0} provinces: between 1 and {max}", max = PROVINCES.len() + 41)]
    Provinces(usize),
    #[error("{posts} posts cannot hold {provinces} provinces and one county of {county} posts")]
    TooFewPosts {
        posts: usize,
        provinces: usize,
        county: usize,
    },
    #[error(
        "a shape of {0} is out of range (units ≤ 12, townships 1–999, villages 1–999, counties per prefecture 1–99)"
    )]
    Shape(&'static str),
    #[error("simulated region {code}: {why}")]
    Region { code: String, why: String },
}

fn code(text: String) -> Result<RegionCode, TreeError> {
    RegionCode::parse(&text).map_err(|e| TreeError::Region {
        why: e.to_string(),
        code: text,
    })
}

/// Province codes: the 31 real ones, then unused valid ones.
fn province_codes(n: usize) -> Vec<String> {
    let mut out: Vec<String> = PROVINCES.iter().map(|s| s.to_string()).collect();
    for p in 11..=82u32 {
        let s = p.to_string();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out.truncate(n);
    out
}

/// Posts a tree with `counties` counties has.
fn total_posts(shape: &Shape, counties: usize) -> usize {
    let per_province = distribute(counties, shape.provinces);
    let prefectures: usize = per_province
        .iter()
        .map(|c| c.div_ceil(shape.counties_per_prefecture))
        .sum();
    1 + shape.provinces + prefectures + counties * shape.county_posts()
}

/// `n` items dealt to `k` holders in turn.
fn distribute(n: usize, k: usize) -> Vec<usize> {
    (0..k).map(|i| n / k + usize::from(i < n % k)).collect()
}

/// The largest tree of this shape with at most `posts` posts.
pub fn build(posts: usize, shape: Shape) -> Result<Tree, TreeError> {
    if shape.provinces == 0 || shape.provinces > PROVINCES.len() + 41 {
        return Err(TreeError::Provinces(shape.provinces));
    }
    if shape.units > UNITS.len() {
        return Err(TreeError::Shape("units"));
    }
    if !(1..=999).contains(&shape.townships) {
        return Err(TreeError::Shape("townships"));
    }
    if !(1..=999).contains(&shape.villages) {
        return Err(TreeError::Shape("villages"));
    }
    if !(1..=99).contains(&shape.counties_per_prefecture) {
        return Err(TreeError::Shape("counties per prefecture"));
    }
    let mut counties = posts / shape.county_posts();
    while counties > 0 && total_posts(&shape, counties) > posts {
        counties -= 1;
    }
    if counties == 0 {
        return Err(TreeError::TooFewPosts {
            posts,
            provinces: shape.provinces,
            county: shape.county_posts(),
        });
    }
    if counties.div_ceil(shape.provinces) > 99 * shape.counties_per_prefecture {
        return Err(TreeError::Shape(
            "counties per province (over 99 prefectures)",
        ));
    }
    let mut tree = Tree {
        posts: Vec::new(),
        links: Vec::new(),
        counties,
    };
    let national = tree.add(RegionCode::national(), UnitType::Command, None, Vec::new());
    let per_province = distribute(counties, shape.provinces);
    for (p, code_p) in province_codes(shape.provinces).into_iter().enumerate() {
        let province = tree.add(
            code(code_p.clone())?,
            UnitType::Command,
            Some(national),
            Vec::new(),
        );
        let prefectures = per_province[p].div_ceil(shape.counties_per_prefecture);
        for (f, in_prefecture) in distribute(per_province[p], prefectures.max(1))
            .into_iter()
            .enumerate()
            .take(prefectures)
        {
            let code_f = format!("{code_p}{:02}", f + 1);
            let prefecture = tree.add(
                code(code_f.clone())?,
                UnitType::Command,
                Some(province),
                Vec::new(),
            );
            for c in 0..in_prefecture {
                let code_c = format!("{code_f}{:02}", c + 1);
                // The next county of the prefecture, round; none when alone.
                let partner = (in_prefecture > 1)
                    .then(|| code(format!("{code_f}{:02}", (c + 1) % in_prefecture + 1)))
                    .transpose()?;
                tree.county(&shape, code_c, prefecture, partner)?;
            }
        }
    }
    Ok(tree)
}

impl Tree {
    fn add(
        &mut self,
        region: RegionCode,
        unit: UnitType,
        parent: Option<usize>,
        cooperate: Vec<RegionCode>,
    ) -> usize {
        let i = self.posts.len();
        self.posts.push(PostSpec {
            level: region.level(),
            region,
            unit,
            parent,
            cooperate,
        });
        if let Some(p) = parent {
            self.links.push((i, p));
        }
        i
    }

    fn county(
        &mut self,
        shape: &Shape,
        code_c: String,
        prefecture: usize,
        partner: Option<RegionCode>,
    ) -> Result<(), TreeError> {
        let county = self.add(
            code(code_c.clone())?,
            UnitType::Command,
            Some(prefecture),
            partner.into_iter().collect(),
        );
        for unit in UNITS.iter().take(shape.units) {
            self.add(
                code(code_c.clone())?,
                unit.clone(),
                Some(county),
                Vec::new(),
            );
        }
        for t in 0..shape.townships {
            let code_t = format!("{code_c}{:03}", t + 1);
            let township = self.add(
                code(code_t.clone())?,
                UnitType::Command,
                Some(county),
                Vec::new(),
            );
            for v in 0..shape.villages {
                let partner = (shape.villages > 1)
                    .then(|| code(format!("{code_t}{:03}", (v + 1) % shape.villages + 1)))
                    .transpose()?;
                self.add(
                    code(format!("{code_t}{:03}", v + 1))?,
                    UnitType::Command,
                    Some(township),
                    partner.into_iter().collect(),
                );
            }
        }
        Ok(())
    }

    /// Adds a connection for every cooperation (dialled by the post that
    /// lists it), unless the two posts are connected already.
    pub fn link_partners(&mut self) {
        let mut by_region: std::collections::HashMap<&RegionCode, usize> =
            std::collections::HashMap::new();
        for (i, p) in self.posts.iter().enumerate() {
            // The command post of a region is the first post there.
            by_region.entry(&p.region).or_insert(i);
        }
        let mut have: std::collections::HashSet<(usize, usize)> = self
            .links
            .iter()
            .map(|&(a, b)| (a.min(b), a.max(b)))
            .collect();
        let mut extra = Vec::new();
        for (i, p) in self.posts.iter().enumerate() {
            for c in &p.cooperate {
                if let Some(&j) = by_region.get(c)
                    && j != i
                    && have.insert((i.min(j), i.max(j)))
                {
                    extra.push((i, j));
                }
            }
        }
        self.links.extend(extra);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(provinces: usize) -> Shape {
        Shape {
            provinces,
            counties_per_prefecture: 8,
            units: 5,
            townships: 4,
            villages: 6,
        }
    }

    #[test]
    fn the_tree_fits_the_budget_and_every_post_has_its_parent_above_it() {
        let tree = build(10_000, shape(31)).expect("tree");
        assert!(tree.posts.len() <= 10_000);
        assert!(
            tree.posts.len() + shape(31).county_posts() + 2 > 10_000,
            "largest that fits"
        );
        for p in &tree.posts[1..] {
            let parent = &tree.posts[p.parent.expect("parent")];
            assert!(p.region.is_within(&parent.region));
            assert!(
                parent.level < p.level || (p.unit != UnitType::Command && parent.level == p.level)
            );
        }
        assert_eq!(
            tree.posts
                .iter()
                .filter(|p| p.level == Level::County && p.unit == UnitType::Command)
                .count(),
            tree.counties
        );
    }

    #[test]
    fn too_small_a_budget_is_refused() {
        assert!(matches!(
            build(10, shape(2)),
            Err(TreeError::TooFewPosts { .. })
        ));
        assert!(matches!(build(100, shape(0)), Err(TreeError::Provinces(0))));
    }
}
