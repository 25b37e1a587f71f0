//! Scheduled jobs: one run per slot however many instances wake, a run that dies is run
//! again, and a start after downtime catches up once.
use std::sync::Arc;

use chrono::Duration;
use serde_json::json;
use sqlx::PgPool;

use crate::common::{app_pool, now, settings, user};
use crate::mail::MailServer;
use simlontar::auth::model::Role;
use simlontar::clock::FixedClock;
use simlontar::jobs::run::{run_slot, Outcome};
use simlontar::jobs::{catch_up, run_due, Ctx, Job};

async fn ctx(
    owner: &PgPool,
    server: &MailServer,
    instance: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Ctx {
    Ctx {
        pool: app_pool(owner).await,
        settings: Arc::new(settings()),
        mailer: server.mailer(),
        clock: Arc::new(FixedClock(at)),
        instance: instance.into(),
    }
}

async fn runs(pool: &PgPool, job: &str) -> Vec<(chrono::DateTime<chrono::Utc>, String)> {
    sqlx::query_as("SELECT slot, instance FROM job_run WHERE job = $1 ORDER BY slot")
        .bind(job)
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn two_instances_run_a_daily_slot_once(owner: PgPool) {
    let server = MailServer::start().await;
    let (a, b) = (
        ctx(&owner, &server, "a", now()).await,
        ctx(&owner, &server, "b", now()).await,
    );
    let (ra, rb) = tokio::join!(
        run_due(&a, Job::Housekeeping),
        run_due(&b, Job::Housekeeping)
    );
    let outcomes = [ra.unwrap(), rb.unwrap()];
    let ran = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Ran(_)))
        .count();
    assert_eq!(ran, 1, "{outcomes:?}");
    assert!(outcomes
        .iter()
        .any(|o| matches!(o, Outcome::Busy | Outcome::AlreadyDone)));
    assert_eq!(runs(&owner, "housekeeping").await.len(), 1);
    // Waking again for the same slot does nothing.
    assert_eq!(
        run_due(&a, Job::Housekeeping).await.unwrap(),
        Outcome::AlreadyDone
    );
}

#[sqlx::test]
async fn a_run_that_dies_leaves_its_slot_to_be_run_again(owner: PgPool) {
    let pool = app_pool(&owner).await;
    let slot = now() - Duration::hours(3);
    let failed = run_slot(&pool, "housekeeping", slot, "a", now(), || async {
        anyhow::bail!("killed half-way")
    })
    .await;
    assert!(failed.is_err());
    assert!(runs(&owner, "housekeeping").await.is_empty());
    let again = run_slot(&pool, "housekeeping", slot, "b", now(), || async {
        Ok(json!({"ok": 1}))
    })
    .await
    .unwrap();
    assert_eq!(again, Outcome::Ran(json!({"ok": 1})));
    assert_eq!(
        runs(&owner, "housekeeping").await,
        vec![(slot, "b".to_string())]
    );
}

#[sqlx::test]
async fn a_start_after_days_down_catches_up_the_last_slot_once(owner: PgPool) {
    let server = MailServer::start().await;
    // The last run was three days ago; the app was down since.
    sqlx::query(
        "INSERT INTO job_run (job, slot, started_at, finished_at, instance)
         VALUES ('housekeeping', '2026-11-19T20:00:00Z', now(), now(), 'old')",
    )
    .execute(&owner)
    .await
    .unwrap();
    // A stale upload from before the outage is cleaned by the catch-up.
    let officer = user(&owner, "officer1", Role::CaseOfficer, None).await;
    sqlx::query(
        "INSERT INTO intake_upload (officer_id, idempotency_key, sha256, content_type, bytes, created_at)
         VALUES ($1, gen_random_uuid(), sha256('x'), 'image/png', 'x', '2026-11-19T00:00:00Z')",
    )
    .bind(officer)
    .execute(&owner)
    .await
    .unwrap();
    let c = ctx(&owner, &server, "new", now()).await;
    catch_up(&c).await;
    catch_up(&c).await;
    let slots: Vec<String> = runs(&owner, "housekeeping")
        .await
        .into_iter()
        .map(|(s, i)| format!("{} {i}", s.to_rfc3339()))
        .collect();
    // now() is 2026-11-23 03:00 UTC: the last hourly slot (minute 20) is 02:20.
    assert_eq!(
        slots,
        vec![
            "2026-11-19T20:00:00+00:00 old",
            "2026-11-23T02:20:00+00:00 new"
        ]
    );
    let uploads: i64 = sqlx::query_scalar("SELECT count(*) FROM intake_upload")
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(uploads, 0);
}

#[sqlx::test]
async fn the_mail_job_delivers_what_the_outbox_holds(owner: PgPool) {
    let server = MailServer::start().await;
    let c = ctx(&owner, &server, "a", now()).await;
    let mut tx = c.pool.begin().await.unwrap();
    let e = simlontar::notify::mailer::Email {
        dedupe_key: "job-mail".into(),
        priority: simlontar::notify::mailer::Priority::Normal,
        to: "dinsos@jatimprov.go.id".into(),
        subject: "Uji".into(),
        text: "t".into(),
        html: "<p>h</p>".into(),
    };
    simlontar::notify::outbox::enqueue(&mut tx, &e, now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let out = run_due(&c, Job::DeliverMail).await.unwrap();
    assert_eq!(
        out,
        Outcome::Ran(json!({"sent": 1, "retry_later": 0, "failed": 0}))
    );
    assert_eq!(server.mails().len(), 1);
}

#[sqlx::test]
async fn the_daily_capacity_job_fired_twice_at_once_alerts_and_mails_once(owner: PgPool) {
    crate::common::load_geo(&owner).await;
    let ward = crate::capacity_alerts::small_ward(&owner, 5).await;
    let server = MailServer::start().await;
    let (a, b) = (
        ctx(&owner, &server, "a", now()).await,
        ctx(&owner, &server, "b", now()).await,
    );
    let (ra, rb) = tokio::join!(
        run_due(&a, Job::CapacityDaily),
        run_due(&b, Job::CapacityDaily)
    );
    let outcomes = [ra.unwrap(), rb.unwrap()];
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Ran(_)))
            .count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(runs(&owner, "capacity_daily").await.len(), 1);
    let full: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM capacity_alert WHERE ward_id = $1 AND level = 'full'",
    )
    .bind(ward)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(full, 1);
    let per_recipient: Vec<(String, i64)> =
        sqlx::query_as("SELECT to_address, count(*) FROM email_outbox GROUP BY 1 ORDER BY 1")
            .fetch_all(&owner)
            .await
            .unwrap();
    assert_eq!(
        per_recipient,
        vec![
            ("desk@dinsos.jatimprov.go.id".to_string(), 1),
            ("dinsos-3510@jatimprov.go.id".to_string(), 1)
        ]
    );
}

#[test]
fn the_daily_capacity_run_ticks_at_seven_wib() {
    use chrono::{TimeZone, Utc};
    use croner::parser::{CronParser, Seconds};
    // Parsed as tokio-cron-scheduler parses it (seconds required, day-of-month and
    // day-of-week both honoured), read in UTC as the scheduler is set up.
    let cron = CronParser::builder()
        .seconds(Seconds::Required)
        .dom_and_dow(true)
        .build()
        .parse(&Job::CapacityDaily.schedule().cron())
        .unwrap();
    let from = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
    let ticks: Vec<_> = cron.iter_after(from).take(2).collect();
    assert_eq!(
        ticks,
        vec![
            Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap()
        ]
    );
    assert_eq!(
        Job::CapacityDaily
            .schedule()
            .describe(chrono_tz::Asia::Jakarta, simlontar_templates::Lang::Id),
        "setiap hari 07:00 WIB"
    );
}
