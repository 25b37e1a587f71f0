//! The case page: the person as recorded, the identity DP3AK confirmed, social
//! assistance, the history, and each capability's panel (UPT beds, the route home).
use super::number::CaseNumber;
use crate::web::path::Path;
use axum::extract::{Query, State as AxState};
use maud::Markup;

use super::model::{actions, State};
use super::next_step::{self, Done, Situation};
use super::{access, store};
use crate::auth::model::mask_nik;
use crate::auth::policy::{require, sees_full_identity, Action, CaseScope, NikKey};
use crate::clock::format_local;
use crate::error::AppResult;
use crate::state::AppState;
use crate::vocab::{self, BirthQuality, Condition, EventKind, NameQuality, Sex};
use crate::web::viewer::Viewer;
use simlontar_templates::cases as view;
use simlontar_templates::i18n::tr;
use simlontar_templates::Lang;

/// `?done=route`: the action just taken on this page, to confirm.
#[derive(serde::Deserialize, Default)]
pub struct Confirmed {
    #[serde(default)]
    done: String,
}

pub async fn show_case(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
    Query(confirmed): Query<Confirmed>,
) -> AppResult<Markup> {
    require(&v.principal, Action::ViewCases)?;
    let now = state.clock.now();
    let mut case = access::read(&state.pool, &v.principal, &v.origin, &number, now).await?;
    let tz = state.settings.time_zone;
    let full = sees_full_identity(&v.principal);
    if !full {
        store::hide_biometric_methods(&mut case.events);
    }
    let scope = CaseScope::of(&v.principal, now);
    let verified = crate::identity::store::verified(&state.pool, &scope, case.id).await?;
    let flags = nik_flags(&case, v.lang, tz);
    // By NIK: the one DP3AK confirmed, or the intake's own. The intake's was typed at the
    // desk, and a register hit on it answers "is this NIK known", so it is a key only for
    // viewers who may use one (`NikKey`); DP3AK's was chosen by no viewer.
    let known_nik = verified.as_ref().map(|id| id.nik.clone()).or_else(|| {
        case.nik
            .as_deref()
            .and_then(|n| NikKey::for_principal(&v.principal, n))
            .map(|k| k.as_str().to_string())
    });
    let assistance = crate::identity::assistance::for_case(
        &state.pool,
        &scope,
        case.id,
        known_nik.as_deref(),
        v.lang,
    )
    .await?;
    let upts = crate::places::store::upt_names(&state.pool).await?;
    let village = match verified.as_ref().and_then(|id| id.village_code.as_deref()) {
        Some(code) => crate::places::store::region_name(&state.pool, code)
            .await?
            .map(|name| vocab::region::named(&name, code)),
        None => None,
    };
    // The home as recorded at intake: the region picked by name, then what the person said.
    let home_region = match case.home_region.as_deref() {
        Some(code) => crate::places::store::region_name(&state.pool, code)
            .await?
            .map(|name| vocab::region::named(&name, code)),
        None => None,
    };
    let home = [home_region.as_deref(), Some(case.stated_home.trim())]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let nik = case
        .nik
        .as_deref()
        .map(|n| if full { n.to_string() } else { mask_nik(n) });
    let placement = crate::shelter::pages::panel(&state, &v, case.id).await?;
    let routing = crate::routing::pages::panel(&state, &v, case.id).await?;
    let tasks = crate::tasks::tracing_pages::case_panel(&state, &v, case.id).await?;
    let may_record_identity = crate::auth::policy::allows(&v.principal, Action::RecordIdentity);
    let moves = State::parse(&case.state)
        .map(|s| actions(&v.principal, s))
        .unwrap_or_default();
    let (next, others) = match State::parse(&case.state) {
        Some(state) => {
            let situation = Situation {
                number: &case.number,
                state,
                moves: &moves,
                may_record_identity,
                routing: routing.as_ref(),
                shelter: &placement,
            };
            let mut next = next_step::next_step(&situation, v.lang);
            next.decided = next_step::decided(&case.events, &upts, &situation, v.lang, tz);
            next.done = Done::parse(&confirmed.done).map(Done::label);
            // A move the panel offers is not offered again below it.
            let offered: Vec<&str> = next
                .steps
                .iter()
                .filter_map(|s| match s {
                    view::Step::Move { to, .. } => Some(*to),
                    view::Step::Link { .. } => None,
                })
                .collect();
            let others = moves
                .iter()
                .filter(|m| !offered.contains(&m.code()))
                .map(|&m| view::Move {
                    value: m.code(),
                    label: next_step::verb(m),
                    needs_reason: m == State::Closed,
                })
                .collect();
            (next, others)
        }
        None => (
            view::NextStep {
                lead: String::new(),
                steps: vec![],
                decided: None,
                done: None,
            },
            vec![],
        ),
    };
    Ok(view::show(
        v.lang,
        &v.nav,
        &view::CaseView {
            may_record_identity,
            may_correct: crate::auth::policy::allows(&v.principal, Action::CreateIntake),
            number: case.number.clone(),
            state: vocab::label_of(State::parse, State::label, &case.state),
            anonymised: case.anonymised_at.map(|t| format_local(t, tz)),
            name: match (&case.imported_upt, case.imported_admitted_on) {
                (Some(upt), Some(on)) if case.stated_name.is_empty() => {
                    crate::shelter::residents::unnamed(upt, on)
                }
                _ => case.stated_name.clone(),
            },
            imported: case.imported_upt.is_some(),
            aliases: case.aliases.join(", "),
            name_quality: vocab::label_of(
                NameQuality::parse,
                NameQuality::label,
                &case.name_quality,
            ),
            sex: vocab::label_of(Sex::parse, Sex::label, &case.sex),
            birth: match (case.birth_date, case.estimated_age) {
                (Some(d), _) => BirthQuality::show(&case.birth_date_quality, d),
                (None, Some(a)) => format!("± {a}"),
                _ => "–".into(),
            },
            birth_quality: vocab::label_of(
                BirthQuality::parse,
                BirthQuality::label,
                &case.birth_date_quality,
            ),
            nik: nik.unwrap_or_else(|| "–".into()),
            found: match (&case.imported_upt, case.imported_admitted_on) {
                (Some(upt), Some(on)) => format!(
                    "{upt} · {} {}",
                    tr(v.lang, "masuk", "admitted"),
                    on.format("%d-%m-%Y")
                ),
                _ => format!(
                    "{} · {}",
                    format_local(case.found_at, tz),
                    vocab::region::named(&case.found_region_name, &case.found_region)
                ),
            },
            found_address: case.found_address.clone(),
            home: if home.is_empty() { "–".into() } else { home },
            conditions: case
                .conditions
                .iter()
                .map(|c| vocab::label_of(Condition::parse, Condition::label, c))
                .collect(),
            protection: super::protection::panel(
                case.cause.as_deref(),
                &case.protection,
                &case.events,
                crate::auth::policy::allows(&v.principal, Action::MoveCases)
                    && !State::parse(&case.state).is_some_and(State::is_final),
                (v.lang, tz),
            ),
            photos: case.photos.clone(),
            csrf: v.nav.csrf.clone(),
            next,
            actions: others,
            events: case
                .events
                .iter()
                .map(|e| view::EventRow {
                    at: format_local(e.at, tz),
                    kind: vocab::label_of(EventKind::parse, EventKind::label, &e.kind),
                    to_state: e
                        .to_state
                        .as_deref()
                        .and_then(State::parse)
                        .map(State::label),
                    reason: event_reason(e, &upts, v.lang),
                    actor: e.actor.clone().unwrap_or_default(),
                })
                .collect(),
            verified: verified
                .map(|id| verified_lines(&id, village.as_deref(), full, v.lang, tz))
                .unwrap_or_default(),
            flags,
            assistance,
            placement,
            routing,
            tasks,
        },
    ))
}

/// An event's reason as a person reads it. Reasons the system writes hold codes (a UPT's
/// code, "fingerprint matched", "candidate → accepted"): they are put in words here; a
/// reason an officer typed is shown as typed.
fn event_reason(
    e: &store::CaseEvent,
    upts: &std::collections::HashMap<String, String>,
    lang: Lang,
) -> String {
    use crate::vocab::{DischargeReason, IdentityMethod, IdentityOutcome, LinkState};
    let r = e.reason.trim();
    match EventKind::parse(&e.kind) {
        // The demo year's discharges give the reason, the app's the UPT (`detail` the reason).
        Some(EventKind::Discharged) if DischargeReason::parse(r).is_some() => {
            vocab::label_of(DischargeReason::parse, DischargeReason::label, r)
                .get(lang)
                .to_string()
        }
        Some(
            EventKind::Placed
            | EventKind::Referred
            | EventKind::Transferred
            | EventKind::Discharged
            | EventKind::WaitingList
            | EventKind::Imported,
        ) => upts.get(r).cloned().unwrap_or_else(|| r.to_string()),
        // "fingerprint matched", or only "matched" for viewers who do not see the method.
        Some(EventKind::IdentityCheck) => r
            .split(' ')
            .map(|w| {
                IdentityMethod::parse(w)
                    .map(IdentityMethod::label)
                    .or_else(|| IdentityOutcome::parse(w).map(IdentityOutcome::label))
                    .map(|t| t.get(lang).to_string())
                    .unwrap_or_else(|| w.to_string())
            })
            .collect::<Vec<_>>()
            .join(": "),
        Some(EventKind::LinkDecision) => r
            .split(" → ")
            .map(|w| {
                LinkState::parse(w)
                    .map(|t| t.label().get(lang).to_string())
                    .unwrap_or_else(|| w.to_string())
            })
            .collect::<Vec<_>>()
            .join(" → "),
        Some(EventKind::ReintakeLinked | EventKind::PickedUpAgain) => {
            let (words, number) = match (
                r.strip_prefix("picked up before: "),
                r.strip_prefix("picked up again: "),
            ) {
                (Some(n), _) => (tr(lang, "kasus sebelumnya: ", "earlier case: "), n),
                (_, Some(n)) => (tr(lang, "kasus baru: ", "new case: "), n),
                _ => return r.to_string(),
            };
            let soon = e.detail.get("soon_after_handover") == Some(&serde_json::json!(true));
            format!(
                "{words}{number}{}",
                if soon {
                    tr(
                        lang,
                        " — dalam 12 bulan setelah serah terima",
                        " — within 12 months of the hand-over",
                    )
                } else {
                    ""
                }
            )
        }
        // The kind says it all ("DP3AK check linked").
        Some(EventKind::IdentityLinked) => String::new(),
        Some(EventKind::Corrected) => crate::intake::correct::describe(&e.detail, r, lang),
        Some(EventKind::ProtectionReferral) => crate::vocab::ProtectionService::parse(r)
            .map(|s| s.label().get(lang).to_string())
            .unwrap_or_default(),
        Some(EventKind::FollowUpRecorded) => crate::vocab::FollowUpOutcome::parse(r)
            .map(|s| s.label().get(lang).to_string())
            .unwrap_or_default(),
        Some(EventKind::TracingRecorded) => crate::vocab::TracingOutcome::parse(r)
            .map(|s| s.label().get(lang).to_string())
            .unwrap_or_default(),
        _ => r.to_string(),
    }
}

/// What the intake's own NIK contradicts in the intake, as sentences.
fn nik_flags(
    case: &store::CaseDetail,
    lang: simlontar_templates::Lang,
    tz: chrono_tz::Tz,
) -> Vec<String> {
    use crate::identity::contradict::{contradictions, Recorded};
    let Some(nik) = case
        .nik
        .as_deref()
        .and_then(|n| crate::identity::nik::Nik::parse(n).ok())
    else {
        return vec![];
    };
    let recorded = Recorded {
        sex: &case.sex,
        birth_date: case.birth_date,
        estimated_age: case.estimated_age.map(i32::from),
        birth_date_quality: &case.birth_date_quality,
        home_region: case.home_region.as_deref(),
        on: crate::clock::local_date(case.found_at, tz),
    };
    contradictions(&nik, &recorded)
        .iter()
        .map(|c| c.describe(lang == simlontar_templates::Lang::Id))
        .collect()
}

/// The confirmed identity as the viewer may see it: NIK and family card masked, and the
/// mother's name, the biometric method and its score left out, for viewers who do not
/// need them.
fn verified_lines(
    id: &crate::identity::store::Verified,
    village: Option<&str>,
    full: bool,
    lang: Lang,
    tz: chrono_tz::Tz,
) -> Vec<(&'static str, String)> {
    let shown = |n: &str| if full { n.to_string() } else { mask_nik(n) };
    let mut lines = vec![
        ("NIK", shown(&id.nik)),
        (tr(lang, "Nama", "Name"), id.name.clone()),
        (
            tr(lang, "Lahir", "Born"),
            format!(
                "{} {}",
                id.birth_place,
                id.birth_date
                    .map(|d| d.format("%d-%m-%Y").to_string())
                    .unwrap_or_default()
            ),
        ),
        (
            tr(lang, "Desa/kelurahan", "Village"),
            village.unwrap_or("–").to_string(),
        ),
    ];
    let when = id
        .completed_at
        .map(|t| format_local(t, tz))
        .unwrap_or_default();
    // Which biometric was taken, and its score, only for those who weigh the match.
    let check = if full {
        let score = id.score.map(|s| format!("{s:.1}")).unwrap_or_default();
        let method = vocab::label_of(
            vocab::IdentityMethod::parse,
            vocab::IdentityMethod::label,
            &id.method,
        );
        format!("{} · {score} · {when}", method.get(lang))
    } else {
        when
    };
    lines.push((tr(lang, "Pemeriksaan", "Check"), check));
    if let Some(kk) = &id.kk_number {
        lines.push((tr(lang, "Nomor KK", "Family card"), shown(kk)));
    }
    if full && !id.mother_name.is_empty() {
        lines.push((tr(lang, "Ibu kandung", "Mother"), id.mother_name.clone()));
    }
    lines
}
