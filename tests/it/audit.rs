//! The audit trail's hash chain: intact under concurrent writers, broken (and located) by
//! a superuser who edits or removes a row behind the triggers' back.
use serde_json::json;
use sqlx::PgPool;

use crate::cli::run;
use crate::common::app_pool;
use simlontar::auth::audit::{record, verify_chain, Origin};

async fn write_rows(pool: &PgPool, n: usize) {
    let app = app_pool(pool).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let app = app.clone();
        tasks.spawn(async move {
            record(
                &app,
                &Origin::default(),
                "test_write",
                "case",
                Some(&i.to_string()),
                json!({"n": i, "note": "line\nbreak \"quoted\""}),
            )
            .await
            .unwrap()
        });
    }
    while tasks.join_next().await.is_some() {}
}

#[sqlx::test]
async fn concurrent_writers_extend_one_unbroken_chain(pool: PgPool) {
    write_rows(&pool, 40).await;
    let report = verify_chain(&pool).await.unwrap();
    assert_eq!(report.rows, 40);
    assert_eq!(report.first_break, None);
    let (min, max): (i64, i64) =
        sqlx::query_as("SELECT min(chain_seq), max(chain_seq) FROM audit_log")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((min, max), (1, 40));
}

#[sqlx::test]
async fn a_rolled_back_write_leaves_no_row_and_no_gap(pool: PgPool) {
    write_rows(&pool, 3).await;
    let app = app_pool(&pool).await;
    let mut tx = app.begin().await.unwrap();
    record(
        &mut *tx,
        &Origin::default(),
        "doomed",
        "case",
        None,
        json!({}),
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    write_rows(&pool, 2).await;
    let report = verify_chain(&pool).await.unwrap();
    assert_eq!((report.rows, report.first_break), (5, None));
}

/// The superuser gets past the append-only trigger by turning triggers off for its session.
async fn tamper(pool: &PgPool, sql: &str) {
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query(sql).execute(&mut *conn).await.unwrap();
}

#[sqlx::test]
async fn an_edited_row_breaks_the_chain_where_it_was_edited(pool: PgPool) {
    write_rows(&pool, 10).await;
    tamper(
        &pool,
        "UPDATE audit_log SET detail = '{\"n\": 999}' WHERE chain_seq = 4",
    )
    .await;
    assert_eq!(verify_chain(&pool).await.unwrap().first_break, Some(4));

    let (ok, _, err) = run(&pool, &["audit", "verify"], "");
    assert!(!ok);
    assert!(err.contains("broken at row 4"), "{err}");
}

#[sqlx::test]
async fn a_removed_row_breaks_the_chain_at_the_next_one(pool: PgPool) {
    write_rows(&pool, 10).await;
    let (ok, out, _) = run(&pool, &["audit", "verify"], "");
    assert!(ok && out.contains("intact: 10 rows"), "{out}");
    tamper(&pool, "DELETE FROM audit_log WHERE chain_seq = 7").await;
    assert_eq!(verify_chain(&pool).await.unwrap().first_break, Some(8));
}

/// Who touched which record when, written straight into the trail with the times given.
async fn touched(pool: &PgPool, actor: i64, action: &str, case: &str, at: &str) {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, action, entity, entity_id) VALUES ($1::timestamptz, $2, $3, 'case', $4)",
    )
    .bind(at)
    .bind(actor)
    .bind(action)
    .bind(case)
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test]
async fn the_access_report_lists_what_one_user_touched_in_a_period(pool: PgPool) {
    use crate::common::{signed_in, user};
    use axum::http::StatusCode;
    use simlontar::auth::model::Role;

    let a = user(&pool, "officer.a", Role::CaseOfficer, None).await;
    let b = user(&pool, "officer.b", Role::CaseOfficer, None).await;
    // The period asked for: 20 Nov 08:00 WIB up to 21 Nov 09:00 WIB (01:00Z to 02:00Z).
    touched(
        &pool,
        a,
        "read",
        "OT-3578-2026-000009",
        "2026-11-20T01:00:00Z",
    )
    .await;
    touched(
        &pool,
        a,
        "read",
        "OT-3578-2026-000001",
        "2026-11-20T03:00:00Z",
    )
    .await;
    touched(
        &pool,
        b,
        "read",
        "OT-3578-2026-000001",
        "2026-11-20T04:00:00Z",
    )
    .await;
    touched(
        &pool,
        a,
        "transition",
        "OT-3578-2026-000001",
        "2026-11-20T05:00:00Z",
    )
    .await;
    touched(
        &pool,
        a,
        "read",
        "OT-3510-2026-000001",
        "2026-11-21T01:00:00Z",
    )
    .await;
    // At the end (excluded) and long before.
    touched(
        &pool,
        a,
        "read",
        "OT-3578-2026-000007",
        "2026-11-21T02:00:00Z",
    )
    .await;
    touched(
        &pool,
        a,
        "read",
        "OT-3578-2026-000003",
        "2026-11-10T02:00:00Z",
    )
    .await;

    let mut admin = signed_in(&pool, "admin1", Role::Admin, None).await;
    let period = "from=2026-11-20T08%3A00&to=2026-11-21T09%3A00";
    let page = admin
        .get(&format!("/admin/audit/accessed?user=officer.a&{period}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("3 data diakses"), "{}", page.body);
    assert!(page.body.contains("case OT-3578-2026-000009"));
    assert!(page.body.contains("read, transition"));
    assert!(
        !page.body.contains("OT-3578-2026-000007"),
        "the end is excluded"
    );
    assert!(!page.body.contains("OT-3578-2026-000003"));

    let csv = admin
        .get(&format!(
            "/admin/audit/accessed?format=csv&user=officer.a&{period}"
        ))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(
        csv.headers["content-disposition"],
        "attachment; filename=\"akses-officer.a-202611200800.csv\""
    );
    assert_eq!(
        csv.body,
        "record_type,record,first,last,times,actions\n\
         case,OT-3578-2026-000009,2026-11-20T08:00:00+07:00,2026-11-20T08:00:00+07:00,1,read\n\
         case,OT-3578-2026-000001,2026-11-20T10:00:00+07:00,2026-11-20T12:00:00+07:00,2,read transition\n\
         case,OT-3510-2026-000001,2026-11-21T08:00:00+07:00,2026-11-21T08:00:00+07:00,1,read\n"
    );

    // Each bad input is named on the form, in Indonesian, and nothing is reported.
    for (query, message) in [
        (format!("user=&{period}"), "isi nama pengguna"),
        (
            "user=officer.a&from=kemarin&to=2026-11-21T09%3A00".to_string(),
            "waktu tidak terbaca",
        ),
        (
            "user=officer.a&from=2026-11-21T09%3A00&to=2026-11-20T08%3A00".to_string(),
            "harus sesudah waktu mulai",
        ),
        (format!("user=nobody&{period}"), "pengguna tidak dikenal"),
    ] {
        let res = admin.get(&format!("/admin/audit/accessed?{query}")).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(res.body.contains(message), "{query}: {}", res.body);
    }
    // Asking is audited (the page and the file), and only administrators may ask.
    let asked: Vec<(String, i64)> = sqlx::query_as(
        "SELECT entity_id, (detail->>'records')::bigint FROM audit_log WHERE action = 'access_report'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(asked, [("officer.a".into(), 3), ("officer.a".into(), 3)]);
    let mut officer = signed_in(&pool, "officer.c", Role::CaseOfficer, None).await;
    let refused = officer
        .get(&format!("/admin/audit/accessed?user=officer.a&{period}"))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// A connection that is not Simlontar's: an operator's psql session.
async fn outside(pool: &PgPool) -> PgPool {
    let options = (*pool.connect_options()).clone().application_name("psql");
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap()
}

/// The SHA-256 of a row as the trigger sees it (its JSON), or `None` when it is gone.
async fn row_hash(pool: &PgPool, table: &str, id: i64) -> Option<String> {
    sqlx::query_scalar(&format!(
        "SELECT encode(sha256(convert_to(to_jsonb(t)::text, 'UTF8')), 'hex') FROM {table} t WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
    .unwrap()
}

async fn raw_changes(pool: &PgPool) -> Vec<(String, Option<String>, serde_json::Value)> {
    sqlx::query_as(
        "SELECT entity, entity_id, detail FROM audit_log WHERE action = 'raw_change' ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

/// Someone puts a case back to "received", removes a role and adds a user with psql: each changed row
/// leaves one `raw_change` row with the table, the row, who (database user and client) and
/// the hashes of the row before and after, in the unbroken chain. The same kinds of change
/// made by Simlontar itself (audited explicitly) add none.
#[sqlx::test]
async fn changes_made_outside_simlontar_are_audited_with_the_rows_before_and_after(pool: PgPool) {
    use crate::auth::{two_regions, SBY};
    use crate::common::{signed_in, user};
    use axum::http::StatusCode;
    use simlontar::auth::model::Role;

    two_regions(&pool).await;
    let officer = user(&pool, "officer.x", Role::CaseOfficer, None).await;
    let before_app = raw_changes(&pool).await.len();
    // Through the application: a case moved and a user created, audited in its own words.
    let mut case_officer = signed_in(&pool, "officer.y", Role::CaseOfficer, None).await;
    let res = case_officer
        .post(
            &format!("/cases/{SBY}/transition"),
            &[
                ("to", "identity_pending"),
                ("reason", "checked at the desk"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let mut admin = signed_in(&pool, "root", Role::Admin, None).await;
    admin.get("/admin/users").await;
    let res = admin
        .post(
            "/admin/users",
            &[
                ("username", "made.in.app"),
                ("display_name", "Made In App"),
                ("role", "regency_viewer"),
                ("scope", "35.78"),
                ("password", "sambal terasi pedas sekali"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        raw_changes(&pool).await.len(),
        before_app,
        "the app's own writes"
    );

    let case: i64 = sqlx::query_scalar("SELECT id FROM ot_case WHERE number = $1")
        .bind(SBY)
        .fetch_one(&pool)
        .await
        .unwrap();
    let role: i64 = sqlx::query_scalar("SELECT id FROM user_role WHERE user_id = $1")
        .bind(officer)
        .fetch_one(&pool)
        .await
        .unwrap();
    let case_before = row_hash(&pool, "ot_case", case).await.unwrap();
    let role_before = row_hash(&pool, "user_role", role).await.unwrap();

    let psql = outside(&pool).await;
    sqlx::query("UPDATE ot_case SET state = 'received' WHERE id = $1")
        .bind(case)
        .execute(&psql)
        .await
        .unwrap();
    sqlx::query("DELETE FROM user_role WHERE id = $1")
        .bind(role)
        .execute(&psql)
        .await
        .unwrap();
    let added: i64 = sqlx::query_scalar(
        "INSERT INTO app_user (username, display_name, password_hash)
         VALUES ('backdoor', 'Backdoor', 'x') RETURNING id",
    )
    .fetch_one(&psql)
    .await
    .unwrap();

    let rows = raw_changes(&pool).await;
    let new = &rows[before_app..];
    assert_eq!(new.len(), 3, "{new:?}");
    let db_user: String = sqlx::query_scalar("SELECT session_user::text")
        .fetch_one(&pool)
        .await
        .unwrap();
    let expect = [
        (
            "ot_case",
            case,
            "update",
            Some(case_before),
            row_hash(&pool, "ot_case", case).await,
        ),
        ("user_role", role, "delete", Some(role_before), None),
        (
            "app_user",
            added,
            "insert",
            None,
            row_hash(&pool, "app_user", added).await,
        ),
    ];
    for ((entity, id, detail), (table, row, op, before, after)) in new.iter().zip(expect) {
        assert_eq!(entity, table);
        assert_eq!(id.as_deref(), Some(row.to_string().as_str()));
        assert_eq!(detail["operation"], op, "{detail}");
        assert_eq!(detail["db_user"], db_user.as_str());
        assert_eq!(detail["client"], "psql");
        assert_eq!(
            detail["before_sha256"].as_str(),
            before.as_deref(),
            "{table}"
        );
        assert_eq!(detail["after_sha256"].as_str(), after.as_deref(), "{table}");
    }
    assert_ne!(new[0].2["before_sha256"], new[0].2["after_sha256"]);
    assert_eq!(verify_chain(&pool).await.unwrap().first_break, None);
}

/// Issue 23: an API call is audited with the client's address like a page (it was always
/// empty: the API worked out its own origin without it), for every kind of call — a
/// create, a read, a DP3AK check, a move of state.
#[sqlx::test]
async fn api_calls_are_audited_with_the_client_address(pool: PgPool) {
    use crate::common::{api, intake_json, load_geo, router, send, token};
    use crate::throttle::via;
    use axum::http::StatusCode;
    use simlontar::auth::model::Role;

    load_geo(&pool).await;
    let officer = token(&pool, "api.case", Role::CaseOfficer, None).await;
    let dp3ak = token(&pool, "api.dp3ak", Role::IdentityOfficer, None).await;
    let r = via(router(&pool).await, "203.0.113.9", None);
    let key = "3d0c4a6e-8a7b-4b8e-9f1a-2c3d4e5f6a7b";
    let res = send(
        &r,
        api(
            "POST",
            "/api/v1/intakes",
            &officer,
            Some(key),
            intake_json(),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let number = res.json()["case_number"].as_str().unwrap().to_string();
    for uri in [
        format!("/api/v1/cases/{number}"),
        format!("/api/v1/cases/{number}/events"),
    ] {
        let res = send(&r, api("GET", &uri, &officer, None, json!(null))).await;
        assert_eq!(res.status, StatusCode::OK, "{uri}: {}", res.body);
    }
    let check = json!({
        "case_number": number, "method": "fingerprint",
        "requested_at": "2026-11-23T02:40:00Z", "completed_at": "2026-11-23T02:41:00Z",
        "outcome": "no_match"
    });
    let check_key = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b";
    let res = send(
        &r,
        api(
            "POST",
            "/api/v1/identity-checks",
            &dp3ak,
            Some(check_key),
            check,
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let res = send(
        &r,
        api(
            "POST",
            &format!("/api/v1/cases/{number}/events"),
            &officer,
            None,
            json!({"to": "unidentified"}),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);

    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT action, host(remote_addr) FROM audit_log WHERE actor_id IS NOT NULL ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let actions: Vec<&str> = rows.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        ["create", "read", "read", "identity_check", "transition"],
        "{rows:?}"
    );
    for (action, addr) in &rows {
        assert_eq!(addr.as_deref(), Some("203.0.113.9"), "{action}");
    }
}
