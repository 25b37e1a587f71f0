//! JSON API v1 for cases.
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};

use super::pages::{filter_from, ListQuery};
use super::store;
use crate::auth::audit::Origin;
use crate::auth::model::{mask_nik, Principal};
use crate::auth::policy::{require, sees_full_identity, Action, CaseScope};
use crate::error::AppResult;
use crate::web::AppState;
use axum::Extension;

pub async fn list_cases(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Value>> {
    require(&p, Action::ViewCases)?;
    let filter = filter_from(q)?;
    let (cases, more) = store::list(&state.pool, &CaseScope::of(&p), &filter).await?;
    Ok(Json(
        json!({ "cases": cases, "page": filter.page, "more": more }),
    ))
}

pub async fn show_case(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> AppResult<Json<store::CaseDetail>> {
    require(&p, Action::ViewCases)?;
    let origin = Origin {
        actor_id: Some(p.user_id),
        remote_addr: None,
        request_id: headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(String::from),
    };
    let mut case = super::read_case(&state, &p, &origin, &number).await?;
    if !sees_full_identity(&p) {
        case.nik = case.nik.as_deref().map(mask_nik);
    }
    Ok(Json(case))
}
