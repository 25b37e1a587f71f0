//! JSON API for routing: the proposal (home or a UPT) with the home it works with and
//! where that home was taken from, so a regency's own system can follow a case.
use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::handover;
use super::proposal::{propose, Route};
use crate::auth::policy::Action;
use crate::cases::access;
use crate::cases::api::CaseNumber;
use crate::error::AppResult;
use crate::state::AppState;
use crate::vocab::{HomeSource, RouteChoice};
use crate::web::api::Caller;

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
    params(CaseNumber),
    responses((status = 200, body = ProposalBody), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn show_proposal(
    State(state): State<AppState>,
    Caller { principal, origin }: Caller,
    Path(CaseNumber { number }): Path<CaseNumber>,
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
