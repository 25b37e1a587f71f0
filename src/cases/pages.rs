//! The case list, NIK search, a bare move of state, and a case's photos.
use super::number::CaseNumber;
use crate::web::path::Path;
use axum::extract::{Query, State as AxState};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::Markup;
use serde::Deserialize;

use super::filter::{filter_from, ListQuery};
use super::model::State;
use super::next_step::Done;
use super::store::{self, CaseFilter};
use super::{access, lifecycle};
use crate::auth::policy::{allows, require, Action, CaseScope, NikKey};
use crate::clock::format_local;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::vocab::{self, Sex};
use crate::web::viewer::Viewer;
use simlontar_templates::cases as view;

fn rows(state: &AppState, cases: Vec<store::CaseSummary>) -> Vec<view::CaseRow> {
    cases
        .into_iter()
        .map(|c| view::CaseRow {
            found_at: format_local(c.found_at, state.settings.time_zone),
            number: c.number,
            state: vocab::label_of(State::parse, State::label, &c.state),
            name: c.stated_name,
            sex: vocab::label_of(Sex::parse, Sex::label, &c.sex),
            age: c.age,
            found_region: c.found_region_name.unwrap_or(c.found_region),
            home_region: c.home_region_name.unwrap_or_else(|| "–".into()),
        })
        .collect()
}

pub async fn list_cases(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> AppResult<Markup> {
    require(&v.principal, Action::ViewCases)?;
    let mut filter = filter_from(q)?;
    let region_label = pick_filter_region(&state.pool, &mut filter).await?;
    let scope = CaseScope::of(&v.principal, state.clock.now());
    let (cases, more) = store::list(&state.pool, &scope, &filter, state.settings.time_zone).await?;
    Ok(view::list(
        v.lang,
        &v.nav,
        &view::ListView {
            rows: rows(&state, cases),
            filter: view::Filter {
                region: region_label.unwrap_or_default(),
                ..view_filter(&filter)
            },
            more,
            may_break_glass: !scope.all,
            may_search_nik: allows(&v.principal, Action::SearchByNik),
            states: states(),
        },
    ))
}

/// The list's regency typed by its name ("nganjuk") or code, read as the region picker
/// reads it (`places::store::pick_region`); several or no matches are an error naming them.
/// Gives the label to show back in the field.
async fn pick_filter_region(
    pool: &sqlx::PgPool,
    filter: &mut CaseFilter,
) -> AppResult<Option<String>> {
    use crate::places::store::{pick_region, RegionChoice, RegionPick};
    let Some(typed) = filter.region.take() else {
        return Ok(None);
    };
    match pick_region(pool, &typed).await? {
        RegionPick::Nothing => Ok(None),
        RegionPick::One(one) => {
            filter.region = Some(one.code.clone());
            Ok(Some(one.label()))
        }
        RegionPick::Choose(found) if found.is_empty() => {
            Err(AppError::Invalid(vec![FieldError::new(
                "region",
                "tidak ada kab/kota atau provinsi dengan nama itu",
            )]))
        }
        RegionPick::Choose(found) => Err(AppError::Invalid(vec![FieldError::new(
            "region",
            format!(
                "beberapa wilayah cocok, ketik salah satu: {}",
                found
                    .iter()
                    .map(RegionChoice::label)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )])),
    }
}

/// The states to filter the list by.
fn states() -> Vec<(&'static str, vocab::Text)> {
    State::ALL.iter().map(|s| (s.code(), s.label())).collect()
}

fn view_filter(f: &CaseFilter) -> view::Filter {
    view::Filter {
        q: f.q.clone().unwrap_or_default(),
        region: f.region.clone().unwrap_or_default(),
        state: f.state.clone().unwrap_or_default(),
        from: f.from.map(|d| d.to_string()).unwrap_or_default(),
        to: f.to.map(|d| d.to_string()).unwrap_or_default(),
        page: f.page,
    }
}

#[derive(Deserialize)]
pub struct NikForm {
    nik: String,
}

/// NIK search is a POST, so the number never appears in a URL, history or log; and only
/// for the roles that see NIKs whole (the route's gate refuses the others first).
pub async fn search_by_nik(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Form(f): Form<NikForm>,
) -> AppResult<Markup> {
    require(&v.principal, Action::ViewCases)?;
    let nik = f.nik.trim();
    if nik.len() != 16 || !nik.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "nik",
            "NIK harus 16 angka",
        )]));
    }
    let key = NikKey::for_principal(&v.principal, nik).ok_or(AppError::Forbidden)?;
    let now = state.clock.now();
    let cases = access::search_nik(
        &state.pool,
        &v.principal,
        &v.origin,
        key,
        (now, state.settings.time_zone),
    )
    .await?;
    Ok(view::list(
        v.lang,
        &v.nav,
        &view::ListView {
            rows: rows(&state, cases),
            filter: view_filter(&CaseFilter::default()),
            more: false,
            may_break_glass: !CaseScope::of(&v.principal, now).all,
            may_search_nik: true,
            states: states(),
        },
    ))
}

#[derive(Deserialize)]
pub struct TransitionForm {
    to: String,
    #[serde(default)]
    reason: String,
}

pub async fn transition_case(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
    Form(f): Form<TransitionForm>,
) -> AppResult<Redirect> {
    let to = State::parse(&f.to)
        .ok_or_else(|| AppError::Invalid(vec![FieldError::new("to", "status tidak dikenal")]))?;
    let (p, origin, now) = (&v.principal, &v.origin, state.clock.now());
    lifecycle::move_case(&state.pool, p, origin, &number, (to, &f.reason), now).await?;
    Ok(to_case(&number, Done::Moved))
}

/// Back to the case page after a change made from it, which the page then confirms.
pub fn to_case(number: &CaseNumber, done: Done) -> Redirect {
    Redirect::to(&format!("/cases/{number}?done={}", done.code()))
}

/// A photo of a case, to viewers who may see the case (the read is audited with it).
pub async fn show_photo(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path((number, id)): Path<(CaseNumber, i64)>,
) -> AppResult<Response> {
    require(&v.principal, Action::ViewCases)?;
    let (p, origin, now) = (&v.principal, &v.origin, state.clock.now());
    let (content_type, bytes) =
        access::read_photo(&state.pool, p, origin, &number, id, now).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
