//! `simlontar import occupancy HISTORY.csv`: the days a UPT lived before Simlontar, in the
//! `capacity replay` format (`backtest::history`), stored per ward and day as imported
//! (`occupancy_import_day`) so that the forecast learns from them as from the days lived in
//! the system (`evaluate`: arrivals, and stays rebuilt as the replay rebuilds them). The
//! whole file is checked first, every bad row named by line and column; nothing is written
//! unless all rows are good; a second run of the same file changes nothing.
use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use indicatif::ProgressBar;
use serde_json::json;
use sqlx::PgPool;

use super::backtest::history::{self, HistoryError};
use crate::auth::audit::{self, Origin};
use crate::auth::model::Principal;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Imported {
    pub wards: usize,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Every bad row, in file order.
    #[error("{} bad rows:\n{}", .0.len(), .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Rows(Vec<HistoryError>),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Reads and checks the file against the database: the format's rules, then each ward
/// named (UPT code and ward code) must exist, and each day must be over (before today).
pub async fn check(
    pool: &PgPool,
    path: &Path,
    today: NaiveDate,
) -> Result<Vec<(i64, history::DayRow)>, ImportError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| {
        ImportError::Rows(vec![HistoryError {
            file: name.clone(),
            line: 0,
            column: None,
            message: format!("cannot open: {e}"),
        }])
    })?;
    let h = history::read_all(file, &name).map_err(ImportError::Rows)?;
    let known: HashMap<(String, String), i64> =
        sqlx::query_as::<_, (String, String, i64)>("SELECT upt_code, code, id FROM ward")
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|(u, w, id)| ((u, w), id))
            .collect();
    let upts: Vec<String> = sqlx::query_scalar("SELECT code FROM upt")
        .fetch_all(pool)
        .await?;
    let mut bad = vec![];
    let mut rows = vec![];
    let err = |line: u64, column: &str, message: String| HistoryError {
        file: name.clone(),
        line,
        column: Some(column.into()),
        message,
    };
    for (w, lines) in h.wards.iter().zip(&h.lines) {
        let id = known.get(&(w.upt.clone(), w.ward.clone()));
        let whole = |what: String| {
            let more = lines.len() - 1;
            if more > 0 {
                format!("{what} (and {more} more rows of it)")
            } else {
                what
            }
        };
        if !upts.contains(&w.upt) {
            bad.push(err(
                lines[0],
                "upt",
                whole(format!("unknown UPT `{}`", w.upt)),
            ));
        } else if w.ward.is_empty() {
            bad.push(err(
                lines[0],
                "ward",
                whole("empty: name the ward (its code in geo/wards.csv); a whole UPT's row cannot feed a ward's forecast".into()),
            ));
        } else if id.is_none() {
            bad.push(err(
                lines[0],
                "ward",
                whole(format!("UPT `{}` has no ward `{}`", w.upt, w.ward)),
            ));
        }
        for (d, line) in w.days.iter().zip(lines) {
            if d.date >= today {
                bad.push(err(
                    *line,
                    "date",
                    format!(
                        "{} is not over yet: only days before today ({today}) can be imported",
                        d.date
                    ),
                ));
            }
            if let Some(id) = id {
                rows.push((*id, d.clone()));
            }
        }
    }
    if !bad.is_empty() {
        bad.sort_by_key(|e| e.line);
        return Err(ImportError::Rows(bad));
    }
    Ok(rows)
}

/// Checks the file, then (unless `dry_run`) stores its days in one transaction, audited as
/// `actor`. A day already imported with the same figures is left alone; with other figures
/// it is replaced (a corrected file).
pub async fn import(
    pool: &PgPool,
    path: &Path,
    (actor, dry_run): (&Principal, bool),
    (now, tz): (DateTime<Utc>, chrono_tz::Tz),
) -> Result<Imported, ImportError> {
    let today = crate::clock::local_date(now, tz);
    let rows = check(pool, path, today).await?;
    let mut done = Imported {
        wards: rows
            .iter()
            .map(|r| r.0)
            .collect::<std::collections::HashSet<_>>()
            .len(),
        ..Imported::default()
    };
    let mut tx = pool.begin().await?;
    let progress = ProgressBar::new(rows.len() as u64).with_message("days");
    let source = path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    for (ward, d) in &rows {
        let before: Option<(i32, i32, i32, i32, i32)> = sqlx::query_as(
            "SELECT capacity, occupancy, admissions, discharges, turned_away
               FROM occupancy_import_day WHERE ward_id = $1 AND day = $2",
        )
        .bind(ward)
        .bind(d.date)
        .fetch_optional(&mut *tx)
        .await?;
        let new = (
            d.capacity as i32,
            d.occupancy as i32,
            d.admissions as i32,
            d.discharges as i32,
            d.turned_away as i32,
        );
        match before {
            Some(b) if b == new => done.unchanged += 1,
            Some(_) => done.changed += 1,
            None => done.added += 1,
        }
        if before != Some(new) && !dry_run {
            sqlx::query(
                "INSERT INTO occupancy_import_day (ward_id, day, capacity, occupancy, admissions, discharges,
                                                   turned_away, source, imported_at, imported_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (ward_id, day) DO UPDATE SET capacity = EXCLUDED.capacity,
                   occupancy = EXCLUDED.occupancy, admissions = EXCLUDED.admissions,
                   discharges = EXCLUDED.discharges, turned_away = EXCLUDED.turned_away,
                   source = EXCLUDED.source, imported_at = EXCLUDED.imported_at,
                   imported_by = EXCLUDED.imported_by",
            )
            .bind(ward)
            .bind(d.date)
            .bind(new.0)
            .bind(new.1)
            .bind(new.2)
            .bind(new.3)
            .bind(new.4)
            .bind(&source)
            .bind(now)
            .bind(actor.user_id)
            .execute(&mut *tx)
            .await?;
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    if dry_run || done.added + done.changed == 0 {
        tx.rollback().await?;
        return Ok(done);
    }
    let origin = Origin {
        actor_id: Some(actor.user_id),
        ..Origin::default()
    };
    audit::record(
        &mut *tx,
        &origin,
        "import_occupancy",
        "occupancy_history",
        None,
        json!({"file": source, "wards": done.wards, "added": done.added, "changed": done.changed,
               "unchanged": done.unchanged}),
    )
    .await?;
    tx.commit().await?;
    Ok(done)
}

/// The command: `--as` names the administrator the import is recorded for; the summary
/// (or every bad row) goes to standard error.
pub async fn run(
    pool: &PgPool,
    settings: &crate::config::Settings,
    path: &Path,
    (username, dry_run): (&str, bool),
) -> anyhow::Result<()> {
    let actor =
        crate::auth::store::acting(pool, username, crate::auth::policy::Action::ImportState)
            .await?;
    let done = import(
        pool,
        path,
        (&actor, dry_run),
        (Utc::now(), settings.time_zone),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}\nnothing was imported"))?;
    let what = if dry_run { "would be" } else { "were" };
    if done.added + done.changed == 0 {
        eprintln!(
            "{} days of {} wards already imported: nothing to do",
            done.unchanged, done.wards
        );
    } else {
        eprintln!(
            "{} wards: {} days {what} added, {} {what} corrected, {} already imported{}",
            done.wards,
            done.added,
            done.changed,
            done.unchanged,
            if dry_run {
                " (dry run: nothing written)"
            } else {
                ""
            }
        );
    }
    Ok(())
}
