//! `simlontar report`: a report's figures (or the period's case list) as a CSV or XLSX
//! file, the same export the pages give, counted province-wide and audited as the system.
use std::path::PathBuf;

use anyhow::Context;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::export::ExportFormat;
use super::model::Period;
use super::{build, export, store, tables, Export};
use crate::auth::audit::Origin;
use crate::auth::policy::CaseScope;
use crate::config::Settings;
use simlontar_templates::Lang;

#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// The month, YYYY-MM (e.g. 2026-11).
    #[arg(long, conflicts_with = "year", required_unless_present = "year")]
    pub month: Option<String>,
    /// The year, YYYY.
    #[arg(long)]
    pub year: Option<String>,
    /// csv or xlsx.
    #[arg(long, value_parser = ["csv", "xlsx"])]
    pub format: String,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// The period's case list (one row per person, NIKs masked) instead of the figures.
    #[arg(long)]
    pub cases: bool,
    /// Labels in id (Bahasa Indonesia) or en.
    #[arg(long, default_value = "id", value_parser = ["id", "en"])]
    pub lang: String,
}

/// Writes the file; returns how many rows it holds.
pub async fn run(
    pool: &PgPool,
    settings: &Settings,
    args: &ReportArgs,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let period = match (&args.month, &args.year) {
        (Some(m), _) => Period::parse_month(m).context("--month: write YYYY-MM, e.g. 2026-11")?,
        (None, Some(y)) => Period::parse_year(y).context("--year: write YYYY, e.g. 2026")?,
        (None, None) => anyhow::bail!("give --month YYYY-MM or --year YYYY"),
    };
    let format = ExportFormat::parse(&args.format).context("--format: csv or xlsx")?;
    let lang = Lang::parse(&args.lang).unwrap_or_default();
    let tz = settings.time_zone;
    let scope = CaseScope::system(now);
    let (what, tables) = if args.cases {
        let rows = store::case_list(pool, &scope, period.bounds(tz), tz).await?;
        let names = store::names(pool).await?;
        (
            Export::Cases,
            vec![tables::case_table(&rows, &names, lang, tz, false)],
        )
    } else {
        (
            Export::Figures,
            build(pool, &scope, period, (tz, now), lang).await?.1,
        )
    };
    let origin = Origin::default();
    let (_, bytes) = export(pool, &origin, (what, period, format), &tables, lang).await?;
    std::fs::write(&args.out, bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    Ok(tables.iter().map(|t| t.rows.len()).sum())
}
