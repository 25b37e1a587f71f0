//! Retention (UU PDP Pasal 42–44): the nightly sweep that ends the keeping of personal
//! data whose period has passed. Face photos go first (`photo_days` after the case
//! finished), then the whole case is anonymised (`case_days`; the SQL function
//! `anonymise_case` says what goes and what stays), and sent emails, which name people,
//! lose their text (`mail_days` after sending). Each removal writes an audit row, so the
//! trail shows when and why a case's data went. Running it again changes nothing.
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::PgPool;

use crate::auth::audit::{self, Origin};
use crate::auth::policy::CaseScope;
use crate::config::Retention;

/// Cases anonymised per transaction: a first run over years of history commits as it goes.
const BATCH: i64 = 200;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Swept {
    pub cases_anonymised: u64,
    pub photos_removed: u64,
    pub mails_blanked: u64,
}

fn days(n: u32) -> Duration {
    Duration::days(n.into())
}

pub async fn sweep(pool: &PgPool, periods: Retention, now: DateTime<Utc>) -> anyhow::Result<Swept> {
    let photos_removed = remove_photos(pool, now - days(periods.photo_days), periods, now).await?;
    let mut cases_anonymised = 0;
    loop {
        let done = anonymise_batch(pool, now - days(periods.case_days), periods, now).await?;
        cases_anonymised += done;
        if done < BATCH as u64 {
            break;
        }
    }
    let mails_blanked = blank_sent_mail(pool, now - days(periods.mail_days), periods).await?;
    Ok(Swept {
        cases_anonymised,
        photos_removed,
        mails_blanked,
    })
}

async fn remove_photos(
    pool: &PgPool,
    finished_before: DateTime<Utc>,
    periods: Retention,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let mut tx = CaseScope::system(now).begin(pool).await?;
    let gone: Vec<(String, i64)> = sqlx::query_as(
        "WITH gone AS (
            DELETE FROM intake_photo p USING ot_case c
             WHERE c.intake_id = p.intake_id AND c.closed_at < $1
            RETURNING c.number)
         SELECT number, count(*) FROM gone GROUP BY number ORDER BY number",
    )
    .bind(finished_before)
    .fetch_all(&mut *tx)
    .await?;
    for (number, photos) in &gone {
        audit::record(
            &mut *tx,
            &Origin::default(),
            "retention_photos_removed",
            "case",
            Some(number),
            json!({"photos": photos, "photo_days": periods.photo_days}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(gone.iter().map(|(_, n)| *n as u64).sum())
}

/// Anonymises up to [`BATCH`] due cases, oldest first, in one transaction.
async fn anonymise_batch(
    pool: &PgPool,
    finished_before: DateTime<Utc>,
    periods: Retention,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let mut tx = CaseScope::system(now).begin(pool).await?;
    let due: Vec<(i64, String)> = sqlx::query_as(
        "SELECT c.id, c.number FROM ot_case c JOIN intake i ON i.id = c.intake_id
          WHERE c.closed_at < $1 AND i.anonymised_at IS NULL
          ORDER BY c.closed_at, c.id LIMIT $2",
    )
    .bind(finished_before)
    .bind(BATCH)
    .fetch_all(&mut *tx)
    .await?;
    for (id, number) in &due {
        let done: bool = sqlx::query_scalar("SELECT anonymise_case($1, $2)")
            .bind(id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        anyhow::ensure!(done, "case {number} was due but not anonymised");
        audit::record(
            &mut *tx,
            &Origin::default(),
            "retention_anonymised",
            "case",
            Some(number),
            json!({"case_days": periods.case_days}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(due.len() as u64)
}

async fn blank_sent_mail(
    pool: &PgPool,
    sent_before: DateTime<Utc>,
    periods: Retention,
) -> anyhow::Result<u64> {
    let mut tx = pool.begin().await?;
    let blanked = sqlx::query(
        "UPDATE email_outbox SET subject = '', body_text = '', body_html = ''
          WHERE sent_at < $1 AND (subject, body_text, body_html) <> ('', '', '')",
    )
    .bind(sent_before)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if blanked > 0 {
        audit::record(
            &mut *tx,
            &Origin::default(),
            "retention_mail_blanked",
            "email_outbox",
            None,
            json!({"messages": blanked, "mail_days": periods.mail_days}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(blanked)
}
