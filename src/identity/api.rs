//! JSON API v1 for DP3AK's system: identity check results.
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::check::{validate, CheckRequest};
use super::store::{self, CheckRecorded};
use crate::auth::policy::{require, Action};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::api::{Caller, IdempotencyKey, JsonBody};
use simlontar_templates::Lang;

/// Records a DP3AK identity check result. With `case_number`, a strong match that the
/// intake does not contradict identifies the case at once; anything less certain goes to
/// the review queue. Requires an `Idempotency-Key` header (UUID): a repeat returns the
/// first answer (200); a different body under a used key is refused (409).
#[utoipa::path(post, path = "/api/v1/identity-checks", request_body = CheckRequest,
    params(("Idempotency-Key" = uuid::Uuid, Header, description = "UUID chosen by the client, one per check result")),
    responses((status = 201, body = CheckRecorded), (status = 200, body = CheckRecorded),
              (status = 422, description = "invalid fields", body = crate::error::Problem),
              (status = 409, description = "key reused for a different check", body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn create_check(
    State(state): State<AppState>,
    Caller { principal, origin }: Caller,
    IdempotencyKey(key): IdempotencyKey,
    JsonBody(req): JsonBody<CheckRequest>,
) -> AppResult<(StatusCode, Json<CheckRecorded>)> {
    require(&principal, Action::RecordIdentity)?;
    let now = state.clock.now();
    let check = validate(&req, now, Lang::En).map_err(AppError::Invalid)?;
    let arrival = store::Arrival {
        key,
        source: "api",
        accept_score: state.settings.identity_accept_score,
        tz: state.settings.time_zone,
    };
    let done = store::record(&state.pool, &principal, &origin, &check, &arrival, now).await?;
    let status = if done.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(done)))
}
