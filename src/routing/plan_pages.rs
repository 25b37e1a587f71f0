//! The plan page of a case: the departure (date, time, escort), the legs an officer
//! corrects with a reason, the expected arrival, the changes made, and the step that
//! records the departure. Forms work without scripts; a refused form comes back with
//! each error beside its field and everything typed kept.
use crate::cases::CaseNumber;
use crate::web::path::Path;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::departure::{self, DepartureInput, LegInput};
use crate::auth::policy::{allows, Action};
use crate::cases::access;
use crate::clock::format_local;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::vocab::{self, TravelMode};
use crate::web::viewer::Viewer;
use simlontar_templates::routing as view;

#[derive(Deserialize, Default)]
pub struct Saved {
    #[serde(default)]
    saved: String,
}

/// What a refused form brings back: its errors and what was typed.
#[derive(Default)]
struct Refused {
    errors: Vec<(String, String)>,
    departure: Option<DepartureInput>,
    leg: Option<(usize, LegInput)>,
}

pub async fn show_plan(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
    Query(q): Query<Saved>,
) -> AppResult<Response> {
    let saved = match q.saved.as_str() {
        "departure" => Some(simlontar_templates::i18n::tr(
            v.lang,
            "Jadwal keberangkatan tersimpan. Kantor penerima diberi tahu perkiraan tibanya.",
            "Departure saved. The receiving office was told the expected arrival.",
        )),
        "leg" => Some(simlontar_templates::i18n::tr(
            v.lang,
            "Perubahan rute tersimpan dan dicatat.",
            "The change to the leg is saved and on record.",
        )),
        _ => None,
    };
    render(&state, &v, &number, Refused::default(), saved).await
}

async fn render(
    state: &AppState,
    v: &Viewer,
    number: &CaseNumber,
    refused: Refused,
    saved: Option<&str>,
) -> AppResult<Response> {
    let (p, origin, now) = (&v.principal, &v.origin, state.clock.now());
    let tz = state.settings.time_zone;
    let (mut tx, id) =
        access::open(&state.pool, p, origin, number, Action::ViewRouting, now).await?;
    type Row = (
        String,
        Value,
        Option<DateTime<Utc>>,
        Option<String>,
        Option<DateTime<Utc>>,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT state, plan, planned_departure, escort_name, departs_at FROM transport_plan
          WHERE case_id = $1 AND state <> 'cancelled' ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let changes: Vec<(DateTime<Utc>, String, String, String, Value)> = sqlx::query_as(
        "SELECT pc.changed_at, coalesce(u.display_name, '–'), pc.kind, pc.reason, pc.after
           FROM plan_change pc LEFT JOIN app_user u ON u.id = pc.changed_by
           JOIN transport_plan t ON t.id = pc.plan_id
          WHERE t.case_id = $1 AND t.state <> 'cancelled' ORDER BY pc.id DESC",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    // What the receiving office answered: another date (the officer takes it by changing
    // the departure), collecting at Sidoarjo, accepting.
    let answers: Vec<(String, Option<chrono::NaiveDate>, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT r.kind, r.proposed_date, r.note, r.at FROM handover_response r
           JOIN handover_notice n ON n.id = r.notice_id JOIN transport_plan t ON t.id = n.plan_id
          WHERE t.case_id = $1 AND t.state <> 'cancelled' ORDER BY r.id DESC",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    // A refused form's page shows again what was just shown: its read is already on record.
    if saved.is_none() && !refused.errors.is_empty() {
        tx.commit().await?;
    } else {
        access::commit(tx, origin, number, "read_plan", json!({})).await?;
    }
    let Some((plan_state, plan, planned, escort_name, departed)) = row else {
        return Err(AppError::NotFound);
    };
    let local = planned.map(|t| t.with_timezone(&tz));
    let typed = refused.departure.unwrap_or_else(|| DepartureInput {
        date: local
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        time: local
            .map(|t| t.format("%H:%M").to_string())
            .unwrap_or_default(),
        escort_name: escort_name.clone().unwrap_or_default(),
        reason: String::new(),
    });
    let legs = plan["legs"].as_array().cloned().unwrap_or_default();
    let lang = v.lang;
    let page = view::plan_page(
        lang,
        &v.nav,
        &view::PlanPage {
            number: number.to_string(),
            plan: super::pages::plan_view(state, &plan_state, &plan, None).await,
            may_change: allows(p, Action::DecideCase) && plan_state == "accepted",
            departed: departed.map(|t| format_local(t, tz)),
            planned: planned.map(|t| format_local(t, tz)),
            arrival: departure::arrival_of(&plan, planned, departed).map(|t| format_local(t, tz)),
            escort_needed: plan["escort"]["who"].as_str().map(String::from),
            departure: view::DepartureValues {
                date: typed.date,
                time: typed.time,
                escort_name: typed.escort_name,
                reason: typed.reason,
            },
            legs: legs
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let kept = refused
                        .leg
                        .as_ref()
                        .filter(|(at, _)| *at == i)
                        .map(|(_, t)| t);
                    view::LegEdit {
                        mode: kept.map_or_else(
                            || l["mode"].as_str().unwrap_or_default().to_string(),
                            |t| t.mode.clone(),
                        ),
                        day: kept.map_or_else(
                            || l["day"].as_u64().unwrap_or(1).to_string(),
                            |t| t.day.clone(),
                        ),
                        fare: kept.map_or_else(
                            || l["fare_idr"].as_u64().unwrap_or(0).to_string(),
                            |t| t.fare.clone(),
                        ),
                        reason: kept.map(|t| t.reason.clone()).unwrap_or_default(),
                        open: kept.is_some(),
                    }
                })
                .collect(),
            modes: TravelMode::ALL
                .iter()
                .map(|m| (m.code(), m.label()))
                .collect(),
            changes: changes
                .into_iter()
                .map(|(at, who, kind, reason, after)| view::ChangeRow {
                    at: format_local(at, tz),
                    who,
                    what: change_text(lang, &kind, &after, tz),
                    reason,
                })
                .collect(),
            errors: refused.errors,
            saved: saved.map(String::from),
            answers: answers
                .into_iter()
                .map(|(kind, date, note, at)| {
                    let what = match kind.as_str() {
                        "another_date" => format!(
                            "{} {}",
                            simlontar_templates::i18n::tr(
                                lang,
                                "Kantor penerima mengusulkan tanggal",
                                "The receiving office proposes the date"
                            ),
                            date.map(|d| d.format("%d-%m-%Y").to_string())
                                .unwrap_or_default()
                        ),
                        "collect" => simlontar_templates::i18n::tr(
                            lang,
                            "Kantor penerima menjemput di Balai PRS PMKS Sidoarjo",
                            "The receiving office collects at Balai PRS PMKS Sidoarjo",
                        )
                        .to_string(),
                        "accepted" => simlontar_templates::i18n::tr(
                            lang,
                            "Kantor penerima bersedia menerima",
                            "The receiving office accepted",
                        )
                        .to_string(),
                        _ => simlontar_templates::i18n::tr(
                            lang,
                            "Kantor penerima menolak",
                            "The receiving office declined",
                        )
                        .to_string(),
                    };
                    let note = if note.is_empty() {
                        String::new()
                    } else {
                        format!(" — {note}")
                    };
                    format!("{what}{note} ({})", format_local(at, tz))
                })
                .collect(),
        },
    );
    Ok(page.into_response())
}

/// A plan change as a sentence with labels (never a code).
fn change_text(
    lang: simlontar_templates::Lang,
    kind: &str,
    after: &Value,
    tz: chrono_tz::Tz,
) -> String {
    use simlontar_templates::i18n::tr;
    if kind == "departure" {
        let at = after["planned_departure"]
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| format_local(t.with_timezone(&Utc), tz))
            .unwrap_or_default();
        let escort = after["escort_name"].as_str().unwrap_or("–");
        format!(
            "{} {at} · {} {escort}",
            tr(lang, "Berangkat", "Departs"),
            tr(lang, "pendamping", "escort")
        )
    } else {
        let mode = vocab::label_of(
            TravelMode::parse,
            TravelMode::label,
            after["mode"].as_str().unwrap_or_default(),
        );
        format!(
            "{} {}: {} · {} {} · {}",
            tr(lang, "Ruas", "Leg"),
            after["index"].as_u64().unwrap_or(0) + 1,
            mode.get(lang),
            tr(lang, "hari ke-", "day"),
            after["day"],
            view::rupiah(after["fare_idr"].as_u64().unwrap_or(0)),
        )
    }
}

#[derive(Deserialize, Default)]
pub struct DepartureForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    escort_name: String,
    #[serde(default)]
    reason: String,
}

pub async fn save_departure(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
    Form(f): Form<DepartureForm>,
) -> AppResult<Response> {
    let (p, origin, now) = (&v.principal, &v.origin, state.clock.now());
    let input = DepartureInput {
        date: f.date,
        time: f.time,
        escort_name: f.escort_name,
        reason: f.reason,
    };
    let (mut tx, id) =
        access::open(&state.pool, p, origin, &number, Action::DecideCase, now).await?;
    match departure::schedule(&mut tx, &state.settings, id, &input, p, now).await {
        Ok(change) => {
            access::commit(tx, origin, &number, "departure", json!({"change": change})).await?;
            Ok(Redirect::to(&format!("/cases/{number}/plan?saved=departure")).into_response())
        }
        Err(e) => {
            tx.rollback().await?;
            let refused = Refused {
                departure: Some(input),
                ..Default::default()
            };
            refuse(&state, &v, &number, e, refused).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct LegForm {
    #[serde(default)]
    mode: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    fare: String,
    #[serde(default)]
    reason: String,
}

pub async fn save_leg(
    State(state): State<AppState>,
    v: Viewer,
    Path((number, index)): Path<(CaseNumber, usize)>,
    Form(f): Form<LegForm>,
) -> AppResult<Response> {
    let (p, origin, now) = (&v.principal, &v.origin, state.clock.now());
    let input = LegInput {
        mode: f.mode,
        day: f.day,
        fare: f.fare,
        reason: f.reason,
    };
    let (mut tx, id) =
        access::open(&state.pool, p, origin, &number, Action::DecideCase, now).await?;
    match departure::edit_leg(&mut tx, &state.settings, id, index, &input, p, now).await {
        Ok(change) => {
            access::commit(tx, origin, &number, "plan_leg", json!({"change": change})).await?;
            Ok(Redirect::to(&format!("/cases/{number}/plan?saved=leg")).into_response())
        }
        Err(e) => {
            tx.rollback().await?;
            let refused = Refused {
                leg: Some((index, input)),
                ..Default::default()
            };
            refuse(&state, &v, &number, e, refused).await
        }
    }
}

/// A refused "record the departure": the plan page with the missing field marked.
pub(super) async fn refuse_departure(
    state: &AppState,
    v: &Viewer,
    number: &CaseNumber,
    e: AppError,
) -> AppResult<Response> {
    refuse(state, v, number, e, Refused::default()).await
}

/// A refused form: field errors come back on the plan page (422) beside their fields,
/// with what was typed; anything else is the error it is.
async fn refuse(
    state: &AppState,
    v: &Viewer,
    number: &CaseNumber,
    e: AppError,
    mut refused: Refused,
) -> AppResult<Response> {
    let Some(fields) = e.field_errors(v.lang) else {
        return Err(e);
    };
    refused.errors = fields
        .into_iter()
        .map(|f| {
            (
                f.field,
                simlontar_templates::i18n::one_language(v.lang, &f.message),
            )
        })
        .collect();
    let page = render(state, v, number, refused, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
