//! JSON API v1 for intakes: recording one (which opens its case) and the list.
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::Value;

use super::model::{validate, IntakeRequest};
use crate::auth::audit::Origin;
use crate::auth::model::Principal;
use crate::auth::policy::{require, Action};
use crate::cases::api::CaseList;
use crate::cases::filter::ListQuery;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use axum::Extension;
use simlontar_templates::Lang;

/// The same list as `GET /api/v1/cases`: each intake opens one case.
#[utoipa::path(get, path = "/api/v1/intakes", params(ListQuery),
    responses((status = 200, body = CaseList), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn list_intakes(
    state: State<AppState>,
    p: Extension<Principal>,
    q: Query<ListQuery>,
) -> AppResult<Json<Value>> {
    crate::cases::api::list_cases(state, p, q).await
}

/// The outcome of an intake submission.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct IntakeCreated {
    pub case_number: String,
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
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> AppResult<(axum::http::StatusCode, Json<IntakeCreated>)> {
    require(&p, Action::CreateIntake)?;
    let key = idempotency_key(&headers)?;
    let req: IntakeRequest = json_body(&body)?;
    let now = state.clock.now();
    let intake = validate(&req, key, now, Lang::En).map_err(AppError::Invalid)?;
    let origin = origin_of(&p, &headers);
    let allowed = super::pickup_regions(&p);
    let done = super::create::create(
        &state.pool,
        &intake,
        &[],
        &p,
        &origin,
        allowed.as_deref(),
        now,
    )
    .await?;
    if done.new {
        // Is this someone picked up before? Answered in the background.
        crate::identity::reintake::spawn(
            state.pool.clone(),
            crate::identity::reintake::Thresholds::of(&state.settings),
            now,
        );
    }
    let status = if done.new {
        axum::http::StatusCode::CREATED
    } else {
        axum::http::StatusCode::OK
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

/// The client's `Idempotency-Key` header (a UUID), required on every create.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<uuid::Uuid, AppError> {
    headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| uuid::Uuid::parse_str(v.trim()).ok())
        .ok_or_else(|| {
            AppError::Invalid(vec![FieldError::new(
                "Idempotency-Key",
                "a UUID header is required",
            )])
        })
}

/// A JSON body, or a field error naming where it went wrong (`aliases[1]`, or `body`).
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "body".to_string()
        } else {
            path
        };
        AppError::Invalid(vec![FieldError::new(field, e.inner().to_string())])
    })
}

pub(crate) fn origin_of(p: &Principal, headers: &HeaderMap) -> Origin {
    Origin {
        actor_id: Some(p.user_id),
        remote_addr: None,
        request_id: headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(String::from),
    }
}
