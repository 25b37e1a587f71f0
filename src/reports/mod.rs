//! Reports: the monthly and yearly figures, their exports, the open figures for the public
//! and a person's own data for a subject-access request. Invariants: every figure is
//! counted inside the asker's `CaseScope` (a regency office counts only its own people);
//! every export writes one audit row; every text cell of an export passes `export::inert`;
//! the public page publishes only what `suppress` lets through.
pub mod cli;
pub mod export;
pub mod model;
pub mod pages;
pub mod public;
pub mod store;
pub mod subject;
pub mod suppress;
pub mod tables;

use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::json;
use sqlx::PgPool;

use crate::auth::audit::{self, Origin};
use crate::auth::policy::{gate, Action, CaseScope};
use crate::state::AppState;
use export::ExportFormat;
use model::{Period, Report};
use simlontar_templates::reports::Table;
use simlontar_templates::Lang;

pub fn router() -> Router<AppState> {
    let admin = Router::new()
        .route(
            "/admin/subject-access",
            get(subject::show_form).post(subject::export_subject),
        )
        .route_layer(from_fn_with_state(Action::ExportSubjectData, gate));
    Router::new()
        .merge(admin)
        .route("/reports", get(pages::show_index))
        .route("/reports/monthly", get(pages::show_monthly))
        .route("/reports/yearly", get(pages::show_yearly))
        .route("/reports/cases", get(pages::export_cases))
}

/// The open figures: no sign-in.
pub fn public_router() -> Router<AppState> {
    Router::new().route("/angka", get(public::show_figures))
}

/// A report's figures and their tables, counted in `scope`.
pub async fn build(
    pool: &PgPool,
    scope: &CaseScope,
    period: Period,
    (tz, now): (Tz, DateTime<Utc>),
    lang: Lang,
) -> sqlx::Result<(Report, Vec<Table>)> {
    let facts = store::facts(pool, scope, period.bounds(tz), tz).await?;
    let report = model::compute(period, tz, now, &facts);
    let names = store::names(pool).await?;
    let tables = tables::tables(&report, &names, lang, tz);
    Ok((report, tables))
}

/// What an export is of, for its file name and audit row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    Figures,
    Cases,
}

/// Writes `tables` in `format` and records the export in the audit trail: the one path for
/// pages and the command line.
pub async fn export(
    pool: &PgPool,
    origin: &Origin,
    (what, period, format): (Export, Period, ExportFormat),
    tables: &[Table],
    lang: Lang,
) -> anyhow::Result<(String, Vec<u8>)> {
    let bytes = match format {
        ExportFormat::Csv => export::csv(tables, lang),
        ExportFormat::Xlsx => export::xlsx(tables, lang)?,
    };
    let kind = match (what, period) {
        (Export::Cases, _) => "kasus",
        (Export::Figures, Period::Month { .. }) => "laporan-bulanan",
        (Export::Figures, Period::Year { .. }) => "laporan-tahunan",
    };
    let name = format!("simlontar-{kind}-{}.{}", period.code(), format.as_str());
    let rows: usize = tables.iter().map(|t| t.rows.len()).sum();
    audit::record(
        pool,
        origin,
        "report_export",
        "report",
        Some(&period.code()),
        json!({"export": kind, "format": format.as_str(), "rows": rows}),
    )
    .await?;
    Ok((name, bytes))
}
