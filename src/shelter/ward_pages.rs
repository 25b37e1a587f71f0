//! The ward administration page (`/capacity/wards/{id}`) and its four forms: bed count,
//! closure, ending a closure, admission rules. Who may: `wards::may_manage`.
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::wards::{self, ClosureIn, RulesIn, Ward, WardError};
use crate::auth::policy::{require, Action};
use crate::clock::{format_local, local_date};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::vocab::{self, ClosureReason, WardChangeKind, WardSex};
use crate::web::viewer::Viewer;
use simlontar_templates::i18n::tr;
use simlontar_templates::wards::{
    self as view, ChangeRow, ClosureRow, NeedBox, WardAdminView, WardForms,
};
use simlontar_templates::Lang;

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: String,
}

fn notice(lang: Lang, done: &str) -> Option<&'static str> {
    Some(match done {
        "beds" => tr(
            lang,
            "Jumlah tempat tidur disimpan dan berlaku mulai hari ini.",
            "The bed count is saved and in force from today.",
        ),
        "closed" => tr(
            lang,
            "Penutupan dicatat. Bangsal tidak ditawarkan pada tanggal itu.",
            "The closure is recorded. The ward is not offered on those days.",
        ),
        "reopened" => tr(
            lang,
            "Penutupan diakhiri. Bangsal menerima penempatan lagi.",
            "The closure is ended. The ward takes placements again.",
        ),
        "rules" => tr(
            lang,
            "Aturan penerimaan disimpan.",
            "The admission rules are saved.",
        ),
        _ => return None,
    })
}

async fn load(state: &AppState, v: &Viewer, id: i64) -> AppResult<Ward> {
    require(&v.principal, Action::ViewCapacity)?;
    let w = wards::ward(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !wards::may_manage(&v.principal, &w.upt_code) {
        return Err(AppError::Forbidden);
    }
    Ok(w)
}

fn date(d: chrono::NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

fn reason_label(lang: Lang, code: &str) -> String {
    vocab::label_of(ClosureReason::parse, ClosureReason::label, code)
        .get(lang)
        .to_string()
}

/// A change's before or after value in words.
fn describe(
    lang: Lang,
    kind: &str,
    v: Option<&Value>,
    needs: &[(String, String, String)],
) -> String {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return "—".into();
    };
    let need = |c: &Value| {
        let c = c.as_str().unwrap_or_default();
        needs
            .iter()
            .find(|n| n.0 == c)
            .map(|n| {
                if lang == Lang::Id {
                    n.1.clone()
                } else {
                    n.2.clone()
                }
            })
            .unwrap_or_default()
    };
    let day = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .map(date)
    };
    match kind {
        "beds" => {
            let n = v.get("beds").and_then(Value::as_i64).unwrap_or_default();
            let est = v.get("estimated").and_then(Value::as_bool).unwrap_or(false);
            format!(
                "{n} {}{}",
                tr(lang, "tempat tidur", "beds"),
                if est {
                    tr(lang, " (perkiraan)", " (estimate)")
                } else {
                    ""
                }
            )
        }
        "closure" => format!(
            "{} {} – {}",
            reason_label(
                lang,
                v.get("reason").and_then(Value::as_str).unwrap_or_default()
            ),
            day("starts_on").unwrap_or_default(),
            day("ends_on").unwrap_or_else(|| tr(lang, "belum ditentukan", "not set").into())
        ),
        "closure_ended" => format!(
            "{} {}",
            tr(lang, "ditutup sampai", "closed to"),
            day("ends_on").unwrap_or_else(|| tr(lang, "belum ditentukan", "not set").into())
        ),
        "rules" => {
            let sex = vocab::label_of(
                WardSex::parse,
                WardSex::label,
                v.get("sex").and_then(Value::as_str).unwrap_or_default(),
            )
            .get(lang);
            let age = |k: &str| v.get(k).and_then(Value::as_i64);
            let band = match (age("min_age"), age("max_age")) {
                (None, None) => tr(lang, "semua usia", "any age").to_string(),
                (Some(a), None) => format!("{a}+ {}", tr(lang, "tahun", "years")),
                (None, Some(b)) => format!("≤ {b} {}", tr(lang, "tahun", "years")),
                (Some(a), Some(b)) => format!("{a}–{b} {}", tr(lang, "tahun", "years")),
            };
            let list = |k: &str| -> String {
                v.get(k)
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(need).collect::<Vec<_>>().join(", "))
                    .unwrap_or_default()
            };
            let mut s = format!("{sex}, {band}");
            let (acc, refd) = (list("needs_accepted"), list("needs_refused"));
            if !acc.is_empty() {
                s += &format!("; {} {acc}", tr(lang, "juga menerima", "also takes"));
            }
            if !refd.is_empty() {
                s += &format!("; {} {refd}", tr(lang, "menolak", "refuses"));
            }
            s
        }
        _ => String::new(),
    }
}

fn forms_of(w: &Ward) -> WardForms {
    WardForms {
        beds: w.beds.to_string(),
        sex: w.rules.sex.clone(),
        min_age: w.rules.min_age.map(|a| a.to_string()).unwrap_or_default(),
        max_age: w.rules.max_age.map(|a| a.to_string()).unwrap_or_default(),
        ..WardForms::default()
    }
}

async fn render(
    state: &AppState,
    v: &Viewer,
    w: &Ward,
    forms: WardForms,
    errors: Vec<(String, String)>,
    notice: Option<&'static str>,
) -> AppResult<maud::Markup> {
    let (now, tz, lang) = (state.clock.now(), state.settings.time_zone, v.lang);
    let pool = &state.pool;
    let (closures, history, needs) = tokio::try_join!(
        wards::closures(pool, w.id),
        wards::history(pool, w.id),
        wards::known_needs(pool)
    )?;
    let in_force = |c: &wards::Closure| {
        let starts = crate::clock::day_start(c.starts_on, tz);
        starts <= now && c.ends_at.is_none_or(|e| now < e)
    };
    let closed_now = closures
        .iter()
        .find(|c| in_force(c))
        .map(|c| crate::capacity::screen::closed_text(lang, &c.reason, c.ends_on));
    let ahead = |c: &wards::Closure| crate::clock::day_start(c.starts_on, tz) > now;
    let needs_boxes = (needs.iter())
        .map(|(code, id, en)| NeedBox {
            code: code.clone(),
            label: if lang == Lang::Id {
                id.clone()
            } else {
                en.clone()
            },
            accepted: (forms.needs_accepted.as_ref())
                .unwrap_or(&w.rules.needs_accepted)
                .contains(code),
            refused: (forms.needs_refused.as_ref())
                .unwrap_or(&w.rules.needs_refused)
                .contains(code),
        })
        .collect();
    let need_label = (needs.iter())
        .find(|n| n.0 == w.need_code)
        .map(|n| {
            if lang == Lang::Id {
                n.1.clone()
            } else {
                n.2.clone()
            }
        })
        .unwrap_or_default();
    let view = WardAdminView {
        id: w.id,
        upt_code: w.upt_code.clone(),
        upt_name: w.upt_name.clone(),
        name: w.name.clone(),
        need: need_label,
        beds: w.beds,
        beds_estimated: w.beds_estimated,
        occupied: w.occupied,
        held: w.held,
        closed_now,
        closures: (closures.iter())
            .map(|c| ClosureRow {
                id: c.id,
                period: format!(
                    "{} – {}",
                    date(c.starts_on),
                    c.ends_on
                        .map(date)
                        .unwrap_or_else(|| tr(lang, "belum ditentukan", "not set").into())
                ),
                reason: reason_label(lang, &c.reason),
                note: c.note.clone(),
                status: if in_force(c) {
                    tr(lang, "sedang ditutup", "closed now")
                } else if ahead(c) {
                    tr(lang, "akan datang", "ahead")
                } else {
                    tr(lang, "selesai", "over")
                }
                .into(),
                open: in_force(c) || ahead(c),
                ahead: ahead(c),
            })
            .collect(),
        history: (history.iter())
            .map(|h| ChangeRow {
                when: format_local(h.changed_at, tz),
                valid_from: date(h.valid_from),
                what: vocab::label_of(WardChangeKind::parse, WardChangeKind::label, &h.kind)
                    .get(lang)
                    .to_string(),
                before: describe(lang, &h.kind, h.before.as_ref(), &needs),
                after: describe(lang, &h.kind, Some(&h.after), &needs),
                who: h
                    .who
                    .clone()
                    .unwrap_or_else(|| tr(lang, "sistem", "system").into()),
                why: h.reason.clone(),
            })
            .collect(),
        needs: needs_boxes,
        reasons: (ClosureReason::ALL.iter())
            .map(|r| (r.code(), r.label().get(lang)))
            .collect(),
        sexes: (WardSex::ALL.iter())
            .map(|s| (s.code(), s.label().get(lang)))
            .collect(),
        forms,
        errors,
        notice,
        today: local_date(now, tz).to_string(),
        generated: format_local(now, tz),
    };
    Ok(view::ward_admin_page(lang, &v.nav, &view))
}

pub async fn show_ward(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> AppResult<maud::Markup> {
    let w = load(&state, &v, id).await?;
    render(
        &state,
        &v,
        &w,
        forms_of(&w),
        vec![],
        notice(v.lang, &q.done),
    )
    .await
}

fn done(id: i64, what: &str) -> Response {
    Redirect::to(&format!("/capacity/wards/{id}?done={what}")).into_response()
}

/// A refusal: the page again, the values as typed, each error beside its field (`rename`
/// maps the store's field names to this form's).
async fn refused(
    state: &AppState,
    v: &Viewer,
    id: i64,
    e: WardError,
    forms: impl FnOnce(&Ward) -> WardForms,
    rename: &[(&str, &str)],
) -> AppResult<Response> {
    let bad = match e {
        WardError::Bad(b) => b,
        WardError::App(e) => return Err(e),
    };
    let w = load(state, v, id).await?;
    let errors = (bad.into_iter())
        .map(|b| {
            let field = (rename.iter())
                .find(|(from, _)| *from == b.field)
                .map_or(b.field, |(_, to)| to);
            let text = if v.lang == Lang::Id { b.id } else { b.en };
            (field.to_string(), text)
        })
        .collect();
    let page = render(state, v, &w, forms(&w), errors, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

fn at(state: &AppState) -> (DateTime<Utc>, chrono_tz::Tz) {
    (state.clock.now(), state.settings.time_zone)
}

#[derive(Deserialize)]
pub struct BedsIn {
    #[serde(default)]
    beds: String,
    #[serde(default)]
    reason: String,
}

pub async fn update_beds(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<BedsIn>,
) -> AppResult<Response> {
    load(&state, &v, id).await?;
    let r = wards::set_beds(
        &state.pool,
        &v.principal,
        &v.origin,
        id,
        (&f.beds, &f.reason),
        at(&state),
    )
    .await;
    match r {
        Ok(()) => Ok(done(id, "beds")),
        Err(e) => {
            let forms = |w: &Ward| WardForms {
                beds: f.beds.clone(),
                beds_reason: f.reason.clone(),
                ..forms_of(w)
            };
            refused(&state, &v, id, e, forms, &[("reason", "beds_reason")]).await
        }
    }
}

pub async fn create_closure(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<ClosureIn>,
) -> AppResult<Response> {
    load(&state, &v, id).await?;
    match wards::close(&state.pool, &v.principal, &v.origin, id, &f, at(&state)).await {
        Ok(_) => Ok(done(id, "closed")),
        Err(e) => {
            let forms = |w: &Ward| WardForms {
                starts_on: f.starts_on.clone(),
                ends_on: f.ends_on.clone(),
                closure_reason: f.reason.clone(),
                closure_note: f.note.clone(),
                ..forms_of(w)
            };
            refused(&state, &v, id, e, forms, &[("reason", "closure_reason")]).await
        }
    }
}

pub async fn end_closure(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    // Only those who manage some ward get as far as looking the closure up.
    use crate::auth::model::Role;
    if !(v.principal.has(Role::Admin) || v.principal.has(Role::UptStaff)) {
        return Err(AppError::Forbidden);
    }
    match wards::end_closure(&state.pool, &v.principal, &v.origin, id, at(&state)).await {
        Ok(ward) => Ok(done(ward, "reopened")),
        Err(WardError::App(e)) => Err(e),
        Err(WardError::Bad(_)) => Err(AppError::NotFound),
    }
}

pub async fn update_rules(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    load(&state, &v, id).await?;
    let one = |k: &str| {
        (pairs.iter())
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |k: &str| -> Vec<String> {
        (pairs.iter())
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let f = RulesIn {
        sex: one("sex"),
        min_age: one("min_age"),
        max_age: one("max_age"),
        accepted: all("needs_accepted"),
        refused: all("needs_refused"),
        reason: one("reason"),
    };
    match wards::set_rules(&state.pool, &v.principal, &v.origin, id, &f, at(&state)).await {
        Ok(()) => Ok(done(id, "rules")),
        Err(e) => {
            let forms = |w: &Ward| WardForms {
                sex: f.sex.clone(),
                min_age: f.min_age.clone(),
                max_age: f.max_age.clone(),
                rules_reason: f.reason.clone(),
                needs_accepted: Some(f.accepted.clone()),
                needs_refused: Some(f.refused.clone()),
                ..forms_of(w)
            };
            refused(&state, &v, id, e, forms, &[("reason", "rules_reason")]).await
        }
    }
}
