//! The placement forms on the case page.
use axum::extract::{Path, State};
use axum::response::Redirect;
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::store;
use crate::auth::policy::Action;
use crate::error::{AppError, AppResult, FieldError};
use crate::intake::{close_case, open_case, CaseTx};
use crate::web::viewer::Viewer;
use crate::state::AppState;

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

async fn open(state: &AppState, v: &Viewer, number: &str) -> AppResult<(CaseTx, i64)> {
    open_case(state, v, number, Action::ManagePlacements).await
}

/// Closes the change and has the capacity alerts look again.
async fn done(
    state: &AppState,
    tx: CaseTx,
    v: &Viewer,
    number: &str,
    what: &str,
    detail: serde_json::Value,
) -> AppResult<Redirect> {
    let back = close_case(tx, v, number, what, detail).await?;
    crate::capacity::evaluate::spawn(
        state.pool.clone(),
        state.settings.clone(),
        state.clock.now(),
    );
    Ok(back)
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
