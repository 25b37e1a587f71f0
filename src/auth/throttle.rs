//! Slowing down guessing of passwords and one-time codes without letting a stranger lock
//! an officer out (OWASP's "device cookies"). A browser that has completed a sign-in for
//! an account keeps a device cookie; its later attempts at that account are counted
//! against that browser alone. Attempts without one — a new browser, or a guesser — are
//! counted per account name and per client address, and refused past either limit, so
//! guessing stays slow while the officer's own browser still gets in.
use axum::http::{HeaderMap, HeaderValue};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::config::Settings;
use crate::web::cookie;

pub const FAILURE_WINDOW_MINUTES: i64 = 15;
/// Failures in the window from browsers not known to the account, per account name
/// (known or not)…
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 10;
/// …and per client address, over every name.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 50;
/// Failures in the window from one known browser at its account.
pub const MAX_FAILURES_PER_DEVICE: i64 = 10;
/// A browser stays known this long after its last completed sign-in.
pub const DEVICE_DAYS: i64 = 90;

const COOKIE: &str = "simlontar-device";
const TOKEN_BYTES: usize = 32;

/// One attempt (a password or a one-time code) at an account, and where it comes from.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub username: String,
    pub addr: Option<String>,
    /// The browser's entry for this account, when it has signed in to it before.
    pub device: Option<i64>,
}

impl Attempt {
    /// The attempt, with the browser known only if its device cookie was given to it by a
    /// completed sign-in to this very account.
    pub async fn new(
        pool: &PgPool,
        settings: &Settings,
        headers: &HeaderMap,
        username: &str,
        addr: Option<&str>,
        now: DateTime<Utc>,
    ) -> sqlx::Result<Attempt> {
        let device = match device_token(settings, headers) {
            None => None,
            Some(token) => {
                sqlx::query_scalar(
                    "SELECT d.id FROM login_device d JOIN app_user u ON u.id = d.user_id
                      WHERE d.token_sha256 = $1 AND u.username = $2 AND d.last_seen_at > $3",
                )
                .bind(Sha256::digest(token.as_bytes()).to_vec())
                .bind(username)
                .bind(now - Duration::days(DEVICE_DAYS))
                .fetch_optional(pool)
                .await?
            }
        };
        Ok(Attempt {
            username: username.to_string(),
            addr: addr.map(String::from),
            device,
        })
    }

    pub fn known_browser(&self) -> bool {
        self.device.is_some()
    }

    /// Whether this attempt is refused unheard: its browser has failed too often, or —
    /// from an unknown browser — the account name or the address has.
    pub async fn throttled(&self, pool: &PgPool, now: DateTime<Utc>) -> sqlx::Result<bool> {
        let since = now - Duration::minutes(FAILURE_WINDOW_MINUTES);
        if let Some(device) = self.device {
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM login_failure WHERE device_id = $1 AND at > $2",
            )
            .bind(device)
            .bind(since)
            .fetch_one(pool)
            .await?;
            return Ok(n >= MAX_FAILURES_PER_DEVICE);
        }
        let (by_user, by_addr): (i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE username = $1), count(*) FILTER (WHERE remote_addr = $2::inet)
               FROM login_failure
              WHERE at > $3 AND device_id IS NULL AND (username = $1 OR remote_addr = $2::inet)",
        )
        .bind(&self.username)
        .bind(self.addr.as_deref())
        .bind(since)
        .fetch_one(pool)
        .await?;
        Ok(by_user >= MAX_FAILURES_PER_ACCOUNT || by_addr >= MAX_FAILURES_PER_ADDRESS)
    }

    /// Counts a failure: against the known browser, or against the name and address.
    pub async fn note_failure(&self, pool: &PgPool, now: DateTime<Utc>) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO login_failure (at, username, remote_addr, device_id)
             VALUES ($1, $2, $3::inet, $4)",
        )
        .bind(now)
        .bind(&self.username)
        .bind(self.addr.as_deref())
        .bind(self.device)
        .execute(pool)
        .await?;
        Ok(())
    }
}

/// After a completed sign-in (password and, when owed, the code): this browser is known
/// to the account from now on. Returns the cookie to set; a browser keeps one value for
/// every account signed in on it.
pub async fn know_browser(
    pool: &PgPool,
    settings: &Settings,
    headers: &HeaderMap,
    user_id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<HeaderValue> {
    let token =
        device_token(settings, headers).unwrap_or_else(|| cookie::random_value(TOKEN_BYTES));
    sqlx::query(
        "INSERT INTO login_device (user_id, token_sha256, first_seen_at, last_seen_at)
         VALUES ($1, $2, $3, $3)
         ON CONFLICT (token_sha256, user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
    )
    .bind(user_id)
    .bind(Sha256::digest(token.as_bytes()).to_vec())
    .bind(now)
    .execute(pool)
    .await?;
    Ok(cookie::set(
        settings,
        COOKIE,
        &token,
        Some(DEVICE_DAYS),
        cookie::SameSite::Strict,
    ))
}

fn device_token(settings: &Settings, headers: &HeaderMap) -> Option<String> {
    cookie::get(headers, &cookie::name(settings, COOKIE))
        .filter(|v| cookie::well_formed(v, TOKEN_BYTES))
        .map(String::from)
}
