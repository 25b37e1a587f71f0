//! What the database knows before an admission happens (issue 28), for the live forecast:
//! people referred to a UPT and not yet placed, people picked up and not yet routed, the
//! days transport plans take residents home, and the raid calendar (`capacity_raid`, loaded
//! by `simlontar capacity raids`). A history of occupancy cannot see these; the forecast
//! reads them as people who may come (`Expected`), departures already planned, and surges
//! announced (`Announced`).
//!
//! The chances come from the last year of the same records: how often a referral ended in
//! a placement, how often a case of a need went to a UPT, how those placements were shared
//! among the wards of the need, and how long each step usually took.
use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::{Postgres, Row, Transaction};

use super::engine::demand::Announced;
use super::engine::forecast::Expected;
use crate::clock::local_date;
use crate::shelter::model::{admits, age_on, needs_of, Rules};

/// Days of past operations read (as many as the demand history: `evaluate::HISTORY_DAYS`),
/// and how far ahead.
const RAID_PAST_DAYS: i64 = 550;
const RAID_AHEAD_DAYS: i64 = 31;

/// The raid operations of the calendar that bear on wards of `need`, from a year and a half
/// back to a month ahead (the past ones explain past surges).
pub async fn announced(
    tx: &mut Transaction<'_, Postgres>,
    need: &str,
    today: NaiveDate,
) -> sqlx::Result<Vec<Announced>> {
    let rows: Vec<(NaiveDate, NaiveDate, f64)> = sqlx::query_as(
        "SELECT starts_on, ends_on, factor FROM capacity_raid
          WHERE ends_on >= $1::date - $3::int AND starts_on <= $1::date + $4::int
            AND (need_code IS NULL OR need_code = $2)
          ORDER BY starts_on",
    )
    .bind(today)
    .bind(need)
    .bind(RAID_PAST_DAYS as i32)
    .bind(RAID_AHEAD_DAYS as i32)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(from, to, factor)| Announced { from, to, factor })
        .collect())
}

/// A ward as the pipeline sees it.
pub struct WardKey<'a> {
    pub id: i64,
    pub upt: &'a str,
    pub need: &'a str,
    /// Its admission rules (`shelter::model::admits`: the placement's own check).
    pub rules: &'a Rules,
}

/// What the last year says, with defaults for a system with little history.
struct Rates {
    /// Referrals that ended in a placement.
    referral_placed: f64,
    /// Cases of each need (the person's first) that went to a UPT.
    to_upt: HashMap<String, f64>,
    /// Placements of the last year per ward.
    placements: HashMap<i64, f64>,
    /// Median days from referral to placement, and from case opened to placement.
    referral_days: f64,
    case_days: f64,
}

/// People who may come to each ward (by ward id), each on a day with a chance: those
/// referred to the ward's UPT and not yet placed, and those picked up and not yet routed.
/// People already counted elsewhere are left out: on the waiting list or with a bed held
/// (both arrive tomorrow for the forecast), placed, or routed home.
pub async fn expected(
    tx: &mut Transaction<'_, Postgres>,
    wards: &[WardKey<'_>],
    now: DateTime<Utc>,
    (today, tz): (NaiveDate, chrono_tz::Tz),
) -> sqlx::Result<HashMap<i64, Vec<Expected>>> {
    let rates = rates(tx, now, tz).await?;
    let people = sqlx::query(
        "SELECT c.opened_at, i.conditions, i.birth_date, i.estimated_age, i.found_at, i.sex,
                r.upt_code, r.referred_at
           FROM ot_case c JOIN intake i ON i.id = c.intake_id
           LEFT JOIN referral r ON r.case_id = c.id AND r.ended_at IS NULL
          WHERE c.closed_at IS NULL
            AND c.state IN ('received', 'identity_pending', 'identified', 'unidentified')
            AND NOT EXISTS (SELECT 1 FROM placement p WHERE p.case_id = c.id AND p.ended_at IS NULL)
            AND NOT EXISTS (SELECT 1 FROM bed_hold h WHERE h.case_id = c.id AND h.released_at IS NULL)
            AND NOT EXISTS (SELECT 1 FROM waiting_list w WHERE w.case_id = c.id AND w.resolved_at IS NULL)
            AND NOT EXISTS (SELECT 1 FROM transport_plan t WHERE t.case_id = c.id
                             AND t.state IN ('proposed', 'accepted', 'in_transit'))",
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut out: HashMap<i64, Vec<Expected>> = HashMap::new();
    let days_since = |t: DateTime<Utc>| (now - t).num_hours() as f64 / 24.0;
    for p in &people {
        let conditions: Vec<String> = p.get("conditions");
        let found: DateTime<Utc> = p.get("found_at");
        let age = age_on(
            p.get("birth_date"),
            p.get("estimated_age"),
            local_date(found, tz),
            today,
        );
        let sex: String = p.get("sex");
        let needs = needs_of(&conditions, age, &sex);
        let need = needs[0];
        let fits = |w: &&WardKey| {
            (w.need == need || w.rules.needs_accepted.iter().any(|n| n == need))
                && admits(w.rules, &sex, age, &needs).is_ok()
        };
        let referred: Option<String> = p.get("upt_code");
        let (candidates, chance, after): (Vec<&WardKey>, f64, f64) = match referred {
            Some(upt) => {
                let at: DateTime<Utc> = p.get("referred_at");
                let c = wards.iter().filter(fits).filter(|w| w.upt == upt).collect();
                (
                    c,
                    rates.referral_placed,
                    rates.referral_days - days_since(at),
                )
            }
            None => {
                let at: DateTime<Utc> = p.get("opened_at");
                let c = wards.iter().filter(fits).collect();
                let to_upt = rates.to_upt.get(need).copied().unwrap_or(0.3);
                (c, to_upt, rates.case_days - days_since(at))
            }
        };
        // Shared among the wards that fit as last year's placements were (evenly without).
        let weight = |w: &WardKey| rates.placements.get(&w.id).copied().unwrap_or(0.0) + 0.5;
        let total: f64 = candidates.iter().map(|w| weight(w)).sum();
        let day = after.round().max(1.0) as u32;
        for w in candidates {
            out.entry(w.id).or_default().push(Expected {
                day,
                chance: chance * weight(w) / total,
            });
        }
    }
    Ok(out)
}

async fn rates(
    tx: &mut Transaction<'_, Postgres>,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> sqlx::Result<Rates> {
    let year = now - Duration::days(365);
    let (ended, placed, referral_days): (i64, i64, Option<f64>) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE end_reason = 'placed'),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ended_at - referred_at) / 86400)
                    FILTER (WHERE end_reason = 'placed')
           FROM referral WHERE ended_at > $1 AND ended_at <= $2",
    )
    .bind(year)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let case_days: Option<f64> = sqlx::query_scalar(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first.started_at - c.opened_at) / 86400)
           FROM ot_case c
           JOIN LATERAL (SELECT min(started_at) AS started_at FROM placement p WHERE p.case_id = c.id) first ON true
          WHERE first.started_at > $1 AND first.started_at <= $2",
    )
    .bind(year)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let placements: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT ward_id, count(*) FROM placement WHERE started_at > $1 AND started_at <= $2 GROUP BY 1",
    )
    .bind(year)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    // Cases decided in the last year (opened more than a month ago): the share placed, by
    // the person's first need.
    let decided = sqlx::query(
        "SELECT i.conditions, i.birth_date, i.estimated_age, i.found_at, i.sex,
                EXISTS (SELECT 1 FROM placement p WHERE p.case_id = c.id) AS placed
           FROM ot_case c JOIN intake i ON i.id = c.intake_id
          WHERE c.opened_at > $1 AND c.opened_at <= $2 - interval '30 days'",
    )
    .bind(year)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    let mut by_need: HashMap<String, (f64, f64)> = HashMap::new();
    for r in &decided {
        let found: DateTime<Utc> = r.get("found_at");
        let age = age_on(
            r.get("birth_date"),
            r.get("estimated_age"),
            local_date(found, tz),
            local_date(found, tz),
        );
        let sex: String = r.get("sex");
        let need = needs_of(&r.get::<Vec<String>, _>("conditions"), age, &sex)[0];
        let e = by_need.entry(need.to_string()).or_default();
        e.0 += 1.0;
        e.1 += r.get::<bool, _>("placed") as u8 as f64;
    }
    Ok(Rates {
        // Fewer than 10 referrals ended: most referrals end in a bed.
        referral_placed: if ended >= 10 {
            placed as f64 / ended as f64
        } else {
            0.9
        },
        // A need with under 20 decided cases: 0.3 (the default in `expected`).
        to_upt: (by_need.into_iter())
            .filter(|(_, (n, _))| *n >= 20.0)
            .map(|(need, (n, placed))| (need, placed / n))
            .collect(),
        placements: (placements.into_iter())
            .map(|(w, n)| (w, n as f64))
            .collect(),
        referral_days: referral_days.unwrap_or(2.0),
        case_days: case_days.unwrap_or(5.0),
    })
}
