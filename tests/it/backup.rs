//! Backup and restore as the operations guide (docs/operations.md) tells it: `pg_dump
//! --format=custom` of a working database, `pg_restore` into a new one, and the restored
//! copy is whole — same rows, an unbroken audit chain, every migration applied, and the
//! app serves it.
use std::process::Command;
use std::time::Instant;

use sqlx::PgPool;

use crate::cluster::pg_bin;
use crate::common::{api, intake_json, load_geo, router, send, token};
use simlontar::auth::model::Role;

/// Row counts of the tables that hold people and what happened to them.
async fn counts(pool: &PgPool) -> Vec<(String, i64)> {
    let mut out = vec![];
    for table in [
        "intake",
        "ot_case",
        "case_event",
        "audit_log",
        "app_user",
        "api_token",
        "region",
        "village",
        "ward",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(pool)
            .await
            .unwrap();
        out.push((table.to_string(), n));
    }
    out
}

fn run(tool: &str, args: &[&str]) {
    let out = Command::new(pg_bin().join(tool))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[sqlx::test]
async fn a_dump_restored_into_a_new_database_is_whole_and_served(owner: PgPool) {
    load_geo(&owner).await;
    let satpol = token(&owner, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let app = router(&owner).await;
    for i in 0..20 {
        let mut body = intake_json();
        body["stated_name"] = serde_json::json!(format!("Orang Cadangan {i}"));
        let key = uuid::Uuid::new_v4().to_string();
        let res = send(
            &app,
            api("POST", "/api/v1/intakes", &satpol, Some(&key), body),
        )
        .await;
        assert_eq!(res.status, 201, "{}", res.body);
    }
    let before = counts(&owner).await;

    let o = owner.connect_options();
    let (host, port, user) = (
        o.get_host().to_string(),
        o.get_port().to_string(),
        o.get_username().to_string(),
    );
    let source = o.get_database().unwrap().to_string();
    let target = format!("simlontar_restored_{}", uuid::Uuid::new_v4().simple());
    let dump = tempfile::NamedTempFile::new().unwrap();
    let dump_path = dump.path().to_str().unwrap();
    let started = Instant::now();
    run(
        "pg_dump",
        &[
            "-h",
            &host,
            "-p",
            &port,
            "-U",
            &user,
            "--format=custom",
            "-f",
            dump_path,
            &source,
        ],
    );
    let dumped = started.elapsed();
    run(
        "createdb",
        &["-h", &host, "-p", &port, "-U", &user, &target],
    );
    let started = Instant::now();
    run(
        "pg_restore",
        &[
            "-h",
            &host,
            "-p",
            &port,
            "-U",
            &user,
            "--exit-on-error",
            "-d",
            &target,
            dump_path,
        ],
    );
    let restored_in = started.elapsed();

    let restored = PgPool::connect_with((*o).clone().database(&target))
        .await
        .unwrap();
    assert_eq!(counts(&restored).await, before, "the same rows");
    let chain = simlontar::auth::audit::verify_chain(&restored)
        .await
        .unwrap();
    assert_eq!(chain.first_break, None, "the audit chain is unbroken");
    assert!(chain.rows >= 20, "{chain:?}");
    simlontar::db::ready(&restored)
        .await
        .expect("every migration is applied");

    // The app works as simlontar_app on the copy and finds the cases.
    let app = router(&restored).await;
    let co = token(&restored, "co.restore", Role::CaseOfficer, None).await;
    let res = send(
        &app,
        api(
            "GET",
            "/api/v1/cases?q=Cadangan",
            &co,
            None,
            serde_json::json!({}),
        ),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body.contains("Orang Cadangan 7"), "{}", res.body);
    println!(
        "dump {} KB in {dumped:?}, restore in {restored_in:?}",
        std::fs::metadata(dump_path).unwrap().len() / 1024
    );
    restored.close().await;
    run(
        "dropdb",
        &["--force", "-h", &host, "-p", &port, "-U", &user, &target],
    );
}
