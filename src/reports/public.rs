//! The open figures (`/angka`): province-wide counts by month and origin province, for
//! anyone, without sign-in. Only what `suppress` lets through is published.
use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use chrono::Datelike;
use maud::Markup;
use serde::Deserialize;

use super::model::Period;
use super::pages::month_name;
use super::store;
use super::suppress::Grid;
use crate::clock::format_local;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::lang::lang_of;
use simlontar_templates::i18n::tr;
use simlontar_templates::reports::{self as view, Table, Value};
use simlontar_templates::Lang;

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<String>,
}

/// The table of one kind of count, rows by origin province, columns by month, withheld
/// where `suppress` says.
pub fn suppressed_table(
    key: &'static str,
    title: String,
    counts: &BTreeMap<(String, i32), i64>,
    provinces: &std::collections::HashMap<String, String>,
    months: i32,
    lang: Lang,
) -> Table {
    let mut origins: Vec<&String> = counts.keys().map(|(o, _)| o).collect();
    origins.dedup();
    // Known provinces by code, "not known" last.
    origins.sort_by_key(|o| (o.is_empty(), (*o).clone()));
    origins.dedup();
    let cells: Vec<Vec<i64>> = origins
        .iter()
        .map(|o| {
            (1..=months)
                .map(|m| counts.get(&((*o).clone(), m)).copied().unwrap_or(0))
                .collect()
        })
        .collect();
    let total = tr(lang, "Jumlah", "Total");
    let mut headers = vec![tr(lang, "Provinsi asal", "Origin province").to_string()];
    headers.extend(
        (1..=months as u32).map(|m| month_name(lang, m).chars().take(3).collect::<String>()),
    );
    headers.push(total.into());
    if cells.is_empty() {
        return Table {
            key,
            title,
            note: None,
            headers,
            rows: vec![],
            chart: None,
        };
    }
    let grid = Grid::new(&cells).suppress();
    let shown = |r: usize, c: usize| grid.shown(r, c).map_or(Value::Suppressed, Value::Int);
    let mut rows: Vec<Vec<Value>> = origins
        .iter()
        .enumerate()
        .map(|(r, o)| {
            let name = match provinces.get(*o) {
                Some(n) => n.clone(),
                None => tr(lang, "Tidak diketahui", "Not known").to_string(),
            };
            std::iter::once(Value::Text(name))
                .chain((0..=months as usize).map(|c| shown(r, c)))
                .collect()
        })
        .collect();
    let last = origins.len();
    rows.push(
        std::iter::once(Value::text(total))
            .chain((0..=months as usize).map(|c| shown(last, c)))
            .collect(),
    );
    Table {
        key,
        title,
        note: None,
        headers,
        rows,
        chart: None,
    }
}

pub async fn show_figures(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<YearQuery>,
) -> AppResult<Markup> {
    let lang = lang_of(&headers);
    let (tz, now) = (state.settings.time_zone, state.clock.now());
    let this_year = now.with_timezone(&tz).year();
    // A year that cannot be read, or one out of range, shows this year rather than an error
    // page: the page is for anyone, and the year list below offers the others.
    let year = q
        .year
        .as_deref()
        .and_then(Period::parse_year)
        .map_or(this_year, |p| match p {
            Period::Year { year } => year.min(this_year),
            Period::Month { year, .. } => year,
        });
    let period = Period::Year { year };
    let rows = store::public_counts(&state.pool, now, tz.name(), period.bounds(tz)).await?;
    let names = store::names(&state.pool).await?;
    let mut picked = BTreeMap::new();
    let mut home = BTreeMap::new();
    for (kind, month, origin, n) in rows {
        let into = if kind == "picked_up" {
            &mut picked
        } else {
            &mut home
        };
        *into.entry((origin, month)).or_insert(0) += n;
    }
    // The months begun so far: a month still to come would read as "nobody".
    let months = if year == this_year {
        now.with_timezone(&tz).month() as i32
    } else {
        12
    };
    let tables = vec![
        suppressed_table(
            "dijemput",
            tr(
                lang,
                "Orang terlantar yang dijemput, per bulan dan provinsi asal",
                "Stranded people picked up, by month and origin province",
            )
            .into(),
            &picked,
            &names.provinces,
            months,
            lang,
        ),
        suppressed_table(
            "dipulangkan",
            tr(
                lang,
                "Orang yang dipulangkan ke daerah asal, per bulan dan provinsi asal",
                "People taken home, by month and origin province",
            )
            .into(),
            &home,
            &names.provinces,
            months,
            lang,
        ),
    ];
    Ok(view::public_page(
        lang,
        &view::PublicView {
            year,
            years: ((this_year - 5).max(2016)..=this_year).rev().collect(),
            generated: format_local(now, tz).trim_end_matches(" WIB").to_string(),
            tables,
        },
    ))
}
