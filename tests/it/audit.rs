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
