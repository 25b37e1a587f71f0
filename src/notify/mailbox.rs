//! The demo's local mailbox: the SMTP sink keeps what the app sends in `demo_mail`, and
//! these pages show it, so someone trying Simlontar sees the regency offices' emails
//! without a mail server. Only in demo mode: administrators and case officers see every
//! message, a regency office only its own (`readable`), everyone else nothing.
use async_trait::async_trait;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use mail_parser::MessageParser;
use maud::Markup;
use sqlx::PgPool;

use super::sink::{Keep, Received};
use crate::auth::model::Role;
use crate::auth::policy::{require, Action};
use crate::clock::format_local;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::viewer::Viewer;
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

/// Whose mail a person may read in the demo mailbox.
enum Readable {
    /// Administrators and case officers: every message.
    All,
    /// A regency office (regency viewers): messages to its own addresses, lower case.
    To(Vec<String>),
}

/// The demo mailbox's one rule. Only in demo mode (else 404 for everyone); administrators
/// and case officers read everything, a regency office only what was sent to it, others
/// nothing (403). Mail holds hand-over links, whose token is the receiving office's key:
/// nobody but that office and the people who route cases may see one.
async fn readable(state: &AppState, v: &Viewer) -> AppResult<Readable> {
    if !state.settings.demo {
        return Err(AppError::NotFound);
    }
    require(&v.principal, Action::ViewCases)?;
    let p = &v.principal;
    if p.has(Role::Admin) || p.has(Role::CaseOfficer) {
        return Ok(Readable::All);
    }
    let regencies = p.scopes(Role::RegencyViewer);
    if regencies.is_empty() {
        return Err(AppError::Forbidden);
    }
    let mut conn = state.pool.acquire().await?;
    let mut addresses = vec![];
    for code in regencies {
        let address = super::office_address(&mut conn, &state.settings, &code).await?;
        addresses.push(address.to_lowercase());
    }
    Ok(Readable::To(addresses))
}

impl Readable {
    /// (every message?, the addresses otherwise), for `READABLE_SQL`'s $1 and $2.
    fn binds(&self) -> (bool, Vec<String>) {
        match self {
            Readable::All => (true, vec![]),
            Readable::To(addresses) => (false, addresses.clone()),
        }
    }
}

/// Messages one may read: all, or those with one of the addresses among the recipients.
const READABLE_SQL: &str =
    "($1::bool OR EXISTS (SELECT 1 FROM unnest(rcpt_to) t WHERE lower(t) = ANY($2::text[])))";

pub async fn show_mailbox(State(state): State<AppState>, v: Viewer) -> AppResult<Markup> {
    let (all, addresses) = readable(&state, &v).await?.binds();
    let rows: Vec<(i64, DateTime<Utc>, Vec<String>, String)> = sqlx::query_as(&format!(
        "SELECT id, received_at, rcpt_to, raw FROM demo_mail WHERE {READABLE_SQL}
          ORDER BY id DESC LIMIT 200"
    ))
    .bind(all)
    .bind(addresses)
    .fetch_all(&state.pool)
    .await?;
    let mails: Vec<view::Mail> = rows
        .into_iter()
        .map(|(id, at, to, raw)| read(id, local(&state, at), to, &raw))
        .collect();
    Ok(view::mailbox(v.lang, &v.nav, &mails))
}

/// One message, to those who may read it; to others it does not exist.
pub async fn show_mail(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Markup> {
    let (all, addresses) = readable(&state, &v).await?.binds();
    let row: Option<(i64, DateTime<Utc>, Vec<String>, String)> = sqlx::query_as(&format!(
        "SELECT id, received_at, rcpt_to, raw FROM demo_mail WHERE id = $3 AND {READABLE_SQL}"
    ))
    .bind(all)
    .bind(addresses)
    .bind(id)
    .fetch_optional(&state.pool)
    .await?;
    let (id, at, to, raw) = row.ok_or(AppError::NotFound)?;
    let mail = read(id, local(&state, at), to, &raw);
    Ok(view::mail(v.lang, &v.nav, &mail))
}
