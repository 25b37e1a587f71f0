//! Journey 3: UPT staff hold a bed for an unidentified person referred to their UPT and admit her
//! when she arrives; the capacity screen shows the new occupancy and, once the ward is
//! full, the alert; the alert emails (counts, no names) reach the mail server.
use sqlx::PgPool;

use super::Browser;
use crate::common::*;
use crate::mail::MailServer;
use simlontar::auth::model::Role;
use simlontar::notify::outbox;

/// Three women of about 75 from Banyuwangi, picked up in Surabaya, nobody knows who.
const ARRIVING: [&str; 3] = [
    "OT-3578-2026-000011",
    "OT-3578-2026-000012",
    "OT-3578-2026-000013",
];

struct Ward {
    id: i64,
    code: String,
    upt: String,
}

/// A women's ward for the elderly cut to four beds, one of them taken for two months.
async fn ward_with_one_resident(pool: &PgPool) -> Ward {
    let (id, code, upt): (i64, String, String) = sqlx::query_as(
        "UPDATE ward SET beds = 4
          WHERE id = (SELECT id FROM ward WHERE need_code = 'elderly' AND sex = 'female' ORDER BY id LIMIT 1)
         RETURNING id, code, upt_code",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let resident = case_fixture(
        pool,
        "OT-3578-2026-000001",
        "35.78",
        Some("35.10"),
        "Mbah Sumirah",
        None,
    )
    .await;
    sqlx::query("INSERT INTO placement (case_id, ward_id, started_at) VALUES ($1, $2, $3)")
        .bind(resident)
        .bind(id)
        .bind(now() - chrono::Duration::days(60))
        .execute(pool)
        .await
        .unwrap();
    Ward { id, code, upt }
}

/// She is referred to the ward's UPT, as the case officer's route decision does: that
/// is what lets its staff see her and hold a bed for her.
async fn unidentified_elderly_woman(pool: &PgPool, number: &str, upt: &str) {
    let id = case_fixture(pool, number, "35.78", Some("35.10"), "Mbah Painem", None).await;
    sqlx::query(
        "UPDATE intake SET estimated_age = 75, conditions = '{elderly}'
          WHERE id = (SELECT intake_id FROM ot_case WHERE id = $1)",
    )
    .bind(id)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("UPDATE ot_case SET state = 'unidentified' WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    referred(pool, id, upt).await;
}

impl Browser {
    /// The ward's row on its UPT's capacity page (the wall screen shows UPTs, not wards).
    async fn ward_row(&self, base: &str, ward: &Ward) -> (String, String) {
        self.goto(&format!("{base}/capacity/upt/{}", ward.upt))
            .await;
        let row = format!("tr[data-ward='{}']", ward.code);
        (
            self.text(&format!("{row} td.occupied")).await,
            self.text(&format!("{row} td.alert")).await,
        )
    }

    /// On the UPT's page: hold a bed for the person on the way; then, on her arrival,
    /// open her case and place her in that ward.
    async fn admit(&self, base: &str, ward: &Ward, number: &str, first: bool) {
        self.goto(&format!("{base}/capacity/upt/{}", ward.upt))
            .await;
        self.fill("#case_number", number).await;
        self.choose("#ward_id", &ward.id.to_string()).await;
        if first {
            self.step("hold-form").await;
        }
        self.click_and_load("form.hold button[type=submit]").await;
        let held = self.text("table.holds").await;
        assert!(
            held.contains(number),
            "the hold is listed with its case: {held}"
        );
        self.goto(&format!("{base}/cases/{number}")).await;
        if first {
            self.step("case").await;
        }
        self.click_and_load(&format!(
            "section.placement form:has(input[name=ward_id][value='{}']) button",
            ward.id
        ))
        .await;
        self.wait_for_path(&format!("/cases/{number}")).await;
        let placed = self.text("section.placement").await;
        assert!(placed.contains("Ditempatkan"), "{placed}");
        if first {
            self.step("placed").await;
        }
    }
}

#[sqlx::test]
async fn upt_staff_admit_people_until_the_capacity_screen_warns_and_the_alert_is_mailed(
    pool: PgPool,
) {
    load_geo(&pool).await;
    let ward = ward_with_one_resident(&pool).await;
    for number in ARRIVING {
        unidentified_elderly_woman(&pool, number, &ward.upt).await;
    }
    user(&pool, "upt.staff", Role::UptStaff, Some(&ward.upt)).await;
    let base = spawn(&pool).await;
    let b = Browser::start("admission").await;

    b.sign_in(&base, "upt.staff", "/capacity").await;
    let (occupied, _) = b.ward_row(&base, &ward).await;
    assert_eq!(occupied, "1");
    b.step("capacity-before").await;

    b.admit(&base, &ward, ARRIVING[0], true).await;
    let (occupied, _) = b.ward_row(&base, &ward).await;
    assert_eq!(occupied, "2", "the screen shows the new occupancy");
    b.step("capacity-after-one").await;

    for number in &ARRIVING[1..] {
        b.admit(&base, &ward, number, false).await;
    }
    // Each placement asks for the alerts to be evaluated again in the background: the
    // server's worker drains that queue; here the test does.
    let drained = simlontar::jobs::drain(&app_pool(&pool).await, &settings(), now())
        .await
        .unwrap();
    assert_eq!(drained.capacity_runs, 1, "{drained:?}");
    let (occupied, alert) = b.ward_row(&base, &ward).await;
    assert!(alert.contains("Penuh"), "no alert shown: {alert}");
    assert_eq!(occupied, "4");
    b.step("capacity-full").await;
    // On the wall screen, her UPT (the viewer's own) comes first and says it is full.
    b.goto(&format!("{base}/capacity")).await;
    let first = b.text("ul.tiles li:first-child").await;
    assert!(first.contains("penuh sekarang"), "{first}");
    b.step("wall").await;
    b.goto(&format!("{base}/capacity/upt/{}", ward.upt)).await;
    b.step("upt").await;
    b.c.close().await.unwrap();

    // The outbox job sends the alert: to the provincial desk, and to Banyuwangi's office
    // about its residents, in counts.
    let server = MailServer::start().await;
    outbox::deliver_due(&app_pool(&pool).await, &server.mailer(), now(), 50)
        .await
        .unwrap();
    let mails = server.mails();
    let to = |address: &str| {
        mails
            .iter()
            .filter(|m| m.to == vec![address.to_string()])
            .map(|m| m.text.as_str())
            .collect::<Vec<_>>()
    };
    // The three admissions were one evaluation (one drain of the work they queued), at
    // the app's still clock: one email per recipient.
    let desk = to("desk@dinsos.jatimprov.go.id");
    assert!(
        desk.iter()
            .any(|t| t.contains("Wisma Perempuan") && (t.contains("KRITIS") || t.contains("PENUH"))),
        "the provincial desk hears the ward is filling: {desk:?}"
    );
    let regency = to("dinsos-3510@jatimprov.go.id");
    assert!(
        regency.iter().any(|t| t.contains("perempuan")),
        "Banyuwangi hears about its residents: {regency:?}"
    );
    for m in &mails {
        for private in ["Sumirah", "Painem", "OT-3578"] {
            assert!(
                !m.text.contains(private) && !m.html.contains(private),
                "{private} in {}",
                m.text
            );
        }
    }
}
