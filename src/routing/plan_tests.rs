//! Unit tests of `plan.rs` on a small made-up network (real data: tests/it/routing.rs).
use geo::Point;

use super::*;
use crate::routing::escort::{Condition, EscortRole};
use crate::routing::network::tests::{hub, link};

/// Surabaya, Banyuwangi, two hubs in Central Java (Semarang near its capital, Rembang far
/// from it) and a port in Makassar.
fn net() -> Network {
    Network::new(
        vec![
            hub("SBY", "35", 112.75, -7.26),
            hub("BWI", "35", 114.36, -8.23),
            hub("REMBANG", "33", 111.34, -6.70),
            hub("SMG", "33", 110.43, -6.96),
            hub("MKS", "73", 119.41, -5.13),
        ],
        vec![
            link("SBY", "BWI", Mode::Rail, 390, 62_000),
            link("SBY", "BWI", Mode::Bus, 420, 90_000),
            link("SBY", "REMBANG", Mode::Bus, 200, 50_000),
            link("REMBANG", "SMG", Mode::Bus, 120, 30_000),
            link("SBY", "MKS", Mode::Ship, 1440, 350_000),
        ],
    )
    .unwrap()
}

fn banyuwangi_village() -> (Destination, Home) {
    (
        Destination {
            code: "35.10.01.2001".into(),
            kind: DestinationKind::Village,
            name: "Desa Contoh, Kec. Contoh, Kabupaten Banyuwangi".into(),
            point: Point::new(114.30, -8.30),
        },
        Home::EastJava {
            regency: Regency {
                code: "35.10".into(),
                name: "Kabupaten Banyuwangi".into(),
                dinsos_email: Some("dinsos@banyuwangikab.go.id".into()),
            },
        },
    )
}

fn input(destination: Destination, home: Home, escort: EscortNeed) -> PlanInput {
    PlanInput {
        from: Point::new(112.7521, -7.2575),
        from_province: Some("35".into()),
        destination,
        home,
        escort,
        notes: vec![],
    }
}

fn relay(home: (&str, &str), to: (&str, &str), capital: Point<f64>) -> (Destination, Home) {
    (
        Destination {
            code: home.0.into(),
            kind: DestinationKind::Province,
            name: home.1.into(),
            point: Point::new(95.32, 5.55),
        },
        Home::Relay(RelayRule {
            home_province_code: home.0.into(),
            home_province_name: home.1.into(),
            handover_province_code: to.0.into(),
            handover_province_name: to.1.into(),
            handover_capital: capital,
            home_regency: None,
            note: "test".into(),
        }),
    )
}

#[test]
fn an_east_java_home_is_handed_over_at_the_arrival_hub_to_the_regency() {
    let (d, h) = banyuwangi_village();
    let plan = build_plan(&net(), input(d, h, EscortNeed::default())).unwrap();
    let modes: Vec<_> = plan.legs.iter().map(|l| l.mode).collect();
    assert_eq!(modes, [Mode::Road, Mode::Rail, Mode::Road]);
    assert_eq!(plan.legs[0].from, PICK_UP);
    assert_eq!(plan.legs[1].fare_idr, 62_000);
    assert_eq!(plan.legs[1].office, PROVINCE_OFFICE);
    assert_eq!(plan.legs[2].office, "Dinas Sosial Kabupaten Banyuwangi");
    assert_eq!(plan.legs[2].paid_by, "APBD Kabupaten Banyuwangi");
    assert_eq!(plan.legs[2].to_code.as_deref(), Some("35.10.01.2001"));
    assert_eq!(plan.handover.office, "Dinas Sosial Kabupaten Banyuwangi");
    assert_eq!(plan.handover.at, "Hub BWI");
    assert_eq!(
        plan.handover.email.as_deref(),
        Some("dinsos@banyuwangikab.go.id")
    );
    assert_eq!(plan.escort, None);
    assert_eq!(plan.relay, None);
    assert_eq!(
        plan.total_minutes,
        plan.legs.iter().map(|l| l.minutes).sum::<u32>()
    );
    assert_eq!(
        plan.total_fare_idr,
        plan.legs.iter().map(|l| l.fare_idr).sum::<u64>()
    );
    let by_payer: u64 = plan.fare_by_payer.iter().map(|p| p.fare_idr).sum();
    assert_eq!(by_payer, plan.total_fare_idr);
}

#[test]
fn an_escort_buys_a_ticket_on_the_public_legs_only() {
    let (d, h) = banyuwangi_village();
    let alone = build_plan(&net(), input(d.clone(), h.clone(), EscortNeed::default())).unwrap();
    let need = EscortNeed {
        conditions: vec![Condition::Psychosocial],
        age: None,
    };
    let plan = build_plan(&net(), input(d, h, need)).unwrap();
    let escort = plan.escort.as_ref().unwrap();
    assert_eq!(escort.role, EscortRole::UptStaff);
    assert_eq!(escort.return_fare_idr, 62_000);
    assert_eq!(escort.return_minutes, 390);
    assert_eq!(plan.legs[1].tickets, 2);
    assert_eq!(plan.legs[1].fare_idr, 124_000);
    assert_eq!(plan.legs[0].fare_idr, alone.legs[0].fare_idr);
    assert_eq!(plan.legs[2].tickets, 1);
    assert_eq!(plan.total_fare_idr, alone.total_fare_idr + 62_000);
    assert_eq!(plan.total_minutes, alone.total_minutes);
}

#[test]
fn a_relay_ends_at_the_hub_nearest_the_handover_provinces_capital() {
    let semarang = Point::new(110.4167, -6.9667);
    let (d, h) = relay(("11", "Aceh"), ("33", "Jawa Tengah"), semarang);
    let plan = build_plan(&net(), input(d, h, EscortNeed::default())).unwrap();
    let last = plan.legs.last().unwrap();
    assert_eq!(last.to_code.as_deref(), Some("SMG"));
    assert_eq!(plan.handover.office, "Dinas Sosial Provinsi Jawa Tengah");
    assert_eq!(plan.handover.at, "Hub SMG");
    assert_eq!(plan.handover.email, None);
    assert!(plan.legs.iter().all(|l| l.office == PROVINCE_OFFICE));
    let relay = plan.relay.as_ref().unwrap();
    assert_eq!(relay.home_province_code, "11");
    assert!(relay.onward.contains("Aceh"), "{}", relay.onward);
    assert!(plan.notes.iter().any(|n| n.starts_with("Estafet")));
}

#[test]
fn a_relay_to_sulawesi_takes_the_ship() {
    let makassar = Point::new(119.4327, -5.1477);
    let (d, h) = relay(
        ("71", "Sulawesi Utara"),
        ("73", "Sulawesi Selatan"),
        makassar,
    );
    let plan = build_plan(&net(), input(d, h, EscortNeed::default())).unwrap();
    assert!(plan.legs.iter().any(|l| l.mode == Mode::Ship));
    assert_eq!(
        plan.handover.office,
        "Dinas Sosial Provinsi Sulawesi Selatan"
    );
}

#[test]
fn a_relay_to_a_province_without_hubs_is_an_error() {
    let (d, h) = relay(
        ("64", "Kalimantan Timur"),
        ("63", "Kalimantan Selatan"),
        Point::new(114.8, -3.4),
    );
    let err = build_plan(&net(), input(d, h, EscortNeed::default())).unwrap_err();
    assert_eq!(err, PlanError::NoHandoverHub("63".into()));
}

#[test]
fn a_trip_across_town_is_dinsos_jatims_by_car_to_the_door() {
    let (mut d, h) = banyuwangi_village();
    d.point = Point::new(112.70, -7.30);
    let plan = build_plan(&net(), input(d, h, EscortNeed::default())).unwrap();
    assert_eq!(plan.legs.len(), 1);
    assert_eq!(plan.legs[0].mode, Mode::Road);
    assert_eq!(plan.legs[0].office, PROVINCE_OFFICE);
    assert_eq!(plan.handover.at, plan.destination.name);
}

#[test]
fn a_relay_to_south_kalimantan_warns_when_the_person_is_unwell() {
    let banjarmasin = Point::new(114.59, -3.32);
    let net = Network::new(
        vec![
            hub("SBY", "35", 112.75, -7.26),
            hub("BJM", "63", 114.58, -3.33),
        ],
        vec![link("SBY", "BJM", Mode::Ship, 1320, 280_000)],
    )
    .unwrap();
    let warned = |conditions: Vec<Condition>| {
        let (d, h) = relay(
            ("62", "Kalimantan Tengah"),
            ("63", "Kalimantan Selatan"),
            banjarmasin,
        );
        let need = EscortNeed {
            conditions,
            age: None,
        };
        let plan = build_plan(&net, input(d, h, need)).unwrap();
        plan.notes
            .iter()
            .any(|n| n.contains("Kalimantan Selatan hanya"))
    };
    assert!(warned(vec![Condition::Psychosocial]));
    assert!(warned(vec![Condition::Sick]));
    assert!(!warned(vec![Condition::Elderly]));
    assert!(!warned(vec![]));
}
