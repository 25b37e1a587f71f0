//! Opening the case of a new intake: the next number of its pick-up regency and year, the
//! opening event and the audit row, in the caller's transaction (the intake's own).
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde_json::{json, Value};
use sqlx::{Postgres, Transaction};

use super::events::{self, Event};
use super::model::State;
use super::number::CaseNumber;
use crate::auth::audit::{self, Origin};
use crate::auth::model::Principal;
use crate::vocab::RegionCode;

/// A case just opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub id: i64,
    pub number: CaseNumber,
}

/// Opens the case of intake `intake_id`, picked up in `region` on local day `found_on`
/// (`clock::local_date`: a pick-up at 01:00 WIB on 1 January is in the new year). `detail`
/// goes with the opening event and the audit row. The regency's counter row stays locked
/// until the caller commits, so numbers are given without gaps or repeats.
#[allow(clippy::too_many_arguments)]
pub async fn create(
    tx: &mut Transaction<'_, Postgres>,
    intake_id: i64,
    region: &str,
    found_on: NaiveDate,
    actor: &Principal,
    origin: &Origin,
    detail: Value,
    now: DateTime<Utc>,
) -> sqlx::Result<Opened> {
    let year = found_on.year();
    // The counter runs per regency (`region`, dotted); the number holds it undotted.
    let regency = RegionCode::parse(region).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let serial: i32 = sqlx::query_scalar(
        "INSERT INTO case_number_counter (region_code, year, last) VALUES ($1, $2, 1)
         ON CONFLICT (region_code, year) DO UPDATE SET last = case_number_counter.last + 1
         RETURNING last",
    )
    .bind(region)
    .bind(year)
    .fetch_one(&mut **tx)
    .await?;
    let number = CaseNumber::new(&regency, year, serial.into())
        .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let id = sqlx::query_scalar(
        "INSERT INTO ot_case (number, intake_id, state, opened_at, updated_at)
         VALUES ($1, $2, 'received', $3, $3) RETURNING id",
    )
    .bind(&number)
    .bind(intake_id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let opened = Opened { id, number };
    let event = Event {
        to: Some(State::Received),
        ..Event::note("opened", "", detail.clone())
    };
    events::record(tx, opened.id, Some(actor), &event, now).await?;
    let mut audited = json!({ "intake_id": intake_id });
    if let (Some(a), Value::Object(more)) = (audited.as_object_mut(), detail) {
        a.extend(more);
    }
    audit::record(
        &mut **tx,
        origin,
        "create",
        "case",
        Some(opened.number.as_str()),
        audited,
    )
    .await?;
    Ok(opened)
}
