//! The database side of the forecast and the alerts: builds each ward's forecast input
//! from placements and the waiting list, stores the forecast, moves the ward's alerts
//! through the state machine, and queues one email per recipient for the run's changes —
//! the alerts and their emails in one transaction. Runs daily and after each placement.
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::{PgPool, Postgres, Row, Transaction};

use super::ahead;
use super::engine::alert::{
    evaluate, AlertState, Episode, Evaluation, Level, Thresholds, Transition,
};
use super::engine::forecast::{forecast, seed, ForecastConfig, Resident, WardInput};
use super::engine::survival::Survival;
use crate::config::Settings;
use crate::notify::mailer::{Email, Priority};
use crate::notify::outbox;

/// Days of arrivals read: 56 for the rate and earlier years for the Lebaran factor.
const HISTORY_DAYS: i64 = 550;
/// Mean stay when a ward and its category have too few finished stays to say.
const FALLBACK_MEAN_STAY: f64 = 120.0;

#[derive(Debug, Default, Clone, Serialize)]
pub struct Evaluated {
    pub wards: usize,
    pub changes: usize,
    pub emails: usize,
}

struct Ward {
    id: i64,
    upt: String,
    upt_name: String,
    name: String,
    need: String,
    sex: String,
    beds: i32,
    occupied: i32,
    held: i32,
}

/// Evaluates every ward (or one, after a placement) as of `now`.
pub async fn run(
    pool: &PgPool,
    settings: &Settings,
    only: Option<i64>,
    now: DateTime<Utc>,
) -> anyhow::Result<Evaluated> {
    // The system's scope: the emails count residents by home regency (never names).
    let mut tx = crate::auth::policy::CaseScope::system(now)
        .begin(pool)
        .await?;
    // One evaluation at a time: two instances, or a placement during the daily run.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('simlontar capacity'))")
        .execute(&mut *tx)
        .await?;
    let today = crate::clock::local_date(now, settings.time_zone);
    let wards: Vec<Ward> = sqlx::query(
        "SELECT w.id, w.upt_code, u.name AS upt_name, w.name, w.need_code, w.sex, w.beds, w.occupied, w.held
           FROM ward w JOIN upt u ON u.code = w.upt_code WHERE $1::bigint IS NULL OR w.id = $1 ORDER BY w.id",
    )
    .bind(only)
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(|r| Ward {
        id: r.get("id"),
        upt: r.get("upt_code"),
        upt_name: r.get("upt_name"),
        name: r.get("name"),
        need: r.get("need_code"),
        sex: r.get("sex"),
        beds: r.get("beds"),
        occupied: r.get("occupied"),
        held: r.get("held"),
    })
    .collect();
    let mut done = Evaluated::default();
    let mut changes: Vec<(String, &Ward, Transition, Option<u32>, f64)> = vec![];
    // Who may come, for every ward at once (the pipeline is read once per run), shared among
    // all the wards that fit, also when only one is evaluated.
    #[derive(sqlx::FromRow)]
    struct Key {
        id: i64,
        upt_code: String,
        need_code: String,
        #[sqlx(flatten)]
        rules: crate::shelter::model::Rules,
    }
    let all: Vec<Key> = sqlx::query_as(
        "SELECT id, upt_code, need_code, sex, min_age, max_age, needs_accepted, needs_refused
           FROM ward ORDER BY id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let keys: Vec<ahead::WardKey> = (all.iter())
        .map(|k| ahead::WardKey {
            id: k.id,
            upt: &k.upt_code,
            need: &k.need_code,
            rules: &k.rules,
        })
        .collect();
    let mut expected = ahead::expected(&mut tx, &keys, now, (today, settings.time_zone)).await?;
    let imported = imported_stays(&mut tx).await?;
    let imported_of_need = |need: &str| -> Vec<u32> {
        (all.iter())
            .filter(|k| k.need_code == need)
            .flat_map(|k| imported.get(&k.id).cloned().unwrap_or_default())
            .collect()
    };
    for w in &wards {
        let (residents, mut completed, censored) =
            stays(&mut tx, w.id, now, today, settings.time_zone).await?;
        // Stays of the days imported (`import occupancy`), as if lived here.
        completed.extend(imported.get(&w.id).into_iter().flatten());
        let expected = expected.remove(&w.id).unwrap_or_default();
        let announced = ahead::announced(&mut tx, &w.need, today).await?;
        let pooled = pooled_survival(&mut tx, &w.need, now, &imported_of_need(&w.need)).await?;
        let survival = Survival::choose(&completed, &censored, pooled.as_ref(), FALLBACK_MEAN_STAY);
        let arrivals = arrivals(&mut tx, w, now, (today, settings.time_zone)).await?;
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM waiting_list WHERE resolved_at IS NULL AND need_code = $1 AND ($2 = 'any' OR sex = $2)",
        )
        .bind(&w.need)
        .bind(&w.sex)
        .fetch_one(&mut *tx)
        .await?;
        let waiting = waiting as u32 + w.held.max(0) as u32;
        // The beds in force on each day: a closure known today takes them away for its
        // days, so the forecast (and the alerts) see the shortage coming.
        let by_day = crate::shelter::wards::capacity_by_day(
            &mut tx,
            w.id,
            w.beds.max(0) as u32,
            today,
            super::engine::forecast::HORIZON + 1,
        )
        .await?;
        let (capacity, ahead) = (by_day[0], &by_day[1..]);
        let input = WardInput {
            today,
            capacity,
            capacity_ahead: Some(ahead),
            residents: &residents,
            survival: &survival,
            arrivals: &arrivals,
            waiting,
            expected: &expected,
            announced: &announced,
            known_rates: None,
            seed: seed(&format!("{}/{}", w.upt, w.id), today),
        };
        let f = forecast(&input, &ForecastConfig::default());
        let th = Thresholds::default();
        let as_of = data_as_of(&mut tx, w, now, settings.time_zone)
            .await?
            .unwrap_or(today);
        let e = Evaluation::new(
            today,
            as_of,
            w.occupied.max(0) as u32,
            capacity,
            waiting,
            &f,
            &th,
        )
        .at(now);
        sqlx::query(
            "INSERT INTO capacity_forecast (upt_code, ward_id, computed_at, capacity, occupied, waiting, p7, p14, p30,
                                            days_to_full, daily, model, inputs)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'mc-km-v1', $12)",
        )
        .bind(&w.upt)
        .bind(w.id)
        .bind(now)
        .bind(capacity as i32)
        .bind(w.occupied)
        .bind(waiting as i32)
        .bind(f.p(7))
        .bind(f.p(14))
        .bind(f.p(30))
        .bind(f.days_to_full.map(f64::from))
        .bind(json!(f.free_beds.iter().enumerate().map(|(i, b)| json!({"day": i + 1, "free": b.mean, "lo": b.low, "hi": b.high})).collect::<Vec<_>>()))
        .bind(json!({"residents": residents.len(), "completed_stays": completed.len(), "demand_per_day": f.demand.base_rate, "closed_days_ahead": ahead.iter().filter(|c| **c == 0).count(),
                     "demand_now_per_day": f.demand.current_rate(), "surge_factor": f.demand.surge_factor,
                     "leaving_planned": residents.iter().filter(|r| r.planned_departure_in.is_some()).count(),
                     "expected_people": expected.iter().map(|e| e.chance).sum::<f64>(),
                     "announced_factor_tomorrow": f.demand.factor_on(today + Duration::days(1))}))
        .execute(&mut *tx)
        .await?;
        let prev = load_state(&mut tx, w.id, settings.time_zone).await?;
        let (next, transitions) = evaluate(&prev, &e, &th);
        save_state(&mut tx, w, &prev, &next, &f, now).await?;
        for t in transitions {
            changes.push((describe(&t), w, t, f.days_to_full, f.p(14)));
        }
        done.wards += 1;
    }
    done.changes = changes.len();
    if !changes.is_empty() {
        done.emails = notify(&mut tx, settings, &changes, now).await?;
    }
    tx.commit().await?;
    Ok(done)
}

/// The newest day with news from the ward's UPT, for the dead-man's switch: a placement
/// begun or ended, a bed held or released, in any of its wards (staff recording movements
/// is how the UPT reports; one active ward shows the UPT's records are kept). `None` —
/// nothing could have gone stale — when the ward has nobody in it and no bed held.
async fn data_as_of(
    tx: &mut Transaction<'_, Postgres>,
    w: &Ward,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> sqlx::Result<Option<NaiveDate>> {
    if w.occupied <= 0 && w.held <= 0 {
        return Ok(None);
    }
    let last: Option<DateTime<Utc>> = sqlx::query_scalar(
        "SELECT max(t) FROM (
             SELECT v.t FROM placement p JOIN ward w ON w.id = p.ward_id,
                    LATERAL (VALUES (p.started_at), (p.ended_at)) v(t)
              WHERE w.upt_code = $1
             UNION ALL
             SELECT v.t FROM bed_hold h JOIN ward w ON w.id = h.ward_id,
                    LATERAL (VALUES (h.held_at), (h.released_at)) v(t)
              WHERE w.upt_code = $1) m
          WHERE t <= $2",
    )
    .bind(&w.upt)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(last.map(|t| crate::clock::local_date(t, tz)))
}

type Stays = (Vec<Resident>, Vec<u32>, Vec<u32>);

/// Current residents (with a scheduled departure when a plan home is accepted: on the day
/// it departs, or within 2 days when it names none), and the ward's finished stays of the
/// last three years.
async fn stays(
    tx: &mut Transaction<'_, Postgres>,
    ward: i64,
    now: DateTime<Utc>,
    today: NaiveDate,
    tz: chrono_tz::Tz,
) -> sqlx::Result<Stays> {
    let rows = sqlx::query(
        "SELECT greatest(0, extract(day FROM coalesce(p.ended_at, $2) - p.started_at))::int AS days,
                p.ended_at IS NULL AS open,
                (SELECT t.state IN ('accepted', 'in_transit') FROM transport_plan t
                  WHERE t.case_id = p.case_id AND t.state IN ('proposed', 'accepted', 'in_transit')) AS leaving,
                (SELECT t.departs_at FROM transport_plan t
                  WHERE t.case_id = p.case_id AND t.state IN ('accepted', 'in_transit')) AS departs_at
           FROM placement p WHERE p.ward_id = $1 AND (p.ended_at IS NULL OR p.ended_at > $2 - interval '3 years')
            AND (p.end_reason IS DISTINCT FROM 'transfer')",
    )
    .bind(ward)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    let mut residents = vec![];
    let (mut completed, mut censored) = (vec![], vec![]);
    for r in rows {
        let days = r.get::<i32, _>("days").max(0) as u32;
        if r.get("open") {
            censored.push(days);
            // A person whose plan home is accepted leaves on its day (an overdue one
            // tomorrow), or within days when it names none (typical: 2).
            let leaving = r.get::<Option<bool>, _>("leaving").unwrap_or(false);
            let departs: Option<DateTime<Utc>> = r.get("departs_at");
            let day = departs.map_or(2, |t| {
                (crate::clock::local_date(t, tz) - today)
                    .num_days()
                    .clamp(1, 365) as u32
            });
            residents.push(Resident {
                elapsed_days: days,
                planned_departure_in: leaving.then_some(day),
            });
        } else {
            completed.push(days);
        }
    }
    Ok((residents, completed, censored))
}

/// The stay curve of every ward of the same need, for wards with few stays of their own.
async fn pooled_survival(
    tx: &mut Transaction<'_, Postgres>,
    need: &str,
    now: DateTime<Utc>,
    imported: &[u32],
) -> sqlx::Result<Option<Survival>> {
    let rows: Vec<(i32, bool)> = sqlx::query_as(
        "SELECT greatest(0, extract(day FROM coalesce(p.ended_at, $2) - p.started_at))::int, p.ended_at IS NULL
           FROM placement p JOIN ward w ON w.id = p.ward_id
          WHERE w.need_code = $1 AND (p.ended_at IS NULL OR p.ended_at > $2 - interval '3 years')
            AND p.end_reason IS DISTINCT FROM 'transfer'",
    )
    .bind(need)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    let completed: Vec<u32> = (rows.iter())
        .filter(|r| !r.1)
        .map(|r| r.0.max(0) as u32)
        .chain(imported.iter().copied())
        .collect();
    let censored: Vec<u32> = rows
        .iter()
        .filter(|r| r.1)
        .map(|r| r.0.max(0) as u32)
        .collect();
    Ok(Survival::kaplan_meier(&completed, &censored))
}

/// The completed stays of each ward's imported days (`occupancy_import_day`), rebuilt from
/// the daily counts as the replay rebuilds them (`backtest::reconstruct`).
async fn imported_stays(
    tx: &mut Transaction<'_, Postgres>,
) -> sqlx::Result<std::collections::HashMap<i64, Vec<u32>>> {
    let rows: Vec<(i64, NaiveDate, i32, i32, i32, i32, i32)> = sqlx::query_as(
        "SELECT ward_id, day, capacity, occupancy, admissions, discharges, turned_away
           FROM occupancy_import_day ORDER BY ward_id, day",
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut out = std::collections::HashMap::new();
    for chunk in rows.chunk_by(|a, b| a.0 == b.0) {
        let mut r =
            super::backtest::reconstruct::Reconstruction::new(&format!("imported/{}", chunk[0].0));
        for &(_, date, capacity, occupancy, admissions, discharges, turned_away) in chunk {
            r.push(&super::history::DayRow {
                date,
                capacity: capacity.max(0) as u32,
                occupancy: occupancy.max(0) as u32,
                admissions: admissions.max(0) as u32,
                discharges: discharges.max(0) as u32,
                turned_away: turned_away.max(0) as u32,
            });
        }
        out.insert(chunk[0].0, r.completed_stays());
    }
    Ok(out)
}

/// People routed to the ward per day, oldest first, ending today: placements made, and
/// people put on the waiting list for its kind of bed (demand the ward could not take).
/// A day imported (`import occupancy`) counts its admissions and people turned away
/// instead of what the system recorded that day.
async fn arrivals(
    tx: &mut Transaction<'_, Postgres>,
    w: &Ward,
    now: DateTime<Utc>,
    (today, tz): (NaiveDate, chrono_tz::Tz),
) -> sqlx::Result<Vec<u32>> {
    let rows: Vec<(NaiveDate, i64)> = sqlx::query_as(
        "SELECT d::date, count(*) FROM (
             SELECT (started_at AT TIME ZONE $6)::date AS d FROM placement
              WHERE ward_id = $1 AND started_at > $3 - $4 * interval '1 day'
             UNION ALL
             SELECT (since AT TIME ZONE $6)::date FROM waiting_list
              WHERE need_code = $2 AND ($5 = 'any' OR sex = $5) AND since > $3 - $4 * interval '1 day') a
          WHERE NOT EXISTS (SELECT 1 FROM occupancy_import_day o WHERE o.ward_id = $1 AND o.day = a.d)
          GROUP BY 1
         UNION ALL
         SELECT day, (admissions + turned_away)::bigint FROM occupancy_import_day WHERE ward_id = $1",
    )
    .bind(w.id)
    .bind(&w.need)
    .bind(now)
    .bind(HISTORY_DAYS as f64)
    .bind(&w.sex)
    .bind(crate::clock::zone(tz))
    .fetch_all(&mut **tx)
    .await?;
    let start = today - Duration::days(HISTORY_DAYS - 1);
    let mut daily = vec![0u32; HISTORY_DAYS as usize];
    for (d, n) in rows {
        let i = (d - start).num_days();
        if (0..HISTORY_DAYS).contains(&i) {
            daily[i as usize] += n as u32;
        }
    }
    Ok(daily)
}

/// An open alert row: level, opened, last notified, calm runs, first calm run.
type OpenAlert = (
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    i32,
    Option<DateTime<Utc>>,
);

/// Days are the officers' (WIB), as in the state machine's `today`.
async fn load_state(
    tx: &mut Transaction<'_, Postgres>,
    ward: i64,
    tz: chrono_tz::Tz,
) -> sqlx::Result<AlertState> {
    let rows: Vec<OpenAlert> = sqlx::query_as(
        "SELECT level, opened_at, last_notified_at, calm_runs, calm_since FROM capacity_alert WHERE ward_id = $1 AND resolved_at IS NULL",
    )
    .bind(ward)
    .fetch_all(&mut **tx)
    .await?;
    let mut state = AlertState::default();
    for (level, opened, notified, calm, calm_since) in rows {
        let since = crate::clock::local_date(opened, tz);
        let last = crate::clock::local_date(notified.unwrap_or(opened), tz);
        match Level::parse(&level) {
            Some(l) => {
                state.open[l as usize] = Some(Episode {
                    since,
                    last_notified: last,
                    calm_runs: calm.max(0) as u32,
                    calm_since,
                })
            }
            None => state.stale = Some((since, last)),
        }
    }
    // When the ward last had a bed again after being full (the predictive levels re-arm
    // from it): the first calm run of the last FULL alert that resolved.
    let freed: Option<DateTime<Utc>> = sqlx::query_scalar(
        "SELECT coalesce(calm_since, resolved_at) FROM capacity_alert
          WHERE ward_id = $1 AND level = 'full' AND resolved_at IS NOT NULL
          ORDER BY resolved_at DESC LIMIT 1",
    )
    .bind(ward)
    .fetch_optional(&mut **tx)
    .await?
    .flatten();
    state.freed = freed.map(|d| crate::clock::local_date(d, tz));
    Ok(state)
}

async fn save_state(
    tx: &mut Transaction<'_, Postgres>,
    w: &Ward,
    prev: &AlertState,
    next: &AlertState,
    f: &super::engine::forecast::Forecast,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    for level in Level::ALL {
        let (before, after) = (prev.open[level as usize], next.open[level as usize]);
        match (before, after) {
            (None, Some(ep)) => {
                sqlx::query(
                    "INSERT INTO capacity_alert (upt_code, ward_id, level, opened_at, last_seen_at, last_notified_at,
                                                 probability, days_to_full, calm_runs, detail)
                     VALUES ($1, $2, $3, $4, $4, $4, $5, $6, $7, $8)",
                )
                .bind(&w.upt)
                .bind(w.id)
                .bind(level.as_str())
                .bind(now)
                .bind(f.p(14))
                .bind(f.days_to_full.map(f64::from))
                .bind(ep.calm_runs as i32)
                .bind(json!({"p7": f.p(7), "p30": f.p(30)}))
                .execute(&mut **tx)
                .await?;
            }
            (Some(was), Some(ep)) => {
                sqlx::query(
                    "UPDATE capacity_alert SET last_seen_at = $3, calm_runs = $4, probability = $5, days_to_full = $6,
                            calm_since = $8, last_notified_at = CASE WHEN $7 THEN $3 ELSE last_notified_at END
                      WHERE ward_id = $1 AND level = $2 AND resolved_at IS NULL",
                )
                .bind(w.id)
                .bind(level.as_str())
                .bind(now)
                .bind(ep.calm_runs as i32)
                .bind(f.p(14))
                .bind(f.days_to_full.map(f64::from))
                .bind(ep.last_notified != was.last_notified)
                .bind(ep.calm_since)
                .execute(&mut **tx)
                .await?;
            }
            (Some(_), None) => {
                sqlx::query("UPDATE capacity_alert SET resolved_at = $3, last_seen_at = $3 WHERE ward_id = $1 AND level = $2 AND resolved_at IS NULL")
                    .bind(w.id)
                    .bind(level.as_str())
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
            }
            (None, None) => {}
        }
    }
    match (prev.stale, next.stale) {
        (None, Some(_)) => {
            sqlx::query(
                "INSERT INTO capacity_alert (upt_code, ward_id, level, opened_at, last_seen_at, last_notified_at)
                 VALUES ($1, $2, 'stale', $3, $3, $3)",
            )
            .bind(&w.upt)
            .bind(w.id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
        (Some(_), None) => {
            sqlx::query("UPDATE capacity_alert SET resolved_at = $2 WHERE ward_id = $1 AND level = 'stale' AND resolved_at IS NULL")
                .bind(w.id)
                .bind(now)
                .execute(&mut **tx)
                .await?;
        }
        _ => {}
    }
    Ok(())
}

/// The level as the mail names it: the vocabulary's label (the capacity pages' word), in
/// capitals.
fn level_id(l: Level) -> String {
    crate::vocab::label_of(
        crate::vocab::AlertLevel::parse,
        crate::vocab::AlertLevel::label,
        l.as_str(),
    )
    .id
    .to_uppercase()
}

fn describe(t: &Transition) -> String {
    match t {
        Transition::Raised { level } => format!("baru: {}", level_id(*level)),
        Transition::Escalated { from, to } => {
            format!("naik: {} → {}", level_id(*from), level_id(*to))
        }
        Transition::Resolved { level } => format!("selesai: {}", level_id(*level)),
        Transition::Reminder { level } => format!("pengingat: {}", level_id(*level)),
        Transition::DataStale { .. } | Transition::DataStaleReminder => {
            "data tidak diperbarui".into()
        }
        Transition::DataFresh => "data kembali diperbarui".into(),
    }
}

/// One email per recipient for the run: the provincial desk hears every change; each
/// regency office hears about the wards where its residents stay, with counts by sex.
async fn notify(
    tx: &mut Transaction<'_, Postgres>,
    settings: &Settings,
    changes: &[(String, &Ward, Transition, Option<u32>, f64)],
    now: DateTime<Utc>,
) -> sqlx::Result<usize> {
    let line = |(what, w, _, days, p14): &(String, &Ward, Transition, Option<u32>, f64)| {
        format!(
            "{} · {} ({}, {}): {what}; terisi {}/{} tempat tidur; peluang penuh dalam 14 hari {:.0}%{}",
            w.upt_name, w.name, w.need, w.sex, w.occupied, w.beds, p14 * 100.0,
            days.map_or(String::new(), |d| format!("; perkiraan penuh dalam {d} hari"))
        )
    };
    let link = format!("{}/capacity", settings.base_url.trim_end_matches('/'));
    let mut recipients: Vec<(String, Vec<String>)> = vec![(
        settings.escalation_email.clone(),
        changes.iter().map(line).collect(),
    )];
    let wards: Vec<i64> = changes.iter().map(|c| c.1.id).collect();
    let residents: Vec<(String, i64, String, i64)> = sqlx::query_as(
        "SELECT i.home_region_code, p.ward_id, i.sex, count(*) FROM placement p
           JOIN ot_case c ON c.id = p.case_id JOIN intake i ON i.id = c.intake_id
          WHERE p.ended_at IS NULL AND p.ward_id = ANY($1) AND i.home_region_code LIKE '35.%'
          GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    )
    .bind(&wards)
    .fetch_all(&mut **tx)
    .await?;
    let mut regions: Vec<&str> = residents.iter().map(|r| r.0.as_str()).collect();
    regions.dedup();
    for region in regions {
        let to = crate::notify::office_address(tx, settings, region).await?;
        let mut lines = vec![];
        for c in changes {
            let counts: Vec<String> = residents
                .iter()
                .filter(|r| r.0 == region && r.1 == c.1.id)
                .map(|r| {
                    format!(
                        "{} {}",
                        r.3,
                        if r.2 == "female" {
                            "perempuan"
                        } else if r.2 == "male" {
                            "laki-laki"
                        } else {
                            "tidak diketahui"
                        }
                    )
                })
                .collect();
            if !counts.is_empty() {
                lines.push(format!(
                    "{} — warga Anda di bangsal ini: {}",
                    line(c),
                    counts.join(", ")
                ));
            }
        }
        recipients.push((to, lines));
    }
    // Each UPT's head hears about its own wards, once its office record gives an address
    // (a made-up address would reach nobody; readiness lists the heads without one).
    let mut upts: Vec<&str> = changes.iter().map(|c| c.1.upt.as_str()).collect();
    upts.sort_unstable();
    upts.dedup();
    for upt in upts {
        if let Some(to) = crate::notify::offices::address(tx, upt).await? {
            let mut lines = vec![];
            for c in changes.iter().filter(|c| c.1.upt == upt) {
                lines.push(format!(
                    "{}{}",
                    line(c),
                    super::decongest::mail_line(
                        tx,
                        &settings.base_url,
                        c.1.id,
                        (now, settings.time_zone)
                    )
                    .await?
                ));
            }
            recipients.push((to, lines));
        }
    }
    let mut queued = 0;
    for (to, lines) in recipients.into_iter().filter(|r| !r.1.is_empty()) {
        let subject = format!("Kapasitas UPT: {} perubahan status peringatan", lines.len());
        let text = format!(
            "Perubahan status kapasitas UPT ({}):\n\n- {}\n\nLayar kapasitas: {link}\n",
            crate::clock::format_local(now, settings.time_zone),
            lines.join("\n- ")
        );
        let html = maud::html! {
            p { "Perubahan status kapasitas UPT (" (crate::clock::format_local(now, settings.time_zone)) "):" }
            ul { @for l in &lines { li { (l) } } }
            p { a href=(link) { "Layar kapasitas" } }
        }
        .into_string();
        let email = Email {
            dedupe_key: format!("capacity:{to}:{}", now.to_rfc3339()),
            priority: Priority::Urgent,
            to,
            subject,
            text,
            html,
        };
        if outbox::enqueue(tx, &email, now).await? {
            queued += 1;
        }
    }
    Ok(queued)
}
