//! The API's contract: a client generated from `/api/openapi.json` alone sends valid
//! requests. Every closed set of codes is an `enum` (the vocabulary's codes), the fields
//! `validate` needs are `required`, NIK and region codes carry patterns, and the intake
//! built from the document's own example is accepted.
use axum::http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;
use simlontar::auth::model::Role;

async fn document(pool: &PgPool) -> Value {
    let res = send(&router(pool).await, get("/api/openapi.json")).await;
    assert_eq!(res.status, StatusCode::OK);
    serde_json::from_str(&res.body).unwrap()
}

/// A schema with its `$ref` followed.
fn resolve<'a>(doc: &'a Value, s: &'a Value) -> &'a Value {
    match s["$ref"].as_str() {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap();
            &doc["components"]["schemas"][name]
        }
        None => s,
    }
}

/// The enum of property `prop` of schema `schema` (of its items for an array).
fn enum_of(doc: &Value, schema: &str, prop: &str) -> Vec<String> {
    let p = &doc["components"]["schemas"][schema]["properties"][prop];
    let p = resolve(doc, p);
    let p = if p["type"] == "array" {
        resolve(doc, &p["items"])
    } else {
        p
    };
    // An optional field may be `oneOf: [null, X]`.
    let p = match p["oneOf"].as_array() {
        Some(alts) => alts
            .iter()
            .map(|a| resolve(doc, a))
            .find(|a| a["enum"].is_array())
            .unwrap_or(p),
        None => p,
    };
    p["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{schema}.{prop} is not an enum: {p}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[sqlx::test]
async fn every_closed_field_of_the_document_is_an_enum_of_the_vocabulary(pool: PgPool) {
    use simlontar::vocab::*;
    let doc = document(&pool).await;
    let codes = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    for (schema, prop, expected) in [
        ("IntakeRequest", "name_quality", codes(NameQuality::CODES)),
        ("IntakeRequest", "sex", codes(Sex::CODES)),
        (
            "IntakeRequest",
            "birth_date_quality",
            codes(BirthQuality::CODES),
        ),
        ("IntakeRequest", "documents", codes(DocumentKind::CODES)),
        ("IntakeRequest", "conditions", codes(Condition::CODES)),
        ("CheckRequest", "method", codes(IdentityMethod::CODES)),
        ("CheckRequest", "outcome", codes(IdentityOutcome::CODES)),
        ("TransitionRequest", "to", codes(CaseState::CODES)),
    ] {
        assert_eq!(enum_of(&doc, schema, prop), expected, "{schema}.{prop}");
    }
    let intake = &doc["components"]["schemas"]["IntakeRequest"];
    let required: Vec<&str> = intake["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in [
        "found_at",
        "found_lat",
        "found_lon",
        "name_quality",
        "sex",
        "birth_date_quality",
    ] {
        assert!(
            required.contains(&field),
            "{field} is not required: {required:?}"
        );
    }
    for (schema, prop) in [
        ("IntakeRequest", "nik"),
        ("IntakeRequest", "home_village"),
        ("IntakeRequest", "home_region"),
        ("RegistryIdentity", "nik"),
        ("RegistryIdentity", "kk_number"),
    ] {
        let p = &doc["components"]["schemas"][schema]["properties"][prop];
        assert!(
            p["pattern"].is_string(),
            "{schema}.{prop} has no pattern: {p}"
        );
    }
}

/// What a generated client does: take the document's example of an intake, check it
/// against the document's own enums, and send it.
#[sqlx::test]
async fn an_intake_built_from_the_document_alone_is_accepted(pool: PgPool) {
    load_geo(&pool).await;
    let doc = document(&pool).await;
    let example = doc["components"]["schemas"]["IntakeRequest"]["example"].clone();
    assert!(example.is_object(), "the document gives no example intake");
    for prop in ["name_quality", "sex", "birth_date_quality"] {
        let allowed = enum_of(&doc, "IntakeRequest", prop);
        assert!(
            allowed.iter().any(|a| example[prop] == *a),
            "{prop}: {}",
            example[prop]
        );
    }
    for prop in ["documents", "conditions"] {
        let allowed = enum_of(&doc, "IntakeRequest", prop);
        for v in example[prop].as_array().unwrap() {
            assert!(allowed.iter().any(|a| v == a), "{prop}: {v}");
        }
    }
    let t = token(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let r = router(&pool).await;
    let key = Uuid::new_v4().to_string();
    let res = send(
        &r,
        api("POST", "/api/v1/intakes", &t, Some(&key), example.clone()),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    // And with the region code written as BPS writes it, which the pattern allows.
    let mut undotted = example;
    undotted["home_region"] = json!("3510");
    let key = Uuid::new_v4().to_string();
    let res = send(&r, api("POST", "/api/v1/intakes", &t, Some(&key), undotted)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
}

/// The route proposal is in the document: its path, and `route` and `home.source` as
/// enums of the vocabulary's codes.
#[sqlx::test]
async fn the_route_proposal_is_in_the_document(pool: PgPool) {
    use simlontar::vocab::{HomeSource, RouteChoice};
    let doc = document(&pool).await;
    let op = &doc["paths"]["/api/v1/cases/{number}/proposal"]["get"];
    assert!(op.is_object(), "no proposal path");
    let body = &op["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(
        resolve(&doc, body),
        &doc["components"]["schemas"]["ProposalBody"]
    );
    let codes = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        enum_of(&doc, "ProposalBody", "route"),
        codes(RouteChoice::CODES)
    );
    assert_eq!(
        enum_of(&doc, "ProposalHome", "source"),
        codes(HomeSource::CODES)
    );
    let required = &doc["components"]["schemas"]["ProposalHome"]["required"];
    for field in ["code", "name", "source"] {
        assert!(
            required.as_array().unwrap().iter().any(|f| f == field),
            "{field} not required: {required}"
        );
    }
}
