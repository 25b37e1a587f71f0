//! The case list, NIK search, a bare move of state, and a case's photos.
use axum::extract::{Path, Query, State as AxState};
use axum::Form;
use maud::Markup;
use serde::Deserialize;
use serde_json::json;

use super::filter::{filter_from, ListQuery};
use super::model::State;
use super::store::{self, CaseFilter};
use crate::auth::audit;
use crate::auth::policy::{allows, require, Action, CaseScope, NikKey};
use crate::clock::format_local;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::viewer::Viewer;
use simlontar_templates::cases as view;

fn rows(state: &AppState, cases: Vec<store::CaseSummary>) -> Vec<view::CaseRow> {
    cases
        .into_iter()
        .map(|c| view::CaseRow {
            found_at: format_local(c.found_at, state.settings.time_zone),
            number: c.number,
            state: c.state,
            name: c.stated_name,
            sex: c.sex,
            age: c.age,
            found_region: c.found_region,
            home_region: c.home_region.unwrap_or_default(),
        })
        .collect()
}

pub async fn list_cases(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> AppResult<Markup> {
    require(&v.principal, Action::ViewCases)?;
    let filter = filter_from(q)?;
    let (cases, more) = store::list(
        &state.pool,
        &CaseScope::of(&v.principal, state.clock.now()),
        &filter,
    )
    .await?;
    Ok(view::list(
        v.lang,
        &v.nav,
        &view::ListView {
            rows: rows(&state, cases),
            filter: view_filter(&filter),
            more,
            may_break_glass: !CaseScope::of(&v.principal, state.clock.now()).all,
            may_search_nik: allows(&v.principal, Action::SearchByNik),
        },
    ))
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
    let filter = CaseFilter {
        nik: Some(key),
        ..Default::default()
    };
    let (cases, _) = store::list(
        &state.pool,
        &CaseScope::of(&v.principal, state.clock.now()),
        &filter,
    )
    .await?;
    audit::record(
        &state.pool,
        &v.origin,
        "search_nik",
        "case",
        None,
        json!({"results": cases.len()}),
    )
    .await?;
    Ok(view::list(
        v.lang,
        &v.nav,
        &view::ListView {
            rows: rows(&state, cases),
            filter: view_filter(&filter),
            more: false,
            may_break_glass: !CaseScope::of(&v.principal, state.clock.now()).all,
            may_search_nik: true,
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
    Path(number): Path<String>,
    Form(f): Form<TransitionForm>,
) -> AppResult<axum::response::Redirect> {
    let to = State::parse(&f.to)
        .ok_or_else(|| AppError::Invalid(vec![FieldError::new("to", "status tidak dikenal")]))?;
    super::lifecycle::move_case(&state, &v.principal, &v.origin, &number, to, &f.reason).await?;
    Ok(axum::response::Redirect::to(&format!("/cases/{number}")))
}

/// A photo of a case, to viewers who may see the case (the read is audited with it).
pub async fn show_photo(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path((number, id)): Path<(String, i64)>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    require(&v.principal, Action::ViewCases)?;
    let Some(photo) = store::photo(
        &state.pool,
        &CaseScope::of(&v.principal, state.clock.now()),
        &number,
        id,
    )
    .await?
    else {
        return Err(super::access::not_found(&state, &v.principal, &v.origin, &number).await);
    };
    // A face is personal data like the rest of the case: each view is a read on record
    // (the access report lists it with the case).
    audit::record(
        &state.pool,
        &v.origin,
        "read_photo",
        "case",
        Some(&number),
        json!({"photo": id}),
    )
    .await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, photo.0),
            (
                axum::http::header::CACHE_CONTROL,
                "private, no-store".to_string(),
            ),
        ],
        photo.1,
    )
        .into_response())
}
