//! The demo's local mailbox: the SMTP sink keeps what the app sends in `demo_mail`, and
//! these pages show it, so someone trying Simlontar sees the regency offices' emails
//! without a mail server. Only in demo mode, and only for administrators and case officers.
use async_trait::async_trait;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use mail_parser::MessageParser;
use maud::Markup;
use sqlx::PgPool;

use super::sink::{Keep, Received};
use crate::auth::policy::{require, Action};
use crate::clock::format_local;
use crate::error::{AppError, AppResult};
use crate::web::viewer::Viewer;
use crate::web::AppState;
use simlontar_templates::mailbox as view;

/// Keeps received messages in the database.
pub struct KeepInDatabase(pub PgPool);

#[async_trait]
impl Keep for KeepInDatabase {
    async fn keep(&self, m: Received) -> Result<(), String> {
        sqlx::query("INSERT INTO demo_mail (mail_from, rcpt_to, raw) VALUES ($1, $2, $3)")
            .bind(&m.from)
            .bind(&m.to)
            .bind(&m.data)
            .execute(&self.0)
            .await
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// The parts of a message a reader looks at.
pub fn read(id: i64, received: String, to: Vec<String>, raw: &str) -> view::Mail {
    let parsed = MessageParser::default().parse(raw.as_bytes());
    view::Mail {
        id,
        received,
        to,
        subject: parsed
            .as_ref()
            .and_then(|m| m.subject().map(String::from))
            .unwrap_or_default(),
        text: parsed
            .as_ref()
            .and_then(|m| m.body_text(0).map(|t| t.into_owned()))
            .unwrap_or_default(),
    }
}

fn local(state: &AppState, at: DateTime<Utc>) -> String {
    format_local(at, state.settings.time_zone)
}

fn allowed(state: &AppState, v: &Viewer) -> AppResult<()> {
    if !state.settings.demo {
        return Err(AppError::NotFound);
    }
    require(&v.principal, Action::ViewCases)
}

pub async fn show_mailbox(State(state): State<AppState>, v: Viewer) -> AppResult<Markup> {
    allowed(&state, &v)?;
    let rows: Vec<(i64, DateTime<Utc>, Vec<String>, String)> = sqlx::query_as(
        "SELECT id, received_at, rcpt_to, raw FROM demo_mail ORDER BY id DESC LIMIT 200",
    )
    .fetch_all(&state.pool)
    .await?;
    let mails: Vec<view::Mail> = rows
        .into_iter()
        .map(|(id, at, to, raw)| read(id, local(&state, at), to, &raw))
        .collect();
    Ok(view::mailbox(v.lang, &v.nav, &mails))
}

pub async fn show_mail(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Markup> {
    allowed(&state, &v)?;
    let row: Option<(i64, DateTime<Utc>, Vec<String>, String)> =
        sqlx::query_as("SELECT id, received_at, rcpt_to, raw FROM demo_mail WHERE id = $1")
            .bind(id)
            .fetch_optional(&state.pool)
            .await?;
    let (id, at, to, raw) = row.ok_or(AppError::NotFound)?;
    let mail = read(id, local(&state, at), to, &raw);
    Ok(view::mail(v.lang, &v.nav, &mail))
}
