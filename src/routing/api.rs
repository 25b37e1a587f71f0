//! JSON API for routing: the proposal (home or a UPT) with the home it works with and
//! where that home was taken from, the route decision, the plan and its departure, and
//! the receiving office's answers, so a regency's own system can take part. Each
//! operation calls the same domain function as its page.
use crate::web::path::Path;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use simlontar_templates::Lang;
use utoipa::ToSchema;

use super::handover;
use super::proposal::{propose, Route};
use crate::auth::policy::Action;
use crate::cases::access;
use crate::cases::api::NumberPath;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::vocab::{HomeSource, RouteChoice};
use crate::web::api::{Caller, JsonBody};

/// The home the proposal works with.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalHome {
    /// Region code of the village, regency or province, dotted (`35.10.01.2001`).
    pub code: String,
    /// Its name from the gazetteer ("Desa …, Kec. …, Kab. …"); empty when unknown.
    pub name: String,
    /// Where the home was taken from, the best evidence first: `dp3ak`, `nik`, `register`, `stated`.
    pub source: HomeSource,
}

/// One reason for the proposal: a stable code, and its text in Indonesian and English.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalReason {
    pub code: String,
    pub id: String,
    pub en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalBody {
    pub route: RouteChoice,
    /// Null when no source gives a home.
    pub home: Option<ProposalHome>,
    pub reasons: Vec<ProposalReason>,
}

/// The route the system proposes for a case, from the facts it holds now.
#[utoipa::path(get, path = "/api/v1/cases/{number}/proposal",
    params(NumberPath),
    responses((status = 200, body = ProposalBody), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn show_proposal(
    State(state): State<AppState>,
    Caller { principal, origin }: Caller,
    Path(NumberPath { number }): Path<NumberPath>,
) -> AppResult<Json<ProposalBody>> {
    let now = state.clock.now();
    let (mut tx, id) = access::open(
        &state.pool,
        &principal,
        &origin,
        &number,
        Action::ViewRouting,
        now,
    )
    .await?;
    let facts = handover::facts(&mut tx, id, now, state.settings.time_zone).await?;
    let proposal = propose(&facts.facts);
    // A read of the person's data: on record like every other read of a case.
    access::commit(tx, &origin, &number, "read_proposal", json!({})).await?;
    let home = super::pages::home_named(&state, &facts.facts).await?;
    Ok(Json(ProposalBody {
        route: match proposal.route {
            Route::Home => RouteChoice::Home,
            Route::Upt { .. } => RouteChoice::Upt,
        },
        home: home.map(|(code, name, source)| ProposalHome { code, name, source }),
        reasons: proposal
            .reasons
            .iter()
            .map(|r| ProposalReason {
                code: r.code.to_string(),
                id: r.id.to_string(),
                en: r.en.to_string(),
            })
            .collect(),
    }))
}

/// The route decision: `home` (the plan is made and the receiving office told) or
/// `upt` (the person is referred to `upt`, the proposal's when empty). Overriding the
/// proposal needs a `reason`. A repeated decision is refused (409): the case moved on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"choice": "home", "reason": "keluarga sudah dihubungi dan siap menerima"}))]
pub struct RouteRequest {
    pub choice: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub upt: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RouteDecided {
    /// The stored plan, for a decision home.
    pub plan_id: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/cases/{number}/route",
    params(NumberPath), request_body = RouteRequest,
    responses((status = 200, body = RouteDecided), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn decide_route(
    State(state): State<AppState>,
    Caller { principal, origin }: Caller,
    Path(NumberPath { number }): Path<NumberPath>,
    JsonBody(req): JsonBody<RouteRequest>,
) -> AppResult<Json<RouteDecided>> {
    let now = state.clock.now();
    let (mut tx, id) = access::open(
        &state.pool,
        &principal,
        &origin,
        &number,
        Action::DecideCase,
        now,
    )
    .await?;
    let facts = handover::facts(&mut tx, id, now, state.settings.time_zone).await?;
    let choice = (req.choice.as_str(), req.reason.as_str(), req.upt.as_str());
    let services = (&state.pool, state.settings.as_ref());
    let plan_id = handover::decide(&mut tx, services, &facts, choice, &principal, now).await?;
    let detail = json!({"choice": req.choice, "plan_id": plan_id, "upt": req.upt});
    access::commit(tx, &origin, &number, "route", detail).await?;
    Ok(Json(RouteDecided { plan_id }))
}

/// The live plan: its state, legs and totals as computed, the scheduled and recorded
/// departure, the escort's name and the expected arrival.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanBody {
    /// proposed, accepted, in_transit, handed_over.
    pub state: String,
    #[schema(value_type = Object)]
    pub plan: serde_json::Value,
    pub planned_departure: Option<DateTime<Utc>>,
    pub departed_at: Option<DateTime<Utc>>,
    pub escort_name: Option<String>,
    pub expected_arrival: Option<DateTime<Utc>>,
}

#[utoipa::path(get, path = "/api/v1/cases/{number}/plan",
    params(NumberPath),
    responses((status = 200, body = PlanBody), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn show_plan(
    State(state): State<AppState>,
    Caller { principal, origin }: Caller,
    Path(NumberPath { number }): Path<NumberPath>,
) -> AppResult<Json<PlanBody>> {
    let now = state.clock.now();
    let (mut tx, id) = access::open(
        &state.pool,
        &principal,
        &origin,
        &number,
        Action::ViewRouting,
        now,
    )
    .await?;
    type Row = (
        String,
        serde_json::Value,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Option<String>,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT state, plan, planned_departure, departs_at, escort_name FROM transport_plan
          WHERE case_id = $1 AND state <> 'cancelled' ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    access::commit(tx, &origin, &number, "read_plan", json!({})).await?;
    let (state_code, plan, planned, departed, escort_name) = row.ok_or(AppError::NotFound)?;
    Ok(Json(PlanBody {
        expected_arrival: super::departure::arrival_of(&plan, planned, departed),
        state: state_code,
        plan,
        planned_departure: planned,
        departed_at: departed,
        escort_name,
    }))
}

/// The departure as scheduled: local date (`YYYY-MM-DD`) and time (`HH:MM`, WIB), the
/// escort's name (required when the plan travels with an escort), and a reason when an
/// earlier schedule is changed. The same schedule again changes nothing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"date": "2026-11-24", "time": "08:00", "escort_name": "Rina Wulandari"}))]
pub struct DepartureRequest {
    pub date: String,
    pub time: String,
    #[serde(default)]
    pub escort_name: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartureScheduled {
    pub change_id: i64,
    pub expected_arrival: Option<DateTime<Utc>>,
}

#[utoipa::path(put, path = "/api/v1/cases/{number}/departure",
    params(NumberPath), request_body = DepartureRequest,
    responses((status = 200, body = DepartureScheduled), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn schedule_departure(
    State(state): State<AppState>,
    Caller { principal, origin }: Caller,
    Path(NumberPath { number }): Path<NumberPath>,
    JsonBody(req): JsonBody<DepartureRequest>,
) -> AppResult<Json<DepartureScheduled>> {
    let now = state.clock.now();
    let (mut tx, id) = access::open(
        &state.pool,
        &principal,
        &origin,
        &number,
        Action::DecideCase,
        now,
    )
    .await?;
    let input = super::departure::DepartureInput {
        date: req.date,
        time: req.time,
        escort_name: req.escort_name,
        reason: req.reason,
    };
    let change_id =
        super::departure::schedule(&mut tx, &state.settings, id, &input, &principal, now).await?;
    let (plan, planned): (serde_json::Value, Option<DateTime<Utc>>) = sqlx::query_as(
        "SELECT plan, planned_departure FROM transport_plan WHERE case_id = $1 AND state = 'accepted'",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    access::commit(
        tx,
        &origin,
        &number,
        "departure",
        json!({"change": change_id}),
    )
    .await?;
    Ok(Json(DepartureScheduled {
        change_id,
        expected_arrival: super::departure::arrival_of(&plan, planned, None),
    }))
}

/// Where the case stands after an operation.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseStateBody {
    /// The case's state (`routed_home`, `in_transit`, `handed_over`, …).
    pub state: String,
}

async fn state_of(tx: &mut crate::cases::access::CaseTx, id: i64) -> AppResult<CaseStateBody> {
    let state: String = sqlx::query_scalar("SELECT state FROM ot_case WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(CaseStateBody { state })
}

/// The statement that the person has left (the API's confirmation step).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"departed": true}))]
pub struct DepartRequest {
    /// `true`: the person has actually left with the escort.
    pub departed: bool,
}

/// The person has left with the escort: recorded once, never undone (a second call
/// is refused with 409, nothing changes).
#[utoipa::path(post, path = "/api/v1/cases/{number}/depart",
    params(NumberPath), request_body = DepartRequest,
    responses((status = 200, body = CaseStateBody), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn record_departure(
    State(state): State<AppState>,
    Caller { principal, origin }: Caller,
    Path(NumberPath { number }): Path<NumberPath>,
    JsonBody(req): JsonBody<DepartRequest>,
) -> AppResult<Json<CaseStateBody>> {
    if !req.departed {
        return Err(AppError::Invalid(vec![crate::error::FieldError::new(
            "departed",
            "record a departure only once the person has left (true)",
        )]));
    }
    let now = state.clock.now();
    let (mut tx, id) = access::open(
        &state.pool,
        &principal,
        &origin,
        &number,
        Action::DecideCase,
        now,
    )
    .await?;
    handover::depart(&mut tx, id, &principal, now).await?;
    let body = state_of(&mut tx, id).await?;
    access::commit(tx, &origin, &number, "depart", json!({})).await?;
    Ok(Json(body))
}

/// The receiving office's answer (a regency officer, for a hand-over to its regency):
/// `accept`; `decline` with a `reason` (a refusal: the plan is cancelled); `another_date`
/// with a `date` (`YYYY-MM-DD`) and an optional `note`; `collect` (at Balai PRS PMKS
/// Sidoarjo); `received` with `receiver_name`, `receiver_ref` and `confirmed: true`,
/// only after the departure. Repeating an answer changes nothing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"action": "accept"}))]
pub struct HandoverRequest {
    pub action: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub receiver_name: String,
    #[serde(default)]
    pub receiver_ref: String,
    #[serde(default)]
    pub confirmed: bool,
}

#[utoipa::path(post, path = "/api/v1/cases/{number}/handover",
    params(NumberPath), request_body = HandoverRequest,
    responses((status = 200, body = CaseStateBody), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn answer_handover(
    State(state): State<AppState>,
    Caller { principal, origin }: Caller,
    Path(NumberPath { number }): Path<NumberPath>,
    JsonBody(req): JsonBody<HandoverRequest>,
) -> AppResult<Json<CaseStateBody>> {
    let now = state.clock.now();
    let (mut tx, id) = access::open(
        &state.pool,
        &principal,
        &origin,
        &number,
        Action::ReceiveHandover,
        now,
    )
    .await?;
    let n = super::receiving_pages::notice_of(
        &mut tx,
        id,
        &principal.scopes(crate::auth::model::Role::RegencyOfficer),
    )
    .await?;
    let form = super::receiving_pages::AnswerForm {
        action: req.action.clone(),
        reason: req.reason,
        date: req.date,
        note: req.note,
        receiver_name: req.receiver_name,
        receiver_ref: req.receiver_ref,
        // The request is the answer: for "received" the caller states it as the form's tick does.
        confirm: if req.confirmed || req.action != "received" {
            "yes".into()
        } else {
            String::new()
        },
    };
    super::receiving_pages::apply(&mut tx, &state, &n, &form, Some(&principal), Lang::En).await?;
    let body = state_of(&mut tx, id).await?;
    let what = format!("handover_{}", req.action);
    access::commit(tx, &origin, &number, &what, json!({"notice": n.id})).await?;
    Ok(Json(body))
}
