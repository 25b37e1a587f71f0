//! Is a new intake someone picked up before? After an intake is saved, the linkage engine
//! compares it with every earlier intake: weights learned from the intakes themselves (no
//! labels), each candidate explained field by field. Near-certain pairs are linked at once
//! (an event on the new case); likely ones wait in the review queue; a pair once marked
//! as two different people is never proposed again.
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::{PgPool, Row};

use super::links::Contribution;
use crate::auth::policy::CaseScope;
use crate::linkage::block::Mode;
use crate::linkage::link;
use crate::linkage::person::{self, Birth, PersonRecord};
use crate::linkage::table::Table;

/// Below this many intakes there is too little to learn weights from.
pub const MIN_INTAKES: usize = 200;
/// Pairs this probable are linked without review.
pub const ACCEPT: f64 = 0.99;
/// Pairs at least this probable go to the review queue.
pub const REVIEW: f64 = 0.5;

fn record(r: &sqlx::postgres::PgRow) -> PersonRecord {
    let quality: String = r.get("birth_date_quality");
    let born: Option<NaiveDate> = r.get("birth_date");
    let age: Option<i16> = r.get("estimated_age");
    let found: DateTime<Utc> = r.get("found_at");
    let birth = match (quality.as_str(), born, age) {
        ("exact", Some(d), _) => Birth::Exact(d),
        ("year_only", Some(d), _) => Birth::Year(chrono::Datelike::year(&d)),
        (_, _, Some(a)) => Birth::EstimatedAge {
            age: a.max(0) as u32,
            on: found.date_naive(),
        },
        _ => Birth::Unknown,
    };
    let name_quality: String = r.get("name_quality");
    let name: String = r.get("stated_name");
    PersonRecord {
        id: r.get::<i64, _>("id").to_string(),
        // An unknown name is missing, not the empty string.
        name: Some(name).filter(|n| name_quality != "unknown" && !n.trim().is_empty()),
        birth,
        female: match r.get::<String, _>("sex").as_str() {
            "female" => Some(true),
            "male" => Some(false),
            _ => None,
        },
        nik: r.get("nik"),
        region_code: r
            .get::<Option<String>, _>("home_village_code")
            .or(r.get("home_region_code")),
        mother_name: None,
    }
}

const INTAKES: &str = "SELECT id, stated_name, name_quality, birth_date, birth_date_quality,
        estimated_age, found_at, sex, nik, home_village_code, home_region_code,
        linkage_checked_at IS NULL AS pending
   FROM intake ORDER BY id";

/// Every intake as a person record, in a table for the engine (inside a scoped
/// transaction: the system's, for matching).
pub async fn intake_table(tx: &mut sqlx::Transaction<'_, sqlx::Postgres>) -> sqlx::Result<Table> {
    let rows = sqlx::query(INTAKES).fetch_all(&mut **tx).await?;
    let mut table = Table::new(person::schema());
    for r in &rows {
        let p = record(r);
        let cells = p.cells();
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        table.push(p.id.clone(), &cells);
    }
    Ok(table)
}

/// Compares every intake not yet checked with all the others, in one training run, and
/// writes the links. Returns how many intakes were checked. Safe to call from two app
/// instances at once (the second finds the work taken and returns 0).
pub async fn run_pending(pool: &PgPool, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut tx = CaseScope::system(now).begin(pool).await?;
    let mine: bool =
        sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(hashtext('simlontar reintake'))")
            .fetch_one(&mut *tx)
            .await?;
    if !mine {
        return Ok(0);
    }
    let rows = sqlx::query(INTAKES).fetch_all(&mut *tx).await?;
    let pending: Vec<i64> = rows
        .iter()
        .filter(|r| r.get::<bool, _>("pending"))
        .map(|r| r.get("id"))
        .collect();
    if pending.is_empty() || rows.len() < MIN_INTAKES {
        return Ok(0);
    }
    let mut table = Table::new(person::schema());
    let mut is_pending = vec![];
    for r in &rows {
        let p = record(r);
        let cells = p.cells();
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        is_pending.push(r.get::<bool, _>("pending"));
        table.push(p.id.clone(), &cells);
    }
    // Training and scoring are CPU work: off the async workers.
    let found = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let linkage = link::run(&table, Mode::Dedupe)?;
        let scorer = linkage.scorer(&table);
        let prior = linkage.model.prior_weight();
        let out: Vec<(i64, i64, f64, Vec<Contribution>)> = (linkage.candidates.iter())
            .zip(&linkage.probabilities)
            .filter(|(_, p)| **p >= REVIEW)
            .filter_map(|(c, _)| {
                let (i, j) = link::unpack(*c);
                // The newer record is the one asked about; pairs of two checked records
                // were settled before.
                let (new, old) = match (is_pending[i], is_pending[j]) {
                    (false, false) => return None,
                    _ if i > j => (i, j),
                    _ => (j, i),
                };
                let e = scorer.explain(&table, table.row(new), table.row(old), prior);
                let contributions = (e.contributions.iter())
                    .filter(|c| c.level.is_some())
                    .map(|c| Contribution {
                        field: c.field.clone(),
                        weight: c.log2_bf,
                        note: c.label.to_string(),
                    })
                    .collect();
                Some((
                    table.ids[new].parse().ok()?,
                    table.ids[old].parse().ok()?,
                    e.probability,
                    contributions,
                ))
            })
            .collect();
        Ok(out)
    })
    .await??;
    for (new, old, probability, contributions) in found {
        write_link(&mut tx, new, old, probability, &contributions, now).await?;
    }
    sqlx::query("UPDATE intake SET linkage_checked_at = $2 WHERE id = ANY($1)")
        .bind(&pending)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(pending.len())
}

async fn write_link(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    new: i64,
    old: i64,
    probability: f64,
    contributions: &[Contribution],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let state = if probability >= ACCEPT {
        "accepted"
    } else {
        "candidate"
    };
    let written: Option<String> = sqlx::query_scalar(
        "INSERT INTO record_link (left_kind, left_id, right_kind, right_id, state, probability,
                                  contributions, created_at, decided_at)
         VALUES ('intake', $1, 'intake', $2, $3, $4, $5, $6, CASE WHEN $3 = 'accepted' THEN $6 END)
         ON CONFLICT (left_kind, left_id, right_kind, right_id) DO NOTHING
         RETURNING state",
    )
    .bind(old.min(new))
    .bind(old.max(new))
    .bind(state)
    .bind(probability)
    .bind(json!(contributions))
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    // A pair decided before (perhaps as two different people) is left alone.
    if written.as_deref() == Some("accepted") {
        sqlx::query(
            "INSERT INTO case_event (case_id, at, kind, reason, detail)
             SELECT c.id, $2, 'reintake_linked', 'picked up before: ' || e.number, $3
               FROM ot_case c, ot_case e WHERE c.intake_id = $1 AND e.intake_id = $4",
        )
        .bind(new)
        .bind(now)
        .bind(json!({"probability": probability}))
        .bind(old)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Matches new intakes in the background after they are saved, without holding up the
/// desk. One run at a time in this process; it goes on while intakes keep arriving. A
/// failure is logged and the next run (or the nightly one) picks the intakes up.
pub fn spawn(pool: PgPool, now: DateTime<Utc>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    static RUNNING: AtomicBool = AtomicBool::new(false);
    if RUNNING.swap(true, Ordering::AcqRel) {
        return;
    }
    tokio::spawn(async move {
        loop {
            match run_pending(&pool, now).await {
                Ok(0) => break,
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(error = format!("{e:#}"), "re-intake matching failed");
                    break;
                }
            }
        }
        RUNNING.store(false, Ordering::Release);
    });
}
