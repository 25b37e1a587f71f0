//! Who already receives social assistance, also without a NIK: the linkage engine links
//! the intakes (left) with the imported register (right) as `simlontar link` links two
//! files — weights learned from both, no labels — and writes intake ↔ registry links:
//! near-certain ones accepted, likely ones to the review queue, decided pairs left alone.
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::{PgPool, Row};

use super::links;
use super::reintake::{intake_table, Thresholds};
use crate::auth::policy::CaseScope;
use crate::linkage::block::Mode;
use crate::linkage::link;
use crate::linkage::person::{Birth, PersonRecord};
use crate::linkage::record::Source;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Assisted {
    pub accepted: usize,
    pub candidates: usize,
}

/// A pair the engine found: intake id, register id (`r…`), probability, evidence.
type Found = (String, String, f64, Vec<links::Contribution>);

/// Links every intake with the register. Safe to repeat: existing pairs are kept.
pub async fn link_register(
    pool: &PgPool,
    t: Thresholds,
    now: DateTime<Utc>,
) -> anyhow::Result<Assisted> {
    let mut tx = CaseScope::system(now).begin(pool).await?;
    let mut table = intake_table(&mut tx, t.tz).await?;
    let split = table.len();
    let people = sqlx::query(
        "SELECT id, nik, name, birth_date, sex, village_code FROM registry_person ORDER BY id",
    )
    .fetch_all(&mut *tx)
    .await?;
    if split == 0 || people.is_empty() {
        return Ok(Assisted::default());
    }
    for r in &people {
        let p = PersonRecord {
            id: format!("r{}", r.get::<i64, _>("id")),
            name: Some(r.get("name")),
            birth: r
                .get::<Option<chrono::NaiveDate>, _>("birth_date")
                .map_or(Birth::Unknown, Birth::Exact),
            female: r.get::<Option<String>, _>("sex").map(|s| s == "female"),
            nik: r.get("nik"),
            region_code: r.get("village_code"),
            mother_name: None,
            // A register's NIK was checked by the agency that keeps the register.
            source: Source::Verified,
        };
        p.push_into(&mut table);
    }
    let review = t.review;
    let found = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<Found>> {
        let linkage = link::run(&table, Mode::Link { split })?;
        let scorer = linkage.scorer(&table);
        let prior = linkage.model.prior_weight();
        Ok(linkage
            .pairs(&table, review)
            .into_iter()
            .map(|(i, j, p)| {
                let e = scorer.explain(&table, table.row(i), table.row(j), prior);
                (
                    table.ids[i].clone(),
                    table.ids[j].clone(),
                    p,
                    links::from_engine(&e),
                )
            })
            .collect())
    })
    .await??;
    let mut done = Assisted::default();
    for (intake, person, probability, contributions) in found {
        let (Ok(intake), Some(Ok(person))) = (
            intake.parse::<i64>(),
            person.strip_prefix('r').map(str::parse::<i64>),
        ) else {
            continue;
        };
        let state = if probability >= t.accept {
            "accepted"
        } else {
            "candidate"
        };
        let written: Option<String> = sqlx::query_scalar(
            "INSERT INTO record_link (left_kind, left_id, right_kind, right_id, state, probability, contributions,
                                      created_at, decided_at)
             VALUES ('intake', $1, 'registry', $2, $3, $4, $5, $6, CASE WHEN $3 = 'accepted' THEN $6 END)
             ON CONFLICT (left_kind, left_id, right_kind, right_id) DO NOTHING RETURNING state",
        )
        .bind(intake)
        .bind(person)
        .bind(state)
        .bind(probability.clamp(0.0, 1.0))
        .bind(json!(contributions))
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        match written.as_deref() {
            Some("accepted") => done.accepted += 1,
            Some(_) => done.candidates += 1,
            None => {}
        }
    }
    tx.commit().await?;
    Ok(done)
}

/// Programmes a case's person receives by an accepted register link (no NIK needed),
/// as "source: PKH, BPNT".
pub async fn programmes_for_case(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    case_id: i64,
    lang: simlontar_templates::Lang,
) -> sqlx::Result<Vec<String>> {
    let rows: Vec<(String, Vec<String>)> = sqlx::query_as(&format!(
        "SELECT r.source, {} FROM record_link l JOIN registry_person r ON r.id = l.right_id
          WHERE l.left_kind = 'intake' AND l.left_id = (SELECT intake_id FROM ot_case WHERE id = $1)
            AND l.right_kind = 'registry' AND l.state = 'accepted'
          ORDER BY r.source",
        super::programmes::named_sql(lang)
    ))
    .bind(case_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(s, p)| format!("{s}: {}", p.join(", ")))
        .collect())
}

/// Every programme a case's person receives, as "source: PKH, BPNT": by NIK (`nik`: the
/// one DP3AK confirmed, or one the viewer may use as a key) and by an accepted register
/// link (found without a NIK).
pub async fn for_case(
    pool: &PgPool,
    scope: &CaseScope,
    case_id: i64,
    nik: Option<&str>,
    lang: simlontar_templates::Lang,
) -> sqlx::Result<Vec<String>> {
    let mut lines: Vec<String> = match nik {
        Some(nik) => super::registry::programmes_for_nik(pool, nik, lang)
            .await?
            .into_iter()
            .map(|(source, programmes)| format!("{source}: {}", programmes.join(", ")))
            .collect(),
        None => vec![],
    };
    let mut tx = scope.begin(pool).await?;
    for line in programmes_for_case(&mut tx, case_id, lang).await? {
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    tx.commit().await?;
    Ok(lines)
}
