//! The rescue-force registry as a duty officer searches it: by capability,
//! and by distance from a point (or from this post), nearest first — what
//! `GET /api/forces` answers and `liandong force list` prints, the same
//! rows either way.

use liandong_protocol::domain::GeoPoint;
use liandong_protocol::domain::fold::{Conflict, Excluded, ForceView, Track, Views};
use liandong_protocol::domain::rescue_force::{CAPABILITIES, FORCE_TYPES, label, lookup};
use liandong_protocol::domain::{Availability, RescueForce};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::domain::error::ActionError;
use crate::domain::input;
use crate::domain::sections::Area;

/// Mean Earth radius (IUGG), for great-circle distances.
const EARTH_RADIUS_KM: f64 = 6_371.008_8;

/// A search, as the CLI's flags and the API's query string both give it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ForceQuery {
    /// A capability by machine, Chinese or English name.
    #[serde(default)]
    pub capability: Option<String>,
    /// `lat,lon`: measure distances from here instead of this post.
    #[serde(default)]
    pub near: Option<String>,
    /// Only forces within this many km of the point.
    #[serde(default)]
    pub within_km: Option<String>,
}

/// Where distances are measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The point the search named.
    Query,
    /// This post's own location (its config, or its place entry).
    Post,
}

/// One force found, with the names the operator reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ForceRow {
    #[serde(flatten)]
    pub force: ForceView,
    /// Great-circle distance from the search's point, km (two decimals).
    pub distance_km: Option<f64>,
    pub type_zh: String,
    pub type_en: String,
    pub capabilities_zh: Vec<String>,
    pub capabilities_en: Vec<String>,
    pub availability_zh: String,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ForceList {
    pub track: Track,
    pub now_ms: u64,
    /// The point distances are measured from, and whose it is.
    pub origin: Option<GeoPoint>,
    pub origin_is: Option<Origin>,
    /// The capability searched for, as a machine name.
    pub capability: Option<String>,
    pub within_km: Option<f64>,
    pub forces: Vec<ForceRow>,
    /// How many forces the registry holds before filtering.
    pub total: usize,
    pub conflicts: Vec<Conflict>,
    pub invalid: Vec<Excluded>,
    /// The types, capabilities and availabilities with their labels, for
    /// the console's forms and filters.
    pub vocab: Value,
}

/// Great-circle (haversine) distance in km.
pub fn distance_km(a: GeoPoint, b: GeoPoint) -> f64 {
    let rad = |e6: i32| (f64::from(e6) / 1e6).to_radians();
    let (la1, la2) = (rad(a.lat_e6), rad(b.lat_e6));
    let dlat = la2 - la1;
    let dlon = rad(b.lon_e6) - rad(a.lon_e6);
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Searches the registry. `here` is this post's location, used when the
/// query names no point.
pub fn search(
    views: &Views,
    query: &ForceQuery,
    here: Option<GeoPoint>,
) -> Result<ForceList, ActionError> {
    let mut problems = input::Problems::default();
    let capability = input::non_blank(&query.capability).map(|c| {
        // A name this code does not know may be a newer post's: searched
        // as written.
        lookup(CAPABILITIES, c).map_or_else(|| c.trim().to_string(), |e| e.0.to_string())
    });
    let near = problems
        .take(input::parse_opt::<GeoPoint>("near", &query.near))
        .flatten();
    let within_km = problems
        .take(input::parse_opt::<f64>("within_km", &query.within_km))
        .flatten();
    if let Some(km) = within_km
        && !(km.is_finite() && km >= 0.0)
    {
        problems.take::<()>(Err(ActionError::invalid(
            "within_km",
            format!("{km} is not a distance; give kilometres, e.g. 20 / 距离应为公里数，如 20"),
        )));
    }
    let (origin, origin_is) = match (near, here) {
        (Some(p), _) => (Some(p), Some(Origin::Query)),
        (None, Some(p)) => (Some(p), Some(Origin::Post)),
        (None, None) => (None, None),
    };
    if within_km.is_some() && origin.is_none() {
        problems.take::<()>(Err(ActionError::invalid(
            "near",
            "a distance needs a point: give near=lat,lon, or set this post's location \
             / 按距离查找需要坐标：请给出 near（纬度,经度）或配置本岗位位置",
        )));
    }
    problems.finish()?;
    let mut forces: Vec<ForceRow> = views
        .forces
        .iter()
        .filter(|f| {
            capability
                .as_ref()
                .is_none_or(|c| f.current.capabilities.contains(c))
        })
        .map(|f| row(f, origin))
        .filter(|r| match (within_km, r.distance_km) {
            (Some(max), Some(d)) => d <= max,
            _ => true,
        })
        .collect();
    if origin.is_some() {
        // Nearest first; `total_cmp` orders every float, so the sort is
        // total and equal sets print equal.
        forces.sort_by(|a, b| {
            a.distance_km
                .unwrap_or(f64::MAX)
                .total_cmp(&b.distance_km.unwrap_or(f64::MAX))
                .then(a.force.id.cmp(&b.force.id))
        });
    }
    let area = Area::Forces;
    Ok(ForceList {
        track: views.track,
        now_ms: views.now_ms,
        origin,
        origin_is,
        capability,
        within_km,
        total: views.forces.len(),
        forces,
        conflicts: area.conflicts(views).into_iter().cloned().collect(),
        invalid: area.invalid(views).into_iter().cloned().collect(),
        vocab: vocab(),
    })
}

fn row(f: &ForceView, origin: Option<GeoPoint>) -> ForceRow {
    let c: &RescueForce = &f.current;
    let (type_zh, type_en) = label(FORCE_TYPES, &c.force_type);
    let (capabilities_zh, capabilities_en) = c
        .capabilities
        .iter()
        .map(|x| label(CAPABILITIES, x))
        .unzip();
    ForceRow {
        force: f.clone(),
        distance_km: origin.map(|o| (distance_km(o, c.base) * 100.0).round() / 100.0),
        type_zh,
        type_en,
        capabilities_zh,
        capabilities_en,
        availability_zh: c.availability.name_zh().to_string(),
    }
}

/// The registry's vocabulary with its labels.
pub fn vocab() -> Value {
    let table = |t: &[(&str, &str, &str)]| -> Vec<Value> {
        t.iter()
            .map(|(v, zh, en)| json!({ "value": v, "zh": zh, "en": en }))
            .collect()
    };
    let availability: Vec<Value> = Availability::ALL
        .iter()
        .map(|a| json!({ "value": a, "zh": a.name_zh(), "en": a.name() }))
        .collect();
    json!({
        "types": table(FORCE_TYPES),
        "capabilities": table(CAPABILITIES),
        "availability": availability,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint {
            lat_e6: (lat * 1e6) as i32,
            lon_e6: (lon * 1e6) as i32,
        }
    }

    #[test]
    fn distances_are_great_circle_km() {
        // 沙湾市 to 西戈壁村: about 5 km apart.
        let d = distance_km(p(44.330, 85.620), p(44.325, 85.556));
        assert!((5.0..5.3).contains(&d), "{d}");
        assert_eq!(distance_km(p(44.3, 85.6), p(44.3, 85.6)), 0.0);
        // A degree of latitude is about 111 km anywhere.
        let deg = distance_km(p(0.0, 0.0), p(1.0, 0.0));
        assert!((111.0..111.4).contains(&deg), "{deg}");
    }
}
