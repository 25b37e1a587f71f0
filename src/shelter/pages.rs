//! The placement panel and forms on the case page.
use crate::cases::CaseNumber;
use crate::web::path::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::store;
use crate::auth::policy::{allows, Action, CaseScope};
use crate::cases::access::{self, CaseTx};
use crate::cases::model::State as CaseState;
use crate::cases::next_step::Done;
use crate::cases::pages::to_case;
use crate::clock::format_local;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::viewer::Viewer;
use simlontar_templates::confirm;
use simlontar_templates::i18n::tr;
use simlontar_templates::layout::Section;

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

async fn open(state: &AppState, v: &Viewer, number: &CaseNumber) -> AppResult<(CaseTx, i64)> {
    let (p, origin, now) = (&v.principal, &v.origin, state.clock.now());
    access::open(
        &state.pool,
        p,
        origin,
        number,
        Action::ManagePlacements,
        now,
    )
    .await
}

/// Commits the change with a request for the capacity alerts to look again.
async fn done(
    state: &AppState,
    mut tx: CaseTx,
    v: &Viewer,
    number: &CaseNumber,
    (what, detail): (Done, serde_json::Value),
) -> AppResult<Redirect> {
    use crate::jobs::queue::{enqueue, Work};
    enqueue(&mut tx, Work::Capacity, state.clock.now()).await?;
    // The audit names the change by the code the page confirms it with.
    access::commit(tx, &v.origin, number, what.code(), detail).await?;
    Ok(to_case(number, what))
}

pub async fn place_case(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
    Form(f): Form<WardForm>,
) -> AppResult<Redirect> {
    let ward = ward_id(&f.ward_id)?;
    let (mut tx, id) = open(&state, &v, &number).await?;
    let placed = store::place(
        &mut tx,
        id,
        ward,
        &v.principal,
        (state.clock.now(), state.settings.time_zone),
    )
    .await?;
    done(&state, tx, &v, &number, (Done::Place, json!(placed))).await
}

pub async fn transfer_case(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
    Form(f): Form<WardForm>,
) -> AppResult<Redirect> {
    let ward = ward_id(&f.ward_id)?;
    let (mut tx, id) = open(&state, &v, &number).await?;
    let now = state.clock.now();
    let placement = store::transfer(
        &mut tx,
        id,
        ward,
        &v.principal,
        &f.reason,
        (now, state.settings.time_zone),
    )
    .await?;
    let detail = json!({"ward_id": ward, "placement_id": placement});
    done(&state, tx, &v, &number, (Done::Transfer, detail)).await
}

#[derive(Deserialize)]
pub struct DischargeForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
    /// "yes" once the confirmation step was seen.
    #[serde(default)]
    confirm: String,
}

/// Why a resident may leave: moving to another UPT is a transfer, not a discharge.
fn discharge_reasons() -> Vec<(&'static str, crate::vocab::Text)> {
    crate::vocab::DischargeReason::ALL
        .iter()
        .filter(|r| r.ends_by_discharge())
        .map(|r| (r.code(), r.label()))
        .collect()
}

pub async fn discharge_case(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
    Form(f): Form<DischargeForm>,
) -> AppResult<Response> {
    let (mut tx, id) = open(&state, &v, &number).await?;
    let reasons = discharge_reasons();
    let known = reasons.iter().any(|(code, _)| *code == f.reason);
    // Leaving ends the stay and frees the bed: asked once more, with the reason chosen.
    if f.confirm != "yes" || !known {
        tx.rollback().await?;
        let l = v.lang;
        let error = (!known).then(|| tr(l, "Pilih alasan keluar.", "Choose a reason for leaving."));
        let fields =
            simlontar_templates::shelter::discharge_fields(l, &reasons, &f.reason, &f.note, error);
        let page = confirm::confirm(
            l,
            &v.nav,
            &confirm::ConfirmView {
                title: tr(l, "Catat keluar dari UPT", "Record a discharge"),
                section: Section::Cases,
                question: format!(
                    "{} {number}?",
                    tr(
                        l,
                        "Catat keluar dari UPT untuk kasus",
                        "Record the discharge of case"
                    )
                ),
                consequences: vec![
                    tr(
                        l,
                        "Penempatan berakhir dan tempat tidurnya menjadi kosong.",
                        "The stay ends and the bed becomes free.",
                    )
                    .into(),
                    tr(
                        l,
                        "Ini tidak dapat dibatalkan; penempatan baru harus dicatat lagi.",
                        "This cannot be undone; a new stay must be recorded again.",
                    )
                    .into(),
                ],
                action: format!("/cases/{number}/discharge"),
                hidden: vec![],
                fields: Some(fields),
                confirm_label: tr(l, "Ya, catat keluar", "Yes, record the discharge"),
                cancel: format!("/cases/{number}"),
            },
        );
        let status = if known {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok((status, page).into_response());
    }
    let now = state.clock.now();
    store::discharge(&mut tx, id, &f.reason, &f.note, &v.principal, now).await?;
    let detail = json!({"reason": f.reason});
    Ok(done(&state, tx, &v, &number, (Done::Discharge, detail))
        .await?
        .into_response())
}

/// The UPT panel: the stay and waiting list for every viewer; the wards that fit, and
/// the forms, for those who manage placements.
pub async fn panel(
    state: &AppState,
    v: &Viewer,
    case_id: i64,
) -> AppResult<simlontar_templates::shelter::Panel> {
    let now = state.clock.now();
    let tz = state.settings.time_zone;
    let scope = CaseScope::of(&v.principal, now);
    let mut tx = scope.begin(&state.pool).await?;
    let stay = store::stay(&mut tx, case_id).await?;
    let waiting = store::waiting_since(&mut tx, case_id).await?;
    let person = store::person(&mut tx, case_id, now, tz).await?;
    let manages = allows(&v.principal, Action::ManagePlacements);
    let state_now = CaseState::parse(&person.state);
    let may_place = manages
        && stay.is_none()
        && state_now.is_some_and(|s| s.next().contains(&CaseState::Placed));
    let may_move = manages && stay.is_some();
    let candidates = if may_place || may_move {
        store::candidates(&mut tx, &person).await?
    } else {
        vec![]
    };
    tx.commit().await?;
    let needs = crate::places::store::need_names(&state.pool, v.lang).await?;
    Ok(simlontar_templates::shelter::Panel {
        stay: stay.map(|s| {
            format!(
                "{} · {} · {}",
                s.upt_name,
                s.ward_name,
                format_local(s.started_at, tz)
            )
        }),
        waiting_since: waiting.map(|t| format_local(t, tz)),
        candidates: candidates
            .into_iter()
            .map(|c| simlontar_templates::shelter::CandidateRow {
                ward_id: c.ward_id,
                upt: c.upt_name,
                ward: c.ward_name,
                need: needs.get(&c.need).cloned().unwrap_or(c.need),
                free: c.free,
                beds: c.beds,
                distance_km: c.distance_km,
            })
            .collect(),
        may_place,
        may_move,
        // Moving to another UPT is a transfer, not a discharge.
        discharge_reasons: discharge_reasons(),
    })
}
