//! The correction form on a case: `GET /cases/{number}/correction` shows what is stored,
//! `POST` saves through `correct::correct` (the API's operation) or shows the form again
//! with every error beside its field and everything typed kept.
use crate::cases::CaseNumber;
use crate::web::path::Path;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;

use super::correct::{correct, CorrectionRequest};
use super::photo;
use crate::auth::policy::{require, Action};
use crate::cases::access;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::viewer::Viewer;
use simlontar_templates::correct::{self as view, CorrectionValues};
use simlontar_templates::Lang;

#[derive(serde::Deserialize)]
pub struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

fn text(lang: Lang, id: &str, en: &str) -> String {
    match lang {
        Lang::Id => id.into(),
        Lang::En => en.into(),
    }
}

fn render(
    v: &Viewer,
    number: &str,
    values: &CorrectionValues,
    errors: &[(String, String)],
    (saved, photos): (bool, usize),
) -> Markup {
    view::form(
        v.lang,
        &v.nav,
        &view::CorrectionView {
            number,
            values,
            errors,
            options: &super::desk::options(),
            saved,
            photos,
        },
    )
}

pub async fn show_correction(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
    Query(q): Query<Saved>,
) -> AppResult<Markup> {
    require(&v.principal, Action::CreateIntake)?;
    let case = access::read(
        &state.pool,
        &v.principal,
        &v.origin,
        &number,
        state.clock.now(),
    )
    .await?;
    let values = CorrectionValues {
        stated_name: case.stated_name.clone(),
        sex: case.sex.clone(),
        birth_date: case.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        estimated_age: case
            .estimated_age
            .map(|a| a.to_string())
            .unwrap_or_default(),
        birth_date_quality: case.birth_date_quality.clone(),
        conditions: case.conditions.clone(),
        found_address: case.found_address.clone(),
        reason: String::new(),
    };
    Ok(render(
        &v,
        &case.number,
        &values,
        &[],
        (q.saved.is_some(), case.photos.len()),
    ))
}

pub async fn submit_correction(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    require(&v.principal, Action::CreateIntake)?;
    let mut f = CorrectionValues::default();
    let mut uploads = vec![];
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::Invalid(vec![]))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if name == "photo" {
            let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
            if !bytes.is_empty() {
                uploads.push(bytes.to_vec());
            }
            continue;
        }
        let value = field.text().await.map_err(|_| AppError::Invalid(vec![]))?;
        match name.as_str() {
            "stated_name" => f.stated_name = value,
            "sex" => f.sex = value,
            "birth_date" => f.birth_date = value,
            "estimated_age" => f.estimated_age = value,
            "birth_date_quality" => f.birth_date_quality = value,
            "conditions" => f.conditions.push(value),
            "found_address" => f.found_address = value,
            "reason" => f.reason = value,
            _ => {} // unknown fields are ignored
        }
    }
    let mut errors: Vec<(String, String)> = vec![];
    let birth_date = match f.birth_date.trim() {
        "" => None,
        d => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push((
                    "birth_date".into(),
                    text(v.lang, "bukan tanggal", "not a date"),
                ));
                None
            }
        },
    };
    let estimated_age = match f.estimated_age.trim() {
        "" => None,
        a => match a.parse::<i32>() {
            Ok(a) => Some(a),
            Err(_) => {
                errors.push((
                    "estimated_age".into(),
                    text(v.lang, "bukan angka", "not a number"),
                ));
                None
            }
        },
    };
    // Decoded and written again, as at intake: only the picture is kept.
    let mut photos = vec![];
    for (i, bytes) in uploads.into_iter().enumerate() {
        match photo::clean_blocking(bytes).await {
            Ok(p) => photos.push(p),
            Err((id, en)) => errors.push((format!("photos[{i}]"), text(v.lang, id, en))),
        }
    }
    let req = CorrectionRequest {
        stated_name: Some(f.stated_name.clone()),
        sex: Some(f.sex.clone()),
        birth_date,
        estimated_age,
        birth_date_quality: Some(f.birth_date_quality.clone()),
        conditions: Some(f.conditions.clone()),
        found_address: Some(f.found_address.clone()),
        reason: f.reason.clone(),
    };
    let now = (state.clock.now(), state.settings.time_zone);
    let outcome = if errors.is_empty() {
        correct(
            &state.pool,
            &v.principal,
            &v.origin,
            &number,
            (&req, &photos),
            now,
            v.lang,
        )
        .await
    } else {
        Err(AppError::Invalid(vec![]))
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{number}/correction?saved=1")).into_response()),
        Err(AppError::Invalid(list)) => {
            errors.extend(list.into_iter().map(|e| (e.field, e.message)));
            let page = render(&v, number.as_str(), &f, &errors, (false, 0));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e),
    }
}
