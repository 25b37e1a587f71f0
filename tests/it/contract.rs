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

/// The operations in the order a client walks a case through them; the test fails when the
/// document gains an operation this list does not walk.
const WALK: &[(&str, &str)] = &[
    ("post", "/api/v1/intakes"),
    ("get", "/api/v1/intakes"),
    ("get", "/api/v1/cases"),
    ("get", "/api/v1/cases/{number}"),
    ("get", "/api/v1/cases/{number}/events"),
    ("post", "/api/v1/cases/{number}/events"),
    ("post", "/api/v1/identity-checks"),
    ("get", "/api/v1/cases/{number}/proposal"),
    ("get", "/api/v1/cases/{number}/placement-candidates"),
    ("post", "/api/v1/cases/{number}/placement"),
    ("post", "/api/v1/cases/{number}/corrections"),
    // Home after all (the family was found): the plan, its departure, the receiving
    // office's answer, the recorded departure.
    ("post", "/api/v1/cases/{number}/route"),
    ("get", "/api/v1/cases/{number}/plan"),
    ("put", "/api/v1/cases/{number}/departure"),
    ("post", "/api/v1/cases/{number}/handover"),
    ("post", "/api/v1/cases/{number}/depart"),
];

/// `value` checked against the document's schema `schema` (a `$ref` into it resolves).
fn conforms(doc: &Value, schema: &Value, value: &Value) -> Result<(), String> {
    let mut root = schema.clone();
    root["components"] = doc["components"].clone();
    let validator = jsonschema::draft202012::new(&root).map_err(|e| e.to_string())?;
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// Every string in `v` equal to `from` becomes `to` (the example case number becomes the
/// one the intake's answer gave, as a client following the answer would send).
fn substitute(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::String(s) if s == from => *s = to.to_string(),
        Value::Array(a) => a.iter_mut().for_each(|x| substitute(x, from, to)),
        Value::Object(o) => o.values_mut().for_each(|x| substitute(x, from, to)),
        _ => {}
    }
}

/// Positive data acceptance for every operation: each request is built from the document
/// alone (the parameters' and bodies' examples, checked against their own schemas first),
/// except what a client takes from an earlier answer — the case number the intake's answer
/// gave and the ward the candidates' answer offered. Each is answered 2xx with a body the
/// document's schema for that status describes.
#[sqlx::test]
async fn every_operation_accepts_a_request_built_from_the_document(pool: PgPool) {
    load_geo(&pool).await;
    let doc = document(&pool).await;
    let mut documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .filter(|m| ["get", "post", "put", "patch", "delete"].contains(&m.as_str()))
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    documented.sort();
    let mut walked: Vec<(String, String)> = WALK
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    walked.sort();
    assert_eq!(
        walked, documented,
        "the walk must cover every documented operation"
    );

    let id = user(&pool, "client", Role::CaseOfficer, None).await;
    for grant in [
        simlontar::auth::model::Grant::new(Role::IntakeOfficer, Some("35.78".into())).unwrap(),
        simlontar::auth::model::Grant::new(Role::IdentityOfficer, None).unwrap(),
        // Banyuwangi's office, where the intake's person comes from, answers the hand-over.
        simlontar::auth::model::Grant::new(Role::RegencyOfficer, Some("35.10".into())).unwrap(),
    ] {
        simlontar::auth::store::add_grant(&pool, id, &grant)
            .await
            .unwrap();
    }
    let (_, token) = simlontar::auth::store::create_token(&pool, id, "contract")
        .await
        .unwrap();
    let r = router(&pool).await;
    let example_number = "OT-3578-2026-000123";
    let mut number: Option<String> = None;
    let mut ward: Option<Value> = None;
    for (method, path) in WALK {
        let op = &doc["paths"][path][method];
        let what = format!("{} {path}", method.to_uppercase());
        let mut uri = path.to_string();
        let mut query = vec![];
        let mut key = None;
        for p in op["parameters"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap();
            let schema = resolve(&doc, &p["schema"]);
            let example = if p["example"].is_null() {
                schema["example"].clone()
            } else {
                p["example"].clone()
            };
            match p["in"].as_str().unwrap() {
                "header" if schema["format"] == "uuid" => key = Some(Uuid::new_v4().to_string()),
                "path" => {
                    assert!(
                        !example.is_null(),
                        "{what}: path parameter {name} has no example"
                    );
                    conforms(&doc, &p["schema"], &example)
                        .unwrap_or_else(|e| panic!("{what}: example of {name}: {e}"));
                    let mut v = example;
                    substitute(&mut v, example_number, number.as_deref().unwrap());
                    uri = uri.replace(&format!("{{{name}}}"), v.as_str().unwrap());
                }
                "query" if !example.is_null() => {
                    conforms(&doc, &p["schema"], &example)
                        .unwrap_or_else(|e| panic!("{what}: example of {name}: {e}"));
                    let v = match &example {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    query.push(format!("{name}={v}"));
                }
                other => panic!("{what}: cannot build parameter {name} in {other}"),
            }
        }
        if !query.is_empty() {
            uri = format!("{uri}?{}", query.join("&"));
        }
        let body_schema = &op["requestBody"]["content"]["application/json"]["schema"];
        let body = if body_schema.is_null() {
            None
        } else {
            let mut example = resolve(&doc, body_schema)["example"].clone();
            assert!(
                example.is_object(),
                "{what}: the request body has no example"
            );
            conforms(&doc, body_schema, &example)
                .unwrap_or_else(|e| panic!("{what}: the document's own example: {e}"));
            if let Some(n) = &number {
                substitute(&mut example, example_number, n);
            }
            if let (Some(w), Some(slot)) = (&ward, example.get_mut("ward_id")) {
                *slot = w.clone();
            }
            Some(example)
        };
        let mut req = axum::http::Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(&uri)
            .header("authorization", format!("Bearer {token}"));
        if let Some(k) = &key {
            req = req.header("idempotency-key", k);
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(axum::body::Body::from(b.to_string())),
            None => req.body(axum::body::Body::empty()),
        }
        .unwrap();
        let res = send(&r, req).await;
        assert!(
            res.status.is_success(),
            "{what} ({uri}) answered {}: {}",
            res.status,
            res.body
        );
        let answer: Value = serde_json::from_str(&res.body).unwrap();
        let documented =
            &op["responses"][res.status.as_str()]["content"]["application/json"]["schema"];
        if !documented.is_null() {
            conforms(&doc, documented, &answer)
                .unwrap_or_else(|e| panic!("{what}: the answer is not as documented: {e}"));
        }
        if number.is_none() {
            number = answer["case_number"].as_str().map(str::to_string);
            assert!(number.is_some(), "the intake's answer gives no case number");
        }
        if path.ends_with("placement-candidates") {
            ward = answer[0].get("ward_id").cloned();
            assert!(ward.is_some(), "no ward offered: {answer}");
        }
    }
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

/// Every operation with a case number in its path states the number's pattern and an
/// example that matches it, and documents the 422 a malformed number gets; the bodies that
/// carry a number state the same pattern.
#[sqlx::test]
async fn every_case_number_in_the_document_carries_its_pattern(pool: PgPool) {
    let doc = document(&pool).await;
    let pattern = simlontar::cases::number::PATTERN;
    let mut seen = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let numbers: Vec<&Value> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["name"] == "number")
                .collect();
            assert_eq!(
                numbers.len(),
                usize::from(path.contains("{number}")),
                "{method} {path}: {numbers:?}"
            );
            for p in numbers {
                assert_eq!(p["in"], "path");
                assert_eq!(p["required"], true, "{method} {path}");
                let schema = resolve(&doc, &p["schema"]);
                assert_eq!(schema["pattern"], pattern, "{method} {path}: {schema}");
                assert_eq!(p["example"], "OT-3578-2026-000123", "{method} {path}");
                conforms(&doc, &p["schema"], &p["example"]).unwrap();
                assert!(
                    conforms(&doc, &p["schema"], &json!("ot-3578-2026-000123")).is_err(),
                    "{method} {path}: the schema lets a lower-case number through"
                );
                let malformed = resolve(&doc, &op["responses"]["422"]);
                assert!(malformed.is_object(), "{method} {path}: no 422 documented");
                seen += 1;
            }
        }
    }
    assert!(seen >= 12, "only {seen} operations with a case number");
    for (schema, prop) in [
        ("IntakeCreated", "case_number"),
        ("CheckRequest", "case_number"),
        ("CheckRecorded", "case_number"),
    ] {
        let p = &doc["components"]["schemas"][schema]["properties"][prop];
        let p = match p["oneOf"].as_array() {
            Some(alts) => alts
                .iter()
                .map(|a| resolve(&doc, a))
                .find(|a| !a["pattern"].is_null())
                .unwrap_or(p),
            None => resolve(&doc, p),
        };
        assert_eq!(p["pattern"], pattern, "{schema}.{prop}: {p}");
    }
}
