//! `simlontar import residents`: the people already in the UPTs on the first day.
use std::path::PathBuf;

use simlontar::auth::model::{Principal, Role};
use simlontar::shelter::residents_store::{import, Summary};

/// The administrator a go-live import acts as (`--as`).
async fn administrator(
    pool: &PgPool,
    name: &str,
) -> anyhow::Result<simlontar::auth::model::Principal> {
    simlontar::auth::store::acting(pool, name, simlontar::auth::policy::Action::ImportState).await
}
use sqlx::PgPool;

use crate::common::{load_geo, now, signed_in, user};

const HEADER: &str = "upt,ward,admitted_on,full_name,sex,birth_year,home_region,nik,notes\n";

const GOOD: &str = r#"RSBL-PASURUAN,L,2019-03-01,Moh Joko,L,1975,3203,,
RSBL-PASURUAN,RSBL-PASURUAN-P,2020-06-15,Siti Aminah,perempuan,1981,52.06,3578015208800001,
RSBL-PASURUAN,P,2021-01-10,,,,,,"rambut pendek, tahi lalat di pipi"
PSTW-MAGETAN,PSTW-MAGETAN-L,2024-11-30,Pak Slamet,male,,35.20,,
"#;

fn file(name: &str, body: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("residents");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}-{}.csv", std::process::id()));
    std::fs::write(&path, format!("{HEADER}{body}")).unwrap();
    path
}

async fn admin(pool: &PgPool) -> Principal {
    user(pool, "admin.go", Role::Admin, None).await;
    administrator(pool, "admin.go").await.unwrap()
}

async fn run(pool: &PgPool, path: &std::path::Path, dry_run: bool) -> anyhow::Result<Summary> {
    let a = administrator(pool, "admin.go").await?;
    import(pool, path, &a, dry_run, (now(), chrono_tz::Asia::Jakarta)).await
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

async fn occupied(pool: &PgPool, ward: &str) -> i32 {
    sqlx::query_scalar("SELECT occupied FROM ward WHERE code = $1")
        .bind(ward)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn each_row_becomes_a_case_placed_in_its_ward_since_admission(pool: PgPool) {
    load_geo(&pool).await;
    let a = admin(&pool).await;
    let s = run(&pool, &file("good", GOOD), false).await.unwrap();
    assert_eq!((s.created, s.already), (4, 0));
    assert_eq!(occupied(&pool, "RSBL-PASURUAN-L").await, 1);
    assert_eq!(occupied(&pool, "RSBL-PASURUAN-P").await, 2);
    assert_eq!(occupied(&pool, "PSTW-MAGETAN-L").await, 1);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM ot_case WHERE state = 'placed'").await,
        4
    );
    // Placed since the day of admission (midnight WIB), numbered in the year of admission.
    let (number, started): (String, chrono::DateTime<chrono::Utc>) = sqlx::query_as(
        "SELECT c.number, p.started_at FROM ot_case c JOIN placement p ON p.case_id = c.id
           JOIN intake i ON i.id = c.intake_id WHERE i.stated_name = 'Moh Joko'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(number.starts_with("OT-3514-2019-"), "{number}");
    assert_eq!(started.to_rfc3339(), "2019-02-28T17:00:00+00:00");
    // Audited as the administrator, one row per case.
    assert_eq!(
        count(
            &pool,
            &format!(
                "SELECT count(*) FROM audit_log WHERE action = 'create' AND entity = 'case'
                   AND actor_id = {} AND detail->>'via' = 'import'",
                a.user_id
            )
        )
        .await,
        4
    );
    // Matching and the capacity figures are asked for, like after any intake.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM work_queue WHERE kind IN ('reintake', 'capacity')"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM intake WHERE linkage_checked_at IS NULL"
        )
        .await,
        4
    );
    // The case page says it was imported, not picked up, and names the unnamed person.
    let mut officer = signed_in(&pool, "kasus", Role::CaseOfficer, None).await;
    let unnamed: String = sqlx::query_scalar(
        "SELECT c.number FROM ot_case c JOIN intake i ON i.id = c.intake_id WHERE i.stated_name = ''",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let page = officer.get(&format!("/cases/{unnamed}")).await;
    assert!(page.body.contains("Diimpor saat mulai"), "{}", page.body);
    assert!(
        page.body
            .contains("Tanpa nama (UPT Rehabilitasi Sosial Bina Laras Pasuruan, masuk 2021)"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Dijangkau"), "not a pick-up");
}

#[sqlx::test]
async fn a_second_run_changes_nothing(pool: PgPool) {
    load_geo(&pool).await;
    admin(&pool).await;
    let path = file("twice", GOOD);
    run(&pool, &path, false).await.unwrap();
    let audit = count(&pool, "SELECT count(*) FROM audit_log").await;
    let s = run(&pool, &path, false).await.unwrap();
    assert_eq!((s.created, s.already), (0, 4));
    assert_eq!(count(&pool, "SELECT count(*) FROM ot_case").await, 4);
    assert_eq!(count(&pool, "SELECT count(*) FROM audit_log").await, audit);
    assert_eq!(occupied(&pool, "RSBL-PASURUAN-P").await, 2);
    // A file with one more row adds that row only.
    let more = format!("{GOOD}RSBL-PASURUAN,L,2022-02-02,Budi,L,,,,\n");
    let s = run(&pool, &file("more", &more), false).await.unwrap();
    assert_eq!((s.created, s.already), (1, 4));
}

#[sqlx::test]
async fn a_dry_run_writes_nothing(pool: PgPool) {
    load_geo(&pool).await;
    admin(&pool).await;
    let audit = count(&pool, "SELECT count(*) FROM audit_log").await;
    let s = run(&pool, &file("dry", GOOD), true).await.unwrap();
    assert_eq!((s.created, s.dry_run), (4, true));
    assert_eq!(count(&pool, "SELECT count(*) FROM intake").await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM audit_log").await, audit);
    assert_eq!(occupied(&pool, "RSBL-PASURUAN-P").await, 0);
}

#[sqlx::test]
async fn one_bad_row_writes_nothing_and_every_bad_cell_is_named(pool: PgPool) {
    load_geo(&pool).await;
    admin(&pool).await;
    let bad = format!(
        "{GOOD}RSBL-NOWHERE,L,2019-03-01,A,,,,,
RSBL-PASURUAN,X,2019-03-01,B,,,,,
RSBL-PASURUAN,L,2027-01-01,C,,,,,
RSBL-PASURUAN,L,2019-03-01,D,,,99.99,3578015208800000,
RSBL-PASURUAN,L,2019-03-01,Moh  Joko,L,1975,3203,,
"
    );
    let e = run(&pool, &file("bad", &bad), false)
        .await
        .unwrap_err()
        .to_string();
    for expected in [
        "line 6, column upt: unknown UPT `RSBL-NOWHERE`",
        "line 7, column ward: unknown ward `X` (wards of RSBL-PASURUAN: RSBL-PASURUAN-L (",
        "line 8, column admitted_on: 2027-01-01 is in the future",
        "line 9, column home_region: no region 99.99",
        "line 9, column nik:",
        "line 10, column full_name: the same person as line 2",
    ] {
        assert!(e.contains(expected), "{expected:?} not in:\n{e}");
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM intake").await, 0);
    assert_eq!(count(&pool, "SELECT sum(occupied) FROM ward").await, 0);
}

#[sqlx::test]
async fn a_bad_header_is_refused_before_any_row(pool: PgPool) {
    load_geo(&pool).await;
    admin(&pool).await;
    let path = file("header", "");
    std::fs::write(
        &path,
        "upt,ward,since,full_name\nRSBL-PASURUAN,L,2019-03-01,A\n",
    )
    .unwrap();
    let e = run(&pool, &path, false).await.unwrap_err().to_string();
    assert!(
        e.contains("line 1 (header)")
            && e.contains("column `admitted_on` is missing")
            && e.contains("column `sex` is missing"),
        "{e}"
    );
    assert!(e.contains("column `since` is not one of"), "{e}");
}

#[sqlx::test]
async fn a_ward_filled_beyond_its_beds_refuses_the_whole_file(pool: PgPool) {
    load_geo(&pool).await;
    admin(&pool).await;
    // Test setup: a small ward.
    sqlx::query("UPDATE ward SET beds = 2 WHERE code = 'RSBL-PASURUAN-L'")
        .execute(&pool)
        .await
        .unwrap();
    let rows: String = (0..4)
        .map(|i| format!("RSBL-PASURUAN,L,2019-03-0{},Orang {i},L,,,,\n", i + 1))
        .collect();
    let e = run(&pool, &file("full", &rows), false)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("ward RSBL-PASURUAN-L (Wisma Laki-laki) has 2 free bed(s) but the file puts 4 people in it: 2 row(s) too many"),
        "{e}"
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM placement").await, 0);
}

#[sqlx::test]
async fn only_an_active_administrator_may_import(pool: PgPool) {
    load_geo(&pool).await;
    user(&pool, "kasus", Role::CaseOfficer, None).await;
    let e = administrator(&pool, "kasus").await.unwrap_err().to_string();
    assert!(e.contains("may not do this"), "{e}");
    let e = administrator(&pool, "nobody")
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("no active user"), "{e}");
}

#[sqlx::test]
async fn the_command_imports_and_says_when_nothing_changed(pool: PgPool) {
    load_geo(&pool).await;
    admin(&pool).await;
    let path = file("cli", GOOD);
    let path = path.to_str().unwrap();
    let args = ["import", "residents", path, "--as", "admin.go"];
    let (ok, _, err) = crate::cli::run(&pool, &[&args[..], &["--dry-run"]].concat(), "");
    assert!(ok && err.contains("4 residents would be placed"), "{err}");
    assert!(
        err.contains("warning: line 3, column nik"),
        "the NIK says 1980: {err}"
    );
    let (ok, _, err) = crate::cli::run(&pool, &args, "");
    assert!(
        ok && err.contains("4 residents placed, 0 already imported"),
        "{err}"
    );
    let (ok, _, err) = crate::cli::run(&pool, &args, "");
    assert!(
        ok && err.contains("0 residents placed, 4 already imported; nothing changed"),
        "{err}"
    );
    let (ok, _, err) = crate::cli::run(&pool, &["import", "residents", path, "--as", "nobody"], "");
    assert!(!ok && err.contains("no active user nobody"), "{err}");
}

#[sqlx::test]
async fn a_register_names_every_programme_the_province_uses_and_an_administrator_adds_more(
    pool: PgPool,
) {
    load_geo(&pool).await;
    admin(&pool).await;
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("residents");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("dtks-{}.csv", std::process::id()));
    let register = "id,nik,name,birth_date,sex,village_code,address,programmes
D1,3578015208900001,Sumiati,1990-08-12,P,,,PKH;PKH Plus;BPNT;sembako
D2,,Slamet,,L,,,PBI-JK;PBIN;PBID;BLT;ASPD;KIP
D3,,Joko,,L,,,PKH;ASLUT
D4,,Ani,,P,,,KUBE
";
    std::fs::write(&path, register).unwrap();
    let path = path.to_str().unwrap();
    let import = |pool: &PgPool| {
        crate::cli::run(
            pool,
            &["registry", "import", path, "--source", "DTKS-2026-12"],
            "",
        )
    };
    let (ok, _, err) = import(&pool);
    assert!(!ok, "ASLUT and KUBE are not known yet");
    assert!(
        err.contains("line 4, column programmes: unknown programme `ASLUT`")
            && err.contains("line 5, column programmes: unknown programme `KUBE`")
            && err.contains("simlontar registry programme add"),
        "{err}"
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM registry_person").await,
        0
    );
    for (code, id, en) in [
        (
            "ASLUT",
            "Asistensi Sosial Lanjut Usia Terlantar",
            "Social assistance for neglected older people",
        ),
        ("KUBE", "Kelompok Usaha Bersama", "Joint business groups"),
    ] {
        let args = [
            "registry",
            "programme",
            "add",
            code,
            "--name-id",
            id,
            "--name-en",
            en,
            "--as",
            "admin.go",
        ];
        let (ok, _, err) = crate::cli::run(&pool, &args, "");
        assert!(ok && err.contains("added"), "{err}");
        let (ok, _, err) = crate::cli::run(&pool, &args, "");
        assert!(ok && err.contains("nothing changed"), "{err}");
    }
    let (ok, _, err) = crate::cli::run(
        &pool,
        &[
            "registry",
            "programme",
            "add",
            "X Y",
            "--name-id",
            "a",
            "--name-en",
            "b",
            "--as",
            "kasus",
        ],
        "",
    );
    assert!(!ok && err.contains("no active user kasus"), "{err}");
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM audit_log WHERE entity = 'assistance_programme'"
        )
        .await,
        2
    );
    let (ok, _, err) = import(&pool);
    assert!(ok, "{err}");
    let stored: Vec<String> = sqlx::query_scalar(
        "SELECT array_to_string(programmes, ';') FROM registry_person ORDER BY external_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        stored,
        [
            "PKH;PKH-PLUS;BPNT;SEMBAKO",
            "PBI;PBIN;PBID;BLT;ASPD;KIP",
            "PKH;ASLUT",
            "KUBE"
        ]
    );
    let named = simlontar::identity::registry::programmes_for_nik(
        &pool,
        "3578015208900001",
        simlontar_templates::Lang::Id,
    )
    .await
    .unwrap();
    assert_eq!(
        named[0].1,
        [
            "Program Keluarga Harapan (PKH)",
            "PKH Plus (Jawa Timur, lanjut usia) (PKH-PLUS)",
            "Bantuan Pangan Non Tunai (BPNT)",
            "Program Sembako (SEMBAKO)"
        ]
    );
}

// Corrections of a saved intake.

async fn intake_by(pool: &PgPool, officer: &str) -> (String, String) {
    let t = crate::common::token(pool, officer, Role::IntakeOfficer, Some("35.78")).await;
    let key = uuid::Uuid::new_v4().to_string();
    let r = crate::common::router(pool).await;
    let res = crate::common::send(
        &r,
        crate::common::api(
            "POST",
            "/api/v1/intakes",
            &t,
            Some(&key),
            crate::common::intake_json(),
        ),
    )
    .await;
    assert_eq!(res.status, axum::http::StatusCode::CREATED, "{}", res.body);
    (res.json()["case_number"].as_str().unwrap().to_string(), t)
}

fn correction(
    number: &str,
    token: &str,
    body: serde_json::Value,
) -> axum::http::Request<axum::body::Body> {
    crate::common::api(
        "POST",
        &format!("/api/v1/cases/{number}/corrections"),
        token,
        None,
        body,
    )
}

#[sqlx::test]
async fn a_case_officer_corrects_an_intake_and_the_history_keeps_before_and_after(pool: PgPool) {
    load_geo(&pool).await;
    let (number, _) = intake_by(&pool, "satpol.sby").await;
    let t = crate::common::token(&pool, "kasus", Role::CaseOfficer, None).await;
    let r = crate::common::router(&pool).await;
    sqlx::query("UPDATE intake SET linkage_checked_at = now()")
        .execute(&pool)
        .await
        .unwrap();
    let res = crate::common::send(
        &r,
        correction(&number, &t, serde_json::json!({
            "stated_name": "Pak Slamet Riyadi", "sex": "male", "conditions": ["elderly", "sick"],
            "reason": "nama lengkap dari keluarga"
        })),
    )
    .await;
    assert_eq!(res.status, axum::http::StatusCode::OK, "{}", res.body);
    assert_eq!(
        res.json()["fields"],
        serde_json::json!(["stated_name", "conditions"])
    );
    let (name, checked): (String, Option<chrono::DateTime<chrono::Utc>>) =
        sqlx::query_as("SELECT stated_name, linkage_checked_at FROM intake")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(name, "Pak Slamet Riyadi");
    assert!(checked.is_none(), "matching looks at the intake again");
    let (reason, detail): (String, serde_json::Value) =
        sqlx::query_as("SELECT reason, detail FROM case_event WHERE kind = 'corrected'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(reason, "nama lengkap dari keluarga");
    assert_eq!(
        detail["changes"][0],
        serde_json::json!({"field": "stated_name", "before": "Pak Slamet", "after": "Pak Slamet Riyadi"})
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM audit_log WHERE action = 'correct'"
        )
        .await,
        1
    );
    // The case page's history says what changed, who and why.
    let mut officer = signed_in(&pool, "kasus2", Role::CaseOfficer, None).await;
    let page = officer.get(&format!("/cases/{number}")).await;
    assert!(
        page.body
            .contains("Nama diperbaiki: Pak Slamet → Pak Slamet Riyadi"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("alasan: nama lengkap dari keluarga"),
        "{}",
        page.body
    );
}

#[sqlx::test]
async fn a_correction_needs_a_reason_valid_values_and_a_change(pool: PgPool) {
    load_geo(&pool).await;
    let (number, _) = intake_by(&pool, "satpol.sby").await;
    let t = crate::common::token(&pool, "kasus", Role::CaseOfficer, None).await;
    let r = crate::common::router(&pool).await;
    for (body, field) in [
        (
            serde_json::json!({"stated_name": "Slamet", "reason": " "}),
            "reason",
        ),
        (serde_json::json!({"sex": "x", "reason": "salah"}), "sex"),
        (
            serde_json::json!({"birth_date": "2030-01-01", "birth_date_quality": "exact", "reason": "salah"}),
            "birth_date",
        ),
        (
            serde_json::json!({"conditions": ["flu"], "reason": "salah"}),
            "conditions[0]",
        ),
        (
            serde_json::json!({"stated_name": "Pak Slamet", "reason": "sama saja"}),
            "reason",
        ),
    ] {
        let res = crate::common::send(&r, correction(&number, &t, body.clone())).await;
        assert_eq!(res.status.as_u16(), 422, "{body}: {}", res.body);
        assert!(
            res.body.contains(&format!("\"{field}\"")),
            "{body}: {}",
            res.body
        );
    }
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM case_event WHERE kind = 'corrected'"
        )
        .await,
        0
    );
}

#[sqlx::test]
async fn the_recording_intake_officer_corrects_for_a_day_and_nobody_else_of_the_desk(pool: PgPool) {
    load_geo(&pool).await;
    let (number, own) = intake_by(&pool, "satpol.sby").await;
    let body = serde_json::json!({"stated_name": "Slamet", "reason": "salah ketik"});
    let r = crate::common::router(&pool).await;
    // Another intake officer of the same regency sees the case but may not correct it.
    let colleague =
        crate::common::token(&pool, "satpol.sby2", Role::IntakeOfficer, Some("35.78")).await;
    let res = crate::common::send(&r, correction(&number, &colleague, body.clone())).await;
    assert_eq!(res.status.as_u16(), 403, "{}", res.body);
    // One of another regency does not see it at all.
    let other = crate::common::token(&pool, "satpol.bwi", Role::IntakeOfficer, Some("35.10")).await;
    let res = crate::common::send(&r, correction(&number, &other, body.clone())).await;
    assert_eq!(res.status.as_u16(), 404, "{}", res.body);
    // A day and a minute later, the recording officer is told to ask a case officer.
    let late =
        crate::common::router_at(&pool, now() + chrono::Duration::minutes(24 * 60 + 1)).await;
    let res = crate::common::send(&late, correction(&number, &own, body.clone())).await;
    assert_eq!(res.status.as_u16(), 409, "{}", res.body);
    assert!(res.body.contains("petugas kasus"), "{}", res.body);
    // Within the day they may.
    let res = crate::common::send(&r, correction(&number, &own, body)).await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.body);
}

/// A small real picture, as a phone would send it.
fn png() -> Vec<u8> {
    let picture =
        image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let mut out = std::io::Cursor::new(vec![]);
    picture.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[sqlx::test]
async fn the_correction_form_keeps_what_was_typed_and_confirms_a_saved_correction(pool: PgPool) {
    load_geo(&pool).await;
    let (number, _) = intake_by(&pool, "satpol.sby").await;
    let mut officer = signed_in(&pool, "kasus", Role::CaseOfficer, None).await;
    let case = officer.get(&format!("/cases/{number}")).await;
    assert!(
        case.body.contains(&format!("/cases/{number}/correction")),
        "the case page offers it"
    );
    let form = officer.get(&format!("/cases/{number}/correction")).await;
    assert_eq!(form.status.as_u16(), 200, "{}", form.body);
    assert!(
        form.body.contains("value=\"Pak Slamet\""),
        "filled with what is stored"
    );
    let uri = format!("/cases/{number}/correction");
    let typed = [
        ("stated_name", "Slamet Riyadi"),
        ("sex", "male"),
        ("estimated_age", "61"),
        ("birth_date_quality", "approximate"),
        ("conditions", "elderly"),
        ("found_address", "Jl. Pahlawan"),
        ("reason", ""),
    ];
    let res = officer.post_multipart(&uri, &typed, &[]).await;
    assert_eq!(res.status.as_u16(), 422, "{}", res.body);
    assert!(
        res.body.contains("id=\"reason-error\""),
        "the error is beside the reason: {}",
        res.body
    );
    assert!(
        res.body.contains("value=\"Slamet Riyadi\""),
        "nothing typed is lost"
    );
    let mut with_reason = typed.to_vec();
    with_reason.pop();
    with_reason.push(("reason", "nama lengkap dari KTP"));
    let photo = png();
    let res = officer.post_multipart(&uri, &with_reason, &[&photo]).await;
    assert_eq!(res.status.as_u16(), 303, "{}", res.body);
    assert_eq!(res.location(), format!("{uri}?saved=1"));
    let done = officer.get(res.location()).await;
    assert!(done.body.contains("Perbaikan tersimpan"), "{}", done.body);
    assert!(
        done.body.contains("1 foto sudah tersimpan"),
        "{}",
        done.body
    );
    let case = officer.get(&format!("/cases/{number}")).await;
    assert!(
        case.body
            .contains("Nama diperbaiki: Pak Slamet → Slamet Riyadi")
            && case.body.contains("Perkiraan umur diperbaiki: 60 → 61")
            && case
                .body
                .contains("1 foto ditambahkan; alasan: nama lengkap dari KTP"),
        "{}",
        case.body
    );
    // The stored photo went through the intake's cleaning: a JPEG now.
    let kind: String = sqlx::query_scalar("SELECT content_type FROM intake_photo")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(kind, "image/jpeg");
}

#[sqlx::test]
async fn an_imported_resident_admitted_years_ago_can_be_corrected(pool: PgPool) {
    load_geo(&pool).await;
    admin(&pool).await;
    run(&pool, &file("named-later", GOOD), false).await.unwrap();
    let number: String = sqlx::query_scalar(
        "SELECT c.number FROM ot_case c JOIN intake i ON i.id = c.intake_id WHERE i.stated_name = ''",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let t = crate::common::token(&pool, "kasus", Role::CaseOfficer, None).await;
    let r = crate::common::router(&pool).await;
    let body = serde_json::json!({"stated_name": "Sutrisno", "reason": "nama dari keluarga"});
    let res = crate::common::send(&r, correction(&number, &t, body)).await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.body);
    let quality: String =
        sqlx::query_scalar("SELECT name_quality FROM intake WHERE stated_name = 'Sutrisno'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(quality, "full");
}
