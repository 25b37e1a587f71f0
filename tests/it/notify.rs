//! The outbox and SMTP delivery against a real mail server over TCP.
use chrono::Duration;
use sqlx::PgPool;

use crate::common::{app_pool, now};
use crate::mail::MailServer;
use simlontar::notify::mailer::{Email, Priority};
use simlontar::notify::outbox::{self, Delivery};

fn email(key: &str, to: &str) -> Email {
    Email {
        dedupe_key: key.into(),
        priority: Priority::Normal,
        to: to.into(),
        subject: format!("Pemberitahuan {key}"),
        text: format!("Teks {key}\n.baris dengan titik"),
        html: format!("<p>HTML {key}</p>"),
    }
}

async fn queue(pool: &PgPool, emails: &[Email]) -> Vec<bool> {
    let mut tx = pool.begin().await.unwrap();
    let mut queued = vec![];
    for e in emails {
        queued.push(outbox::enqueue(&mut tx, e, now()).await.unwrap());
    }
    tx.commit().await.unwrap();
    queued
}

#[sqlx::test]
async fn queued_mail_reaches_the_server_once_with_text_and_html(owner: PgPool) {
    let pool = app_pool(&owner).await;
    let server = MailServer::start().await;
    let a = email("alert-1", "dinsos@banyuwangikab.go.id");
    let queued = queue(
        &pool,
        &[
            a.clone(),
            a.clone(),
            email("alert-2", "dinsos@surabaya.go.id"),
        ],
    )
    .await;
    assert_eq!(queued, vec![true, false, true], "one key, one message");

    let sent = outbox::deliver_due(&pool, &server.mailer(), now(), 50)
        .await
        .unwrap();
    assert_eq!(
        sent,
        Delivery {
            sent: 2,
            retry_later: 0,
            failed: 0
        }
    );
    let again = outbox::deliver_due(&pool, &server.mailer(), now() + Duration::hours(1), 50)
        .await
        .unwrap();
    assert_eq!(again.sent, 0);

    let mails = server.mails();
    assert_eq!(mails.len(), 2);
    let first = mails
        .iter()
        .find(|m| m.subject == "Pemberitahuan alert-1")
        .unwrap();
    assert_eq!(first.to, vec!["dinsos@banyuwangikab.go.id".to_string()]);
    // The transfer's dot-stuffing is undone: the line comes back as written.
    assert!(
        first.text.contains("\n.baris dengan titik"),
        "{:?}",
        first.text
    );
    assert!(first.html.contains("<p>HTML alert-1</p>"));
    assert_eq!(
        format!("<{}>", first.message_id),
        simlontar::notify::mailer::message_id("alert-1")
    );
}

#[sqlx::test]
async fn a_mail_server_down_for_a_day_delays_mail_and_loses_none(owner: PgPool) {
    let pool = app_pool(&owner).await;
    let mut server = MailServer::start().await;
    server.stop().await;
    let emails: Vec<Email> = (1..=3)
        .map(|i| email(&format!("k{i}"), "x@jatimprov.go.id"))
        .collect();
    queue(&pool, &emails).await;
    // An alert five minutes later: its retries fall between the others'.
    let mut tx = pool.begin().await.unwrap();
    let alert = Email {
        priority: Priority::Urgent,
        ..email("k4", "x@jatimprov.go.id")
    };
    outbox::enqueue(&mut tx, &alert, now() + Duration::minutes(5))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // The worker wakes every 20 s (here each minute, to keep the test short) for a day;
    // the backoff keeps attempts few and never gives up.
    let mut t = now();
    let mut attempts = 0;
    while t < now() + Duration::hours(24) {
        let d = outbox::deliver_due(&pool, &server.mailer(), t, 50)
            .await
            .unwrap();
        assert_eq!(d.sent, 0);
        attempts += d.retry_later;
        t += Duration::minutes(1);
    }
    // Each message: 1, 2, 4, 8 minutes apart, then every 10 — 4 tries in the first quarter
    // hour, then 6 an hour: about 147 in a day.
    let per_message: Vec<i32> = sqlx::query_scalar("SELECT attempts FROM email_outbox")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(
        per_message.iter().all(|a| (140..=150).contains(a)),
        "{per_message:?}"
    );
    assert_eq!(attempts, per_message.iter().sum::<i32>() as usize);
    let (waiting, error): (i64, Option<String>) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE sent_at IS NULL), max(last_error) FROM email_outbox",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(waiting, 4);
    assert!(error.is_some());

    // The server is back; the worker wakes when the first retry is due, while others
    // are still backed off. The first message through makes the rest due at once.
    server.restart().await;
    let (back, later): (chrono::DateTime<chrono::Utc>, i64) = sqlx::query_as(
        "SELECT min(next_attempt_at), count(*) FILTER (WHERE next_attempt_at > (SELECT min(next_attempt_at) FROM email_outbox))
           FROM email_outbox",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(later > 0, "some messages were not yet due");
    let d = outbox::deliver_due(&pool, &server.mailer(), back, 50)
        .await
        .unwrap();
    assert_eq!(d.sent, 4, "all of it at the first wake after the return");
    let subjects: Vec<String> = server.mails().into_iter().map(|m| m.subject).collect();
    let mut sorted = subjects.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        vec![
            "Pemberitahuan k1",
            "Pemberitahuan k2",
            "Pemberitahuan k3",
            "Pemberitahuan k4"
        ]
    );
    // After the one that was due, the alert before the rest.
    if subjects[0] != "Pemberitahuan k4" {
        assert_eq!(subjects[1], "Pemberitahuan k4", "{subjects:?}");
    }
}

#[sqlx::test]
async fn waiting_mail_goes_out_most_urgent_first(owner: PgPool) {
    let pool = app_pool(&owner).await;
    let server = MailServer::start().await;
    let emails: Vec<Email> = [
        ("digest", Priority::Routine),
        ("notice", Priority::Normal),
        ("alert", Priority::Urgent),
    ]
    .into_iter()
    .map(|(key, priority)| Email {
        priority,
        ..email(key, "x@jatimprov.go.id")
    })
    .collect();
    queue(&pool, &emails).await;
    let d = outbox::deliver_due(&pool, &server.mailer(), now(), 50)
        .await
        .unwrap();
    assert_eq!(d.sent, 3);
    let subjects: Vec<String> = server.mails().into_iter().map(|m| m.subject).collect();
    assert_eq!(
        subjects,
        [
            "Pemberitahuan alert",
            "Pemberitahuan notice",
            "Pemberitahuan digest"
        ]
    );
}

#[sqlx::test]
async fn four_workers_at_once_send_each_of_a_thousand_messages_once(owner: PgPool) {
    let pool = app_pool(&owner).await;
    let server = MailServer::start().await;
    let emails: Vec<Email> = (1..=1000)
        .map(|i| email(&format!("m{i}"), "x@jatimprov.go.id"))
        .collect();
    queue(&pool, &emails).await;
    let m: Vec<_> = (0..4).map(|_| server.mailer()).collect();
    let (a, b, c, d) = tokio::join!(
        outbox::deliver_due(&pool, &m[0], now(), 1000),
        outbox::deliver_due(&pool, &m[1], now(), 1000),
        outbox::deliver_due(&pool, &m[2], now(), 1000),
        outbox::deliver_due(&pool, &m[3], now(), 1000)
    );
    let sent: Vec<usize> = [a, b, c, d].into_iter().map(|r| r.unwrap().sent).collect();
    assert_eq!(sent.iter().sum::<usize>(), 1000, "{sent:?}");
    let mut ids: Vec<String> = server.mails().into_iter().map(|m| m.message_id).collect();
    assert_eq!(ids.len(), 1000);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1000, "each message once");
    assert_eq!(outbox::counts(&pool).await.unwrap().waiting, 0);
}

/// (attempts, sent, failed) of the one message.
async fn state(pool: &PgPool) -> (i32, Option<chrono::DateTime<chrono::Utc>>, bool) {
    sqlx::query_as("SELECT attempts, sent_at, failed_at IS NOT NULL FROM email_outbox")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_server_saying_try_later_three_times_gets_the_message_at_the_fourth_attempt(
    owner: PgPool,
) {
    let pool = app_pool(&owner).await;
    let server = MailServer::start().await;
    server.faults().refuse_next(3);
    queue(&pool, &[email("later", "x@jatimprov.go.id")]).await;
    // The worker wakes every 20 s; tries happen only when the backoff allows.
    let mut tries = vec![];
    let mut t = now();
    while t < now() + Duration::minutes(30) {
        let before = state(&pool).await.0;
        outbox::deliver_due(&pool, &server.mailer(), t, 50)
            .await
            .unwrap();
        if state(&pool).await.0 > before {
            tries.push((t - now()).num_minutes());
        }
        t += Duration::seconds(20);
    }
    // At once, then 1, 2 and 4 minutes after each refusal.
    assert_eq!(tries, vec![0, 1, 3, 7]);
    let (attempts, sent, failed) = state(&pool).await;
    assert_eq!(
        (attempts, sent, failed),
        (4, Some(now() + Duration::minutes(7)), false)
    );
    assert_eq!(server.mails().len(), 1);
}

#[sqlx::test]
async fn a_server_refusing_for_good_fails_the_message_after_one_attempt_and_keeps_it(
    owner: PgPool,
) {
    let pool = app_pool(&owner).await;
    let server = MailServer::start().await;
    server.faults().refuse_all(true);
    queue(&pool, &[email("never", "x@jatimprov.go.id")]).await;
    let d = outbox::deliver_due(&pool, &server.mailer(), now(), 50)
        .await
        .unwrap();
    assert_eq!(
        d,
        Delivery {
            sent: 0,
            retry_later: 0,
            failed: 1
        }
    );
    // Not tried again, even once the server would take it: kept for the admin to see.
    server.faults().refuse_all(false);
    outbox::deliver_due(&pool, &server.mailer(), now() + Duration::hours(2), 50)
        .await
        .unwrap();
    assert_eq!(state(&pool).await, (1, None, true));
    let error: Option<String> = sqlx::query_scalar("SELECT last_error FROM email_outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(error.is_some_and(|e| e.contains("550")));
    let counts = outbox::counts(&pool).await.unwrap();
    assert_eq!((counts.waiting, counts.failed), (0, 1));
    assert!(server.mails().is_empty());
}

#[sqlx::test]
async fn mail_queued_in_a_transaction_that_fails_is_never_sent(owner: PgPool) {
    let pool = app_pool(&owner).await;
    let mut tx = pool.begin().await.unwrap();
    assert!(
        outbox::enqueue(&mut tx, &email("lost", "x@jatimprov.go.id"), now())
            .await
            .unwrap()
    );
    // The work the message was about fails (here: a refused insert) and the transaction goes.
    let bad = outbox::enqueue(&mut tx, &email("bad", "not an address"), now()).await;
    assert!(bad.is_err());
    drop(tx);
    // Committed work rolled back explicitly leaves nothing either.
    let mut tx = pool.begin().await.unwrap();
    outbox::enqueue(&mut tx, &email("undone", "x@jatimprov.go.id"), now())
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM email_outbox")
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(rows, 0);
    let server = MailServer::start().await;
    let d = outbox::deliver_due(&pool, &server.mailer(), now() + Duration::hours(1), 50)
        .await
        .unwrap();
    assert_eq!(d.sent, 0);
}

#[sqlx::test]
async fn the_operations_page_warns_when_mail_has_waited_over_an_hour(owner: PgPool) {
    use axum::http::StatusCode;
    use simlontar::auth::model::Role;
    let pool = app_pool(&owner).await;
    let mut server = MailServer::start().await;
    server.stop().await;
    queue(&pool, &[email("held", "x@jatimprov.go.id")]).await;
    sqlx::query(
        "INSERT INTO email_outbox (dedupe_key, to_address, subject, body_text, body_html, next_attempt_at)
         VALUES ('bad', 'x@.', 's', 't', 'h', $1)",
    )
    .bind(now())
    .execute(&owner)
    .await
    .unwrap();
    let mut t = now();
    while t < now() + Duration::minutes(30) {
        outbox::deliver_due(&pool, &server.mailer(), t, 50)
            .await
            .unwrap();
        t += Duration::minutes(1);
    }
    sqlx::query("INSERT INTO job_run (job, slot, started_at, finished_at, instance, summary) VALUES ('capacity_daily', $1, $1, $1, 'a', '{}')")
        .bind(now() - Duration::hours(3))
        .execute(&owner)
        .await
        .unwrap();
    let mut admin = crate::common::signed_in(&owner, "admin1", Role::Admin, None).await;
    let page = admin.get("/admin/operations").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains("ops-warning"), "{}", page.body);
    assert!(page.body.contains(r#"class="waiting">1<"#), "{}", page.body);
    assert!(page.body.contains(r#"class="failed">1<"#), "{}", page.body);
    // The daily capacity run: its WIB time and its last slot (00:00 UTC = 07:00 WIB).
    assert!(page.body.contains("setiap hari 07:00 WIB"), "{}", page.body);
    assert!(page.body.contains("23-11-2026 07:00 WIB"), "{}", page.body);
    // Two hours later, still down: the page warns.
    // (A new sign-in: the first session has gone idle by then.)
    let mut later = crate::common::Client {
        router: crate::common::router_at(&owner, now() + Duration::hours(2)).await,
        cookie: None,
        csrf: None,
    };
    later.sign_in("admin1", crate::common::PASSWORD).await;
    later.get("/").await;
    let page = later.get("/admin/operations").await;
    assert!(
        page.body.contains("ops-warning") && page.body.contains("120 menit"),
        "{}",
        page.body
    );
    let mut officer = crate::common::signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    assert_eq!(
        officer.get("/admin/operations").await.status,
        StatusCode::FORBIDDEN
    );
}

#[sqlx::test]
async fn a_refused_recipient_stops_being_retried(owner: PgPool) {
    let pool = app_pool(&owner).await;
    let server = MailServer::start().await;
    // An address lettre cannot even parse is a permanent failure, kept for the admin.
    sqlx::query(
        "INSERT INTO email_outbox (dedupe_key, to_address, subject, body_text, body_html, next_attempt_at)
         VALUES ('bad', 'x@.', 's', 't', 'h', $1)",
    )
    .bind(now())
    .execute(&owner)
    .await
    .unwrap();
    let d = outbox::deliver_due(&pool, &server.mailer(), now(), 50)
        .await
        .unwrap();
    assert_eq!(
        d,
        Delivery {
            sent: 0,
            retry_later: 0,
            failed: 1
        }
    );
    let counts = outbox::counts(&pool).await.unwrap();
    assert_eq!((counts.waiting, counts.failed), (0, 1));
}
