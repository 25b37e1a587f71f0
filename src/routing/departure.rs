//! The plan's departure: when the person is to leave and who escorts them, the legs an
//! officer corrects (mode, day, fare), and the expected arrival that follows from both.
//! Invariants: a plan is changed only while it waits for its departure (`accepted`);
//! every change is a `plan_change` row (before, after, reason, who, when) and a case
//! event; the receiving office is told each new expected arrival; a departure scheduled
//! once is changed only with a reason; a plan that needs an escort does not leave
//! without the escort's name.
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde_json::{json, Value};
use sqlx::{Postgres, Transaction};

use crate::auth::model::Principal;
use crate::cases::events::{self, Event};
use crate::cases::lifecycle;
use crate::config::Settings;
use crate::error::{AppError, AppResult, FieldError};
use crate::notify::mailer::{Email, Priority};
use crate::notify::outbox;

type Tx<'a> = Transaction<'a, Postgres>;

/// How far ahead a departure may be scheduled.
pub const MAX_DAYS_AHEAD: i64 = 60;
/// The longest trip, in days, a leg's day may name.
pub const MAX_TRIP_DAYS: u32 = 14;
/// The most one leg may cost (a ship across the archipelago with an escort is far below).
pub const MAX_LEG_FARE_IDR: u64 = 50_000_000;

/// When the person arrives: each leg starts when the one before ends, but not before its
/// day of the trip (day 1 is the departure's; day `d` starts `d − 1` whole days after
/// the departure). A leg without a day is on the day its predecessor ends.
pub fn expected_arrival(departure: DateTime<Utc>, legs: &[(Option<u32>, u32)]) -> DateTime<Utc> {
    legs.iter().fold(departure, |t, &(day, minutes)| {
        let earliest = departure + Duration::days(i64::from(day.unwrap_or(1).max(1)) - 1);
        t.max(earliest) + Duration::minutes(i64::from(minutes))
    })
}

/// The (day, minutes) of each leg of a stored plan.
pub fn leg_times(plan: &Value) -> Vec<(Option<u32>, u32)> {
    plan["legs"]
        .as_array()
        .map(|legs| {
            legs.iter()
                .map(|l| {
                    (
                        l["day"].as_u64().map(|d| d as u32),
                        l["minutes"].as_u64().unwrap_or(0) as u32,
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The arrival to expect for a stored plan: from the recorded departure once there is
/// one, else from the scheduled one; `None` while neither exists.
pub fn arrival_of(
    plan: &Value,
    planned: Option<DateTime<Utc>>,
    departed: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    departed
        .or(planned)
        .map(|d| expected_arrival(d, &leg_times(plan)))
}

/// The departure as typed on the form (local date and time, the escort's name) or sent
/// by the API. The reason is asked for when a scheduled departure is changed.
#[derive(Debug, Clone, Default)]
pub struct DepartureInput {
    pub date: String,
    pub time: String,
    pub escort_name: String,
    pub reason: String,
}

/// The departure's moment from the local date and time, with each bad field named.
pub fn parse_departure(
    input: &DepartureInput,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, Vec<FieldError>> {
    let mut errors = vec![];
    let date = NaiveDate::parse_from_str(input.date.trim(), "%Y-%m-%d");
    let time = NaiveTime::parse_from_str(input.time.trim(), "%H:%M");
    if date.is_err() {
        errors.push(FieldError::new(
            "date",
            "tuliskan tanggal berangkat (hari-bulan-tahun) / give the departure date",
        ));
    }
    if time.is_err() {
        errors.push(FieldError::new(
            "time",
            "tuliskan jam berangkat, mis. 08:30 / give the departure time, e.g. 08:30",
        ));
    }
    let (Ok(date), Ok(time)) = (date, time) else {
        return Err(errors);
    };
    let Some(at) = tz.from_local_datetime(&date.and_time(time)).earliest() else {
        return Err(vec![FieldError::new(
            "time",
            "jam ini tidak ada / no such time",
        )]);
    };
    let at = at.with_timezone(&Utc);
    // A schedule is for the future; an hour's grace lets a form typed at the door pass.
    if at < now - Duration::hours(1) {
        errors.push(FieldError::new(
            "date",
            "waktu berangkat sudah lewat; pilih waktu yang akan datang / the departure is in the past",
        ));
    } else if at > now + Duration::days(MAX_DAYS_AHEAD) {
        errors.push(FieldError::new(
            "date",
            format!("paling lama {MAX_DAYS_AHEAD} hari dari sekarang / at most {MAX_DAYS_AHEAD} days ahead"),
        ));
    }
    if errors.is_empty() {
        Ok(at)
    } else {
        Err(errors)
    }
}

/// A correction of one leg: its mode, its day of the trip and what it costs.
#[derive(Debug, Clone, Default)]
pub struct LegInput {
    pub mode: String,
    pub day: String,
    pub fare: String,
    pub reason: String,
}

/// The live plan of a case, locked (case first, then the plan): (id, state, plan,
/// scheduled departure, escort name). Only an `accepted` plan may be changed.
async fn lock_plan(
    tx: &mut Tx<'_>,
    case_id: i64,
) -> AppResult<(i64, Value, Option<DateTime<Utc>>, Option<String>)> {
    lifecycle::lock_case(tx, case_id).await?;
    type Row = (i64, String, Value, Option<DateTime<Utc>>, Option<String>);
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, state, plan, planned_departure, escort_name FROM transport_plan
          WHERE case_id = $1 AND state IN ('proposed', 'accepted', 'in_transit') FOR UPDATE",
    )
    .bind(case_id)
    .fetch_optional(&mut **tx)
    .await?;
    let (id, state, plan, planned, escort) = row.ok_or_else(|| {
        AppError::Conflict(
            "tidak ada rencana perjalanan yang berlaku / no live transport plan".into(),
        )
    })?;
    if state != "accepted" {
        return Err(AppError::Conflict(
            "warga sudah berangkat; rencananya tidak dapat diubah lagi / the person has left: the plan can no longer change".into(),
        ));
    }
    Ok((id, plan, planned, escort))
}

fn reason_error() -> FieldError {
    FieldError::new(
        "reason",
        "tuliskan alasan perubahan (paling sedikit 5 huruf) / give the reason for the change (at least 5 characters)",
    )
}

/// Schedules the departure (or changes it, with a reason): the date and time, and the
/// escort's name when the plan travels with an escort. The office is told the expected
/// arrival. Returns the plan change's id.
pub async fn schedule(
    tx: &mut Tx<'_>,
    settings: &Settings,
    case_id: i64,
    input: &DepartureInput,
    actor: &Principal,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let (plan_id, plan, planned, escort) = lock_plan(tx, case_id).await?;
    let mut errors = match parse_departure(input, settings.time_zone, now) {
        Ok(_) => vec![],
        Err(e) => e,
    };
    let name = input.escort_name.trim();
    let needs_escort = !plan["escort"].is_null();
    if (needs_escort || !name.is_empty()) && name.chars().count() < 3 {
        errors.push(FieldError::new(
            "escort_name",
            "tuliskan nama pendamping (paling sedikit 3 huruf) / give the escort's name (at least 3 letters)",
        ));
    }
    let at = parse_departure(input, settings.time_zone, now).ok();
    let name = (!name.is_empty()).then(|| name.to_string());
    let same = errors.is_empty() && at.is_some() && planned == at && escort == name;
    if !same && planned.is_some() && input.reason.trim().chars().count() < 5 {
        errors.push(reason_error());
    }
    let (Some(at), true) = (at, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    if same {
        // The same departure again (a retried form): nothing changes, nobody is told twice.
        let last: Option<i64> = sqlx::query_scalar(
            "SELECT max(id) FROM plan_change WHERE plan_id = $1 AND kind = 'departure'",
        )
        .bind(plan_id)
        .fetch_one(&mut **tx)
        .await?;
        if let Some(id) = last {
            return Ok(id);
        }
    }
    sqlx::query("UPDATE transport_plan SET planned_departure = $2, escort_name = $3 WHERE id = $1")
        .bind(plan_id)
        .bind(at)
        .bind(&name)
        .execute(&mut **tx)
        .await?;
    let before = json!({"planned_departure": planned, "escort_name": escort});
    let after = json!({"planned_departure": at, "escort_name": name});
    let change = record_change(
        tx,
        (plan_id, case_id),
        "departure",
        (before, after),
        input.reason.trim(),
        actor,
        now,
    )
    .await?;
    let arrival = arrival_of(&plan, Some(at), None);
    tell_office(tx, settings, plan_id, change, arrival, now).await?;
    Ok(change)
}

/// Corrects leg `index` (0-based) of the live plan: mode, day of the trip, fare; always
/// with a reason. The plan's totals follow; the office is told a changed arrival.
pub async fn edit_leg(
    tx: &mut Tx<'_>,
    settings: &Settings,
    case_id: i64,
    index: usize,
    input: &LegInput,
    actor: &Principal,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let (plan_id, mut plan, planned, _) = lock_plan(tx, case_id).await?;
    let legs = plan["legs"].as_array().cloned().unwrap_or_default();
    let field = |name: &str| format!("legs[{index}].{name}");
    let Some(old) = legs.get(index).cloned() else {
        return Err(AppError::NotFound);
    };
    let mut errors = vec![];
    let mode = input.mode.trim();
    if crate::vocab::TravelMode::parse(mode).is_none() {
        errors.push(FieldError::new(
            field("mode"),
            "pilih moda perjalanan / choose a mode",
        ));
    }
    // A leg is not earlier in the trip than the one before it, nor later than the next.
    let day_of = |l: Option<&Value>| l.and_then(|l| l["day"].as_u64()).map(|d| d as u32);
    let lowest = index
        .checked_sub(1)
        .and_then(|i| day_of(legs.get(i)))
        .unwrap_or(1);
    let highest = day_of(legs.get(index + 1)).unwrap_or(MAX_TRIP_DAYS);
    let day = input
        .day
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (lowest..=highest).contains(d));
    if day.is_none() {
        errors.push(FieldError::new(
            field("day"),
            format!("hari ke-{lowest} sampai ke-{highest} perjalanan / day {lowest} to {highest} of the trip"),
        ));
    }
    let fare = input
        .fare
        .trim()
        .replace(['.', ' '], "")
        .trim_start_matches("Rp")
        .parse::<u64>()
        .ok()
        .filter(|f| *f <= MAX_LEG_FARE_IDR);
    if fare.is_none() {
        errors.push(FieldError::new(
            field("fare"),
            "tuliskan biaya dalam rupiah, angka saja (mis. 150000) / give the fare in rupiah, digits only",
        ));
    }
    if input.reason.trim().chars().count() < 5 {
        errors.push(FieldError {
            field: field("reason"),
            ..reason_error()
        });
    }
    let (Some(day), Some(fare), true) = (day, fare, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let tickets = old["tickets"].as_u64().unwrap_or(1).max(1);
    let mut new = old.clone();
    new["mode"] = json!(mode);
    new["day"] = json!(day);
    new["fare_idr"] = json!(fare);
    new["fare_per_person_idr"] = json!(fare / tickets);
    let before_arrival = arrival_of(&plan, planned, None);
    plan["legs"][index] = new.clone();
    retotal(&mut plan);
    sqlx::query(
        "UPDATE transport_plan SET plan = $2, legs = $3, total_fare_idr = $4 WHERE id = $1",
    )
    .bind(plan_id)
    .bind(&plan)
    .bind(&plan["legs"])
    .bind(plan["total_fare_idr"].as_i64().unwrap_or(0))
    .execute(&mut **tx)
    .await?;
    let pick = |l: &Value| json!({"index": index, "mode": l["mode"], "day": l["day"], "fare_idr": l["fare_idr"]});
    let change = record_change(
        tx,
        (plan_id, case_id),
        "leg",
        (pick(&old), pick(&new)),
        input.reason.trim(),
        actor,
        now,
    )
    .await?;
    let arrival = arrival_of(&plan, planned, None);
    if arrival != before_arrival {
        tell_office(tx, settings, plan_id, change, arrival, now).await?;
    }
    Ok(change)
}

/// The plan's fare totals again from its legs (minutes are the links' and stay).
fn retotal(plan: &mut Value) {
    let legs = plan["legs"].as_array().cloned().unwrap_or_default();
    let total: u64 = legs
        .iter()
        .map(|l| l["fare_idr"].as_u64().unwrap_or(0))
        .sum();
    let mut payers: Vec<(String, u64)> = vec![];
    for l in &legs {
        let by = l["paid_by"].as_str().unwrap_or_default().to_string();
        let fare = l["fare_idr"].as_u64().unwrap_or(0);
        match payers.iter_mut().find(|(p, _)| *p == by) {
            Some((_, sum)) => *sum += fare,
            None => payers.push((by, fare)),
        }
    }
    plan["total_fare_idr"] = json!(total);
    plan["fare_by_payer"] = json!(payers
        .into_iter()
        .map(|(paid_by, fare_idr)| json!({"paid_by": paid_by, "fare_idr": fare_idr}))
        .collect::<Vec<_>>());
}

async fn record_change(
    tx: &mut Tx<'_>,
    (plan_id, case_id): (i64, i64),
    kind: &str,
    (before, after): (Value, Value),
    reason: &str,
    actor: &Principal,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO plan_change (plan_id, case_id, kind, before, after, reason, changed_by, changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(plan_id)
    .bind(case_id)
    .bind(kind)
    .bind(&before)
    .bind(&after)
    .bind(reason)
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let event = if kind == "departure" {
        "departure_planned"
    } else {
        "plan_edited"
    };
    let detail = json!({"plan_id": plan_id, "change": id, "before": before, "after": after});
    events::record(
        tx,
        case_id,
        Some(actor),
        &Event::note(event, reason, detail),
        now,
    )
    .await?;
    Ok(id)
}

/// Tells the receiving office the expected arrival (a new one after each change), by the
/// address its notice went to. Like the notice, it names the case only by its number.
async fn tell_office(
    tx: &mut Tx<'_>,
    settings: &Settings,
    plan_id: i64,
    change: i64,
    arrival: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(arrival) = arrival else {
        return Ok(());
    };
    let notice: Option<(i64, String, String, String)> = sqlx::query_as(
        "SELECT n.id, c.number, n.office, n.to_address FROM handover_notice n JOIN ot_case c ON c.id = n.case_id
          WHERE n.plan_id = $1",
    )
    .bind(plan_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((notice, number, office, to)) = notice else {
        return Ok(());
    };
    let mail = simlontar_templates::mail::arrival_update(
        &number,
        &office,
        &crate::clock::format_local(arrival, settings.time_zone),
        &settings.base_url,
    );
    outbox::enqueue(
        tx,
        &Email {
            dedupe_key: format!("handover-arrival:{notice}:{change}"),
            priority: Priority::Normal,
            to,
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
        },
        now,
    )
    .await?;
    Ok(())
}

/// The scheduled departure and escort of a live plan, for the forms and the notice.
pub async fn scheduled(
    tx: &mut Tx<'_>,
    case_id: i64,
) -> sqlx::Result<Option<(Option<DateTime<Utc>>, Option<String>)>> {
    sqlx::query_as(
        "SELECT planned_departure, escort_name FROM transport_plan
          WHERE case_id = $1 AND state IN ('proposed', 'accepted', 'in_transit')",
    )
    .bind(case_id)
    .fetch_optional(&mut **tx)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 8, h, m, 0).unwrap()
    }

    #[test]
    fn the_arrival_adds_the_legs_to_the_departure() {
        let arrival = expected_arrival(at(1, 0), &[(None, 30), (Some(1), 240), (None, 45)]);
        assert_eq!(arrival, at(6, 15));
        assert_eq!(expected_arrival(at(1, 0), &[]), at(1, 0));
    }

    #[test]
    fn a_leg_on_a_later_day_waits_for_that_day() {
        // Day 2 starts 24 hours after the departure, even when day 1's legs end earlier.
        let arrival = expected_arrival(at(1, 0), &[(Some(1), 60), (Some(2), 120)]);
        assert_eq!(
            arrival,
            at(1, 0) + Duration::days(1) + Duration::minutes(120)
        );
        // A leg that runs past its day's start is not moved back.
        let long = expected_arrival(at(1, 0), &[(Some(1), 30 * 60), (Some(2), 60)]);
        assert_eq!(long, at(1, 0) + Duration::minutes(31 * 60));
    }

    #[test]
    fn a_departure_is_read_in_local_time_and_must_be_ahead() {
        let tz = chrono_tz::Asia::Jakarta;
        let now = at(0, 0);
        let input = |date: &str, time: &str| DepartureInput {
            date: date.into(),
            time: time.into(),
            ..Default::default()
        };
        // 08:30 WIB is 01:30 UTC.
        assert_eq!(
            parse_departure(&input("2026-12-08", "08:30"), tz, now),
            Ok(at(1, 30))
        );
        let bad = parse_departure(&input("8/12", "8.30"), tz, now).unwrap_err();
        let fields: Vec<_> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["date", "time"]);
        let past = parse_departure(&input("2026-12-01", "08:30"), tz, now).unwrap_err();
        assert_eq!(past[0].field, "date");
        let far = parse_departure(&input("2027-06-01", "08:30"), tz, now).unwrap_err();
        assert_eq!(far[0].field, "date");
    }

    #[test]
    fn totals_follow_the_legs_fares_by_payer() {
        let mut plan = json!({"legs": [
            {"fare_idr": 100, "paid_by": "A"}, {"fare_idr": 50, "paid_by": "B"}, {"fare_idr": 7, "paid_by": "A"}
        ]});
        retotal(&mut plan);
        assert_eq!(plan["total_fare_idr"], 157);
        assert_eq!(
            plan["fare_by_payer"][0],
            json!({"paid_by": "A", "fare_idr": 107})
        );
    }
}
