//! The placement forms on the case page.
use axum::extract::{Path, State};
use axum::response::Redirect;
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::store;
use crate::auth::audit;
use crate::auth::policy::{require, Action, CaseScope};
use crate::error::{AppError, AppResult, FieldError};
use crate::intake::store::case_id_in;
use crate::web::viewer::Viewer;
use crate::web::AppState;

#[derive(Deserialize)]
pub struct WardForm {
    ward_id: String,
    #[serde(default)]
    reason: String,
}

fn ward_id(raw: &str) -> AppResult<i64> {
    raw.trim().parse().map_err(|_| {
        AppError::Invalid(vec![FieldError::new(
            "ward_id",
            "pilih bangsal / choose a ward",
        )])
    })
}

type Tx = sqlx::Transaction<'static, sqlx::Postgres>;

/// Opens the case in the viewer's scope for a placement change.
async fn open(state: &AppState, v: &Viewer, number: &str) -> AppResult<(Tx, i64)> {
    require(&v.principal, Action::ManagePlacements)?;
    let scope = CaseScope::of(&v.principal, state.clock.now());
    let mut tx = scope.begin(&state.pool).await?;
    let id = case_id_in(&mut tx, &scope, number)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((tx, id))
}

/// Audits the change, commits, has the capacity alerts look again, and shows the case.
async fn done(
    state: &AppState,
    mut tx: Tx,
    v: &Viewer,
    number: &str,
    what: &str,
    detail: serde_json::Value,
) -> AppResult<Redirect> {
    audit::record(&mut *tx, &v.origin, what, "case", Some(number), detail).await?;
    tx.commit().await?;
    crate::capacity::evaluate::spawn(
        state.pool.clone(),
        state.settings.clone(),
        state.clock.now(),
    );
    Ok(Redirect::to(&format!("/cases/{number}")))
}

pub async fn place_case(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<String>,
    Form(f): Form<WardForm>,
) -> AppResult<Redirect> {
    let ward = ward_id(&f.ward_id)?;
    let (mut tx, id) = open(&state, &v, &number).await?;
    let placed = store::place(&mut tx, id, ward, &v.principal, state.clock.now()).await?;
    done(&state, tx, &v, &number, "place", json!(placed)).await
}

pub async fn transfer_case(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<String>,
    Form(f): Form<WardForm>,
) -> AppResult<Redirect> {
    let ward = ward_id(&f.ward_id)?;
    let (mut tx, id) = open(&state, &v, &number).await?;
    let placement = store::transfer(
        &mut tx,
        id,
        ward,
        &v.principal,
        &f.reason,
        state.clock.now(),
    )
    .await?;
    done(
        &state,
        tx,
        &v,
        &number,
        "transfer",
        json!({"ward_id": ward, "placement_id": placement}),
    )
    .await
}

#[derive(Deserialize)]
pub struct DischargeForm {
    reason: String,
    #[serde(default)]
    note: String,
}

pub async fn discharge_case(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<String>,
    Form(f): Form<DischargeForm>,
) -> AppResult<Redirect> {
    let (mut tx, id) = open(&state, &v, &number).await?;
    store::discharge(
        &mut tx,
        id,
        &f.reason,
        &f.note,
        &v.principal,
        state.clock.now(),
    )
    .await?;
    done(
        &state,
        tx,
        &v,
        &number,
        "discharge",
        json!({"reason": f.reason}),
    )
    .await
}
