//! JSON API for placements.
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;

use super::store::{self, Candidate, Placed};
use crate::auth::model::Principal;
use crate::auth::policy::{require, Action, CaseScope};
use crate::cases::store::case_id_in;
use crate::error::{AppError, AppResult};
use crate::intake::api::{json_body, origin_of};
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacementRequest {
    pub ward_id: i64,
}

/// Places the person in a ward. 201 when a bed was given; 409 when the ward is full —
/// the person is then on the waiting list for that kind of ward.
#[utoipa::path(post, path = "/api/v1/cases/{number}/placement",
    params(("number" = String, Path, description = "case number")),
    request_body = PlacementRequest,
    responses((status = 201, description = "placed"), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn place_case(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(number): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    require(&p, Action::ManagePlacements)?;
    let req: PlacementRequest = json_body(&body)?;
    let now = state.clock.now();
    let scope = CaseScope::of(&p, now);
    let origin = origin_of(&p, &headers);
    let mut tx = scope.begin(&state.pool).await?;
    let Some(id) = case_id_in(&mut tx, &scope, &number).await? else {
        tx.rollback().await?;
        return Err(crate::cases::access::not_found(&state, &p, &origin, &number).await);
    };
    let placed = store::place(&mut tx, id, req.ward_id, &p, now).await?;
    crate::auth::audit::record(
        &mut *tx,
        &origin,
        "place",
        "case",
        Some(&number),
        json!(placed),
    )
    .await?;
    tx.commit().await?;
    crate::capacity::evaluate::spawn(state.pool.clone(), state.settings.clone(), now);
    match placed {
        Placed::Placed { .. } => Ok((StatusCode::CREATED, Json(json!(placed)))),
        Placed::Full { need, .. } => Err(AppError::Conflict(format!(
            "ward full: the person is on the waiting list for a {need} bed"
        ))),
    }
}

/// The wards that fit the person, best first, with free beds and distance.
#[utoipa::path(get, path = "/api/v1/cases/{number}/placement-candidates",
    params(("number" = String, Path, description = "case number")),
    responses((status = 200, description = "candidate wards", body = [Candidate]),
              (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn list_candidates(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> AppResult<Json<Vec<Candidate>>> {
    require(&p, Action::ManagePlacements)?;
    let now = state.clock.now();
    let scope = CaseScope::of(&p, now);
    let mut tx = scope.begin(&state.pool).await?;
    let Some(id) = case_id_in(&mut tx, &scope, &number).await? else {
        tx.rollback().await?;
        let origin = origin_of(&p, &headers);
        return Err(crate::cases::access::not_found(&state, &p, &origin, &number).await);
    };
    let person = store::person(&mut tx, id, now).await?;
    Ok(Json(store::candidates(&mut tx, &person).await?))
}
