//! The user and token commands, run as the real binary against the test database.
use std::io::Write;
use std::process::{Command, Stdio};

use sqlx::PgPool;

use crate::common::load_geo;

fn url(pool: &PgPool) -> String {
    let o = pool.connect_options();
    format!(
        "postgres://{}@{}:{}/{}",
        o.get_username(),
        o.get_host(),
        o.get_port(),
        o.get_database().unwrap()
    )
}

fn run(pool: &PgPool, args: &[&str], stdin: &str) -> (bool, String, String) {
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
