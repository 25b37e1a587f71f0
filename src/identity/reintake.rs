//! Is a new intake someone picked up before? After an intake is saved, the linkage engine
//! compares it with every earlier intake: weights learned from the intakes themselves (no
//! labels), each candidate explained field by field. Near-certain pairs are linked at once
//! (an event on the new case); likely ones wait in the review queue; a pair once marked
//! as two different people is never proposed again.
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::{PgPool, Row};

use super::links::{self, Contribution};
use crate::auth::policy::CaseScope;
use crate::cases::events::{self, Event};
use crate::linkage::block::Mode;
use crate::linkage::link;
use crate::linkage::person::{self, Birth, PersonRecord};
use crate::linkage::record::Source;
use crate::linkage::register::Register;
use crate::linkage::table::Table;

/// Below this many intakes there is too little to learn weights from.
pub const MIN_INTAKES: usize = 200;
/// How probable a pair must be to be linked without review, and to be reviewed at all
/// (settings `reintake_accept`, `reintake_review`), and the zone pick-up days are counted
/// in (`time_zone`: an estimated age is an age on that day).
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    pub accept: f64,
    pub review: f64,
    pub tz: chrono_tz::Tz,
}

impl Thresholds {
    pub fn of(s: &crate::config::Settings) -> Thresholds {
        Thresholds {
            accept: s.reintake_accept,
            review: s.reintake_review,
            tz: s.time_zone,
        }
    }
}

fn record(r: &sqlx::postgres::PgRow) -> PersonRecord {
    let quality: String = r.get("birth_date_quality");
    let born: Option<NaiveDate> = r.get("birth_date");
    let age: Option<i16> = r.get("estimated_age");
    let birth = match (quality.as_str(), born, age) {
        ("exact", Some(d), _) => Birth::Exact(d),
        ("year_only", Some(d), _) => Birth::Year(chrono::Datelike::year(&d)),
        (_, _, Some(a)) => Birth::EstimatedAge {
            age: a.max(0) as u32,
            on: r.get("found_on"),
        },
        _ => Birth::Unknown,
    };
    let name_quality: String = r.get("name_quality");
    let name: String = r.get("stated_name");
    // A NIK typed at the desk may carry a slip, perhaps from a worn KTP; once DP3AK has
    // identified the person, their NIK is verified.
    let (nik, source) = match r.get::<Option<String>, _>("verified_nik") {
        Some(nik) => (Some(nik), Source::Verified),
        None => (r.get("nik"), Source::Typed),
    };
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
        nik,
        // As far as the home is known; never the place of pick-up.
        region_code: r
            .get::<Option<String>, _>("home_village_code")
            .or(r.get("home_region_code"))
            .or(r.get("home_province_code")),
        mother_name: None,
        source,
    }
}

// Anonymised intakes are nobody any more: never a candidate for a link. The NIK of an
// accepted DP3AK identity (the newest) is the intake's verified NIK.
const INTAKES: &str =
    "SELECT i.id, i.stated_name, i.name_quality, i.birth_date, i.birth_date_quality,
        i.estimated_age, (i.found_at AT TIME ZONE $1)::date AS found_on, i.sex, i.nik, i.home_village_code, i.home_region_code,
        i.home_province_code, v.nik AS verified_nik, i.linkage_checked_at IS NULL AS pending
   FROM intake i
   LEFT JOIN LATERAL (
        SELECT k.nik FROM record_link l JOIN identity_check k ON k.id = l.left_id
         WHERE l.left_kind = 'check' AND l.right_kind = 'intake' AND l.right_id = i.id
           AND l.state = 'accepted' AND k.nik IS NOT NULL
         ORDER BY l.decided_at DESC LIMIT 1) v ON true
  WHERE i.anonymised_at IS NULL ORDER BY i.id";

/// Every intake as a person record, in a table for the engine (inside a scoped
/// transaction: the system's, for matching); pick-up days in zone `tz`.
pub async fn intake_table(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    tz: chrono_tz::Tz,
) -> sqlx::Result<Table> {
    let rows = sqlx::query(INTAKES)
        .bind(crate::clock::zone(tz))
        .fetch_all(&mut **tx)
        .await?;
    Ok(table_of(&rows))
}

fn table_of(rows: &[sqlx::postgres::PgRow]) -> Table {
    let mut table = Table::new(person::schema());
    for r in rows {
        record(r).push_into(&mut table);
    }
    table
}

/// The model trained on all intakes, reused for a day: retraining on every run cost
/// seconds of CPU at 100 000 intakes (the intake benchmark's p99 went from 5 to 155 ms).
/// Kept per database.
type Trained = (crate::linkage::em::Model, f64, DateTime<Utc>);
static MODELS: std::sync::Mutex<Vec<(String, Trained)>> = std::sync::Mutex::new(Vec::new());
const RETRAIN_AFTER: chrono::Duration = chrono::Duration::hours(24);

/// A register of `table` for look-ups, scored with the database's model of the day.
pub fn register_for(db: &str, table: Table, now: DateTime<Utc>) -> anyhow::Result<Register> {
    let (model, per_record) = model_for(db, &table, now)?;
    Ok(Register::new(table, model, per_record))
}

pub fn database(pool: &PgPool) -> String {
    let o = pool.connect_options();
    format!(
        "{}:{}/{}",
        o.get_host(),
        o.get_port(),
        o.get_database().unwrap_or("")
    )
}

fn model_for(
    db: &str,
    table: &Table,
    now: DateTime<Utc>,
) -> anyhow::Result<(crate::linkage::em::Model, f64)> {
    let mut models = MODELS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, (model, per_record, at))) = models.iter().find(|(d, _)| d == db) {
        if now >= *at && now - *at < RETRAIN_AFTER {
            return Ok((model.clone(), *per_record));
        }
    }
    let linkage = link::run(table, Mode::Dedupe)?;
    let per_record = linkage.matches_per_record(table);
    models.retain(|(d, _)| d != db);
    models.push((db.to_string(), (linkage.model.clone(), per_record, now)));
    Ok((linkage.model, per_record))
}

/// Compares every intake not yet checked with all the others and writes the links.
/// Returns how many intakes were checked. Safe to call from two app instances at once:
/// the second waits for the first, then finds its intakes checked (so a queued request,
/// `jobs::queue`, is never answered by a run that did not look).
pub async fn run_pending(
    pool: &PgPool,
    t: Thresholds,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let mut tx = CaseScope::system(now).begin(pool).await?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('simlontar reintake'))")
        .execute(&mut *tx)
        .await?;
    let rows = sqlx::query(INTAKES)
        .bind(crate::clock::zone(t.tz))
        .fetch_all(&mut *tx)
        .await?;
    let pending: Vec<i64> = rows
        .iter()
        .filter(|r| r.get::<bool, _>("pending"))
        .map(|r| r.get("id"))
        .collect();
    if pending.is_empty() || rows.len() < MIN_INTAKES {
        return Ok(0);
    }
    let table = table_of(&rows);
    let asks: Vec<PersonRecord> = (rows.iter())
        .filter(|r| r.get::<bool, _>("pending"))
        .map(record)
        .collect();
    // Training (rarely) and look-ups are CPU work: off the async workers.
    let db = database(pool);
    let found = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let register = register_for(&db, table, now)?;
        let mut out: Vec<(i64, i64, f64, Vec<Contribution>)> = vec![];
        for p in &asks {
            let Ok(me) = p.id.parse::<i64>() else {
                continue;
            };
            for c in register.match_person(p, t.review) {
                let Ok(other) = c.id.parse::<i64>() else {
                    continue;
                };
                if other == me {
                    continue;
                }
                let contributions = links::from_engine(&c.explanation);
                out.push((me, other, c.probability, contributions));
            }
        }
        Ok(out)
    })
    .await??;
    for (new, old, probability, contributions) in found {
        let state = if probability >= t.accept {
            "accepted"
        } else {
            "candidate"
        };
        write_link(&mut tx, (new, old), state, probability, &contributions, now).await?;
    }
    sqlx::query("UPDATE intake SET linkage_checked_at = $2 WHERE id = ANY($1)")
        .bind(&pending)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(pending.len())
}

/// A repeat pick-up, once linked (at once or after review): both cases say so, each
/// naming the other, and a pick-up within a year of the earlier case's hand-over is marked
/// as such (`soon_after_handover`) — the person went home and is back on the street.
pub async fn flag_repeat(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    (old, new): (i64, i64),
    probability: f64,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let pair: Option<(i64, String, i64, String, bool)> = sqlx::query_as(
        "SELECT n.id, n.number, o.id, o.number,
                coalesce((SELECT bool_or(h.received_at <= ni.found_at
                                         AND ni.found_at < h.received_at + interval '12 months')
                            FROM handover_notice h WHERE h.case_id = o.id), false)
           FROM ot_case n JOIN intake ni ON ni.id = n.intake_id, ot_case o
          WHERE n.intake_id = $1 AND o.intake_id = $2",
    )
    .bind(new)
    .bind(old)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((new_case, new_number, old_case, old_number, soon)) = pair else {
        return Ok(());
    };
    let detail = json!({"probability": probability, "soon_after_handover": soon});
    let before = format!("picked up before: {old_number}");
    let again = format!("picked up again: {new_number}");
    events::record_all(
        tx,
        None,
        &[
            (
                new_case,
                now,
                Event::note("reintake_linked", &before, detail.clone()),
            ),
            (
                old_case,
                now,
                Event::note("picked_up_again", &again, detail),
            ),
        ],
    )
    .await
}

async fn write_link(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    (asked, found): (i64, i64),
    state: &str,
    probability: f64,
    contributions: &[Contribution],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    // The later intake is the repeat pick-up, whichever of two new intakes asked first.
    let (old, new) = (asked.min(found), asked.max(found));
    let written: Option<String> = sqlx::query_scalar(
        "INSERT INTO record_link (left_kind, left_id, right_kind, right_id, state, probability,
                                  contributions, created_at, decided_at)
         VALUES ('intake', $1, 'intake', $2, $3, $4, $5, $6, CASE WHEN $3 = 'accepted' THEN $6 END)
         ON CONFLICT (left_kind, left_id, right_kind, right_id) DO NOTHING
         RETURNING state",
    )
    .bind(old)
    .bind(new)
    .bind(state)
    .bind(probability)
    .bind(json!(contributions))
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    // A pair decided before (perhaps as two different people) is left alone.
    if written.as_deref() == Some("accepted") {
        flag_repeat(tx, (old, new), probability, now).await?;
    }
    Ok(())
}
