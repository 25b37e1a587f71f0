//! The intake desk and the case lifecycle. Invariants: a case is read only through the
//! viewer's scope, and every read of a person's details writes exactly one audit row.
pub mod api;
pub mod create;
pub mod desk;
pub mod hints;
pub mod lifecycle;
pub mod map;
pub mod model;
pub mod pages;
pub mod photo;
pub mod staging;
pub mod store;

use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use crate::auth::audit::{self, Origin};
use crate::auth::model::{Principal, Role};
use crate::auth::policy::{gate, Action, CaseScope};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    // Refused before the body is read (the desk's is a multipart photo upload).
    let desk = Router::new()
        .route("/intake", get(desk::new_intake).post(desk::submit_intake))
        .route_layer(from_fn_with_state(Action::CreateIntake, gate));
    // NIK search only for the roles that see NIKs whole (`policy::NikKey`).
    let by_nik = Router::new()
        .route("/cases/search-nik", post(pages::search_by_nik))
        .route_layer(from_fn_with_state(Action::SearchByNik, gate));
    let moves = Router::new()
        .route("/cases/{number}/transition", post(pages::transition_case))
        .route_layer(from_fn_with_state(Action::MoveCases, gate));
    Router::new()
        .merge(desk)
        .merge(by_nik)
        .merge(moves)
        .route("/intake/saved/{number}", get(desk::show_saved))
        .route("/intake/map.svg", get(desk::map_image))
        .route("/cases/{number}/photos/{id}", get(pages::show_photo))
        .route(
            "/api/v1/intakes",
            get(api::list_intakes).post(api::create_intake),
        )
        .route(
            "/api/v1/cases/{number}/events",
            get(api::list_events).post(api::add_event),
        )
        .route("/cases", get(pages::list_cases))
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
    match store::find(&state.pool, &CaseScope::of(p, state.clock.now()), number).await? {
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
        None => Err(not_found(state, p, origin, number).await),
    }
}

/// "Not found", to a principal asking for a case they may not see; when the case exists
/// (outside their scope) the look-up is kept in the audit trail as `read_denied`.
pub async fn not_found(state: &AppState, p: &Principal, origin: &Origin, number: &str) -> AppError {
    match note_denied(state, p, origin, number).await {
        Ok(()) => AppError::NotFound,
        Err(e) => e,
    }
}

async fn note_denied(
    state: &AppState,
    p: &Principal,
    origin: &Origin,
    number: &str,
) -> AppResult<()> {
    let now = state.clock.now();
    let scope = CaseScope::of(p, now);
    let mut tx = scope.begin(&state.pool).await?;
    // A case in scope with, say, a wrong photo id is simply not found.
    let visible = store::case_id_in(&mut tx, &scope, number).await?.is_some();
    tx.commit().await?;
    if !visible && store::exists(&state.pool, number, now).await? {
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
    Ok(())
}

/// Where a principal may record pick-ups: intake officers their own regencies, case
/// officers anywhere (`None`).
pub fn pickup_regions(p: &Principal) -> Option<Vec<String>> {
    if p.has(Role::CaseOfficer) {
        None
    } else {
        Some(p.scopes(Role::IntakeOfficer))
    }
}

/// Moves a case the principal may see to `to`, in one transaction with its event and an
/// audit row.
pub async fn move_case(
    state: &AppState,
    p: &Principal,
    origin: &Origin,
    number: &str,
    to: lifecycle::State,
    reason: &str,
) -> AppResult<lifecycle::State> {
    let scope = CaseScope::of(p, state.clock.now());
    let mut tx = scope.begin(&state.pool).await?;
    let id = store::case_id_in(&mut tx, &scope, number)
        .await?
        .ok_or(AppError::NotFound)?;
    let from = lifecycle::transition(&mut tx, id, to, Some(p), reason, state.clock.now()).await?;
    audit::record(
        &mut *tx,
        origin,
        "transition",
        "case",
        Some(number),
        json!({"from": from.as_str(), "to": to.as_str()}),
    )
    .await?;
    tx.commit().await?;
    Ok(from)
}

/// A transaction in a viewer's case scope.
pub type CaseTx = sqlx::Transaction<'static, sqlx::Postgres>;

/// Opens a case in the viewer's scope for a change they may make: (transaction, case id).
/// A case outside the scope is not found.
pub async fn open_case(
    state: &AppState,
    v: &crate::web::viewer::Viewer,
    number: &str,
    action: crate::auth::policy::Action,
) -> AppResult<(CaseTx, i64)> {
    crate::auth::policy::require(&v.principal, action)?;
    let scope = CaseScope::of(&v.principal, state.clock.now());
    let mut tx = scope.begin(&state.pool).await?;
    match store::case_id_in(&mut tx, &scope, number).await? {
        Some(id) => Ok((tx, id)),
        None => {
            tx.rollback().await?;
            Err(not_found(state, &v.principal, &v.origin, number).await)
        }
    }
}

/// Audits a change opened with [`open_case`], commits it, and sends the viewer back to the case.
pub async fn close_case(
    mut tx: CaseTx,
    v: &crate::web::viewer::Viewer,
    number: &str,
    what: &str,
    detail: serde_json::Value,
) -> AppResult<axum::response::Redirect> {
    audit::record(&mut *tx, &v.origin, what, "case", Some(number), detail).await?;
    tx.commit().await?;
    Ok(axum::response::Redirect::to(&format!("/cases/{number}")))
}
