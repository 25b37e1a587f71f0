//! The authorisation matrix: every route read from the source, asked by each kind of
//! person (and by nobody), against a table of answers written by hand from the policy in
//! `src/auth/policy.rs`. A route added without a row here fails, and so does a row for a
//! route that no longer exists.
//!
//! Writes are sent with an empty form and the session's CSRF token (or `{}` to the API
//! with the person's token). Whoever's roles do not allow the action gets 403 before the
//! body is read (the routes' `policy::gate`), never a validation error; whoever may act gets
//! past the door: the empty form is refused for what it lacks (422, or 400 where a photo
//! upload is expected), or an action that needs no field is done (or, if it cannot be undone,
//! asked about on a confirmation page that changes nothing). A case outside one's
//! scope is "not found", once the body has been checked, and the look-up is audited.
use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use sqlx::PgPool;

use crate::common::*;
use crate::inventory::{changed, everything, records, requests, Call, Fixture};
use simlontar::auth::model::Role;

/// Who asks, in the order of the letters in `EXPECTED`:
/// `-` nobody signed in, `A` administrator, `C` case officer, `I` DP3AK identity officer,
/// `P` intake officer of Surabaya (where `ROUTED` was picked up), `p` intake officer of
/// Banyuwangi, `U` staff of the fixture's UPT, `u` staff of another UPT, `R` regency viewer
/// of Banyuwangi (where `ROUTED` comes from), `r` regency viewer of Malang (neither), `O`
/// regency officer of Banyuwangi (the office `ROUTED` is handed over to), `o` regency
/// officer of Malang.
const WHO: &str = "-ACIPpUuRrOo";

/// Answers: `o` 2xx, `s` a redirect elsewhere than sign-in, `l` the redirect to sign-in,
/// `b` 400, `u` 401, `f` 403, `n` 404, `c` 409, `v` 422, `t` 429, `?` anything else.
fn letter(status: StatusCode, location: Option<&str>) -> char {
    match status.as_u16() {
        200..=299 => 'o',
        300..=399 if location.is_some_and(|l| l.starts_with("/login")) => 'l',
        300..=399 => 's',
        401 => 'u',
        403 => 'f',
        404 => 'n',
        409 => 'c',
        400 => 'b',
        422 => 'v',
        429 => 't',
        _ => '?',
    }
}

/// What each person is told on each route, written from the policy (and the fixture:
/// `ROUTED` was picked up in Surabaya, comes from Banyuwangi, has no bed or hold; the hold
/// is in a ward outside the fixture's UPT). Columns as in `WHO`.
#[rustfmt::skip]
const EXPECTED: &[(&str, &str, &str)] = &[
    // Open to everybody: sign-in, language, assets, probes, the API description, and the
    // receiving office's page (its token is the credential).
    ("get", "/login", "oooooooooooo"),
    ("post", "/login", "vvvvvvvvvvvv"),
    ("get", "/login/totp", "looooooooooo"),
    ("post", "/login/totp", "vvvvvvvvvvvv"),
    ("post", "/logout", "llllllllllll"),
    ("get", "/lang/{code}", "ssssssssssss"),
    ("get", "/static/app.css", "oooooooooooo"),
    ("get", "/static/print.js", "oooooooooooo"),
    ("get", "/static/intake.js", "oooooooooooo"),
    ("get", "/static/sw.js", "oooooooooooo"),
    ("get", "/api/openapi.json", "oooooooooooo"),
    ("get", "/healthz", "oooooooooooo"),
    ("get", "/readyz", "oooooooooooo"),
    ("get", "/handover/{token}", "oooooooooooo"),
    ("post", "/handover/{token}", "vvvvvvvvvvvv"),
    // Every signed-in person: home, own password, break-glass requests, the offices'
    // response times, the pick-up map image.
    ("get", "/", "looooooooooo"),
    ("get", "/account/password", "looooooooooo"),
    ("post", "/account/password", "lvvvvvvvvvvv"),
    ("get", "/break-glass", "loooooooooff"),
    ("post", "/break-glass", "lvvvvvvvvvvv"),
    ("get", "/routing", "lsssssssssss"),
    ("get", "/routing/offices", "loooooooooff"),
    ("get", "/intake/map.svg", "looooooooooo"),
    // The demo mailbox (demo mode only): administrators and case officers read all mail,
    // a regency office its own (the fixture's message is to Banyuwangi's), others none.
    ("get", "/demo/mailbox", "loofffffooff"),
    ("get", "/demo/mailbox/{id}", "loofffffonff"),
    // Cases (every role views cases, each in its scope): lists filter, and `ROUTED` is
    // seen by the province-wide roles, Surabaya's intake desk and Banyuwangi's viewer;
    // to everyone else it does not exist (and the look-up is audited).
    ("get", "/cases", "loooooooooff"),
    // NIK search: only the roles that see NIKs whole (the others would confirm guesses).
    ("post", "/cases/search-nik", "lvvvffffffff"),
    ("get", "/api/v1/cases", "uoooooooooff"),
    ("get", "/api/v1/intakes", "uoooooooooff"),
    ("get", "/cases/{number}", "loooonnnonff"),
    ("get", "/api/v1/cases/{number}", "uoooonnnonff"),
    ("get", "/api/v1/cases/{number}/events", "uoooonnnonff"),
    ("get", "/cases/{number}/photos/{id}", "loooonnnonff"),
    ("get", "/intake/saved/{number}", "loooonnnonff"),
    ("get", "/cases/{number}/handover-form", "loooonnnonff"),
    // Moving a case: every role but administrators and viewers (which moves, is the
    // lifecycle's rule); the empty form is refused before the case is looked up.
    ("post", "/cases/{number}/transition", "lfvvvvvvffff"),
    ("post", "/cases/{number}/protection-referral", "lfvvvvvvffff"),
    ("post", "/api/v1/cases/{number}/events", "ufvvvvvvffff"),
    // The intake desk: case officers and intake officers (the page takes a multipart
    // upload, so a plain form is a 400).
    ("get", "/intake", "lfofooffffff"),
    ("post", "/intake", "lfbfbbffffff"),
    ("post", "/api/v1/intakes", "ufvfvvffffff"),
    // Correcting a saved intake: the same people (the recording officer only for a day).
    ("post", "/api/v1/cases/{number}/corrections", "ufvfvvffffff"),
    ("get", "/cases/{number}/correction", "lfofonffffff"),
    ("post", "/cases/{number}/correction", "lfbfbbffffff"),
    // DP3AK checks: identity officers; the review queue: them and case officers.
    ("get", "/identity", "lfssffffffff"),
    ("get", "/identity/review", "lfooffffffff"),
    ("post", "/identity/links/{id}", "lfvvffffffff"),
    ("get", "/identity/checks/new", "lffoffffffff"),
    ("post", "/identity/checks", "lffvffffffff"),
    ("post", "/api/v1/identity-checks", "uffvffffffff"),
    // Routing decisions and acknowledging alerts: case officers (departing needs no field).
    ("post", "/cases/{number}/route", "lfvfffffffff"),
    ("post", "/cases/{number}/refusal", "lfvfffffffff"),
    ("post", "/cases/{number}/depart", "lfofffffffff"),
    // The action taken is required: the empty form is refused beside its field.
    ("post", "/capacity/alerts/{id}/ack", "lfvfffffffff"),
    // Beds: case officers and UPT staff; `ROUTED` is outside both UPTs' scope, and a hold
    // is made only in one's own UPT and released only by those who may see it.
    ("post", "/cases/{number}/placement", "lfvfffvvffff"),
    ("post", "/cases/{number}/transfer", "lfvfffvvffff"),
    ("post", "/cases/{number}/discharge", "lfvfffnnffff"),
    ("post", "/api/v1/cases/{number}/placement", "ufvfffvvffff"),
    ("get", "/api/v1/cases/{number}/placement-candidates", "ufofffnnffff"),
    // The route proposal: those who decide routes, the receiving regency (in its scope),
    // administrators.
    ("get", "/api/v1/cases/{number}/proposal", "uoofffffonff"),
    ("post", "/capacity/upt/{code}/holds", "lfvfffvfffff"),
    ("post", "/capacity/holds/{id}/release", "lfsfffnnffff"),
    // Capacity (counts, no person): administrators, case officers, UPT staff and regency
    // viewers, every UPT.
    ("get", "/capacity", "loofffooooff"),
    ("get", "/capacity/panel", "loofffooooff"),
    ("get", "/capacity/refresh.js", "looooooooooo"),
    ("get", "/capacity/flows", "loofffooooff"),
    ("get", "/capacity/alerts", "loofffooooff"),
    // One alert with its decongestion list (the people only for case officers,
    // administrators and the ward's own UPT staff).
    ("get", "/capacity/alerts/{id}", "loofffooooff"),
    // The waiting list for a UPT bed: those who place people (UPT staff see their UPT's).
    ("get", "/waiting-list", "lfofffooffff"),
    ("get", "/capacity/upt/{code}", "loofffooooff"),
    // Ward administration (beds, closures, admission rules): administrators, and staff of
    // the ward's own UPT; the empty forms are refused beside their fields. The fixture's
    // closure (ahead, in its UPT's ward) is ended by the administrator, then gone.
    ("get", "/capacity/wards/{id}", "loffffofffff"),
    ("post", "/capacity/wards/{id}/beds", "lvffffvfffff"),
    ("post", "/capacity/wards/{id}/closures", "lvffffvfffff"),
    ("post", "/capacity/wards/{id}/rules", "lvffffvfffff"),
    ("post", "/capacity/closures/{id}/end", "lsffffnnffff"),
    // The plan page and its forms (departure, legs): case officers change it; those who
    // view routing read it. The API's route decision, plan, departure and recorded
    // departure follow the same rules (the empty body is refused first).
    ("get", "/cases/{number}/plan", "loofffffonff"),
    ("post", "/cases/{number}/departure", "lfvfffffffff"),
    ("post", "/cases/{number}/plan/legs/{index}", "lfvfffffffff"),
    ("get", "/api/v1/cases/{number}/plan", "uoofffffonff"),
    ("post", "/api/v1/cases/{number}/route", "ufvfffffffff"),
    ("put", "/api/v1/cases/{number}/departure", "ufvfffffffff"),
    ("post", "/api/v1/cases/{number}/depart", "ufvfffffffff"),
    // The receiving office: regency officers, each for the hand-overs to its own regency
    // (Banyuwangi's `O` receives `ROUTED`; Malang's `o` is told it does not exist); the link's
    // photo is the link's (its token is the key).
    ("get", "/incoming", "lfffffffffoo"),
    ("get", "/incoming/{number}", "lfffffffffon"),
    ("get", "/incoming/{number}/photos/{id}", "lfffffffffon"),
    ("post", "/incoming/{number}", "lfffffffffvn"),
    ("post", "/api/v1/cases/{number}/handover", "ufffffffffvv"),
    ("get", "/handover/{token}/photos/{id}", "oooooooooooo"),
    // Tasks for a regency office (follow-ups, family tracing): its regency officers; the
    // fixture's task is Banyuwangi's, so Malang's `o` is told it does not exist. Giving a
    // tracing task: case officers and UPT staff, for an unidentified resident (`ROUTED` is
    // identified: the form's page says why, a post is refused; outside both UPTs' scope:
    // not found).
    ("get", "/tasks", "lfffffffffoo"),
    ("get", "/tasks/{id}", "lfffffffffon"),
    ("post", "/tasks/{id}", "lfffffffffvn"),
    ("get", "/cases/{number}/tracing", "lfofffnnffff"),
    ("post", "/cases/{number}/tracing", "lfcfffnnffff"),
    // Administration: administrators only, refused before any form is read.
    ("get", "/admin", "lsffffffffff"),
    ("get", "/admin/users", "loffffffffff"),
    ("post", "/admin/users", "lvffffffffff"),
    ("post", "/admin/grants", "lvffffffffff"),
    ("post", "/admin/passwords", "lvffffffffff"),
    ("post", "/admin/users/{username}/status", "lvffffffffff"),
    ("post", "/admin/users/{username}/tokens", "lvffffffffff"),
    ("post", "/admin/users/{username}/mfa", "lsffffffffff"),
    ("post", "/admin/tokens/{id}/revoke", "lsffffffffff"),
    ("get", "/admin/audit", "loffffffffff"),
    ("get", "/admin/audit/accessed", "loffffffffff"),
    ("get", "/admin/break-glass", "loffffffffff"),
    ("post", "/admin/break-glass/{id}/reviewed", "lsffffffffff"),
    ("get", "/admin/operations", "loffffffffff"),
    // Offices and readiness (issue 24): administrators only; an empty office form names
    // its code, an empty search goes back to the list.
    ("get", "/admin/offices", "loffffffffff"),
    ("post", "/admin/offices", "lvffffffffff"),
    ("get", "/admin/offices/edit", "lsffffffffff"),
    ("get", "/admin/readiness", "loffffffffff"),
    // Subject access (UU PDP): administrators only; the empty form names the case number.
    ("get", "/admin/subject-access", "loffffffffff"),
    ("post", "/admin/subject-access", "lvffffffffff"),
    // Reports: every role that views cases, each counting its own scope; the case list
    // needs a period and a format. The open figures need no sign-in.
    ("get", "/reports", "loooooooooff"),
    ("get", "/reports/monthly", "loooooooooff"),
    ("get", "/reports/yearly", "loooooooooff"),
    ("get", "/reports/cases", "loooooooooff"),
    ("get", "/angka", "oooooooooooo"),
];

/// One person: their signed-in session (none for nobody) and API token.
struct Asker {
    name: &'static str,
    client: Client,
    bearer: Option<String>,
}

async fn asker(pool: &PgPool, name: &'static str, role: Role, scope: Option<&str>) -> Asker {
    let mut client = signed_in(pool, name, role, scope).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM app_user WHERE username = $1")
        .bind(name)
        .fetch_one(pool)
        .await
        .unwrap();
    let (_, bearer) = simlontar::auth::store::create_token(pool, id, "matrix")
        .await
        .unwrap();
    client.router = demo_router(pool).await;
    Asker {
        name,
        client,
        bearer: Some(bearer),
    }
}

async fn demo_router(pool: &PgPool) -> axum::Router {
    // Demo mode, so the demo mailbox answers too (elsewhere it is a 404 for everyone).
    let mut demo = settings();
    demo.demo = true;
    router_with(pool, demo, now()).await
}

async fn askers(pool: &PgPool, f: &Fixture) -> Vec<Asker> {
    let other_upt: String =
        sqlx::query_scalar("SELECT code FROM upt WHERE code <> $1 ORDER BY code LIMIT 1")
            .bind(&f.upt)
            .fetch_one(pool)
            .await
            .unwrap();
    let mut nobody = Client::new(pool).await;
    nobody.router = demo_router(pool).await;
    nobody.get("/login").await;
    let mut out = vec![Asker {
        name: "",
        client: nobody,
        bearer: None,
    }];
    for (name, role, scope) in [
        ("m.admin", Role::Admin, None),
        ("m.case", Role::CaseOfficer, None),
        ("m.identity", Role::IdentityOfficer, None),
        ("m.intake.sby", Role::IntakeOfficer, Some("35.78")),
        ("m.intake.bwi", Role::IntakeOfficer, Some("35.10")),
        ("m.upt", Role::UptStaff, Some(f.upt.as_str())),
        ("m.upt.other", Role::UptStaff, Some(other_upt.as_str())),
        ("m.viewer.bwi", Role::RegencyViewer, Some("35.10")),
        ("m.viewer.mlg", Role::RegencyViewer, Some("35.07")),
        ("m.officer.bwi", Role::RegencyOfficer, Some("35.10")),
        ("m.officer.mlg", Role::RegencyOfficer, Some("35.07")),
    ] {
        out.push(asker(pool, name, role, scope).await);
    }
    out
}

async fn audit_rows(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn read_denials(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'read_denied'")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// One request as `who` would send it; the answer's letter.
async fn ask(who: &mut Asker, method: &str, uri: &str) -> (char, String) {
    let res = if uri.starts_with("/api/") {
        let mut req = Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(uri)
            .header(header::HOST, "localhost")
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", "0b0e3c1e-6f55-4d8e-9a43-5a8f7d6e2c10");
        if let Some(b) = &who.bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {b}"));
        }
        let body = if method == "get" { "" } else { "{}" };
        send(&who.client.router, req.body(Body::from(body)).unwrap()).await
    } else if method == "get" {
        who.client.get(uri).await
    } else {
        who.client.post(uri, &[]).await
    };
    let location = res
        .headers
        .get(header::LOCATION)
        .map(|l| l.to_str().unwrap());
    (letter(res.status, location), res.body)
}

#[sqlx::test]
async fn every_route_answers_each_role_and_scope_as_the_policy_says(pool: PgPool) {
    let (fixture, _) = everything(&pool).await;
    let mut who = askers(&pool, &fixture).await;
    // Reads before writes, so no write has changed what a read finds; signing out last.
    let mut routes = requests(&fixture, |_, _| true);
    routes.sort_by_key(|c| (c.method != "get", c.path == "/logout"));
    let expected: BTreeMap<(&str, &str), &str> =
        EXPECTED.iter().map(|(m, p, e)| ((*m, *p), *e)).collect();

    let mut observed = vec![];
    let mut wrong = vec![];
    let mut seen = std::collections::BTreeSet::new();
    for Call {
        method, path, uri, ..
    } in &routes
    {
        seen.insert((*method, path.as_str()));
        let before = records(&pool).await;
        let mut answers = String::new();
        for (i, asker) in who.iter_mut().enumerate() {
            let denials = read_denials(&pool).await;
            let audited = audit_rows(&pool).await;
            let (got, body) = ask(asker, method, uri).await;
            answers.push(got);
            // A change that was made writes one audit row; a refused one none, but for a
            // refused look-up of a case, a signed-in person's sign-out, and a wrong current
            // password (a security event).
            let added = audit_rows(&pool).await - audited;
            if *method != "get" {
                // A confirmation step (an action asked about before it is done) changes
                // nothing and writes nothing.
                let asked = got == 'o' && body.contains(r#"name="confirm" value="yes""#);
                let one = (matches!(got, 'o' | 's') && !asked)
                    || (got == 'n' && path.contains("{number}"))
                    || (path == "/logout" && i > 0)
                    || (path == "/account/password" && got == 'v');
                if added == 1 && i > 0 {
                    let (actor, request): (Option<String>, bool) = sqlx::query_as(
                        "SELECT u.username, a.detail ? 'request_id' FROM audit_log a
                           LEFT JOIN app_user u ON u.id = a.actor_id ORDER BY a.id DESC LIMIT 1",
                    )
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                    if actor.as_deref() != Some(asker.name) || !request {
                        wrong.push(format!(
                            "{method} {uri} as {}: audited as {actor:?}, request id: {request}",
                            &WHO[i..=i]
                        ));
                    }
                }
                if added != i64::from(one) {
                    wrong.push(format!(
                        "{method} {uri} as {}: answered {got} and wrote {added} audit rows",
                        &WHO[i..=i]
                    ));
                }
            }
            // A case that exists but lies outside the asker's scope is "not found" to them,
            // and the look-up is kept in the audit trail.
            if got == 'n' && path.contains("{number}") && read_denials(&pool).await == denials {
                wrong.push(format!(
                    "{method} {uri} as {}: a refused look-up is not audited",
                    &WHO[i..=i]
                ));
            }
            if got == 'v' {
                assert!(
                    !body.is_empty(),
                    "{method} {uri}: a 422 names what is wrong"
                );
            }
        }
        // Nobody may change anything on a route they were refused; and no read changes.
        if *method == "get" || !answers.contains(['o', 's']) {
            let mut changed = changed(&before, &records(&pool).await);
            // A bearer use notes its time on the token.
            changed.retain(|t| *t != "api_token");
            assert!(changed.is_empty(), "{method} {uri} changed {changed:?}");
        }
        match expected.get(&(*method, path.as_str())) {
            Some(e) if *e == answers => {}
            Some(e) => wrong.push(format!("{method} {path}: expected {e}, got {answers}")),
            None => wrong.push(format!("{method} {path}: no row in EXPECTED")),
        }
        observed.push(format!("    (\"{method}\", \"{path}\", \"{answers}\"),"));
    }
    for (method, path, _) in EXPECTED {
        if !seen.contains(&(*method, *path)) {
            wrong.push(format!(
                "{method} {path}: in EXPECTED but not in the source"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{}\n\nas answered ({WHO}):\n{}",
        wrong.join("\n"),
        observed.join("\n")
    );
}
