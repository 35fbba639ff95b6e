//! A post's place: published from its config at init, not again while it
//! stays put, once more when it moves; and read back as the latest.

use liandong_node::config::{Config, PostConfig};
use liandong_node::datadir::DataDir;
use liandong_node::post::Post;
use liandong_node::service::rows::post_places;
use liandong_protocol::{Kind, Level, UnitType};

fn places_written(post: &Post) -> usize {
    post.ledger
        .store()
        .query(&liandong_node::store::Query {
            kind: Some(Kind::POST_PLACE),
            ..Default::default()
        })
        .expect("query")
        .len()
}

#[test]
fn a_post_publishes_its_place_once_and_again_when_it_moves() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = DataDir::new(tmp.path().join("village"));
    let config = Config::new(PostConfig {
        name: "西戈壁村".into(),
        level: Level::Village,
        region: "654203106201".parse().expect("region"),
        unit_type: UnitType::Command,
        contact: String::new(),
        location: Some("44.325,85.556".parse().expect("point")),
    });
    let mut post = Post::init(&dir, config).expect("init");
    assert_eq!(places_written(&post), 1, "at init");
    assert!(
        !post.publish_place().expect("publish"),
        "unchanged: nothing written"
    );
    assert_eq!(places_written(&post), 1);

    let moved = "44.330,85.560".parse().expect("point");
    post.config.post.location = Some(moved);
    assert!(post.publish_place().expect("publish"), "moved: written");
    let places = post_places(post.ledger.store()).expect("places");
    assert_eq!(
        places.get(&post.ledger.node_id()),
        Some(&moved),
        "the latest wins"
    );
    assert_eq!(places_written(&post), 2);

    // The config file keeps it as "lat,lon"; a bad one is refused by name.
    let text = Config::new(post.config.post.clone()).to_toml();
    assert!(
        text.contains("location = \"44.330000,85.560000\""),
        "{text}"
    );
    let bad = text.replace("44.330000,85.560000", "north of the river");
    let err = Config::parse(&bad, std::path::Path::new("config.toml")).expect_err("refused");
    assert!(err.to_string().contains("lat,lon"), "{err}");
}
