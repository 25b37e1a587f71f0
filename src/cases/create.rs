//! Opening the case of a new intake: the next number of its pick-up regency and year, the
//! opening event and the audit row, in the caller's transaction (the intake's own).
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde_json::{json, Value};
use sqlx::{Postgres, Row, Transaction};

use super::events::{self, Event};
use super::model::State;
use crate::auth::audit::{self, Origin};
use crate::auth::model::Principal;

/// A case just opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub id: i64,
    pub number: String,
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
    let row = sqlx::query(
        "WITH n AS (
           INSERT INTO case_number_counter (region_code, year, last) VALUES ($1, $2, 1)
           ON CONFLICT (region_code, year) DO UPDATE SET last = case_number_counter.last + 1
           RETURNING last)
         INSERT INTO ot_case (number, intake_id, state, opened_at, updated_at)
         SELECT 'OT-' || replace($1, '.', '') || '-' || $2 || '-' || lpad(n.last::text, 6, '0'), $3,
                'received', $4, $4
           FROM n RETURNING id, number",
    )
    .bind(region)
    .bind(year)
    .bind(intake_id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let opened = Opened {
        id: row.get("id"),
        number: row.get("number"),
    };
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
        Some(&opened.number),
        audited,
    )
    .await?;
    Ok(opened)
}
