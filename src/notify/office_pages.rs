//! The administrator's offices page: every office Simlontar writes to, by name, those
//! without an address marked, and a form for one. An office is found by its name
//! ("Cianjur", "Provinsi Jawa Tengah", a UPT's name), never by typing a code.
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::offices::{self, Kind, Office, OfficeCode};
use crate::auth::policy::{require, Action};
use crate::error::AppResult;
use crate::places::store::{pick_region, RegionChoice, RegionPick};
use crate::state::AppState;
use crate::web::viewer::Viewer;
use simlontar_templates::golive as view;
use simlontar_templates::i18n::tr;
use simlontar_templates::Lang;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn show_offices(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    require(&v.principal, Action::ManageOffices)?;
    let notice = match q.saved.as_deref().and_then(OfficeCode::parse) {
        Some(code) => {
            let mut conn = state.pool.acquire().await?;
            match offices::place_of(&mut conn, &code, v.lang).await? {
                Ok(place) => Some(format!(
                    "{} {place} {}",
                    tr(v.lang, "Alamat kantor untuk", "The office address for"),
                    tr(v.lang, "tersimpan.", "was saved.")
                )),
                Err(_) => None,
            }
        }
        None => None,
    };
    render_list(&state, &v, notice, "", None, &[], StatusCode::OK).await
}

async fn render_list(
    state: &AppState,
    v: &Viewer,
    notice: Option<String>,
    place: &str,
    place_error: Option<String>,
    choices: &[(String, String)],
    status: StatusCode,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let listed = offices::list(&mut conn).await?;
    let tz = state.settings.time_zone;
    let lang = v.lang;
    let titles = [
        tr(
            lang,
            "Kabupaten/kota di Jawa Timur",
            "Regencies and cities of East Java",
        ),
        tr(
            lang,
            "Meja estafet provinsi lain",
            "Relay desks of other provinces",
        ),
        tr(lang, "Kepala UPT", "UPT heads"),
        tr(
            lang,
            "Kabupaten/kota di provinsi lain",
            "Regencies and cities of other provinces",
        ),
    ];
    let mut groups: Vec<view::OfficeGroup> = titles
        .iter()
        .map(|t| view::OfficeGroup {
            title: t.to_string(),
            rows: vec![],
        })
        .collect();
    let mut missing = 0;
    for o in listed {
        let part = match (o.kind.as_str(), o.required) {
            ("regency", true) => 0,
            ("province", _) => 1,
            ("upt", _) => 2,
            _ => 3,
        };
        if o.required && o.email.is_none() {
            missing += 1;
        }
        let place = match part {
            2 => format!("{} {}", tr(lang, "Kepala", "Head of"), o.place),
            3 => format!("{}, {}", o.place, o.province),
            _ => o.place.clone(),
        };
        let office = match (o.name, o.email) {
            (Some(name), Some(email)) => Some(view::OfficeShown {
                name,
                email,
                phone: o.phone.unwrap_or_default(),
                contact: o.contact.unwrap_or_default(),
                changed: match o.changed_at {
                    Some(at) => format!(
                        "{} {}{}",
                        tr(lang, "diubah", "changed"),
                        crate::clock::format_local(at, tz),
                        o.changed_by
                            .map(|b| format!(" {} {b}", tr(lang, "oleh", "by")))
                            .unwrap_or_default()
                    ),
                    None => String::new(),
                },
            }),
            _ => None,
        };
        groups[part].rows.push(view::OfficeRow {
            place,
            edit: format!("/admin/offices/edit?place={}", o.code),
            code: o.code,
            office,
        });
    }
    groups.retain(|g| !g.rows.is_empty());
    let page = view::offices(
        lang,
        &v.nav,
        &view::OfficesView {
            groups: &groups,
            missing,
            notice,
            place,
            place_error,
            choices,
        },
    );
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default)]
pub struct EditQuery {
    #[serde(default)]
    place: String,
}

/// What a typed place stands for: a UPT (its code or its exact name), else a province or
/// regency as the region picker reads it.
enum Found {
    One(OfficeCode),
    Choose(Vec<(String, String)>),
}

async fn find_place(state: &AppState, typed: &str) -> AppResult<Found> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(Found::Choose(vec![]));
    }
    let upts = crate::places::store::find_upts(&state.pool, typed).await?;
    let upt = |code: &str| OfficeCode {
        kind: Kind::Upt,
        code: code.to_string(),
    };
    let exact =
        |(c, n): &(String, String)| c.eq_ignore_ascii_case(typed) || n.eq_ignore_ascii_case(typed);
    if let [one] = upts.as_slice() {
        if exact(one) {
            return Ok(Found::One(upt(&one.0)));
        }
    }
    let link = |code: &str| format!("/admin/offices/edit?place={code}");
    let regions = match pick_region(&state.pool, typed).await? {
        RegionPick::Nothing => vec![],
        RegionPick::One(one) if upts.is_empty() => {
            if let Some(code) = OfficeCode::parse(&one.code) {
                return Ok(Found::One(code));
            }
            vec![]
        }
        RegionPick::One(one) => vec![one],
        RegionPick::Choose(found) => found,
    };
    if regions.is_empty() && upts.len() == 1 {
        return Ok(Found::One(upt(&upts[0].0)));
    }
    let mut choices: Vec<(String, String)> = upts
        .iter()
        .map(|(c, n)| (link(c), crate::vocab::region::named(n, c)))
        .collect();
    choices.extend(
        regions
            .iter()
            .map(|c: &RegionChoice| (link(&c.code), c.label())),
    );
    Ok(Found::Choose(choices))
}

pub async fn show_office(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<EditQuery>,
) -> AppResult<Response> {
    require(&v.principal, Action::ManageOffices)?;
    if q.place.trim().is_empty() {
        return Ok(Redirect::to("/admin/offices").into_response());
    }
    let lang = v.lang;
    let code = match find_place(&state, &q.place).await? {
        Found::One(code) => code,
        Found::Choose(choices) => {
            let error = if choices.is_empty() {
                tr(
                    lang,
                    "tidak ada kab/kota, provinsi, atau UPT dengan nama itu",
                    "no regency, province or UPT has that name",
                )
            } else {
                tr(
                    lang,
                    "beberapa cocok: pilih salah satu di bawah",
                    "several match: choose one below",
                )
            };
            return render_list(
                &state,
                &v,
                None,
                &q.place,
                Some(error.into()),
                &choices,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let mut conn = state.pool.acquire().await?;
    let place = match offices::place_of(&mut conn, &code, lang).await? {
        Ok(place) => place,
        Err(why) => {
            drop(conn);
            return render_list(
                &state,
                &v,
                None,
                &q.place,
                Some(why),
                &[],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let office = offices::find(&mut conn, &code.code).await?;
    let office = office.unwrap_or_else(|| Office {
        name: suggested_name(code.kind, &place),
        ..Default::default()
    });
    Ok(form(&v, &code, &place, &office, &[]).into_response())
}

/// The usual name of the office, offered on an empty form.
fn suggested_name(kind: Kind, place: &str) -> String {
    match kind {
        Kind::Regency => format!("Dinas Sosial {place}"),
        Kind::Province => format!("Dinas Sosial {place}"),
        Kind::Upt => format!("Kepala {place}"),
    }
}

fn form(
    v: &Viewer,
    code: &OfficeCode,
    place: &str,
    o: &Office,
    errors: &[(String, String)],
) -> maud::Markup {
    let whose = match code.kind {
        Kind::Upt => format!("{} {place}", tr(v.lang, "Kepala", "Head of")),
        _ => place.to_string(),
    };
    view::office_form(
        v.lang,
        &v.nav,
        &view::OfficeFormView {
            place: &whose,
            code: &code.code,
            name: &o.name,
            email: &o.email,
            phone: &o.phone,
            contact: &o.contact,
            errors,
        },
    )
}

#[derive(Deserialize)]
pub struct OfficeForm {
    code: String,
    #[serde(default)]
    office: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    contact: String,
}

pub async fn save_office(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<OfficeForm>,
) -> AppResult<Response> {
    require(&v.principal, Action::ManageOffices)?;
    let typed = Office {
        name: f.office,
        email: f.email,
        phone: f.phone,
        contact: f.contact,
    };
    let lang: Lang = v.lang;
    let Some(code) = OfficeCode::parse(&f.code) else {
        return Ok(Redirect::to("/admin/offices").into_response());
    };
    let mut tx = state.pool.begin().await?;
    let place = match offices::place_of(&mut tx, &code, lang).await? {
        Ok(place) => place,
        Err(_) => return Err(crate::error::AppError::NotFound),
    };
    match offices::validate(&code.code, &typed, lang) {
        Err(errors) => {
            let errors: Vec<(String, String)> =
                errors.into_iter().map(|e| (e.field, e.message)).collect();
            let page = form(&v, &code, &place, &typed, &errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Ok((code, office)) => {
            offices::save(&mut tx, &v.origin, &code, &office, state.clock.now()).await?;
            tx.commit().await?;
            Ok(Redirect::to(&format!("/admin/offices?saved={}", code.code)).into_response())
        }
    }
}
