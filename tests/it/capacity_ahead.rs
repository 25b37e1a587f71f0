//! What the live forecast knows before an admission happens (issue 28): the raid
//! calendar, people referred or picked up and not yet placed, the waiting list, and the
//! day a plan home takes a resident away. Each moves the stored forecast of a ward; the
//! same ward and day give the same random draws, so the comparisons are exact.
use chrono::Duration;
use serde_json::Value;
use sqlx::PgPool;

use crate::common::{app_pool, case_fixture, load_geo, now, settings};
use simlontar::capacity::{evaluate, raids};

/// The one ward for women with no other need (RSBKW Kediri's), with `beds` beds, `residents`
/// people in it, and `past` stays of 10 days each over the last 200 days (its demand).
async fn women_ward(owner: &PgPool, beds: i32, residents: usize, past: usize) -> i64 {
    let ward: i64 = sqlx::query_scalar(
        "UPDATE ward SET beds = $1 WHERE need_code = 'women' AND sex = 'female' RETURNING id",
    )
    .bind(beds)
    .fetch_one(owner)
    .await
    .unwrap();
    for i in 0..past {
        let started = now() - Duration::days(200 - (i as i64 * 200 / past as i64));
        let case = person(owner, 700 + i).await;
        sqlx::query(
            "INSERT INTO placement (case_id, ward_id, started_at, ended_at, end_reason) VALUES ($1, $2, $3, $4, 'family')",
        )
        .bind(case)
        .bind(ward)
        .bind(started)
        .bind(started + Duration::days(10))
        .execute(owner)
        .await
        .unwrap();
        sqlx::query("UPDATE ot_case SET state = 'discharged', closed_at = $2 WHERE id = $1")
            .bind(case)
            .bind(started + Duration::days(10))
            .execute(owner)
            .await
            .unwrap();
    }
    for i in 0..residents {
        let case = person(owner, 800 + i).await;
        sqlx::query("INSERT INTO placement (case_id, ward_id, started_at) VALUES ($1, $2, $3)")
            .bind(case)
            .bind(ward)
            .bind(now() - Duration::days(3 * i as i64 + 1))
            .execute(owner)
            .await
            .unwrap();
        sqlx::query("UPDATE ot_case SET state = 'placed' WHERE id = $1")
            .bind(case)
            .execute(owner)
            .await
            .unwrap();
    }
    ward
}

/// A woman of 40 with no other need, just picked up (her case is `received`).
async fn person(owner: &PgPool, n: usize) -> i64 {
    case_fixture(
        owner,
        &format!("OT-3571-2026-{n:06}"),
        "35.71",
        Some("35.10"),
        "Siti",
        None,
    )
    .await
}

/// Evaluates the ward now and returns its newest stored forecast: p7, p14 and the expected
/// free beds of each day ahead.
async fn forecast(owner: &PgPool, ward: i64) -> (f64, f64, Vec<f64>) {
    let pool = app_pool(owner).await;
    evaluate::run(&pool, &settings(), Some(ward), now())
        .await
        .unwrap();
    let (p7, p14, daily): (f64, f64, Value) = sqlx::query_as(
        "SELECT p7, p14, daily FROM capacity_forecast WHERE ward_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(ward)
    .fetch_one(owner)
    .await
    .unwrap();
    let free = (daily.as_array().unwrap().iter())
        .map(|d| d["free"].as_f64().unwrap())
        .collect();
    (p7, p14, free)
}

#[sqlx::test]
async fn a_raid_announced_for_the_ward_s_need_raises_its_forecast(owner: PgPool) {
    load_geo(&owner).await;
    let ward = women_ward(&owner, 12, 7, 40).await;
    let (_, before, _) = forecast(&owner, ward).await;
    // An operation for another need changes nothing for this ward.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("raids.csv");
    let today = now().date_naive();
    let rows = |need: &str, factor: &str| {
        format!(
            "mulai,selesai,faktor,kebutuhan,catatan\n{},{},{factor},{need},Operasi Pekat\n",
            today + Duration::days(2),
            today + Duration::days(20)
        )
    };
    std::fs::write(&file, rows("Disabilitas mental (ODGJ)", "4")).unwrap();
    assert_eq!(raids::load_path(&owner, &file, now()).await.unwrap(), 1);
    let (_, other, _) = forecast(&owner, ward).await;
    assert_eq!(other, before);
    // The same dates for women: demand at four times the usual for two weeks and a half.
    std::fs::write(&file, rows("Perempuan rentan", "4")).unwrap();
    raids::load_path(&owner, &file, now()).await.unwrap();
    let (_, after, _) = forecast(&owner, ward).await;
    assert!(after > before + 0.15, "p14 {before} → {after}");
    // The file is the whole calendar: loading it again with a factor of 1 undoes the raid,
    // and the other operation, no longer in the file, is gone.
    std::fs::write(&file, rows("Perempuan rentan", "1")).unwrap();
    raids::load_path(&owner, &file, now()).await.unwrap();
    let stored = raids::calendar(&owner).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (stored[0].need_code.as_deref(), stored[0].factor),
        (Some("women"), 1.0)
    );
    let (_, undone, _) = forecast(&owner, ward).await;
    assert!((undone - before).abs() < 0.05, "{before} vs {undone}");
}

#[sqlx::test]
async fn a_bad_raid_calendar_loads_nothing_and_names_the_line(owner: PgPool) {
    load_geo(&owner).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("raids.csv");
    std::fs::write(&file, "mulai,selesai,faktor\n2027-08-01,2027-08-16,1.8\n").unwrap();
    raids::load_path(&owner, &file, now()).await.unwrap();
    std::fs::write(
        &file,
        "mulai,selesai,faktor\n2027-02-10,2027-03-01,2.5\n2027-12-10,2027-12-23,banyak\n",
    )
    .unwrap();
    let err = raids::load_path(&owner, &file, now()).await.unwrap_err();
    assert!(err.to_string().contains("baris 3, kolom faktor"), "{err}");
    // The calendar loaded before is untouched.
    let stored = raids::calendar(&owner).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].starts_on.to_string(), "2027-08-01");
}

#[sqlx::test]
async fn people_picked_up_and_referred_but_not_placed_raise_the_forecast(owner: PgPool) {
    load_geo(&owner).await;
    let ward = women_ward(&owner, 10, 8, 10).await;
    let (quiet, _, _) = forecast(&owner, ward).await;
    // Three women picked up today, not yet routed: each may come to the one ward for them.
    let mut cases = Vec::new();
    for i in 0..3 {
        cases.push(person(&owner, 900 + i).await);
    }
    let (picked_up, _, _) = forecast(&owner, ward).await;
    assert!(picked_up > quiet + 0.05, "p7 {quiet} → {picked_up}");
    // Referred to the ward's UPT: they are all but certain to come, within days.
    for &c in &cases {
        sqlx::query(
            "INSERT INTO referral (case_id, upt_code, referred_at) SELECT $1, upt_code, $3 FROM ward WHERE id = $2",
        )
        .bind(c)
        .bind(ward)
        .bind(now())
        .execute(&owner)
        .await
        .unwrap();
    }
    let (referred, _, _) = forecast(&owner, ward).await;
    assert!(
        referred > picked_up + 0.2 && referred > 0.8,
        "p7 {picked_up} → {referred}"
    );
    // Once they are routed home instead, they are no longer expected.
    for &c in &cases {
        sqlx::query("UPDATE referral SET ended_at = $2, end_reason = 'home' WHERE case_id = $1")
            .bind(c)
            .bind(now())
            .execute(&owner)
            .await
            .unwrap();
        sqlx::query("UPDATE ot_case SET state = 'routed_home' WHERE id = $1")
            .bind(c)
            .execute(&owner)
            .await
            .unwrap();
    }
    let (home, _, _) = forecast(&owner, ward).await;
    assert_eq!(home, quiet);
}

#[sqlx::test]
async fn the_waiting_list_arrives_tomorrow(owner: PgPool) {
    load_geo(&owner).await;
    let ward = women_ward(&owner, 10, 8, 10).await;
    let (before, _, _) = forecast(&owner, ward).await;
    for i in 0..2 {
        let c = person(&owner, 950 + i).await;
        sqlx::query(
            "INSERT INTO waiting_list (case_id, need_code, sex, since) VALUES ($1, 'women', 'female', $2)",
        )
        .bind(c)
        .bind(now())
        .execute(&owner)
        .await
        .unwrap();
    }
    let (after, _, free) = forecast(&owner, ward).await;
    assert!(before < 0.5 && after > 0.95, "p7 {before} → {after}");
    assert!(free[0] < 0.2, "{free:?}");
}

#[sqlx::test]
async fn a_plan_home_frees_its_bed_on_the_day_it_departs(owner: PgPool) {
    load_geo(&owner).await;
    let ward = women_ward(&owner, 10, 9, 10).await;
    let leaving: Vec<i64> = sqlx::query_scalar(
        "SELECT case_id FROM placement WHERE ward_id = $1 AND ended_at IS NULL ORDER BY started_at LIMIT 3",
    )
    .bind(ward)
    .fetch_all(&owner)
    .await
    .unwrap();
    let (_, _, without) = forecast(&owner, ward).await;
    for &c in &leaving {
        sqlx::query(
            "INSERT INTO transport_plan (case_id, created_at, state, legs, total_minutes, total_fare_idr, receiving_office, departs_at)
             VALUES ($1, $2, 'accepted', '[]', 300, 150000, 'Dinsos Banyuwangi', $3)",
        )
        .bind(c)
        .bind(now())
        .bind(now() + Duration::days(12))
        .execute(&owner)
        .await
        .unwrap();
    }
    let (_, _, with) = forecast(&owner, ward).await;
    // Day 12 (index 11): the three (who have stayed longer than anyone before, so would
    // hardly leave otherwise) leave that day, not before.
    assert!(with[11] - with[10] > 2.5, "{with:?}");
    assert!(with[11] - without[11] > 1.5, "{with:?}\n{without:?}");
    // A plan without a departure time: within two days, as before.
    sqlx::query("UPDATE transport_plan SET departs_at = NULL")
        .execute(&owner)
        .await
        .unwrap();
    let (_, _, soon) = forecast(&owner, ward).await;
    assert!(soon[1] - without[1] > 2.5, "{soon:?}\n{without:?}");
}
