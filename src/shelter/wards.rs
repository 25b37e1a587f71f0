//! Ward administration: bed counts, temporary closures and admission rules, each change
//! dated in `ward_change` (before, after, who, why) and audited. Who may: an administrator
//! for any UPT, UPT staff for the wards of their own UPT (the people who know when a ward
//! is repainted or short of carers); case officers place people but do not change wards.
//! The database has the last word: the bed CHECK (occupied + held <= beds) refuses a count
//! below the people in the ward, and the `ward_closed` trigger refuses every placement and
//! hold into a closed ward.
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::json;
use sqlx::{PgPool, Postgres, Transaction};

use super::model::Rules;
use crate::auth::audit::{self, Origin};
use crate::auth::model::{Principal, Role};
use crate::clock::{day_start, local_date};
use crate::error::{constraints, AppError};
use crate::vocab::ClosureReason;

type Tx<'a> = Transaction<'a, Postgres>;

/// An administrator for any UPT; UPT staff for their own.
pub fn may_manage(p: &Principal, upt: &str) -> bool {
    p.has(Role::Admin) || p.scopes(Role::UptStaff).iter().any(|s| s == upt)
}

/// A field at fault, in both languages (the page shows the viewer's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bad {
    pub field: &'static str,
    pub id: String,
    pub en: String,
}

fn bad(field: &'static str, id: impl Into<String>, en: impl Into<String>) -> Bad {
    Bad {
        field,
        id: id.into(),
        en: en.into(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WardError {
    #[error("invalid: {0:?}")]
    Bad(Vec<Bad>),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<sqlx::Error> for WardError {
    fn from(e: sqlx::Error) -> Self {
        WardError::App(e.into())
    }
}

/// One ward as its administration page shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Ward {
    pub id: i64,
    pub upt_code: String,
    pub upt_name: String,
    pub code: String,
    pub name: String,
    pub need_code: String,
    pub beds: i32,
    pub beds_estimated: bool,
    pub occupied: i32,
    pub held: i32,
    #[sqlx(flatten)]
    pub rules: Rules,
}

pub async fn ward(db: &PgPool, id: i64) -> sqlx::Result<Option<Ward>> {
    sqlx::query_as(
        "SELECT w.id, w.upt_code, u.name AS upt_name, w.code, w.name, w.need_code, w.beds,
                w.beds_estimated, w.occupied, w.held, w.sex, w.min_age, w.max_age,
                w.needs_accepted, w.needs_refused
           FROM ward w JOIN upt u ON u.code = w.upt_code WHERE w.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Locks the ward row (the lock every placement and hold takes through the occupancy
/// triggers) and checks the actor may manage it.
async fn lock(tx: &mut Tx<'_>, p: &Principal, ward_id: i64) -> Result<Ward, WardError> {
    sqlx::query("SELECT 1 FROM ward WHERE id = $1 FOR NO KEY UPDATE")
        .bind(ward_id)
        .execute(&mut **tx)
        .await?;
    let w: Ward = sqlx::query_as(
        "SELECT w.id, w.upt_code, u.name AS upt_name, w.code, w.name, w.need_code, w.beds,
                w.beds_estimated, w.occupied, w.held, w.sex, w.min_age, w.max_age,
                w.needs_accepted, w.needs_refused
           FROM ward w JOIN upt u ON u.code = w.upt_code WHERE w.id = $1",
    )
    .bind(ward_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    if !may_manage(p, &w.upt_code) {
        return Err(AppError::Forbidden.into());
    }
    Ok(w)
}

#[allow(clippy::too_many_arguments)]
async fn change(
    tx: &mut Tx<'_>,
    origin: &Origin,
    ward_id: i64,
    (kind, action): (&str, &str),
    valid_from: NaiveDate,
    before: serde_json::Value,
    after: serde_json::Value,
    (reason, now): (&str, DateTime<Utc>),
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO ward_change (ward_id, kind, valid_from, before, after, reason, changed_by, changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(ward_id)
    .bind(kind)
    .bind(valid_from)
    .bind(&before)
    .bind(&after)
    .bind(reason)
    .bind(origin.actor_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    audit::record(
        &mut **tx,
        origin,
        action,
        "ward",
        Some(&ward_id.to_string()),
        json!({"before": before, "after": after, "reason": reason, "valid_from": valid_from}),
    )
    .await
}

fn reason_required(reason: &str) -> Option<Bad> {
    reason.trim().is_empty().then(|| {
        bad(
            "reason",
            "Tulis alasan perubahan (misalnya hasil penghitungan ulang).",
            "Give the reason for the change (e.g. a recount).",
        )
    })
}

/// Sets a ward's bed count from today on: no longer an estimate. A count below the people
/// in the ward (occupied + held) is refused beside the field.
pub async fn set_beds(
    pool: &PgPool,
    p: &Principal,
    origin: &Origin,
    ward_id: i64,
    (beds, reason): (&str, &str),
    (now, tz): (DateTime<Utc>, Tz),
) -> Result<(), WardError> {
    let mut problems = vec![];
    let n = match beds.trim().parse::<i32>() {
        Ok(n) if (0..=2000).contains(&n) => Some(n),
        _ => {
            problems.push(bad(
                "beds",
                "Jumlah tempat tidur harus bilangan bulat 0 sampai 2000.",
                "The bed count must be a whole number from 0 to 2000.",
            ));
            None
        }
    };
    problems.extend(reason_required(reason));
    let mut tx = pool.begin().await?;
    let w = lock(&mut tx, p, ward_id).await?;
    let Some(n) = n.filter(|_| problems.is_empty()) else {
        return Err(WardError::Bad(problems));
    };
    let updated = sqlx::query(
        "UPDATE ward SET beds = $2, beds_estimated = false, updated_at = $3 WHERE id = $1",
    )
    .bind(ward_id)
    .bind(n)
    .bind(now)
    .execute(&mut *tx)
    .await;
    if let Err(e) = updated {
        if constraints::name(&e) == Some("ward_check") {
            let least = w.occupied + w.held;
            return Err(WardError::Bad(vec![bad(
                "beds",
                format!("Tidak bisa kurang dari {least}: {} orang menempati dan {} tempat tidur ditahan.", w.occupied, w.held),
                format!("Cannot be below {least}: {} people stay and {} beds are held.", w.occupied, w.held),
            )]));
        }
        return Err(e.into());
    }
    change(
        &mut tx,
        origin,
        ward_id,
        ("beds", "ward_beds"),
        local_date(now, tz),
        json!({"beds": w.beds, "estimated": w.beds_estimated}),
        json!({"beds": n, "estimated": false}),
        (reason.trim(), now),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A closure form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ClosureIn {
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub note: String,
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// Records a temporary closure from `starts_on` (today or later) to `ends_on` (inclusive;
/// empty: until ended). A closure overlapping another of the same ward is refused.
pub async fn close(
    pool: &PgPool,
    p: &Principal,
    origin: &Origin,
    ward_id: i64,
    f: &ClosureIn,
    (now, tz): (DateTime<Utc>, Tz),
) -> Result<i64, WardError> {
    let today = local_date(now, tz);
    let mut problems = vec![];
    let starts = date(&f.starts_on);
    match starts {
        None => problems.push(bad(
            "starts_on",
            "Isi tanggal mulai.",
            "Give the first day closed.",
        )),
        Some(d) if d < today => problems.push(bad(
            "starts_on",
            "Tanggal mulai tidak boleh sebelum hari ini.",
            "The first day cannot be before today.",
        )),
        _ => {}
    }
    let ends = match f.ends_on.trim() {
        "" => None,
        s => match date(s) {
            None => {
                problems.push(bad(
                    "ends_on",
                    "Tanggal selesai tidak terbaca.",
                    "The last day cannot be read.",
                ));
                None
            }
            Some(e) if starts.is_some_and(|s| e < s) => {
                problems.push(bad(
                    "ends_on",
                    "Tanggal selesai tidak boleh sebelum tanggal mulai.",
                    "The last day cannot be before the first.",
                ));
                None
            }
            Some(e) => Some(e),
        },
    };
    if ClosureReason::parse(f.reason.trim()).is_none() {
        problems.push(bad(
            "reason",
            "Pilih alasan penutupan.",
            "Choose why the ward closes.",
        ));
    }
    let mut tx = pool.begin().await?;
    lock(&mut tx, p, ward_id).await?;
    let starts = match starts {
        Some(s) if problems.is_empty() => s,
        _ => return Err(WardError::Bad(problems)),
    };
    let (starts_at, ends_at) = (
        day_start(starts, tz),
        ends.map(|e| day_start(e + Duration::days(1), tz)),
    );
    let overlaps: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM ward_closure WHERE ward_id = $1
                          AND starts_on <= coalesce($3, 'infinity'::date)
                          AND (ends_on IS NULL OR ends_on >= $2) AND (ends_on IS NULL OR ends_on >= starts_on))",
    )
    .bind(ward_id)
    .bind(starts)
    .bind(ends)
    .fetch_one(&mut *tx)
    .await?;
    if overlaps {
        return Err(WardError::Bad(vec![bad(
            "starts_on",
            "Bangsal ini sudah punya penutupan pada tanggal itu; akhiri atau ubah yang lama dulu.",
            "The ward already has a closure on those days; end the other one first.",
        )]));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ward_closure (ward_id, starts_on, ends_on, starts_at, ends_at, reason, note, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(ward_id)
    .bind(starts)
    .bind(ends)
    .bind(starts_at)
    .bind(ends_at)
    .bind(f.reason.trim())
    .bind(f.note.trim())
    .bind(origin.actor_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    change(
        &mut tx,
        origin,
        ward_id,
        ("closure", "ward_closed"),
        starts,
        json!(null),
        json!({"closure": id, "starts_on": starts, "ends_on": ends, "reason": f.reason.trim()}),
        (f.note.trim(), now),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Ends a closure now: the ward takes people again from this moment (a closure not yet
/// begun is called off). Returns the ward's id.
pub async fn end_closure(
    pool: &PgPool,
    p: &Principal,
    origin: &Origin,
    closure_id: i64,
    (now, tz): (DateTime<Utc>, Tz),
) -> Result<i64, WardError> {
    let mut tx = pool.begin().await?;
    let row: Option<(i64, NaiveDate, Option<NaiveDate>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT ward_id, starts_on, ends_on, starts_at FROM ward_closure
          WHERE id = $1 AND (ends_at IS NULL OR ends_at > $2)
            AND (ends_on IS NULL OR ends_on >= starts_on)",
    )
    .bind(closure_id)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((ward_id, starts_on, ends_on, starts_at)) = row else {
        return Err(AppError::NotFound.into());
    };
    lock(&mut tx, p, ward_id).await?;
    let today = local_date(now, tz);
    // Closed through yesterday; a closure that had not begun becomes empty.
    let (new_end, new_end_at) = if starts_at > now {
        (starts_on - Duration::days(1), starts_at)
    } else {
        (
            (today - Duration::days(1)).max(starts_on - Duration::days(1)),
            now,
        )
    };
    sqlx::query(
        "UPDATE ward_closure SET ends_on = $2, ends_at = $3, ended_by = $4, ended_at = $5 WHERE id = $1",
    )
    .bind(closure_id)
    .bind(new_end)
    .bind(new_end_at)
    .bind(origin.actor_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    change(
        &mut tx,
        origin,
        ward_id,
        ("closure_ended", "ward_reopened"),
        today,
        json!({"closure": closure_id, "ends_on": ends_on}),
        json!({"closure": closure_id, "ends_on": new_end}),
        ("", now),
    )
    .await?;
    tx.commit().await?;
    Ok(ward_id)
}

/// The rules form as typed: ages as text, needs as the `need` codes ticked.
#[derive(Debug, Clone, Default)]
pub struct RulesIn {
    pub sex: String,
    pub min_age: String,
    pub max_age: String,
    pub accepted: Vec<String>,
    pub refused: Vec<String>,
    pub reason: String,
}

/// Parses the rules form against the known needs; every bad field is reported.
pub fn parse_rules(f: &RulesIn, known_needs: &[String]) -> Result<Rules, Vec<Bad>> {
    let mut problems = vec![];
    if crate::vocab::WardSex::parse(f.sex.trim()).is_none() {
        problems.push(bad(
            "sex",
            "Pilih jenis kelamin yang diterima.",
            "Choose whom the ward takes.",
        ));
    }
    let mut age = |field: &'static str, s: &str| match s.trim() {
        "" => None,
        t => match t.parse::<i16>() {
            Ok(a) if (0..=130).contains(&a) => Some(a),
            _ => {
                problems.push(bad(
                    field,
                    "Usia harus bilangan bulat 0 sampai 130, atau kosong.",
                    "The age must be a whole number from 0 to 130, or empty.",
                ));
                None
            }
        },
    };
    let (min_age, max_age) = (age("min_age", &f.min_age), age("max_age", &f.max_age));
    if let (Some(lo), Some(hi)) = (min_age, max_age) {
        if lo > hi {
            problems.push(bad(
                "max_age",
                "Usia tertinggi tidak boleh kurang dari usia terendah.",
                "The highest age cannot be below the lowest.",
            ));
        }
    }
    let clean = |v: &[String]| -> Vec<String> {
        let mut v: Vec<String> = v
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let (accepted, refused) = (clean(&f.accepted), clean(&f.refused));
    if accepted
        .iter()
        .chain(&refused)
        .any(|n| !known_needs.contains(n))
    {
        problems.push(bad(
            "needs_accepted",
            "Kebutuhan tidak dikenal.",
            "Unknown need.",
        ));
    }
    if accepted.iter().any(|n| refused.contains(n)) {
        problems.push(bad(
            "needs_refused",
            "Satu kebutuhan tidak bisa sekaligus diterima dan ditolak.",
            "A need cannot be both taken and refused.",
        ));
    }
    problems.extend(reason_required(&f.reason));
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Rules {
        sex: f.sex.trim().to_string(),
        min_age,
        max_age,
        needs_accepted: accepted,
        needs_refused: refused,
    })
}

/// The need codes, for the rules form.
pub async fn known_needs(pool: &PgPool) -> sqlx::Result<Vec<(String, String, String)>> {
    sqlx::query_as("SELECT code, name_id, name_en FROM need ORDER BY name_id")
        .fetch_all(pool)
        .await
}

/// Sets a ward's admission rules from now on. People already in the ward stay.
pub async fn set_rules(
    pool: &PgPool,
    p: &Principal,
    origin: &Origin,
    ward_id: i64,
    f: &RulesIn,
    (now, tz): (DateTime<Utc>, Tz),
) -> Result<(), WardError> {
    let known: Vec<String> = known_needs(pool).await?.into_iter().map(|n| n.0).collect();
    let parsed = parse_rules(f, &known);
    let mut tx = pool.begin().await?;
    let w = lock(&mut tx, p, ward_id).await?;
    let r = parsed.map_err(WardError::Bad)?;
    sqlx::query(
        "UPDATE ward SET sex = $2, min_age = $3, max_age = $4, needs_accepted = $5, needs_refused = $6,
                updated_at = $7 WHERE id = $1",
    )
    .bind(ward_id)
    .bind(&r.sex)
    .bind(r.min_age)
    .bind(r.max_age)
    .bind(&r.needs_accepted)
    .bind(&r.needs_refused)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    change(
        &mut tx,
        origin,
        ward_id,
        ("rules", "ward_rules"),
        local_date(now, tz),
        json!(w.rules),
        json!(r),
        (f.reason.trim(), now),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Closure {
    pub id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub ends_at: Option<DateTime<Utc>>,
    pub reason: String,
    pub note: String,
}

/// The ward's closures, newest first, without those called off before they began.
pub async fn closures(pool: &PgPool, ward_id: i64) -> sqlx::Result<Vec<Closure>> {
    sqlx::query_as(
        "SELECT id, starts_on, ends_on, ends_at, reason, note FROM ward_closure
          WHERE ward_id = $1 AND (ends_on IS NULL OR ends_on >= starts_on)
          ORDER BY starts_on DESC, id DESC",
    )
    .bind(ward_id)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Change {
    pub kind: String,
    pub valid_from: NaiveDate,
    pub before: Option<serde_json::Value>,
    pub after: serde_json::Value,
    pub reason: String,
    pub who: Option<String>,
    pub changed_at: DateTime<Utc>,
}

/// The ward's history, newest first.
pub async fn history(pool: &PgPool, ward_id: i64) -> sqlx::Result<Vec<Change>> {
    sqlx::query_as(
        "SELECT c.kind, c.valid_from, c.before, c.after, c.reason, u.display_name AS who, c.changed_at
           FROM ward_change c LEFT JOIN app_user u ON u.id = c.changed_by
          WHERE c.ward_id = $1 ORDER BY c.changed_at DESC, c.id DESC",
    )
    .bind(ward_id)
    .fetch_all(pool)
    .await
}

/// Beds each ward can take on each of the days `from`..`from + days - 1`: its count, or 0
/// on a day a closure covers. What the forecast compares against (`capacity::evaluate`).
pub async fn capacity_by_day(
    db: &mut Tx<'_>,
    ward_id: i64,
    beds: u32,
    from: NaiveDate,
    days: u32,
) -> sqlx::Result<Vec<u32>> {
    let closed: Vec<(NaiveDate, Option<NaiveDate>)> = sqlx::query_as(
        "SELECT starts_on, ends_on FROM ward_closure
          WHERE ward_id = $1 AND (ends_on IS NULL OR ends_on >= $2) AND (ends_on IS NULL OR ends_on >= starts_on)",
    )
    .bind(ward_id)
    .bind(from)
    .fetch_all(&mut **db)
    .await?;
    Ok(capacity_days(beds, &closed, from, days))
}

/// The pure part of `capacity_by_day`.
pub fn capacity_days(
    beds: u32,
    closed: &[(NaiveDate, Option<NaiveDate>)],
    from: NaiveDate,
    days: u32,
) -> Vec<u32> {
    (0..days)
        .map(|k| {
            let d = from + Duration::days(k as i64);
            let shut = closed
                .iter()
                .any(|(s, e)| *s <= d && e.is_none_or(|e| d <= e));
            if shut {
                0
            } else {
                beds
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_closure_takes_every_bed_on_its_days_only() {
        let closed = [
            (d("2026-12-10"), Some(d("2026-12-12"))),
            (d("2026-12-20"), None),
        ];
        let cap = capacity_days(30, &closed, d("2026-12-09"), 14);
        assert_eq!(cap[..5], [30, 0, 0, 0, 30]);
        assert_eq!(cap[10], 30); // the 19th
        assert_eq!(cap[11], 0); // the 20th, open-ended
        assert_eq!(cap[13], 0);
    }

    #[test]
    fn the_rules_form_reports_every_bad_field() {
        let known = vec!["homeless".to_string(), "psychosocial".to_string()];
        let f = RulesIn {
            sex: "robot".into(),
            min_age: "60".into(),
            max_age: "18".into(),
            accepted: vec!["psychosocial".into()],
            refused: vec!["psychosocial".into(), "martian".into()],
            reason: " ".into(),
        };
        let fields: Vec<_> = parse_rules(&f, &known)
            .unwrap_err()
            .into_iter()
            .map(|b| b.field)
            .collect();
        assert_eq!(
            fields,
            [
                "sex",
                "max_age",
                "needs_accepted",
                "needs_refused",
                "reason"
            ]
        );
        let ok = RulesIn {
            sex: "any".into(),
            min_age: "18".into(),
            max_age: String::new(),
            accepted: vec![],
            refused: vec!["psychosocial".into()],
            reason: "aturan baru".into(),
        };
        let r = parse_rules(&ok, &known).unwrap();
        assert_eq!((r.min_age, r.max_age), (Some(18), None));
    }
}
