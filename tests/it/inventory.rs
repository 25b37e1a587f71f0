//! Properties of every route, with the list of routes read from the source (every
//! `.route("PATH", …)` under src/), so a route added tomorrow is checked without anyone
//! remembering to add it here: state-changing cookie routes refuse other sites, the API
//! takes no cookie-authenticated writes, and no GET changes a record.
use std::path::PathBuf;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use sqlx::PgPool;

use crate::auth::{two_regions, BWI, SBY};
use crate::common::*;
use simlontar::auth::model::{Grant, Role};

#[path = "source_routes.rs"]
mod source_routes;
use source_routes::routes_in_source;

/// The case the requests name: routed home, so its hand-over pages exist too.
pub const ROUTED: &str = "OT-3578-2026-000010";

/// Records that exist for every kind of path parameter, so that requests name real rows.
pub struct Fixture {
    /// A bearer token of the person holding every role, and its id.
    bearer: String,
    token_id: i64,
    photo: i64,
    link: i64,
    grant: i64,
    alert: i64,
    hold: i64,
    mail: i64,
    pub upt: String,
    handover_token: String,
    /// A ward of `upt`, and a closure of it ahead.
    ward: i64,
    closure: i64,
    /// A task of Banyuwangi's office (family tracing of `ROUTED`).
    task: i64,
}

/// A plausible value for each path parameter, chosen by the segment before it.
fn fill(path: &str, f: &Fixture) -> String {
    let mut out = vec![];
    let mut previous = "";
    for segment in path.split('/') {
        let value = match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            None => segment.to_string(),
            Some("number") => ROUTED.to_string(),
            Some("username") => "officer1".to_string(),
            Some(name) => match (previous, name) {
                ("handover", "token") => f.handover_token.clone(),
                ("lang", "code") => "en".into(),
                ("upt", "code") => f.upt.clone(),
                ("photos", "id") => f.photo.to_string(),
                ("links", "id") => f.link.to_string(),
                ("tokens", "id") => f.token_id.to_string(),
                ("break-glass", "id") => f.grant.to_string(),
                ("alerts", "id") => f.alert.to_string(),
                ("holds", "id") => f.hold.to_string(),
                ("wards", "id") => f.ward.to_string(),
                ("closures", "id") => f.closure.to_string(),
                ("mailbox", "id") => f.mail.to_string(),
                ("legs", "index") => "0".into(),
                ("tasks", "id") => f.task.to_string(),
                _ => panic!("{path}: no plausible value for {{{name}}}; add one to `fill`"),
            },
        };
        previous = segment;
        out.push(value);
    }
    // Routes that answer only with a query.
    let query = match path {
        "/intake/map.svg" => "?region=35.78",
        "/reports/cases" => "?month=2026-11&format=csv",
        _ => "",
    };
    out.join("/") + query
}

/// One (route, method) of the source as a request: the method, the path as registered,
/// the path filled in, and the file that registers it.
#[derive(Debug)]
pub struct Call {
    pub method: &'static str,
    pub path: String,
    pub uri: String,
    pub file: PathBuf,
}

/// Each (route, method) of the source that `keep` selects.
pub fn requests(f: &Fixture, keep: impl Fn(&str, &str) -> bool) -> Vec<Call> {
    routes_in_source()
        .into_iter()
        .flat_map(|r| {
            r.methods
                .iter()
                .filter(|m| keep(&r.path, m))
                .map(|m| Call {
                    method: m,
                    uri: fill(&r.path, f),
                    path: r.path.clone(),
                    file: r.file.clone(),
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A case picked up in Surabaya whose home village in Banyuwangi is known and whose
/// identity is confirmed: ready to be routed home.
pub async fn routable_home(pool: &PgPool, number: &str) -> i64 {
    let case = case_fixture(pool, number, "35.78", Some("35.10"), "Siti", None).await;
    sqlx::query(
        "UPDATE intake SET home_province_code = '35',
                home_village_code = (SELECT min(code) FROM village
                                      WHERE code LIKE '35.10.%' AND centroid IS NOT NULL)
          WHERE id = (SELECT intake_id FROM ot_case WHERE id = $1)",
    )
    .bind(case)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("UPDATE ot_case SET state = 'identified' WHERE id = $1")
        .bind(case)
        .execute(pool)
        .await
        .unwrap();
    case
}

/// Routes `ROUTED` home through the app, which queues the office's notice; returns the
/// token of the link in it.
async fn route_home(pool: &PgPool, c: &mut Client) -> String {
    routable_home(pool, ROUTED).await;
    c.get(&format!("/cases/{ROUTED}")).await;
    let res = c
        .post(
            &format!("/cases/{ROUTED}/route"),
            &[("choice", "home"), ("reason", "the family waits at home")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let text: String = sqlx::query_scalar(
        "SELECT body_text FROM email_outbox WHERE subject LIKE '%' || $1 || '%'",
    )
    .bind(ROUTED)
    .fetch_one(pool)
    .await
    .unwrap();
    let at = text.find("/handover/").expect("a link in the notice") + "/handover/".len();
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect()
}

/// Three cases (one routed home, with its link), a full ward with its alert, a bed hold,
/// a photo, a candidate link, a break-glass grant, a token and a demo mail; and a
/// signed-in person holding every role, so no handler refuses them for want of one.
pub async fn everything(pool: &PgPool) -> (Fixture, Client) {
    two_regions(pool).await;
    let upt: String = sqlx::query_scalar("SELECT code FROM upt ORDER BY code LIMIT 1")
        .fetch_one(pool)
        .await
        .unwrap();
    let all = user(pool, "all.roles", Role::Admin, None).await;
    for (role, scope) in [
        (Role::CaseOfficer, None),
        (Role::IdentityOfficer, None),
        (Role::UptStaff, Some(upt.clone())),
        // Banyuwangi's office: `ROUTED` is handed over to it.
        (Role::RegencyOfficer, Some("35.10".to_string())),
    ] {
        let grant = Grant::new(role, scope).unwrap();
        simlontar::auth::store::add_grant(pool, all, &grant)
            .await
            .unwrap();
    }
    let (token_id, bearer) = simlontar::auth::store::create_token(pool, all, "t")
        .await
        .unwrap();
    user(pool, "officer1", Role::CaseOfficer, None).await;
    let mut c = Client::new(pool).await;
    assert_eq!(
        c.sign_in("all.roles", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    c.get("/").await;
    let handover_token = route_home(pool, &mut c).await;

    let case_id = |number: &'static str| async move {
        sqlx::query_scalar::<_, i64>("SELECT id FROM ot_case WHERE number = $1")
            .bind(number)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    let (routed, sby, bwi) = (
        case_id(ROUTED).await,
        case_id(SBY).await,
        case_id(BWI).await,
    );
    let photo: i64 = sqlx::query_scalar(
        "INSERT INTO intake_photo (intake_id, sha256, content_type, bytes)
         SELECT intake_id, sha256($2), 'image/png', $2 FROM ot_case WHERE id = $1 RETURNING id",
    )
    .bind(routed)
    .bind(PNG)
    .fetch_one(pool)
    .await
    .unwrap();
    let link: i64 = sqlx::query_scalar(
        "INSERT INTO record_link (left_kind, left_id, right_kind, right_id, state, probability)
         SELECT 'intake', least(a.intake_id, b.intake_id), 'intake',
                greatest(a.intake_id, b.intake_id), 'candidate', 0.6
           FROM ot_case a, ot_case b WHERE a.id = $1 AND b.id = $2 RETURNING id",
    )
    .bind(sby)
    .bind(bwi)
    .fetch_one(pool)
    .await
    .unwrap();
    let grant: i64 = sqlx::query_scalar(
        "INSERT INTO break_glass (user_id, case_id, reason, granted_at, expires_at)
         VALUES ($1, $2, 'the family is at the desk asking for her', $3 - interval '1 hour',
                 $3 + interval '1 hour') RETURNING id",
    )
    .bind(all)
    .bind(bwi)
    .bind(now())
    .fetch_one(pool)
    .await
    .unwrap();
    let hold: i64 = sqlx::query_scalar(
        "INSERT INTO bed_hold (ward_id, case_id, held_at, expires_at, held_by)
         VALUES ((SELECT id FROM ward WHERE occupied + held < beds ORDER BY id LIMIT 1), $2, $3,
                 $3 + interval '1 day', $1) RETURNING id",
    )
    .bind(all)
    .bind(bwi)
    .bind(now())
    .fetch_one(pool)
    .await
    .unwrap();
    // A demo message to Banyuwangi's office.
    let office = {
        let mut conn = pool.acquire().await.unwrap();
        simlontar::notify::office_address(&mut conn, &settings(), "35.10")
            .await
            .unwrap()
    };
    let mail: i64 = sqlx::query_scalar(
        "INSERT INTO demo_mail (mail_from, rcpt_to, raw)
         VALUES ('a@b.c', ARRAY[$1], E'Subject: hello\\r\\n\\r\\nbody') RETURNING id",
    )
    .bind(office)
    .fetch_one(pool)
    .await
    .unwrap();

    crate::capacity_alerts::small_ward(pool, 5).await;
    simlontar::capacity::evaluate::run(&app_pool(pool).await, &settings(), None, now())
        .await
        .unwrap();
    let alert: i64 = sqlx::query_scalar("SELECT id FROM capacity_alert ORDER BY id LIMIT 1")
        .fetch_one(pool)
        .await
        .unwrap();

    let ward: i64 =
        sqlx::query_scalar("SELECT id FROM ward WHERE upt_code = $1 ORDER BY id LIMIT 1")
            .bind(&upt)
            .fetch_one(pool)
            .await
            .unwrap();
    let starts = now() + chrono::Duration::days(100);
    let closure: i64 = sqlx::query_scalar(
        "INSERT INTO ward_closure (ward_id, starts_on, ends_on, starts_at, ends_at, reason, created_at)
         VALUES ($1, $2::date, $2::date + 2, $2, $2 + interval '3 days', 'renovation', $3) RETURNING id",
    )
    .bind(ward)
    .bind(starts)
    .bind(now())
    .fetch_one(pool)
    .await
    .unwrap();
    let task: i64 = sqlx::query_scalar(
        "INSERT INTO case_task (case_id, kind, office_code, due_on, due_by, known, created_at)
         VALUES ($1, 'tracing', '35.10', $2::date + 14, $2 + interval '15 days', 'Terminal Purabaya, Pancer', $2)
         RETURNING id",
    )
    .bind(routed)
    .bind(now())
    .fetch_one(pool)
    .await
    .unwrap();
    let fixture = Fixture {
        task,
        ward,
        closure,
        bearer,
        token_id,
        photo,
        link,
        grant,
        alert,
        hold,
        mail,
        upt,
        handover_token,
    };
    (fixture, c)
}

/// Every table holding people, cases, their movements, mail and accounts, as one digest
/// per table: a changed, added or removed row changes it.
pub async fn records(pool: &PgPool) -> Vec<(&'static str, String)> {
    let mut out = vec![];
    for table in [
        "intake",
        "intake_photo",
        "ot_case",
        "case_event",
        "placement",
        "waiting_list",
        "transport_plan",
        "handover_notice",
        "identity_check",
        "record_link",
        "email_outbox",
        "bed_hold",
        "capacity_alert",
        "break_glass",
        "ward",
        "ward_closure",
        "ward_change",
        "app_user",
        "user_role",
        "api_token",
    ] {
        let digest: String = sqlx::query_scalar(&format!(
            "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '')
               FROM {table} t"
        ))
        .fetch_one(pool)
        .await
        .unwrap();
        out.push((table, digest));
    }
    out
}

/// The tables whose digest differs between two readings of `records`.
pub fn changed(
    before: &[(&'static str, String)],
    after: &[(&'static str, String)],
) -> Vec<&'static str> {
    before
        .iter()
        .zip(after)
        .filter(|(b, a)| b != a)
        .map(|(b, _)| b.0)
        .collect()
}

async fn audit_rows(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// What another site's page can make a browser send: its own `Origin` (or `null` from a
/// sandboxed frame), a `Sec-Fetch-Site` saying so, and — behind a proxy asking for Basic
/// authentication — the browser's remembered `Authorization` header on every request.
const ANOTHER_SITE: [&[(&str, &str)]; 4] = [
    &[("origin", "https://evil.example")],
    &[("origin", "null")],
    &[("sec-fetch-site", "cross-site")],
    &[
        ("origin", "https://evil.example"),
        ("authorization", "Basic cHJveHk6cHJveHk="),
    ],
];

/// A form that would do something on most of the routes, were it let through.
fn tempting_form(csrf: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("csrf", csrf),
            ("username", "evil"),
            ("display_name", "Evil"),
            ("role", "admin"),
            ("password", "a long enough password"),
            ("disabled", "true"),
            ("name", "stolen"),
            ("to", "closed"),
            ("reason", "closed from another site, long reason"),
            ("choice", "upt"),
            ("action", "received"),
            ("ward_id", "1"),
            ("case_number", BWI),
            ("number", BWI),
            ("hours", "4"),
            ("nik", "3578015208900001"),
            ("code", "123456"),
            ("current", PASSWORD),
            ("new", "chosen by another site"),
            ("confirm", "chosen by another site"),
        ])
        .finish()
}

fn cross_site(
    uri: &str,
    method: &str,
    cookie: Option<&str>,
    headers: &[(&str, &str)],
    body: String,
) -> Request<Body> {
    let mut b = Request::builder()
        .method(method.to_uppercase().as_str())
        .uri(uri)
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::from(body)).unwrap()
}

/// A same-origin multipart form carrying every tempting field but the session's token.
fn multipart_without_token(
    uri: &str,
    method: &str,
    cookie: Option<&str>,
    token: Option<&str>,
) -> Request<Body> {
    let form = tempting_form("");
    let mut fields: Vec<(String, String)> = form_urlencoded::parse(form.as_bytes())
        .into_owned()
        .filter(|(k, _)| k != "csrf")
        .collect();
    fields.extend(token.map(|t| ("csrf".to_string(), t.to_string())));
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    let (content_type, body) = multipart(&refs, &[PNG]);
    let mut b = Request::builder()
        .method(method.to_uppercase().as_str())
        .uri(uri)
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "http://localhost")
        .header(header::CONTENT_TYPE, content_type);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(body)).unwrap()
}

#[sqlx::test]
async fn every_state_changing_route_in_the_source_refuses_another_sites_request(pool: PgPool) {
    let (fixture, mut c) = everything(&pool).await;
    let mut anonymous = Client::new(&pool).await;
    anonymous.get("/login").await;
    let routes = requests(&fixture, |path, method| {
        !path.starts_with("/api/") && method != "get"
    });
    // A reading of the source that found (almost) nothing must not pass.
    assert!(
        routes.len() >= 20,
        "only {} routes found: {routes:?}",
        routes.len()
    );

    c.get("/admin/users").await;
    let before = records(&pool).await;
    let audited = audit_rows(&pool).await;
    for Call {
        method, uri, file, ..
    } in &routes
    {
        let file = file.display();
        for headers in ANOTHER_SITE {
            // With the session's own token: only where the request comes from is wrong.
            let req = cross_site(
                uri,
                method,
                c.cookie.as_deref(),
                headers,
                tempting_form(c.csrf.as_deref().unwrap()),
            );
            let res = send(&c.router, req).await;
            assert_eq!(
                res.status,
                StatusCode::FORBIDDEN,
                "{method} {uri} ({file}) {headers:?}"
            );
            // Without a session the sign-in redirect would answer if the CSRF layer did not
            // stand before the route: a 403 here is that layer's.
            let req = cross_site(
                uri,
                method,
                anonymous.cookie.as_deref(),
                headers,
                tempting_form(anonymous.csrf.as_deref().unwrap()),
            );
            let res = send(&anonymous.router, req).await;
            assert_eq!(
                res.status,
                StatusCode::FORBIDDEN,
                "anonymous {method} {uri} ({file}) {headers:?}"
            );
        }
    }
    // From our own origin, but labelled multipart without the token (or with a wrong
    // one): the label does not lift the token check, signed in or not.
    for Call {
        method, uri, file, ..
    } in &routes
    {
        let file = file.display();
        for (who, client) in [("signed in", &c), ("anonymous", &anonymous)] {
            for token in [None, Some("forged")] {
                let req = multipart_without_token(uri, method, client.cookie.as_deref(), token);
                let res = send(&client.router, req).await;
                assert_eq!(
                    res.status,
                    StatusCode::FORBIDDEN,
                    "{who} multipart {method} {uri} ({file}) {token:?}"
                );
            }
        }
    }
    let changed = changed(&before, &records(&pool).await);
    assert!(changed.is_empty(), "changed: {changed:?}");
    assert_eq!(audit_rows(&pool).await, audited);
    // The session was not signed out by a forged /logout either.
    assert_eq!(c.get("/admin/users").await.status, StatusCode::OK);
}

#[sqlx::test]
async fn the_api_takes_writes_from_bearer_tokens_only(pool: PgPool) {
    let (fixture, mut c) = everything(&pool).await;
    let writes = requests(&fixture, |path, method| {
        path.starts_with("/api/") && method != "get"
    });
    assert!(writes.len() >= 3, "{writes:?}");

    c.get("/").await;
    let before = records(&pool).await;
    let audited = audit_rows(&pool).await;
    let json = |method: &str, uri: &str, origin: &str, content_type: &str| {
        Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(uri)
            .header(header::HOST, "localhost")
            .header(header::ORIGIN, origin)
            .header(header::CONTENT_TYPE, content_type)
            .header("idempotency-key", "7d7c1a52-9f1e-4a0e-8d83-3f0c5b2e6a11")
    };
    for Call { method, uri, .. } in &writes {
        // A signed-in browser cannot write to the API, not even from our own pages and
        // however the body is labelled: the API takes bearer tokens only.
        for origin in ["http://localhost", "https://evil.example"] {
            for content_type in ["application/json", "multipart/form-data; boundary=zz"] {
                let req = json(method, uri, origin, content_type)
                    .header(header::COOKIE, c.cookie.clone().unwrap())
                    .body(Body::from(r#"{"to": "closed", "ward_id": 1}"#))
                    .unwrap();
                let res = send(&c.router, req).await;
                assert_eq!(
                    res.status,
                    StatusCode::FORBIDDEN,
                    "{method} {uri} from {origin} as {content_type}"
                );
                assert_eq!(res.json()["error"], "forbidden", "{method} {uri}");
            }
        }
        // A bearer token is no ambient credential, so the origin does not matter: the
        // request reaches its handler, which finds the empty body wanting.
        let req = json(method, uri, "https://evil.example", "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {}", fixture.bearer))
            .body(Body::from("{}"))
            .unwrap();
        let res = send(&c.router, req).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {uri}: {}",
            res.body
        );
    }
    let mut changed = changed(&before, &records(&pool).await);
    // A bearer use notes its time on the token; nothing else may change.
    changed.retain(|t| *t != "api_token");
    assert!(changed.is_empty(), "changed: {changed:?}");
    assert_eq!(audit_rows(&pool).await, audited);
}

#[sqlx::test]
async fn no_get_route_in_the_source_changes_a_record(pool: PgPool) {
    let (fixture, mut c) = everything(&pool).await;
    // Demo mode, so the demo mailbox answers too (elsewhere it is a 404).
    let mut demo = settings();
    demo.demo = true;
    c.router = router_with(&pool, demo, now()).await;
    let reads = requests(&fixture, |_, method| method == "get");
    assert!(reads.len() >= 20, "only {} found: {reads:?}", reads.len());

    let before = records(&pool).await;
    for Call { uri, file, .. } in &reads {
        let res = c.get(uri).await;
        // Answered, not refused: the handler ran to its end.
        assert!(
            res.status.is_success() || res.status.is_redirection(),
            "GET {uri} ({}): {} {}",
            file.display(),
            res.status,
            res.body
        );
    }
    let changed = changed(&before, &records(&pool).await);
    assert!(changed.is_empty(), "changed: {changed:?}");
}
