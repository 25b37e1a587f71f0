//! The Satpol PP intake desk: the form, its map picker and the saved page. The form
//! round-trips everything typed; photos that arrived with a form that came back are kept
//! under its idempotency key and officer until it is saved (`staging`).
use crate::cases::CaseNumber;
use crate::vocab::Text;
use crate::web::path::Path;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDateTime, TimeZone};
use maud::Markup;
use serde::Deserialize;
use sqlx::PgPool;
use uuid::Uuid;

use super::create::{self, MAX_PHOTOS};
use super::model::{self, IntakeRequest};
use super::photo;
use super::staging::Staged;
use super::{hints, map};
use crate::auth::model::Role;
use crate::auth::policy::{require, Action, CaseScope};
use crate::cases::access;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::viewer::Viewer;
use simlontar_templates::intake::{self as view, FormValues, FormView};
use simlontar_templates::Lang;

pub async fn new_intake(State(state): State<AppState>, v: Viewer) -> AppResult<Markup> {
    require(&v.principal, Action::CreateIntake)?;
    let now = state.clock.now().with_timezone(&state.settings.time_zone);
    let values = FormValues {
        key: Uuid::new_v4().to_string(),
        found_at: now.format("%Y-%m-%dT%H:%M").to_string(),
        officer_name: v.principal.display_name.clone(),
        ..Default::default()
    };
    render(&state, &v, &values, &[], 0, vec![], None).await
}

async fn render(
    state: &AppState,
    v: &Viewer,
    values: &FormValues,
    errors: &[(String, String)],
    staged: usize,
    suggestions: Vec<view::HomeSuggestion>,
    notice: Option<&str>,
) -> AppResult<Markup> {
    let map = match home_region_of(v) {
        Some(region) => {
            map::view(
                &state.pool,
                &region,
                parse_f64(&values.found_lat).zip(parse_f64(&values.found_lon)),
            )
            .await?
        }
        None => None,
    };
    Ok(view::form(
        v.lang,
        &v.nav,
        &FormView {
            officer: v.principal.user_id,
            values,
            errors,
            staged_photos: staged,
            map,
            suggestions,
            notice,
            options: &options(),
        },
    ))
}

/// The desk's choices, from the vocabulary.
pub(crate) fn options() -> view::Options {
    use crate::vocab::{
        BirthQuality, Condition, DocumentKind, NameQuality, ProtectionFlag, Sex, StreetCause,
    };
    fn of<T: Copy>(
        all: &[T],
        code: fn(T) -> &'static str,
        label: fn(T) -> Text,
    ) -> Vec<(&'static str, Text)> {
        all.iter().map(|&x| (code(x), label(x))).collect()
    }
    view::Options {
        name_quality: of(NameQuality::ALL, NameQuality::code, NameQuality::label),
        sex: of(Sex::ALL, Sex::code, Sex::label),
        birth_date_quality: of(BirthQuality::ALL, BirthQuality::code, BirthQuality::label),
        documents: of(DocumentKind::ALL, DocumentKind::code, DocumentKind::label),
        conditions: of(Condition::ALL, Condition::code, Condition::label),
        cause: of(StreetCause::ALL, StreetCause::code, StreetCause::label),
        protection: of(
            ProtectionFlag::ALL,
            ProtectionFlag::code,
            ProtectionFlag::label,
        ),
    }
}

/// The regency whose map the desk shows: the officer's own.
fn home_region_of(v: &Viewer) -> Option<String> {
    v.principal.scopes(Role::IntakeOfficer).into_iter().next()
}

/// A number as typed (a decimal comma too). Only finite numbers: Rust also reads "NaN",
/// "inf" and "1e999", which no field means (and NaN became an age of 0).
fn parse_f64(s: &str) -> Option<f64> {
    s.trim()
        .replace(',', ".")
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
}

/// What came in the multipart form.
struct Submission {
    values: FormValues,
    photos: Vec<Vec<u8>>,
    map_click: Option<(f64, f64)>,
    suggest: bool,
}

async fn read_form(mut multipart: Multipart) -> Result<Submission, AppError> {
    let mut s = Submission {
        values: FormValues::default(),
        photos: vec![],
        map_click: None,
        suggest: false,
    };
    let (mut mx, mut my) = (None, None);
    let mut region_choice = String::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::Invalid(vec![]))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if name == "photo" {
            let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
            if !bytes.is_empty() {
                s.photos.push(bytes.to_vec());
            }
            continue;
        }
        let text = field.text().await.map_err(|_| AppError::Invalid(vec![]))?;
        let f = &mut s.values;
        match name.as_str() {
            "idempotency_key" => f.key = text,
            "found_at" => f.found_at = text,
            "found_address" => f.found_address = text,
            "found_lat" => f.found_lat = text,
            "found_lon" => f.found_lon = text,
            "unit" => f.unit = text,
            "officer_name" => f.officer_name = text,
            "stated_name" => f.stated_name = text,
            "aliases" => f.aliases = text,
            "name_quality" => f.name_quality = text,
            "sex" => f.sex = text,
            "birth_date" => f.birth_date = text,
            "estimated_age" => f.estimated_age = text,
            "birth_date_quality" => f.birth_date_quality = text,
            "stated_home" => f.stated_home = text,
            "home_village" => f.home_village = text,
            "home_region" => f.home_region = text,
            "home_region_choice" => region_choice = text,
            "documents" => f.documents.push(text),
            "nik" => f.nik = text,
            "conditions" => f.conditions.push(text),
            "cause" => f.cause = text,
            "protection" => f.protection.push(text),
            "belongings" => f.belongings = text,
            "notes" => f.notes = text,
            "map.x" => mx = parse_f64(&text),
            "map.y" => my = parse_f64(&text),
            "suggest" => s.suggest = true,
            _ => {} // unknown fields are ignored, never stored
        }
    }
    // A region chosen from the offered ones replaces the name typed.
    if !region_choice.trim().is_empty() {
        s.values.home_region = region_choice;
    }
    // Enter in a text field "clicks" the first submit control, the map, at (0, 0): that is
    // a save, not a pick.
    s.map_click = mx.zip(my).filter(|&(x, y)| x != 0.0 || y != 0.0);
    Ok(s)
}

/// The typed form as the API's request; values that do not parse are field errors.
pub fn to_request(
    f: &FormValues,
    tz: chrono_tz::Tz,
    lang: Lang,
) -> (IntakeRequest, Vec<(String, String)>) {
    let mut errors = vec![];
    let mut bad = |field: &str, id: &str, en: &str| {
        errors.push((
            field.to_string(),
            if lang == Lang::Id {
                id.to_string()
            } else {
                en.to_string()
            },
        ))
    };
    let found_at = match NaiveDateTime::parse_from_str(f.found_at.trim(), "%Y-%m-%dT%H:%M") {
        Ok(t) => tz.from_local_datetime(&t).single().map(|t| t.to_utc()),
        Err(_) if f.found_at.trim().is_empty() => None,
        Err(_) => {
            bad("found_at", "waktu tidak terbaca", "unreadable time");
            None
        }
    };
    let mut number = |field: &str, s: &str| -> Option<f64> {
        if s.trim().is_empty() {
            return None;
        }
        let v = parse_f64(s);
        if v.is_none() {
            bad(field, "harus berupa angka", "must be a number");
        }
        v
    };
    let found_lat = number("found_lat", &f.found_lat);
    let found_lon = number("found_lon", &f.found_lon);
    let estimated_age = number("estimated_age", &f.estimated_age).map(|a| a.round() as i32);
    let birth_date = match f.birth_date.trim() {
        "" => None,
        d => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push((
                    "birth_date".into(),
                    if lang == Lang::Id {
                        "tanggal tidak terbaca".into()
                    } else {
                        "unreadable date".into()
                    },
                ));
                None
            }
        },
    };
    let req = IntakeRequest {
        found_at,
        found_address: f.found_address.clone(),
        found_lat,
        found_lon,
        unit: f.unit.clone(),
        officer_name: f.officer_name.clone(),
        stated_name: f.stated_name.clone(),
        aliases: f
            .aliases
            .split(',')
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect(),
        name_quality: f.name_quality.clone(),
        sex: f.sex.clone(),
        birth_date,
        estimated_age,
        birth_date_quality: f.birth_date_quality.clone(),
        stated_home: f.stated_home.clone(),
        home_village: Some(f.home_village.clone()),
        home_region: Some(f.home_region.clone()),
        documents: f.documents.clone(),
        nik: Some(f.nik.clone()),
        conditions: f.conditions.clone(),
        cause: Some(f.cause.clone()),
        protection: f.protection.clone(),
        belongings: f.belongings.clone(),
        notes: f.notes.clone(),
    };
    (req, errors)
}

pub async fn submit_intake(
    State(state): State<AppState>,
    v: Viewer,
    multipart: Multipart,
) -> AppResult<Response> {
    require(&v.principal, Action::CreateIntake)?;
    // Its `csrf` field was checked by the CSRF layer, as every form's is.
    let mut s = read_form(multipart).await?;
    let key = Uuid::parse_str(s.values.key.trim()).map_err(|_| AppError::Invalid(vec![]))?;
    let mut errors: Vec<(String, String)> = vec![];
    let staging = Staged {
        pool: &state.pool,
        officer: v.principal.user_id,
        key,
    };
    let staged_before = staging.count().await?;
    let mut accepted = 0;
    for (i, bytes) in std::mem::take(&mut s.photos).into_iter().enumerate() {
        if staged_before + accepted >= MAX_PHOTOS {
            errors.push((
                "photos".into(),
                text(v.lang, "paling banyak 5 foto", "at most 5 photos"),
            ));
            continue;
        }
        // Decoded and written again: only the picture is kept (`intake::photo`).
        match photo::clean_blocking(bytes).await {
            Ok(cleaned) => {
                staging.add(&cleaned).await?;
                accepted += 1;
            }
            Err((id, en)) => errors.push((format!("photos[{i}]"), text(v.lang, id, en))),
        }
    }
    let staged = staging.count().await?;
    let home_region = pick_home_region(&state.pool, &mut s.values, &mut errors, v.lang).await?;
    if let Some((x, y)) = s.map_click {
        if let Some(region) = home_region_of(&v) {
            if let Some((lat, lon)) = map::pixel_to_point(&state.pool, &region, x, y).await? {
                s.values.found_lat = format!("{lat:.5}");
                s.values.found_lon = format!("{lon:.5}");
            }
        }
        let notice = text(
            v.lang,
            "Titik dipilih dari peta. Periksa lalu simpan.",
            "Point picked on the map. Check, then save.",
        );
        let sugg = suggestions(&state.pool, &s.values).await?;
        return Ok(
            render(&state, &v, &s.values, &errors, staged, sugg, Some(&notice))
                .await?
                .into_response(),
        );
    }
    if s.suggest {
        let sugg = suggestions(&state.pool, &s.values).await?;
        return Ok(render(&state, &v, &s.values, &errors, staged, sugg, None)
            .await?
            .into_response());
    }
    let (mut req, parse_errors) = to_request(&s.values, state.settings.time_zone, v.lang);
    req.home_region = home_region;
    errors.extend(parse_errors);
    let now = state.clock.now();
    let valid = model::validate(&req, key, (now, state.settings.time_zone), v.lang);
    let intake = match valid {
        Ok(i) if errors.is_empty() => i,
        other => {
            if let Err(fields) = other {
                errors.extend(fields.into_iter().map(|f| (f.field, f.message)));
            }
            let sugg = suggestions(&state.pool, &s.values).await?;
            let page = render(&state, &v, &s.values, &errors, staged, sugg, None).await?;
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let photos = staging.photos().await?;
    match create::create(
        &state.pool,
        &intake,
        &photos,
        &v.principal,
        &v.origin,
        now,
        state.settings.time_zone,
    )
    .await
    {
        Ok(done) => {
            staging.clear().await?;
            Ok(Redirect::to(&format!("/intake/saved/{}", done.case_number)).into_response())
        }
        // Refused for its fields (here, or by the database's constraints): the form
        // comes back with the errors beside them.
        Err(e) => match e.field_errors(v.lang) {
            Some(fields) => {
                errors.extend(fields.into_iter().map(|f| (f.field, f.message)));
                let page = render(&state, &v, &s.values, &errors, staged, vec![], None).await?;
                Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
            }
            None => Err(e),
        },
    }
}

/// The home region as picked by name anywhere in Indonesia (`places::store::pick_region`):
/// one match becomes its code, and the field shows its name with the province; several
/// come back as choices beside the field, none as an error there.
async fn pick_home_region(
    pool: &PgPool,
    values: &mut FormValues,
    errors: &mut Vec<(String, String)>,
    lang: Lang,
) -> sqlx::Result<Option<String>> {
    use crate::places::store::{pick_region, RegionChoice, RegionPick};
    Ok(match pick_region(pool, &values.home_region).await? {
        RegionPick::Nothing => None,
        RegionPick::One(one) => {
            values.home_region = one.label();
            Some(one.code)
        }
        RegionPick::Choose(found) => {
            errors.push((
                "home_region".into(),
                if found.is_empty() {
                    text(
                        lang,
                        "tidak ada kab/kota atau provinsi dengan nama itu",
                        "no regency or province has that name",
                    )
                } else {
                    text(
                        lang,
                        "beberapa wilayah cocok: pilih salah satu di bawah",
                        "several regions match: choose one below",
                    )
                },
            ));
            values.home_region_choices = found.iter().map(RegionChoice::label).collect();
            None
        }
    })
}

fn text(lang: Lang, id: &str, en: &str) -> String {
    if lang == Lang::Id {
        id.into()
    } else {
        en.into()
    }
}

/// Villages whose names match the stated home, for the officer to pick one.
async fn suggestions(pool: &PgPool, f: &FormValues) -> sqlx::Result<Vec<view::HomeSuggestion>> {
    let words = f.stated_home.trim();
    if words.chars().count() < 3 {
        return Ok(vec![]);
    }
    Ok(crate::places::store::suggest_villages(pool, words, 6)
        .await?
        .into_iter()
        .map(|(code, label)| view::HomeSuggestion {
            village_code: code,
            label,
        })
        .collect())
}

pub async fn show_saved(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
) -> AppResult<Markup> {
    require(&v.principal, Action::ViewCases)?;
    let now = state.clock.now();
    let scope = CaseScope::of(&v.principal, now);
    let found = hints::for_case(
        &state.pool,
        &v.principal,
        &scope,
        &number,
        state.settings.time_zone,
        v.lang,
    )
    .await?;
    let Some(hints) = found else {
        let (p, origin) = (&v.principal, &v.origin);
        return Err(access::not_found(&state.pool, p, origin, &number, now).await);
    };
    // The hints name earlier cases' people: a read, on record with what was shown.
    let shown: Vec<&str> = hints.iter().map(|h| h.number.as_str()).collect();
    crate::auth::audit::record(
        &state.pool,
        &v.origin,
        "read_hints",
        "case",
        Some(number.as_str()),
        serde_json::json!({"hints": shown}),
    )
    .await?;
    Ok(view::saved(v.lang, &v.nav, number.as_str(), &hints))
}

#[derive(Deserialize)]
pub struct MapQuery {
    region: String,
    lat: Option<String>,
    lon: Option<String>,
}

pub async fn map_image(
    State(state): State<AppState>,
    _v: Viewer,
    Query(q): Query<MapQuery>,
) -> AppResult<Response> {
    let picked = q
        .lat
        .as_deref()
        .and_then(parse_f64)
        .zip(q.lon.as_deref().and_then(parse_f64));
    let m = map::view(&state.pool, &q.region, picked)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "image/svg+xml")],
        view::map_svg(&m),
    )
        .into_response())
}
