//! The user and token commands, run as the real binary against the test database.
use std::io::Write;
use std::process::{Command, Stdio};

use sqlx::PgPool;

use crate::common::load_geo;

pub fn url(pool: &PgPool) -> String {
    let o = pool.connect_options();
    format!(
        "postgres://{}@{}:{}/{}",
        o.get_username(),
        o.get_host(),
        o.get_port(),
        o.get_database().unwrap()
    )
}

pub fn run(pool: &PgPool, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_simlontar"))
        .args(args)
        .env_clear()
        .env("DATABASE_URL", url(pool))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[sqlx::test]
async fn the_first_administrator_and_a_token_come_from_the_command_line(pool: PgPool) {
    load_geo(&pool).await;
    let (ok, _, err) = run(
        &pool,
        &["user", "add", "root", "--role", "admin", "--password-stdin"],
        "a strong secret\n",
    );
    assert!(ok, "{err}");
    let (ok, _, err) = run(
        &pool,
        &[
            "user",
            "add",
            "dp3ak.sys",
            "--role",
            "identity_officer",
            "--password-stdin",
        ],
        "another secret\n",
    );
    assert!(ok, "{err}");
    let (ok, out, err) = run(&pool, &["token", "create", "dp3ak.sys"], "");
    assert!(ok, "{err}");
    let token = out.trim();
    assert!(token.starts_with("slt_") && token.len() == 68, "{out}");
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM api_token WHERE token_sha256 = sha256($1::bytea)")
            .bind(token.as_bytes())
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored, 1, "only the hash is stored, and it matches");
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE detail->>'via' = 'cli'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(audited, 3);
}

#[sqlx::test]
async fn bad_command_line_input_is_refused_with_a_reason(pool: PgPool) {
    load_geo(&pool).await;
    let (ok, _, err) = run(
        &pool,
        &["user", "add", "x1", "--role", "king", "--password-stdin"],
        "a strong secret\n",
    );
    assert!(!ok && err.contains("unknown role `king`"), "{err}");
    let (ok, _, err) = run(
        &pool,
        &[
            "user",
            "add",
            "x2",
            "--role",
            "upt_staff",
            "--password-stdin",
        ],
        "a strong secret\n",
    );
    assert!(!ok && err.contains("needs a UPT code"), "{err}");
    let (ok, _, err) = run(
        &pool,
        &["user", "add", "x3", "--role", "admin", "--password-stdin"],
        "short\n",
    );
    assert!(!ok && err.contains("password too short"), "{err}");
    let (ok, _, err) = run(
        &pool,
        &["user", "add", "x4", "--role", "admin", "--password-stdin"],
        "",
    );
    assert!(!ok && err.contains("no password"), "{err}");
    let (ok, _, err) = run(&pool, &["token", "create", "nobody"], "");
    assert!(!ok && err.contains("no user nobody"), "{err}");
    let (ok, _, err) = run(&pool, &["user", "disable", "nobody"], "");
    assert!(!ok && err.contains("no user nobody"), "{err}");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM app_user")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

/// Removes the timing fields (`elapsed`, `elapsed_secs`, `latency`, `stream_duration`)
/// from one log entry, wherever they sit.
fn drop_durations(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for key in ["elapsed", "elapsed_secs", "latency", "stream_duration"] {
                map.remove(key);
            }
            map.values_mut().for_each(drop_durations);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_durations),
        _ => {}
    }
}

/// Runs the real server, signs in, records an intake carrying a NIK and a name with a
/// newline and a terminal escape, then reads everything the server logged.
#[sqlx::test]
async fn the_server_log_holds_no_nik_password_token_or_session_and_cannot_be_forged(pool: PgPool) {
    load_geo(&pool).await;
    crate::common::user(
        &pool,
        "satpol.sby",
        simlontar::auth::model::Role::IntakeOfficer,
        Some("35.78"),
    )
    .await;
    let uid: i64 = sqlx::query_scalar("SELECT id FROM app_user")
        .fetch_one(&pool)
        .await
        .unwrap();
    let (_, token) = simlontar::auth::store::create_token(&pool, uid, "t")
        .await
        .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_simlontar"))
        .arg("serve")
        .env_clear()
        .env("DATABASE_URL", url(&pool))
        .env("SIMLONTAR_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "debug,sqlx=debug")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Read the log as it comes: a full pipe would stall the server's logging.
    let mut stderr = server.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut log = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut log).ok();
        log
    });
    let base = format!("http://127.0.0.1:{port}");
    // No redirects followed: the sign-in's own answer carries the new session's cookie.
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while http.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(std::time::Instant::now() < deadline, "server did not start");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let login = http.get(format!("{base}/login")).send().await.unwrap();
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = login.text().await.unwrap();
    let csrf = page
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let res = http
        .post(format!("{base}/login"))
        .header("origin", &base)
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "satpol.sby"),
            ("password", crate::common::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let signed_in = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(signed_in, cookie, "sign-in issues a new session id");
    let nik = "3578015208900001";
    let mut body = crate::common::intake_json();
    body["found_at"] =
        serde_json::json!((chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339());
    body["nik"] = serde_json::json!(nik);
    body["stated_name"] = serde_json::json!("Pak Slamet\nINFO forged line \u{1b}[31m");
    let res = http
        .post(format!("{base}/api/v1/intakes"))
        .bearer_auth(&token)
        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_client_error(),
        "control characters are refused: {}",
        res.status()
    );
    body["stated_name"] = serde_json::json!("Pak Slamet");
    let res = http
        .post(format!("{base}/api/v1/intakes"))
        .bearer_auth(&token)
        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let case: serde_json::Value = res.json().await.unwrap();
    // DP3AK's biometric answer for that person: its score, family card and mother's name
    // must not reach the log either.
    let dp3ak = crate::common::user(
        &pool,
        "dp3ak.system",
        simlontar::auth::model::Role::IdentityOfficer,
        None,
    )
    .await;
    let (_, dp3ak_token) = simlontar::auth::store::create_token(&pool, dp3ak, "t")
        .await
        .unwrap();
    let (kk, mother, score) = ("3578019999000123", "Ibu Rahasia Wati", "87.25");
    let now = chrono::Utc::now();
    let res = http
        .post(format!("{base}/api/v1/identity-checks"))
        .bearer_auth(&dp3ak_token)
        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
        .json(&serde_json::json!({
            "case_number": case["case_number"],
            "method": "fingerprint",
            "requested_at": (now - chrono::Duration::minutes(2)).to_rfc3339(),
            "completed_at": (now - chrono::Duration::minutes(1)).to_rfc3339(),
            "outcome": "matched",
            "score": score.parse::<f64>().unwrap(),
            "identity": {"nik": nik, "name": "Slamet", "sex": "female",
                         "birth_place": "Surabaya", "village_code": null,
                         "kk_number": kk, "mother_name": mother}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let _ = http
        .get(format!("{base}/cases?q=Slamet"))
        .send()
        .await
        .unwrap();

    // Stop it (SIGTERM: graceful) and read the log.
    Command::new("kill")
        .arg(server.id().to_string())
        .status()
        .unwrap();
    server.wait().unwrap();
    let log = reader.join().unwrap();
    assert!(
        log.contains("/api/v1/intakes")
            && log.contains("INSERT INTO intake")
            && log.contains("/api/v1/identity-checks"),
        "requests and queries were logged: {log}"
    );
    // Durations are digits too ("187.253µs" holds the score's "87.25"), so they are dropped
    // before the search; every other field is searched as written.
    let mut searched = String::new();
    for line in log.lines() {
        let mut entry: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not one JSON object: {line}"));
        drop_durations(&mut entry);
        searched.push_str(&entry.to_string());
        searched.push('\n');
    }
    let log = searched;
    let session_id = |c: &str| c.split('=').nth(1).unwrap().to_string();
    for secret in [
        nik,
        crate::common::PASSWORD,
        token.as_str(),
        &session_id(&cookie),
        &session_id(&signed_in),
        dp3ak_token.as_str(),
        kk,
        mother,
        score,
        "forged line",
    ] {
        assert!(!log.contains(secret), "the log contains {secret:?}");
    }
}

/// `simlontar plan --to 3510`: the undotted code BPS and DTKS write is the regency 35.10.
#[sqlx::test]
async fn the_plan_command_takes_undotted_region_codes(pool: PgPool) {
    load_geo(&pool).await;
    let plan = |to: &str| {
        let (ok, out, err) = run(
            &pool,
            &["plan", "--from", "-7.2575,112.7521", "--to", to],
            "",
        );
        assert!(ok, "--to {to}: {err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    assert_eq!(plan("3510"), plan("35.10"));
    let (ok, _, err) = run(
        &pool,
        &["plan", "--from", "-7.2575,112.7521", "--to", "351"],
        "",
    );
    assert!(!ok);
    assert!(err.contains("not a region code"), "{err}");
}
