//! The report pages and their downloads. A handler reads the period, builds in the
//! viewer's scope, and renders or exports.
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use maud::Markup;
use serde::Deserialize;

use super::export::ExportFormat;
use super::model::Period;
use super::{build, export, store, tables, Export};
use crate::auth::policy::{require, sees_full_identity, Action, CaseScope};
use crate::clock::format_local;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::viewer::Viewer;
use simlontar_templates::i18n::tr;
use simlontar_templates::reports::{self as view, Kind};
use simlontar_templates::Lang;

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    month: Option<String>,
    year: Option<String>,
    format: Option<String>,
}

fn bad(field: &str, lang: Lang) -> AppError {
    let words = match field {
        "month" => tr(
            lang,
            "Bulan: tulis tahun dan bulan, misalnya 2026-11",
            "Month: write the year and month, e.g. 2026-11",
        ),
        "year" => tr(
            lang,
            "Tahun: tulis empat angka, misalnya 2026",
            "Year: write four digits, e.g. 2026",
        ),
        _ => tr(
            lang,
            "Format: pilih csv atau xlsx",
            "Format: choose csv or xlsx",
        ),
    };
    AppError::Invalid(vec![FieldError::new(field, words)])
}

/// The period asked for: `month` (YYYY-MM) or `year` (YYYY), defaulting to `default`.
fn period_of(q: &PeriodQuery, lang: Lang, default: Option<Period>) -> AppResult<Period> {
    match (q.month.as_deref(), q.year.as_deref()) {
        (Some(m), _) => Period::parse_month(m).ok_or_else(|| bad("month", lang)),
        (None, Some(y)) => Period::parse_year(y).ok_or_else(|| bad("year", lang)),
        (None, None) => default.ok_or_else(|| bad("month", lang)),
    }
}

fn format_of(q: &PeriodQuery, lang: Lang) -> AppResult<Option<ExportFormat>> {
    match q.format.as_deref() {
        None | Some("") | Some("html") => Ok(None),
        Some(f) => ExportFormat::parse(f)
            .map(Some)
            .ok_or_else(|| bad("format", lang)),
    }
}

fn this_month(state: &AppState) -> (i32, u32) {
    let today = state.clock.now().with_timezone(&state.settings.time_zone);
    (today.year(), today.month())
}

pub async fn show_index(State(state): State<AppState>, v: Viewer) -> AppResult<Markup> {
    require(&v.principal, Action::ViewCases)?;
    let (year, month) = this_month(&state);
    Ok(view::index(
        v.lang,
        &v.nav,
        &format!("{year}-{month:02}"),
        &year.to_string(),
    ))
}

pub async fn show_monthly(
    state: State<AppState>,
    v: Viewer,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let (year, month) = this_month(&state);
    let asked = PeriodQuery {
        month: q.month,
        year: None,
        format: None,
    };
    let period = period_of(&asked, v.lang, Some(Period::Month { year, month }))?;
    show(state, v, period, q.format.as_deref()).await
}

pub async fn show_yearly(
    state: State<AppState>,
    v: Viewer,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let (year, _) = this_month(&state);
    let asked = PeriodQuery {
        month: None,
        year: q.year,
        format: None,
    };
    let period = period_of(&asked, v.lang, Some(Period::Year { year }))?;
    show(state, v, period, q.format.as_deref()).await
}

async fn show(
    State(state): State<AppState>,
    v: Viewer,
    period: Period,
    format: Option<&str>,
) -> AppResult<Response> {
    require(&v.principal, Action::ViewCases)?;
    let format = format_of(
        &PeriodQuery {
            format: format.map(String::from),
            ..Default::default()
        },
        v.lang,
    )?;
    let (tz, now) = (state.settings.time_zone, state.clock.now());
    let scope = CaseScope::of(&v.principal, now);
    let (report, tables) = build(&state.pool, &scope, period, (tz, now), v.lang).await?;
    if let Some(format) = format {
        return download(&state, &v, (Export::Figures, period, format), &tables).await;
    }
    let names = store::names(&state.pool).await?;
    let view = view::ReportView {
        kind: match period {
            Period::Month { .. } => Kind::Monthly,
            Period::Year { .. } => Kind::Yearly,
        },
        period_code: period.code(),
        period_label: period_label(period, v.lang),
        scope_label: scope_label(&scope, &names, v.lang),
        generated: format_local(now, tz).trim_end_matches(" WIB").to_string(),
        headline: tables::headline(&report, v.lang),
        tables,
    };
    Ok(view::report_page(v.lang, &v.nav, &view).into_response())
}

/// The period's case list as a file: one row per case in the viewer's scope, the NIK
/// masked exactly as the viewer sees it on the case page.
pub async fn export_cases(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    require(&v.principal, Action::ViewCases)?;
    let period = period_of(&q, v.lang, None)?;
    let format = format_of(&q, v.lang)?.ok_or_else(|| bad("format", v.lang))?;
    let (tz, now) = (state.settings.time_zone, state.clock.now());
    let scope = CaseScope::of(&v.principal, now);
    let rows = store::case_list(&state.pool, &scope, period.bounds(tz), tz).await?;
    let names = store::names(&state.pool).await?;
    let table = tables::case_table(&rows, &names, v.lang, tz, sees_full_identity(&v.principal));
    download(&state, &v, (Export::Cases, period, format), &[table]).await
}

async fn download(
    state: &AppState,
    v: &Viewer,
    what: (Export, Period, ExportFormat),
    tables: &[view::Table],
) -> AppResult<Response> {
    let (name, bytes) = export(&state.pool, &v.origin, what, tables, v.lang).await?;
    Ok((
        [
            (header::CONTENT_TYPE, what.2.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub fn month_name(lang: Lang, m: u32) -> &'static str {
    let i = (m.clamp(1, 12) - 1) as usize;
    match lang {
        Lang::Id => MONTHS_ID[i],
        Lang::En => MONTHS_EN[i],
    }
}

fn period_label(p: Period, lang: Lang) -> String {
    match p {
        Period::Month { year, month } => format!("{} {year}", month_name(lang, month)),
        Period::Year { year } => year.to_string(),
    }
}

/// Whose cases the figures count, in words.
fn scope_label(s: &CaseScope, names: &store::Names, lang: Lang) -> String {
    if s.all {
        return tr(lang, "seluruh Jawa Timur", "all of East Java").into();
    }
    let mut parts: Vec<String> = vec![];
    for code in s.pickup_regions.iter() {
        let n = names
            .regions
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.clone());
        parts.push(format!("{} {n}", tr(lang, "dijemput di", "picked up in")));
    }
    for code in s.home_or_pickup_regions.iter() {
        let n = names
            .regions
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.clone());
        parts.push(format!(
            "{} {n}",
            tr(
                lang,
                "dijemput di atau berasal dari",
                "picked up in or coming from"
            )
        ));
    }
    for upt in s.upts.iter() {
        parts.push(format!(
            "{} {upt}",
            tr(
                lang,
                "penghuni dan rujukan UPT",
                "residents and referrals of UPT"
            )
        ));
    }
    format!("{} {}", tr(lang, "orang yang", "people"), parts.join("; "))
}
