//! A ward's decongestion list: who could leave or go elsewhere when the ward fills up
//! (issue 25, item 10). Three kinds, each from the rule that already decides it:
//! - residents who could go home now: identified (`proposal::best_home`'s identity) or
//!   with a home known well enough to send them there, fit to travel, not refused, and
//!   not already on a plan home (read through `routing::handover::facts`, as the
//!   proposal reads them);
//! - residents past a year's stay in the ward;
//! - people waiting for this kind of bed (the waiting list the forecast counts, and people
//!   referred to the UPT and not yet admitted) whose needs a ward of ANOTHER UPT takes
//!   (`shelter::store::candidates`, i.e. `shelter::model::admits`) with a free bed within
//!   [`NEARBY_KM`] of their home (PostGIS distance).
//!
//! Run inside a `CaseScope` transaction: the rows are the people the viewer may see.
use chrono::{DateTime, Duration, Utc};
use sqlx::{Postgres, Row, Transaction};

use crate::routing::handover::facts_of_many;
use crate::shelter::store::{candidates, person};

type Tx<'a> = Transaction<'a, Postgres>;

/// How far from a waiting person's home (or pick-up point) another UPT counts as nearby.
pub const NEARBY_KM: f64 = 100.0;
/// A stay this long is reviewed.
pub const LONG_STAY_DAYS: i64 = 365;

#[derive(Debug, Clone, PartialEq)]
pub struct Resident {
    pub number: String,
    pub name: String,
    pub since: DateTime<Utc>,
    /// Identified by DP3AK, a NIK nothing contradicts or the assistance register.
    pub identified: bool,
    /// Whether a home is known well enough to send the person there.
    pub home_known: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    pub number: String,
    pub name: String,
    pub since: DateTime<Utc>,
    pub upt_name: String,
    pub ward_name: String,
    pub ward_id: i64,
    pub free: i32,
    pub distance_km: f64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct List {
    pub go_home: Vec<Resident>,
    pub long_stay: Vec<Resident>,
    pub elsewhere: Vec<Waiting>,
}

/// The counts of the three kinds, in the order of [`crate::vocab::DecongestKind::ALL`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub go_home: usize,
    pub long_stay: usize,
    pub elsewhere: usize,
}

impl List {
    pub fn counts(&self) -> Counts {
        Counts {
            go_home: self.go_home.len(),
            long_stay: self.long_stay.len(),
            elsewhere: self.elsewhere.len(),
        }
    }
}

impl Counts {
    pub fn total(&self) -> usize {
        self.go_home + self.long_stay + self.elsewhere
    }
}

/// The decongestion list of ward `ward_id` at `now`.
pub async fn for_ward(
    tx: &mut Tx<'_>,
    ward_id: i64,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> sqlx::Result<List> {
    let mut list = List::default();
    let Some(ward) = sqlx::query("SELECT upt_code, need_code, sex FROM ward WHERE id = $1")
        .bind(ward_id)
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(list);
    };
    let upt: String = ward.get("upt_code");
    // Only residents with some evidence of who they are or where they live are read
    // through `facts` (the proposal's reading): one with none can be neither identified
    // nor sent home, and a long-staying ward is mostly such people.
    let residents = sqlx::query(
        "SELECT c.id, c.number, coalesce(nullif(i.stated_name, ''), '–') AS name, p.started_at,
                (i.nik IS NOT NULL OR i.home_village_code IS NOT NULL OR i.home_region_code IS NOT NULL
                 OR i.home_province_code IS NOT NULL
                 OR EXISTS (SELECT 1 FROM record_link l WHERE l.state = 'accepted'
                             AND ((l.right_kind = 'intake' AND l.right_id = i.id AND l.left_kind = 'check')
                                  OR (l.left_kind = 'intake' AND l.left_id = i.id AND l.right_kind = 'registry'))))
                AND NOT EXISTS (SELECT 1 FROM transport_plan t WHERE t.case_id = c.id
                                 AND t.state IN ('proposed', 'accepted', 'in_transit')) AS maybe_home
           FROM placement p JOIN ot_case c ON c.id = p.case_id JOIN intake i ON i.id = c.intake_id
          WHERE p.ward_id = $1 AND p.ended_at IS NULL
          ORDER BY p.started_at, c.id",
    )
    .bind(ward_id)
    .fetch_all(&mut **tx)
    .await?;
    // The proposal's reading of every candidate at once (one statement, not one a resident).
    let maybe: Vec<i64> = residents
        .iter()
        .filter(|r| r.get::<bool, _>("maybe_home"))
        .map(|r| r.get("id"))
        .collect();
    let mut read: std::collections::HashMap<i64, _> = facts_of_many(tx, &maybe, now, tz)
        .await?
        .into_iter()
        .map(|f| (f.case_id, f))
        .collect();
    for r in residents {
        let mut resident = Resident {
            number: r.get("number"),
            name: r.get("name"),
            since: r.get("started_at"),
            identified: false,
            home_known: false,
        };
        if let Some(f) = read.remove(&r.get::<i64, _>("id")) {
            resident.identified = f.facts.identity.is_some();
            resident.home_known = f.facts.home.enough_to_go_home();
            if (resident.identified || resident.home_known)
                && f.facts.fit_to_travel
                && !f.facts.family_refused
            {
                list.go_home.push(resident.clone());
            }
        }
        if resident.since <= now - Duration::days(LONG_STAY_DAYS) {
            list.long_stay.push(resident);
        }
    }
    // Waiting for this kind of bed (the forecast's rule, `evaluate`), or referred to this
    // UPT and not admitted yet.
    let waiting = sqlx::query(
        "SELECT c.id, c.number, coalesce(nullif(i.stated_name, ''), '–') AS name,
                coalesce(wl.since, r.referred_at) AS since
           FROM ot_case c JOIN intake i ON i.id = c.intake_id
           LEFT JOIN waiting_list wl ON wl.case_id = c.id AND wl.resolved_at IS NULL
           LEFT JOIN referral r ON r.case_id = c.id AND r.ended_at IS NULL
          WHERE c.closed_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM placement p WHERE p.case_id = c.id AND p.ended_at IS NULL)
            AND ((wl.id IS NOT NULL AND wl.need_code = $2 AND ($3 = 'any' OR wl.sex = $3))
                 OR r.upt_code = $1)
          ORDER BY since, c.id",
    )
    .bind(&upt)
    .bind(ward.get::<String, _>("need_code"))
    .bind(ward.get::<String, _>("sex"))
    .fetch_all(&mut **tx)
    .await?;
    for w in waiting {
        let p = person(tx, w.get("id"), now, tz).await?;
        let fits = candidates(tx, &p)
            .await?
            .into_iter()
            .find(|c| c.upt_code != upt && c.free > 0 && c.distance_km <= NEARBY_KM);
        if let Some(c) = fits {
            list.elsewhere.push(Waiting {
                number: w.get("number"),
                name: w.get("name"),
                since: w.get("since"),
                upt_name: c.upt_name,
                ward_name: c.ward_name,
                ward_id: c.ward_id,
                free: c.free,
                distance_km: c.distance_km,
            });
        }
    }
    Ok(list)
}

/// For the UPT head's alert email: the ward's decongestion list as counts and a link to
/// the alert's page (names stay in the app), while an alert of the ward is open; else "".
pub async fn mail_line(
    tx: &mut Tx<'_>,
    base_url: &str,
    ward: i64,
    (now, tz): (DateTime<Utc>, chrono_tz::Tz),
) -> sqlx::Result<String> {
    let open: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM capacity_alert WHERE ward_id = $1 AND resolved_at IS NULL AND level <> 'stale'
          ORDER BY CASE level WHEN 'full' THEN 1 WHEN 'critical' THEN 2 WHEN 'warning' THEN 3 ELSE 4 END, id LIMIT 1",
    )
    .bind(ward)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(id) = open else {
        return Ok(String::new());
    };
    let c = for_ward(tx, ward, now, tz).await?.counts();
    Ok(format!(
        ". Daftar pengurangan hunian: {} bisa pulang sekarang, {} tinggal lebih dari setahun, {} menunggu dan cocok di UPT lain yang ada tempat — {}/capacity/alerts/{id}",
        c.go_home,
        c.long_stay,
        c.elsewhere,
        base_url.trim_end_matches('/')
    ))
}
