//! The worklists' queries, each in the viewer's `CaseScope` transaction: the count of
//! everything waiting and the first `limit` rows, oldest first (so late ones lead).
use chrono::{DateTime, Utc};
use sqlx::{Postgres, Row, Transaction};

use crate::auth::policy::CaseScope;

type Tx<'a> = Transaction<'a, Postgres>;

/// One waiting case: its number, the person's name, since when, and what kind of wait
/// (a state code, an office or a UPT name, the missing facts, depending on the section).
#[derive(Debug, Clone, PartialEq)]
pub struct Row_ {
    pub number: String,
    pub name: String,
    pub since: DateTime<Utc>,
    pub what: String,
}

/// The count and the first rows of a section.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listed<T> {
    pub count: i64,
    pub rows: Vec<T>,
}

fn rows(found: Vec<sqlx::postgres::PgRow>) -> Listed<Row_> {
    Listed {
        count: found.first().map_or(0, |r| r.get("total")),
        rows: found
            .iter()
            .map(|r| Row_ {
                number: r.get("number"),
                name: r.get("name"),
                since: r.get("since"),
                what: r.get("what"),
            })
            .collect(),
    }
}

const NAME: &str = "coalesce(nullif(i.stated_name, ''), '–') AS name";

/// Identified or unidentified cases with no route yet: no referral, stay, live plan or
/// place on the waiting list. `since` is when the case was opened (the intake).
pub async fn route_decisions(tx: &mut Tx<'_>, limit: i64) -> sqlx::Result<Listed<Row_>> {
    let sql = format!(
        "SELECT c.number, {NAME}, c.opened_at AS since, c.state AS what, count(*) OVER () AS total
           FROM ot_case c JOIN intake i ON i.id = c.intake_id
          WHERE c.closed_at IS NULL AND c.state IN ('identified', 'unidentified')
            AND NOT EXISTS (SELECT 1 FROM referral r WHERE r.case_id = c.id AND r.ended_at IS NULL)
            AND NOT EXISTS (SELECT 1 FROM placement p WHERE p.case_id = c.id AND p.ended_at IS NULL)
            AND NOT EXISTS (SELECT 1 FROM waiting_list w WHERE w.case_id = c.id AND w.resolved_at IS NULL)
            AND NOT EXISTS (SELECT 1 FROM transport_plan t WHERE t.case_id = c.id
                             AND t.state IN ('proposed', 'accepted', 'in_transit'))
          ORDER BY c.opened_at, c.id LIMIT $1"
    );
    Ok(rows(
        sqlx::query(&sql).bind(limit).fetch_all(&mut **tx).await?,
    ))
}

/// Cases waiting for a DP3AK identity check, oldest first.
pub async fn identity_checks(tx: &mut Tx<'_>, limit: i64) -> sqlx::Result<Listed<Row_>> {
    let sql = format!(
        "SELECT c.number, {NAME}, c.opened_at AS since, c.state AS what, count(*) OVER () AS total
           FROM ot_case c JOIN intake i ON i.id = c.intake_id
          WHERE c.closed_at IS NULL AND c.state IN ('received', 'identity_pending')
          ORDER BY c.opened_at, c.id LIMIT $1"
    );
    Ok(rows(
        sqlx::query(&sql).bind(limit).fetch_all(&mut **tx).await?,
    ))
}

/// Open cases whose latest routing word is a refusal (by the family, the home government
/// or the receiving office's decline): nothing decided since. `what` is who refused.
pub async fn refusals(tx: &mut Tx<'_>, limit: i64) -> sqlx::Result<Listed<Row_>> {
    let sql = format!(
        "SELECT c.number, {NAME}, e.at AS since, coalesce(e.detail ->> 'by', '') AS what,
                count(*) OVER () AS total
           FROM ot_case c JOIN intake i ON i.id = c.intake_id
           JOIN LATERAL (SELECT e.kind, e.at, e.detail FROM case_event e
                          WHERE e.case_id = c.id AND e.kind IN ('refused', 'route_decided', 'route_home', 'placed')
                          ORDER BY e.at DESC, e.id DESC LIMIT 1) e ON e.kind = 'refused'
          WHERE c.closed_at IS NULL
          ORDER BY e.at, c.id LIMIT $1"
    );
    Ok(rows(
        sqlx::query(&sql).bind(limit).fetch_all(&mut **tx).await?,
    ))
}

/// Hand-over notices of live plans not yet acknowledged, since they were sent; `what` is
/// the receiving office. `offices`: only those addressed to these (regency officers).
pub async fn unacknowledged_handovers(
    tx: &mut Tx<'_>,
    offices: Option<&[String]>,
    limit: i64,
) -> sqlx::Result<Listed<Row_>> {
    let sql = format!(
        "SELECT c.number, {NAME}, n.sent_at AS since, n.office AS what, count(*) OVER () AS total
           FROM handover_notice n JOIN transport_plan t ON t.id = n.plan_id
           JOIN ot_case c ON c.id = n.case_id JOIN intake i ON i.id = c.intake_id
          WHERE n.acknowledged_at IS NULL AND n.received_at IS NULL
            AND t.state IN ('proposed', 'accepted', 'in_transit')
            AND ($1::text[] IS NULL OR n.office_code = ANY($1))
          ORDER BY n.sent_at, n.id LIMIT $2"
    );
    Ok(rows(
        sqlx::query(&sql)
            .bind(offices)
            .bind(limit)
            .fetch_all(&mut **tx)
            .await?,
    ))
}

/// The intake officer's own pick-ups still open to their correction (opened after
/// `after`) that miss a photo, a name or a home; `what` lists the missing codes
/// (`photo`, `name`, `home`) separated by commas.
pub async fn own_intakes(
    tx: &mut Tx<'_>,
    officer: i64,
    after: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Listed<Row_>> {
    let sql = format!(
        "SELECT number, name, since, what, count(*) OVER () AS total FROM (
            SELECT c.number, {NAME}, c.opened_at AS since, c.id,
                   concat_ws(',',
                     CASE WHEN NOT EXISTS (SELECT 1 FROM intake_photo ph WHERE ph.intake_id = i.id) THEN 'photo' END,
                     CASE WHEN i.stated_name = '' THEN 'name' END,
                     CASE WHEN i.home_region_code IS NULL AND i.home_province_code IS NULL
                               AND i.stated_home = '' THEN 'home' END) AS what
              FROM ot_case c JOIN intake i ON i.id = c.intake_id
             WHERE i.officer_id = $1 AND c.opened_at > $2 AND c.closed_at IS NULL) m
          WHERE what <> '' ORDER BY since, id LIMIT $3"
    );
    Ok(rows(
        sqlx::query(&sql)
            .bind(officer)
            .bind(after)
            .bind(limit)
            .fetch_all(&mut **tx)
            .await?,
    ))
}

/// An open capacity alert of a ward: the most severe one per ward.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub id: i64,
    pub ward_id: i64,
    pub upt_name: String,
    pub ward_name: String,
    pub level: String,
    pub since: DateTime<Utc>,
    pub acknowledged: bool,
}

/// The open alerts of the wards the viewer looks after (every ward for a scope that sees
/// all cases; else the wards of the scope's UPTs), unacknowledged and most severe first.
pub async fn alerts(tx: &mut Tx<'_>, scope: &CaseScope, limit: i64) -> sqlx::Result<Listed<Alert>> {
    let found = sqlx::query(
        "SELECT id, ward_id, upt_name, ward_name, level, opened_at, acknowledged, count(*) OVER () AS total FROM (
            SELECT DISTINCT ON (a.ward_id) a.id, a.ward_id, u.name AS upt_name, w.name AS ward_name, a.level,
                   a.opened_at, a.acknowledged_at IS NOT NULL AS acknowledged,
                   CASE a.level WHEN 'full' THEN 1 WHEN 'critical' THEN 2 WHEN 'warning' THEN 3 ELSE 4 END AS rank
              FROM capacity_alert a JOIN ward w ON w.id = a.ward_id JOIN upt u ON u.code = a.upt_code
             WHERE a.resolved_at IS NULL AND a.level <> 'stale' AND ($1 OR a.upt_code = ANY($2))
             ORDER BY a.ward_id, rank, a.id) m
          ORDER BY acknowledged, rank, opened_at, id LIMIT $3",
    )
    .bind(scope.all)
    .bind(&scope.upts)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    Ok(Listed {
        count: found.first().map_or(0, |r| r.get("total")),
        rows: found
            .iter()
            .map(|r| Alert {
                id: r.get("id"),
                ward_id: r.get("ward_id"),
                upt_name: r.get("upt_name"),
                ward_name: r.get("ward_name"),
                level: r.get("level"),
                since: r.get("opened_at"),
                acknowledged: r.get("acknowledged"),
            })
            .collect(),
    })
}
