//! The harness: the real app (working as the application's database role) on a fixed
//! clock, driven in-process with a cookie-keeping client, or served over TCP on a random
//! port; the reference geography loaded into the test's fresh database.
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use chrono::{DateTime, TimeZone, Utc};
use http_body_util::BodyExt;
use sqlx::PgPool;
use tower::ServiceExt;

use simlontar::auth::model::{Grant, Role};
use simlontar::clock::FixedClock;
use simlontar::config::{Retention, Settings, SmtpSecurity, SmtpSettings};
use simlontar::{app, AppState};

pub const PASSWORD: &str = "kopi tubruk pagi";

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap()
}

pub fn geo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("geo")
}

/// The geography most tests load: every province and regency of `geo/`, but the districts
/// and villages only of the places the tests visit (East Java, Jakarta, Cianjur, Bima). The
/// national 83,762 villages take about 4 s to load into each fresh database; `places.rs`
/// loads them whole where the national load is what is tested.
pub fn test_geo_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let keep = |code: &str| {
            ["35.", "31.", "32.03.", "52.06.", "52.72."]
                .iter()
                .any(|p| code.starts_with(p))
        };
        let csvs: Vec<PathBuf> = std::fs::read_dir(geo_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "csv" || e == "geojson"))
            .collect();
        // Named by what it was cut from, so that runs share it and a change of geo/ makes
        // a new one.
        let stamp = csvs.iter().fold(0u64, |h, p| {
            let m = std::fs::metadata(p).unwrap();
            let at = m.modified().unwrap().duration_since(std::time::UNIX_EPOCH);
            h.rotate_left(7) ^ m.len() ^ at.unwrap().as_secs()
        });
        let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let ready = tmp.join(format!("test-geo-{stamp:x}"));
        if ready.exists() {
            return ready;
        }
        let dir = tmp.join(format!("test-geo-{stamp:x}.{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for path in csvs {
            let name = path.file_name().unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            let text = match name.to_str() {
                Some("districts.csv" | "villages.csv") => text
                    .lines()
                    .enumerate()
                    .filter(|(i, l)| *i == 0 || keep(l))
                    .map(|(_, l)| format!("{l}\n"))
                    .collect(),
                _ => text,
            };
            std::fs::write(dir.join(name), text).unwrap();
        }
        // Another run may have finished the same directory first: theirs is as good.
        if std::fs::rename(&dir, &ready).is_err() {
            std::fs::remove_dir_all(&dir).unwrap();
        }
        ready
    })
    .clone()
}

pub async fn load_geo(pool: &PgPool) {
    simlontar::places::load::load_dir(pool, &test_geo_dir())
        .await
        .expect("geo/ loads");
}

pub fn settings() -> Settings {
    Settings {
        database_url: "postgres://unused@127.0.0.1/unused".to_string().into(),
        addr: "127.0.0.1:0".parse().unwrap(),
        time_zone: chrono_tz::Asia::Jakarta,
        base_url: "http://localhost".into(),
        demo: false,
        // The one-time-code step has its own tests (mfa.rs); elsewhere sign-in is one step.
        mfa_required: false,
        identity_accept_score: 80.0,
        reintake_accept: 0.99,
        reintake_review: 0.5,
        office_email: "dinsos-{code}@jatimprov.go.id".into(),
        escalation_email: "desk@dinsos.jatimprov.go.id".into(),
        escalate_after_hours: 24,
        route_decision_target_hours: 3,
        smtp: SmtpSettings {
            host: "127.0.0.1".into(),
            port: 2525,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Simlontar <simlontar@localhost>".into(),
        },
        retention: Retention {
            case_days: 5 * 365,
            photo_days: 365,
            mail_days: 90,
        },
        trusted_proxies: vec![],
    }
}

/// A pool working as the application's role, like the server's.
pub async fn app_pool(owner: &PgPool) -> PgPool {
    simlontar::db::connect_as_app((*owner.connect_options()).clone())
        .await
        .unwrap()
}

pub async fn router(owner: &PgPool) -> Router {
    router_at(owner, now()).await
}

/// The app as it would answer at another moment (same database).
pub async fn router_at(owner: &PgPool, at: DateTime<Utc>) -> Router {
    router_with(owner, settings(), at).await
}

pub async fn router_with(owner: &PgPool, settings: Settings, at: DateTime<Utc>) -> Router {
    // Errors the app logs show up beside a failing test's output.
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("warn")
        .try_init();
    app(AppState {
        pool: app_pool(owner).await,
        settings: Arc::new(settings),
        clock: Arc::new(FixedClock(at)),
    })
}

pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Res {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// Sends one request through the whole router, in process.
pub async fn send(router: &Router, req: Request<Body>) -> Res {
    let res = router.clone().oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    Res {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub async fn call(owner: &PgPool, req: Request<Body>) -> Res {
    send(&router(owner).await, req).await
}

pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

/// A browser-like client: keeps the session cookie, sends the form's CSRF token and a
/// same-origin `Origin` with every form post.
pub struct Client {
    pub router: Router,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

impl Client {
    pub async fn new(owner: &PgPool) -> Client {
        Client {
            router: router(owner).await,
            cookie: None,
            csrf: None,
        }
    }

    async fn send(&mut self, mut req: Request<Body>) -> Res {
        if let Some(c) = &self.cookie {
            req.headers_mut().insert(header::COOKIE, c.parse().unwrap());
        }
        let res = send(&self.router, req).await;
        for set in res.headers.get_all(header::SET_COOKIE) {
            self.cookie = keep_cookie(self.cookie.take(), set.to_str().unwrap());
        }
        if let Some(t) = csrf_in(&res.body) {
            self.csrf = Some(t);
        }
        res
    }

    pub async fn get(&mut self, uri: &str) -> Res {
        self.send(get(uri)).await
    }

    /// Posts a form with the CSRF token from the last page seen.
    pub async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Res {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone().unwrap_or_default();
        all.push(("csrf", &csrf));
        self.post_raw(uri, &all).await
    }

    /// Posts exactly these fields (no token added).
    pub async fn post_raw(&mut self, uri: &str, fields: &[(&str, &str)]) -> Res {
        let req = form(uri, fields);
        self.send(req).await
    }

    /// The form post [`Client::post`] would send, with this client's cookie and token,
    /// to send several at once (a double click).
    pub fn form_request(&self, uri: &str, fields: &[(&str, &str)]) -> Request<Body> {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone().unwrap_or_default();
        all.push(("csrf", &csrf));
        let mut req = form(uri, &all);
        if let Some(c) = &self.cookie {
            req.headers_mut().insert(header::COOKIE, c.parse().unwrap());
        }
        req
    }
}

/// A same-origin form post of exactly these fields.
fn form(uri: &str, fields: &[(&str, &str)]) -> Request<Body> {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "http://localhost")
        .header(header::HOST, "localhost")
        .body(Body::from(body))
        .unwrap()
}

impl Client {
    pub async fn sign_in(&mut self, username: &str, password: &str) -> Res {
        self.get("/login").await;
        self.post("/login", &[("username", username), ("password", password)])
            .await
    }
}

/// The `Cookie` header a browser sends after it receives `set` (a cookie replaced by
/// name, one given `Max-Age=0` removed).
pub fn keep_cookie(jar: Option<String>, set: &str) -> Option<String> {
    let pair = set.split(';').next().unwrap().trim();
    let name = pair.split('=').next().unwrap();
    let removed = set
        .split(';')
        .any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
    let mut pairs: Vec<String> = jar
        .iter()
        .flat_map(|j| j.split("; "))
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(name))
        .map(String::from)
        .collect();
    if !removed {
        pairs.push(pair.to_string());
    }
    (!pairs.is_empty()).then(|| pairs.join("; "))
}

fn csrf_in(html: &str) -> Option<String> {
    let at = html.find(r#"name="csrf" value=""#)?;
    let rest = &html[at + r#"name="csrf" value=""#.len()..];
    Some(rest[..rest.find('"')?].to_string())
}

/// Creates a user with one role.
pub async fn user(owner: &PgPool, username: &str, role: Role, scope: Option<&str>) -> i64 {
    let grant = Grant::new(role, scope.map(String::from)).unwrap();
    simlontar::auth::store::create(owner, username, username, PASSWORD, &grant)
        .await
        .unwrap()
}

/// A signed-in client for a new user with this role.
pub async fn signed_in(owner: &PgPool, username: &str, role: Role, scope: Option<&str>) -> Client {
    user(owner, username, role, scope).await;
    let mut c = Client::new(owner).await;
    let res = c.sign_in(username, PASSWORD).await;
    assert_eq!(
        res.status,
        StatusCode::SEE_OTHER,
        "sign-in failed: {}",
        res.body
    );
    c.get("/").await;
    c
}

/// The app served on 127.0.0.1 on a random port; the server stops with the test.
pub async fn spawn(owner: &PgPool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = router(owner).await;
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });
    format!("http://{addr}")
}

/// Inserts an intake and its open case directly (a fixture for reading and scoping).
pub async fn case_fixture(
    owner: &PgPool,
    number: &str,
    found_region: &str,
    home_region: Option<&str>,
    name: &str,
    nik: Option<&str>,
) -> i64 {
    let intake: i64 = sqlx::query_scalar(
        "INSERT INTO intake (idempotency_key, found_at, found_point, found_region_code, stated_name,
                             name_quality, sex, birth_date_quality, estimated_age, home_region_code,
                             home_province_code, nik)
         SELECT gen_random_uuid(), $1, r.seat_point, r.code, $3, 'full', 'female', 'approximate', 40, $4,
                substr($4::text, 1, 2), $5
           FROM region r WHERE r.code = $2 RETURNING id",
    )
    .bind(now())
    .bind(found_region)
    .bind(name)
    .bind(home_region)
    .bind(nik)
    .fetch_one(owner)
    .await
    .unwrap();
    sqlx::query_scalar(
        "INSERT INTO ot_case (number, intake_id, state, opened_at, updated_at)
         VALUES ($1, $2, 'received', $3, $3) RETURNING id",
    )
    .bind(number)
    .bind(intake)
    .bind(now())
    .fetch_one(owner)
    .await
    .unwrap()
}

/// Refers case `id` to `upt`, as the case officer's route decision does: what opens the
/// person to that UPT's staff before admission.
pub async fn referred(owner: &PgPool, id: i64, upt: &str) {
    sqlx::query("INSERT INTO referral (case_id, upt_code, referred_at) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(upt)
        .bind(now())
        .execute(owner)
        .await
        .unwrap();
}

/// A valid 1×1 PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// A multipart/form-data body: text fields, then files named `photo`.
pub fn multipart(fields: &[(&str, &str)], photos: &[&[u8]]) -> (String, Vec<u8>) {
    let boundary = "----simlontar-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (i, p) in photos.iter().enumerate() {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p{i}.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(p);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl Client {
    /// Posts the desk form as a browser would (multipart, with the session's token).
    pub async fn post_multipart(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        photos: &[&[u8]],
    ) -> Res {
        let csrf = self.csrf.clone().unwrap_or_default();
        let mut all = fields.to_vec();
        all.push(("csrf", &csrf));
        let (content_type, body) = multipart(&all, photos);
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::ORIGIN, "http://localhost")
            .header(header::HOST, "localhost")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }
}

/// A bearer token for a new user with this role.
pub async fn token(owner: &PgPool, username: &str, role: Role, scope: Option<&str>) -> String {
    let id = user(owner, username, role, scope).await;
    simlontar::auth::store::create_token(owner, id, "test")
        .await
        .unwrap()
        .1
}

pub fn api(
    method: &str,
    uri: &str,
    token: &str,
    key: Option<&str>,
    body: serde_json::Value,
) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(k) = key {
        b = b.header("idempotency-key", k);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

/// A valid intake body picked up in central Surabaya two hours before `now()`.
pub fn intake_json() -> serde_json::Value {
    serde_json::json!({
        "found_at": (now() - chrono::Duration::hours(2)).to_rfc3339(),
        "found_address": "Jl. Pahlawan, depan Tugu",
        "found_lat": -7.2458, "found_lon": 112.7378,
        "unit": "Satpol PP Kota Surabaya", "officer_name": "Budi",
        "stated_name": "Pak Slamet", "aliases": ["Met"], "name_quality": "partial",
        "sex": "male", "estimated_age": 60, "birth_date_quality": "approximate",
        "stated_home": "Banyuwangi", "conditions": ["elderly"]
    })
}
