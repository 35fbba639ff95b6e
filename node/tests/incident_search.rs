//! Finding incidents among many (`domain::incident_search`): every word
//! must be found in the title, the event type, the id, the region code or
//! the name of the region or a region above it; the newest few are shown
//! and every match is counted.

mod common;

use common::views::{Author, report, views};
use common::{genesis, open_store, rc};
use liandong_node::domain::incident_search::{
    FoundIncidents, IncidentQuery, MAX_SEARCH_CHARS, SearchTooLong,
};
use liandong_node::domain::load::load_fold;
use liandong_node::restricted::Keyring;
use liandong_protocol::domain::fold::Views;
use liandong_protocol::domain::{Category, EventType, GeoPoint, Phase};
use liandong_protocol::{Body, EntryId, Keypair};

const T0: u64 = 1_700_000_000_000;

/// A 首报 with its title, event type and region (a place in 沙湾市,
/// 塔城地区, 新疆维吾尔自治区).
fn first(title: &str, event: &str, region: &str) -> Body {
    let mut b = report(title, None);
    if let Body::IncidentReport(r) = &mut b {
        r.event = EventType::new(Category::Natural, event);
        r.region = rc(region);
    }
    b
}

struct Posted {
    views: Views,
    flood_town: EntryId,
    quake_town: EntryId,
    quake_city: EntryId,
}

fn posted() -> Posted {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open_store(&dir.path().join("store"));
    let g = genesis(&Keypair::from_secret([1; 32]));
    let mut a = Author::new(&g, 50);
    // Only the flood has a point on the map.
    let mut flood = first("西戈壁镇洪涝", "flood_drought", "654203106");
    if let Body::IncidentReport(r) = &mut flood {
        r.point = Some(GeoPoint {
            lat_e6: 44_331_000,
            lon_e6: 85_622_000,
        });
    }
    let flood_town = a.write(&store, T0, flood).id();
    let quake_town = a
        .write(
            &store,
            T0 + 1,
            first("老沙湾地震", "earthquake", "654203102"),
        )
        .id();
    let quake_city = a
        .write(&store, T0 + 2, first("市区地震", "earthquake", "654203"))
        .id();
    // The town's earthquake is closed by its 终报.
    let mut last = report("老沙湾地震", Some(quake_town));
    if let Body::IncidentReport(r) = &mut last {
        r.phase = Phase::Final;
        r.event = EventType::new(Category::Natural, "earthquake");
        r.region = rc("654203102");
    }
    a.write(&store, T0 + 3, last);
    let fold = load_fold(&store, &Keyring::empty()).expect("fold");
    Posted {
        views: views(&fold),
        flood_town,
        quake_town,
        quake_city,
    }
}

fn find(v: &Views, latest: Option<usize>, search: &str) -> (Vec<EntryId>, usize, usize) {
    let q = IncidentQuery::checked(latest, Some(search.to_string())).expect("a short search");
    let f = FoundIncidents::of(v, &q);
    assert_eq!(f.all, 3, "all counts every incident");
    (f.incidents.iter().map(|i| i.id).collect(), f.open, f.closed)
}

#[test]
fn each_word_is_found_in_the_title_type_id_or_region() {
    let p = posted();
    let v = &p.views;
    assert_eq!(v.incidents.len(), 3, "every report was folded");
    // Nothing to find: every incident.
    assert_eq!(find(v, None, "  ").0.len(), 3);
    // The title.
    assert_eq!(find(v, None, "洪涝").0, vec![p.flood_town]);
    // The event type, by its Chinese or English name, any case.
    assert_eq!(
        find(v, None, "地震灾害").0,
        vec![p.quake_town, p.quake_city]
    );
    assert_eq!(
        find(v, None, "EarthQuake").0,
        vec![p.quake_town, p.quake_city]
    );
    // The region's own name, and the names of the regions above it.
    assert_eq!(find(v, None, "西戈壁镇").0, vec![p.flood_town]);
    assert_eq!(find(v, None, "新疆").0.len(), 3);
    assert_eq!(find(v, None, "塔城").0.len(), 3);
    // The start of the region code, not its middle.
    assert_eq!(find(v, None, "654203102").0, vec![p.quake_town]);
    assert_eq!(find(v, None, "6542").0.len(), 3);
    assert!(find(v, None, "4203").0.is_empty());
    // The start of the id (the console shows its first 8 characters).
    let short = p.quake_city.to_string()[..8].to_string();
    assert_eq!(find(v, None, &short).0, vec![p.quake_city]);
    // Every word must be found, each anywhere.
    assert_eq!(find(v, None, "earthquake 老沙湾").0, vec![p.quake_town]);
    assert!(find(v, None, "洪涝 老沙湾").0.is_empty());
    // Counts: open and closed among the matches.
    let (_, open, closed) = find(v, None, "地震");
    assert_eq!((open, closed), (1, 1));
}

#[test]
fn the_newest_matches_are_shown_and_all_are_counted() {
    let p = posted();
    let (shown, open, closed) = find(&p.views, Some(1), "新疆");
    assert_eq!((open, closed), (2, 1), "every match is counted");
    // The newest open one and the closed one, in the views' order.
    assert_eq!(shown, vec![p.quake_town, p.quake_city]);
    let (shown, open, closed) = find(&p.views, Some(0), "新疆");
    assert!(shown.is_empty());
    assert_eq!((open, closed), (2, 1));
}

#[test]
fn the_map_asks_only_for_incidents_with_a_point() {
    let p = posted();
    let q = IncidentQuery::checked(Some(500), None)
        .expect("no search")
        .located();
    let f = FoundIncidents::of(&p.views, &q);
    let shown: Vec<EntryId> = f.incidents.iter().map(|i| i.id).collect();
    assert_eq!(shown, vec![p.flood_town]);
    assert_eq!((f.open, f.closed, f.all), (1, 0, 3));
}

#[test]
fn a_search_is_refused_one_character_over_its_limit() {
    let longest = "震".repeat(MAX_SEARCH_CHARS);
    assert!(IncidentQuery::checked(Some(5), Some(longest.clone())).is_ok());
    let over = format!("{longest}a");
    assert_eq!(
        IncidentQuery::checked(Some(5), Some(over)),
        Err(SearchTooLong(MAX_SEARCH_CHARS + 1))
    );
    // The limit counts characters, not bytes: 100 Chinese characters are
    // 300 bytes and pass.
    assert_eq!(longest.len(), 3 * MAX_SEARCH_CHARS);
}
