//! Writes the residents `residents::check` accepted: each row an intake marked as imported,
//! its case (numbered in the UPT's regency and the year of admission), an open placement
//! since the day of admission and the case's "Diimpor saat mulai" event, all in one
//! transaction. The intake desk's 30-day limit on pick-up times (`intake::model::validate`)
//! is not met here: these people were not picked up, they were admitted long ago, and the
//! import builds its intakes itself instead of going through the desk's validation.
use std::path::Path;

use anyhow::{bail, Context};

use chrono::{DateTime, Utc};
use indicatif::ProgressBar;
use serde_json::json;
use sqlx::{PgPool, Row};

use super::residents::{check, read, region_of, Reference, Resident, WardRef};
use crate::auth::audit::Origin;
use crate::auth::model::Principal;
use crate::auth::policy::CaseScope;
use crate::cases::events::{self, Event};
use crate::cases::model::State;
use crate::clock::{day_start, local_date};
use crate::csv_lines::report;
use crate::places::Geom;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Residents written (or, with `--dry-run`, that would be).
    pub created: usize,
    /// Rows imported before: nothing is written for them.
    pub already: usize,
    /// "line N, column nik: …" lines worth a look, not errors.
    pub warnings: Vec<String>,
    pub dry_run: bool,
}

async fn reference(pool: &PgPool, codes: Vec<String>) -> sqlx::Result<Reference> {
    let upts = sqlx::query_as("SELECT code, name FROM upt")
        .fetch_all(pool)
        .await?
        .into_iter()
        .collect();
    let wards = sqlx::query(
        "SELECT id, upt_code, code, name, sex, need_code, beds - occupied - held AS free
           FROM ward ORDER BY upt_code, code",
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| WardRef {
        id: r.get("id"),
        upt: r.get("upt_code"),
        code: r.get("code"),
        name: r.get("name"),
        sex: r.get("sex"),
        need: r.get("need_code"),
        free: i64::from(r.get::<i32, _>("free")),
    })
    .collect();
    let regions = sqlx::query_as(
        "SELECT code, name FROM province WHERE code = ANY($1)
         UNION ALL SELECT code, name FROM region WHERE code = ANY($1)
         UNION ALL SELECT code, name FROM district WHERE code = ANY($1)
         UNION ALL SELECT code, name FROM village WHERE code = ANY($1)",
    )
    .bind(&codes)
    .fetch_all(pool)
    .await?
    .into_iter()
    .collect();
    // Anonymised residents have forgotten their key (see the migration that drops it).
    let imported = sqlx::query_scalar::<_, Vec<u8>>(
        "SELECT row_key FROM imported_resident WHERE row_key IS NOT NULL",
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .filter_map(|k| k.try_into().ok())
    .collect();
    Ok(Reference {
        upts,
        wards,
        regions,
        imported,
    })
}

/// `simlontar import residents FILE --as ADMIN [--dry-run]`: everything is checked first;
/// one bad cell and nothing is written.
pub async fn import(
    pool: &PgPool,
    path: &Path,
    actor: &Principal,
    dry_run: bool,
    (now, tz): (DateTime<Utc>, chrono_tz::Tz),
) -> anyhow::Result<Summary> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {name}"))?;
    let (rows, ragged) = read(&bytes).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    let codes = rows.iter().filter_map(|r| region_of(&r.cells[6])).collect();
    let r = reference(pool, codes).await?;
    let mut checked = check(&rows, &r, local_date(now, tz));
    checked.errors.extend(ragged);
    checked.errors.sort_by_key(|e| e.line);
    let warnings: Vec<String> = checked.warnings.iter().map(|w| w.to_string()).collect();
    if !checked.errors.is_empty() {
        bail!("{}", report(&name, &checked.errors));
    }
    let summary = Summary {
        created: checked.new.len(),
        already: checked.already,
        warnings,
        dry_run,
    };
    if dry_run || checked.new.is_empty() {
        return Ok(summary);
    }
    let origin = Origin {
        actor_id: Some(actor.user_id),
        ..Default::default()
    };
    let progress = ProgressBar::new(checked.new.len() as u64).with_message("residents");
    // The system's row-security scope: the administrator's right was checked above.
    let mut tx = CaseScope::system(now).begin(pool).await?;
    for resident in &checked.new {
        write(&mut tx, resident, actor, &origin, (now, tz))
            .await
            .map_err(|e| match crate::error::constraints::name(&e) {
                // Someone placed a person in the ward since the check: nothing is written.
                Some("ward_check") => anyhow::anyhow!(
                    "{name}: line {}: the ward filled up while importing; nothing written, run it again",
                    resident.line
                ),
                _ => e.into(),
            })?;
        progress.inc(1);
    }
    // Matching and the capacity figures pick the residents up like any other intake.
    crate::jobs::queue::enqueue(&mut tx, crate::jobs::queue::Work::Reintake, now).await?;
    crate::jobs::queue::enqueue(&mut tx, crate::jobs::queue::Work::Capacity, now).await?;
    tx.commit().await?;
    progress.finish_and_clear();
    Ok(summary)
}

async fn write(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    p: &Resident,
    actor: &Principal,
    origin: &Origin,
    (now, tz): (DateTime<Utc>, chrono_tz::Tz),
) -> sqlx::Result<()> {
    let since = day_start(p.admitted_on, tz);
    let upt = sqlx::query("SELECT name, region_code, location FROM upt WHERE code = $1")
        .bind(&p.upt)
        .fetch_one(&mut **tx)
        .await?;
    let location: Geom = upt.get("location");
    let region: String = upt.get("region_code");
    let birth_date = p
        .birth_year
        .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, 1, 1));
    let key = uuid::Uuid::from_slice(&p.key[..16]).expect("16 bytes");
    // Nobody picked the person up: the "pick-up" is the admission, at the UPT.
    let intake_id: i64 = sqlx::query_scalar(
        "INSERT INTO intake (idempotency_key, found_at, found_point, found_address, found_region_code,
             stated_name, name_quality, sex, birth_date, birth_date_quality, stated_home,
             home_village_code, home_region_code, home_province_code, nik, conditions, notes, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
         RETURNING id",
    )
    .bind(key)
    .bind(since)
    .bind(&location)
    .bind(upt.get::<String, _>("name"))
    .bind(&region)
    .bind(&p.name)
    .bind(if p.name.is_empty() { "unknown" } else { "full" })
    .bind(&p.sex)
    .bind(birth_date)
    .bind(if birth_date.is_some() { "year_only" } else { "unknown" })
    .bind(&p.stated_home)
    .bind(&p.home_village)
    .bind(&p.home_region)
    .bind(&p.home_province)
    .bind(&p.nik)
    .bind(&p.conditions)
    .bind(&p.notes)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let detail = json!({"via": "import", "line": p.line, "ward_id": p.ward_id});
    let case = crate::cases::create::create(
        tx,
        intake_id,
        &region,
        p.admitted_on,
        actor,
        origin,
        detail,
        since,
    )
    .await?;
    let placement_id: i64 = sqlx::query_scalar(
        "INSERT INTO placement (case_id, ward_id, started_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(case.id)
    .bind(p.ward_id)
    .bind(since)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE ot_case SET state = 'placed', updated_at = $2 WHERE id = $1")
        .bind(case.id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let event = Event {
        from: Some(State::Received),
        to: Some(State::Placed),
        ..Event::note(
            "imported",
            &p.upt,
            json!({"ward_id": p.ward_id, "placement_id": placement_id, "imported_at": now}),
        )
    };
    events::record(tx, case.id, Some(actor), &event, since).await?;
    sqlx::query(
        "INSERT INTO imported_resident (intake_id, row_key, upt_code, admitted_on, imported_at, imported_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(intake_id)
    .bind(p.key.to_vec())
    .bind(&p.upt)
    .bind(p.admitted_on)
    .bind(now)
    .bind(actor.user_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
