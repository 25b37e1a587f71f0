//! Unit tests of `network.rs` on small made-up networks.
use super::*;

/// A made-up hub (also used by the plan tests).
pub(crate) fn hub(code: &str, province: &str, lon: f64, lat: f64) -> Hub {
    Hub {
        code: code.into(),
        name: format!("Hub {code}"),
        province_code: province.into(),
        point: Point::new(lon, lat),
    }
}

pub(crate) fn link(from: &str, to: &str, mode: Mode, minutes: u32, fare_idr: u64) -> Link {
    Link {
        from: from.into(),
        to: to.into(),
        mode,
        minutes,
        fare_idr,
    }
}

fn place(name: &str, lon: f64, lat: f64) -> Stop {
    Stop {
        code: None,
        name: name.into(),
        at: Point::new(lon, lat),
    }
}

/// A line of hubs A–B–C one degree of longitude apart (≈110 km), with a slow direct
/// bus A–C and a fast train A–B–C.
fn line() -> Network {
    Network::new(
        vec![
            hub("A", "35", 112.0, -7.5),
            hub("B", "35", 113.0, -7.5),
            hub("C", "35", 114.0, -7.5),
            hub("X", "51", 114.05, -7.5),
        ],
        vec![
            link("A", "C", Mode::Bus, 500, 50_000),
            link("A", "B", Mode::Rail, 100, 20_000),
            link("C", "B", Mode::Rail, 100, 20_000),
            link("C", "X", Mode::Ferry, 60, 10_000),
        ],
    )
    .unwrap()
}

#[test]
fn the_fastest_path_wins_over_the_direct_but_slow_link() {
    let net = line();
    let hops = net
        .fastest(&place("start", 112.0, -7.45), Some("35"), &Target::Hub("C"))
        .unwrap();
    let modes: Vec<_> = hops.iter().map(|h| h.mode).collect();
    assert_eq!(modes, [Mode::Road, Mode::Rail, Mode::Rail]);
    assert_eq!(hops[1].to.code.as_deref(), Some("B"));
    // Links are undirected: C–B was listed from C.
    assert_eq!(hops[2].from.code.as_deref(), Some("B"));
    assert_eq!(hops[2].to.code.as_deref(), Some("C"));
    assert_eq!(hops[1].minutes + hops[2].minutes, 200);
}

#[test]
fn a_through_train_beats_a_chain_of_segments_a_little_faster() {
    let net = Network::new(
        vec![
            hub("A", "35", 112.0, -7.5),
            hub("B", "35", 112.5, -7.5),
            hub("C", "35", 113.0, -7.5),
        ],
        vec![
            link("A", "B", Mode::Rail, 50, 10_000),
            link("B", "C", Mode::Rail, 50, 10_000),
            link("A", "C", Mode::Rail, 100 + BOARDING_MINUTES - 1, 15_000),
        ],
    )
    .unwrap();
    let hops = net
        .fastest(&place("p", 112.0, -7.45), None, &Target::Hub("C"))
        .unwrap();
    assert_eq!(hops.len(), 2, "{hops:#?}");
    assert_eq!(hops[1].from.code.as_deref(), Some("A"));
}

#[test]
fn a_parallel_faster_link_is_the_one_taken() {
    let mut links = vec![link("A", "B", Mode::Bus, 300, 10_000)];
    links.push(link("A", "B", Mode::Rail, 90, 30_000));
    let net = Network::new(
        vec![hub("A", "35", 112.0, -7.5), hub("B", "35", 113.0, -7.5)],
        links,
    )
    .unwrap();
    let hops = net
        .fastest(&place("p", 112.0, -7.5), None, &Target::Hub("B"))
        .unwrap();
    assert_eq!(hops.last().unwrap().mode, Mode::Rail);
    assert_eq!(hops.last().unwrap().minutes, 90);
}

#[test]
fn road_legs_use_the_detour_factor_speed_and_rate() {
    // 0.1° of latitude is 11.12 km on the GRS80 mean sphere.
    let hop = Hop::road(place("a", 112.0, -7.5), place("b", 112.0, -7.6));
    let km = 11.1195 * ROAD_DETOUR;
    assert!((hop.distance_km - (km * 10.0).round() / 10.0).abs() < 1e-9);
    assert_eq!(hop.minutes, (km / ROAD_KMH * 60.0).ceil() as u32);
    assert_eq!(hop.fare_idr % 500, 0);
    assert!(hop.fare_idr as f64 >= km * ROAD_IDR_PER_KM as f64);
    assert!((hop.fare_idr as f64) < km * ROAD_IDR_PER_KM as f64 + 500.0);
}

#[test]
fn pick_up_and_home_away_from_hubs_get_road_legs_at_both_ends() {
    let net = line();
    let home = place("Desa Jauh", 114.0, -7.9);
    let hops = net
        .fastest(
            &place("titik penjemputan", 112.1, -7.4),
            Some("35"),
            &Target::Place {
                stop: &home,
                province: "35",
            },
        )
        .unwrap();
    assert_eq!(hops.first().unwrap().mode, Mode::Road);
    assert_eq!(hops.first().unwrap().to.code.as_deref(), Some("A"));
    let last = hops.last().unwrap();
    assert_eq!(last.mode, Mode::Road);
    assert_eq!(last.from.code.as_deref(), Some("C"));
    assert_eq!(last.to.name, "Desa Jauh");
    // Each leg starts where the one before it ended.
    for w in hops.windows(2) {
        assert_eq!(w[0].to, w[1].from);
    }
}

#[test]
fn the_arrival_hub_is_never_in_another_province() {
    // X (Bali) is nearest to this home, but a road leg cannot cross the strait.
    let net = line();
    let home = place("Desa Pantai", 114.06, -7.52);
    let hops = net
        .fastest(
            &place("p", 112.0, -7.5),
            Some("35"),
            &Target::Place {
                stop: &home,
                province: "35",
            },
        )
        .unwrap();
    assert!(hops.iter().all(|h| h.to.code.as_deref() != Some("X")));
    assert_eq!(hops.last().unwrap().from.code.as_deref(), Some("C"));
}

#[test]
fn a_short_trip_is_one_road_leg() {
    let net = line();
    let home = place("Desa Dekat", 112.1, -7.55);
    let hops = net
        .fastest(
            &place("p", 112.05, -7.5),
            Some("35"),
            &Target::Place {
                stop: &home,
                province: "35",
            },
        )
        .unwrap();
    assert_eq!(hops.len(), 1);
    assert_eq!(hops[0].mode, Mode::Road);
    assert_eq!(hops[0].from.name, "p");
    assert_eq!(hops[0].to.name, "Desa Dekat");
}

#[test]
fn a_home_at_a_hub_needs_no_road_leg_of_nothing() {
    let net = line();
    let home = place("Kota C", 114.0, -7.5);
    let hops = net
        .fastest(
            &place("p", 112.0, -7.5),
            Some("35"),
            &Target::Place {
                stop: &home,
                province: "35",
            },
        )
        .unwrap();
    assert_eq!(hops.last().unwrap().to.code.as_deref(), Some("C"));
    assert!(hops.iter().all(|h| h.distance_km > 0.0), "{hops:#?}");
}

#[test]
fn an_unreachable_hub_gives_no_trip() {
    let net = Network::new(
        vec![hub("A", "35", 112.0, -7.5), hub("Z", "73", 119.4, -5.1)],
        vec![],
    )
    .unwrap();
    let from = place("p", 112.0, -7.5);
    assert!(net.fastest(&from, Some("35"), &Target::Hub("Z")).is_none());
    assert!(net
        .fastest(&from, Some("35"), &Target::Hub("NOPE"))
        .is_none());
}

#[test]
fn links_to_unknown_hubs_are_refused() {
    let err = Network::new(
        vec![hub("A", "35", 112.0, -7.5)],
        vec![link("A", "Q", Mode::Bus, 10, 1)],
    )
    .unwrap_err();
    assert!(matches!(err, NetworkError::UnknownHub { ref unknown, .. } if unknown == "Q"));
}

#[test]
fn link_distance_is_great_circle_times_the_modes_detour() {
    let net = line();
    let hops = net
        .fastest(&place("p", 112.0, -7.5), Some("35"), &Target::Hub("B"))
        .unwrap();
    let rail = hops.iter().find(|h| h.mode == Mode::Rail).unwrap();
    let gc = great_circle_km(Point::new(112.0, -7.5), Point::new(113.0, -7.5));
    assert!((rail.distance_km - gc * RAIL_DETOUR).abs() < 0.06);
}
