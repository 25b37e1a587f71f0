//! Placements, transfers, discharges and the waiting list. A bed is never given twice:
//! every placement updates its ward's counter, whose CHECK (occupied + held <= beds)
//! refuses the one too many, and concurrent placements queue on that row's lock.
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::{Acquire, Postgres, Row, Transaction};

use super::model::{admits, age_on, needs_of, Rules};
use crate::auth::model::{Principal, Role};
use crate::cases::events::{self, Event};
use crate::cases::lifecycle;
use crate::cases::model::State;
use crate::clock::local_date;
use crate::error::{constraints, AppError, AppResult, FieldError};

type Tx<'a> = Transaction<'a, Postgres>;

/// What placement needs to know about the person of a case.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub case_id: i64,
    pub state: String,
    pub sex: String,
    pub age: Option<i32>,
    pub needs: Vec<&'static str>,
    /// When the person is placed: a ward closed then is not offered.
    pub at: DateTime<Utc>,
}

/// The person's age is counted on the local day (`tz`: `settings.time_zone`).
pub async fn person(
    tx: &mut Tx<'_>,
    case_id: i64,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> sqlx::Result<Person> {
    let r = sqlx::query(
        "SELECT c.state, i.sex, i.birth_date, i.estimated_age, i.found_at, i.conditions
           FROM ot_case c JOIN intake i ON i.id = c.intake_id WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_one(&mut **tx)
    .await?;
    let found: DateTime<Utc> = r.get("found_at");
    let sex: String = r.get("sex");
    let age = age_on(
        r.get("birth_date"),
        r.get("estimated_age"),
        local_date(found, tz),
        local_date(now, tz),
    );
    let conditions: Vec<String> = r.get("conditions");
    Ok(Person {
        case_id,
        state: r.get("state"),
        needs: needs_of(&conditions, age, &sex),
        sex,
        age,
        at: now,
    })
}

/// Refuses a ward whose admission rules exclude the person (`model::admits`), with the
/// reason beside the ward field. Which kind of bed fits is the officer's to weigh, from the
/// candidates; the ward's own rules are not.
async fn check_admits(tx: &mut Tx<'_>, ward_id: i64, p: &Person) -> AppResult<()> {
    let rules = ward_rules(tx, ward_id).await?;
    match admits(&rules, &p.sex, p.age, &p.needs) {
        Ok(()) => Ok(()),
        Err(x) => {
            let (label_id, label_en): (String, String) = match &x {
                super::model::Exclusion::RefusedNeed(code) => {
                    sqlx::query_as("SELECT name_id, name_en FROM need WHERE code = $1")
                        .bind(code)
                        .fetch_one(&mut **tx)
                        .await?
                }
                _ => Default::default(),
            };
            let id = x.words(simlontar_templates::Lang::Id, &label_id);
            let en = x.words(simlontar_templates::Lang::En, &label_en);
            Err(AppError::Invalid(vec![FieldError::new(
                "ward_id",
                format!("{id} / {en}"),
            )]))
        }
    }
}

/// The person of a case as placement checks them, at `now` in the user's zone.
async fn person_at(
    tx: &mut Tx<'_>,
    case_id: i64,
    (now, tz): (DateTime<Utc>, chrono_tz::Tz),
) -> sqlx::Result<Person> {
    person(tx, case_id, now, tz).await
}

pub async fn ward_rules(tx: &mut Tx<'_>, ward_id: i64) -> sqlx::Result<Rules> {
    sqlx::query_as(
        "SELECT sex, min_age, max_age, needs_accepted, needs_refused FROM ward WHERE id = $1",
    )
    .bind(ward_id)
    .fetch_one(&mut **tx)
    .await
}

/// A ward that serves the person, with its free beds and its distance from the
/// person's home (or, without one, from where they were picked up).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Candidate {
    pub ward_id: i64,
    pub upt_code: String,
    pub upt_name: String,
    pub ward_name: String,
    pub need: String,
    pub sex: String,
    pub beds: i32,
    pub free: i32,
    pub distance_km: f64,
}

#[derive(sqlx::FromRow)]
struct Row_ {
    #[sqlx(flatten)]
    candidate: Candidate,
    #[sqlx(flatten)]
    rules: Rules,
}

/// Wards of the person's needs (their own need or one they accept) whose admission rules
/// take the person (`model::admits`) and that are not closed at `p.at`, best need first,
/// then those with a free bed, then nearest.
pub async fn candidates(tx: &mut Tx<'_>, p: &Person) -> sqlx::Result<Vec<Candidate>> {
    let rows: Vec<Row_> = sqlx::query_as(
        "WITH home AS (
            SELECT coalesce(v.centroid, r.seat_point, i.found_point) AS point
              FROM ot_case c JOIN intake i ON i.id = c.intake_id
              LEFT JOIN village v ON v.code = i.home_village_code
              LEFT JOIN region r ON r.code = i.home_region_code
             WHERE c.id = $1)
         SELECT w.id AS ward_id, u.code AS upt_code, u.name AS upt_name, w.name AS ward_name,
                (SELECT n FROM unnest(w.need_code || w.needs_accepted) n
                  WHERE n = ANY($2) ORDER BY array_position($2, n) LIMIT 1) AS need,
                w.sex, w.beds, w.beds - w.occupied - w.held AS free,
                ST_Distance(u.location::geography, home.point::geography) / 1000.0 AS distance_km,
                w.min_age, w.max_age, w.needs_accepted, w.needs_refused
           FROM ward w JOIN upt u ON u.code = w.upt_code, home
          WHERE (w.need_code = ANY($2) OR w.needs_accepted && $2)
            AND NOT EXISTS (SELECT 1 FROM ward_closure c WHERE c.ward_id = w.id
                              AND c.starts_at <= $3 AND (c.ends_at IS NULL OR $3 < c.ends_at))
          ORDER BY (SELECT min(array_position($2, n)) FROM unnest(w.need_code || w.needs_accepted) n),
                   (w.beds - w.occupied - w.held > 0) DESC, distance_km, w.id",
    )
    .bind(p.case_id)
    .bind(p.needs.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    .bind(p.at)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|r| admits(&r.rules, &p.sex, p.age, &p.needs).is_ok())
        .map(|r| r.candidate)
        .collect())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Placed {
    Placed {
        placement_id: i64,
        ward_id: i64,
    },
    /// The ward had no free bed: the person waits for one of its kind.
    Full {
        ward_id: i64,
        need: String,
    },
}

/// Whether an error is the ward's bed CHECK refusing one more.
fn is_full(e: &sqlx::Error) -> bool {
    constraints::name(e) == Some("ward_check")
}

async fn ward_of(tx: &mut Tx<'_>, ward_id: i64) -> AppResult<(String, String, String)> {
    sqlx::query_as("SELECT upt_code, need_code, sex FROM ward WHERE id = $1")
        .bind(ward_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| {
            AppError::Invalid(vec![FieldError::new(
                "ward_id",
                "bangsal tidak dikenal / unknown ward",
            )])
        })
}

/// UPT staff place and move people only within their own UPT.
fn may_use_ward(actor: &Principal, upt: &str) -> bool {
    anywhere(actor) || actor.scopes(Role::UptStaff).iter().any(|s| s == upt)
}

/// Case officers (and administrators) place and move people in any UPT.
fn anywhere(actor: &Principal) -> bool {
    actor.has(Role::CaseOfficer) || actor.has(Role::Admin)
}

/// Whether UPT staff may take the person of a case into `upt`: only someone a case officer
/// referred there. Seeing a case (a stay there before, a referral) is not enough to take a
/// bed for it, as a hold is not (`capacity::holds::hold_bed`).
async fn may_take_in(
    tx: &mut Tx<'_>,
    actor: &Principal,
    case_id: i64,
    upt: &str,
) -> AppResult<bool> {
    if anywhere(actor) {
        return Ok(true);
    }
    Ok(may_use_ward(actor, upt) && super::referral::open_to(tx, case_id, upt).await?)
}

/// Takes the row locks a bed change needs, always in one order — the case, then its
/// wards by id — so that two changes of one case queue up (the second sees the first's
/// placement) and opposite transfers (A→B beside B→A) cannot deadlock: the occupancy
/// triggers would otherwise lock the ward left before the ward entered. The wards are
/// locked FOR NO KEY UPDATE, the lock the counters' UPDATE takes anyway: FOR UPDATE also
/// blocks the key-share locks of foreign-key checks (the capacity evaluation's forecast
/// row naming the ward) and deadlocked with them on a ward row just updated by another
/// change (tests/it/stress.rs).
async fn lock_for_change(tx: &mut Tx<'_>, case_id: i64, to_ward: Option<i64>) -> sqlx::Result<()> {
    sqlx::query("SELECT 1 FROM ot_case WHERE id = $1 FOR UPDATE")
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "SELECT 1 FROM ward
          WHERE id = $2
             OR id = (SELECT ward_id FROM placement WHERE case_id = $1 AND ended_at IS NULL)
             OR id = (SELECT ward_id FROM bed_hold WHERE case_id = $1 AND released_at IS NULL)
          ORDER BY id FOR NO KEY UPDATE",
    )
    .bind(case_id)
    .bind(to_ward)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Places the person of a case in a ward. A full ward puts them on the waiting list
/// (committed with the caller's transaction) and answers `Full`.
pub async fn place(
    tx: &mut Tx<'_>,
    case_id: i64,
    ward_id: i64,
    actor: &Principal,
    (now, tz): (DateTime<Utc>, chrono_tz::Tz),
) -> AppResult<Placed> {
    let (upt, need, _) = ward_of(tx, ward_id).await?;
    if !may_use_ward(actor, &upt) {
        return Err(AppError::Forbidden);
    }
    lock_for_change(tx, case_id, Some(ward_id)).await?;
    if !may_take_in(tx, actor, case_id, &upt).await? {
        return Err(AppError::Forbidden);
    }
    let p = person_at(tx, case_id, (now, tz)).await?;
    // Checked here, not left to the state change: a full ward would otherwise have put a
    // person already discharged or handed over on the waiting list (found by the
    // model-based test).
    if State::parse(&p.state).is_some_and(State::is_final) {
        return Err(AppError::Conflict(
            "kasus sudah selesai / the case is finished".into(),
        ));
    }
    check_admits(tx, ward_id, &p).await?;
    let open: Option<i64> =
        sqlx::query_scalar("SELECT id FROM placement WHERE case_id = $1 AND ended_at IS NULL")
            .bind(case_id)
            .fetch_optional(&mut **tx)
            .await?;
    if open.is_some() {
        return Err(AppError::Conflict(
            "sudah ditempatkan; gunakan pindah / already placed; use a transfer".into(),
        ));
    }
    // In a savepoint, so a full ward leaves the transaction usable for the waiting list.
    // The case's hold is released wherever it is: a person placed in another ward than the
    // one held for them no longer needs that bed.
    let mut attempt = (&mut **tx).begin().await?;
    sqlx::query(
        "UPDATE bed_hold SET released_at = $2, release_reason = 'placed'
          WHERE case_id = $1 AND released_at IS NULL",
    )
    .bind(case_id)
    .bind(now)
    .execute(&mut *attempt)
    .await?;
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO placement (case_id, ward_id, started_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(case_id)
    .bind(ward_id)
    .bind(now)
    .fetch_one(&mut *attempt)
    .await;
    match inserted {
        Ok(placement_id) => {
            attempt.commit().await?;
            sqlx::query("UPDATE waiting_list SET resolved_at = $2 WHERE case_id = $1 AND resolved_at IS NULL")
                .bind(case_id)
                .bind(now)
                .execute(&mut **tx)
                .await?;
            // The referral is done: from now on the stay opens the case to the UPT.
            super::referral::end(tx, case_id, super::referral::End::Placed, now).await?;
            let from = State::parse(&p.state).unwrap_or(State::Received);
            if from != State::Placed {
                lifecycle::transition(tx, case_id, State::Placed, Some(actor), "", now).await?;
            }
            events::record(
                tx,
                case_id,
                Some(actor),
                &Event::note(
                    "placed",
                    &upt,
                    json!({"ward_id": ward_id, "placement_id": placement_id}),
                ),
                now,
            )
            .await?;
            Ok(Placed::Placed {
                placement_id,
                ward_id,
            })
        }
        Err(e) if is_full(&e) => {
            attempt.rollback().await?;
            sqlx::query(
                "INSERT INTO waiting_list (case_id, need_code, sex, since) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (case_id) WHERE resolved_at IS NULL DO NOTHING",
            )
            .bind(case_id)
            .bind(&need)
            .bind(&p.sex)
            .bind(now)
            .execute(&mut **tx)
            .await?;
            events::record(
                tx,
                case_id,
                Some(actor),
                &Event::note(
                    "waiting_list",
                    &upt,
                    json!({"ward_id": ward_id, "need": need}),
                ),
                now,
            )
            .await?;
            Ok(Placed::Full { ward_id, need })
        }
        Err(e) => Err(e.into()),
    }
}

/// Moves a resident to another ward; a full target leaves them where they are.
pub async fn transfer(
    tx: &mut Tx<'_>,
    case_id: i64,
    ward_id: i64,
    actor: &Principal,
    reason: &str,
    (now, tz): (DateTime<Utc>, chrono_tz::Tz),
) -> AppResult<i64> {
    lock_for_change(tx, case_id, Some(ward_id)).await?;
    let (from_ward, from_upt): (i64, String) = sqlx::query_as(
        "SELECT p.ward_id, w.upt_code FROM placement p JOIN ward w ON w.id = p.ward_id
          WHERE p.case_id = $1 AND p.ended_at IS NULL FOR UPDATE OF p",
    )
    .bind(case_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| AppError::Conflict("tidak sedang ditempatkan / not placed".into()))?;
    let (to_upt, _, _) = ward_of(tx, ward_id).await?;
    // UPT staff move residents within their UPT, or take one in who was referred to them;
    // they do not fill another UPT's beds.
    let within = may_use_ward(actor, &from_upt) && may_use_ward(actor, &to_upt);
    if !within && !may_take_in(tx, actor, case_id, &to_upt).await? {
        return Err(AppError::Forbidden);
    }
    if from_ward == ward_id {
        return Err(AppError::Invalid(vec![FieldError::new(
            "ward_id",
            "bangsal yang sama / the same ward",
        )]));
    }
    let p = person_at(tx, case_id, (now, tz)).await?;
    check_admits(tx, ward_id, &p).await?;
    sqlx::query("UPDATE placement SET ended_at = $2, end_reason = 'transfer' WHERE case_id = $1 AND ended_at IS NULL")
        .bind(case_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let placement_id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO placement (case_id, ward_id, started_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(case_id)
    .bind(ward_id)
    .bind(now)
    // A full target: the ward's CHECK refuses it (409, `error::constraints`).
    .fetch_one(&mut **tx)
    .await?;
    super::referral::end(tx, case_id, super::referral::End::Placed, now).await?;
    let detail = json!({"from_ward": from_ward, "to_ward": ward_id, "reason": reason});
    events::record(
        tx,
        case_id,
        Some(actor),
        &Event::note("transferred", &to_upt, detail),
        now,
    )
    .await?;
    Ok(placement_id)
}

/// Ends a stay: home, to family, to hospital, died, ran away. Closes the case.
pub async fn discharge(
    tx: &mut Tx<'_>,
    case_id: i64,
    reason: &str,
    note: &str,
    actor: &Principal,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let chosen = crate::vocab::DischargeReason::parse(reason);
    if !chosen.is_some_and(crate::vocab::DischargeReason::ends_by_discharge) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "reason",
            "alasan keluar tidak dikenal / unknown discharge reason",
        )]));
    }
    lock_for_change(tx, case_id, None).await?;
    let upt: String = sqlx::query_scalar(
        "SELECT w.upt_code FROM placement p JOIN ward w ON w.id = p.ward_id
          WHERE p.case_id = $1 AND p.ended_at IS NULL FOR UPDATE OF p",
    )
    .bind(case_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| AppError::Conflict("tidak sedang ditempatkan / not placed".into()))?;
    if !may_use_ward(actor, &upt) {
        return Err(AppError::Forbidden);
    }
    sqlx::query("UPDATE placement SET ended_at = $2, end_reason = $3 WHERE case_id = $1 AND ended_at IS NULL")
        .bind(case_id)
        .bind(now)
        .bind(reason)
        .execute(&mut **tx)
        .await?;
    lifecycle::transition(tx, case_id, State::Discharged, Some(actor), note, now).await?;
    events::record(
        tx,
        case_id,
        Some(actor),
        &Event::note("discharged", &upt, json!({"reason": reason})),
        now,
    )
    .await?;
    Ok(())
}

/// The open stay of a case, for the case page.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Stay {
    pub ward_id: i64,
    pub upt_name: String,
    pub ward_name: String,
    pub started_at: DateTime<Utc>,
}

pub async fn stay(tx: &mut Tx<'_>, case_id: i64) -> sqlx::Result<Option<Stay>> {
    sqlx::query_as(
        "SELECT p.ward_id, u.name AS upt_name, w.name AS ward_name, p.started_at
           FROM placement p JOIN ward w ON w.id = p.ward_id JOIN upt u ON u.code = w.upt_code
          WHERE p.case_id = $1 AND p.ended_at IS NULL",
    )
    .bind(case_id)
    .fetch_optional(&mut **tx)
    .await
}

/// Since when the person waits for a bed, if they do.
pub async fn waiting_since(tx: &mut Tx<'_>, case_id: i64) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar("SELECT since FROM waiting_list WHERE case_id = $1 AND resolved_at IS NULL")
        .bind(case_id)
        .fetch_optional(&mut **tx)
        .await
}

/// The UPT the proposal would send the person to: the first ward that fits them (best
/// need, a free bed, nearest), as `candidates` orders them.
pub async fn proposed_upt(
    tx: &mut Tx<'_>,
    case_id: i64,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> sqlx::Result<Option<String>> {
    let person = person(tx, case_id, now, tz).await?;
    Ok(candidates(tx, &person)
        .await?
        .into_iter()
        .next()
        .map(|c| c.upt_code))
}
