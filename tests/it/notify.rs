//! The outbox and SMTP delivery against a real mail server over TCP.
use chrono::Duration;
use sqlx::PgPool;

use crate::common::{app_pool, now};
use crate::mail::MailServer;
use simlontar::notify::mailer::Email;
use simlontar::notify::outbox::{self, Delivery};

fn email(key: &str, to: &str) -> Email {
    Email {
        dedupe_key: key.into(),
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
async fn a_mail_server_down_for_an_hour_delays_mail_and_loses_none(owner: PgPool) {
    let pool = app_pool(&owner).await;
    let mut server = MailServer::start().await;
    server.stop().await;
    let emails: Vec<Email> = (1..=3)
        .map(|i| email(&format!("k{i}"), "x@jatimprov.go.id"))
        .collect();
    queue(&pool, &emails).await;

    // The worker tries every 20 s for an hour; the backoff keeps attempts few.
    let mut t = now();
    let mut attempts = 0;
    while t < now() + Duration::hours(1) {
        let d = outbox::deliver_due(&pool, &server.mailer(), t, 50)
            .await
            .unwrap();
        assert_eq!(d.sent, 0);
        attempts += d.retry_later;
        t += Duration::seconds(20);
    }
    // Each message: 1, 2, 4, 8 minutes apart, then every 10 — about 9 tries an hour.
    let per_message: Vec<i32> = sqlx::query_scalar("SELECT attempts FROM email_outbox")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(
        per_message.iter().all(|a| (5..=12).contains(a)),
        "{per_message:?}"
    );
    assert_eq!(attempts, per_message.iter().sum::<i32>() as usize);
    let (waiting, error): (i64, Option<String>) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE sent_at IS NULL), max(last_error) FROM email_outbox",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(waiting, 3);
    assert!(error.is_some());

    server.restart().await;
    let mut sent = 0;
    let back = t;
    while t < back + Duration::minutes(11) {
        sent += outbox::deliver_due(&pool, &server.mailer(), t, 50)
            .await
            .unwrap()
            .sent;
        t += Duration::seconds(20);
    }
    assert_eq!(
        sent, 3,
        "every message within ten minutes of the server's return"
    );
    let mut subjects: Vec<String> = server.mails().into_iter().map(|m| m.subject).collect();
    subjects.sort();
    assert_eq!(
        subjects,
        vec!["Pemberitahuan k1", "Pemberitahuan k2", "Pemberitahuan k3"]
    );
}

#[sqlx::test]
async fn two_workers_at_once_send_each_message_once(owner: PgPool) {
    let pool = app_pool(&owner).await;
    let server = MailServer::start().await;
    let emails: Vec<Email> = (1..=20)
        .map(|i| email(&format!("m{i}"), "x@jatimprov.go.id"))
        .collect();
    queue(&pool, &emails).await;
    let (ma, mb) = (server.mailer(), server.mailer());
    let (a, b) = tokio::join!(
        outbox::deliver_due(&pool, &ma, now(), 50),
        outbox::deliver_due(&pool, &mb, now(), 50)
    );
    assert_eq!(a.unwrap().sent + b.unwrap().sent, 20);
    assert_eq!(server.mails().len(), 20);
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
