//! Offices (issue 24): `simlontar import offices`, the one address every notice takes, the
//! UPT heads' capacity alerts, the administrator's offices page, and the readiness check.
use std::path::PathBuf;

use chrono::Duration;
use sqlx::PgPool;

use crate::common::{app_pool, load_geo, now, settings, signed_in, user};
use crate::mail::MailServer;
use simlontar::auth::model::{Principal, Role};
use simlontar::auth::policy::Action;
use simlontar::notify::office_import::{import, Summary};

/// A file under the test's own temporary folder.
fn file(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "offices-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

async fn admin(owner: &PgPool) -> Principal {
    user(owner, "root", Role::Admin, None).await;
    simlontar::auth::store::acting(owner, "root", Action::ManageOffices)
        .await
        .unwrap()
}

const GOOD: &str = "code,office,email,phone,contact
3518,Dinas Sosial Kabupaten Nganjuk,dinsos@nganjukkab.go.id,0358 321234,Bu Sri
35.10,Dinas Sosial Kabupaten Banyuwangi,dinsos@banyuwangikab.go.id,,
33,Dinas Sosial Provinsi Jawa Tengah,dinsos@jatengprov.go.id,024 123,
32.03,Dinas Sosial Kabupaten Cianjur,dinsos@cianjurkab.go.id,,
rsbl-pasuruan,Kepala UPT RSBL Pasuruan,kepala.rsbl@dinsos.jatimprov.go.id,,Pak Budi
";

async fn count(owner: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(owner).await.unwrap()
}

#[sqlx::test]
async fn an_office_file_is_imported_once_and_a_dry_run_writes_nothing(owner: PgPool) {
    load_geo(&owner).await;
    let root = admin(&owner).await;
    let path = file("offices.csv", GOOD);
    let dry = import(&owner, &path, &root, true, now()).await.unwrap();
    assert_eq!(
        dry,
        Summary {
            created: 5,
            changed: 0,
            unchanged: 0
        }
    );
    assert_eq!(count(&owner, "SELECT count(*) FROM office").await, 0);
    assert_eq!(
        count(
            &owner,
            "SELECT count(*) FROM audit_log WHERE entity = 'office'"
        )
        .await,
        0
    );

    let first = import(&owner, &path, &root, false, now()).await.unwrap();
    assert_eq!(first.created, 5);
    let stored: Vec<(String, String)> =
        sqlx::query_as("SELECT code, email FROM office ORDER BY code")
            .fetch_all(&owner)
            .await
            .unwrap();
    assert_eq!(
        stored.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
        ["32.03", "33", "35.10", "35.18", "RSBL-PASURUAN"]
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE entity = 'office' AND action = 'create' AND actor_id = $1",
    )
    .bind(root.user_id)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(
        audited, 5,
        "every record audited as the acting administrator"
    );

    let second = import(&owner, &path, &root, false, now()).await.unwrap();
    assert_eq!(
        second,
        Summary {
            created: 0,
            changed: 0,
            unchanged: 5
        }
    );
    assert_eq!(
        count(
            &owner,
            "SELECT count(*) FROM audit_log WHERE entity = 'office'"
        )
        .await,
        5,
        "a second run changes and audits nothing"
    );

    // A changed address is a change, audited with the value before.
    let moved = GOOD.replace("dinsos@nganjukkab.go.id", "sosial@nganjukkab.go.id");
    let third = import(&owner, &file("offices.csv", &moved), &root, false, now())
        .await
        .unwrap();
    assert_eq!((third.changed, third.unchanged), (1, 4));
    let before: String = sqlx::query_scalar(
        "SELECT detail->'before'->>'email' FROM audit_log WHERE action = 'change_office' AND entity_id = '35.18'",
    )
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(before, "dinsos@nganjukkab.go.id");
}

#[sqlx::test]
async fn every_bad_row_is_named_by_line_and_column_and_nothing_is_written(owner: PgPool) {
    load_geo(&owner).await;
    let root = admin(&owner).await;
    let bad = "code,office,email,phone,contact
35.18,Dinas Sosial Kabupaten Nganjuk,dinsos@nganjukkab.go.id,,
35.18.01,Kecamatan,a@b.id,,
99.99,Nowhere,a@b.id,,
35,Dinas Sosial Provinsi Jawa Timur,a@b.id,,
NO-SUCH-UPT,Kepala,a@b.id,,
35.10,,not-an-address,call me,
3518,Dinas Sosial Nganjuk again,dinsos@nganjukkab.go.id,,
\"35.23\",\"Dinas Sosial
Kabupaten Tuban\",dinsos@tubankab.go.id,,
35.24,Dinas Sosial Kabupaten Lamongan,dinsos@lamongankab.go.id
";
    let e = import(&owner, &file("bad.csv", bad), &root, false, now())
        .await
        .unwrap_err()
        .to_string();
    for expected in [
        "line 3, column code: not a regency, province or UPT code",
        "line 4, column code: 99.99: no regency or city has this code",
        "line 5, column code: 35: not a province people are handed over to",
        "line 6, column code: NO-SUCH-UPT: no UPT has this code",
        "line 7, column office: required",
        "line 7, column email: not an email address",
        "line 7, column phone: digits, spaces and + - ( ) only",
        "line 8, column code: the same office as line 2",
        "line 11, column -: 3 columns where the header has 5",
    ] {
        assert!(e.contains(expected), "missing {expected:?} in:\n{e}");
    }
    assert!(e.contains("nothing was written"), "{e}");
    assert!(
        !e.contains("line 9"),
        "the quoted two-line row is good: {e}"
    );
    assert_eq!(count(&owner, "SELECT count(*) FROM office").await, 0);

    for (header, says) in [
        ("code,office,emial,phone,contact", "`emial` is not one of"),
        ("code,office,email,phone", "column `contact` is missing"),
        ("code,office,email,phone,contact", "the file has no rows"),
        ("", "column `code` is missing"),
    ] {
        let e = import(
            &owner,
            &file("h.csv", &format!("{header}\n")),
            &root,
            false,
            now(),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(e.contains(says), "{header:?}: {e}");
    }
    // Only an active administrator may act.
    user(&owner, "petugas", Role::CaseOfficer, None).await;
    let refused = simlontar::auth::store::acting(&owner, "petugas", Action::ManageOffices)
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("may not"), "{refused}");
}

#[sqlx::test]
async fn the_command_checks_imports_and_says_when_nothing_changes(owner: PgPool) {
    load_geo(&owner).await;
    user(&owner, "root", Role::Admin, None).await;
    let path = file("offices.csv", GOOD);
    let path = path.to_str().unwrap();
    let run = |args: &[&str]| crate::cli::run(&owner, args, "");
    let (ok, _, err) = run(&["import", "offices", path, "--as", "root", "--dry-run"]);
    assert!(ok && err.contains("5 offices would be added"), "{err}");
    assert!(
        !err.contains('\u{1b}'),
        "no progress bar drawn into a pipe: {err:?}"
    );
    assert_eq!(count(&owner, "SELECT count(*) FROM office").await, 0);
    let (ok, _, err) = run(&["import", "offices", path, "--as", "root"]);
    assert!(ok && err.contains("5 offices were added"), "{err}");
    let (ok, _, err) = run(&["import", "offices", path, "--as", "root"]);
    assert!(ok && err.contains("nothing to change"), "{err}");
    let (ok, _, err) = run(&["import", "offices", path, "--as", "nobody"]);
    assert!(!ok && err.contains("no active user nobody"), "{err}");
    let bad = file("bad.csv", "code,office,email,phone,contact\n3518,X,bad,,\n");
    let (ok, _, err) = run(&["import", "offices", bad.to_str().unwrap(), "--as", "root"]);
    assert!(!ok && err.contains("line 2, column email"), "{err}");
}

#[sqlx::test]
async fn notices_take_the_office_record_and_the_pattern_only_without_one(owner: PgPool) {
    load_geo(&owner).await;
    let root = admin(&owner).await;
    let address = |code: &'static str| {
        let owner = owner.clone();
        async move {
            let mut conn = owner.acquire().await.unwrap();
            simlontar::notify::office_address(&mut conn, &settings(), code)
                .await
                .unwrap()
        }
    };
    assert_eq!(address("35.18").await, "dinsos-3518@jatimprov.go.id");
    import(&owner, &file("o.csv", GOOD), &root, false, now())
        .await
        .unwrap();
    assert_eq!(address("35.18").await, "dinsos@nganjukkab.go.id");
    assert_eq!(address("33").await, "dinsos@jatengprov.go.id");

    // The weekly digest to Banyuwangi (a resident of its in a UPT) goes to its recorded
    // address.
    crate::capacity_alerts::small_ward(&owner, 1).await;
    let pool = app_pool(&owner).await;
    simlontar::capacity::digest::run(&pool, &settings(), now())
        .await
        .unwrap();
    let to: Vec<String> = sqlx::query_scalar(
        "SELECT to_address FROM email_outbox WHERE subject LIKE '%Kabupaten Banyuwangi' ORDER BY id",
    )
    .fetch_all(&owner)
    .await
    .unwrap();
    assert_eq!(to, ["dinsos@banyuwangikab.go.id"]);
}

#[sqlx::test]
async fn capacity_alerts_about_a_upt_reach_its_head_once_recorded(owner: PgPool) {
    load_geo(&owner).await;
    let root = admin(&owner).await;
    let ward = crate::capacity_alerts::small_ward(&owner, 5).await;
    let upt: String = sqlx::query_scalar("SELECT upt_code FROM ward WHERE id = $1")
        .bind(ward)
        .fetch_one(&owner)
        .await
        .unwrap();
    let csv =
        format!("code,office,email,phone,contact\n{upt},Kepala UPT,kepala@upt.jatimprov.go.id,,\n");
    import(&owner, &file("head.csv", &csv), &root, false, now())
        .await
        .unwrap();
    let pool = app_pool(&owner).await;
    simlontar::capacity::evaluate::run(&pool, &settings(), None, now())
        .await
        .unwrap();
    let server = MailServer::start().await;
    simlontar::notify::outbox::deliver_due(&pool, &server.mailer(), now() + Duration::hours(1), 50)
        .await
        .unwrap();
    let head = server
        .mails()
        .into_iter()
        .find(|m| m.to == vec!["kepala@upt.jatimprov.go.id".to_string()])
        .expect("the UPT's head hears about its ward");
    assert!(
        head.text.contains("PENUH") && head.text.contains("5/5"),
        "{}",
        head.text
    );
    // Only its own UPT's wards.
    let others: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM email_outbox WHERE to_address = 'kepala@upt.jatimprov.go.id'
            AND body_text NOT LIKE '%' || (SELECT name FROM upt WHERE code = $1) || '%'",
    )
    .bind(&upt)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(others, 0);
}

#[sqlx::test]
async fn the_offices_page_finds_offices_by_name_and_keeps_what_was_typed(owner: PgPool) {
    load_geo(&owner).await;
    let mut c = signed_in(&owner, "root", Role::Admin, None).await;
    let list = c.get("/admin/offices").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Kabupaten Nganjuk") && list.body.contains("Belum ada alamat"));
    assert!(
        list.body.contains("Provinsi Jawa Tengah"),
        "relay desks are listed"
    );
    assert!(
        !list.body.contains("Kabupaten Cianjur"),
        "other provinces only once recorded"
    );

    // "bima" is two regencies: both offered, by name.
    let bima = c.get("/admin/offices/edit?place=bima").await;
    assert_eq!(bima.status, 422);
    assert!(
        bima.body.contains("Kota Bima") && bima.body.contains("Kabupaten Bima"),
        "{}",
        bima.body
    );
    let none = c.get("/admin/offices/edit?place=atlantis").await;
    assert!(none
        .body
        .contains("tidak ada kab/kota, provinsi, atau UPT dengan nama itu"));

    let form = c.get("/admin/offices/edit?place=cianjur").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Kabupaten Cianjur") && form.body.contains(r#"value="32.03""#));
    assert!(
        form.body.contains("Dinas Sosial Kabupaten Cianjur"),
        "the usual name offered"
    );

    let bad = c
        .post(
            "/admin/offices",
            &[
                ("code", "32.03"),
                ("office", "Dinas Sosial Kabupaten Cianjur"),
                ("email", "dinsos at cianjur"),
                ("phone", "0263 123"),
                ("contact", "Bu Ani"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains(r#"id="email-error""#),
        "the error is beside the field"
    );
    assert!(
        bad.body.contains("Bu Ani") && bad.body.contains("dinsos at cianjur"),
        "nothing typed is lost"
    );
    assert_eq!(count(&owner, "SELECT count(*) FROM office").await, 0);

    let ok = c
        .post(
            "/admin/offices",
            &[
                ("code", "32.03"),
                ("office", "Dinas Sosial Kabupaten Cianjur"),
                ("email", "dinsos@cianjurkab.go.id"),
                ("phone", "0263 123"),
                ("contact", "Bu Ani"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let back = c.get(ok.location()).await;
    assert!(
        back.body
            .contains("Alamat kantor untuk Kabupaten Cianjur tersimpan."),
        "{}",
        back.body
    );
    assert!(back.body.contains("dinsos@cianjurkab.go.id"));
    let by: i64 = sqlx::query_scalar("SELECT changed_by FROM office WHERE code = '32.03'")
        .fetch_one(&owner)
        .await
        .unwrap();
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE entity = 'office' AND entity_id = '32.03' AND actor_id = $1",
    )
    .bind(by)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(audited, 1);

    // A UPT is found by its name too.
    let upt = c
        .get("/admin/offices/edit?place=bina%20laras%20pasuruan")
        .await;
    assert_eq!(upt.status, 200, "{}", upt.body);
    assert!(upt
        .body
        .contains("Kepala UPT Rehabilitasi Sosial Bina Laras Pasuruan"));
    assert!(upt.body.contains(r#"value="RSBL-PASURUAN""#));

    // Nobody else may.
    let mut officer = signed_in(&owner, "petugas", Role::CaseOfficer, None).await;
    assert_eq!(officer.get("/admin/offices").await.status, 403);
    assert_eq!(officer.get("/admin/readiness").await.status, 403);
}

fn kinds(b: &[simlontar::readiness::Blocker]) -> Vec<simlontar::readiness::Kind> {
    let mut k: Vec<_> = b.iter().map(|b| b.kind).collect();
    k.dedup();
    k
}

/// `simlontar readiness` against this database and mail server: (exit ok, stdout). Run
/// off the test's runtime thread, which serves the mail server meanwhile.
async fn readiness_command(
    owner: &PgPool,
    smtp: &simlontar::config::SmtpSettings,
) -> (bool, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_simlontar"));
    command
        .arg("readiness")
        .env_clear()
        .env("DATABASE_URL", crate::cli::url(owner))
        .env("SIMLONTAR_SMTP__HOST", &smtp.host)
        .env("SIMLONTAR_SMTP__PORT", smtp.port.to_string())
        .env("SIMLONTAR_SMTP__SECURITY", "none");
    let out = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[sqlx::test]
async fn readiness_lists_each_blocker_until_it_is_settled(owner: PgPool) {
    use simlontar::readiness::{check, Kind};
    use simlontar_templates::Lang;
    load_geo(&owner).await;
    let mut server = MailServer::start().await;
    let mut s = settings();
    s.smtp = server.settings();
    sqlx::query("UPDATE ward SET beds_estimated = true WHERE id = (SELECT min(id) FROM ward)")
        .execute(&owner)
        .await
        .unwrap();
    let b = check(&owner, &s, Lang::En).await.unwrap();
    assert_eq!(
        kinds(&b),
        [
            Kind::OfficeAddress,
            Kind::EstimatedBeds,
            Kind::UptWithoutStaff,
            Kind::NoAdminMfa
        ],
        "{b:#?}"
    );
    let nganjuk = b
        .iter()
        .find(|b| b.subject.starts_with("Kabupaten Nganjuk"))
        .expect("a regency without an address");
    assert!(
        nganjuk.subject.contains("dinsos-3518@jatimprov.go.id"),
        "the stand-in address is shown: {}",
        nganjuk.subject
    );
    assert!(b
        .iter()
        .any(|b| b.subject.starts_with("Provinsi Jawa Tengah")));
    assert!(b.iter().any(|b| b
        .subject
        .starts_with("Head of UPT Rehabilitasi Sosial Bina Laras Pasuruan")));
    let (ok, out) = readiness_command(&owner, &s.smtp).await;
    assert!(!ok, "exits non-zero while anything blocks");
    assert!(
        out.contains("Offices without an email address") && out.contains("Kabupaten Nganjuk"),
        "{out}"
    );

    // The mail server down: the check connects for real and says so.
    server.stop().await;
    let b = check(&owner, &s, Lang::En).await.unwrap();
    assert_eq!(kinds(&b).last(), Some(&Kind::MailUnreachable), "{b:#?}");
    server.restart().await;

    // Settle each in turn, through the same paths a province would.
    let root = admin(&owner).await;
    let mut conn = owner.acquire().await.unwrap();
    let needed = simlontar::notify::offices::list(&mut conn).await.unwrap();
    drop(conn);
    let mut csv = String::from("code,office,email,phone,contact\n");
    for (i, o) in needed.iter().filter(|o| o.required).enumerate() {
        csv.push_str(&format!(
            "{},Kantor {i},kantor{i}@dinsos.example.go.id,,\n",
            o.code
        ));
    }
    import(&owner, &file("all.csv", &csv), &root, false, now())
        .await
        .unwrap();
    let b = check(&owner, &s, Lang::En).await.unwrap();
    assert!(!kinds(&b).contains(&Kind::OfficeAddress), "{b:#?}");

    sqlx::query("UPDATE ward SET beds_estimated = false")
        .execute(&owner)
        .await
        .unwrap();
    let upts: Vec<String> = sqlx::query_scalar("SELECT code FROM upt ORDER BY code")
        .fetch_all(&owner)
        .await
        .unwrap();
    for (i, upt) in upts.iter().enumerate() {
        user(&owner, &format!("staf{i}"), Role::UptStaff, Some(upt)).await;
    }
    let b = check(&owner, &s, Lang::En).await.unwrap();
    assert_eq!(kinds(&b), [Kind::NoAdminMfa], "{b:#?}");
    // A disabled account is no staff.
    sqlx::query("UPDATE app_user SET disabled_at = now() WHERE username = 'staf0'")
        .execute(&owner)
        .await
        .unwrap();
    let b = check(&owner, &s, Lang::En).await.unwrap();
    assert_eq!(
        kinds(&b),
        [Kind::UptWithoutStaff, Kind::NoAdminMfa],
        "{b:#?}"
    );
    sqlx::query("UPDATE app_user SET disabled_at = NULL WHERE username = 'staf0'")
        .execute(&owner)
        .await
        .unwrap();
    // An administrator with one-time codes (an enrolled one disabled counts for nothing).
    sqlx::query(
        "UPDATE app_user SET totp_secret = decode(repeat('ab', 20), 'hex') WHERE username = 'root'",
    )
    .execute(&owner)
    .await
    .unwrap();
    let b = check(&owner, &s, Lang::En).await.unwrap();
    assert!(b.is_empty(), "{b:#?}");
    let (ok, out) = readiness_command(&owner, &s.smtp).await;
    assert!(ok, "exits 0 when nothing blocks: {out}");
    assert!(out.contains("ready"), "{out}");
    sqlx::query("UPDATE app_user SET disabled_at = now() WHERE username = 'root'")
        .execute(&owner)
        .await
        .unwrap();
    let b = check(&owner, &s, Lang::En).await.unwrap();
    assert_eq!(kinds(&b), [Kind::NoAdminMfa], "{b:#?}");
}

#[sqlx::test]
async fn an_administrator_grants_a_scope_by_its_name(owner: PgPool) {
    load_geo(&owner).await;
    let mut c = signed_in(&owner, "root", Role::Admin, None).await;
    let add = |username: &'static str, role: &'static str, scope: &'static str| {
        [
            ("username", username),
            ("display_name", username),
            ("role", role),
            ("scope", scope),
            ("password", "a fine long password"),
        ]
    };
    let res = c
        .post(
            "/admin/users",
            &add("viewer.nganjuk", "regency_viewer", "nganjuk"),
        )
        .await;
    assert!(res.location().contains("done="), "{}", res.location());
    let res = c
        .post(
            "/admin/users",
            &add("staff.rsbl", "upt_staff", "Bina Laras Pasuruan"),
        )
        .await;
    assert!(res.location().contains("done="), "{}", res.location());
    let scopes: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT u.username, r.scope_region, r.scope_upt FROM user_role r JOIN app_user u ON u.id = r.user_id
          WHERE u.username <> 'root' ORDER BY u.username",
    )
    .fetch_all(&owner)
    .await
    .unwrap();
    assert_eq!(
        scopes,
        [
            ("staff.rsbl".into(), None, Some("RSBL-PASURUAN".into())),
            ("viewer.nganjuk".into(), Some("35.18".into()), None),
        ]
    );
    // Two regencies called Bima: both named, nothing created.
    let res = c
        .post(
            "/admin/users",
            &add("viewer.bima", "regency_viewer", "bima"),
        )
        .await;
    let back = res;
    assert!(
        back.body.contains("Kota Bima, Nusa Tenggara Barat")
            && back.body.contains("Kabupaten Bima, Nusa Tenggara Barat"),
        "{}",
        back.body
    );
    let res = c
        .post(
            "/admin/grants",
            &[
                ("username", "viewer.nganjuk"),
                ("role", "intake_officer"),
                ("scope", "Kota Surabaya"),
            ],
        )
        .await;
    assert!(res.location().contains("done="), "{}", res.location());
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM app_user WHERE username = 'viewer.bima'")
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

/// The relay notice for a home in Cianjur goes to DIY's relay desk as recorded on the
/// offices page, not to the stand-in pattern (`handover.rs` checks the pattern before any
/// record).
#[sqlx::test]
async fn a_relay_notice_goes_to_the_relay_desk_on_record(owner: PgPool) {
    load_geo(&owner).await;
    let root = admin(&owner).await;
    let csv =
        "code,office,email,phone,contact\n34,Dinas Sosial DIY,relay@dinsos.jogjaprov.go.id,,\n";
    import(&owner, &file("diy.csv", csv), &root, false, now())
        .await
        .unwrap();
    let id = crate::common::case_fixture(
        &owner,
        "OT-3578-2026-000012",
        "35.78",
        Some("32.03"),
        "Siti Aminah",
        Some("3203014107800002"),
    )
    .await;
    sqlx::query("UPDATE ot_case SET state = 'identified' WHERE id = $1")
        .bind(id)
        .execute(&owner)
        .await
        .unwrap();
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let res = co
        .post("/cases/OT-3578-2026-000012/route", &[("choice", "home")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let (to, code): (String, String) =
        sqlx::query_as("SELECT to_address, office_code FROM handover_notice WHERE case_id = $1")
            .bind(id)
            .fetch_one(&owner)
            .await
            .unwrap();
    assert_eq!(
        (to.as_str(), code.as_str()),
        ("relay@dinsos.jogjaprov.go.id", "34")
    );
    let queued: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM email_outbox WHERE to_address = 'relay@dinsos.jogjaprov.go.id'",
    )
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(queued, 1);
}
