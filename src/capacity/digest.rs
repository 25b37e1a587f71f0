//! The weekly digest to each regency's Dinsos: how many of its residents are in UPTs (by
//! UPT, ward and sex), its repatriations this week, and the capacity outlook of the wards
//! that hold them. Counts and links only, never a name or NIK; one email per office and
//! week (the outbox key), so a rerun of the job sends nothing twice.
use chrono::{DateTime, Datelike, Utc};
use sqlx::PgPool;

use crate::auth::policy::CaseScope;
use crate::config::Settings;
use crate::notify::mailer::{Email, Priority};
use crate::notify::outbox;

/// Queues the week's digests; returns how many were queued.
pub async fn run(pool: &PgPool, settings: &Settings, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut tx = CaseScope::system(now).begin(pool).await?;
    let residents: Vec<(String, String, String, String, i64)> = sqlx::query_as(
        "SELECT i.home_region_code, u.name, w.name, i.sex, count(*)
           FROM placement p JOIN ward w ON w.id = p.ward_id JOIN upt u ON u.code = w.upt_code
           JOIN ot_case c ON c.id = p.case_id JOIN intake i ON i.id = c.intake_id
          WHERE p.ended_at IS NULL AND i.home_region_code LIKE '35.%'
          GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
    )
    .fetch_all(&mut *tx)
    .await?;
    let repatriations: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT office_code, count(*), count(received_at) FROM handover_notice
          WHERE sent_at > $1 - interval '7 days' AND office_code LIKE '35.%' GROUP BY 1",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    let outlook: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT DISTINCT i.home_region_code, u.name, w.name, a.level
           FROM capacity_alert a JOIN ward w ON w.id = a.ward_id JOIN upt u ON u.code = w.upt_code
           JOIN placement p ON p.ward_id = w.id AND p.ended_at IS NULL
           JOIN ot_case c ON c.id = p.case_id JOIN intake i ON i.id = c.intake_id
          WHERE a.resolved_at IS NULL AND a.level IN ('warning', 'critical', 'full') AND i.home_region_code LIKE '35.%'
          ORDER BY 1, 2, 3",
    )
    .fetch_all(&mut *tx)
    .await?;
    let regions: Vec<(String, String)> =
        sqlx::query_as("SELECT code, name FROM region WHERE province_code = '35' ORDER BY code")
            .fetch_all(&mut *tx)
            .await?;
    let week = now.with_timezone(&settings.time_zone).iso_week();
    let link = format!("{}/capacity", settings.base_url.trim_end_matches('/'));
    let mut queued = 0;
    for (code, name) in regions {
        let mine: Vec<String> = residents
            .iter()
            .filter(|r| r.0 == code)
            .map(|r| {
                format!(
                    "{} · {}: {} {}",
                    r.1,
                    r.2,
                    r.4,
                    if r.3 == "female" {
                        "perempuan"
                    } else if r.3 == "male" {
                        "laki-laki"
                    } else {
                        "tidak diketahui"
                    }
                )
            })
            .collect();
        let trips = repatriations.iter().find(|r| r.0 == code);
        let risks: Vec<String> = outlook
            .iter()
            .filter(|o| o.0 == code)
            .map(|o| {
                let level = crate::vocab::label_of(
                    crate::vocab::AlertLevel::parse,
                    crate::vocab::AlertLevel::label,
                    &o.3,
                );
                format!("{} · {}: {}", o.1, o.2, level.id)
            })
            .collect();
        if mine.is_empty() && trips.is_none() {
            continue;
        }
        let total: i64 = residents.iter().filter(|r| r.0 == code).map(|r| r.4).sum();
        let mut text = format!(
            "Ringkasan mingguan untuk Dinas Sosial {name} (minggu {}/{}).\n\n",
            week.week(),
            week.year()
        );
        text.push_str(&format!("Warga Anda di UPT saat ini: {total}\n"));
        for l in &mine {
            text.push_str(&format!("- {l}\n"));
        }
        let (sent, received) = trips.map_or((0, 0), |t| (t.1, t.2));
        text.push_str(&format!(
            "\nPemulangan minggu ini: {sent} pemberitahuan, {received} sudah diterima.\n"
        ));
        if !risks.is_empty() {
            text.push_str("\nBangsal yang menampung warga Anda dan hampir penuh:\n");
            for r in &risks {
                text.push_str(&format!("- {r}\n"));
            }
        }
        text.push_str(&format!("\nLayar kapasitas: {link}\n"));
        let html =
            maud::html! { pre style="font-family: sans-serif; white-space: pre-wrap" { (text) } }
                .into_string();
        let to = crate::notify::office_address(&mut tx, settings, &code).await?;
        let email = Email {
            dedupe_key: format!("digest:{code}:{}-W{:02}", week.year(), week.week()),
            priority: Priority::Routine,
            to,
            subject: format!("Ringkasan mingguan Simlontar — {name}"),
            text,
            html,
        };
        if outbox::enqueue(&mut tx, &email, now).await? {
            queued += 1;
        }
    }
    tx.commit().await?;
    Ok(queued)
}
