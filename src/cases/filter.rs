//! The filters of a case list, read from a query string (the desk's list and the API's).
use serde::Deserialize;

use super::model::State;
use super::store::CaseFilter;
use crate::error::{AppError, FieldError};

/// The filters of a case list (the desk's and the API's).
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Name (spelling-tolerant) or case number.
    #[param(example = "Slamet")]
    q: Option<String>,
    /// Regency code, pick-up or home: dotted (`35.78`) or undotted (`3578`).
    #[param(pattern = r"^[0-9]{2}\.?[0-9]{2}$", example = "3578")]
    region: Option<String>,
    #[param(value_type = Option<State>, example = "received")]
    state: Option<String>,
    /// First pick-up day, YYYY-MM-DD.
    #[param(value_type = Option<chrono::NaiveDate>, example = "2026-11-01")]
    from: Option<String>,
    /// Last pick-up day, YYYY-MM-DD.
    #[param(value_type = Option<chrono::NaiveDate>, example = "2026-11-30")]
    to: Option<String>,
    /// 50 cases a page, from 0.
    #[param(minimum = 0, maximum = 1_000_000, example = 0)]
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
    // A regency dotted (35.10) or undotted (3510).
    let region = text("region", q.region, &mut errors).map(|r| crate::vocab::region::normalise(&r));
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
