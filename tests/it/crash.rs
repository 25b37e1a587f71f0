//! Parts failing mid-run, with nothing lost or doubled: PostgreSQL restarted while intakes
//! pour in, the app SIGKILLed again and again while intakes pour in and while people are
//! placed and routed home, and the app killed in the middle of the daily capacity job. (The mail server going away is in notify.rs:
//! `a_mail_server_down_for_a_day_delays_mail_and_loses_none`.)
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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

/// A loopback port free at this moment, for a server started just after.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The real server binary on `port`, with its mail going to `smtp` when given.
fn serve(pool: &PgPool, port: u16, smtp: Option<u16>) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_simlontar"));
    cmd.arg("serve")
        .env_clear()
        .env("DATABASE_URL", crate::cli::url(pool))
        .env("SIMLONTAR_ADDR", format!("127.0.0.1:{port}"))
        .env("SIMLONTAR_ESCALATION_EMAIL", "desk@dinsos.jatimprov.go.id")
        // Officers signing in through the pages give no one-time code here.
        .env("SIMLONTAR_MFA_REQUIRED", "false")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(smtp) = smtp {
        cmd.env("SIMLONTAR_SMTP__PORT", smtp.to_string());
    }
    cmd.spawn().unwrap()
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
    let mut first = serve(&owner, free_port(), Some(mail.addr.port()));
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

    let mut second = serve(&owner, free_port(), Some(mail.addr.port()));
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

    let mut third = serve(&owner, free_port(), Some(mail.addr.port()));
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

const KILLS: usize = 40;

/// The server binary, SIGKILLed when dropped (also when an assertion fails mid-test).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        // `Child::kill` is SIGKILL on Unix: no graceful shutdown, no flush.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The server binary on `port`, once it answers /healthz.
async fn started(owner: &PgPool, port: u16) -> Server {
    let probe = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let server = Server(serve(owner, port, None));
    wait_for("the server to answer /healthz", 30, async || {
        probe
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    })
    .await;
    server
}

/// What one client saw: the case each of its keys was answered with, and how its
/// failed attempts failed.
#[derive(Default)]
struct Seen {
    cases: Vec<(uuid::Uuid, String)>,
    /// Refused: no server was listening.
    refused: usize,
    /// Cut: the connection was accepted, then broke (or hung) before the whole answer came.
    cut: usize,
    server_errors: usize,
    /// Answered 200: an earlier attempt had committed the intake, but its answer was lost.
    replayed: usize,
}

/// One client submitting intakes until `stop`, each under its own key, the same body
/// again after any failure until the server answers 201 or 200. A key begun before
/// `stop` is carried through to its answer.
async fn submit_until_stopped(
    base: String,
    token: String,
    found_at: chrono::DateTime<chrono::Utc>,
    stop: Arc<AtomicBool>,
) -> Seen {
    // A fresh connection for every attempt, so a broken one always means a server that
    // was killed after accepting it (never a pooled socket left from an older server).
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut seen = Seen::default();
    while !stop.load(Ordering::SeqCst) {
        let key = uuid::Uuid::new_v4();
        let mut body = intake_json();
        body["found_at"] = serde_json::json!(found_at.to_rfc3339());
        body["stated_name"] = serde_json::json!(format!("Orang {key}"));
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut failed = false;
        let number = loop {
            assert!(Instant::now() < deadline, "{key} unanswered after 60 s");
            let attempt = async {
                let res = http
                    .post(format!("{base}/api/v1/intakes"))
                    .bearer_auth(&token)
                    .header("idempotency-key", key.to_string())
                    .json(&body)
                    .send()
                    .await?;
                let status = res.status();
                Ok::<_, reqwest::Error>((status, res.text().await?))
            };
            match attempt.await {
                Err(e) if e.is_connect() => seen.refused += 1,
                Err(_) => seen.cut += 1,
                Ok((status, _)) if status.is_server_error() => seen.server_errors += 1,
                Ok((status, text)) => {
                    let json: serde_json::Value = serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("{status} {e}: {text}"));
                    match status.as_u16() {
                        201 => assert_eq!(json["created"], true, "{json}"),
                        200 => {
                            assert!(failed, "a first attempt creates: {json}");
                            assert_eq!(json["created"], false, "{json}");
                            seen.replayed += 1;
                        }
                        _ => panic!("intake answered {status}: {json}"),
                    }
                    break json["case_number"].as_str().unwrap().to_string();
                }
            }
            failed = true;
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        seen.cases.push((key, number));
    }
    seen
}

/// Eight clients keep submitting intakes while the real server is SIGKILLed at seeded
/// random moments and started again, forty times; each retries its key until answered.
/// Afterwards every key tried is one intake with one case, its opening event and its
/// audit row, the answers named the stored cases, and the case numbers run 1..n.
#[sqlx::test]
async fn an_app_sigkilled_again_and_again_under_intake_load_stores_every_key_once_and_whole(
    owner: PgPool,
) {
    use rand::{Rng, SeedableRng};

    load_geo(&owner).await;
    let token = token(&owner, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let start = async || started(&owner, port).await;

    let began = Instant::now();
    // One pick-up moment for all, so every case falls in the same year's numbering.
    let found_at = chrono::Utc::now() - chrono::Duration::hours(2);
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..8)
        .map(|_| {
            tokio::spawn(submit_until_stopped(
                base.clone(),
                token.clone(),
                found_at,
                stop.clone(),
            ))
        })
        .collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(8);
    for _ in 0..KILLS {
        let server = start().await;
        tokio::time::sleep(Duration::from_millis(rng.random_range(50..=400))).await;
        drop(server);
    }
    stop.store(true, Ordering::SeqCst);
    let server = start().await;
    let mut answered = HashMap::new();
    let (mut refused, mut cut, mut server_errors, mut replayed) = (0, 0, 0, 0);
    for c in clients {
        let seen = c.await.unwrap();
        answered.extend(seen.cases);
        refused += seen.refused;
        cut += seen.cut;
        server_errors += seen.server_errors;
        replayed += seen.replayed;
    }
    drop(server);
    assert!(
        cut > 0 && replayed > 0,
        "kills cut {cut} requests and lost {replayed} answers to committed intakes \
         (both must happen, else this test proved nothing)"
    );

    let stored: HashMap<uuid::Uuid, String> = sqlx::query_as(
        "SELECT i.idempotency_key, c.number FROM intake i JOIN ot_case c ON c.intake_id = i.id",
    )
    .fetch_all(&owner)
    .await
    .unwrap()
    .into_iter()
    .collect();
    assert_eq!(
        stored, answered,
        "each key tried is one stored case, as answered"
    );
    let n = answered.len() as i64;
    assert_eq!(count(&owner, "SELECT count(*) FROM intake").await, n);
    assert_eq!(count(&owner, "SELECT count(*) FROM ot_case").await, n);
    assert_eq!(
        count(
            &owner,
            "SELECT count(*) FROM ot_case c WHERE (SELECT count(*) FROM case_event e
               WHERE e.case_id = c.id AND e.kind = 'opened' AND e.to_state = 'received') = 1"
        )
        .await,
        n,
        "every case has exactly one opening event"
    );
    assert_eq!(
        count(
            &owner,
            "SELECT count(*) FROM ot_case c WHERE (SELECT count(*) FROM audit_log a
               WHERE a.action = 'create' AND a.entity = 'case' AND a.entity_id = c.number) = 1"
        )
        .await,
        n,
        "every case has exactly one audit row"
    );
    let chain = simlontar::auth::audit::verify_chain(&owner).await.unwrap();
    assert_eq!(chain.first_break, None, "the audit chain is unbroken");

    let mut seqs: Vec<i64> = stored
        .values()
        .map(|number| number.rsplit('-').next().unwrap().parse().unwrap())
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=n).collect::<Vec<_>>(), "case numbers 1..n");
    let counters: Vec<(String, i32)> =
        sqlx::query_as("SELECT region_code, last FROM case_number_counter")
            .fetch_all(&owner)
            .await
            .unwrap();
    assert_eq!(
        counters,
        [("35.78".to_string(), n as i32)],
        "one counter, standing at n"
    );
    println!(
        "{KILLS} kills in {:.1} s: {n} intakes; {cut} requests cut, {refused} refused, \
         {server_errors} answered 5xx, {replayed} committed before a cut and answered on retry",
        began.elapsed().as_secs_f64()
    );
}

/// What a decision client saw, as `Seen` for intakes: how its failed attempts failed, and
/// how often a retry found the decision already made (its first answer lost in a kill).
#[derive(Default)]
struct Tally {
    done: Vec<String>,
    refused: usize,
    cut: usize,
    server_errors: usize,
    replayed: usize,
}

/// One decision, as a client sends it again and again until answered.
#[derive(Clone)]
enum Decide {
    /// `POST /api/v1/cases/{n}/placement` into this ward, with an API token.
    Place { token: String, ward: i64 },
    /// The case page's "route home" form, with a signed-in session's cookie and token.
    RouteHome { cookie: String, csrf: String },
}

/// Makes `decide` for each case in turn, retrying after a refused or cut connection or a
/// 5xx; a 409 after a failed attempt means that attempt had committed (a placement or a
/// routing is made only once), a 409 on a first attempt fails the test.
async fn decide_all(base: String, decide: Decide, cases: Vec<String>) -> Tally {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut tally = Tally::default();
    for number in cases {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut failed = false;
        loop {
            assert!(Instant::now() < deadline, "{number} unanswered after 60 s");
            let request = match &decide {
                Decide::Place { token, ward } => http
                    .post(format!("{base}/api/v1/cases/{number}/placement"))
                    .bearer_auth(token)
                    .json(&serde_json::json!({ "ward_id": ward })),
                Decide::RouteHome { cookie, csrf } => http
                    .post(format!("{base}/cases/{number}/route"))
                    .header("cookie", cookie)
                    .header("origin", &base)
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("choice", "home"),
                        ("reason", "the family is waiting at home"),
                    ]),
            };
            let attempt = async {
                let res = request.send().await?;
                let status = res.status();
                Ok::<_, reqwest::Error>((status, res.text().await?))
            };
            match attempt.await {
                Err(e) if e.is_connect() => tally.refused += 1,
                Err(_) => tally.cut += 1,
                Ok((status, _)) if status.is_server_error() => tally.server_errors += 1,
                Ok((status, body)) => {
                    match status.as_u16() {
                        201 | 303 => {}
                        409 if failed => tally.replayed += 1,
                        _ => panic!("{number}: {status}: {body}"),
                    }
                    break;
                }
            }
            failed = true;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tally.done.push(number);
    }
    tally
}

/// Signs in through the pages of the server at `base`: the session cookie and its CSRF
/// token (the session lives in PostgreSQL, so it outlasts the kills).
async fn signed_in_session(base: &str, username: &str) -> (String, String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let csrf_in = |page: &str| {
        page.split(r#"name="csrf" value=""#)
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_string()
    };
    // Every cookie a response sets (the session's, the form token's, the device's), as
    // one Cookie header.
    let cookie_of = |res: &reqwest::Response| {
        res.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let login = http.get(format!("{base}/login")).send().await.unwrap();
    let cookie = cookie_of(&login);
    let csrf = csrf_in(&login.text().await.unwrap());
    let res = http
        .post(format!("{base}/login"))
        .header("cookie", &cookie)
        .header("origin", base)
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", crate::common::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "signed in");
    let cookie = cookie_of(&res);
    let home = http
        .get(format!("{base}/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    (cookie, csrf_in(&home.text().await.unwrap()))
}

/// Six clients decide 300 cases — four place people into a ward over the API, two route
/// people home from the case page (a transport plan, the office's notice and its email in
/// one transaction) — while the real server is SIGKILLed at seeded random moments and
/// started again, until they are done. Afterwards every person has exactly one open
/// placement and the ward's counter equals them, every routed person exactly one live
/// plan, one notice, one email and one audit row, and the audit chain is unbroken.
#[sqlx::test]
async fn an_app_sigkilled_again_and_again_during_placements_and_hand_overs_makes_each_once(
    owner: PgPool,
) {
    use rand::{Rng, SeedableRng};

    const PLACERS: usize = 4;
    const ROUTERS: usize = 2;
    const EACH: usize = 50;
    load_geo(&owner).await;
    let ward: i64 = sqlx::query_scalar(
        "UPDATE ward SET beds = 500, occupied = 0
          WHERE id = (SELECT id FROM ward WHERE need_code = 'homeless' AND sex = 'male'
                       ORDER BY id LIMIT 1)
         RETURNING id",
    )
    .fetch_one(&owner)
    .await
    .unwrap();
    let numbers = |first: usize, n: usize| {
        (first..first + n)
            .map(|i| format!("OT-3578-2026-{i:06}"))
            .collect::<Vec<_>>()
    };
    let to_place = numbers(1, PLACERS * EACH);
    let to_route = numbers(1 + PLACERS * EACH, ROUTERS * EACH);
    for number in &to_place {
        crate::shelter::unidentified(&owner, number, "male", 35, &[]).await;
    }
    for number in &to_route {
        crate::inventory::routable_home(&owner, number).await;
    }
    let placer = token(&owner, "co.place", Role::CaseOfficer, None).await;
    crate::common::user(&owner, "co.route", Role::CaseOfficer, None).await;

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let start = async || started(&owner, port).await;
    let server = start().await;
    let (cookie, csrf) = signed_in_session(&base, "co.route").await;
    drop(server);

    let began = Instant::now();
    let mut clients = vec![];
    for cases in to_place.chunks(EACH) {
        let decide = Decide::Place {
            token: placer.clone(),
            ward,
        };
        clients.push(tokio::spawn(decide_all(
            base.clone(),
            decide,
            cases.to_vec(),
        )));
    }
    for cases in to_route.chunks(EACH) {
        let decide = Decide::RouteHome {
            cookie: cookie.clone(),
            csrf: csrf.clone(),
        };
        clients.push(tokio::spawn(decide_all(
            base.clone(),
            decide,
            cases.to_vec(),
        )));
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
    let mut kills = 0;
    while !clients.iter().all(|c| c.is_finished()) && kills < 100 {
        let server = start().await;
        tokio::time::sleep(Duration::from_millis(rng.random_range(50..=400))).await;
        drop(server);
        kills += 1;
    }
    let server = start().await;
    let mut tally = Tally::default();
    for c in clients {
        let t = c.await.unwrap();
        tally.done.extend(t.done);
        tally.refused += t.refused;
        tally.cut += t.cut;
        tally.server_errors += t.server_errors;
        tally.replayed += t.replayed;
    }
    drop(server);
    assert_eq!(tally.done.len(), (PLACERS + ROUTERS) * EACH);
    assert!(
        tally.cut > 0 && tally.replayed > 0,
        "{kills} kills cut {} requests and lost {} answers to committed decisions \
         (both must happen, else this test proved nothing)",
        tally.cut,
        tally.replayed
    );
    assert_eq!(tally.server_errors, 0, "a restart answers no 5xx");

    let per_case = |sql: &'static str, cases: &[String]| {
        let (owner, cases) = (owner.clone(), cases.to_vec());
        async move {
            let counts: Vec<i64> = sqlx::query_scalar(sql)
                .bind(&cases)
                .fetch_all(&owner)
                .await
                .unwrap();
            assert_eq!(counts.len(), cases.len(), "{sql}");
            counts.into_iter().filter(|n| *n != 1).count()
        }
    };
    for (what, sql, cases) in [
        (
            "an open placement in the ward",
            "SELECT (SELECT count(*) FROM placement p WHERE p.case_id = c.id AND p.ended_at IS NULL)
               FROM unnest($1::text[]) n JOIN ot_case c ON c.number = n",
            &to_place,
        ),
        (
            "a 'place' audit row",
            "SELECT (SELECT count(*) FROM audit_log a WHERE a.action = 'place' AND a.entity_id = n)
               FROM unnest($1::text[]) n",
            &to_place,
        ),
        (
            "a live transport plan",
            "SELECT (SELECT count(*) FROM transport_plan t WHERE t.case_id = c.id AND t.state <> 'cancelled')
               FROM unnest($1::text[]) n JOIN ot_case c ON c.number = n",
            &to_route,
        ),
        (
            "a hand-over notice",
            "SELECT (SELECT count(*) FROM handover_notice h WHERE h.case_id = c.id)
               FROM unnest($1::text[]) n JOIN ot_case c ON c.number = n",
            &to_route,
        ),
        (
            "an email to the regency office",
            "SELECT (SELECT count(*) FROM email_outbox m WHERE m.subject LIKE '%' || n || '%')
               FROM unnest($1::text[]) n",
            &to_route,
        ),
        (
            "a 'route' audit row",
            "SELECT (SELECT count(*) FROM audit_log a WHERE a.action = 'route' AND a.entity_id = n)
               FROM unnest($1::text[]) n",
            &to_route,
        ),
    ] {
        assert_eq!(per_case(sql, cases).await, 0, "cases without exactly one {what}");
    }
    let (occupied, open): (i32, i64) = sqlx::query_as(
        "SELECT occupied, (SELECT count(*) FROM placement WHERE ward_id = $1 AND ended_at IS NULL)
           FROM ward WHERE id = $1",
    )
    .bind(ward)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(
        (occupied, open),
        (to_place.len() as i32, to_place.len() as i64)
    );
    let states: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, count(*) FROM ot_case GROUP BY state ORDER BY state")
            .fetch_all(&owner)
            .await
            .unwrap();
    assert_eq!(
        states,
        [
            ("placed".to_string(), to_place.len() as i64),
            ("routed_home".to_string(), to_route.len() as i64)
        ]
    );
    let chain = simlontar::auth::audit::verify_chain(&owner).await.unwrap();
    assert_eq!(chain.first_break, None, "the audit chain is unbroken");
    println!(
        "{kills} kills in {:.1} s: {} decisions; {} requests cut, {} refused, {} answered 5xx, \
         {} committed before a cut and found made on retry",
        began.elapsed().as_secs_f64(),
        tally.done.len(),
        tally.cut,
        tally.refused,
        tally.server_errors,
        tally.replayed
    );
}
