//! Issue 24's Done-when: from an empty database with the demo off, the province reaches a
//! ready state only through the commands and pages an administrator uses — no SQL writes:
//! the geography, the first administrator with one-time codes, a staff account per UPT,
//! the offices' addresses, each estimated ward's bed count confirmed on its page, the
//! residents of two UPTs and a year of occupancy history. `simlontar readiness` then exits
//! 0, and the capacity screen and the forecast count the imported residents.
use std::process::{Command, Stdio};

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate};
use sqlx::PgPool;

use crate::common::{app_pool, now, router_with, settings, test_geo_dir, Client, PASSWORD};
use crate::mail::MailServer;
use crate::mfa::{password_step, secret_on};
use simlontar::config::SmtpSettings;

/// The real binary with the demo off, the test's database and mail server: (ok, stdout,
/// stderr). Off the runtime's thread, which serves the mail server meanwhile.
async fn simlontar(
    owner: &PgPool,
    smtp: &SmtpSettings,
    args: &[&str],
    stdin: &str,
) -> (bool, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_simlontar"));
    command
        .args(args)
        .env_clear()
        .env("DATABASE_URL", crate::cli::url(owner))
        .env("SIMLONTAR_DEMO", "false")
        .env("SIMLONTAR_SMTP__HOST", &smtp.host)
        .env("SIMLONTAR_SMTP__PORT", smtp.port.to_string())
        .env("SIMLONTAR_SMTP__SECURITY", "none")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let stdin = stdin.to_string();
    let out = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = command.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn ok(owner: &PgPool, smtp: &SmtpSettings, args: &[&str], stdin: &str) -> String {
    let (ok, out, err) = simlontar(owner, smtp, args, stdin).await;
    assert!(ok, "simlontar {}: {err}", args.join(" "));
    format!("{out}{err}")
}

/// Reading the reference lists a clerk would have at hand (never writing).
async fn codes(owner: &PgPool, sql: &str) -> Vec<(String, String)> {
    sqlx::query_as(sql).fetch_all(owner).await.unwrap()
}

#[sqlx::test]
async fn an_empty_database_reaches_readiness_through_commands_and_pages_alone(owner: PgPool) {
    let server = MailServer::start().await;
    let smtp = server.settings();
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let geo = test_geo_dir();
    ok(
        &owner,
        &smtp,
        &["geo", "load", "--dir", geo.to_str().unwrap()],
        "",
    )
    .await;

    // Not ready: nothing has been entered yet.
    let (ready, out, _) = simlontar(&owner, &smtp, &["readiness"], "").await;
    assert!(!ready, "an empty province is not ready: {out}");

    // The first administrator, from the command line, then one-time codes on the page.
    let user_add = |name: &str, role: &str, scope: Option<&str>| {
        let mut args = vec![
            "user".to_string(),
            "add".into(),
            name.into(),
            "--role".into(),
            role.into(),
        ];
        if let Some(s) = scope {
            args.extend(["--scope".into(), s.into()]);
        }
        args.push("--password-stdin".into());
        args
    };
    let args = user_add("admin.prov", "admin", None);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(&owner, &smtp, &args, &format!("{PASSWORD}\n")).await;
    let mut s = settings();
    s.mfa_required = true;
    s.smtp = smtp.clone();
    let mut admin = Client {
        router: router_with(&owner, s, now()).await,
        cookie: None,
        csrf: None,
    };
    let page = password_step(&mut admin, "admin.prov").await;
    let code = simlontar::auth::mfa::code_at(&secret_on(&page), now());
    let signed = admin
        .post(
            "/login/totp",
            &[("code", &code), ("next", "/admin/readiness")],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let readiness = admin.get("/admin/readiness").await;
    assert_eq!(readiness.status, StatusCode::OK);

    // A staff account for every UPT.
    let upts = codes(&owner, "SELECT code, name FROM upt ORDER BY code").await;
    for (i, (upt, _)) in upts.iter().enumerate() {
        let args = user_add(&format!("staf.upt{i}"), "upt_staff", Some(upt));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&owner, &smtp, &args, &format!("{PASSWORD}\n")).await;
    }

    // The offices: East Java's regencies and cities, the relay desks, the UPT heads.
    let mut offices = String::from("code,office,email,phone,contact\n");
    let regencies = codes(
        &owner,
        "SELECT code, name FROM region WHERE province_code = '35' ORDER BY code",
    )
    .await;
    let relays = codes(
        &owner,
        "SELECT DISTINCT handover_province_code, handover_province_code FROM relay_rule ORDER BY 1",
    )
    .await;
    for (code, name) in regencies.iter().chain(&relays).chain(&upts) {
        let slug = code.replace('.', "").to_lowercase();
        offices += &format!("{code},Dinas Sosial {name},sosial.{slug}@dinsos.example.go.id,031-555-0100,Petugas piket\n");
    }
    let offices = file("kantor.csv", &offices);
    ok(
        &owner,
        &smtp,
        &["import", "offices", &offices, "--as", "admin.prov"],
        "",
    )
    .await;
    let again = ok(
        &owner,
        &smtp,
        &["import", "offices", &offices, "--as", "admin.prov"],
        "",
    )
    .await;
    assert!(
        again.contains("nothing"),
        "a second run changes nothing: {again}"
    );

    // Each ward whose beds are an estimate: its bed count confirmed on its page.
    let estimated: Vec<(i64, i32)> =
        sqlx::query_as("SELECT id, beds FROM ward WHERE beds_estimated ORDER BY id")
            .fetch_all(&owner)
            .await
            .unwrap();
    assert!(!estimated.is_empty());
    for (id, beds) in &estimated {
        let res = admin
            .post(
                &format!("/capacity/wards/{id}/beds"),
                &[
                    ("beds", &beds.to_string()),
                    ("reason", "dihitung saat mulai"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "ward {id}: {}", res.body);
    }

    // The people already living in two UPTs.
    let residents = file(
        "penghuni.csv",
        "upt,ward,admitted_on,full_name,sex,birth_year,home_region,nik,notes\n\
         RSBL-PASURUAN,L,2019-03-01,Sutrisno,L,1971,35.18,,\n\
         RSBL-PASURUAN,L,2021-07-15,,L,,,,tidak bicara; ditemukan di Bangil\n\
         RSBL-PASURUAN,P,2023-01-09,Sumirah,P,1980,3203,,\n\
         PSTW-MAGETAN,PSTW-MAGETAN-L,2024-05-20,Mbah Karto,L,1941,35.20,,\n\
         PSTW-MAGETAN,PSTW-MAGETAN-P,2025-02-02,Mbah Sainem,P,1944,,,\n",
    );
    ok(
        &owner,
        &smtp,
        &["import", "residents", &residents, "--as", "admin.prov"],
        "",
    )
    .await;

    // A year of occupancy history of one ward, as the UPT kept it on paper.
    let ward = "RSBL-PASURUAN-L";
    let mut history = String::from("date,upt,ward,capacity,occupancy,admissions,discharges\n");
    let last = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    for k in 0..365 {
        let day = last - Duration::days(364 - k);
        let occupancy = 150 + (k % 30);
        let (admissions, discharges) = if k % 30 == 29 { (0, 29) } else { (1, 0) };
        history +=
            &format!("{day},RSBL-PASURUAN,{ward},180,{occupancy},{admissions},{discharges}\n");
    }
    let history = file("riwayat.csv", &history);
    ok(
        &owner,
        &smtp,
        &["import", "occupancy", &history, "--as", "admin.prov"],
        "",
    )
    .await;

    // Ready: nothing blocks, and the command says so with exit 0.
    let (ready, out, err) = simlontar(&owner, &smtp, &["readiness"], "").await;
    assert!(ready, "still blocked:\n{out}{err}");
    assert!(out.contains("ready"), "{out}");
    let page = admin.get("/admin/readiness").await;
    assert_eq!(page.status, StatusCode::OK);

    // The capacity screen counts the imported residents, and the forecast learnt from them.
    let pool = app_pool(&owner).await;
    simlontar::capacity::evaluate::run(&pool, &settings(), None, now())
        .await
        .unwrap();
    let upt_page = admin.get("/capacity/upt/RSBL-PASURUAN").await;
    assert_eq!(upt_page.status, StatusCode::OK);
    let (occupied, stays): (i32, serde_json::Value) = sqlx::query_as(
        "SELECT w.occupied, f.inputs->'completed_stays' FROM ward w
           JOIN capacity_forecast f ON f.ward_id = w.id
          WHERE w.upt_code = 'RSBL-PASURUAN' AND w.code = $1 ORDER BY f.id DESC LIMIT 1",
    )
    .bind(ward)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(
        occupied, 2,
        "the two men imported into the ward occupy beds"
    );
    assert!(
        stays.as_i64().unwrap() > 0,
        "the forecast learnt stays: {stays}"
    );
    let screen = admin.get("/capacity").await;
    assert_eq!(screen.status, StatusCode::OK);
    let magetan = admin.get("/capacity/upt/PSTW-MAGETAN").await;
    assert!(
        magetan.body.contains("Tresna Werdha Magetan"),
        "{}",
        magetan.body
    );
    drop(server);
}
