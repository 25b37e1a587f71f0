//! The raid calendar: operations Satpol PP announce ahead (before Lebaran, Christmas,
//! 17 August, or any other), each with the demand it is expected to bring as a multiple of
//! the usual, kept in `capacity_raid` and read by the live forecast (`ahead::announced`).
//! `simlontar capacity raids FILE.csv` loads a file
//! `starts_on,ends_on,factor[,need_code[,note]]`; a row with the same dates and need as one
//! loaded before replaces it. Every error names the line and column, and a file with any
//! error loads nothing.
use std::collections::HashSet;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use crate::csv_lines::{what, Lines};

pub const HEADER: [&str; 5] = ["starts_on", "ends_on", "factor", "need_code", "note"];
/// The first three columns are required.
const REQUIRED: usize = 3;
/// The longest operation (days, inclusive of both ends less one), as the table's CHECK.
const MAX_DAYS: i64 = 92;

#[derive(Debug, Clone, PartialEq)]
pub struct Raid {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub factor: f64,
    /// The wards of one need only; `None`: every ward.
    pub need_code: Option<String>,
    pub note: String,
}

/// Reads a calendar file; `needs` are the need codes the database knows.
pub fn read(bytes: &[u8], name: &str, needs: &HashSet<String>) -> anyhow::Result<Vec<Raid>> {
    let lines = Lines::of(bytes);
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let head: Vec<String> = (r.headers())
        .map_err(|e| anyhow::anyhow!("{name}: line 1: {}", what(&e)))?
        .iter()
        .map(str::to_string)
        .collect();
    anyhow::ensure!(
        head.len() >= REQUIRED && head.len() <= HEADER.len() && head == HEADER[..head.len()],
        "{name}: line 1: the header must be {} (the last two may be left out)",
        HEADER.join(",")
    );
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| anyhow::anyhow!("{name}: {}", lines.describe(&e)))?;
        let line = lines.of_record(&rec);
        let bad = |col: &str, why: String| anyhow::anyhow!("{name}: line {line}, column `{col}`: {why}");
        anyhow::ensure!(
            rec.len() == head.len(),
            "{name}: line {line}: {} columns where the header has {}",
            rec.len(),
            head.len()
        );
        let date = |i: usize| {
            NaiveDate::parse_from_str(&rec[i], "%Y-%m-%d")
                .map_err(|_| bad(HEADER[i], format!("`{}` is not a date (YYYY-MM-DD)", &rec[i])))
        };
        let (starts_on, ends_on) = (date(0)?, date(1)?);
        if ends_on < starts_on {
            return Err(bad("ends_on", "before starts_on".into()));
        }
        if (ends_on - starts_on).num_days() > MAX_DAYS {
            return Err(bad("ends_on", format!("an operation lasts at most {} days", MAX_DAYS + 1)));
        }
        let factor: f64 = (rec[2].parse().ok())
            .filter(|f: &f64| f.is_finite() && *f > 0.0 && *f <= 10.0)
            .ok_or_else(|| bad("factor", format!("`{}` is not a number above 0 and at most 10", &rec[2])))?;
        let need_code = match rec.get(3).unwrap_or("") {
            "" => None,
            code if needs.contains(code) => Some(code.to_string()),
            code => return Err(bad("need_code", format!("`{code}` is not a need code"))),
        };
        out.push(Raid {
            starts_on,
            ends_on,
            factor,
            need_code,
            note: rec.get(4).unwrap_or("").to_string(),
        });
    }
    Ok(out)
}

/// `simlontar capacity raids FILE`: loads the file and says how many rows.
pub async fn run(pool: &PgPool, args: &super::cli::CapacityArgs, now: DateTime<Utc>) -> anyhow::Result<()> {
    let super::cli::CapacityCommand::Raids { file } = &args.command else {
        return super::cli::run(args);
    };
    let n = load_path(pool, file, now).await?;
    eprintln!("{n} raid operations loaded");
    Ok(())
}

/// Loads a calendar file into `capacity_raid` in one transaction; returns the rows loaded.
pub async fn load_path(pool: &PgPool, path: &std::path::Path, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("{name}: cannot open"))?;
    let needs: HashSet<String> = sqlx::query_scalar::<_, String>("SELECT code FROM need")
        .fetch_all(pool)
        .await?
        .into_iter()
        .collect();
    let rows = read(&bytes, &name, &needs)?;
    let mut tx = pool.begin().await?;
    for r in &rows {
        sqlx::query(
            "INSERT INTO capacity_raid (starts_on, ends_on, factor, need_code, note, loaded_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (starts_on, ends_on, (coalesce(need_code, '')))
             DO UPDATE SET factor = EXCLUDED.factor, note = EXCLUDED.note, loaded_at = EXCLUDED.loaded_at",
        )
        .bind(r.starts_on)
        .bind(r.ends_on)
        .bind(r.factor)
        .bind(&r.need_code)
        .bind(&r.note)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs() -> HashSet<String> {
        ["homeless", "psychosocial"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_calendar_reads_with_or_without_the_optional_columns() {
        let full = b"starts_on,ends_on,factor,need_code,note\n2027-02-15,2027-03-07,2.5,homeless,Operasi Ramadan\n2027-12-10,2027-12-23,1.6,,\n";
        let rows = read(full, "r.csv", &needs()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].need_code.as_deref(), Some("homeless"));
        assert_eq!((rows[1].need_code.clone(), rows[1].factor), (None, 1.6));
        let short = b"starts_on,ends_on,factor\n2027-08-01,2027-08-16,1.8\n";
        assert_eq!(read(short, "r.csv", &needs()).unwrap()[0].note, "");
    }

    #[test]
    fn each_bad_field_is_named_with_its_line() {
        let err = |body: &str| {
            let file = format!("starts_on,ends_on,factor,need_code\n2027-01-01,2027-01-05,2,\n{body}\n");
            read(file.as_bytes(), "r.csv", &needs()).unwrap_err().to_string()
        };
        assert!(err("2027-13-01,2027-01-05,2,").contains("line 3, column `starts_on`"));
        assert!(err("2027-01-05,2027-01-01,2,").contains("column `ends_on`: before"));
        assert!(err("2027-01-01,2027-06-01,2,").contains("at most 93 days"));
        assert!(err("2027-01-01,2027-01-05,0,").contains("column `factor`"));
        assert!(err("2027-01-01,2027-01-05,NaN,").contains("column `factor`"));
        assert!(err("2027-01-01,2027-01-05,11,").contains("column `factor`"));
        assert!(err("2027-01-01,2027-01-05,2,orphans").contains("`orphans` is not a need code"));
        assert!(err("2027-01-01,2027-01-05").contains("line 3: 2 columns"));
        let head = read(b"from,to,factor\n", "r.csv", &needs()).unwrap_err().to_string();
        assert!(head.contains("line 1: the header must be"), "{head}");
    }
}
