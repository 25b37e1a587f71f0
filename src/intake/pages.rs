//! Case list, NIK search and the case page.
use axum::extract::{Path, Query, State as AxState};
use axum::Form;
use maud::Markup;
use serde::Deserialize;
use serde_json::json;

use super::lifecycle::{actions, State};
use super::store::{self, CaseFilter};
use crate::auth::audit;
use crate::auth::model::mask_nik;
use crate::auth::policy::{allows, require, sees_full_identity, Action, CaseScope, NikKey};
use crate::clock::format_local;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::viewer::Viewer;
use crate::state::AppState;
use simlontar_templates::cases as view;

/// The filters of a case list (the desk's and the API's).
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Name (spelling-tolerant) or case number.
    q: Option<String>,
    /// Regency code, pick-up or home (`35.78`).
    region: Option<String>,
    #[param(value_type = Option<State>)]
    state: Option<String>,
    /// First pick-up day, YYYY-MM-DD.
    #[param(value_type = Option<chrono::NaiveDate>)]
    from: Option<String>,
    /// Last pick-up day, YYYY-MM-DD.
    #[param(value_type = Option<chrono::NaiveDate>)]
    to: Option<String>,
    /// 50 cases a page, from 0.
    #[param(minimum = 0, maximum = 1_000_000)]
    page: Option<i64>,
}

fn blank_none(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Reads the list filters; a malformed date is a field error, not a silent empty filter.
pub fn filter_from(q: ListQuery) -> Result<CaseFilter, AppError> {
    let mut errors = vec![];
    let date = |field: &str, v: Option<String>, errors: &mut Vec<FieldError>| match blank_none(v) {
        None => None,
        Some(s) => match chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new(field, "tanggal harus berformat YYYY-MM-DD"));
                None
            }
        },
    };
    let from = date("from", q.from, &mut errors);
    let to = date("to", q.to, &mut errors);
    // PostgreSQL refuses NUL in text; other control characters are never typed.
    let text = |field: &str, v: Option<String>, errors: &mut Vec<FieldError>| {
        let v = blank_none(v);
        if v.as_deref()
            .is_some_and(|s| s.chars().any(char::is_control))
        {
            errors.push(FieldError::new(field, "berisi karakter kendali"));
        }
        v
    };
    let search = text("q", q.q, &mut errors);
    let region = text("region", q.region, &mut errors);
    let state = blank_none(q.state);
    if state.as_deref().is_some_and(|s| State::parse(s).is_none()) {
        errors.push(FieldError::new("state", "status kasus tidak dikenal"));
    }
    let page = q.page.unwrap_or(0);
    if !(0..=MAX_PAGE).contains(&page) {
        errors.push(FieldError::new("page", format!("halaman 0–{MAX_PAGE}")));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(CaseFilter {
        q: search,
        nik: None,
        region,
        state,
        from,
        to,
        page,
    })
}

/// The last page a list may ask for: far past any real list, and its row offset fits
/// easily in an i64 (a larger page overflowed the offset and killed the request).
pub const MAX_PAGE: i64 = 1_000_000;

fn rows(state: &AppState, cases: Vec<store::CaseSummary>) -> Vec<view::CaseRow> {
    cases
        .into_iter()
        .map(|c| view::CaseRow {
            found_at: format_local(c.found_at, state.settings.time_zone),
            number: c.number,
            state: c.state,
            name: c.stated_name,
            sex: c.sex,
            age: c.age,
            found_region: c.found_region,
            home_region: c.home_region.unwrap_or_default(),
        })
        .collect()
}

pub async fn list_cases(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> AppResult<Markup> {
    require(&v.principal, Action::ViewCases)?;
    let filter = filter_from(q)?;
    let (cases, more) = store::list(
        &state.pool,
        &CaseScope::of(&v.principal, state.clock.now()),
        &filter,
    )
    .await?;
    Ok(view::list(
        v.lang,
        &v.nav,
        &view::ListView {
            rows: rows(&state, cases),
            filter: view_filter(&filter),
            more,
            may_break_glass: !CaseScope::of(&v.principal, state.clock.now()).all,
            may_search_nik: allows(&v.principal, Action::SearchByNik),
        },
    ))
}

fn view_filter(f: &CaseFilter) -> view::Filter {
    view::Filter {
        q: f.q.clone().unwrap_or_default(),
        region: f.region.clone().unwrap_or_default(),
        state: f.state.clone().unwrap_or_default(),
        from: f.from.map(|d| d.to_string()).unwrap_or_default(),
        to: f.to.map(|d| d.to_string()).unwrap_or_default(),
        page: f.page,
    }
}

#[derive(Deserialize)]
pub struct NikForm {
    nik: String,
}

/// NIK search is a POST, so the number never appears in a URL, history or log; and only
/// for the roles that see NIKs whole (the route's gate refuses the others first).
pub async fn search_by_nik(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Form(f): Form<NikForm>,
) -> AppResult<Markup> {
    require(&v.principal, Action::ViewCases)?;
    let nik = f.nik.trim();
    if nik.len() != 16 || !nik.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "nik",
            "NIK harus 16 angka",
        )]));
    }
    let key = NikKey::for_principal(&v.principal, nik).ok_or(AppError::Forbidden)?;
    let filter = CaseFilter {
        nik: Some(key),
        ..Default::default()
    };
    let (cases, _) = store::list(
        &state.pool,
        &CaseScope::of(&v.principal, state.clock.now()),
        &filter,
    )
    .await?;
    audit::record(
        &state.pool,
        &v.origin,
        "search_nik",
        "case",
        None,
        json!({"results": cases.len()}),
    )
    .await?;
    Ok(view::list(
        v.lang,
        &v.nav,
        &view::ListView {
            rows: rows(&state, cases),
            filter: view_filter(&filter),
            more: false,
            may_break_glass: !CaseScope::of(&v.principal, state.clock.now()).all,
            may_search_nik: true,
        },
    ))
}

pub async fn show_case(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(number): Path<String>,
) -> AppResult<Markup> {
    require(&v.principal, Action::ViewCases)?;
    let mut case = super::read_case(&state, &v.principal, &v.origin, &number).await?;
    let tz = state.settings.time_zone;
    let full = sees_full_identity(&v.principal);
    if !full {
        super::store::hide_biometric_methods(&mut case.events);
    }
    let scope = CaseScope::of(&v.principal, state.clock.now());
    let verified = crate::identity::store::verified(&state.pool, &scope, case.id).await?;
    let flags = nik_flags(&case, v.lang);
    // By NIK: the one DP3AK confirmed, or the intake's own. The intake's was typed at the
    // desk, and a register hit on it answers "is this NIK known", so it is a key only for
    // viewers who may use one (`NikKey`); DP3AK's was chosen by no viewer.
    let known_nik = verified.as_ref().map(|id| id.nik.clone()).or_else(|| {
        case.nik
            .as_deref()
            .and_then(|n| NikKey::for_principal(&v.principal, n))
            .map(|k| k.as_str().to_string())
    });
    let mut assistance: Vec<String> = match &known_nik {
        Some(nik) => crate::identity::registry::programmes_for_nik(&state.pool, nik)
            .await?
            .into_iter()
            .map(|(source, programmes)| format!("{source}: {}", programmes.join(", ")))
            .collect(),
        None => vec![],
    };
    // Also by an accepted link with the register (found without a NIK).
    let mut tx = scope.begin(&state.pool).await?;
    for line in crate::identity::assistance::programmes_for_case(&mut tx, case.id).await? {
        if !assistance.contains(&line) {
            assistance.push(line);
        }
    }
    tx.commit().await?;
    let nik = case.nik.as_deref().map(|n| {
        if sees_full_identity(&v.principal) {
            n.to_string()
        } else {
            mask_nik(n)
        }
    });
    Ok(view::show(
        v.lang,
        &v.nav,
        &view::CaseView {
            number: case.number.clone(),
            state: case.state.clone(),
            anonymised: case.anonymised_at.map(|t| format_local(t, tz)),
            name: case.stated_name.clone(),
            aliases: case.aliases.join(", "),
            name_quality: case.name_quality.clone(),
            sex: case.sex.clone(),
            birth: match (case.birth_date, case.estimated_age) {
                (Some(d), _) => d.to_string(),
                (None, Some(a)) => format!("± {a}"),
                _ => "–".into(),
            },
            birth_quality: case.birth_date_quality.clone(),
            nik: nik.unwrap_or_else(|| "–".into()),
            found: format!(
                "{} · {} ({})",
                format_local(case.found_at, tz),
                case.found_region_name,
                case.found_region
            ),
            found_address: case.found_address.clone(),
            home: case.stated_home.clone(),
            conditions: case.conditions.join(", "),
            photos: case.photos.clone(),
            csrf: v.nav.csrf.clone(),
            actions: State::parse(&case.state)
                .map(|s| {
                    actions(&v.principal, s)
                        .into_iter()
                        .map(|a| a.as_str())
                        .collect()
                })
                .unwrap_or_default(),
            events: case
                .events
                .iter()
                .map(|e| view::EventRow {
                    at: format_local(e.at, tz),
                    kind: e.kind.clone(),
                    to_state: e.to_state.clone().unwrap_or_default(),
                    reason: e.reason.clone(),
                    actor: e.actor.clone().unwrap_or_default(),
                })
                .collect(),
            verified: verified
                .map(|id| verified_lines(&id, full, v.lang, tz))
                .unwrap_or_default(),
            flags,
            assistance,
            placement: placement_panel(&state, &v, case.id).await?,
            routing: crate::routing::pages::panel(&state, &v, case.id).await?,
        },
    ))
}

/// The UPT panel: the stay and waiting list for every viewer; the wards that fit, and
/// the forms, for those who manage placements.
async fn placement_panel(
    state: &AppState,
    v: &Viewer,
    case_id: i64,
) -> AppResult<simlontar_templates::shelter::Panel> {
    use crate::shelter::store;
    let now = state.clock.now();
    let tz = state.settings.time_zone;
    let scope = CaseScope::of(&v.principal, now);
    let mut tx = scope.begin(&state.pool).await?;
    let stay = store::stay(&mut tx, case_id).await?;
    let waiting = store::waiting_since(&mut tx, case_id).await?;
    let person = store::person(&mut tx, case_id, now).await?;
    let manages = allows(&v.principal, Action::ManagePlacements);
    let state_now = State::parse(&person.state);
    let may_place =
        manages && stay.is_none() && state_now.is_some_and(|s| s.next().contains(&State::Placed));
    let may_move = manages && stay.is_some();
    let candidates = if may_place || may_move {
        store::candidates(&mut tx, &person).await?
    } else {
        vec![]
    };
    tx.commit().await?;
    Ok(simlontar_templates::shelter::Panel {
        stay: stay.map(|s| {
            format!(
                "{} · {} · {}",
                s.upt_name,
                s.ward_name,
                format_local(s.started_at, tz)
            )
        }),
        waiting_since: waiting.map(|t| format_local(t, tz)),
        candidates: candidates
            .into_iter()
            .map(|c| simlontar_templates::shelter::CandidateRow {
                ward_id: c.ward_id,
                upt: c.upt_name,
                ward: c.ward_name,
                need: c.need,
                free: c.free,
                beds: c.beds,
                distance_km: c.distance_km,
            })
            .collect(),
        may_place,
        may_move,
    })
}

/// What the intake's own NIK contradicts in the intake, as sentences.
fn nik_flags(case: &store::CaseDetail, lang: simlontar_templates::Lang) -> Vec<String> {
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
        on: case
            .found_at
            .with_timezone(&chrono_tz::Asia::Jakarta)
            .date_naive(),
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
    full: bool,
    lang: simlontar_templates::Lang,
    tz: chrono_tz::Tz,
) -> Vec<(&'static str, String)> {
    use simlontar_templates::i18n::tr;
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
            id.village_code.clone().unwrap_or_else(|| "–".into()),
        ),
    ];
    let when = id
        .completed_at
        .map(|t| format_local(t, tz))
        .unwrap_or_default();
    // Which biometric was taken, and its score, only for those who weigh the match.
    let check = if full {
        let score = id.score.map(|s| format!("{s:.1}")).unwrap_or_default();
        format!("{} · {score} · {when}", id.method)
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

#[derive(Deserialize)]
pub struct TransitionForm {
    to: String,
    #[serde(default)]
    reason: String,
}

pub async fn transition_case(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(number): Path<String>,
    Form(f): Form<TransitionForm>,
) -> AppResult<axum::response::Redirect> {
    let to = State::parse(&f.to)
        .ok_or_else(|| AppError::Invalid(vec![FieldError::new("to", "status tidak dikenal")]))?;
    super::move_case(&state, &v.principal, &v.origin, &number, to, &f.reason).await?;
    Ok(axum::response::Redirect::to(&format!("/cases/{number}")))
}

/// A photo of a case, to viewers who may see the case (the read is audited with it).
pub async fn show_photo(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path((number, id)): Path<(String, i64)>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    require(&v.principal, Action::ViewCases)?;
    let Some(photo) = store::photo(
        &state.pool,
        &CaseScope::of(&v.principal, state.clock.now()),
        &number,
        id,
    )
    .await?
    else {
        return Err(super::not_found(&state, &v.principal, &v.origin, &number).await);
    };
    // A face is personal data like the rest of the case: each view is a read on record
    // (the access report lists it with the case).
    audit::record(
        &state.pool,
        &v.origin,
        "read_photo",
        "case",
        Some(&number),
        json!({"photo": id}),
    )
    .await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, photo.0),
            (
                axum::http::header::CACHE_CONTROL,
                "private, no-store".to_string(),
            ),
        ],
        photo.1,
    )
        .into_response())
}
