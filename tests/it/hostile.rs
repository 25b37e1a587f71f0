//! SQL-injection and script strings in every text field: the test reads the forms each
//! page renders (so a new field is filled without editing this test), puts a hostile
//! string into every text input and text area, sends the API's text fields the same, and
//! then reads every page back: the strings are stored verbatim, shown escaped, returned as
//! JSON strings, and the tables are all still there.
use axum::http::StatusCode;
use scraper::{Html, Selector};
use sqlx::PgPool;

use crate::common::{api, intake_json, load_geo, send, token, user, Client, PASSWORD};
use simlontar::auth::model::{Grant, Role};

/// Classic injection strings; each field gets the next one in turn.
const HOSTILE: [&str; 6] = [
    "'; DROP TABLE ot_case; --",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "\"><img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "Robert'); DELETE FROM intake WHERE ('1'='1",
];

/// What must never appear unescaped in a page.
const RAW: [&str; 4] = [
    "<script>alert",
    "<img src=x",
    "href=\"javascript:",
    "src=\"javascript:",
];

/// Forms that end the session or lock the account; sending them would end the crawl.
const SKIPPED_ACTIONS: [&str; 4] = ["/logout", "/status", "/mfa", "/passwords"];

struct Form {
    action: String,
    method: String,
    multipart: bool,
    fields: Vec<(String, String)>,
    /// Names of the text fields filled with hostile strings.
    hostile: Vec<String>,
}

/// Every form of a page with every control filled: text with hostile strings, the rest
/// with its own value (hidden fields, the first option, checked boxes).
fn forms(html: &str, next: &mut usize) -> Vec<Form> {
    let doc = Html::parse_document(html);
    let form_sel = Selector::parse("form").unwrap();
    let control = Selector::parse("input[name], textarea[name], select[name]").unwrap();
    let option = Selector::parse("option").unwrap();
    let mut out = vec![];
    for f in doc.select(&form_sel) {
        let el = f.value();
        let mut form = Form {
            action: el.attr("action").unwrap_or("").to_string(),
            method: el.attr("method").unwrap_or("get").to_lowercase(),
            multipart: el.attr("enctype") == Some("multipart/form-data"),
            fields: vec![],
            hostile: vec![],
        };
        for c in f.select(&control) {
            let v = c.value();
            let name = v.attr("name").unwrap().to_string();
            let kind = v.attr("type").unwrap_or("text");
            let value = match (v.name(), kind) {
                ("textarea", _) | ("input", "text" | "search" | "email" | "url" | "tel") => {
                    // The CSRF token and the form's own key are read, not typed.
                    if name == "csrf" || name == "idempotency_key" {
                        v.attr("value").unwrap_or("").to_string()
                    } else {
                        *next += 1;
                        form.hostile.push(name.clone());
                        HOSTILE[*next % HOSTILE.len()].to_string()
                    }
                }
                ("select", _) => c
                    .select(&option)
                    .filter_map(|o| o.value().attr("value"))
                    .find(|v| !v.is_empty())
                    .unwrap_or("")
                    .to_string(),
                ("input", "checkbox" | "radio") if v.attr("checked").is_none() => continue,
                ("input", "submit" | "image" | "file" | "button") => continue,
                _ => v.attr("value").unwrap_or("").to_string(),
            };
            form.fields.push((name, value));
        }
        out.push(form);
    }
    out
}

/// A signed-in user with every role whose pages have forms.
async fn everyone(owner: &PgPool) -> Client {
    let id = user(owner, "all.roles", Role::Admin, None).await;
    for grant in [
        Grant::new(Role::CaseOfficer, None).unwrap(),
        Grant::new(Role::IntakeOfficer, Some("35.78".into())).unwrap(),
        Grant::new(Role::IdentityOfficer, None).unwrap(),
    ] {
        simlontar::auth::store::add_grant(owner, id, &grant)
            .await
            .unwrap();
    }
    let mut c = Client::new(owner).await;
    let res = c.sign_in("all.roles", PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    c
}

fn assert_inert(page: &str, body: &str) {
    for raw in RAW {
        assert!(!body.contains(raw), "{page} shows `{raw}` unescaped");
    }
}

#[sqlx::test]
async fn hostile_strings_in_every_text_field_are_stored_verbatim_and_shown_inert(owner: PgPool) {
    load_geo(&owner).await;
    let router = crate::common::router(&owner).await;

    // The API: every free-text field of an intake.
    let api_token = token(&owner, "satpol.api", Role::IntakeOfficer, Some("35.78")).await;
    let mut body = intake_json();
    let text_fields = [
        "found_address",
        "unit",
        "officer_name",
        "stated_name",
        "stated_home",
        "belongings",
        "notes",
    ];
    for (i, f) in text_fields.iter().enumerate() {
        body[f] = HOSTILE[i % HOSTILE.len()].into();
    }
    body["aliases"] = serde_json::json!(HOSTILE);
    let key = uuid::Uuid::new_v4().to_string();
    let res = send(
        &router,
        api(
            "POST",
            "/api/v1/intakes",
            &api_token,
            Some(&key),
            body.clone(),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let number = res.json()["case_number"].as_str().unwrap().to_string();
    let stored: (String, String, String, Vec<String>) = sqlx::query_as(
        "SELECT stated_name, found_address, notes, aliases FROM intake i
           JOIN ot_case c ON c.intake_id = i.id WHERE c.number = $1",
    )
    .bind(&number)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(stored.0, body["stated_name"].as_str().unwrap());
    assert_eq!(stored.1, body["found_address"].as_str().unwrap());
    assert_eq!(stored.2, body["notes"].as_str().unwrap());
    assert_eq!(stored.3, HOSTILE);
    let officer = token(&owner, "co.api", Role::CaseOfficer, None).await;
    let json = send(
        &router,
        api(
            "GET",
            &format!("/api/v1/cases/{number}"),
            &officer,
            None,
            serde_json::json!({}),
        ),
    )
    .await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    assert_eq!(json.json()["stated_name"], body["stated_name"]);

    // The pages: every form each one renders, every text field hostile.
    let mut c = everyone(&owner).await;
    let upt: String = sqlx::query_scalar("SELECT code FROM upt ORDER BY code LIMIT 1")
        .fetch_one(&owner)
        .await
        .unwrap();
    let pages = [
        "/".to_string(),
        "/intake".into(),
        "/cases".into(),
        format!("/cases/{number}"),
        "/identity/checks/new".into(),
        "/identity/review".into(),
        "/break-glass".into(),
        "/admin/users".into(),
        format!("/capacity/upt/{upt}"),
        "/capacity/alerts".into(),
    ];
    let mut next = 0;
    let mut filled: Vec<String> = vec![];
    for page in &pages {
        let res = c.get(page).await;
        assert_eq!(res.status, StatusCode::OK, "{page}: {}", res.body);
        for form in forms(&res.body, &mut next) {
            if SKIPPED_ACTIONS.iter().any(|a| form.action.contains(a)) {
                continue;
            }
            let fields: Vec<(&str, &str)> = (form.fields.iter())
                .filter(|(k, _)| k != "csrf")
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let res = match (form.method.as_str(), form.multipart) {
                ("post", true) => c.post_multipart(&form.action, &fields, &[]).await,
                ("post", false) => c.post(&form.action, &fields).await,
                _ => {
                    let query = form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(&fields)
                        .finish();
                    c.get(&format!("{}?{query}", form.action)).await
                }
            };
            assert!(
                !res.status.is_server_error(),
                "{} {} answered {}: {}",
                form.method,
                form.action,
                res.status,
                res.body
            );
            assert_inert(&form.action, &res.body);
            // Refresh the token the next form needs from the page it came from.
            c.get(page).await;
            filled.extend(form.hostile.iter().map(|f| format!("{} {f}", form.action)));
        }
    }
    // The inventory reached the free-text fields of the desk, the case page and admin.
    for expected in [
        "/intake stated_name",
        "/intake notes",
        "/intake found_address",
        "/identity/checks name",
        "/admin/users username",
    ] {
        assert!(
            filled.iter().any(|f| f == expected),
            "`{expected}` was not filled; filled: {filled:?}"
        );
    }
    assert!(
        filled
            .iter()
            .any(|f| f.starts_with(&format!("/cases/{number}/"))),
        "no form of the case page was filled: {filled:?}"
    );

    // Every page again, now holding the strings: escaped, never raw.
    let mut seen_escaped = false;
    for page in pages.iter().chain([&"/admin/audit".to_string()]) {
        let res = c.get(page).await;
        assert!(!res.status.is_server_error(), "{page}: {}", res.body);
        assert_inert(page, &res.body);
        seen_escaped |= res.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;");
    }
    assert!(
        seen_escaped,
        "no page showed a stored script string (escaped)"
    );

    // The tables are all still there, with the case in them.
    for table in ["ot_case", "intake", "case_event", "audit_log", "app_user"] {
        let exists: Option<String> = sqlx::query_scalar("SELECT to_regclass($1)::text")
            .bind(table)
            .fetch_one(&owner)
            .await
            .unwrap();
        assert!(exists.is_some(), "table {table} is gone");
    }
    let cases: i64 = sqlx::query_scalar("SELECT count(*) FROM ot_case")
        .fetch_one(&owner)
        .await
        .unwrap();
    assert!(cases >= 1);
}
