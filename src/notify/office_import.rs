//! `simlontar import offices FILE.csv`: the offices' addresses at go-live, from a file with
//! the header `code,office,email,phone,contact`. The whole file is checked first (every
//! bad row named by line and column); nothing is written unless every row is good. A row
//! equal to the record already there changes nothing, so a second run reports no change.
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Utc};
use indicatif::ProgressBar;
use sqlx::PgPool;

use super::offices::{self, Office, OfficeCode, Saved};
use crate::auth::audit::Origin;
use crate::auth::model::Principal;
use crate::csv_lines::{self, Lines, Problems};
use simlontar_templates::Lang;

pub const COLUMNS: [&str; 5] = ["code", "office", "email", "phone", "contact"];

#[derive(clap::Args)]
pub struct ImportArgs {
    /// CSV with the header code,office,email,phone,contact; code is a regency or city
    /// (35.18 or 3518, any province), a relay province (33) or a UPT (its head).
    pub file: PathBuf,
    /// The administrator the changes are recorded as (audit trail).
    #[arg(long = "as")]
    pub admin: String,
    /// Check the file and say what would change, writing nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub created: usize,
    pub changed: usize,
    pub unchanged: usize,
}

/// The command: as the named administrator, import (or with `--dry-run` only check) the file.
pub async fn run(pool: &PgPool, args: &ImportArgs, now: DateTime<Utc>) -> anyhow::Result<()> {
    let admin = crate::auth::store::acting(
        pool,
        &args.admin,
        crate::auth::policy::Action::ManageOffices,
    )
    .await?;
    let s = import(pool, &args.file, &admin, args.dry_run, now).await?;
    let verb = if args.dry_run { "would be" } else { "were" };
    if s.created + s.changed == 0 {
        eprintln!(
            "{}: nothing to change ({} offices already as in the file)",
            args.file.display(),
            s.unchanged
        );
    } else {
        eprintln!(
            "{}: {} offices {verb} added, {} {verb} changed, {} already as in the file{}",
            args.file.display(),
            s.created,
            s.changed,
            s.unchanged,
            if args.dry_run {
                " (dry run: nothing written)"
            } else {
                ""
            }
        );
    }
    Ok(())
}

/// Checks the whole file, then records every row in one transaction (rolled back on a
/// dry run, so its counts are exactly what a real run would do).
pub async fn import(
    pool: &PgPool,
    path: &Path,
    admin: &Principal,
    dry_run: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<Summary> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.display().to_string();
    let rows = check(pool, &bytes, &name).await?;
    let origin = Origin {
        actor_id: Some(admin.user_id),
        ..Default::default()
    };
    let mut summary = Summary::default();
    let mut tx = pool.begin().await?;
    let progress = ProgressBar::new(rows.len() as u64).with_message("offices");
    for (code, office) in &rows {
        match offices::save(&mut tx, &origin, code, office, now).await? {
            Saved::Created => summary.created += 1,
            Saved::Changed => summary.changed += 1,
            Saved::Unchanged => summary.unchanged += 1,
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    if dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(summary)
}

/// Every row of the file checked: all problems at once, or the rows to record.
pub async fn check(
    pool: &PgPool,
    bytes: &[u8],
    name: &str,
) -> anyhow::Result<Vec<(OfficeCode, Office)>> {
    let lines = Lines::of(bytes);
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| anyhow::anyhow!("{name}: {}", lines.describe(&e)))?
        .clone();
    let at = csv_lines::columns(&header, COLUMNS).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    let mut problems = Problems::default();
    let mut rows: Vec<(u64, OfficeCode, Office)> = vec![];
    let mut conn = pool.acquire().await?;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.add(lines.of_error(&e), "-", csv_lines::what(&e));
                continue;
            }
        };
        let line = lines.of_record(&record);
        let cell = |i: usize| record.get(at[i]).unwrap_or("").to_string();
        let office = Office {
            name: cell(1),
            email: cell(2),
            phone: cell(3),
            contact: cell(4),
        };
        match offices::validate(&cell(0), &office, Lang::En) {
            Err(errors) => {
                for e in errors {
                    problems.add(line, &e.field, e.message);
                }
            }
            Ok((code, office)) => match offices::place_of(&mut conn, &code, Lang::En).await? {
                Err(why) => problems.add(line, "code", format!("{}: {why}", code.code)),
                Ok(_) => rows.push((line, code, office)),
            },
        }
    }
    for (line, first) in offices::first_seen(rows.iter().map(|r| (r.0, r.1.code.as_str()))) {
        problems.add(line, "code", format!("the same office as line {first}"));
    }
    if rows.is_empty() && problems.is_empty() {
        problems.add(2, "-", "the file has no rows");
    }
    problems.into_result(name)?;
    Ok(rows.into_iter().map(|(_, c, o)| (c, o)).collect())
}
