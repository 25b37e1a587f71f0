//! JSON API v1 for cases: the list, one case, its events, and a move of state.
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};

use super::filter::{filter_from, ListQuery};
use super::model::State as CaseState;
use super::store;
use crate::auth::model::{mask_nik, Principal};
use crate::auth::policy::{require, sees_full_identity, Action, CaseScope};
use crate::error::AppResult;
use crate::intake::api::{json_body, origin_of};
use crate::state::AppState;
use axum::Extension;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CaseList {
    pub cases: Vec<store::CaseSummary>,
    pub page: i64,
    /// Whether a next page exists.
    pub more: bool,
}

/// Cases the caller may see, newest first, 50 a page. `q` matches names (spelling-tolerant)
/// and case numbers; NIK search is only offered on the desk (never in a URL).
#[utoipa::path(get, path = "/api/v1/cases", params(ListQuery),
    responses((status = 200, body = CaseList), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn list_cases(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Value>> {
    require(&p, Action::ViewCases)?;
    let filter = filter_from(q)?;
    let (cases, more) =
        store::list(&state.pool, &CaseScope::of(&p, state.clock.now()), &filter).await?;
    Ok(Json(
        json!({ "cases": cases, "page": filter.page, "more": more }),
    ))
}

#[utoipa::path(get, path = "/api/v1/cases/{number}",
    params(("number" = String, Path, description = "case number")),
    responses((status = 200, body = store::CaseDetail), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn show_case(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> AppResult<Json<store::CaseDetail>> {
    require(&p, Action::ViewCases)?;
    let mut case = super::access::read_case(&state, &p, &origin_of(&p, &headers), &number).await?;
    if !sees_full_identity(&p) {
        case.nik = case.nik.as_deref().map(mask_nik);
        store::hide_biometric_methods(&mut case.events);
    }
    Ok(Json(case))
}

#[utoipa::path(get, path = "/api/v1/cases/{number}/events",
    params(("number" = String, Path, description = "case number, e.g. OT-3578-2026-000123")),
    responses((status = 200, body = [store::CaseEvent]), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn list_events(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> AppResult<Json<Vec<store::CaseEvent>>> {
    require(&p, Action::ViewCases)?;
    let mut case = super::access::read_case(&state, &p, &origin_of(&p, &headers), &number).await?;
    if !sees_full_identity(&p) {
        store::hide_biometric_methods(&mut case.events);
    }
    Ok(Json(case.events))
}

/// A change of state asked for through the API.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    pub to: CaseState,
    #[serde(default)]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{number}/events", request_body = TransitionRequest,
    params(("number" = String, Path, description = "case number")),
    responses((status = 200, description = "moved"), (status = 409, description = "not allowed from the current state, or the facts the state needs (placement, plan, departure, hand-over) do not exist", body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn add_event(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(number): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Json<Value>> {
    require(&p, Action::MoveCases)?;
    let req: TransitionRequest = json_body(&body)?;
    let from = super::lifecycle::move_case(
        &state,
        &p,
        &origin_of(&p, &headers),
        &number,
        req.to,
        &req.reason,
    )
    .await?;
    Ok(Json(
        json!({ "number": number, "from": from, "to": req.to }),
    ))
}
