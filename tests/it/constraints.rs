//! Constraint violations are answered in one place (`simlontar::error::constraints`): a
//! unique violation is 409, a foreign key or a check 422, each with default words in both
//! languages; named constraints with words of their own, the page in the viewer's
//! language, the API in English, a form's field beside the field.
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::middleware;
use axum::routing;
use axum::Router;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;
use crate::intake::{desk_fields, refs};
use simlontar::auth::model::Role;
use simlontar::error::{constraints, AppError};
use simlontar::web::errors::render_errors;

/// A page (`/page`) and an API route (`/api/run`) that run `sql` and answer as any
/// handler would, through the app's error rendering.
fn running(pool: &PgPool, sql: &'static str) -> Router {
    let pool = pool.clone();
    let run = move || {
        let pool = pool.clone();
        async move {
            sqlx::query(sql).execute(&pool).await?;
            Ok::<_, AppError>("done")
        }
    };
    Router::new()
        .route("/page", routing::get(run.clone()))
        .route("/api/run", routing::get(run))
        .layer(middleware::from_fn(render_errors))
}

/// The page in Indonesian, the page in English, and the API's JSON.
async fn answers(r: &Router) -> (Res, Res, Res) {
    let en = Request::get("/page")
        .header(header::COOKIE, "lang=en")
        .body(Body::empty())
        .unwrap();
    (
        send(r, get("/page")).await,
        send(r, en).await,
        send(r, get("/api/run")).await,
    )
}

async fn probe_tables(pool: &PgPool) {
    sqlx::raw_sql(
        "CREATE TABLE probe_parent (id int PRIMARY KEY);
         CREATE TABLE probe (k int UNIQUE, parent int REFERENCES probe_parent, c int CHECK (c > 0));
         INSERT INTO probe (k) VALUES (1);",
    )
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test]
async fn unique_foreign_key_and_check_violations_answer_409_422_and_422_by_default(pool: PgPool) {
    probe_tables(&pool).await;
    for (sql, status, kind, id, en) in [
        (
            "INSERT INTO probe (k) VALUES (1)",
            StatusCode::CONFLICT,
            "conflict",
            "data ini sudah tercatat",
            "this is already recorded",
        ),
        (
            "INSERT INTO probe (parent) VALUES (7)",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "merujuk ke data yang tidak ada",
            "refers to a record that does not exist",
        ),
        (
            "INSERT INTO probe (c) VALUES (0)",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "nilai tidak memenuhi aturan data",
            "a value breaks a rule of the data",
        ),
    ] {
        let (page_id, page_en, api) = answers(&running(&pool, sql)).await;
        for res in [&page_id, &page_en, &api] {
            assert_eq!(res.status, status, "{sql}: {}", res.body);
        }
        assert!(page_id.body.contains(id), "{sql}: {}", page_id.body);
        assert!(!page_id.body.contains(en), "{sql}: {}", page_id.body);
        assert!(page_en.body.contains(en), "{sql}: {}", page_en.body);
        let body = api.json();
        assert_eq!(body["error"], kind, "{sql}");
        assert!(
            body["message"].as_str().unwrap().contains(en),
            "{sql}: {body}"
        );
        // A constraint's name or the SQL never reaches the reader.
        for res in [&page_id, &page_en, &api] {
            assert!(!res.body.contains("probe"), "{sql}: {}", res.body);
        }
    }
    // Any other database error is still a fault of ours: 500, and nothing said about it.
    let (page, _, api) = answers(&running(&pool, "SELECT 1 / 0")).await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(api.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!api.body.contains("division"), "{}", api.body);
}

#[sqlx::test]
async fn a_named_constraint_speaks_its_own_words_in_the_viewers_language(pool: PgPool) {
    load_geo(&pool).await;
    let (page_id, page_en, api) = answers(&running(
        &pool,
        "UPDATE ward SET occupied = beds + 1 WHERE id = (SELECT min(id) FROM ward)",
    ))
    .await;
    for res in [&page_id, &page_en, &api] {
        assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    }
    assert!(page_id.body.contains("bangsal penuh"), "{}", page_id.body);
    assert!(
        page_en.body.contains("the ward is full"),
        "{}",
        page_en.body
    );
    assert!(
        api.json()["message"]
            .as_str()
            .unwrap()
            .contains("the ward is full"),
        "{}",
        api.body
    );
}

#[sqlx::test]
async fn an_unknown_home_village_is_refused_beside_its_field_in_the_api_and_on_the_desk(
    pool: PgPool,
) {
    load_geo(&pool).await;
    // Well formed, so only the database knows it is not in geo/.
    let unknown = "35.10.99.9999";
    let t = token(&pool, "api.sby", Role::IntakeOfficer, Some("35.78")).await;
    let mut body = intake_json();
    body["home_village"] = json!(unknown);
    let key = Uuid::new_v4().to_string();
    let res = call(&pool, api("POST", "/api/v1/intakes", &t, Some(&key), body)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(
        res.json()["fields"],
        json!([{"field": "home_village", "message": "unknown region code"}])
    );

    // The desk's form comes back with everything typed, the error beside the field.
    let mut c = signed_in(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    c.get("/intake").await;
    let key = Uuid::new_v4().to_string();
    let mut fields = desk_fields(&key);
    fields.push(("home_village", unknown.to_string()));
    let res = c.post_multipart("/intake", &refs(&fields), &[]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(
        res.body.contains("kode wilayah tidak dikenal"),
        "{}",
        res.body
    );
    assert!(res.body.contains("Terminal Joyoboyo"), "{}", res.body);
    let cases: i64 = sqlx::query_scalar("SELECT count(*) FROM ot_case")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(cases, 0);
}

/// A name in the table that the schema does not have would never be matched: each is a
/// constraint, a unique index, or (`case_state_facts`) the name the facts trigger raises.
#[sqlx::test]
async fn every_named_constraint_is_in_the_schema(pool: PgPool) {
    for (name, ..) in constraints::NAMED {
        let known: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = $1)
                 OR EXISTS (SELECT 1 FROM pg_class WHERE relname = $1 AND relkind = 'i')
                 OR EXISTS (SELECT 1 FROM pg_proc WHERE prosrc LIKE '%CONSTRAINT = ''' || $1 || '''%')",
        )
        .bind(name)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(known, "{name} is not in the schema");
    }
    // The two checks named by 20261207006000 are the ones the words speak of.
    for (name, column) in [
        ("intake_village_in_region", "home_village_code"),
        ("intake_region_in_province", "home_province_code"),
    ] {
        let def: String = sqlx::query_scalar(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = $1",
        )
        .bind(name)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(def.contains(column), "{name}: {def}");
    }
}
