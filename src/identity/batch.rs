//! `simlontar identity import-checks`: DP3AK's results as a CSV file, recorded on behalf of
//! a DP3AK user. A row that names its case is recorded as the desk would; a match without
//! a case is looked for among the intakes by the linkage engine, and what it finds goes to
//! the review queue. Each row's key is derived from its content, so importing the same
//! file twice records nothing new.
use std::path::Path;

use anyhow::{bail, Context};
use chrono::{DateTime, NaiveDate, Utc};
use indicatif::ProgressBar;
use sha2::{Digest, Sha256};
use sqlx::{PgPool, Row};

use super::check::{validate, CheckRequest, RegistryIdentity};
use super::links::{self, Contribution};
use super::reintake::{database, intake_table, register_for, MIN_INTAKES};
use super::store::{self, Arrival};
use crate::auth::audit::Origin;
use crate::auth::model::Principal;
use crate::auth::policy::CaseScope;
use crate::csv_lines::Lines;
use crate::linkage::person::{Birth, PersonRecord};
use crate::linkage::record::Source;
use simlontar_templates::Lang;

const COLUMNS: [&str; 15] = [
    "case_number",
    "method",
    "requested_at",
    "completed_at",
    "outcome",
    "score",
    "nik",
    "name",
    "birth_date",
    "birth_place",
    "sex",
    "address",
    "village_code",
    "kk_number",
    "mother_name",
];

#[derive(Debug, Default, PartialEq, Eq)]
pub struct BatchSummary {
    pub recorded: usize,
    pub repeated: usize,
    /// Matches without a case for which the engine proposed intakes to review.
    pub proposed: usize,
    /// Matches without a case that resemble no intake.
    pub unplaced: usize,
}

fn request(cells: &[&str; 15], line: u64) -> anyhow::Result<CheckRequest> {
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let time = |col: &str, s: &str| -> anyhow::Result<Option<DateTime<Utc>>> {
        opt(s)
            .map(|v| {
                DateTime::parse_from_rfc3339(&v)
                    .map(|t| t.with_timezone(&Utc))
                    .with_context(|| {
                        format!("line {line}, column {col}: `{v}` is not an RFC 3339 time")
                    })
            })
            .transpose()
    };
    let score = opt(cells[5])
        .map(|v| {
            v.parse::<f32>()
                .with_context(|| format!("line {line}, column score: `{v}` is not a number"))
        })
        .transpose()?;
    let birth_date = opt(cells[8])
        .map(|v| {
            NaiveDate::parse_from_str(&v, "%Y-%m-%d").with_context(|| {
                format!("line {line}, column birth_date: `{v}` is not a date (YYYY-MM-DD)")
            })
        })
        .transpose()?;
    let outcome = cells[4].trim().to_string();
    Ok(CheckRequest {
        case_number: opt(cells[0]),
        method: cells[1].trim().to_string(),
        requested_at: time("requested_at", cells[2])?
            .with_context(|| format!("line {line}, column requested_at: empty"))?,
        completed_at: time("completed_at", cells[3])?,
        identity: (outcome == "matched").then(|| RegistryIdentity {
            nik: cells[6].trim().to_string(),
            name: cells[7].trim().to_string(),
            birth_date,
            birth_place: cells[9].trim().to_string(),
            sex: super::registry::sex_of(cells[10])
                .flatten()
                .unwrap_or_default(),
            address: cells[11].trim().to_string(),
            village_code: opt(cells[12]),
            kk_number: opt(cells[13]),
            mother_name: cells[14].trim().to_string(),
        }),
        outcome,
        score,
    })
}

/// Reads and checks the whole file first: one bad row, and nothing is recorded.
fn read(path: &Path, now: DateTime<Utc>) -> anyhow::Result<Vec<(uuid::Uuid, CheckRequest)>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse(&bytes, &path.display().to_string(), now)
}

/// The checked rows of a file's content, each with its key; `name` is used in messages.
pub fn parse(
    bytes: &[u8],
    name: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<(uuid::Uuid, CheckRequest)>> {
    let lines = Lines::of(bytes);
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| anyhow::anyhow!("{name}: {}", lines.describe(&e)))?
        .clone();
    let mut at = [0usize; 15];
    for (i, c) in COLUMNS.iter().enumerate() {
        at[i] = header
            .iter()
            .position(|h| h.trim() == *c)
            .with_context(|| format!("{}: line 1: column `{c}` is missing", name))?;
    }
    let mut out = vec![];
    for record in reader.records() {
        let record = record.map_err(|e| anyhow::anyhow!("{name}: {}", lines.describe(&e)))?;
        // The record's own first line: a quoted cell may span several.
        let line = lines.of_record(&record);
        let cells: [&str; 15] = std::array::from_fn(|i| record.get(at[i]).unwrap_or(""));
        let req = request(&cells, line).with_context(|| name.to_string())?;
        if let Err(errors) = validate(&req, now, Lang::En) {
            let e = &errors[0];
            bail!("{}: line {line}, column {}: {}", name, e.field, e.message);
        }
        let digest = Sha256::digest(cells.join("\u{1f}").as_bytes());
        let key = uuid::Uuid::from_slice(&digest[..16]).expect("16 bytes");
        out.push((key, req));
    }
    Ok(out)
}

pub async fn import(
    pool: &PgPool,
    path: &Path,
    officer: &Principal,
    (accept_score, review, tz): (f32, f64, chrono_tz::Tz),
    now: DateTime<Utc>,
) -> anyhow::Result<BatchSummary> {
    let rows = read(path, now)?;
    let origin = Origin {
        actor_id: Some(officer.user_id),
        ..Default::default()
    };
    let mut summary = BatchSummary::default();
    let mut unplaced_matches = vec![];
    let progress = ProgressBar::new(rows.len() as u64).with_message("check results");
    for (key, req) in &rows {
        let check =
            validate(req, now, Lang::En).map_err(|e| anyhow::anyhow!("{}", e[0].message))?;
        let arrival = Arrival {
            key: *key,
            source: "batch",
            accept_score,
            tz,
        };
        let done = store::record(pool, officer, &origin, &check, &arrival, now)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if done.created {
            summary.recorded += 1;
            if check.case_number.is_none() && check.outcome == "matched" {
                unplaced_matches.push(done.check_id);
            }
        } else {
            summary.repeated += 1;
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    let (proposed, unplaced) = place(pool, &unplaced_matches, review, tz, now).await?;
    summary.proposed = proposed;
    summary.unplaced = unplaced;
    Ok(summary)
}

/// Finds the intakes that matched checks without a case may belong to. Every candidate
/// goes to the review queue: a name and a birth date are not proof enough to identify
/// someone without a person looking.
pub(crate) async fn place(
    pool: &PgPool,
    checks: &[i64],
    review: f64,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> anyhow::Result<(usize, usize)> {
    if checks.is_empty() {
        return Ok((0, 0));
    }
    let mut tx = CaseScope::system(now).begin(pool).await?;
    let table = intake_table(&mut tx, tz).await?;
    if table.len() < MIN_INTAKES {
        return Ok((0, checks.len()));
    }
    let people = sqlx::query(
        "SELECT id, name, birth_date, sex, nik, village_code, mother_name, score
           FROM identity_check WHERE id = ANY($1) ORDER BY id",
    )
    .bind(checks)
    .fetch_all(&mut *tx)
    .await?;
    let db = database(pool);
    let found = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let register = register_for(&db, table, now)?;
        Ok(people
            .iter()
            .map(|r| {
                let p = PersonRecord {
                    id: r.get::<i64, _>("id").to_string(),
                    name: r.get("name"),
                    birth: r
                        .get::<Option<NaiveDate>, _>("birth_date")
                        .map_or(Birth::Unknown, Birth::Exact),
                    female: r.get::<Option<String>, _>("sex").map(|s| s == "female"),
                    nik: r.get("nik"),
                    region_code: r.get("village_code"),
                    mother_name: r.get("mother_name"),
                    // DP3AK matched the person (fingerprint, iris, face): a verified NIK.
                    source: Source::Verified,
                };
                let candidates: Vec<(i64, f64, Vec<Contribution>)> = register
                    .match_person(&p, review)
                    .into_iter()
                    .take(3)
                    .filter_map(|c| {
                        let contributions = links::from_engine(&c.explanation);
                        Some((c.id.parse().ok()?, c.probability, contributions))
                    })
                    .collect();
                (r.get::<i64, _>("id"), candidates)
            })
            .collect::<Vec<_>>())
    })
    .await??;
    let (mut proposed, mut unplaced) = (0, 0);
    for (check_id, candidates) in found {
        if candidates.is_empty() {
            unplaced += 1;
        } else {
            proposed += 1;
        }
        for (intake_id, probability, contributions) in candidates {
            links::propose(
                &mut tx,
                check_id,
                intake_id,
                probability,
                &contributions,
                false,
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok((proposed, unplaced))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hostile::{csv_bytes, names_a_line};
    use chrono::TimeZone;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_bytes_give_checks_or_an_error_that_names_a_line(bytes in csv_bytes(
            "case_number,method,requested_at,completed_at,outcome,score,nik,name,birth_date,birth_place,sex,address,village_code,kk_number,mother_name"
        )) {
            let now = Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap();
            if let Err(e) = parse(&bytes, "checks.csv", now) {
                prop_assert!(names_a_line(&format!("{e:#}")), "{e:#}");
            }
        }
    }
}
