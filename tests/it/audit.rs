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
