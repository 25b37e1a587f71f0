//! JSON API v1 for cases: the list, one case, its events, and a move of state.
use axum::extract::{Query, State};
use axum::Json;
use serde_json::{json, Value};

use super::filter::{filter_from, ListQuery};
use super::model::State as CaseState;
use super::number::CaseNumber;
use super::{access, lifecycle, store};
use crate::auth::model::mask_nik;
use crate::auth::policy::{require, sees_full_identity, Action, CaseScope};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::api::{Caller, JsonBody};
use crate::web::path::Path;

/// The case number in a path, parsed (`web::path` refuses a malformed one before the
/// handler runs); the document states its pattern through [`CaseNumber`]'s schema.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct NumberPath {
    #[param(inline, example = "OT-3578-2026-000123")]
    pub number: CaseNumber,
}

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
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<CaseList>> {
    require(&caller.principal, Action::ViewCases)?;
    let filter = filter_from(q)?;
    let scope = CaseScope::of(&caller.principal, state.clock.now());
    let (cases, more) = store::list(&state.pool, &scope, &filter, state.settings.time_zone).await?;
    Ok(Json(CaseList {
        cases,
        page: filter.page,
        more,
    }))
}

#[utoipa::path(get, path = "/api/v1/cases/{number}",
    params(NumberPath),
    responses((status = 200, body = store::CaseDetail), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn show_case(
    State(state): State<AppState>,
    Caller { principal, origin }: Caller,
    Path(NumberPath { number }): Path<NumberPath>,
) -> AppResult<Json<store::CaseDetail>> {
    require(&principal, Action::ViewCases)?;
    let now = state.clock.now();
    let mut case = access::read(&state.pool, &principal, &origin, &number, now).await?;
    if !sees_full_identity(&principal) {
        case.nik = case.nik.as_deref().map(mask_nik);
        store::hide_biometric_methods(&mut case.events);
    }
    Ok(Json(case))
}

#[utoipa::path(get, path = "/api/v1/cases/{number}/events",
    params(NumberPath),
    responses((status = 200, body = [store::CaseEvent]), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn list_events(
    State(state): State<AppState>,
    Caller { principal, origin }: Caller,
    Path(NumberPath { number }): Path<NumberPath>,
) -> AppResult<Json<Vec<store::CaseEvent>>> {
    require(&principal, Action::ViewCases)?;
    let now = state.clock.now();
    let mut case = access::read(&state.pool, &principal, &origin, &number, now).await?;
    if !sees_full_identity(&principal) {
        store::hide_biometric_methods(&mut case.events);
    }
    Ok(Json(case.events))
}

/// A change of state asked for through the API.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "identity_pending", "reason": "dikirim ke DP3AK untuk sidik jari"}))]
pub struct TransitionRequest {
    pub to: CaseState,
    #[serde(default)]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{number}/events", request_body = TransitionRequest,
    params(NumberPath),
    responses((status = 200, description = "moved"), (status = 409, description = "not allowed from the current state, or the facts the state needs (placement, plan, departure, hand-over) do not exist", body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn add_event(
    State(state): State<AppState>,
    Caller { principal, origin }: Caller,
    Path(NumberPath { number }): Path<NumberPath>,
    JsonBody(req): JsonBody<TransitionRequest>,
) -> AppResult<Json<Value>> {
    let now = state.clock.now();
    let to = (req.to, req.reason.as_str());
    let from = lifecycle::move_case(&state.pool, &principal, &origin, &number, to, now).await?;
    Ok(Json(
        json!({ "number": number, "from": from, "to": req.to }),
    ))
}
