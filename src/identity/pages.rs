//! DP3AK's desk form and the review queue.
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use maud::Markup;
use serde::Deserialize;
use serde_json::{json, Value};

use super::check::{validate, CheckRequest, RegistryIdentity};
use super::links::{self, Decision};
use super::store;
use crate::auth::audit;
use crate::auth::policy::{require, Action, CaseScope};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::viewer::Viewer;
use simlontar_templates::i18n::tr;
use simlontar_templates::identity as view;

#[derive(Deserialize, Default)]
pub struct NewCheck {
    /// The case the check is about, when opened from its page.
    #[serde(default)]
    case: String,
}

pub async fn new_check(v: Viewer, Query(q): Query<NewCheck>) -> AppResult<Markup> {
    require(&v.principal, Action::RecordIdentity)?;
    let form = view::CheckForm {
        key: uuid::Uuid::new_v4().to_string(),
        case_number: q.case.trim().to_string(),
        method: "fingerprint".into(),
        // No default outcome: the officer says what the check found.
        ..Default::default()
    };
    Ok(view::check_form(v.lang, &v.nav, &form, &[]))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CheckFields {
    key: String,
    case_number: String,
    method: String,
    outcome: String,
    score: String,
    nik: String,
    name: String,
    birth_date: String,
    birth_place: String,
    sex: String,
    address: String,
    village: String,
    village_code: String,
    kk_number: String,
    mother_name: String,
    /// "Find matching villages" was pressed: show the choices, save nothing.
    suggest: Option<String>,
}

/// What the village fields stand for: a picked village, none (its name kept in the
/// address), or choices still to offer (with an error when saving was asked for).
enum VillagePick {
    Code(String),
    NameOnly,
    Choose(Vec<(String, String)>),
}

async fn pick_village(pool: &sqlx::PgPool, f: &CheckFields) -> sqlx::Result<VillagePick> {
    let code = f.village_code.trim();
    if code == view::NO_VILLAGE || (code.is_empty() && f.village.trim().is_empty()) {
        return Ok(VillagePick::NameOnly);
    }
    if !code.is_empty() && f.suggest.is_none() {
        return Ok(VillagePick::Code(code.to_string()));
    }
    // The village's own words; the address only when they are missing (its hamlet
    // names, "Dusun Krajan", would otherwise offer every village called Krajan).
    let words = match f.village.trim() {
        "" => f.address.trim(),
        village => village,
    };
    Ok(VillagePick::Choose(
        crate::places::store::suggest_villages(pool, words, 6).await?,
    ))
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

pub async fn submit_check(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<CheckFields>,
) -> AppResult<Response> {
    require(&v.principal, Action::RecordIdentity)?;
    let now = state.clock.now();
    let mut errors: Vec<(String, String)> = vec![];
    let score = match opt(&f.score).map(|s| s.replace(',', ".").parse::<f32>()) {
        Some(Ok(s)) => Some(s),
        Some(Err(_)) => {
            errors.push((
                "score".into(),
                tr(v.lang, "skor harus berupa angka", "the score is a number").into(),
            ));
            None
        }
        None => None,
    };
    let birth_date = match opt(&f.birth_date).map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d")) {
        Some(Ok(d)) => Some(d),
        Some(Err(_)) => {
            errors.push((
                "identity.birth_date".into(),
                tr(
                    v.lang,
                    "tanggal tidak dikenali (tttt-bb-hh)",
                    "not a date (yyyy-mm-dd)",
                )
                .into(),
            ));
            None
        }
        None => None,
    };
    let pick = pick_village(&state.pool, &f).await?;
    let mut choices = vec![];
    let village_code = match pick {
        VillagePick::Code(code) => Some(code),
        VillagePick::NameOnly => None,
        // Nothing by that name: it is kept in the address, and a search says so.
        VillagePick::Choose(found) if found.is_empty() => {
            if f.suggest.is_some() {
                errors.push((
                    "identity.village_code".into(),
                    tr(
                        v.lang,
                        "tidak ada desa dengan nama itu; periksa ejaannya, atau biarkan: nama itu dicatat di alamat",
                        "no village has that name; check the spelling, or leave it: the name is kept in the address",
                    )
                    .into(),
                ));
            }
            None
        }
        VillagePick::Choose(found) => {
            if f.suggest.is_none() && f.outcome == "matched" {
                errors.push((
                    "identity.village_code".into(),
                    tr(
                        v.lang,
                        "pilih desa dari daftar, atau \"tidak ada yang cocok\"",
                        "pick the village from the list, or \"none of these\"",
                    )
                    .into(),
                ));
            }
            choices = found;
            None
        }
    };
    // The village's name stays with the address when no village of the list is it.
    let address = match (f.address.trim(), f.village.trim()) {
        (a, vil) if village_code.is_some() || vil.is_empty() || a.contains(vil) => a.to_string(),
        ("", vil) => vil.to_string(),
        (a, vil) => format!("{a}, {vil}"),
    };
    let identity = (f.outcome == "matched").then(|| RegistryIdentity {
        nik: f.nik.trim().to_string(),
        name: f.name.trim().to_string(),
        birth_date,
        birth_place: f.birth_place.trim().to_string(),
        sex: f.sex.clone(),
        address,
        village_code,
        kk_number: opt(&f.kk_number),
        mother_name: f.mother_name.trim().to_string(),
    });
    let req = CheckRequest {
        case_number: opt(&f.case_number),
        method: f.method.clone(),
        requested_at: now,
        completed_at: (f.outcome != "pending").then_some(now),
        outcome: f.outcome.clone(),
        score,
        identity,
    };
    let key = uuid::Uuid::parse_str(f.key.trim()).unwrap_or_else(|_| uuid::Uuid::new_v4());
    let result = match validate(&req, now, v.lang) {
        // Only the village search was asked for: the form comes back with its choices.
        _ if f.suggest.is_some() => Err(AppError::Invalid(vec![])),
        Err(list) if errors.is_empty() => Err(AppError::Invalid(list)),
        Err(list) => Err(AppError::Invalid(
            list.into_iter()
                .filter(|e| !errors.iter().any(|(k, _)| *k == e.field))
                .collect(),
        )),
        Ok(_) if !errors.is_empty() => Err(AppError::Invalid(vec![])),
        Ok(check) => {
            store::record(
                &state.pool,
                &v.principal,
                &v.origin,
                &check,
                &store::Arrival {
                    key,
                    source: "desk",
                    accept_score: state.settings.identity_accept_score,
                    tz: state.settings.time_zone,
                },
                now,
            )
            .await
        }
    };
    match result {
        Ok(done) => Ok(match done.case_number {
            Some(n) => crate::cases::pages::to_case(&n, crate::cases::next_step::Done::Identity),
            None => Redirect::to("/identity/review"),
        }
        .into_response()),
        // Refused for its fields (here, or by the database's constraints): the form
        // comes back with the errors beside them.
        Err(e) => match e.field_errors(v.lang) {
            Some(fields) => {
                errors.extend(fields.into_iter().map(|e| (e.field, e.message)));
                let form = view::CheckForm {
                    key: key.to_string(),
                    case_number: f.case_number,
                    method: f.method,
                    outcome: f.outcome,
                    score: f.score,
                    nik: f.nik,
                    name: f.name,
                    birth_date: f.birth_date,
                    birth_place: f.birth_place,
                    sex: f.sex,
                    village_name: match f.village_code.trim() {
                        "" | view::NO_VILLAGE => String::new(),
                        code => crate::places::store::region_name(&state.pool, code)
                            .await?
                            .unwrap_or_default(),
                    },
                    address: f.address,
                    village: f.village,
                    village_code: f.village_code,
                    village_choices: choices,
                    kk_number: f.kk_number,
                    mother_name: f.mother_name,
                };
                let page = view::check_form(v.lang, &v.nav, &form, &errors);
                let status = if f.suggest.is_some() {
                    axum::http::StatusCode::OK
                } else {
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY
                };
                Ok((status, page).into_response())
            }
            None => Err(e),
        },
    }
}

fn text(v: &Value, key: &str) -> String {
    match &v[key] {
        Value::Null => "–".into(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// A record's sex as a person reads it.
fn sex_text(v: &Value, lang: simlontar_templates::Lang) -> String {
    match v["sex"].as_str() {
        None => "–".into(),
        Some(code) => {
            crate::vocab::label_of(crate::vocab::Sex::parse, crate::vocab::Sex::label, code)
                .get(lang)
                .to_string()
        }
    }
}

#[derive(Deserialize)]
pub struct ReviewQuery {
    done: Option<String>,
}

pub async fn show_review(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ReviewQuery>,
) -> AppResult<Markup> {
    require(&v.principal, Action::ReviewLinks)?;
    let scope = CaseScope::of(&v.principal, state.clock.now());
    let rows: Vec<view::CandidateView> = links::candidates(&state.pool, &scope)
        .await?
        .into_iter()
        .map(|c| {
            let l = v.lang;
            view::CandidateView {
                id: c.id,
                case_number: c.case_number.clone().unwrap_or_default(),
                probability: c.probability,
                contributions: c
                    .contributions
                    .into_iter()
                    .map(|x| view::ContributionRow {
                        field: crate::vocab::label_of(
                            crate::vocab::LinkField::parse,
                            crate::vocab::LinkField::label,
                            &x.field,
                        ),
                        weight: x.weight,
                        note: x.note_in(l),
                    })
                    .collect(),
                photos: (
                    photo_urls(&c.intake, c.case_number.as_deref()),
                    photo_urls(&c.other, c.other_case.as_deref()),
                ),
                other_label: match (&c.other_case, c.other_is_check) {
                    (_, true) => tr(l, "Pemeriksaan DP3AK", "DP3AK check").to_string(),
                    (Some(n), false) => {
                        format!("{} {n}", tr(l, "Intake sebelumnya", "Earlier intake"))
                    }
                    (None, false) => tr(l, "Intake sebelumnya", "Earlier intake").to_string(),
                },
                fields: vec![
                    (
                        tr(l, "Nama", "Name"),
                        text(&c.intake, "name"),
                        text(&c.other, "name"),
                    ),
                    (
                        tr(l, "Nama lain", "Aliases"),
                        text(&c.intake, "aliases"),
                        text(&c.other, "aliases"),
                    ),
                    (
                        tr(l, "Jenis kelamin", "Sex"),
                        sex_text(&c.intake, l),
                        sex_text(&c.other, l),
                    ),
                    (
                        tr(l, "Tanggal lahir", "Birth date"),
                        text(&c.intake, "birth_date"),
                        text(&c.other, "birth_date"),
                    ),
                    (
                        tr(l, "Perkiraan umur", "Estimated age"),
                        text(&c.intake, "age"),
                        text(&c.other, "age"),
                    ),
                    (
                        tr(l, "Asal", "Home"),
                        text(&c.intake, "home"),
                        text(&c.other, "home"),
                    ),
                    ("NIK", text(&c.intake, "nik"), text(&c.other, "nik")),
                    (
                        tr(l, "Skor biometrik", "Biometric score"),
                        "–".into(),
                        text(&c.other, "score"),
                    ),
                ],
            }
        })
        .collect();
    let tz = state.settings.time_zone;
    let retries: Vec<view::RetryRow> = store::unfinished(&state.pool, &scope)
        .await?
        .into_iter()
        .map(|u| view::RetryRow {
            case_number: u.case_number.unwrap_or_default(),
            method: crate::vocab::label_of(
                crate::vocab::IdentityMethod::parse,
                crate::vocab::IdentityMethod::label,
                &u.method,
            )
            .get(v.lang)
            .to_string(),
            outcome: format!(
                "{} (×{})",
                crate::vocab::label_of(
                    crate::vocab::IdentityOutcome::parse,
                    crate::vocab::IdentityOutcome::label,
                    &u.outcome
                )
                .get(v.lang),
                u.attempts
            ),
            due: u
                .due
                .map(|t| crate::clock::format_local(t, tz))
                .unwrap_or_else(|| tr(v.lang, "sekarang", "now").into()),
        })
        .collect();
    let recent: Vec<view::RecentDecision> =
        super::undo::recent(&state.pool, &scope, v.principal.user_id)
            .await?
            .into_iter()
            .map(|r| view::RecentDecision {
                link_id: r.link_id,
                case_number: r.case_number.unwrap_or_default(),
                decision: crate::vocab::label_of(
                    crate::vocab::LinkState::parse,
                    crate::vocab::LinkState::label,
                    &r.state,
                )
                .get(v.lang)
                .to_string(),
                at: crate::clock::format_local(r.decided_at, tz),
            })
            .collect();
    // The confirmation after a decision (the query names one of four; anything else: none).
    let done = q.done.as_deref().and_then(|d| {
        Some(match d {
            "accept" => tr(
                v.lang,
                "Keputusan dicatat: orang yang sama. Identitas dipasang pada kasus.",
                "Decision recorded: the same person. The identity is given to the case.",
            ),
            "reject" => tr(
                v.lang,
                "Keputusan dicatat: usulan ditolak.",
                "Decision recorded: suggestion rejected.",
            ),
            "distinct" => tr(
                v.lang,
                "Keputusan dicatat: orang yang berbeda.",
                "Decision recorded: different people.",
            ),
            "undo" => tr(
                v.lang,
                "Keputusan diurungkan: usulan kembali ke antrean.",
                "Decision undone: the suggestion is back in the queue.",
            ),
            _ => return None,
        })
    });
    Ok(view::review(v.lang, &v.nav, &rows, &retries, &recent, done))
}

/// The addresses of an intake record's photos (served through the case, which audits the
/// read); none for a record that is not an intake or has no case.
fn photo_urls(record: &serde_json::Value, case: Option<&str>) -> Vec<String> {
    let Some(case) = case else { return vec![] };
    record["photos"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_i64)
        .map(|id| format!("/cases/{case}/photos/{id}"))
        .collect()
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: String,
}

pub async fn decide_link(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> AppResult<Redirect> {
    require(&v.principal, Action::ReviewLinks)?;
    let d = Decision::parse(&f.decision).ok_or_else(|| {
        AppError::Invalid(vec![crate::error::FieldError::new(
            "decision",
            tr(v.lang, "keputusan tidak dikenal", "unknown decision"),
        )])
    })?;
    let now = state.clock.now();
    let scope = CaseScope::of(&v.principal, now);
    let case = links::decide(&state.pool, &scope, &v.principal, id, d, now).await?;
    audit::record(
        &state.pool,
        &v.origin,
        "link_decision",
        "record_link",
        Some(&id.to_string()),
        json!({"decision": f.decision, "case": case}),
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/identity/review?done={}",
        f.decision
    )))
}
