//! Reaching a case in a principal's scope: reading it, opening it for a change, and the
//! "not found" told about a case outside the scope. Invariants: a case is read only
//! through the principal's scope, every read of a person's details writes exactly one
//! audit row, and a look-up of a case that exists outside the scope is audited.
use serde_json::json;

use super::store;
use crate::auth::audit::{self, Origin};
use crate::auth::model::Principal;
use crate::auth::policy::CaseScope;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

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
