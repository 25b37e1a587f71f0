//! JSON API for placements.
use crate::web::path::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::store::{self, Candidate, Placed};
use crate::auth::policy::Action;
use crate::cases::access;
use crate::cases::api::NumberPath;
use crate::error::{AppError, AppResult};
use crate::jobs::queue;
use crate::state::AppState;
use crate::web::api::{Caller, JsonBody};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ward_id": 12}))]
pub struct PlacementRequest {
    /// A ward from the case's `placement-candidates`.
    pub ward_id: i64,
}

/// Places the person in a ward. 201 when a bed was given; 409 when the ward is full —
/// the person is then on the waiting list for that kind of ward.
#[utoipa::path(post, path = "/api/v1/cases/{number}/placement",
    params(NumberPath),
    request_body = PlacementRequest,
    responses((status = 201, description = "placed"), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn place_case(
    State(state): State<AppState>,
    Caller { principal, origin }: Caller,
    Path(NumberPath { number }): Path<NumberPath>,
    JsonBody(req): JsonBody<PlacementRequest>,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    let now = state.clock.now();
    let (p, pool) = (&principal, &state.pool);
    let (mut tx, id) =
        access::open(pool, p, &origin, &number, Action::ManagePlacements, now).await?;
    let placed = store::place(&mut tx, id, req.ward_id, p, (now, state.settings.time_zone)).await?;
    // The capacity alerts look again, asked for with the placement.
    queue::enqueue(&mut tx, queue::Work::Capacity, now).await?;
    access::commit(tx, &origin, &number, "place", json!(placed)).await?;
    match placed {
        Placed::Placed { .. } => Ok((StatusCode::CREATED, Json(json!(placed)))),
        Placed::Full { need, .. } => Err(AppError::Conflict(format!(
            "ward full: the person is on the waiting list for a {need} bed"
        ))),
    }
}

/// The wards that fit the person, best first, with free beds and distance.
#[utoipa::path(get, path = "/api/v1/cases/{number}/placement-candidates",
    params(NumberPath),
    responses((status = 200, description = "candidate wards", body = [Candidate]),
              (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn list_candidates(
    State(state): State<AppState>,
    Caller { principal, origin }: Caller,
    Path(NumberPath { number }): Path<NumberPath>,
) -> AppResult<Json<Vec<Candidate>>> {
    let now = state.clock.now();
    let (p, pool) = (&principal, &state.pool);
    let (mut tx, id) =
        access::open(pool, p, &origin, &number, Action::ManagePlacements, now).await?;
    let person = store::person(&mut tx, id, now, state.settings.time_zone).await?;
    Ok(Json(store::candidates(&mut tx, &person).await?))
}
