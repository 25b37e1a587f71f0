//! The intake desk and the case lifecycle. Invariants: a case is read only through the
//! viewer's scope, and every read of a person's details writes exactly one audit row.
pub mod api;
pub mod pages;
pub mod store;

use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use crate::auth::audit::{self, Origin};
use crate::auth::model::Principal;
use crate::auth::policy::CaseScope;
use crate::error::{AppError, AppResult};
use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", get(pages::list_cases))
        .route("/cases/search-nik", post(pages::search_by_nik))
        .route("/cases/{number}", get(pages::show_case))
        .route("/api/v1/cases", get(api::list_cases))
        .route("/api/v1/cases/{number}", get(api::show_case))
}

/// A case's details for a viewer, audited: a read, or a refused look-up of a case that
/// exists outside their scope (which they are told does not exist).
pub async fn read_case(
    state: &AppState,
    p: &Principal,
    origin: &Origin,
    number: &str,
) -> AppResult<store::CaseDetail> {
    match store::find(&state.pool, &CaseScope::of(p), number).await? {
        Some(case) => {
            audit::record(
                &state.pool,
                origin,
                "read",
                "case",
                Some(&case.number),
                json!({}),
            )
            .await?;
            Ok(case)
        }
        None => {
            if store::exists(&state.pool, number).await? {
                audit::record(
                    &state.pool,
                    origin,
                    "read_denied",
                    "case",
                    Some(number),
                    json!({}),
                )
                .await?;
            }
            Err(AppError::NotFound)
        }
    }
}
