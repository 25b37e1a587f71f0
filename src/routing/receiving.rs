//! The receiving office's answers to a hand-over: accept, decline with a reason (which
//! becomes a refusal, `handover::refuse`), propose another date (the case officer takes
//! it by changing the departure), or collect the person at Balai PRS PMKS Sidoarjo (the
//! plan then ends there). Invariants: one function takes every answer, from a signed-in
//! officer or from the notice's link alike; the case, the plan and the notice are locked
//! in that order and read again; a called-off hand-over takes no answer; an answer given
//! twice changes nothing the second time; only a plan that has not left may change.
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::json;
use sqlx::{Postgres, Transaction};

use super::handover::{self, notice_by, By, Notice};
use super::network::{great_circle_km, ROAD_IDR_PER_KM, ROAD_KMH};
use super::plan::{PROVINCE_BUDGET, PROVINCE_OFFICE};
use crate::auth::model::Principal;
use crate::cases::events::{self, Event};
use crate::cases::lifecycle;
use crate::clock::local_date;
use crate::config::Settings;
use crate::error::{AppError, AppResult, FieldError};
use crate::notify::mailer::{Email, Priority};
use crate::notify::outbox;

type Tx<'a> = Transaction<'a, Postgres>;

/// Where an office may collect the person instead (geo/upts.csv).
pub const COLLECT_UPT: &str = "BALAI-PMKS-SIDOARJO";
/// How far ahead an office may propose a date.
pub const MAX_DAYS_AHEAD: i64 = 60;

/// An answer as given on the card or through the API.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Accept,
    Decline { reason: String },
    AnotherDate { date: String, note: String },
    Collect,
}

impl Answer {
    pub fn kind(&self) -> &'static str {
        match self {
            Answer::Accept => "accepted",
            Answer::Decline { .. } => "declined",
            Answer::AnotherDate { .. } => "another_date",
            Answer::Collect => "collect",
        }
    }
}

/// Locks the case, the plan and the notice (the order every change of a case takes)
/// and reads the notice again under the locks.
pub async fn lock_notice(tx: &mut Tx<'_>, notice_id: i64) -> AppResult<Notice> {
    let case_id: i64 = sqlx::query_scalar("SELECT case_id FROM handover_notice WHERE id = $1")
        .bind(notice_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)?;
    lifecycle::lock_case(tx, case_id).await?;
    sqlx::query(
        "SELECT 1 FROM transport_plan t JOIN handover_notice n ON n.plan_id = t.id
          WHERE n.id = $1 FOR UPDATE OF t, n",
    )
    .bind(notice_id)
    .execute(&mut **tx)
    .await?;
    notice_by(tx, By::Id(notice_id))
        .await?
        .ok_or(AppError::NotFound)
}

/// The office's answer to notice `notice_id`, by `by` (None: through the link). `tz`
/// is the service's time zone (a proposed date is a local day).
pub async fn answer(
    tx: &mut Tx<'_>,
    settings: &Settings,
    notice_id: i64,
    answer: &Answer,
    by: Option<&Principal>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let tz = settings.time_zone;
    // The fields first, so a form comes back with its errors whatever the state.
    let proposed = match answer {
        Answer::Decline { reason } if reason.trim().chars().count() < 10 => {
            return Err(AppError::Invalid(vec![FieldError::new(
                "reason",
                "tuliskan alasan penolakan (paling sedikit 10 huruf) / give the reason for declining (at least 10 characters)",
            )]))
        }
        Answer::AnotherDate { date, .. } => Some(proposed_date(date, local_date(now, tz))?),
        _ => None,
    };
    let n = lock_notice(tx, notice_id).await?;
    // Read while the office still sees the case: a decline ends its scope over it.
    let number: String = sqlx::query_scalar("SELECT number FROM ot_case WHERE id = $1")
        .bind(n.case_id)
        .fetch_one(&mut **tx)
        .await?;
    if n.cancelled() {
        return Err(AppError::Conflict(handover::CANCELLED.into()));
    }
    if n.received_at.is_some() {
        return Err(AppError::Conflict(RECEIVED.into()));
    }
    let (note, detail) = match answer {
        Answer::Accept => {
            if n.accepted_at.is_some() {
                return Ok(());
            }
            sqlx::query(
                "UPDATE handover_notice SET accepted_at = $2, acknowledged_at = coalesce(acknowledged_at, $2) WHERE id = $1",
            )
            .bind(n.id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
            (String::new(), json!({}))
        }
        Answer::Decline { reason } => {
            if n.departed {
                return Err(AppError::Conflict(LEFT.into()));
            }
            (reason.trim().to_string(), json!({}))
        }
        Answer::AnotherDate { note, .. } => {
            if n.departed {
                return Err(AppError::Conflict(LEFT.into()));
            }
            let last: Option<NaiveDate> = sqlx::query_scalar(
                "SELECT proposed_date FROM handover_response WHERE notice_id = $1 AND kind = 'another_date' ORDER BY id DESC LIMIT 1",
            )
            .bind(n.id)
            .fetch_optional(&mut **tx)
            .await?
            .flatten();
            if last == proposed {
                return Ok(());
            }
            (note.trim().to_string(), json!({"date": proposed}))
        }
        Answer::Collect => {
            if n.collect_upt.is_some() {
                return Ok(());
            }
            if n.departed {
                return Err(AppError::Conflict(LEFT.into()));
            }
            (String::new(), json!({"upt": COLLECT_UPT}))
        }
    };
    let response: i64 = sqlx::query_scalar(
        "INSERT INTO handover_response (notice_id, case_id, kind, proposed_date, note, by_user, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(n.id)
    .bind(n.case_id)
    .bind(answer.kind())
    .bind(proposed)
    .bind(&note)
    .bind(by.map(|p| p.user_id))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let kind = match answer {
        Answer::Accept => "handover_accepted",
        Answer::Decline { .. } => "handover_declined",
        Answer::AnotherDate { .. } => "handover_date_proposed",
        Answer::Collect => "handover_collect",
    };
    let mut detail = detail;
    detail["notice"] = json!(n.id);
    detail["office"] = json!(n.office);
    events::record(tx, n.case_id, by, &Event::note(kind, &note, detail), now).await?;
    match answer {
        // The office will not receive the person: the refusal rule cancels the plan and
        // the case falls back to a UPT, counted against the office like any refusal.
        Answer::Decline { reason } => {
            handover::refuse(tx, n.case_id, "refused", "government", reason, by, now).await?
        }
        Answer::Collect => collect(tx, &n, by, now).await?,
        _ => {}
    }
    if !matches!(answer, Answer::Accept) {
        tell_the_desk(tx, settings, (&n, &number), response, answer, proposed, now).await?;
    }
    Ok(())
}

/// Every answer other than "we accept" changes the case officer's plans: the province
/// desk is told by email, in the answer's transaction (the outbox delivers it).
async fn tell_the_desk(
    tx: &mut Tx<'_>,
    settings: &Settings,
    (n, number): (&Notice, &str),
    response: i64,
    answer: &Answer,
    proposed: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let what = match answer {
        Answer::Accept => return Ok(()),
        Answer::Decline { reason } => format!(
            "Menolak menerima warga. Alasan: {}. Rencana pulang dibatalkan; kasus kembali menunggu tempat di UPT.",
            reason.trim()
        ),
        Answer::AnotherDate { note, .. } => format!(
            "Mengusulkan tanggal serah terima lain: {}.{} Bila disetujui, ubah jadwal keberangkatan di rencana perjalanan.",
            proposed.map_or_else(String::new, |d| d.format("%d-%m-%Y").to_string()),
            match note.trim() {
                "" => String::new(),
                note => format!(" Catatan: {note}."),
            }
        ),
        Answer::Collect => {
            "Akan menjemput warga di Balai PRS PMKS Sidoarjo. Rencana perjalanan kini berakhir di sana."
                .to_string()
        }
    };
    let mail =
        simlontar_templates::mail::office_answer(number, &n.office, &what, &settings.base_url);
    outbox::enqueue(
        tx,
        &Email {
            dedupe_key: format!("office-answer:{response}"),
            priority: Priority::Normal,
            to: settings.escalation_email.clone(),
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
        },
        now,
    )
    .await?;
    Ok(())
}

/// A proposed date: a local day from today to `MAX_DAYS_AHEAD` ahead.
fn proposed_date(date: &str, today: NaiveDate) -> AppResult<NaiveDate> {
    let field = |m: &str| AppError::Invalid(vec![FieldError::new("date", m)]);
    let d = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map_err(|_| field("tuliskan tanggal yang diusulkan / give the date you propose"))?;
    if d < today || d > today + Duration::days(MAX_DAYS_AHEAD) {
        return Err(field(
            "tanggal harus antara hari ini dan 60 hari lagi / the date must be between today and 60 days ahead",
        ));
    }
    Ok(d)
}

/// The plan ends at Balai PRS PMKS Sidoarjo: Dinsos Jatim takes the person there by road
/// (one leg from the trip's start, its car on the provincial budget) and the office
/// collects them there; the office's own trip home is its own (not costed, as with a
/// relay's onward trip). The hand-over place and the notice say so.
async fn collect(
    tx: &mut Tx<'_>,
    n: &Notice,
    by: Option<&Principal>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (name, lat, lon): (String, f64, f64) =
        sqlx::query_as("SELECT name, ST_Y(location), ST_X(location) FROM upt WHERE code = $1")
            .bind(COLLECT_UPT)
            .fetch_one(&mut **tx)
            .await?;
    let (plan_id, mut plan): (i64, serde_json::Value) =
        sqlx::query_as("SELECT t.id, t.plan FROM transport_plan t JOIN handover_notice n ON n.plan_id = t.id WHERE n.id = $1")
            .bind(n.id)
            .fetch_one(&mut **tx)
            .await?;
    let from = (
        plan["from"]["lat"].as_f64().unwrap_or(lat),
        plan["from"]["lon"].as_f64().unwrap_or(lon),
    );
    let km = great_circle_km(geo::Point::new(from.1, from.0), geo::Point::new(lon, lat))
        * super::network::Mode::Road.detour();
    let minutes = (km / ROAD_KMH * 60.0).round() as u32;
    let fare = (km * ROAD_IDR_PER_KM as f64).round() as u64;
    let before = json!({"legs": plan["legs"], "handover": plan["handover"]});
    let start = plan["legs"][0]["from"]
        .as_str()
        .unwrap_or(super::plan::PICK_UP)
        .to_string();
    plan["legs"] = json!([{
        "mode": "road", "from": start, "to": name, "from_code": null, "to_code": COLLECT_UPT,
        "from_at": {"lat": from.0, "lon": from.1}, "to_at": {"lat": lat, "lon": lon},
        "distance_km": km, "minutes": minutes, "fare_idr": fare, "fare_per_person_idr": fare,
        "tickets": 1, "office": PROVINCE_OFFICE, "paid_by": PROVINCE_BUDGET, "day": 1
    }]);
    plan["total_minutes"] = json!(minutes);
    plan["total_fare_idr"] = json!(fare);
    plan["fare_by_payer"] = json!([{"paid_by": PROVINCE_BUDGET, "fare_idr": fare}]);
    plan["handover"]["at"] = json!(name);
    plan["collect"] = json!({"upt": COLLECT_UPT, "by": n.office});
    plan["notes"] = json!([format!(
        "{} menjemput warga di {name}; perjalanan selanjutnya ditanggung kantor tersebut.",
        n.office
    )]);
    sqlx::query(
        "UPDATE transport_plan SET plan = $2, legs = $3, total_minutes = $4, total_fare_idr = $5 WHERE id = $1",
    )
    .bind(plan_id)
    .bind(&plan)
    .bind(&plan["legs"])
    .bind(minutes as i32)
    .bind(fare as i64)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE handover_notice SET collect_upt = $2 WHERE id = $1")
        .bind(n.id)
        .bind(COLLECT_UPT)
        .execute(&mut **tx)
        .await?;
    let after = json!({"legs": plan["legs"], "handover": plan["handover"]});
    sqlx::query(
        "INSERT INTO plan_change (plan_id, case_id, kind, before, after, reason, changed_by, changed_at)
         VALUES ($1, $2, 'collect', $3, $4, $5, $6, $7)",
    )
    .bind(plan_id)
    .bind(n.case_id)
    .bind(before)
    .bind(after)
    .bind(format!("{} menjemput di {name}", n.office))
    .bind(by.map(|p| p.user_id))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The latest date the office proposed, if it did (shown to the case officer).
pub async fn proposed(
    tx: &mut Tx<'_>,
    notice_id: i64,
) -> sqlx::Result<Option<(NaiveDate, String, DateTime<Utc>)>> {
    sqlx::query_as(
        "SELECT proposed_date, note, at FROM handover_response
          WHERE notice_id = $1 AND kind = 'another_date' ORDER BY id DESC LIMIT 1",
    )
    .bind(notice_id)
    .fetch_optional(&mut **tx)
    .await
}

/// Said to an answer after the person was received.
pub const RECEIVED: &str = "Warga sudah diterima; serah terima ini selesai. / The person was received: this hand-over is complete.";
/// Said to a decline, another date or collecting once the person has left.
pub const LEFT: &str = "Warga sudah berangkat; hubungi Dinas Sosial Provinsi Jawa Timur. / The person has already left: call the provincial office.";
