//! The JSON API under schemathesis: the real server on a random port over a demo year,
//! every operation in `/api/openapi.json` called with generated valid and invalid
//! requests (bodies, paths, queries, headers) by a user holding every role the API needs.
//! No answer may be a 5xx. `.ci/schemathesis` installs the tool on first use.
use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use sqlx::PgPool;

use crate::common::{load_geo, spawn, user};
use simlontar::auth::model::{Grant, Role};

/// Examples per operation and phase; enough to reach every field, short enough for CI.
const EXAMPLES: &str = "40";

#[sqlx::test]
async fn generated_api_requests_never_get_a_server_error(owner: PgPool) {
    load_geo(&owner).await;
    simlontar::demo::seed(
        &owner,
        8,
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        false,
    )
    .await
    .unwrap();
    let id = user(&owner, "fuzzer", Role::CaseOfficer, None).await;
    for grant in [
        Grant::new(Role::IntakeOfficer, Some("35.78".into())).unwrap(),
        Grant::new(Role::IdentityOfficer, None).unwrap(),
    ] {
        simlontar::auth::store::add_grant(&owner, id, &grant)
            .await
            .unwrap();
    }
    let (_, token) = simlontar::auth::store::create_token(&owner, id, "schemathesis")
        .await
        .unwrap();
    let base = spawn(&owner).await;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let report = tempfile::tempdir().unwrap();
    let run = tokio::task::spawn_blocking({
        let report = report.path().to_path_buf();
        move || {
            Command::new(root.join(".ci/schemathesis"))
                .args(["run", &format!("{base}/api/openapi.json")])
                .args(["--checks", "not_a_server_error"])
                .args(["--header", &format!("Authorization: Bearer {token}")])
                .args(["--max-examples", EXAMPLES, "--seed", "8", "--workers", "2"])
                .args(["--phases", "examples,coverage,fuzzing"])
                .args(["--suppress-health-check", "all", "--max-failures", "20"])
                .arg("--report-dir")
                .arg(&report)
                .output()
                .expect(".ci/schemathesis runs")
        }
    })
    .await
    .unwrap();
    let out = String::from_utf8_lossy(&run.stdout);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "schemathesis found server errors (exit {:?}):\n{out}\n{err}",
        run.status.code()
    );
    // The run reached every operation of the document.
    assert!(!out.contains("No operations"), "{out}");
    eprintln!("{out}");
}

/// Positive data acceptance (issue 23): requests schemathesis builds from the document
/// alone — valid by its enums, patterns and required fields — are never refused as
/// invalid (422) nor break the server; unknown records (404) and state conflicts (409)
/// are fair answers to generated ids and states.
#[sqlx::test]
#[ignore = "issue 23, open: the document does not yet say every rule `validate` applies \
            (date windows and order, a NIK's date and region, `matched` needs `identity`, \
            known region codes, the intake's name/birth-quality pairs); run with --ignored"]
async fn requests_valid_by_the_document_are_accepted(owner: PgPool) {
    load_geo(&owner).await;
    let id = user(&owner, "client", Role::CaseOfficer, None).await;
    for grant in [
        Grant::new(Role::IntakeOfficer, Some("35.78".into())).unwrap(),
        Grant::new(Role::IdentityOfficer, None).unwrap(),
    ] {
        simlontar::auth::store::add_grant(&owner, id, &grant)
            .await
            .unwrap();
    }
    let (_, token) = simlontar::auth::store::create_token(&owner, id, "schemathesis")
        .await
        .unwrap();
    let base = spawn(&owner).await;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("schemathesis.toml");
    std::fs::write(
        &config,
        "[checks.positive_data_acceptance]\nexpected-statuses = [\"2xx\", \"401\", \"403\", \"404\", \"409\"]\n",
    )
    .unwrap();
    let run = tokio::task::spawn_blocking(move || {
        Command::new(root.join(".ci/schemathesis"))
            .arg("--config-file")
            .arg(&config)
            .args(["run", &format!("{base}/api/openapi.json")])
            .args(["--checks", "positive_data_acceptance,not_a_server_error"])
            .args(["--mode", "positive", "--phases", "examples,fuzzing"])
            .args(["--header", &format!("Authorization: Bearer {token}")])
            .args(["--max-examples", "25", "--seed", "23", "--workers", "2"])
            .args(["--suppress-health-check", "all", "--max-failures", "20"])
            .output()
            .expect(".ci/schemathesis runs")
    })
    .await
    .unwrap();
    let out = String::from_utf8_lossy(&run.stdout);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "requests valid by the document were refused (exit {:?}):\n{out}\n{err}",
        run.status.code()
    );
    assert!(!out.contains("No operations"), "{out}");
}
