//! Writes generated demo cases in one transaction, in batches.
use std::collections::HashMap;

use indicatif::ProgressBar;
use sqlx::{PgPool, Postgres, QueryBuilder, Row};
use uuid::Uuid;

use anyhow::anyhow;
use serde_json::json;

use super::generate::{DemoCase, WardInfo, World};
use crate::cases::events::{self, Event};
use crate::cases::model::State;
use crate::places::Geom;

const BATCH: usize = 500;

pub async fn world(pool: &PgPool) -> sqlx::Result<World> {
    let regions = sqlx::query(
        "SELECT code, ST_X(seat_point) AS lon, ST_Y(seat_point) AS lat FROM region
         WHERE province_code = '35' ORDER BY code",
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.get("code"), r.get("lon"), r.get("lat")))
    .collect();
    let villages =
        sqlx::query_as("SELECT code, name FROM village WHERE code LIKE '35.%' ORDER BY code")
            .fetch_all(pool)
            .await?;
    let provinces = sqlx::query_as("SELECT code, name FROM province ORDER BY code")
        .fetch_all(pool)
        .await?;
    let wards = sqlx::query("SELECT id, upt_code, sex, need_code, beds FROM ward ORDER BY id")
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|r| WardInfo {
            id: r.get("id"),
            upt: r.get("upt_code"),
            sex: r.get("sex"),
            need: r.get("need_code"),
            beds: r.get("beds"),
        })
        .collect();
    Ok(World {
        regions,
        villages,
        provinces,
        wards,
    })
}

pub async fn write(pool: &PgPool, cases: &[DemoCase]) -> anyhow::Result<()> {
    let progress = ProgressBar::new(cases.len() as u64).with_message("demo cases");
    let mut tx = pool.begin().await?;
    for chunk in cases.chunks(BATCH) {
        let mut q: QueryBuilder<Postgres> = QueryBuilder::new(
            "INSERT INTO intake (idempotency_key, found_at, found_point, found_region_code, unit,
               officer_name, stated_name, aliases, name_quality, sex, birth_date, estimated_age,
               birth_date_quality, stated_home, home_village_code, home_region_code,
               home_province_code, nik, documents, conditions, created_at) ",
        );
        q.push_values(chunk, |mut b, c| {
            b.push_bind(c.key)
                .push_bind(c.found_at)
                .push_bind(Geom::point(c.found_lon, c.found_lat))
                .push_bind(&c.found_region)
                .push_bind(&c.unit)
                .push_bind(&c.officer_name)
                .push_bind(&c.stated_name)
                .push_bind(&c.aliases)
                .push_bind(c.name_quality)
                .push_bind(c.sex)
                .push_bind(c.birth_date)
                .push_bind(c.estimated_age)
                .push_bind(c.birth_date_quality)
                .push_bind(&c.stated_home)
                .push_bind(&c.home_village)
                .push_bind(&c.home_region)
                .push_bind(&c.home_province)
                .push_bind(&c.nik)
                .push_bind(&c.documents)
                .push_bind(c.conditions.clone())
                .push_bind(c.events[0].at);
        });
        q.push(" RETURNING id, idempotency_key");
        let intake_ids: HashMap<Uuid, i64> = q
            .build()
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|r| (r.get(1), r.get(0)))
            .collect();

        let mut q: QueryBuilder<Postgres> = QueryBuilder::new(
            "INSERT INTO ot_case (number, intake_id, state, opened_at, updated_at, closed_at, close_reason) ",
        );
        q.push_values(chunk, |mut b, c| {
            b.push_bind(&c.number)
                .push_bind(intake_ids[&c.key])
                .push_bind(c.state)
                .push_bind(c.events[0].at)
                .push_bind(c.events.last().unwrap().at)
                .push_bind(c.closed_at)
                .push_bind(&c.close_reason);
        });
        q.push(" RETURNING id, number");
        let case_ids: HashMap<String, i64> = q
            .build()
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|r| (r.get(1), r.get(0)))
            .collect();

        let mut events = vec![];
        for c in chunk {
            let id = case_ids[&c.number];
            for e in &c.events {
                let state = |s: &str| State::parse(s).ok_or_else(|| anyhow!("unknown state {s}"));
                events.push((
                    id,
                    e.at,
                    Event {
                        from: e.from.map(state).transpose()?,
                        to: Some(state(e.to)?),
                        ..Event::note(e.kind, &e.reason, json!({}))
                    },
                ));
            }
        }
        events::record_all(&mut tx, None, &events).await?;

        let placements: Vec<_> = chunk
            .iter()
            .filter_map(|c| c.placement.as_ref().map(|p| (case_ids[&c.number], p)))
            .collect();
        if !placements.is_empty() {
            let mut q: QueryBuilder<Postgres> = QueryBuilder::new(
                "INSERT INTO placement (case_id, ward_id, started_at, ended_at, end_reason) ",
            );
            q.push_values(&placements, |mut b, (id, p)| {
                b.push_bind(*id)
                    .push_bind(p.ward_id)
                    .push_bind(p.start)
                    .push_bind(p.end.map(|e| e.0))
                    .push_bind(p.end.map(|e| e.1));
            });
            q.build().execute(&mut *tx).await?;
        }
        let plans: Vec<_> = chunk
            .iter()
            .filter_map(|c| c.plan.as_ref().map(|p| (case_ids[&c.number], p)))
            .collect();
        if !plans.is_empty() {
            // The demo's plans carry no legs: the office and destination come from the
            // person's home, as a real plan's would.
            sqlx::query(
                "INSERT INTO transport_plan (case_id, created_at, state, legs, total_minutes, total_fare_idr,
                                             receiving_office, destination_code, departs_at)
                 SELECT v.case_id, v.decided, v.state, '[]', 0, 0,
                        coalesce('Dinas Sosial ' || r.name, 'Dinas Sosial Provinsi ' || p.name, 'Dinas Sosial'),
                        coalesce(i.home_village_code, i.home_region_code, i.home_province_code, ''), v.departs
                   FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::timestamptz[])
                        AS v(case_id, decided, state, departs)
                   JOIN ot_case c ON c.id = v.case_id JOIN intake i ON i.id = c.intake_id
                   LEFT JOIN region r ON r.code = i.home_region_code
                   LEFT JOIN province p ON p.code = i.home_province_code",
            )
            .bind(plans.iter().map(|(id, _)| *id).collect::<Vec<i64>>())
            .bind(plans.iter().map(|(_, p)| p.decided).collect::<Vec<_>>())
            .bind(plans.iter().map(|(_, p)| p.state).collect::<Vec<&str>>())
            .bind(plans.iter().map(|(_, p)| p.departs).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await?;
        }
        progress.inc(chunk.len() as u64);
    }
    sqlx::query(
        "INSERT INTO case_number_counter (region_code, year, last)
         SELECT substr(number, 4, 2) || '.' || substr(number, 6, 2), substr(number, 9, 4)::int,
                max(substr(number, 14)::int)
           FROM ot_case GROUP BY 1, 2
         ON CONFLICT (region_code, year) DO UPDATE SET last = greatest(case_number_counter.last, EXCLUDED.last)",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    progress.finish_and_clear();
    Ok(())
}
