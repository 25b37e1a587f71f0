//! The tasks' SQL. Every read runs in the caller's scoped transaction, so the row
//! security of `case_task` (migration 20261208010001) decides what a person sees: an
//! office's own tasks, and the tasks of the cases they may see.
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::json;
use sqlx::{Postgres, Transaction};

use super::model::{self, Outcome, ValidOutcome, ValidTracing, FOLLOW_UPS};
use crate::auth::model::{Principal, Role};
use crate::cases::events::{self, Event};
use crate::vocab::{TaskKind, TracingOutcome};

type Tx<'a> = Transaction<'a, Postgres>;

/// One task as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Task {
    pub id: i64,
    pub case_id: i64,
    pub number: String,
    pub kind: String,
    pub office_code: String,
    pub office_name: Option<String>,
    pub tksk_name: Option<String>,
    pub tksk_phone: Option<String>,
    pub tksk_district: Option<String>,
    pub district_name: Option<String>,
    pub due_on: NaiveDate,
    pub due_by: DateTime<Utc>,
    pub known: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<String>,
    pub outcome: Option<String>,
    pub contacted_on: Option<NaiveDate>,
    pub outcome_note: String,
    pub family_address: String,
    pub family_village: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub answered_by: Option<String>,
}

impl Task {
    pub fn kind(&self) -> TaskKind {
        TaskKind::parse(&self.kind).unwrap_or(TaskKind::Tracing)
    }

    pub fn outcome(&self) -> Option<Outcome> {
        self.outcome
            .as_deref()
            .and_then(|o| Outcome::parse(self.kind(), o))
    }

    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        self.answered_at.is_none() && now >= self.due_by
    }
}

const SELECT: &str = "SELECT t.id, t.case_id, c.number, t.kind, t.office_code, coalesce(r.name, p.name) AS office_name,
        t.tksk_name, t.tksk_phone, t.tksk_district, d.name AS district_name, t.due_on, t.due_by, t.known,
        t.created_at, cu.display_name AS created_by, t.outcome, t.contacted_on, t.outcome_note,
        t.family_address, t.family_village, t.answered_at, au.display_name AS answered_by
   FROM case_task t
   -- The case's number without its row security: a task names its case, and the task's
   -- own policy already decided who sees it.
   JOIN LATERAL (SELECT case_number_of(t.case_id) AS number) c ON true
   LEFT JOIN region r ON r.code = t.office_code LEFT JOIN province p ON p.code = t.office_code
   LEFT JOIN district d ON d.code = t.tksk_district
   LEFT JOIN app_user cu ON cu.id = t.created_by LEFT JOIN app_user au ON au.id = t.answered_by";

/// The follow-ups of a hand-over to `office` received at `at`, due 30 and 90 local days
/// later. Made once per case: a second call changes nothing.
pub async fn create_follow_ups(
    tx: &mut Tx<'_>,
    case_id: i64,
    notice_id: i64,
    office: &str,
    (at, tz): (DateTime<Utc>, Tz),
) -> sqlx::Result<()> {
    for (kind, days) in FOLLOW_UPS {
        let on = model::days_after(at, days, tz);
        sqlx::query(
            "INSERT INTO case_task (case_id, kind, office_code, due_on, due_by, notice_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (case_id, kind) WHERE kind <> 'tracing' DO NOTHING",
        )
        .bind(case_id)
        .bind(kind.code())
        .bind(office)
        .bind(on)
        .bind(model::due_by(on, tz))
        .bind(notice_id)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// An open task someone must act on, for a worklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTask {
    pub id: i64,
    pub case_number: String,
    pub kind: TaskKind,
    pub due_on: NaiveDate,
    pub overdue: bool,
    /// Where the task is answered.
    pub href: String,
}

/// The open tasks `p` must act on: those of the offices of their regency-officer grants,
/// overdue first, then by due day. Others have none (tasks are given to offices).
/// Run inside `p`'s `CaseScope` transaction.
pub async fn open_for(
    tx: &mut Tx<'_>,
    p: &Principal,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<OpenTask>> {
    let offices = p.scopes(Role::RegencyOfficer);
    if offices.is_empty() {
        return Ok(vec![]);
    }
    let rows: Vec<(i64, String, String, NaiveDate, bool)> = sqlx::query_as(
        "SELECT t.id, case_number_of(t.case_id), t.kind, t.due_on, $2 >= t.due_by
           FROM case_task t
          WHERE t.answered_at IS NULL AND t.office_code = ANY($1)
          ORDER BY t.due_on, t.id",
    )
    .bind(&offices)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, case_number, kind, due_on, overdue)| OpenTask {
            id,
            case_number,
            kind: TaskKind::parse(&kind).unwrap_or(TaskKind::Tracing),
            due_on,
            overdue,
            href: format!("/tasks/{id}"),
        })
        .collect())
}

/// The tasks of `offices`: open ones by due day, then those answered since `since`.
pub async fn of_offices(
    tx: &mut Tx<'_>,
    offices: &[String],
    since: DateTime<Utc>,
) -> sqlx::Result<Vec<Task>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE t.office_code = ANY($1) AND (t.answered_at IS NULL OR t.answered_at >= $2)
          ORDER BY t.answered_at IS NOT NULL, t.due_on, t.id"
    ))
    .bind(offices)
    .bind(since)
    .fetch_all(&mut **tx)
    .await
}

/// One task, if the scope lets its reader see it; `lock` takes it for an answer.
pub async fn find(tx: &mut Tx<'_>, id: i64, lock: bool) -> sqlx::Result<Option<Task>> {
    if lock {
        let seen: Option<i64> =
            sqlx::query_scalar("SELECT id FROM case_task WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?;
        if seen.is_none() {
            return Ok(None);
        }
    }
    sqlx::query_as(&format!("{SELECT} WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// The tasks of one case, as its page lists them.
pub async fn of_case(tx: &mut Tx<'_>, case_id: i64) -> sqlx::Result<Vec<Task>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE t.case_id = $1 ORDER BY t.created_at, t.id"
    ))
    .bind(case_id)
    .fetch_all(&mut **tx)
    .await
}

/// An East Java regency (the offices tasks are given to), by code.
pub async fn regency(tx: &mut Tx<'_>, code: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT name FROM region WHERE code = $1 AND province_code = '35'")
        .bind(code.trim())
        .fetch_optional(&mut **tx)
        .await
}

/// A subdistrict of `regency` by its name as typed ("Genteng", "Kec. Genteng"): the one
/// named exactly, or the only one whose name contains the text.
pub async fn district_in(
    tx: &mut Tx<'_>,
    regency: &str,
    typed: &str,
) -> sqlx::Result<Option<String>> {
    let lower = typed.trim().to_lowercase();
    let bare = ["kecamatan ", "kec. ", "kec "]
        .iter()
        .find_map(|p| lower.strip_prefix(p))
        .unwrap_or(&lower)
        .trim()
        .to_string();
    if bare.is_empty() {
        return Ok(None);
    }
    let found: Vec<(String, bool)> = sqlx::query_as(
        "SELECT code, lower(name) = $2 FROM district
          WHERE region_code = $1 AND strpos(lower(name), $2) > 0 ORDER BY code",
    )
    .bind(regency)
    .bind(&bare)
    .fetch_all(&mut **tx)
    .await?;
    Ok(match found.iter().find(|(_, exact)| *exact) {
        Some((code, _)) => Some(code.clone()),
        None if found.len() == 1 => Some(found[0].0.clone()),
        None => None,
    })
}

/// Gives case `case_id`'s family tracing to the office of `office` (a regency code
/// looked up already), or to a TKSK in `district` whom that office oversees. An event
/// of the case names the office, never the person.
pub async fn assign_tracing(
    tx: &mut Tx<'_>,
    case_id: i64,
    (office, district): (&str, Option<&str>),
    (v, known): (&ValidTracing, &str),
    actor: &Principal,
    (now, tz): (DateTime<Utc>, Tz),
) -> sqlx::Result<i64> {
    let (name, phone) = match &v.tksk {
        Some((n, p)) => (Some(n.as_str()), Some(p.as_str())),
        None => (None, None),
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO case_task (case_id, kind, office_code, tksk_name, tksk_phone, tksk_district,
                                due_on, due_by, known, created_at, created_by)
         VALUES ($1, 'tracing', $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(case_id)
    .bind(office)
    .bind(name)
    .bind(phone)
    .bind(district)
    .bind(v.due_on)
    .bind(model::due_by(v.due_on, tz))
    .bind(known.trim())
    .bind(now)
    .bind(actor.user_id)
    .fetch_one(&mut **tx)
    .await?;
    let detail =
        json!({"task": id, "office_code": office, "tksk": v.tksk.is_some(), "due_on": v.due_on});
    events::record(
        tx,
        case_id,
        Some(actor),
        &Event::note("tracing_assigned", "", detail),
        now,
    )
    .await?;
    Ok(id)
}

/// Records the outcome of `task` (locked with [`find`]), with the family's village
/// when the family was found; the case's event carries the outcome's code.
pub async fn record_outcome(
    tx: &mut Tx<'_>,
    task: &Task,
    v: &ValidOutcome,
    (note, address, village): (&str, &str, Option<&str>),
    actor: &Principal,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let found = v.outcome == Outcome::Tracing(TracingOutcome::FamilyFound);
    sqlx::query(
        "UPDATE case_task SET outcome = $2, contacted_on = $3, outcome_note = $4, family_address = $5,
                family_village = $6, answered_at = $7, answered_by = $8
          WHERE id = $1 AND answered_at IS NULL",
    )
    .bind(task.id)
    .bind(v.outcome.code())
    .bind(v.contacted_on)
    .bind(note.trim())
    .bind(if found { address.trim() } else { "" })
    .bind(if found { village } else { None })
    .bind(now)
    .bind(actor.user_id)
    .execute(&mut **tx)
    .await?;
    let kind = match task.kind() {
        TaskKind::Tracing => "tracing_recorded",
        _ => "follow_up_recorded",
    };
    let detail = json!({"task": task.id, "task_kind": task.kind, "outcome": v.outcome.code(), "contacted_on": v.contacted_on});
    events::record(
        tx,
        task.case_id,
        Some(actor),
        &Event::note(kind, v.outcome.code(), detail),
        now,
    )
    .await
}

/// What an office needs to know of the person a task is about (name, sex, age or birth
/// year as recorded, where and when they were found), read in the system's scope: the
/// task is the office's key, as the notice's link is for the hand-over card.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Person {
    pub name: String,
    pub sex: String,
    pub estimated_age: Option<i16>,
    pub birth_date: Option<NaiveDate>,
    pub found_at: DateTime<Utc>,
    pub found_place: String,
    pub stated_home: String,
}

pub async fn person(pool: &sqlx::PgPool, case_id: i64, now: DateTime<Utc>) -> sqlx::Result<Person> {
    let mut tx = crate::auth::policy::CaseScope::system(now)
        .begin(pool)
        .await?;
    let p = sqlx::query_as(
        "SELECT coalesce(nullif(i.stated_name, ''), '–') AS name, i.sex, i.estimated_age, i.birth_date,
                i.found_at, coalesce(r.name, '') AS found_place, i.stated_home
           FROM ot_case c JOIN intake i ON i.id = c.intake_id
           LEFT JOIN region r ON r.code = i.found_region_code
          WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(p)
}

/// The nightly re-match's candidate links for the person of `case_id` made since `since`
/// (the tracing task's day), as (link id, what the other record is, probability).
pub async fn rematch_candidates(
    tx: &mut Tx<'_>,
    case_id: i64,
    since: DateTime<Utc>,
) -> sqlx::Result<Vec<(i64, String, f64)>> {
    sqlx::query_as(
        "SELECT l.id,
                CASE WHEN l.left_kind = 'check' OR l.right_kind = 'check' THEN 'check'
                     WHEN l.left_kind = 'registry' OR l.right_kind = 'registry' THEN 'registry'
                     ELSE coalesce(oc.number, 'intake') END,
                l.probability
           FROM ot_case c JOIN intake i ON i.id = c.intake_id
           JOIN record_link l ON l.state = 'candidate' AND l.created_at >= $2
                AND ((l.left_kind = 'intake' AND l.left_id = i.id) OR (l.right_kind = 'intake' AND l.right_id = i.id))
           -- The other case of an intake ↔ intake pair (under the reader's scope).
           LEFT JOIN ot_case oc ON l.left_kind = 'intake' AND l.right_kind = 'intake'
                AND oc.intake_id = CASE WHEN l.left_id = i.id THEN l.right_id ELSE l.left_id END
          WHERE c.id = $1
          ORDER BY l.probability DESC, l.id",
    )
    .bind(case_id)
    .bind(since)
    .fetch_all(&mut **tx)
    .await
}
