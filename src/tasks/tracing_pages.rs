//! Giving a family tracing task (case officers and UPT staff, from the case page of a
//! person nobody has identified), and the case page's panel of the case's tasks.
use crate::cases::CaseNumber;
use crate::web::path::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::Days;
use serde_json::json;

use super::model::{self, TracingForm};
use super::pages::{day, kind_label, rematch_lines, status, Tx};
use super::store;
use crate::auth::policy::{allows, Action, CaseScope};
use crate::cases::model::State as CaseState;
use crate::cases::{access, next_step::Done, pages::to_case};
use crate::clock::local_date;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::vocab::TaskKind;
use crate::web::viewer::Viewer;
use simlontar_templates::i18n::{one_language, tr};
use simlontar_templates::tasks as view;

/// Whether case `case_id` is a resident nobody has identified (the tracing's people).
async fn unidentified(tx: &mut Tx, state: &AppState, case_id: i64) -> AppResult<bool> {
    let now = state.clock.now();
    let f = crate::routing::handover::facts(tx, case_id, now, state.settings.time_zone).await?;
    Ok(
        matches!(f.state, CaseState::Unidentified | CaseState::Placed)
            && f.facts.identity.is_none(),
    )
}

const NOT_UNIDENTIFIED: &str = "Penelusuran keluarga hanya untuk warga yang belum dikenal (tidak teridentifikasi atau di UPT tanpa identitas). / Family tracing is only for people not yet identified.";

/// The East Java regencies, named, for the office picker.
async fn offices(state: &AppState) -> AppResult<Vec<(String, String)>> {
    let mut all: Vec<(String, String)> = crate::places::store::regency_names(&state.pool)
        .await?
        .into_iter()
        .filter(|(code, _)| code.starts_with("35."))
        .collect();
    all.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(all)
}

pub async fn show_tracing(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
) -> AppResult<Response> {
    let today = local_date(state.clock.now(), state.settings.time_zone);
    let kept = view::TracingKept {
        to: "office".into(),
        due_on: (today + Days::new(14)).format("%Y-%m-%d").to_string(),
        ..Default::default()
    };
    tracing_response(&state, &v, &number, kept, StatusCode::OK).await
}

async fn tracing_response(
    state: &AppState,
    v: &Viewer,
    number: &CaseNumber,
    kept: view::TracingKept,
    status_code: StatusCode,
) -> AppResult<Response> {
    let now = state.clock.now();
    let (mut tx, case_id) = access::open(
        &state.pool,
        &v.principal,
        &v.origin,
        number,
        Action::AssignTracing,
        now,
    )
    .await?;
    let mut kept = kept;
    if !unidentified(&mut tx, state, case_id).await? {
        // Said on the form's own page, with the way back to the case.
        kept.refusal = Some(one_language(v.lang, NOT_UNIDENTIFIED));
    }
    let name: String = sqlx::query_scalar(
        "SELECT coalesce(nullif(i.stated_name, ''), '–') FROM ot_case c JOIN intake i ON i.id = c.intake_id WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_one(&mut *tx)
    .await?;
    if status_code == StatusCode::OK {
        access::commit(tx, &v.origin, number, "read", json!({"form": "tracing"})).await?;
    } else {
        tx.commit().await?;
    }
    let offices = offices(state).await?;
    Ok((
        status_code,
        view::tracing_page(
            v.lang,
            &v.nav,
            (number.as_str(), &name, &v.nav.csrf),
            &offices,
            &kept,
        ),
    )
        .into_response())
}

/// Gives the tracing task; a refused form comes back with what was typed.
pub async fn assign_tracing(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
    Form(f): Form<TracingForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let tz = state.settings.time_zone;
    let (mut tx, case_id) = access::open(
        &state.pool,
        &v.principal,
        &v.origin,
        &number,
        Action::AssignTracing,
        now,
    )
    .await?;
    if !unidentified(&mut tx, &state, case_id).await? {
        return Err(AppError::Conflict(NOT_UNIDENTIFIED.into()));
    }
    let lang = v.lang;
    let mut errors = vec![];
    let valid = model::check_tracing(&f, local_date(now, tz), lang)
        .map_err(|e| errors = e)
        .ok();
    let office = f.office.trim();
    let regency = if office.is_empty() {
        None
    } else {
        let found = store::regency(&mut tx, office).await?;
        if found.is_none() {
            errors.push(FieldError::new(
                "office",
                tr(
                    lang,
                    "kantor ini tidak ada dalam daftar; pilih dari daftar",
                    "this office is not on the list: choose from the list",
                ),
            ));
        }
        found
    };
    let mut district = None;
    if f.to == "tksk" && regency.is_some() && !f.tksk_district.trim().is_empty() {
        district = store::district_in(&mut tx, office, &f.tksk_district).await?;
        if district.is_none() {
            errors.push(FieldError::new(
                "tksk_district",
                format!(
                    "{} {}",
                    tr(
                        lang,
                        "kecamatan ini tidak ditemukan di",
                        "this subdistrict is not in"
                    ),
                    regency.clone().unwrap_or_default()
                ),
            ));
        }
    }
    match valid {
        Some(valid) if errors.is_empty() => {
            let id = store::assign_tracing(
                &mut tx,
                case_id,
                (office, district.as_deref()),
                (&valid, &f.known),
                &v.principal,
                (now, tz),
            )
            .await?;
            let detail = json!({"task": id, "office_code": office, "tksk": valid.tksk.is_some()});
            access::commit(tx, &v.origin, &number, "tracing_assigned", detail).await?;
            Ok(to_case(&number, Done::Tracing).into_response())
        }
        _ => {
            tx.rollback().await?;
            let kept = view::TracingKept {
                errors: errors
                    .into_iter()
                    .map(|e| (e.field, one_language(lang, &e.message)))
                    .collect(),
                to: f.to.clone(),
                office: f.office.clone(),
                tksk_name: f.tksk_name.clone(),
                tksk_phone: f.tksk_phone.clone(),
                tksk_district: f.tksk_district.clone(),
                due_on: f.due_on.clone(),
                known: f.known.clone(),
                refusal: None,
            };
            tracing_response(&state, &v, &number, kept, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// The case page's panel: the case's tasks with their outcomes, the re-match's new
/// candidates for those who review links, and the tracing offer.
pub async fn case_panel(state: &AppState, v: &Viewer, case_id: i64) -> AppResult<view::CasePanel> {
    let now = state.clock.now();
    let lang = v.lang;
    let mut tx = CaseScope::of(&v.principal, now).begin(&state.pool).await?;
    let tasks = store::of_case(&mut tx, case_id).await?;
    let mut rematch = vec![];
    if allows(&v.principal, Action::ReviewLinks) {
        if let Some(t) = tasks
            .iter()
            .find(|t| t.kind() == TaskKind::Tracing && t.answered_at.is_none())
        {
            rematch = rematch_lines(&mut tx, t, lang).await?;
        }
    }
    let may_trace = allows(&v.principal, Action::AssignTracing)
        && unidentified(&mut tx, state, case_id).await?;
    tx.commit().await?;
    Ok(view::CasePanel {
        tasks: tasks
            .iter()
            .map(|t| {
                let who = match &t.tksk_name {
                    Some(n) => format!("TKSK {n} ({})", t.office_name.clone().unwrap_or_default()),
                    None => t.office_name.clone().unwrap_or_default(),
                };
                let mut what = status(t, lang);
                if let Some(n) = t.outcome().and_then(|o| o.next_step(lang)) {
                    what = format!("{what}. {n}");
                }
                (
                    format!(
                        "{} · {who} · {} {}",
                        kind_label(t, lang),
                        tr(lang, "batas", "due"),
                        day(t.due_on)
                    ),
                    what,
                    t.overdue(now),
                )
            })
            .collect(),
        rematch,
        may_trace,
    })
}
