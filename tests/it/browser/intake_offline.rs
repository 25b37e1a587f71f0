//! Offline intake: a Satpol PP officer at the roadside with no signal records a pick-up
//! with a photo; it waits on the phone ("menunggu dikirim (1)"), survives the page being
//! closed, and is sent once when the signal returns.
//!
//! No signal is two things here. Chrome's own offline emulation (chromedriver's
//! `chromium/network_conditions`) takes the page offline (`navigator.onLine`, the `online`
//! event, its fetches), but not the desk's service worker, whose requests went on reaching
//! the server under it (seen: the desk reopened "offline" came from the server). So the
//! browser also reaches the app through a relay the test cuts (`Link`), and then nothing
//! from the browser, page or worker, gets through.
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sqlx::PgPool;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::Browser;
use crate::common::*;
use simlontar::auth::model::Role;

/// Runs an async script (its last argument is the callback) and returns what it passed.
async fn run(b: &Browser, script: &str) -> Value {
    b.c.execute_async(script, vec![]).await.unwrap()
}

/// Waits until the desk's service worker controls the page and has kept the desk, the
/// files it loads and its map: from then on the desk opens with no signal.
async fn desk_kept_for_offline(b: &Browser) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let kept = run(
            b,
            "const done = arguments[arguments.length - 1];
             navigator.serviceWorker.ready
               .then(() => caches.open('simlontar-desk-v1'))
               .then(c => c.keys())
               .then(ks => done(ks.map(r => new URL(r.url).pathname + new URL(r.url).search).sort()))
               .catch(e => done(String(e)));",
        )
        .await;
        if kept
            == json!([
                "/intake",
                "/intake/map.svg?region=35.78",
                "/static/app.css",
                "/static/intake.js"
            ])
        {
            return;
        }
        assert!(Instant::now() < deadline, "the desk was not kept: {kept}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The phone's link to the server: a TCP relay to the app that the test can cut (open
/// connections are dropped and new ones refused) and restore.
struct Link {
    base: String,
    cut: watch::Sender<bool>,
}

async fn link_to(app: &str) -> Link {
    let target = app.trim_start_matches("http://").to_string();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (cut, watching) = watch::channel(false);
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            if *watching.borrow() {
                continue; // dropped: no signal
            }
            let (mut watching, target) = (watching.clone(), target.clone());
            tokio::spawn(async move {
                let Ok(mut outbound) = TcpStream::connect(&target).await else {
                    return;
                };
                tokio::select! {
                    _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                    _ = watching.wait_for(|cut| *cut) => {}
                }
            });
        }
    });
    Link { base, cut }
}

/// Switches the network off and checks the page really has none.
async fn go_offline(b: &Browser, link: &Link) {
    link.cut.send_replace(true);
    b.network(false).await;
    let reached = run(
        b,
        "const done = arguments[arguments.length - 1];
         fetch('/healthz', {cache: 'no-store'}).then(() => done([navigator.onLine, 'reached']),
                                                   () => done([navigator.onLine, 'no signal']));",
    )
    .await;
    assert_eq!(reached, json!([false, "no signal"]));
}

async fn go_online(b: &Browser, link: &Link) {
    link.cut.send_replace(false);
    b.network(true).await;
}

/// Fills a pick-up as an officer does; `sex` empty leaves the choice unmade.
async fn fill_pick_up(b: &Browser, name: &str, sex: &str, photo: &std::path::Path) {
    b.fill("#found_address", "Terminal Joyoboyo").await;
    b.fill("#found_lat", "-7.2980").await;
    b.fill("#found_lon", "112.7380").await;
    b.fill("#unit", "Satpol PP Surabaya").await;
    b.fill("#stated_name", name).await;
    b.click("input[name=name_quality][value=partial]").await;
    if !sex.is_empty() {
        b.click(&format!("input[name=sex][value={sex}]")).await;
    }
    b.fill("#estimated_age", "60").await;
    b.click("input[name=birth_date_quality][value=approximate]")
        .await;
    b.find("#photos")
        .await
        .send_keys(photo.to_str().unwrap())
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while b
        .c
        .execute(
            "return document.getElementById('photos').dataset.shrunk === '1';",
            vec![],
        )
        .await
        .unwrap()
        != json!(true)
    {
        assert!(Instant::now() < deadline, "the photo was not prepared");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `css`'s text satisfies `ok`.
async fn wait_text(b: &Browser, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let t = b.text(css).await;
        if ok(&t) {
            return t;
        }
        assert!(Instant::now() < deadline, "{css}: {t}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// (cases, photos of the cases, photos still staged) in the database.
async fn stored(pool: &PgPool) -> (i64, i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM ot_case), (SELECT count(*) FROM intake_photo),
                (SELECT count(*) FROM intake_upload)",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn wait_stored(pool: &PgPool, want: (i64, i64, i64)) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let got = stored(pool).await;
        if got == want {
            return;
        }
        assert!(Instant::now() < deadline, "stored {got:?}, not {want:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn photo_file() -> tempfile::NamedTempFile {
    let photo = tempfile::Builder::new().suffix(".jpg").tempfile().unwrap();
    image::RgbImage::from_fn(2000, 1500, |x, y| {
        image::Rgb([(x / 8) as u8, (y / 6) as u8, ((x ^ y) & 0xff) as u8])
    })
    .save(photo.path())
    .unwrap();
    photo
}

#[sqlx::test]
async fn a_pick_up_recorded_with_no_signal_waits_on_the_phone_and_is_sent_once_the_signal_returns(
    pool: PgPool,
) {
    load_geo(&pool).await;
    user(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let link = link_to(&spawn(&pool).await).await;
    let base = &link.base;
    let photo = photo_file();
    let b = Browser::start("intake-offline").await;
    b.sign_in(base, "satpol.sby", "/intake").await;
    desk_kept_for_offline(&b).await;

    go_offline(&b, &link).await;
    fill_pick_up(&b, "Pak Slamet", "male", photo.path()).await;
    b.click("button[name=save]").await;
    let count = wait_text(&b, "#queue-count", |t| t == "menunggu dikirim (1)").await;
    assert_eq!(count, "menunggu dikirim (1)");
    assert_eq!(
        b.text("#queue-status").await,
        "Tersimpan di ponsel — akan dikirim saat ada sinyal."
    );
    let waiting = b.text("#queue-list").await;
    assert!(
        waiting.contains("Pak Slamet") && waiting.contains("1 foto"),
        "{waiting}"
    );
    // The form is empty again, for the next pick-up.
    assert_eq!(
        b.find("#stated_name")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap(),
        ""
    );
    b.c.execute("window.scrollTo(0, 0);", vec![]).await.unwrap();
    b.step("waiting").await;
    assert_eq!(stored(&pool).await, (0, 0, 0), "nothing reached the server");

    // The tab is closed and the desk opened again in a new one, still with no signal: the
    // desk comes from the phone, and so does the waiting pick-up.
    let old = b.c.window().await.unwrap();
    let tab = b.c.new_window(true).await.unwrap();
    b.c.close_window().await.unwrap();
    b.c.switch_to_window(tab.handle).await.unwrap();
    assert_ne!(b.c.window().await.unwrap(), old);
    b.network(false).await; // the new tab's page too
    b.goto(&format!("{base}/intake")).await;
    wait_text(&b, "#queue-count", |t| t == "menunggu dikirim (1)").await;
    assert_eq!(
        b.find("form.intake").await.attr("data-copy").await.unwrap(),
        Some("1".into()),
        "the desk came from the phone's copy"
    );
    b.step("reopened").await;
    assert_eq!(stored(&pool).await, (0, 0, 0));

    // The signal returns: the pick-up is sent, once, with its photo, and leaves the phone.
    go_online(&b, &link).await;
    wait_stored(&pool, (1, 1, 0)).await;
    wait_text(&b, "#queue-count", |t| t == "menunggu dikirim (0)").await;
    let status = b.text("#queue-status").await;
    assert_eq!(
        status,
        "Terkirim: nomor kasus OT-3578-2026-000001. Buka kasus"
    );
    assert_eq!(
        b.find("#queue-status a").await.attr("href").await.unwrap(),
        Some("/cases/OT-3578-2026-000001".into())
    );
    let (name, size): (String, i32) = sqlx::query_as(
        "SELECT i.stated_name, length(p.bytes) FROM intake i JOIN intake_photo p ON p.intake_id = i.id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(name, "Pak Slamet");
    assert!(size <= 500_000, "{size} bytes");
    b.step("sent").await;
    b.c.close().await.unwrap();
}

/// The server saved the pick-up but the phone never heard (the signal went with the
/// answer): the same kept pick-up is sent again, under the same key, and makes no second
/// case; both copies leave the phone.
#[sqlx::test]
async fn a_pick_up_sent_twice_from_the_phone_makes_one_case(pool: PgPool) {
    load_geo(&pool).await;
    user(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let link = link_to(&spawn(&pool).await).await;
    let base = &link.base;
    let photo = photo_file();
    let b = Browser::start("intake-offline-twice").await;
    b.sign_in(base, "satpol.sby", "/intake").await;
    desk_kept_for_offline(&b).await;
    go_offline(&b, &link).await;
    fill_pick_up(&b, "Bu Sumi", "female", photo.path()).await;
    b.click("button[name=save]").await;
    wait_text(&b, "#queue-count", |t| t == "menunggu dikirim (1)").await;
    // The phone holds the pick-up twice, under one key: as if its first send had reached
    // the server and the answer had not come back.
    let copies = run(
        &b,
        "const done = arguments[arguments.length - 1];
         const r = indexedDB.open('simlontar-desk');
         r.onsuccess = () => {
           const t = r.result.transaction('pickups', 'readwrite'), s = t.objectStore('pickups');
           s.getAll().onsuccess = e => {
             const [one] = e.target.result; delete one.id; s.add(one);
             t.oncomplete = () => done(e.target.result.length + 1);
           };
         };",
    )
    .await;
    assert_eq!(copies, json!(2));
    // One of them has waited on the phone for eight days: the desk, opened again with no
    // signal, says it must be sent or discarded.
    run(
        &b,
        "const done = arguments[arguments.length - 1];
         const r = indexedDB.open('simlontar-desk');
         r.onsuccess = () => {
           const t = r.result.transaction('pickups', 'readwrite'), s = t.objectStore('pickups');
           s.getAll().onsuccess = e => {
             const old = e.target.result[1]; old.savedAt -= 8 * 24 * 3600 * 1000; s.put(old);
             t.oncomplete = () => done(true);
           };
         };",
    )
    .await;
    b.goto(&format!("{base}/intake")).await;
    let list = wait_text(&b, "#queue-count", |t| t == "menunggu dikirim (2)").await;
    assert_eq!(list, "menunggu dikirim (2)");
    let list = b.text("#queue-list").await;
    assert_eq!(
        list.matches("Sudah lebih dari 7 hari di ponsel: kirim atau buang.")
            .count(),
        1,
        "{list}"
    );
    go_online(&b, &link).await;
    wait_stored(&pool, (1, 1, 0)).await;
    wait_text(&b, "#queue-count", |t| t == "menunggu dikirim (0)").await;
    // Settled: still one case after the queue is empty.
    assert_eq!(stored(&pool).await, (1, 1, 0));
    b.c.close().await.unwrap();
}

/// A pick-up the server refuses for what it holds stays on the phone with the reason
/// beside it, and opens back in the form to be corrected; nothing typed is lost.
#[sqlx::test]
async fn a_kept_pick_up_the_server_refuses_stays_on_the_phone_with_the_reason(pool: PgPool) {
    load_geo(&pool).await;
    user(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let link = link_to(&spawn(&pool).await).await;
    let base = &link.base;
    let photo = photo_file();
    let b = Browser::start("intake-offline-refused").await;
    b.sign_in(base, "satpol.sby", "/intake").await;
    desk_kept_for_offline(&b).await;
    go_offline(&b, &link).await;
    fill_pick_up(&b, "Pak Darmo", "", photo.path()).await; // no sex chosen
    b.click("button[name=save]").await;
    wait_text(&b, "#queue-count", |t| t == "menunggu dikirim (1)").await;
    go_online(&b, &link).await;
    let list = wait_text(&b, "#queue-list", |t| t.contains("Ditolak server")).await;
    assert!(list.contains("Jenis kelamin"), "{list}");
    assert_eq!(b.text("#queue-count").await, "menunggu dikirim (1)", "kept");
    // Not sent again by itself: it waits for the officer's correction.
    assert_eq!(b.text("#queue-status").await, "");
    assert!(b
        .c
        .find(fantoccini::Locator::Css("#queue-send"))
        .await
        .is_err());
    assert_eq!(stored(&pool).await.0, 0);
    b.c.execute("document.getElementById('queue').scrollIntoView();", vec![])
        .await
        .unwrap();
    b.step("refused").await;

    // Opened in the form, corrected and saved: one case, with the photo the server kept.
    b.click("#queue-list button").await;
    assert_eq!(
        b.find("#stated_name")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap(),
        "Pak Darmo"
    );
    b.click("input[name=sex][value=male]").await;
    b.click_and_load("button[name=save]").await;
    b.wait_for_path("/intake/saved/OT-3578-2026-000001").await;
    assert_eq!(stored(&pool).await, (1, 1, 0));
    // The saved page made the phone forget its copy: the desk shows no waiting list.
    b.goto(&format!("{base}/intake")).await;
    let kept = run(
        &b,
        "const done = arguments[arguments.length - 1];
         const r = indexedDB.open('simlontar-desk');
         r.onsuccess = () => r.result.transaction('pickups').objectStore('pickups').count()
           .onsuccess = e => done(e.target.result);",
    )
    .await;
    assert_eq!(kept, json!(0));
    assert_eq!(
        b.find("#queue").await.prop("hidden").await.unwrap(),
        Some("true".into())
    );
    b.c.close().await.unwrap();
}

/// A phone shared at a post: the pick-up one officer left waiting is neither shown nor sent
/// while another is signed in, signing out asks first, and the sign-out deletes the copy of
/// the desk; it is sent when its officer signs in again, as theirs.
#[sqlx::test]
async fn on_a_shared_phone_a_waiting_pick_up_is_sent_only_by_its_officer(pool: PgPool) {
    load_geo(&pool).await;
    let first = user(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    user(&pool, "satpol.kedua", Role::IntakeOfficer, Some("35.78")).await;
    let link = link_to(&spawn(&pool).await).await;
    let base = &link.base;
    let photo = photo_file();
    let b = Browser::start("intake-offline-shared").await;
    b.sign_in(base, "satpol.sby", "/intake").await;
    desk_kept_for_offline(&b).await;
    go_offline(&b, &link).await;
    fill_pick_up(&b, "Pak Slamet", "male", photo.path()).await;
    b.click("button[name=save]").await;
    wait_text(&b, "#queue-count", |t| t == "menunggu dikirim (1)").await;

    // Signing out while a pick-up waits asks first; "no" stays on the desk.
    b.click("form.signout button").await;
    let ask = b.c.get_alert_text().await.unwrap();
    assert!(
        ask.starts_with("1 penerimaan masih menunggu dikirim."),
        "{ask}"
    );
    b.c.dismiss_alert().await.unwrap();
    assert_eq!(b.c.current_url().await.unwrap().path(), "/intake");

    // Later, with signal, the officer signs out from another page (no desk, so nothing is
    // sent): the phone forgets its copy of the desk.
    let tab = b.c.new_window(true).await.unwrap();
    b.c.close_window().await.unwrap();
    b.c.switch_to_window(tab.handle).await.unwrap();
    go_online(&b, &link).await;
    b.goto(&format!("{base}/cases")).await;
    b.click_and_load("form.signout button").await;
    b.wait_for_path("/login").await;
    let copy = run(
        &b,
        "const done = arguments[arguments.length - 1];
         caches.open('simlontar-desk-v1').then(c => c.match('/intake')).then(r => done(!!r));",
    )
    .await;
    assert_eq!(copy, json!(false), "the copy of the desk is deleted");

    // Another officer on the same phone: told that another's pick-up waits, nothing more.
    b.sign_in(base, "satpol.kedua", "/intake").await;
    let list = wait_text(&b, "#queue-list", |t| !t.is_empty()).await;
    assert_eq!(
        list,
        "1 penerimaan milik petugas lain menunggu di ponsel ini; terkirim saat petugas itu masuk."
    );
    assert_eq!(b.text("#queue-count").await, "menunggu dikirim (0)");
    b.step("other-officer").await;
    b.click_and_load("form.signout button").await;
    b.wait_for_path("/login").await;
    assert_eq!(
        stored(&pool).await,
        (0, 0, 0),
        "not sent by another officer"
    );

    // Its officer signs in again: sent, as theirs.
    b.sign_in(base, "satpol.sby", "/intake").await;
    wait_stored(&pool, (1, 1, 0)).await;
    let officer: i64 = sqlx::query_scalar("SELECT officer_id FROM intake")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(officer, first);
    b.c.close().await.unwrap();
}
