//! Break-glass: someone outside a case's scope opens it in an emergency. The grant names
//! one case and one person, needs a reason of at least 20 characters, lasts two hours, is
//! written to the audit trail flagged, and waits on the administrators' weekly review.
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Duration, Utc};
use maud::Markup;
use serde::Deserialize;
use serde_json::json;
use sqlx::{PgPool, Row};

use super::audit;
use super::policy::{require, Action, CaseScope};
use crate::cases::CaseNumber;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::viewer::Viewer;
use simlontar_templates::break_glass as view;
use simlontar_templates::i18n::tr;

pub const MIN_REASON: usize = 20;
pub const LASTS: Duration = Duration::hours(2);

pub async fn show_request(v: Viewer) -> AppResult<Markup> {
    require(&v.principal, Action::ViewCases)?;
    Ok(view::request(
        v.lang,
        &v.nav,
        &view::RequestView {
            number: "",
            reason: "",
            errors: &[],
        },
    ))
}

#[derive(Deserialize)]
pub struct RequestForm {
    number: String,
    reason: String,
}

pub async fn grant(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<RequestForm>,
) -> AppResult<Response> {
    require(&v.principal, Action::ViewCases)?;
    let now = state.clock.now();
    let number = f.number.trim().to_uppercase();
    let reason = f.reason.trim();
    let mut errors = vec![];
    let parsed = CaseNumber::typed(&number);
    if parsed.is_err() {
        errors.push((
            "number".to_string(),
            crate::cases::number::refusal(v.lang).to_string(),
        ));
    }
    if reason.chars().count() < MIN_REASON {
        errors.push((
            "reason".to_string(),
            tr(
                v.lang,
                "Tuliskan alasan yang jelas, paling sedikit 20 huruf.",
                "Give a clear reason of at least 20 characters.",
            )
            .to_string(),
        ));
    }
    let case_id = match &parsed {
        Ok(n) if errors.is_empty() => case_by_number(&state.pool, n, now).await?,
        _ => None,
    };
    if errors.is_empty() && case_id.is_none() {
        errors.push((
            "number".to_string(),
            tr(
                v.lang,
                "Tidak ada kasus dengan nomor itu.",
                "No case has that number.",
            )
            .to_string(),
        ));
    }
    let Some(case_id) = case_id.filter(|_| errors.is_empty()) else {
        let page = view::request(
            v.lang,
            &v.nav,
            &view::RequestView {
                number: &number,
                reason,
                errors: &errors,
            },
        );
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let mut tx = state.pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO break_glass (user_id, case_id, reason, granted_at, expires_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(v.principal.user_id)
    .bind(case_id)
    .bind(reason)
    .bind(now)
    .bind(now + LASTS)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        &v.origin,
        "break_glass",
        "case",
        Some(&number),
        json!({"flagged": true, "grant": id, "reason": reason, "expires_at": now + LASTS}),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{number}")).into_response())
}

/// Whether the case exists, looked up with the system's scope: break-glass is the one
/// place where existence is told, and the asking is itself audited.
async fn case_by_number(
    pool: &PgPool,
    number: &CaseNumber,
    at: DateTime<Utc>,
) -> sqlx::Result<Option<i64>> {
    let mut tx = CaseScope::system(at).begin(pool).await?;
    let id = sqlx::query_scalar("SELECT id FROM ot_case WHERE number = $1")
        .bind(number)
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// The week's grants (and any older ones not yet reviewed), newest first.
pub async fn show_review(State(state): State<AppState>, v: Viewer) -> AppResult<Markup> {
    require(&v.principal, Action::ViewAudit)?;
    let now = state.clock.now();
    let since = now - Duration::days(7);
    let mut tx = CaseScope::system(now).begin(&state.pool).await?;
    let rows = sqlx::query(
        "SELECT b.id, u.username, c.number, b.reason, b.granted_at, b.expires_at, b.reviewed_at,
                rv.username AS reviewer,
                -- Counted on the audit trail's own clock, from the grant's audit row on.
                (SELECT count(*) FROM audit_log g JOIN audit_log a
                     ON a.actor_id = b.user_id AND a.action = 'read' AND a.entity = 'case'
                    AND a.entity_id = c.number AND a.chain_seq > g.chain_seq
                    AND a.at < g.at + (b.expires_at - b.granted_at)
                  WHERE g.action = 'break_glass' AND g.detail->>'grant' = b.id::text) AS reads
           FROM break_glass b JOIN app_user u ON u.id = b.user_id JOIN ot_case c ON c.id = b.case_id
           LEFT JOIN app_user rv ON rv.id = b.reviewed_by
          WHERE b.granted_at >= $1 OR b.reviewed_at IS NULL
          ORDER BY b.granted_at DESC",
    )
    .bind(since)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let tz = state.settings.time_zone;
    let local = |t: DateTime<Utc>| crate::clock::format_local(t, tz);
    let rows: Vec<view::GrantRow> = rows
        .into_iter()
        .map(|r| view::GrantRow {
            id: r.get("id"),
            user: r.get("username"),
            case_number: r.get("number"),
            reason: r.get("reason"),
            granted: local(r.get("granted_at")),
            expires: local(r.get("expires_at")),
            reads: r.get("reads"),
            reviewed: r.get::<Option<DateTime<Utc>>, _>("reviewed_at").map(|t| {
                format!(
                    "{} ({})",
                    local(t),
                    r.get::<Option<String>, _>("reviewer").unwrap_or_default()
                )
            }),
        })
        .collect();
    Ok(view::review(
        v.lang,
        &v.nav,
        &view::ReviewView {
            since: &local(since),
            rows: &rows,
        },
    ))
}

pub async fn mark_reviewed(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Redirect> {
    require(&v.principal, Action::ViewAudit)?;
    let done = sqlx::query(
        "UPDATE break_glass SET reviewed_by = $2, reviewed_at = $3 WHERE id = $1 AND reviewed_at IS NULL",
    )
    .bind(id)
    .bind(v.principal.user_id)
    .bind(state.clock.now())
    .execute(&state.pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        &state.pool,
        &v.origin,
        "break_glass_reviewed",
        "break_glass",
        Some(&id.to_string()),
        json!({}),
    )
    .await?;
    Ok(Redirect::to("/admin/break-glass"))
}
