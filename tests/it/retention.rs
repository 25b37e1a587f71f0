//! Retention: the nightly job anonymises finished cases past their period, removes face
//! photos sooner and blanks old sent mail, touching nothing else; and the access report
//! answers "which records did user U touch between t1 and t2".
use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::PgPool;

use crate::auth::{two_regions, BWI, SBY};
use crate::common::{api, app_pool, case_fixture, now, send, settings, signed_in, token, PNG};
use simlontar::auth::model::Role;
use simlontar::clock::FixedClock;
use simlontar::jobs::run::Outcome;
use simlontar::jobs::{run_due, Ctx, Job};

/// An open case picked up long ago: open cases are never due.
const OLD_OPEN: &str = "OT-3578-2019-000001";
/// Finished an hour short of the retention period.
const NEARLY: &str = "OT-3578-2021-000001";

/// What identifies the Surabaya person (the SBY fixture and her DP3AK match): after
/// anonymisation none of it may be left in any table.
const SBY_TRACES: [&str; 5] = [
    "Sumiati",
    "3578015208900001",
    "Painah",
    "3578010101900001",
    "Jl. Kenjeran",
];

async fn ctx(owner: &PgPool, at: DateTime<Utc>) -> Ctx {
    let settings = settings();
    Ctx {
        pool: app_pool(owner).await,
        mailer: simlontar::notify::mailer::Mailer::from_settings(&settings.smtp).unwrap(),
        settings: Arc::new(settings),
        clock: Arc::new(FixedClock(at)),
        instance: "test".into(),
    }
}

/// Finishes a case at `at`, with an event whose reason names the person.
async fn finish(pool: &PgPool, number: &str, state: &str, at: DateTime<Utc>, reason: &str) {
    if state == "discharged" {
        // The stay the discharge ended: the database refuses `discharged` without one.
        sqlx::query(
            "INSERT INTO placement (case_id, ward_id, started_at, ended_at, end_reason)
             SELECT c.id, (SELECT min(id) FROM ward), $2 - interval '30 days', $2, 'family'
               FROM ot_case c WHERE c.number = $1",
        )
        .bind(number)
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
    }
    sqlx::query(
        "UPDATE ot_case SET state = $2, closed_at = $3, updated_at = $3,
                close_reason = CASE WHEN $2 = 'closed' THEN $4 END WHERE number = $1",
    )
    .bind(number)
    .bind(state)
    .bind(at)
    .bind(reason)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO case_event (case_id, at, kind, from_state, to_state, reason, detail)
         SELECT id, $2, 'transition', 'identified', state, $3, '{\"note\": \"keluarga\"}'
           FROM ot_case WHERE number = $1",
    )
    .bind(number)
    .bind(at)
    .bind(reason)
    .execute(pool)
    .await
    .unwrap();
}

async fn photo(pool: &PgPool, number: &str) {
    sqlx::query(
        "INSERT INTO intake_photo (intake_id, sha256, content_type, bytes)
         SELECT intake_id, sha256($2), 'image/png', $2 FROM ot_case WHERE number = $1",
    )
    .bind(number)
    .bind(PNG)
    .execute(pool)
    .await
    .unwrap();
}

async fn photos(pool: &PgPool, number: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM intake_photo p JOIN ot_case c ON c.intake_id = p.intake_id WHERE c.number = $1",
    )
    .bind(number)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn name_of(pool: &PgPool, number: &str) -> String {
    sqlx::query_scalar(
        "SELECT i.stated_name FROM intake i JOIN ot_case c ON c.intake_id = i.id WHERE c.number = $1",
    )
    .bind(number)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Every public table whose rows, as JSON text, still contain `needle`.
async fn tables_holding(pool: &PgPool, needle: &str) -> Vec<String> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
          WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut holding = vec![];
    for t in tables {
        let n: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM \"{t}\" x WHERE strpos(to_jsonb(x)::text, $1) > 0"
        ))
        .bind(needle)
        .fetch_one(pool)
        .await
        .unwrap();
        if n > 0 {
            holding.push(t);
        }
    }
    holding
}

async fn retention_audits(pool: &PgPool) -> Vec<(String, Option<String>)> {
    sqlx::query_as(
        "SELECT action, entity_id FROM audit_log WHERE action LIKE 'retention_%'
          ORDER BY action, entity_id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn the_nightly_job_anonymises_finished_cases_past_their_period_and_nothing_else(
    pool: PgPool,
) {
    two_regions(&pool).await;
    let case_days = settings().retention.case_days;
    // The night the job runs: 03:00 WIB.
    let night: DateTime<Utc> = "2026-11-24T20:00:00Z".parse().unwrap();

    // Sumiati: matched by DP3AK (linked, with her mother's name and KK), a photo, an
    // address, notes; closed a day more than five years ago.
    let t = token(&pool, "dp3ak.system", Role::IdentityOfficer, None).await;
    let res = send(
        &crate::common::router(&pool).await,
        api(
            "POST",
            "/api/v1/identity-checks",
            &t,
            Some("6f1c2a8e-2d4b-4c1e-9a57-0b5c9d1e7f10"),
            json!({
                "case_number": SBY, "method": "fingerprint",
                "requested_at": "2026-11-23T02:40:00Z", "completed_at": "2026-11-23T02:41:00Z",
                "outcome": "matched", "score": 93.0,
                "identity": {"nik": "3578015208900001", "name": "Sumiati", "sex": "female",
                             "birth_place": "Surabaya", "village_code": null,
                             "kk_number": "3578010101900001", "mother_name": "Painah"}
            }),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(res.json()["link"], "accepted");
    sqlx::query(
        "UPDATE intake SET found_address = 'Jl. Kenjeran 12', notes = 'Bu Sumiati bingung',
                aliases = '{Sumi}', birth_date = '1990-08-12', birth_date_quality = 'exact',
                belongings = 'KTP atas nama Sumiati'
          WHERE id = (SELECT intake_id FROM ot_case WHERE number = $1)",
    )
    .bind(SBY)
    .execute(&pool)
    .await
    .unwrap();
    photo(&pool, SBY).await;
    let long_ago = night - Duration::days(case_days.into()) - Duration::days(1);
    finish(&pool, SBY, "closed", long_ago, "Dijemput keluarga Sumiati").await;
    // Painem: discharged two years ago, so only her photo is due.
    photo(&pool, BWI).await;
    finish(&pool, BWI, "discharged", night - Duration::days(730), "").await;
    // An open case from 2019 and a case finished an hour short of its period: kept whole.
    case_fixture(&pool, OLD_OPEN, "35.78", None, "Slamet Lama", None).await;
    photo(&pool, OLD_OPEN).await;
    case_fixture(&pool, NEARLY, "35.78", None, "Hampir Lima", None).await;
    photo(&pool, NEARLY).await;
    let nearly = night - Duration::days(case_days.into()) + Duration::hours(1);
    finish(
        &pool,
        NEARLY,
        "closed",
        nearly,
        "Kembali ke keluarga Hampir",
    )
    .await;
    // Sent mail: one old enough to be blanked, one recent, one never sent.
    for (key, sent, subject) in [
        (
            "old",
            Some(night - Duration::days(91)),
            "Serah terima Sumiati",
        ),
        (
            "recent",
            Some(night - Duration::days(10)),
            "Serah terima Painem",
        ),
        ("waiting", None, "Serah terima Hampir"),
    ] {
        sqlx::query(
            "INSERT INTO email_outbox (dedupe_key, to_address, subject, body_text, body_html, created_at, sent_at)
             VALUES ($1, 'dinsos-3578@jatimprov.go.id', $2, $2, $2, $3, $4)",
        )
        .bind(key)
        .bind(subject)
        .bind(night - Duration::days(100))
        .bind(sent)
        .execute(&pool)
        .await
        .unwrap();
    }
    for trace in SBY_TRACES {
        assert!(
            !tables_holding(&pool, trace).await.is_empty(),
            "the fixture holds {trace}"
        );
    }
    let events_before: i64 = sqlx::query_scalar("SELECT count(*) FROM case_event")
        .fetch_one(&pool)
        .await
        .unwrap();

    let Outcome::Ran(summary) = run_due(&ctx(&pool, night).await, Job::Retention)
        .await
        .unwrap()
    else {
        panic!("the job did not run")
    };
    assert_eq!(
        summary,
        json!({"cases_anonymised": 1, "photos_removed": 3, "mails_blanked": 1})
    );

    // Nothing that identifies Sumiati is left anywhere but in what is kept on purpose.
    for trace in SBY_TRACES {
        assert_eq!(
            tables_holding(&pool, trace).await,
            Vec::<String>::new(),
            "{trace} is still stored"
        );
    }
    let (state, region, sex, age, quality, links, anonymised): (
        String,
        String,
        String,
        Option<i16>,
        String,
        i64,
        Option<DateTime<Utc>>,
    ) = sqlx::query_as(
        "SELECT c.state, i.found_region_code, i.sex, i.estimated_age, i.birth_date_quality,
                (SELECT count(*) FROM record_link), i.anonymised_at
           FROM ot_case c JOIN intake i ON i.id = c.intake_id WHERE c.number = $1",
    )
    .bind(SBY)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (state.as_str(), region.as_str(), sex.as_str(), age),
        ("closed", "35.78", "female", Some(36)),
        "what the statistics need stays: the age at pick-up in years"
    );
    assert_eq!(quality, "approximate");
    assert_eq!(links, 0, "her only link went with her identity");
    assert_eq!(anonymised, Some(night));
    let check: (String, Option<String>, Option<DateTime<Utc>>) =
        sqlx::query_as("SELECT outcome, nik, anonymised_at FROM identity_check")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(check, ("matched".into(), None, Some(night)));
    let events_after: i64 = sqlx::query_scalar("SELECT count(*) FROM case_event")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        events_after, events_before,
        "events are blanked, not removed"
    );

    // Painem lost her photo only; the open and the not-yet-due cases nothing.
    assert_eq!(photos(&pool, SBY).await, 0);
    assert_eq!(photos(&pool, BWI).await, 0);
    assert_eq!(name_of(&pool, BWI).await, "Painem Banyuwangi");
    assert_eq!(photos(&pool, OLD_OPEN).await, 1);
    assert_eq!(name_of(&pool, OLD_OPEN).await, "Slamet Lama");
    assert_eq!(photos(&pool, NEARLY).await, 0, "its photo was due");
    assert_eq!(name_of(&pool, NEARLY).await, "Hampir Lima");
    assert_eq!(
        tables_holding(&pool, "Kembali ke keluarga Hampir").await,
        ["case_event", "ot_case"]
    );
    let subjects: Vec<(String, String)> =
        sqlx::query_as("SELECT dedupe_key, subject FROM email_outbox ORDER BY dedupe_key")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        subjects,
        [
            ("old".into(), "".into()),
            ("recent".into(), "Serah terima Painem".into()),
            ("waiting".into(), "Serah terima Hampir".into())
        ]
    );

    // The trail says what went, when and why; the hash chain is unbroken.
    let expected: Vec<(String, Option<String>)> = vec![
        ("retention_anonymised".into(), Some(SBY.into())),
        ("retention_mail_blanked".into(), None),
        ("retention_photos_removed".into(), Some(BWI.into())),
        ("retention_photos_removed".into(), Some(NEARLY.into())),
        ("retention_photos_removed".into(), Some(SBY.into())),
    ];
    assert_eq!(retention_audits(&pool).await, expected);
    assert_eq!(
        simlontar::auth::audit::verify_chain(&pool)
            .await
            .unwrap()
            .first_break,
        None
    );

    // The case page says what happened and shows nothing of her.
    let mut officer = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    let page = officer.get(&format!("/cases/{SBY}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("telah dianonimkan pada"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Sumiati"));
    // Nor does a search for her name find the case.
    let found = officer.get("/cases?q=Sumiati").await;
    assert!(!found.body.contains(SBY), "{}", found.body);

    // The next night the case an hour short is due too, and nothing else is done again.
    let Outcome::Ran(again) = run_due(&ctx(&pool, night + Duration::days(1)).await, Job::Retention)
        .await
        .unwrap()
    else {
        panic!("the job did not run")
    };
    assert_eq!(
        again,
        json!({"cases_anonymised": 1, "photos_removed": 0, "mails_blanked": 0})
    );
    assert_eq!(name_of(&pool, NEARLY).await, "");
    let mut expected = expected;
    expected.insert(0, ("retention_anonymised".into(), Some(NEARLY.into())));
    assert_eq!(retention_audits(&pool).await, expected);
}

#[sqlx::test]
async fn case_events_stay_append_only_outside_anonymisation(pool: PgPool) {
    two_regions(&pool).await;
    let at = now();
    finish(&pool, SBY, "closed", at, "Dijemput keluarga Sumiati").await;
    // Not even the owner may blank a reason by hand, or pretend to be erasing it while
    // changing something else.
    let plain = sqlx::query("UPDATE case_event SET reason = '', detail = '{}'")
        .execute(&pool)
        .await;
    assert!(plain.is_err(), "a plain update went through");
    let mut tx = pool.begin().await.unwrap();
    sqlx::query(
        "SELECT set_config('simlontar.erasing_case', (SELECT id FROM ot_case WHERE number = $1)::text, true)",
    )
    .bind(SBY)
    .execute(&mut *tx)
    .await
    .unwrap();
    let other = sqlx::query("UPDATE case_event SET reason = '', detail = '{}', kind = 'other'")
        .execute(&mut *tx)
        .await;
    assert!(other.is_err(), "an erasure changed the event's kind");
    tx.rollback().await.unwrap();
    let deleted = sqlx::query("DELETE FROM case_event").execute(&pool).await;
    assert!(deleted.is_err(), "an event was deleted");
    // The application's role may anonymise only finished cases, and only once.
    let app = app_pool(&pool).await;
    let ids: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT id FROM ot_case WHERE number = $1), (SELECT id FROM ot_case WHERE number = $2)",
    )
    .bind(SBY)
    .bind(BWI)
    .fetch_one(&pool)
    .await
    .unwrap();
    let by_id = |id: i64| {
        let app = app.clone();
        async move {
            sqlx::query_scalar::<_, bool>("SELECT anonymise_case($1, $2)")
                .bind(id)
                .bind(now())
                .fetch_one(&app)
                .await
                .unwrap()
        }
    };
    assert!(!by_id(ids.1).await, "the open case was anonymised");
    assert!(by_id(ids.0).await, "the closed case was not anonymised");
    assert!(!by_id(ids.0).await, "anonymised twice");
    assert_eq!(name_of(&pool, BWI).await, "Painem Banyuwangi");
    let reasons: Vec<String> = sqlx::query_scalar(
        "SELECT e.reason FROM case_event e JOIN ot_case c ON c.id = e.case_id WHERE c.number = $1",
    )
    .bind(SBY)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(reasons, [""]);
}

/// An imported resident's natural key hashes name, birth year and NIK: anonymisation
/// forgets it (the row saying the case was imported stays).
#[sqlx::test]
async fn anonymising_an_imported_resident_forgets_the_import_key(pool: PgPool) {
    crate::common::load_geo(&pool).await;
    let admin = crate::common::user(&pool, "admin.go", Role::Admin, None).await;
    let case = case_fixture(&pool, OLD_OPEN, "35.78", None, "Sutrisno", None).await;
    sqlx::query(
        "INSERT INTO imported_resident (intake_id, row_key, upt_code, admitted_on, imported_at, imported_by)
         SELECT intake_id, sha256('rsbl-pasuruan|l|2019-03-01|sutrisno|male|1971|'), 'RSBL-PASURUAN',
                '2019-03-01', now(), $2 FROM ot_case WHERE id = $1",
    )
    .bind(case)
    .bind(admin)
    .execute(&pool)
    .await
    .unwrap();
    let at: DateTime<Utc> = "2026-11-24T20:00:00Z".parse().unwrap();
    finish(&pool, OLD_OPEN, "closed", at - Duration::days(3000), "").await;
    let done: bool = sqlx::query_scalar("SELECT anonymise_case($1, $2)")
        .bind(case)
        .bind(at)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(done);
    let (kept, key): (i64, Option<Vec<u8>>) = sqlx::query_as(
        "SELECT count(*) OVER (), row_key FROM imported_resident r
           JOIN ot_case c ON c.intake_id = r.intake_id WHERE c.id = $1",
    )
    .bind(case)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((kept, key), (1, None));
    // A later import still reads the keys it knows (none for the anonymised resident).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("penghuni.csv");
    std::fs::write(
        &file,
        "upt,ward,admitted_on,full_name,sex,birth_year,home_region,nik,notes\n\
         RSBL-PASURUAN,L,2020-01-01,Sukardi,L,1970,,,\n",
    )
    .unwrap();
    let actor = simlontar::auth::store::acting(
        &pool,
        "admin.go",
        simlontar::auth::policy::Action::ImportState,
    )
    .await
    .unwrap();
    let tz = settings().time_zone;
    simlontar::shelter::residents_store::import(&pool, &file, &actor, true, (now(), tz))
        .await
        .unwrap();
}

/// The hand-over's people — the escort's name, the reasons of plan changes, the office's
/// notes and the relative who received the person — go with the anonymisation too.
#[sqlx::test]
async fn anonymising_a_handed_over_case_forgets_the_escort_notes_and_receiver(pool: PgPool) {
    use crate::handover::{home_in_banyuwangi, identified, routed_home_with_link};
    crate::common::load_geo(&pool).await;
    let n = "OT-3578-2019-000777";
    let mut co = signed_in(&pool, "co1", Role::CaseOfficer, None).await;
    let id = identified(&pool, n, None, "35", &["psychosocial"]).await;
    home_in_banyuwangi(&pool, id).await;
    routed_home_with_link(&pool, &mut co, n).await;
    let who = "Darmokusumo";
    for sql in [
        "UPDATE transport_plan SET escort_name = 'Pak Darmokusumo' WHERE case_id = $1",
        "INSERT INTO plan_change (plan_id, case_id, kind, before, after, reason, changed_at)
         SELECT id, case_id, 'departure', '{}', '{\"escort\": \"Pak Darmokusumo\"}',
                'Pak Darmokusumo menggantikan pendamping', now() FROM transport_plan WHERE case_id = $1",
        "INSERT INTO handover_response (notice_id, case_id, kind, note, at)
         SELECT id, case_id, 'accepted', 'dijemput Pak Darmokusumo', now() FROM handover_notice WHERE case_id = $1",
        "UPDATE handover_notice SET received_at = now(), received_by = 'Darmokusumo',
                received_by_ref = 'paman' WHERE case_id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&pool).await.unwrap();
    }
    assert!(tables_holding(&pool, who).await.len() >= 4);
    let at: DateTime<Utc> = "2026-11-24T20:00:00Z".parse().unwrap();
    finish(&pool, n, "closed", at - Duration::days(3000), "").await;
    let done: bool = sqlx::query_scalar("SELECT anonymise_case($1, $2)")
        .bind(id)
        .bind(at)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(done);
    assert_eq!(tables_holding(&pool, who).await, Vec::<String>::new());
    // Outside an anonymisation the rows stay append-only.
    let refused = sqlx::query("UPDATE handover_response SET note = '' WHERE case_id = $1")
        .bind(id)
        .execute(&pool)
        .await;
    assert!(refused.is_err());
    let (changes, responses): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM plan_change WHERE case_id = $1),
                (SELECT count(*) FROM handover_response WHERE case_id = $1)",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((changes, responses), (1, 1));
}
