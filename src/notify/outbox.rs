//! The transactional outbox. A message is written in the same transaction as what caused
//! it (an alert, a hand-over), so both exist or neither does; delivery happens later, one
//! message per short transaction holding that row's lock, so two instances never send the
//! same row and a crash before the commit leaves it to be sent again.
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use super::mailer::{Email, Mailer, Priority};

/// Queues a message; a second message with the same key is ignored. Returns whether
/// this call queued it.
pub async fn enqueue(
    conn: &mut PgConnection,
    email: &Email,
    at: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let queued = sqlx::query(
        "INSERT INTO email_outbox (dedupe_key, to_address, subject, body_text, body_html,
                                   created_at, next_attempt_at, priority)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7)
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(&email.dedupe_key)
    .bind(&email.to)
    .bind(&email.subject)
    .bind(&email.text)
    .bind(&email.html)
    .bind(at)
    .bind(email.priority as i16)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(queued == 1)
}

/// Wait before the next try after `attempts` failures: 1, 2, 4, 8 minutes, then every
/// 10 minutes for as long as it takes, so an hour-long outage delays mail by at most
/// ten minutes after the server is back and never drops it.
pub fn backoff(attempts: i32) -> Duration {
    let doubling = 1i64 << (attempts.clamp(1, 5) - 1);
    Duration::minutes(doubling.min(10))
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub sent: usize,
    pub retry_later: usize,
    pub failed: usize,
}

/// One waiting message as the worker reads it.
#[derive(sqlx::FromRow)]
struct Due {
    id: i64,
    dedupe_key: String,
    to_address: String,
    subject: String,
    body_text: String,
    body_html: String,
    attempts: i32,
    priority: i16,
}

/// Sends what is due at `now`, the most urgent first and then the oldest, at most `limit`
/// messages. A message that goes through after failing says the server is back: the
/// rest of the waiting mail becomes due at once rather than at its backed-off time.
pub async fn deliver_due(
    pool: &PgPool,
    mailer: &Mailer,
    now: DateTime<Utc>,
    limit: usize,
) -> sqlx::Result<Delivery> {
    let mut done = Delivery::default();
    for _ in 0..limit {
        let mut tx = pool.begin().await?;
        let row: Option<Due> = sqlx::query_as(
            "SELECT id, dedupe_key, to_address, subject, body_text, body_html, attempts, priority
               FROM email_outbox
              WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
              ORDER BY priority, next_attempt_at, id
              LIMIT 1
                FOR UPDATE SKIP LOCKED",
        )
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(Due {
            id,
            dedupe_key,
            to_address,
            subject,
            body_text,
            body_html,
            attempts,
            priority,
        }) = row
        else {
            break;
        };
        let email = Email {
            dedupe_key,
            priority: Priority::of(priority),
            to: to_address,
            subject,
            text: body_text,
            html: body_html,
        };
        match mailer.send(&email).await {
            Ok(()) => {
                sqlx::query(
                    "UPDATE email_outbox SET sent_at = $2, attempts = attempts + 1, last_error = NULL
                      WHERE id = $1",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if attempts > 0 {
                    sqlx::query(
                        "UPDATE email_outbox SET next_attempt_at = $1
                          WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at > $1",
                    )
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                done.sent += 1;
            }
            Err(e) => {
                let attempts = attempts + 1;
                sqlx::query(
                    "UPDATE email_outbox
                        SET attempts = $2, last_error = $3, next_attempt_at = $4,
                            failed_at = CASE WHEN $5 THEN $6 END
                      WHERE id = $1",
                )
                .bind(id)
                .bind(attempts)
                .bind(&e.message)
                .bind(now + backoff(attempts))
                .bind(e.permanent)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tracing::warn!(id, attempts, permanent = e.permanent, error = %e.message, "email not delivered");
                if e.permanent {
                    done.failed += 1;
                } else {
                    done.retry_later += 1;
                    tx.commit().await?;
                    // The server is likely down: leave the rest for the next run.
                    break;
                }
            }
        }
        tx.commit().await?;
    }
    Ok(done)
}

/// What the outbox holds, for the admin page and the health of the mail path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OutboxCounts {
    pub waiting: i64,
    pub sent: i64,
    pub failed: i64,
    /// When the oldest message still to be sent was queued.
    pub oldest_waiting: Option<DateTime<Utc>>,
}

/// Mail waiting longer than this means the mail path is broken: the admin page warns.
pub const LATE_AFTER: Duration = Duration::hours(1);

impl OutboxCounts {
    /// How long the oldest waiting message has waited at `now`, if it is late.
    pub fn late(&self, now: DateTime<Utc>) -> Option<Duration> {
        self.oldest_waiting
            .map(|t| now - t)
            .filter(|age| *age > LATE_AFTER)
    }
}

pub async fn counts(pool: &PgPool) -> sqlx::Result<OutboxCounts> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL) AS waiting,
                count(*) FILTER (WHERE sent_at IS NOT NULL) AS sent,
                count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed,
                min(created_at) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL) AS oldest_waiting
           FROM email_outbox",
    )
    .fetch_one(pool)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_stays_at_ten_minutes() {
        let m: Vec<i64> = (1..=8).map(|a| backoff(a).num_minutes()).collect();
        assert_eq!(m, vec![1, 2, 4, 8, 10, 10, 10, 10]);
    }
}
