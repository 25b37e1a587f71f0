//! JSON API v1 for DP3AK's system: identity check results.
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};

use super::check::{validate, CheckRequest};
use super::store::{self, CheckRecorded};
use crate::auth::model::Principal;
use crate::auth::policy::{require, Action};
use crate::error::{AppError, AppResult};
use crate::intake::api::{idempotency_key, json_body, origin_of};
use crate::state::AppState;
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
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> AppResult<(StatusCode, Json<CheckRecorded>)> {
    require(&p, Action::RecordIdentity)?;
    let key = idempotency_key(&headers)?;
    let req: CheckRequest = json_body(&body)?;
    let now = state.clock.now();
    let check = validate(&req, now, Lang::En).map_err(AppError::Invalid)?;
    let done = store::record(
        &state.pool,
        &p,
        &origin_of(&p, &headers),
        &check,
        &store::Arrival {
            key,
            source: "api",
            accept_score: state.settings.identity_accept_score,
        },
        now,
    )
    .await?;
    let status = if done.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(done)))
}
