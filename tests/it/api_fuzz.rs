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
                // One worker: CPython 3.11's AST builder is not thread-safe, and hypothesis
                // parses lambdas from several workers at once ("AST constructor recursion depth
                // mismatch", python/cpython#106905), failing the run without any server error.
                .args(["--max-examples", EXAMPLES, "--seed", "8", "--workers", "1"])
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
