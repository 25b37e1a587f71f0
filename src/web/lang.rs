//! The language a page is shown in: the `lang` cookie, else Bahasa Indonesia.
use axum::extract::{Path, Query};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use simlontar_templates::Lang;

pub fn lang_of(headers: &HeaderMap) -> Lang {
    super::cookie::get(headers, "lang")
        .and_then(Lang::parse)
        .unwrap_or_default()
}

#[derive(Deserialize)]
pub struct Back {
    back: Option<String>,
}

/// Sets the language cookie and returns to the page the user was on. Only local paths
/// are followed (`redirect::local_path`), so the link cannot send someone elsewhere.
pub async fn switch_language(
    Path(code): Path<String>,
    Query(q): Query<Back>,
) -> crate::error::AppResult<impl IntoResponse> {
    let lang = Lang::parse(&code).ok_or(crate::error::AppError::NotFound)?;
    let back = super::redirect::local_or_home(q.back.as_deref());
    let cookie = format!(
        "lang={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
        lang.code()
    );
    Ok((
        [(header::SET_COOKIE, HeaderValue::from_str(&cookie).unwrap())],
        Redirect::to(&back),
    ))
}
