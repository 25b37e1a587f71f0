//! What a scoped read costs: the scope is worked out once per statement, however many rows
//! lie outside it. When the read policy called a function for every intake (the cases a
//! UPT's staff had placed, held or broken the glass for), a UPT's home page took 1.9 s on
//! the demo year, against 7 ms for the province's case officers.
use sqlx::{PgPool, Row};

use crate::auth::{two_regions, BWI, SBY};
use crate::common::now;
use simlontar::auth::model::{Grant, Principal, Role};
use simlontar::auth::policy::CaseScope;

/// Intakes (with their cases) picked up in Surabaya with no home: outside every scope below.
const OUTSIDE: i64 = 500;

fn principal(role: Role, scope: &str) -> Principal {
    Principal {
        user_id: 1,
        username: "p".into(),
        display_name: "p".into(),
        grants: vec![Grant::new(role, Some(scope.into())).unwrap()],
        via_token: false,
    }
}

#[sqlx::test]
async fn a_scoped_statement_checks_the_scope_once_not_once_per_row(pool: PgPool) {
    two_regions(&pool).await;
    sqlx::query(
        "WITH i AS (
           INSERT INTO intake (idempotency_key, found_at, found_point, found_region_code, stated_name,
                               name_quality, sex, birth_date_quality, estimated_age)
           SELECT gen_random_uuid(), $1, r.seat_point, r.code, 'Orang ' || g, 'full', 'male',
                  'approximate', 40
             FROM region r, generate_series(1, $2) g WHERE r.code = '35.78' RETURNING id)
         INSERT INTO ot_case (number, intake_id, state, opened_at, updated_at)
         SELECT 'OT-3578-2026-' || lpad((500000 + row_number() OVER ())::text, 6, '0'), id,
                'received', $1, $1 FROM i",
    )
    .bind(now())
    .bind(OUTSIDE as i32)
    .execute(&pool)
    .await
    .unwrap();
    let upt: String = sqlx::query_scalar("SELECT min(code) FROM upt")
        .fetch_one(&pool)
        .await
        .unwrap();
    // A pool of the app's role whose sessions count the calls of SQL functions.
    let options = (*pool.connect_options())
        .clone()
        .options([("track_functions", "all")]);
    let app = simlontar::db::connect_as_app(options).await.unwrap();

    for (who, visible) in [
        (principal(Role::UptStaff, &upt), None),
        (principal(Role::RegencyViewer, "35.10"), Some(BWI)),
        (principal(Role::IntakeOfficer, "35.10"), Some(BWI)),
    ] {
        let scope = CaseScope::of(&who, now());
        let mut tx = scope.begin(&app).await.unwrap();
        // The policies alone, as the home page counts.
        let cases: i64 = sqlx::query_scalar("SELECT count(*) FROM ot_case WHERE closed_at IS NULL")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(cases, i64::from(visible.is_some()), "{who:?}");
        let names: i64 =
            sqlx::query_scalar("SELECT count(*) FROM intake_name_search('%a%', 'orang')")
                .fetch_one(&mut *tx)
                .await
                .unwrap();
        assert_eq!(names, i64::from(visible.is_some()), "{who:?}");
        // The explicit condition under the policies, as every list and case page.
        let listed: i64 = scope
            .bind(sqlx::query(&format!(
                "SELECT count(*) FROM ot_case c JOIN intake i ON i.id = c.intake_id WHERE {}",
                CaseScope::sql(1)
            )))
            .fetch_one(&mut *tx)
            .await
            .unwrap()
            .get(0);
        assert_eq!(listed, i64::from(visible.is_some()), "{who:?}");
        for number in [SBY, BWI] {
            let found =
                simlontar::cases::store::case_id_in(&mut tx, &scope, &number.parse().unwrap())
                    .await
                    .unwrap();
            assert_eq!(found.is_some(), visible == Some(number), "{who:?} {number}");
        }
        let calls: Vec<(String, i64)> = sqlx::query_as(
            "SELECT p.proname::text, pg_stat_get_xact_function_calls(p.oid)
               FROM pg_proc p
              WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'scope\\_%'
                AND pg_stat_get_xact_function_calls(p.oid) > 0
              ORDER BY 1",
        )
        .fetch_all(&mut *tx)
        .await
        .unwrap();
        let total: i64 = calls.iter().map(|c| c.1).sum();
        // Six statements over 500 rows outside the scope: a few calls each, not one a row
        // (before: 4,868 calls with 300 rows outside).
        assert!(
            total < OUTSIDE / 5,
            "{who:?}: {total} function calls: {calls:?}"
        );
        tx.rollback().await.unwrap();
    }
}
