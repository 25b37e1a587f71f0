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

/// Work asked for by changes (issue 23): queued in the change's transaction, done by a
/// drain once per kind however many asked, kept when nobody drained it.
mod queued {
    use axum::http::StatusCode;
    use serde_json::json;
    use sqlx::{Connection, PgPool};

    use crate::common::{api, app_pool, intake_json, load_geo, router, send, settings, token};
    use crate::common::{case_fixture, now};
    use simlontar::auth::model::Role;
    use simlontar::jobs::{drain, queue};

    async fn waiting(owner: &PgPool) -> Vec<(String, i64)> {
        queue::waiting(owner).await.unwrap()
    }

    #[sqlx::test]
    async fn a_burst_of_intakes_is_one_reintake_run(owner: PgPool) {
        load_geo(&owner).await;
        let app = router(&owner).await;
        let t = token(&owner, "desk.sby", Role::CaseOfficer, None).await;
        for i in 0..5 {
            let key = format!("5b0e7c52-0000-4000-8000-00000000000{i}");
            let mut body = intake_json();
            body["stated_name"] = json!(format!("Orang {i}"));
            let res = send(&app, api("POST", "/api/v1/intakes", &t, Some(&key), body)).await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        }
        // A refused intake asks for nothing.
        let mut bad = intake_json();
        bad["sex"] = json!("x");
        let key = "5b0e7c52-0000-4000-8000-000000000009";
        let res = send(&app, api("POST", "/api/v1/intakes", &t, Some(key), bad)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
        assert_eq!(waiting(&owner).await, [("reintake".to_string(), 5)]);
        let pool = app_pool(&owner).await;
        let first = drain(&pool, &settings(), now()).await.unwrap();
        assert_eq!((first.requests, first.reintake_runs), (5, 1), "{first:?}");
        assert_eq!(first.capacity_runs, 0);
        assert!(waiting(&owner).await.is_empty());
        let again = drain(&pool, &settings(), now()).await.unwrap();
        assert_eq!(again, queue::Drained::default());
    }

    #[sqlx::test]
    async fn a_placement_asks_for_one_capacity_evaluation(owner: PgPool) {
        load_geo(&owner).await;
        let officer = token(&owner, "co1", Role::CaseOfficer, None).await;
        let app = router(&owner).await;
        for i in 0..3 {
            let number = format!("OT-3578-2026-{:06}", 10 + i);
            crate::shelter::unidentified(&owner, &number, "male", 35, &[]).await;
            let ward: i64 = sqlx::query_scalar(
                "SELECT id FROM ward WHERE need_code = 'homeless' AND sex = 'male'",
            )
            .fetch_one(&owner)
            .await
            .unwrap();
            let uri = format!("/api/v1/cases/{number}/placement");
            let res = send(
                &app,
                api("POST", &uri, &officer, None, json!({"ward_id": ward})),
            )
            .await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        }
        assert_eq!(waiting(&owner).await, [("capacity".to_string(), 3)]);
        let forecasts = "SELECT count(DISTINCT computed_at) FROM capacity_forecast";
        let before: i64 = sqlx::query_scalar(forecasts)
            .fetch_one(&owner)
            .await
            .unwrap();
        let done = drain(&app_pool(&owner).await, &settings(), now())
            .await
            .unwrap();
        assert_eq!((done.requests, done.capacity_runs), (3, 1), "{done:?}");
        let after: i64 = sqlx::query_scalar(forecasts)
            .fetch_one(&owner)
            .await
            .unwrap();
        assert_eq!(after, before + 1);
    }

    /// A drain on another instance holds the kind (its lock): this one leaves the work to
    /// it. That instance is killed before finishing (its connection goes, the lock with
    /// it, nothing taken off the queue): the work is still there and done by the next drain.
    #[sqlx::test]
    async fn work_a_killed_drain_did_not_finish_is_done_by_the_next(owner: PgPool) {
        load_geo(&owner).await;
        case_fixture(&owner, "OT-3578-2026-000001", "35.78", None, "Siti", None).await;
        let mut tx = owner.begin().await.unwrap();
        queue::enqueue(&mut tx, queue::Work::Capacity, now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let pool = app_pool(&owner).await;
        let mut other = sqlx::PgConnection::connect_with(&owner.connect_options())
            .await
            .unwrap();
        sqlx::query("BEGIN").execute(&mut other).await.unwrap();
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('simlontar work capacity'))")
            .execute(&mut other)
            .await
            .unwrap();
        let skipped = drain(&pool, &settings(), now()).await.unwrap();
        assert_eq!(skipped.capacity_runs, 0);
        assert_eq!(waiting(&owner).await, [("capacity".to_string(), 1)]);
        drop(other);
        // The server notices the dropped connection and frees its lock; wait for it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let done = drain(&pool, &settings(), now()).await.unwrap();
            if done.capacity_runs == 1 {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "the lock never went");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(waiting(&owner).await.is_empty());
    }
}
