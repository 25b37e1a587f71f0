//! The intake desk in a real browser: Debian's headless Chromium driven through
//! chromedriver (WebDriver), against the app served on a random port. Screenshots are
//! saved under target/artifacts/.
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use sqlx::PgPool;

use crate::common::*;
use simlontar::auth::model::Role;

struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn browser() -> (Driver, Client) {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is installed by .ci/test (Debian package chromium-driver)");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=390,1400"]
        }),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let attempt = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&driver.url)
            .await;
        match attempt {
            Ok(c) => return (driver, c),
            Err(e) if Instant::now() > deadline => panic!("no WebDriver session: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

async fn screenshot(c: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(format!("{name}.png")),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
}

async fn fill(c: &Client, id: &str, value: &str) {
    let e = c.find(Locator::Id(id)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(value).await.unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[sqlx::test]
async fn an_officer_fills_the_intake_form_in_a_browser_and_gets_a_case_number(pool: PgPool) {
    load_geo(&pool).await;
    user(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let base = spawn(&pool).await;
    let (_driver, c) = browser().await;

    c.goto(&format!("{base}/intake")).await.unwrap();
    fill(&c, "username", "satpol.sby").await;
    fill(&c, "password", PASSWORD).await;
    click(&c, "form.card button[type=submit]").await;
    c.wait()
        .for_element(Locator::Id("stated_name"))
        .await
        .unwrap();
    screenshot(&c, "intake-form").await;

    fill(&c, "found_address", "Taman Bungkul").await;
    fill(&c, "found_lat", "-7.2912").await;
    fill(&c, "found_lon", "112.7397").await;
    fill(&c, "stated_name", "Mbah Gimbal").await;
    click(&c, "input[name=name_quality][value=alias]").await;
    click(&c, "input[name=sex][value=male]").await;
    fill(&c, "estimated_age", "72").await;
    click(&c, "input[name=birth_date_quality][value=approximate]").await;
    click(&c, "input[name=conditions][value=elderly]").await;
    let photo = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    std::fs::write(photo.path(), PNG).unwrap();
    c.find(Locator::Id("photos"))
        .await
        .unwrap()
        .send_keys(photo.path().to_str().unwrap())
        .await
        .unwrap();
    click(&c, "button[name=save]").await;

    let number = c
        .wait()
        .for_element(Locator::Id("case-number"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    screenshot(&c, "intake-saved").await;
    assert_eq!(number, "OT-3578-2026-000001");
    let (n, photos): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM ot_case), (SELECT count(*) FROM intake_photo)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((n, photos), (1, 1));
    c.close().await.unwrap();
}
