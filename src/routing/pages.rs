//! Routing on the case page (decision, departure, refusal, the printable form), the
//! receiving office's link page, and the offices' response times.
use crate::cases::CaseNumber;
use crate::web::path::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use maud::Markup;
use serde::Deserialize;
use serde_json::{json, Value};

use super::handover::{self, Facts};
use super::proposal::propose;
use crate::auth::audit;
use crate::auth::policy::{allows, require, Action, CaseScope};
use crate::cases::access;
use crate::cases::model::State as CaseState;
use crate::cases::next_step::Done;
use crate::cases::pages::to_case;
use crate::clock::format_local;
use crate::error::{AppError, AppResult};
use crate::shelter::referral;
use crate::state::AppState;
use crate::vocab::{self, HomeSource, PlanState, RouteChoice, TravelMode};
use crate::web::lang::lang_of;
use crate::web::viewer::Viewer;
use simlontar_templates::i18n::tr;
use simlontar_templates::routing as view;
use simlontar_templates::Lang;

#[derive(Deserialize)]
pub struct RouteForm {
    #[serde(default)]
    choice: String,
    #[serde(default)]
    reason: String,
    /// The UPT the person is referred to when the choice is a UPT; empty for the proposal's.
    #[serde(default)]
    upt: String,
}

pub async fn decide_route(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
    Form(f): Form<RouteForm>,
) -> AppResult<Redirect> {
    let (p, origin, now) = (&v.principal, &v.origin, state.clock.now());
    let (mut tx, id) =
        access::open(&state.pool, p, origin, &number, Action::DecideCase, now).await?;
    let facts = handover::facts(&mut tx, id, now, state.settings.time_zone).await?;
    let choice = (f.choice.as_str(), f.reason.as_str(), f.upt.as_str());
    let services = (&state.pool, state.settings.as_ref());
    let plan = handover::decide(&mut tx, services, &facts, choice, p, now).await?;
    let detail = json!({"choice": f.choice, "plan_id": plan, "upt": f.upt});
    access::commit(tx, origin, &number, "route", detail).await?;
    Ok(to_case(&number, Done::Route))
}

#[derive(Deserialize, Default)]
pub struct DepartForm {
    /// "yes" once the confirmation step was seen.
    #[serde(default)]
    confirm: String,
}

pub async fn depart(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
    Form(f): Form<DepartForm>,
) -> AppResult<Response> {
    let (p, origin, now) = (&v.principal, &v.origin, state.clock.now());
    let (mut tx, id) =
        access::open(&state.pool, p, origin, &number, Action::DecideCase, now).await?;
    // A departure cannot be taken back (the receiving office waits for the person).
    if f.confirm != "yes" {
        tx.rollback().await?;
        let l = v.lang;
        let page = simlontar_templates::confirm::confirm(
            l,
            &v.nav,
            &simlontar_templates::confirm::ConfirmView {
                title: tr(l, "Catat keberangkatan", "Record the departure"),
                section: simlontar_templates::layout::Section::Cases,
                question: format!("{} {number}?", tr(l, "Catat keberangkatan warga pada kasus", "Record the departure of the person in case")),
                consequences: vec![
                    tr(l, "Catat hanya setelah warga benar-benar berangkat bersama petugas.", "Record it only once the person has actually left with the escort.").into(),
                    tr(l, "Kantor penerima diberi tahu dan dapat mengonfirmasi penerimaan; ini tidak dapat dibatalkan.", "The receiving office is told and can confirm the arrival; this cannot be undone.").into(),
                ],
                action: format!("/cases/{number}/depart"),
                hidden: vec![],
                fields: None,
                confirm_label: tr(l, "Ya, warga sudah berangkat", "Yes, the person has left"),
                cancel: format!("/cases/{number}"),
            },
        );
        return Ok(page.into_response());
    }
    if let Err(e) = handover::depart(&mut tx, id, p, now).await {
        tx.rollback().await?;
        // What is missing (the escort's name) is shown beside its field on the plan page.
        return super::plan_pages::refuse_departure(&state, &v, &number, e).await;
    }
    access::commit(tx, origin, &number, "depart", json!({})).await?;
    Ok(to_case(&number, Done::Depart).into_response())
}

#[derive(Deserialize)]
pub struct RefusalForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    by: String,
    #[serde(default)]
    reason: String,
}

pub async fn record_refusal(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
    Form(f): Form<RefusalForm>,
) -> AppResult<Redirect> {
    let (p, origin, now) = (&v.principal, &v.origin, state.clock.now());
    let (mut tx, id) =
        access::open(&state.pool, p, origin, &number, Action::DecideCase, now).await?;
    handover::refuse(&mut tx, id, &f.kind, &f.by, &f.reason, Some(p), now).await?;
    let detail = json!({"kind": f.kind, "by": f.by});
    access::commit(tx, origin, &number, "refusal", detail).await?;
    Ok(to_case(&number, Done::Refusal))
}

/// A stored plan as the views show it; the map is drawn again from reference data.
pub async fn plan_view(
    state: &AppState,
    plan_state: &str,
    plan: &Value,
    notice: Option<String>,
) -> view::PlanView {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let legs = plan["legs"].as_array().cloned().unwrap_or_default();
    // The route is the same for the same ends (the network is reference data).
    let ends = (
        plan["from"]["lat"].as_f64(),
        plan["from"]["lon"].as_f64(),
        plan["destination"]["code"].as_str(),
    );
    let map_svg = match ends {
        (Some(lat), Some(lon), Some(to)) => {
            match super::store::plan_to(&state.pool, (lat, lon), to, Default::default()).await {
                Ok(again) => super::store::map_of(&state.pool, &again)
                    .await
                    .ok()
                    .map(|m| m.into_string()),
                Err(_) => None,
            }
        }
        _ => None,
    };
    view::PlanView {
        state: vocab::label_of(PlanState::parse, PlanState::label, plan_state),
        legs: legs
            .iter()
            .map(|l| view::LegRow {
                mode: vocab::label_of(
                    TravelMode::parse,
                    TravelMode::label,
                    l["mode"].as_str().unwrap_or_default(),
                ),
                from: s(&l["from"]),
                to: s(&l["to"]),
                km: l["distance_km"].as_f64().unwrap_or(0.0),
                minutes: l["minutes"].as_u64().unwrap_or(0) as u32,
                fare: l["fare_idr"].as_u64().unwrap_or(0),
                office: s(&l["office"]),
                paid_by: s(&l["paid_by"]),
            })
            .collect(),
        total_minutes: plan["total_minutes"].as_u64().unwrap_or(0) as u32,
        total_fare: plan["total_fare_idr"].as_u64().unwrap_or(0),
        escort: plan["escort"]["who"].as_str().map(String::from),
        office: s(&plan["handover"]["office"]),
        at: s(&plan["handover"]["at"]),
        relay: plan["relay"]["onward"].as_str().map(String::from),
        notes: plan["notes"]
            .as_array()
            .map(|n| n.iter().map(s).collect())
            .unwrap_or_default(),
        map_svg,
        notice,
    }
}

/// The case page's routing panel, for the roles that may view routing (the rule the
/// proposal's API operation is gated by); `None` for everyone else.
pub async fn panel(state: &AppState, v: &Viewer, case_id: i64) -> AppResult<Option<view::Panel>> {
    if !allows(&v.principal, Action::ViewRouting) {
        return Ok(None);
    }
    let now = state.clock.now();
    let scope = CaseScope::of(&v.principal, now);
    let mut tx = scope.begin(&state.pool).await?;
    let f: Facts = handover::facts(&mut tx, case_id, now, state.settings.time_zone).await?;
    let live = handover::live_plan(&mut tx, case_id).await?;
    let notice: Option<(Option<chrono::DateTime<Utc>>, i32)> = sqlx::query_as(
        "SELECT n.acknowledged_at, n.escalations FROM handover_notice n JOIN transport_plan t ON t.id = n.plan_id
          WHERE t.case_id = $1 AND t.state IN ('accepted', 'in_transit') ORDER BY n.id DESC LIMIT 1",
    )
    .bind(case_id)
    .fetch_optional(&mut *tx)
    .await?;
    let decides = allows(&v.principal, Action::DecideCase);
    let undecided = matches!(
        f.state,
        CaseState::Identified | CaseState::Unidentified | CaseState::Placed
    );
    let referral = referral::open_of(&mut tx, case_id).await?;
    let (upts, proposed_upt) = if decides && undecided && live.is_none() {
        let upts: Vec<(String, String)> =
            sqlx::query_as("SELECT code, name FROM upt ORDER BY name")
                .fetch_all(&mut *tx)
                .await?;
        let proposed = match &referral {
            Some((code, _, _)) => Some(code.clone()),
            None => {
                crate::shelter::store::proposed_upt(&mut tx, case_id, now, state.settings.time_zone)
                    .await?
            }
        };
        (upts, proposed)
    } else {
        (vec![], None)
    };
    tx.commit().await?;
    let proposal = propose(&f.facts);
    let reasons = proposal
        .reasons
        .iter()
        .map(|r| {
            if v.lang == Lang::Id {
                r.id.to_string()
            } else {
                r.en.to_string()
            }
        })
        .collect();
    let tz = state.settings.time_zone;
    let notice_line = notice.map(|(ack, esc)| match ack {
        Some(t) => format!(
            "{} {}",
            simlontar_templates::i18n::tr(
                v.lang,
                "Pemberitahuan dikonfirmasi",
                "Notice acknowledged"
            ),
            format_local(t, tz)
        ),
        None => format!(
            "{} ({esc})",
            simlontar_templates::i18n::tr(
                v.lang,
                "Pemberitahuan belum dikonfirmasi; eskalasi",
                "Notice not yet acknowledged; escalations"
            )
        ),
    });
    let plan = match &live {
        Some((_, plan_state, plan)) => Some(plan_view(state, plan_state, plan, notice_line).await),
        None => None,
    };
    let home = home_named(state, &f.facts).await?;
    Ok(Some(view::Panel {
        proposed: undecided.then(|| (handover::route_code(&proposal.route), reasons)),
        home: home.map(|(code, name, source)| (vocab::region::named(&name, &code), source.label())),
        choices: RouteChoice::ALL
            .iter()
            .map(|c| (c.code(), c.label()))
            .collect(),
        may_decide: decides && undecided && live.is_none(),
        may_depart: decides && live.as_ref().is_some_and(|(_, s, _)| s == "accepted"),
        may_refuse: decides && live.is_some(),
        plan,
        upts,
        proposed_upt,
        referral: referral.map(|(_, name, since)| format!("{name} · {}", format_local(since, tz))),
    }))
}

/// The proposal's home, if one is known: its code, its name ("Desa …, Kec. …, Kab. …",
/// empty for a code the gazetteer lacks) and its source.
pub async fn home_named(
    state: &AppState,
    f: &super::CaseFacts,
) -> AppResult<Option<(String, String, HomeSource)>> {
    let (Some(code), Some(source)) = (f.home.code(), f.home_source) else {
        return Ok(None);
    };
    let name = crate::places::store::region_name(&state.pool, code)
        .await?
        .unwrap_or_default();
    Ok(Some((code.to_string(), name, source)))
}

/// The berita acara serah terima: the document both parties sign, laid out for paper
/// (letterhead, number, place and date, identity and belongings, the two parties side by
/// side). Labels, never codes; the age by the one clock rule (`handover::facts`).
pub async fn show_handover_form(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
) -> AppResult<Markup> {
    let (p, origin, now) = (&v.principal, &v.origin, state.clock.now());
    let tz = state.settings.time_zone;
    let (mut tx, id) =
        access::open(&state.pool, p, origin, &number, Action::ViewCases, now).await?;
    let (plan_id, plan_state, plan, escort): (i64, String, Value, Option<String>) = sqlx::query_as(
        "SELECT id, state, plan, escort_name FROM transport_plan
          WHERE case_id = $1 AND state <> 'cancelled' ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let (name, sex, belongings, documents): (String, String, String, Vec<String>) = sqlx::query_as(
        "SELECT coalesce(nullif(i.stated_name, ''), '–'), i.sex, i.belongings, i.documents
           FROM ot_case c JOIN intake i ON i.id = c.intake_id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    // Who received the person, once the office confirmed it: the second party's lines.
    let receipt: Option<(chrono::DateTime<Utc>, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT received_at, received_by, received_by_ref FROM handover_notice
              WHERE plan_id = $1 AND received_at IS NOT NULL ORDER BY received_at DESC LIMIT 1",
    )
    .bind(plan_id)
    .fetch_optional(&mut *tx)
    .await?;
    let received = receipt.as_ref().map(|r| r.0);
    let facts = handover::facts(&mut tx, id, now, tz).await?;
    audit::record(
        &mut *tx,
        &v.origin,
        "print_handover",
        "case",
        Some(number.as_str()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    let plan_view = plan_view(&state, &plan_state, &plan, None).await;
    // The berita acara is in Bahasa Indonesia whatever the reader's language.
    let id_label = |t: vocab::Text| t.get(Lang::Id).to_string();
    let day = received.unwrap_or(now).with_timezone(&tz);
    use chrono::Datelike;
    Ok(view::handover_form(
        v.lang,
        &v.nav,
        &view::FormView {
            document_number: format!("BAST-{plan_id:05}/{number}/{}", day.year()),
            number: number.to_string(),
            name,
            sex: id_label(vocab::label_of(vocab::Sex::parse, vocab::Sex::label, &sex)),
            age: facts
                .facts
                .age
                .map_or("tidak diketahui".into(), |a| format!("{a} tahun")),
            home: plan["destination"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            documents: documents
                .iter()
                .map(|d| {
                    id_label(vocab::label_of(
                        vocab::DocumentKind::parse,
                        vocab::DocumentKind::label,
                        d,
                    ))
                })
                .collect(),
            belongings: if belongings.trim().is_empty() {
                "tidak ada".into()
            } else {
                belongings.trim().to_string()
            },
            place_date: format!(
                "Pada hari ini {}, tanggal {} {} {}, bertempat di {}",
                crate::jobs::schedule::weekday_name(day.weekday(), Lang::Id),
                day.day(),
                crate::reports::pages::MONTHS_ID[day.month0() as usize],
                day.year(),
                plan["handover"]["at"].as_str().unwrap_or("–"),
            ),
            city_date: format!(
                "{}, {} {} {}",
                plan["handover"]["at"].as_str().unwrap_or("–"),
                day.day(),
                crate::reports::pages::MONTHS_ID[day.month0() as usize],
                day.year()
            ),
            received: received.map(|t| format_local(t, tz)),
            escort: escort.filter(|e| !e.trim().is_empty()),
            receiver: receipt
                .and_then(|(_, name, reference)| Some((name?, reference.unwrap_or_default()))),
            plan: plan_view,
        },
    ))
}

/// The link page: open to whoever holds the link (the receiving office), showing only the
/// case number, the office and the place.
pub async fn show_link(
    State(state): State<AppState>,
    session: tower_sessions::Session,
    parts: axum::http::request::Parts,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let csrf = crate::auth::csrf::form_token(&parts, &session).await?;
    let page = link_page(&state, &parts, token, csrf, Refused::default()).await?;
    Ok(page.into_response())
}

/// Why a press on the link page was refused, and what was typed: the page comes back
/// with both (errors beside their fields, nothing typed lost).
#[derive(Default)]
struct Refused {
    receiver: view::ReceiverValues,
    errors: Vec<(String, String)>,
    refusal: Option<String>,
    /// A refused answer (accept, decline, another date, collect): its form's errors and values.
    answer: simlontar_templates::receiving::Kept,
}

/// The link page as the notice stands now (read afresh: a refusal may be about a change).
async fn link_page(
    state: &AppState,
    parts: &axum::http::request::Parts,
    token: String,
    csrf: String,
    refused: Refused,
) -> AppResult<Markup> {
    let now = state.clock.now();
    let mut tx = CaseScope::system(now).begin(&state.pool).await?;
    let notice = handover::notice_by_token(&mut tx, &token)
        .await?
        .ok_or(AppError::NotFound)?;
    let lang = lang_of(&parts.headers);
    let live = notice.expires_at >= now && !notice.cancelled();
    // A refused press shows again what was just shown: its read is already on record.
    let fresh = refused.errors.is_empty()
        && refused.refusal.is_none()
        && refused.answer.errors.is_empty()
        && refused.answer.refusal.is_none();
    // The same need-to-know card the office's officers see signed in (its read audited).
    let card = match live {
        true => Some(
            super::receiving_pages::link_card(
                &mut tx,
                state,
                &notice,
                (&token, &csrf),
                lang,
                (&refused.answer, fresh),
            )
            .await?,
        ),
        false => None,
    };
    tx.commit().await?;
    let tz = state.settings.time_zone;
    Ok(view::link_page(
        lang,
        &view::LinkView {
            card,
            number: notice.number,
            office: notice.office,
            at: notice.at,
            sent: format_local(notice.sent_at, tz),
            arrival: notice.arrival.map(|t| format_local(t, tz)),
            acknowledged: notice.acknowledged_at.map(|t| format_local(t, tz)),
            received: notice.received_at.map(|t| format_local(t, tz)),
            token,
            csrf,
            expired: notice.expires_at < now,
            cancelled: notice.plan_state == "cancelled",
            departed: notice.departed,
            receiver: refused.receiver,
            errors: refused.errors,
            refusal: refused.refusal,
        },
    ))
}

/// The link page's forms: acknowledge, received (with the receiver and the tick), and
/// the office's answers (`receiving_pages::AnswerForm`).
pub type ConfirmForm = super::receiving_pages::AnswerForm;

/// A press on the link page. Refused for its fields, the page comes back (422) with each
/// error beside its field and what was typed; refused for the state of the hand-over (no
/// departure yet, called off, expired), the page comes back (409) saying why.
pub async fn confirm_link(
    State(state): State<AppState>,
    session: tower_sessions::Session,
    parts: axum::http::request::Parts,
    Path(token): Path<String>,
    Form(f): Form<ConfirmForm>,
) -> AppResult<Response> {
    let lang = lang_of(&parts.headers);
    let receiver = handover::Receiver {
        name: f.receiver_name.clone(),
        reference: f.receiver_ref.clone(),
        confirmed: f.confirm == "yes",
    };
    let refused = match confirm_notice(&state, &token, &f, &receiver, lang).await {
        Ok(()) => return Ok(Redirect::to(&format!("/handover/{token}")).into_response()),
        Err(e) => e,
    };
    let answering = f.answer().is_some();
    let kept_answer = |errors: Vec<(String, String)>, refusal: Option<String>| {
        simlontar_templates::receiving::Kept {
            action: if answering {
                f.action.clone()
            } else {
                String::new()
            },
            errors: if answering { errors } else { vec![] },
            refusal,
            reason: f.reason.clone(),
            date: f.date.clone(),
            note: f.note.clone(),
            ..Default::default()
        }
    };
    let kept = view::ReceiverValues {
        name: receiver.name,
        reference: receiver.reference,
        confirmed: receiver.confirmed,
    };
    let (status, refused) = match refused {
        AppError::Conflict(why) => (
            StatusCode::CONFLICT,
            Refused {
                receiver: kept,
                errors: vec![],
                refusal: Some(why),
                answer: kept_answer(vec![], None),
            },
        ),
        e => match e.field_errors(lang) {
            Some(fields) => (StatusCode::UNPROCESSABLE_ENTITY, {
                let fields: Vec<(String, String)> = fields
                    .into_iter()
                    .map(|f| {
                        (
                            f.field,
                            simlontar_templates::i18n::one_language(lang, &f.message),
                        )
                    })
                    .collect();
                Refused {
                    receiver: kept,
                    errors: if answering { vec![] } else { fields.clone() },
                    refusal: None,
                    answer: kept_answer(fields, None),
                }
            }),
            None => return Err(e),
        },
    };
    let csrf = crate::auth::csrf::form_token(&parts, &session).await?;
    let page = link_page(&state, &parts, token, csrf, refused).await?;
    Ok((status, page).into_response())
}

/// The confirmation itself, in one transaction: the link must be live, then
/// `handover::confirm` decides; audited when it goes through.
async fn confirm_notice(
    state: &AppState,
    token: &str,
    form: &ConfirmForm,
    receiver: &handover::Receiver,
    lang: Lang,
) -> AppResult<()> {
    let action = form.action.as_str();
    let now = state.clock.now();
    let mut tx = CaseScope::system(now).begin(&state.pool).await?;
    let notice = handover::notice_by_token(&mut tx, token)
        .await?
        .ok_or(AppError::NotFound)?;
    if notice.expires_at < now {
        return Err(AppError::Conflict(
            "Tautan ini sudah kedaluwarsa. / This link has expired.".into(),
        ));
    }
    if form.answer().is_some() {
        super::receiving_pages::apply(&mut tx, state, &notice, form, None, lang).await?;
    } else {
        handover::confirm(
            &mut tx,
            notice.id,
            action,
            receiver,
            lang,
            (now, state.settings.time_zone),
        )
        .await?;
    }
    let origin = audit::Origin::default();
    audit::record(
        &mut *tx,
        &origin,
        &format!("handover_{action}"),
        "case",
        Some(&notice.number),
        json!({"office": notice.office}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct OfficeStats {
    code: String,
    office: String,
    notices: i64,
    acknowledged: i64,
    median_hours: Option<f64>,
    open: i64,
    escalations: i64,
    decided_home: i64,
    refusals: i64,
}

pub async fn show_offices(State(state): State<AppState>, v: Viewer) -> AppResult<Markup> {
    require(&v.principal, Action::ViewCases)?;
    let now = state.clock.now();
    let mut tx = CaseScope::system(now).begin(&state.pool).await?;
    let rows: Vec<OfficeStats> = sqlx::query_as(
        "WITH n AS (
            SELECT office_code, max(office) AS office, count(*) AS notices, count(acknowledged_at) AS acknowledged,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM acknowledged_at - sent_at) / 3600)
                       FILTER (WHERE acknowledged_at IS NOT NULL) AS median_hours,
                   count(*) FILTER (WHERE acknowledged_at IS NULL) AS open, sum(escalations)::bigint AS escalations
              FROM handover_notice GROUP BY office_code),
         r AS (
            SELECT detail ->> 'office_code' AS office_code, count(*) AS refusals
              FROM case_event WHERE kind = 'refused' AND detail ->> 'office_code' IS NOT NULL GROUP BY 1)
         SELECT n.office_code AS code, n.office, n.notices, n.acknowledged, n.median_hours, n.open,
                n.escalations, n.notices AS decided_home, coalesce(r.refusals, 0) AS refusals
           FROM n LEFT JOIN r USING (office_code) ORDER BY n.median_hours DESC NULLS FIRST, n.office_code",
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let rows: Vec<view::OfficeRow> = rows
        .into_iter()
        .map(|r| view::OfficeRow {
            code: r.code,
            office: r.office,
            notices: r.notices,
            acknowledged: r.acknowledged,
            median_hours: r.median_hours,
            open: r.open,
            escalations: r.escalations,
            decided_home: r.decided_home,
            refusals: r.refusals,
        })
        .collect();
    Ok(view::offices(v.lang, &v.nav, &rows))
}
