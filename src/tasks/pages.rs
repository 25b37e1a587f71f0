//! The regency office's tasks: its list, and one task with the outcome form (the tracing
//! form and the case page's panel are in `tracing_pages`). An office reaches
//! a task only through the row security of `case_task` and its own grants (another
//! office's task is "not found"); every read naming a person and every answer is audited.
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Utc};
use maud::Markup;
use serde_json::json;

use super::model::{self, Outcome, OutcomeForm};
use super::store::{self, Task};
use crate::auth::audit;
use crate::auth::model::{Principal, Role};
use crate::auth::policy::{allows, require, Action, CaseScope};
use crate::clock::{format_local, local_date};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::vocab::{self, TaskKind, TracingOutcome};
use crate::web::viewer::Viewer;
use simlontar_templates::i18n::{one_language, tr};
use simlontar_templates::tasks as view;
use simlontar_templates::Lang;

pub(super) type Tx = sqlx::Transaction<'static, sqlx::Postgres>;

pub(super) fn kind_label(t: &Task, lang: Lang) -> String {
    t.kind().label().get(lang).to_string()
}

pub(super) fn day(d: chrono::NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

/// "Kunjungan lanjutan 30 hari: Tinggal bersama keluarga (dikunjungi 07-01-2027)".
pub(super) fn status(t: &Task, lang: Lang) -> String {
    match (t.outcome(), t.contacted_on) {
        (Some(o), Some(on)) => format!(
            "{} ({} {})",
            o.label().get(lang),
            tr(lang, "dikunjungi/dihubungi", "visited/contacted"),
            day(on)
        ),
        _ => tr(lang, "Belum dikerjakan", "Not done yet").to_string(),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

/// The tasks of the officer's office(s): open ones first (overdue marked), then those
/// recorded in the last 90 days.
pub async fn show_tasks(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<DoneQuery>,
) -> AppResult<Markup> {
    require(&v.principal, Action::AnswerTasks)?;
    let now = state.clock.now();
    let offices = v.principal.scopes(Role::RegencyOfficer);
    let mut tx = CaseScope::of(&v.principal, now).begin(&state.pool).await?;
    let tasks = store::of_offices(&mut tx, &offices, now - chrono::Duration::days(90)).await?;
    let mut rows = vec![];
    for t in &tasks {
        let who = store::person(&state.pool, t.case_id, now).await?.name;
        rows.push(view::Row {
            href: format!("/tasks/{}", t.id),
            kind: kind_label(t, v.lang),
            number: t.number.clone(),
            who,
            due: day(t.due_on),
            overdue: t.overdue(now),
            status: status(t, v.lang),
            answered: t.answered_at.is_some(),
        });
    }
    let numbers: Vec<&str> = tasks.iter().map(|t| t.number.as_str()).collect();
    audit::record(
        &mut *tx,
        &v.origin,
        "read_tasks",
        "case",
        None,
        json!({"cases": numbers}),
    )
    .await?;
    tx.commit().await?;
    let done = (q.done == "recorded").then(|| {
        tr(
            v.lang,
            "Tersimpan: hasil tugas dicatat.",
            "Saved: the task's outcome is recorded.",
        )
    });
    Ok(view::list(v.lang, &v.nav, &rows, done))
}

/// A task of one of the officer's offices, locked when it is to be answered; any other
/// (another office's, or none) is "not found".
async fn own_task(tx: &mut Tx, p: &Principal, id: i64, lock: bool) -> AppResult<Task> {
    let offices = p.scopes(Role::RegencyOfficer);
    match store::find(tx, id, lock).await? {
        Some(t) if offices.contains(&t.office_code) => Ok(t),
        _ => Err(AppError::NotFound),
    }
}

pub async fn show_task(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let kept = view::Kept {
        done: (q.done == "recorded").then(|| {
            tr(
                v.lang,
                "Tersimpan: hasil tugas dicatat.",
                "Saved: the task's outcome is recorded.",
            )
            .to_string()
        }),
        ..Default::default()
    };
    task_response(&state, &v, id, kept, StatusCode::OK).await
}

async fn task_response(
    state: &AppState,
    v: &Viewer,
    id: i64,
    kept: view::Kept,
    status_code: StatusCode,
) -> AppResult<Response> {
    require(&v.principal, Action::AnswerTasks)?;
    let now = state.clock.now();
    let tz = state.settings.time_zone;
    let mut tx = CaseScope::of(&v.principal, now).begin(&state.pool).await?;
    let t = own_task(&mut tx, &v.principal, id, false).await?;
    let person = store::person(&state.pool, t.case_id, now).await?;
    let rematch = if allows(&v.principal, Action::ReviewLinks) && t.kind() == TaskKind::Tracing {
        rematch_lines(&mut tx, &t, v.lang).await?
    } else {
        vec![]
    };
    let view = task_view(&t, &person, rematch, v, (now, tz));
    // The person's details are on this page: its read is on record (once per change).
    if status_code == StatusCode::OK {
        audit::record(
            &mut *tx,
            &v.origin,
            "read_task",
            "case",
            Some(&t.number),
            json!({"task": t.id}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok((status_code, view::task_page(v.lang, &v.nav, &view, &kept)).into_response())
}

fn task_view(
    t: &Task,
    person: &store::Person,
    rematch: Vec<String>,
    v: &Viewer,
    (now, tz): (DateTime<Utc>, chrono_tz::Tz),
) -> view::TaskView {
    let lang = v.lang;
    let today = local_date(now, tz);
    let mut facts = vec![
        (tr(lang, "Nama", "Name"), person.name.clone()),
        (
            tr(lang, "Jenis kelamin", "Sex"),
            vocab::label_of(vocab::Sex::parse, vocab::Sex::label, &person.sex)
                .get(lang)
                .to_string(),
        ),
    ];
    let age = match (person.birth_date, person.estimated_age) {
        (Some(b), _) => today.years_since(b).map(|y| y.to_string()),
        (None, Some(a)) => Some(format!("± {a}")),
        _ => None,
    };
    if let Some(a) = age {
        facts.push((
            tr(lang, "Umur", "Age"),
            format!("{a} {}", tr(lang, "tahun", "years")),
        ));
    }
    facts.push((
        tr(lang, "Ditemukan", "Found"),
        format!(
            "{} · {}",
            format_local(person.found_at, tz),
            person.found_place
        ),
    ));
    if !person.stated_home.trim().is_empty() {
        facts.push((
            tr(lang, "Menurut orangnya, asal dari", "Says they come from"),
            person.stated_home.clone(),
        ));
    }
    let answered = t.outcome().map(|o| {
        let mut lines = vec![format!(
            "{} · {} {}",
            o.label().get(lang),
            tr(lang, "dikunjungi/dihubungi", "visited/contacted"),
            t.contacted_on.map(day).unwrap_or_default()
        )];
        if !t.family_address.is_empty() {
            lines.push(format!(
                "{} {}",
                tr(lang, "Alamat keluarga:", "Family's address:"),
                t.family_address
            ));
        }
        if !t.outcome_note.is_empty() {
            lines.push(t.outcome_note.clone());
        }
        if let (Some(at), Some(by)) = (t.answered_at, &t.answered_by) {
            lines.push(format!(
                "{} {by}, {}",
                tr(lang, "Dicatat oleh", "Recorded by"),
                format_local(at, tz)
            ));
        }
        lines
    });
    let office = t.office_name.clone().unwrap_or_default();
    view::TaskView {
        id: t.id,
        kind: kind_label(t, lang),
        number: t.number.clone(),
        is_tracing: t.kind() == TaskKind::Tracing,
        person: facts,
        known: t.known.clone(),
        given: match (t.kind(), &t.created_by) {
            (TaskKind::Tracing, by) => format!(
                "{} {}, {} · {office}",
                tr(lang, "Diberikan oleh", "Given by"),
                by.as_deref().unwrap_or("–"),
                format_local(t.created_at, tz)
            ),
            _ => format!(
                "{} {} · {office}",
                tr(lang, "Serah terima diterima", "Handed over"),
                format_local(t.created_at, tz)
            ),
        },
        tksk: t.tksk_name.as_ref().map(|n| {
            format!(
                "{n} · {} · {}",
                t.tksk_phone.clone().unwrap_or_default(),
                t.district_name
                    .as_deref()
                    .map(|d| format!("Kec. {d}"))
                    .unwrap_or_default()
            )
        }),
        due: day(t.due_on),
        overdue: t.overdue(now),
        next_step: t
            .outcome()
            .and_then(|o| o.next_step(lang))
            .map(str::to_string),
        answered,
        choices: Outcome::choices(t.kind()),
        today: today.format("%Y-%m-%d").to_string(),
        rematch,
        csrf: v.nav.csrf.clone(),
    }
}

/// The nightly re-match's candidates for a tracing task's person, since it was given.
pub(super) async fn rematch_lines(tx: &mut Tx, t: &Task, lang: Lang) -> AppResult<Vec<String>> {
    Ok(store::rematch_candidates(tx, t.case_id, t.created_at)
        .await?
        .into_iter()
        .map(|(_, other, p)| {
            let what = match other.as_str() {
                "check" => {
                    tr(lang, "hasil sidik jari DP3AK", "a DP3AK fingerprint result").to_string()
                }
                "registry" => tr(
                    lang,
                    "data penerima bantuan sosial",
                    "the social assistance register",
                )
                .to_string(),
                "intake" => tr(lang, "penjangkauan lain", "another pick-up").to_string(),
                number => format!("{} {number}", tr(lang, "kasus", "case")),
            };
            format!("{what} ({:.0}%)", p * 100.0)
        })
        .collect())
}

/// Records a task's outcome. A refused form comes back with what was typed, each
/// problem beside its field; "family found" asks which village when the typed one is
/// not yet picked.
pub async fn record_task(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<OutcomeForm>,
) -> AppResult<Response> {
    require(&v.principal, Action::AnswerTasks)?;
    let now = state.clock.now();
    let tz = state.settings.time_zone;
    let mut tx = CaseScope::of(&v.principal, now).begin(&state.pool).await?;
    let t = own_task(&mut tx, &v.principal, id, true).await?;
    if t.answered_at.is_some() {
        return Err(AppError::Conflict(
            "hasil tugas ini sudah dicatat / this task's outcome is already recorded".into(),
        ));
    }
    let today = local_date(now, tz);
    let checked = model::check_outcome(t.kind(), &f, (local_date(t.created_at, tz), today), v.lang);
    let mut villages = vec![];
    let result = match checked {
        Err(errors) => Err(errors),
        Ok(valid) if valid.outcome == Outcome::Tracing(TracingOutcome::FamilyFound) => {
            match family_village(&state, &f, v.lang).await? {
                Ok(code) => Ok((valid, Some(code))),
                Err((offered, error)) => {
                    villages = offered;
                    Err(vec![error])
                }
            }
        }
        Ok(valid) => Ok((valid, None)),
    };
    match result {
        Ok((valid, village)) => {
            store::record_outcome(
                &mut tx,
                &t,
                &valid,
                (&f.note, &f.family_address, village.as_deref()),
                &v.principal,
                now,
            )
            .await?;
            let detail = json!({"task": t.id, "outcome": valid.outcome.code()});
            audit::record(
                &mut *tx,
                &v.origin,
                "task_outcome",
                "case",
                Some(&t.number),
                detail,
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to(&format!("/tasks/{id}?done=recorded")).into_response())
        }
        Err(errors) => {
            tx.rollback().await?;
            let kept = view::Kept {
                errors: errors
                    .into_iter()
                    .map(|e| (e.field, one_language(v.lang, &e.message)))
                    .collect(),
                outcome: f.outcome.clone(),
                contacted_on: f.contacted_on.clone(),
                note: f.note.clone(),
                family_address: f.family_address.clone(),
                family_village: f.family_village.clone(),
                villages,
                done: None,
            };
            task_response(&state, &v, id, kept, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

type Villages = Vec<(String, String)>;

/// The family's village: the one picked among those offered, or the villages resembling
/// what was typed to pick from (with the message saying so).
async fn family_village(
    state: &AppState,
    f: &OutcomeForm,
    lang: Lang,
) -> AppResult<Result<String, (Villages, FieldError)>> {
    let picked = f.family_village_code.trim();
    if !picked.is_empty() {
        let known: Option<String> = sqlx::query_scalar("SELECT code FROM village WHERE code = $1")
            .bind(picked)
            .fetch_optional(&state.pool)
            .await?;
        if let Some(code) = known {
            return Ok(Ok(code));
        }
    }
    let offered =
        crate::places::store::suggest_villages(&state.pool, f.family_village.trim(), 6).await?;
    let message = if offered.is_empty() {
        tr(
            lang,
            "desa ini tidak ditemukan; tuliskan nama desa dan kecamatannya (mis. Sumberagung, Pesanggaran)",
            "this village was not found: write the village and its subdistrict (e.g. Sumberagung, Pesanggaran)",
        )
    } else {
        tr(
            lang,
            "pilih desa keluarga dari daftar, lalu simpan lagi",
            "choose the family's village from the list, then save again",
        )
    };
    Ok(Err((offered, FieldError::new("family_village", message))))
}
