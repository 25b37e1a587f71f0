//! JSON API v1 for intakes: recording one (which opens its case) and the list.
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;

use super::create;
use super::model::{validate, IntakeRequest};
use crate::auth::policy::{require, Action};
use crate::cases::api::CaseList;
use crate::cases::api::NumberPath;
use crate::cases::filter::ListQuery;
use crate::cases::CaseNumber;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::api::{Caller, IdempotencyKey, JsonBody};
use simlontar_templates::Lang;

/// The same list as `GET /api/v1/cases`: each intake opens one case.
#[utoipa::path(get, path = "/api/v1/intakes", params(ListQuery),
    responses((status = 200, body = CaseList), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn list_intakes(
    state: State<AppState>,
    caller: Caller,
    q: Query<ListQuery>,
) -> AppResult<Json<CaseList>> {
    crate::cases::api::list_cases(state, caller, q).await
}

/// The outcome of an intake submission.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct IntakeCreated {
    pub case_number: CaseNumber,
    pub intake_id: i64,
    /// False when the request repeated an earlier one (same Idempotency-Key and body).
    pub created: bool,
}

/// Records an intake and opens its case. Requires an `Idempotency-Key` header (a UUID),
/// the caller's own: repeating a request returns the case the caller's first one made
/// (200); a different body under a key the caller used is refused (409). Another user's
/// key, even the same UUID, is not theirs: it makes a new intake.
#[utoipa::path(post, path = "/api/v1/intakes", request_body = IntakeRequest,
    params(("Idempotency-Key" = uuid::Uuid, Header, description = "UUID chosen by the client, one per intake; keys are per user")),
    responses((status = 201, body = IntakeCreated), (status = 200, body = IntakeCreated),
              (status = 422, description = "invalid fields", body = crate::error::Problem),
              (status = 409, description = "key reused for a different intake", body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn create_intake(
    State(state): State<AppState>,
    Caller { principal, origin }: Caller,
    IdempotencyKey(key): IdempotencyKey,
    JsonBody(req): JsonBody<IntakeRequest>,
) -> AppResult<(StatusCode, Json<IntakeCreated>)> {
    require(&principal, Action::CreateIntake)?;
    let now = state.clock.now();
    let intake = validate(&req, key, (now, state.settings.time_zone), Lang::En)
        .map_err(AppError::Invalid)?;
    let done = create::create(
        &state.pool,
        &intake,
        &[],
        &principal,
        &origin,
        now,
        state.settings.time_zone,
    )
    .await?;
    let status = if done.new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(IntakeCreated {
            case_number: done.case_number,
            intake_id: done.intake_id,
            created: done.new,
        }),
    ))
}

/// Corrects the intake of a case: only the fields given change; `reason` is required. Case
/// officers may correct any case in their scope; the intake officer who recorded it, for
/// 24 hours after recording (409 after that). Each value before and after goes to the
/// case's history, and the intake is matched again. Photos are added on the case page.
#[utoipa::path(post, path = "/api/v1/cases/{number}/corrections",
    request_body = super::correct::CorrectionRequest, params(NumberPath),
    responses((status = 200, body = super::correct::Corrected),
              (status = 422, description = "invalid fields, no reason, or nothing changed", body = crate::error::Problem),
              (status = 409, description = "the recording officer's day is over, or the case was anonymised", body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn correct_case(
    State(state): State<AppState>,
    Caller { principal, origin }: Caller,
    crate::web::path::Path(NumberPath { number }): crate::web::path::Path<NumberPath>,
    JsonBody(req): JsonBody<super::correct::CorrectionRequest>,
) -> AppResult<Json<super::correct::Corrected>> {
    let now = (state.clock.now(), state.settings.time_zone);
    let done = super::correct::correct(
        &state.pool,
        &principal,
        &origin,
        &number,
        (&req, &[]),
        now,
        Lang::En,
    )
    .await?;
    Ok(Json(done))
}
