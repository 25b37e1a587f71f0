//! Parts failing mid-run, with nothing lost or doubled: PostgreSQL restarted while intakes
//! pour in, and the app killed in the middle of the daily capacity job. (The mail server
//! going away is in notify.rs: `an_hour_long_smtp_outage_delays_mail_and_loses_none`.)
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::cluster::Cluster;
use crate::common::{intake_json, load_geo, now, settings, token};
use crate::mail::MailServer;
use simlontar::auth::model::Role;
use simlontar::clock::FixedClock;
use simlontar::{app, AppState};

const WORKERS: usize = 8;
const PER_WORKER: usize = 25;

/// One client submitting its intakes one after another, each under its own key until the
/// server says 200/201; a 503 means "try again with the same key". Every tenth intake is
/// sent once more after success, as a client that never saw the answer would.
async fn submit_all(
    base: String,
    token: String,
    done: Arc<AtomicUsize>,
) -> (Vec<(uuid::Uuid, String)>, usize) {
    let http = reqwest::Client::new();
    let mut made = Vec::new();
    let mut unavailable = 0;
    for i in 0..PER_WORKER {
        let key = uuid::Uuid::new_v4();
        let mut body = intake_json();
        body["stated_name"] = serde_json::json!(format!("Orang {key}"));
        let tries = if i % 10 == 0 { 2 } else { 1 };
        let mut case = None::<String>;
        for _ in 0..tries {
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                let res = http
                    .post(format!("{base}/api/v1/intakes"))
                    .bearer_auth(&token)
                    .header("idempotency-key", key.to_string())
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                let retry_after = res.headers().get("retry-after").cloned();
                let json: serde_json::Value = res.json().await.unwrap();
                match status {
                    200 | 201 => {
                        let number = json["case_number"].as_str().unwrap().to_string();
                        if let Some(first) = &case {
                            assert_eq!(first, &number, "a retry answers with the same case");
                            assert_eq!(status, 200, "{json}");
                        }
                        case = Some(number);
                        break;
                    }
                    503 => {
                        assert_eq!(json["error"], "unavailable", "{json}");
                        assert!(retry_after.is_some(), "a 503 says when to retry");
                        unavailable += 1;
                        assert!(Instant::now() < deadline, "still unavailable after 60 s");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    other => panic!("intake answered {other}: {json}"),
                }
            }
        }
        made.push((key, case.unwrap()));
        done.fetch_add(1, Ordering::SeqCst);
    }
    (made, unavailable)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_postgres_restart_mid_run_loses_and_doubles_no_intake() {
    let cluster = Arc::new(Cluster::start());
    let owner = PgPool::connect_with(cluster.options()).await.unwrap();
    simlontar::db::migrate(&owner).await.unwrap();
    load_geo(&owner).await;
    let token = token(&owner, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;

    let pool = simlontar::db::connect_as_app(cluster.options())
        .await
        .unwrap();
    let router = app(AppState {
        pool,
        settings: Arc::new(settings()),
        clock: Arc::new(FixedClock(now())),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });

    let done = Arc::new(AtomicUsize::new(0));
    let restarter = {
        let (cluster, done) = (cluster.clone(), done.clone());
        tokio::spawn(async move {
            for at in [WORKERS * PER_WORKER / 4, WORKERS * PER_WORKER * 3 / 5] {
                while done.load(Ordering::SeqCst) < at {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                let c = cluster.clone();
                tokio::task::spawn_blocking(move || c.restart())
                    .await
                    .unwrap();
            }
        })
    };
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| tokio::spawn(submit_all(base.clone(), token.clone(), done.clone())))
        .collect();
    let mut keys = HashMap::new();
    let mut unavailable = 0;
    for w in workers {
        let (made, u) = w.await.unwrap();
        unavailable += u;
        keys.extend(made);
    }
    restarter.await.unwrap();
    assert!(
        unavailable > 0,
        "the restarts cut requests in flight (else this test proved nothing)"
    );

    // Reconnect: the owner's connections were cut too.
    let owner = PgPool::connect_with(cluster.options()).await.unwrap();
    let stored: Vec<(uuid::Uuid, String)> = sqlx::query_as(
        "SELECT i.idempotency_key, c.number FROM intake i JOIN ot_case c ON c.intake_id = i.id",
    )
    .fetch_all(&owner)
    .await
    .unwrap();
    assert_eq!(keys.len(), WORKERS * PER_WORKER);
    assert_eq!(stored.len(), keys.len(), "one intake and case per key");
    for (key, number) in &stored {
        assert_eq!(
            keys.get(key),
            Some(number),
            "the answer named the stored case"
        );
    }
    let numbers: HashSet<_> = stored.iter().map(|(_, n)| n).collect();
    assert_eq!(numbers.len(), stored.len(), "case numbers are unique");
    println!(
        "{unavailable} answers were 503 during two restarts; all {} intakes stored once",
        stored.len()
    );
}

/// The real server binary, with its mail going to `smtp`.
fn serve(pool: &PgPool, smtp: u16) -> Child {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    Command::new(env!("CARGO_BIN_EXE_simlontar"))
        .arg("serve")
        .env_clear()
        .env("DATABASE_URL", crate::cli::url(pool))
        .env("SIMLONTAR_ADDR", format!("127.0.0.1:{port}"))
        .env("SIMLONTAR_SMTP__PORT", smtp.to_string())
        .env("SIMLONTAR_ESCALATION_EMAIL", "desk@dinsos.jatimprov.go.id")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_for(what: &str, secs: u64, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// The daily job is held inside its run (a lock on the forecast table), the server is
/// killed with SIGKILL there, and started again: the missed slot runs once, its alert
/// emails go out once, and a third start runs nothing again.
#[sqlx::test]
async fn an_app_killed_during_the_daily_job_catches_up_once_on_restart(owner: PgPool) {
    load_geo(&owner).await;
    crate::capacity_alerts::small_ward(&owner, 5).await;
    let mail = MailServer::start().await;

    let mut holder = owner.begin().await.unwrap();
    sqlx::query("LOCK TABLE capacity_forecast IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *holder)
        .await
        .unwrap();
    let mut first = serve(&owner, mail.addr.port());
    wait_for("the daily job to block on the held table", 60, async || {
        count(
            &owner,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
               AND wait_event_type = 'Lock' AND query ILIKE '%capacity_forecast%'",
        )
        .await
            > 0
    })
    .await;
    first.kill().unwrap();
    first.wait().unwrap();
    holder.rollback().await.unwrap();
    // The killed run's transaction (and with it the job's advisory lock) ends with its
    // connection.
    wait_for("the killed run's lock to go", 30, async || {
        count(
            &owner,
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        )
        .await
            == 0
    })
    .await;
    assert_eq!(
        count(
            &owner,
            "SELECT count(*) FROM job_run WHERE job = 'capacity_daily'"
        )
        .await,
        0,
        "the killed run recorded no slot"
    );

    let mut second = serve(&owner, mail.addr.port());
    wait_for("the missed daily slot to run", 60, async || {
        count(
            &owner,
            "SELECT count(*) FROM job_run WHERE job = 'capacity_daily'",
        )
        .await
            == 1
    })
    .await;
    wait_for("the alert emails to be delivered", 60, async || {
        count(
            &owner,
            "SELECT count(*) FROM email_outbox WHERE sent_at IS NULL AND failed_at IS NULL",
        )
        .await
            == 0
    })
    .await;
    let forecasts = count(&owner, "SELECT count(*) FROM capacity_forecast").await;
    let alerts = count(&owner, "SELECT count(*) FROM capacity_alert").await;
    let sent = mail.mails().len();
    assert!(
        alerts >= 1 && forecasts > 50,
        "{alerts} alerts, {forecasts} forecasts"
    );
    assert!(sent >= 1, "the alert email arrived");
    second.kill().unwrap();
    second.wait().unwrap();

    let mut third = serve(&owner, mail.addr.port());
    // The catch-up pass has run once the scheduler's every-20-s mail job has come round.
    tokio::time::sleep(Duration::from_secs(25)).await;
    third.kill().unwrap();
    third.wait().unwrap();
    assert_eq!(
        count(&owner, "SELECT count(*) FROM capacity_forecast").await,
        forecasts,
        "the third start did not run the daily job again"
    );
    assert_eq!(
        count(&owner, "SELECT count(*) FROM capacity_alert").await,
        alerts
    );
    let received = mail.mails();
    assert_eq!(received.len(), sent, "no email was sent twice");
    let ids: HashSet<_> = received.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(ids.len(), received.len());
}
