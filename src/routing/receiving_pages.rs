//! The receiving office's pages: the people coming to a regency officer's office, one
//! person's card with the answers, and the same card on the notice's link page. The
//! officer reaches a case only through the scope (hand-overs to their own office:
//! `CaseScope::offices`, the database's `scope_admitted_cases`), so any other case is
//! "not found"; every read of the card is audited.
use crate::cases::CaseNumber;
use crate::web::path::Path;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::Markup;
use serde::Deserialize;
use serde_json::{json, Value};

use super::handover::{self, Notice};
use super::receiving::{self, Answer};
use crate::auth::audit;
use crate::auth::policy::{require, Action, CaseScope};
use crate::cases::access;
use crate::clock::format_local;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::vocab;
use crate::web::viewer::Viewer;
use simlontar_templates::i18n::{one_language, tr};
use simlontar_templates::receiving as view;
use simlontar_templates::Lang;

type Tx = sqlx::Transaction<'static, sqlx::Postgres>;

/// The card of the case of `notice` (read inside a scoped or system transaction).
pub async fn card(
    tx: &mut Tx,
    state: &AppState,
    n: &Notice,
    (action, photo_base, csrf): (String, String, String),
    lang: Lang,
) -> AppResult<view::Card> {
    let now = state.clock.now();
    let tz = state.settings.time_zone;
    let (name, sex, photos): (String, String, Vec<i64>) = sqlx::query_as(
        "SELECT coalesce(nullif(i.stated_name, ''), '–'), i.sex,
                coalesce((SELECT array_agg(p.id ORDER BY p.id) FROM intake_photo p WHERE p.intake_id = i.id), '{}')
           FROM ot_case c JOIN intake i ON i.id = c.intake_id WHERE c.id = $1",
    )
    .bind(n.case_id)
    .fetch_one(&mut **tx)
    .await?;
    let (plan, escort_name, officer, officer_email): (
        Value,
        Option<String>,
        Option<String>,
        Option<String>,
    ) = sqlx::query_as(
        "SELECT t.plan, t.escort_name, u.display_name, u.email FROM handover_notice n
               JOIN transport_plan t ON t.id = n.plan_id LEFT JOIN app_user u ON u.id = t.decided_by
              WHERE n.id = $1",
    )
    .bind(n.id)
    .fetch_one(&mut **tx)
    .await?;
    let facts = handover::facts(tx, n.case_id, now, tz).await?;
    let proposed = receiving::proposed(tx, n.id).await?;
    let label = |t: vocab::Text| t.get(lang).to_string();
    let mut status = vec![];
    if let Some(t) = n.accepted_at {
        status.push(format!(
            "{} {}",
            tr(
                lang,
                "Kantor Anda bersedia menerima sejak",
                "Your office accepted on"
            ),
            format_local(t, tz)
        ));
    }
    if let Some((d, note, _)) = &proposed {
        status.push(format!(
            "{} {}{}",
            tr(
                lang,
                "Tanggal lain yang diusulkan:",
                "Another date proposed:"
            ),
            d.format("%d-%m-%Y"),
            if note.is_empty() {
                String::new()
            } else {
                format!(" ({note})")
            }
        ));
    }
    if n.collect_upt.is_some() {
        status.push(
            tr(
                lang,
                "Kantor Anda menjemput warga di Balai PRS PMKS Sidoarjo.",
                "Your office collects the person at Balai PRS PMKS Sidoarjo.",
            )
            .to_string(),
        );
    }
    let mut contact = vec![];
    if let Some(o) = officer {
        contact.push(format!(
            "{} {o}{}",
            tr(lang, "Petugas kasus:", "Case officer:"),
            officer_email.map(|e| format!(" · {e}")).unwrap_or_default()
        ));
    }
    contact.push(format!(
        "{} {}",
        tr(lang, "Meja provinsi:", "Provincial desk:"),
        state.settings.escalation_email
    ));
    Ok(view::Card {
        number: n.number.clone(),
        name,
        photos: photos
            .iter()
            .map(|id| format!("{photo_base}/{id}"))
            .collect(),
        age: facts.facts.age.map_or_else(
            || tr(lang, "tidak diketahui", "unknown").to_string(),
            |a| format!("{a} {}", tr(lang, "tahun", "years")),
        ),
        sex: label(vocab::label_of(vocab::Sex::parse, vocab::Sex::label, &sex)),
        conditions: facts
            .conditions
            .iter()
            .filter(|c| c.as_str() != "other")
            .map(|c| {
                label(vocab::label_of(
                    vocab::Condition::parse,
                    vocab::Condition::label,
                    c,
                ))
            })
            .collect(),
        escort: match (plan["escort"]["who"].as_str(), escort_name) {
            (Some(who), Some(name)) => format!("{name} ({who})"),
            (Some(who), None) => format!("{who} · {}", tr(lang, "nama menyusul", "name to follow")),
            (None, Some(name)) => name,
            (None, None) => tr(lang, "tidak diperlukan", "not needed").to_string(),
        },
        arrival: n.arrival.map_or_else(
            || {
                tr(
                    lang,
                    "menunggu jadwal keberangkatan",
                    "waiting for the departure to be scheduled",
                )
                .to_string()
            },
            |t| format_local(t, tz),
        ),
        departed: n.departed,
        place: plan["handover"]["at"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        office: n.office.clone(),
        contact,
        status,
        accepted: n.accepted_at.is_some(),
        collecting: n.collect_upt.is_some(),
        received: n.received_at.map(|t| format_local(t, tz)),
        cancelled: n.cancelled(),
        action,
        csrf,
    })
}

/// The live notice of case `case_id` to one of `offices` (the officer's own), if any.
pub(super) async fn notice_of(tx: &mut Tx, case_id: i64, offices: &[String]) -> AppResult<Notice> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT n.id FROM handover_notice n JOIN transport_plan t ON t.id = n.plan_id
          WHERE n.case_id = $1 AND n.office_code = ANY($2) AND t.state <> 'cancelled' ORDER BY n.id DESC LIMIT 1",
    )
    .bind(case_id)
    .bind(offices)
    .fetch_optional(&mut **tx)
    .await?;
    let id = id.ok_or(AppError::NotFound)?;
    handover::notice_by_id(tx, id)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: String,
}

fn done_text(lang: Lang, done: &str) -> Option<String> {
    Some(
        match done {
            "accept" => tr(lang, "Tersimpan: kantor Anda bersedia menerima. Dinsos Jatim sudah diberi tahu.", "Saved: your office accepts. Dinsos Jatim can see it."),
            "another_date" => tr(lang, "Tersimpan: usulan tanggal Anda diteruskan ke petugas kasus Dinsos Jatim.", "Saved: your proposed date is shown to the Dinsos Jatim case officer."),
            "collect" => tr(lang, "Tersimpan: kantor Anda menjemput di Balai PRS PMKS Sidoarjo; rencana perjalanan berakhir di sana.", "Saved: your office collects at Balai PRS PMKS Sidoarjo; the plan now ends there."),
            "received" => tr(lang, "Tersimpan: warga sudah diterima. Serah terima selesai.", "Saved: the person is received. The hand-over is complete."),
            "decline" => tr(lang, "Tersimpan: penolakan diteruskan ke Dinsos Jatim, yang akan mencarikan tempat di UPT.", "Saved: your refusal went to Dinsos Jatim, who will find a UPT place."),
            _ => return None,
        }
        .to_string(),
    )
}

/// The people coming to the officer's office(s): name, expected arrival, where it stands.
pub async fn show_incoming(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<Done>,
) -> AppResult<Markup> {
    require(&v.principal, Action::ReceiveHandover)?;
    let now = state.clock.now();
    let tz = state.settings.time_zone;
    let scope = CaseScope::of(&v.principal, now);
    let mut tx = scope.begin(&state.pool).await?;
    let sql = format!(
        "SELECT n.id FROM handover_notice n JOIN transport_plan t ON t.id = n.plan_id
           JOIN ot_case c ON c.id = n.case_id JOIN intake i ON i.id = c.intake_id
          WHERE {} AND n.office_code = ANY($5) AND t.state <> 'cancelled'
            AND (n.received_at IS NULL OR n.received_at > $6)
          ORDER BY n.received_at IS NOT NULL, coalesce(t.departs_at, t.planned_departure) NULLS LAST, n.id",
        CaseScope::sql(1)
    );
    let ids: Vec<i64> = scope
        .bind(sqlx::query(&sql))
        .bind(&scope.offices)
        .bind(now - chrono::Duration::days(30))
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| sqlx::Row::get(r, 0))
        .collect();
    let mut rows = vec![];
    let mut numbers = vec![];
    for id in ids {
        let Some(n) = handover::notice_by_id(&mut tx, id).await? else {
            continue;
        };
        let name: String = sqlx::query_scalar(
            "SELECT coalesce(nullif(i.stated_name, ''), '–') FROM ot_case c JOIN intake i ON i.id = c.intake_id WHERE c.id = $1",
        )
        .bind(n.case_id)
        .fetch_one(&mut *tx)
        .await?;
        numbers.push(n.number.clone());
        rows.push(view::IncomingRow {
            status: row_status(v.lang, &n, tz),
            arrival: n.arrival.map_or_else(
                || tr(v.lang, "belum dijadwalkan", "not scheduled yet").to_string(),
                |t| format_local(t, tz),
            ),
            number: n.number,
            name,
        });
    }
    // Names of people are on this page: the read is on record, with the cases shown.
    audit::record(
        &mut *tx,
        &v.origin,
        "read_incoming",
        "case",
        None,
        json!({"cases": numbers}),
    )
    .await?;
    tx.commit().await?;
    Ok(view::incoming(
        v.lang,
        &v.nav,
        &rows,
        done_text(v.lang, &q.done).as_deref(),
    ))
}

fn row_status(lang: Lang, n: &Notice, tz: chrono_tz::Tz) -> String {
    match (
        n.received_at,
        n.departed,
        n.collect_upt.is_some(),
        n.accepted_at,
    ) {
        (Some(t), ..) => format!(
            "{} {}",
            tr(lang, "Sudah diterima", "Received"),
            format_local(t, tz)
        ),
        (None, true, ..) => tr(lang, "Sedang dalam perjalanan", "On the way").to_string(),
        (None, false, true, _) => tr(
            lang,
            "Dijemput di Balai PRS PMKS Sidoarjo",
            "Collected at Balai PRS PMKS Sidoarjo",
        )
        .to_string(),
        (None, false, false, Some(_)) => tr(
            lang,
            "Anda bersedia menerima; menunggu keberangkatan",
            "You accepted; waiting for the departure",
        )
        .to_string(),
        _ => tr(lang, "Menunggu jawaban Anda", "Waiting for your answer").to_string(),
    }
}

pub async fn show_card(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
    Query(q): Query<Done>,
) -> AppResult<Response> {
    let kept = view::Kept {
        done: done_text(v.lang, &q.done),
        ..Default::default()
    };
    card_response(&state, &v, &number, kept, StatusCode::OK).await
}

async fn card_response(
    state: &AppState,
    v: &Viewer,
    number: &CaseNumber,
    kept: view::Kept,
    status: StatusCode,
) -> AppResult<Response> {
    let now = state.clock.now();
    let (mut tx, id) = access::open(
        &state.pool,
        &v.principal,
        &v.origin,
        number,
        Action::ReceiveHandover,
        now,
    )
    .await?;
    let n = notice_of(
        &mut tx,
        id,
        &v.principal.scopes(crate::auth::model::Role::RegencyOfficer),
    )
    .await?;
    let base = format!("/incoming/{number}");
    let c = card(
        &mut tx,
        state,
        &n,
        (base.clone(), format!("{base}/photos"), v.nav.csrf.clone()),
        v.lang,
    )
    .await?;
    // A refused answer's page shows again what was just shown: its read is on record.
    if status == StatusCode::OK {
        access::commit(tx, &v.origin, number, "read_card", json!({"notice": n.id})).await?;
    } else {
        tx.commit().await?;
    }
    Ok((status, view::card_page(v.lang, Some(&v.nav), &c, &kept)).into_response())
}

#[derive(Deserialize, Default, Clone)]
pub struct AnswerForm {
    #[serde(default)]
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
    pub confirm: String,
}

impl AnswerForm {
    /// The office's answer, when the form is one (`received` and `acknowledge` are not).
    pub fn answer(&self) -> Option<Answer> {
        Some(match self.action.as_str() {
            "accept" => Answer::Accept,
            "decline" => Answer::Decline {
                reason: self.reason.clone(),
            },
            "another_date" => Answer::AnotherDate {
                date: self.date.clone(),
                note: self.note.clone(),
            },
            "collect" => Answer::Collect,
            _ => return None,
        })
    }

    fn kept(&self, errors: Vec<(String, String)>, refusal: Option<String>) -> view::Kept {
        view::Kept {
            action: self.action.clone(),
            errors,
            refusal,
            reason: self.reason.clone(),
            date: self.date.clone(),
            note: self.note.clone(),
            receiver_name: self.receiver_name.clone(),
            receiver_ref: self.receiver_ref.clone(),
            done: None,
        }
    }
}

/// The tick every answer asks for, named beside it when missing.
pub fn unconfirmed(lang: Lang) -> AppError {
    AppError::Invalid(vec![crate::error::FieldError::new(
        "confirm",
        tr(
            lang,
            "centang pernyataan untuk memastikan jawaban ini",
            "tick the statement to confirm this answer",
        ),
    )])
}

/// The office's answer, in one transaction: `answer` for the four answers, the
/// received rule (`handover::confirm`) for "received". `by`: the signed-in officer.
pub async fn apply(
    tx: &mut Tx,
    state: &AppState,
    n: &Notice,
    f: &AnswerForm,
    by: Option<&crate::auth::model::Principal>,
    lang: Lang,
) -> AppResult<()> {
    let now = state.clock.now();
    if let Some(a) = f.answer() {
        if f.confirm != "yes" {
            return Err(unconfirmed(lang));
        }
        return receiving::answer(tx, &state.settings, n.id, &a, by, now).await;
    }
    if f.action != "received" {
        return Err(AppError::Invalid(vec![crate::error::FieldError::new(
            "action",
            "unknown action",
        )]));
    }
    let receiver = handover::Receiver {
        name: f.receiver_name.clone(),
        reference: f.receiver_ref.clone(),
        confirmed: f.confirm == "yes",
    };
    let tz = state.settings.time_zone;
    handover::confirm(tx, n.id, "received", &receiver, lang, (now, tz)).await?;
    if let Some(p) = by {
        sqlx::query("UPDATE handover_notice SET received_by_user = coalesce(received_by_user, $2) WHERE id = $1")
            .bind(n.id)
            .bind(p.user_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// An answer from the signed-in officer's card.
pub async fn answer_card(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
    Form(f): Form<AnswerForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let (mut tx, id) = access::open(
        &state.pool,
        &v.principal,
        &v.origin,
        &number,
        Action::ReceiveHandover,
        now,
    )
    .await?;
    let n = notice_of(
        &mut tx,
        id,
        &v.principal.scopes(crate::auth::model::Role::RegencyOfficer),
    )
    .await?;
    match apply(&mut tx, &state, &n, &f, Some(&v.principal), v.lang).await {
        Ok(()) => {
            let what = format!("handover_{}", f.action);
            access::commit(tx, &v.origin, &number, &what, json!({"notice": n.id})).await?;
            // A declined hand-over is no longer the office's: back to the list.
            let to = if f.action == "decline" {
                format!("/incoming?done={}", f.action)
            } else {
                format!("/incoming/{number}?done={}", f.action)
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            tx.rollback().await?;
            let (status, kept) = match e {
                AppError::Conflict(why) => (
                    StatusCode::CONFLICT,
                    f.kept(vec![], Some(one_language(v.lang, &why))),
                ),
                e => match e.field_errors(v.lang) {
                    Some(fields) => (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        f.kept(
                            fields
                                .into_iter()
                                .map(|x| (x.field, one_language(v.lang, &x.message)))
                                .collect(),
                            None,
                        ),
                    ),
                    None => return Err(e),
                },
            };
            card_response(&state, &v, &number, kept, status).await
        }
    }
}

/// A face photo on the officer's card: their scope decides, the view is audited.
pub async fn show_card_photo(
    State(state): State<AppState>,
    v: Viewer,
    Path((number, id)): Path<(CaseNumber, i64)>,
) -> AppResult<Response> {
    require(&v.principal, Action::ReceiveHandover)?;
    let (kind, bytes) = access::read_photo(
        &state.pool,
        &v.principal,
        &v.origin,
        &number,
        id,
        state.clock.now(),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "private, no-store".into()),
        ],
        bytes,
    )
        .into_response())
}

/// A face photo on the link's card: the live link is the key, the view is audited.
pub async fn show_link_photo(
    State(state): State<AppState>,
    Path((token, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut tx = CaseScope::system(now).begin(&state.pool).await?;
    let n = handover::notice_by_token(&mut tx, &token)
        .await?
        .ok_or(AppError::NotFound)?;
    if n.expires_at < now || n.cancelled() {
        return Err(AppError::NotFound);
    }
    let photo: Option<(String, Vec<u8>)> = sqlx::query_as(
        "SELECT p.content_type, p.bytes FROM intake_photo p JOIN ot_case c ON c.intake_id = p.intake_id
          WHERE c.id = $1 AND p.id = $2",
    )
    .bind(n.case_id)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let (kind, bytes) = photo.ok_or(AppError::NotFound)?;
    let origin = audit::Origin::default();
    audit::record(
        &mut *tx,
        &origin,
        "read_photo",
        "case",
        Some(&n.number),
        json!({"photo": id, "via": "handover_link", "office": n.office}),
    )
    .await?;
    tx.commit().await?;
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "private, no-store".into()),
        ],
        bytes,
    )
        .into_response())
}

/// The card on the link page (person and answers), read with the system's scope: the
/// live link is the key. The read is audited.
pub async fn link_card(
    tx: &mut Tx,
    state: &AppState,
    n: &Notice,
    (token, csrf): (&str, &str),
    lang: Lang,
    (kept, fresh): (&view::Kept, bool),
) -> AppResult<Markup> {
    let base = format!("/handover/{token}");
    let c = card(
        tx,
        state,
        n,
        (base.clone(), format!("{base}/photos"), csrf.to_string()),
        lang,
    )
    .await?;
    // A refused press shows again what was just shown: its read is already on record.
    if fresh {
        let origin = audit::Origin::default();
        audit::record(
            &mut **tx,
            &origin,
            "read_card",
            "case",
            Some(&n.number),
            json!({"via": "handover_link", "office": n.office}),
        )
        .await?;
    }
    Ok(maud::html! {
        (view::person(lang, &c))
        @if !c.departed && c.received.is_none() { (view::answers(lang, &c, kept)) }
    })
}
