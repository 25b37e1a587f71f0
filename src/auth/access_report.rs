//! "Which records did this user touch between t1 and t2?" — the administrator's answer
//! for a breach report (UU PDP Pasal 46 allows 3×24 hours) or a complaint about an
//! officer. Times are read in the configured zone (WIB); the report is a page and a CSV
//! file, and asking for it is itself audited.
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use serde_json::json;
use simlontar_templates::auth as view;
use simlontar_templates::i18n::{tr, Lang};

use super::audit::{self, Accessed};
use super::policy::{require, Action};
use crate::clock::format_local;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::viewer::Viewer;

/// Rows shown on the page; the CSV file has every row.
const SHOWN: usize = 1000;
const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M";

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    #[serde(default)]
    user: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    format: Option<String>,
}

/// Each bad field with its message.
type FieldErrors = Vec<(String, String)>;

/// The asked-for user and period `[from, to)`.
struct Asked {
    user: String,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

fn read(q: &ReportQuery, tz: chrono_tz::Tz, lang: Lang) -> Result<Asked, FieldErrors> {
    let mut errors = vec![];
    let mut bad = |field: &str, id: &'static str, en: &'static str| {
        errors.push((field.to_string(), tr(lang, id, en).to_string()))
    };
    let user = q.user.trim().to_string();
    if user.is_empty() {
        bad("user", "isi nama pengguna", "give a username");
    }
    let mut time = |field: &str, s: &str| match NaiveDateTime::parse_from_str(s.trim(), TIME_FORMAT)
        .ok()
        .and_then(|t| tz.from_local_datetime(&t).single())
    {
        Some(t) => Some(t.to_utc()),
        None => {
            bad(
                field,
                "waktu tidak terbaca (tanggal dan jam)",
                "unreadable time (date and hour)",
            );
            None
        }
    };
    let (from, to) = (time("from", &q.from), time("to", &q.to));
    match (from, to) {
        (Some(from), Some(to)) if errors.is_empty() => {
            if from < to {
                return Ok(Asked { user, from, to });
            }
            errors.push((
                "to".into(),
                tr(lang, "harus sesudah waktu mulai", "must be after the start").into(),
            ));
        }
        _ => {}
    }
    Err(errors)
}

fn csv(rows: &[Accessed], tz: chrono_tz::Tz) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(["record_type", "record", "first", "last", "times", "actions"])?;
    for r in rows {
        w.write_record([
            r.entity.as_str(),
            &r.entity_id,
            &r.first.with_timezone(&tz).to_rfc3339(),
            &r.last.with_timezone(&tz).to_rfc3339(),
            &r.times.to_string(),
            &r.actions.join(" "),
        ])?;
    }
    Ok(w.into_inner()?)
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    require(&v.principal, Action::ViewAudit)?;
    let tz = state.settings.time_zone;
    let render = |errors: &[(String, String)], rows: Option<(&[view::AccessRow], usize)>| {
        let href = format!(
            "/admin/audit/accessed?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("format", "csv")
                .append_pair("user", q.user.trim())
                .append_pair("from", q.from.trim())
                .append_pair("to", q.to.trim())
                .finish()
        );
        view::access_report(
            v.lang,
            &v.nav,
            &view::AccessReportView {
                user: &q.user,
                from: &q.from,
                to: &q.to,
                errors,
                rows,
                csv_href: &href,
            },
        )
    };
    // The first visit: an empty form.
    if q.user.is_empty() && q.from.is_empty() && q.to.is_empty() {
        return Ok(render(&[], None).into_response());
    }
    let Asked { user, from, to } = match read(&q, tz, v.lang) {
        Ok(asked) => asked,
        Err(errors) => return Ok(invalid(render(&errors, None))),
    };
    let Some(found) = audit::accessed_by(&state.pool, &user, from, to).await? else {
        let errors = [(
            "user".to_string(),
            tr(v.lang, "pengguna tidak dikenal", "no such user").to_string(),
        )];
        return Ok(invalid(render(&errors, None)));
    };
    audit::record(
        &state.pool,
        &v.origin,
        "access_report",
        "user",
        Some(&user),
        json!({"from": from, "to": to, "records": found.len()}),
    )
    .await?;
    if q.format.as_deref() == Some("csv") {
        let name = format!(
            "akses-{user}-{}.csv",
            from.with_timezone(&tz).format("%Y%m%d%H%M")
        );
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            csv(&found, tz).map_err(AppError::Internal)?,
        )
            .into_response());
    }
    let rows: Vec<view::AccessRow> = found
        .iter()
        .take(SHOWN)
        .map(|r| view::AccessRow {
            record: format!("{} {}", r.entity, r.entity_id),
            first: format_local(r.first, tz),
            last: format_local(r.last, tz),
            times: r.times,
            actions: r.actions.join(", "),
        })
        .collect();
    Ok(render(&[], Some((&rows, found.len()))).into_response())
}

fn invalid(page: maud::Markup) -> Response {
    (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}
