//! The audit trail: who did what to which record, when, from where. Rows are only ever
//! added (a trigger refuses changes, and the app's role has no UPDATE/DELETE grant).
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgExecutor, PgPool, Row};

/// Where a request came from, for the audit row.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub actor_id: Option<i64>,
    pub remote_addr: Option<String>,
    pub request_id: Option<String>,
}

pub async fn record(
    db: impl PgExecutor<'_>,
    origin: &Origin,
    action: &str,
    entity: &str,
    entity_id: Option<&str>,
    detail: Value,
) -> sqlx::Result<()> {
    let mut detail = detail;
    if let (Some(id), Value::Object(map)) = (&origin.request_id, &mut detail) {
        map.insert("request_id".into(), Value::String(id.clone()));
    }
    sqlx::query(
        "INSERT INTO audit_log (actor_id, action, entity, entity_id, remote_addr, detail)
         VALUES ($1, $2, $3, $4, $5::inet, $6)",
    )
    .bind(origin.actor_id)
    .bind(action)
    .bind(entity)
    .bind(entity_id)
    .bind(origin.remote_addr.as_deref())
    .bind(detail)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub offset: i64,
}

#[derive(Debug, Clone)]
pub struct AuditRow {
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub remote_addr: Option<String>,
    pub detail: Value,
}

pub const PAGE: i64 = 100;

pub async fn search(pool: &PgPool, q: &AuditQuery) -> sqlx::Result<Vec<AuditRow>> {
    Ok(sqlx::query(
        "SELECT a.at, u.username, a.action, a.entity, a.entity_id, host(a.remote_addr) AS addr, a.detail
           FROM audit_log a LEFT JOIN app_user u ON u.id = a.actor_id
          WHERE ($1::text IS NULL OR u.username = $1)
            AND ($2::text IS NULL OR a.action = $2)
            AND ($3::text IS NULL OR a.entity = $3)
            AND ($4::text IS NULL OR a.entity_id = $4)
            AND ($5::timestamptz IS NULL OR a.at >= $5)
            AND ($6::timestamptz IS NULL OR a.at < $6)
          ORDER BY a.at DESC, a.id DESC LIMIT $7 OFFSET $8",
    )
    .bind(&q.actor)
    .bind(&q.action)
    .bind(&q.entity)
    .bind(&q.entity_id)
    .bind(q.from)
    .bind(q.to)
    .bind(PAGE)
    .bind(q.offset)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| AuditRow {
        at: r.get("at"),
        actor: r.get("username"),
        action: r.get("action"),
        entity: r.get("entity"),
        entity_id: r.get("entity_id"),
        remote_addr: r.get("addr"),
        detail: r.get("detail"),
    })
    .collect())
}

/// One record a user touched in a period, for the breach report (UU PDP Pasal 46: whose
/// data, which, when): every audited action on it, not only reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accessed {
    pub entity: String,
    pub entity_id: String,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
    pub times: i64,
    pub actions: Vec<String>,
}

/// The records `username` touched in `[from, to)`, first touched first; `None` when no
/// such user exists. Served by the index on (actor_id, at).
pub async fn accessed_by(
    pool: &PgPool,
    username: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Option<Vec<Accessed>>> {
    let Some(actor): Option<i64> =
        sqlx::query_scalar("SELECT id FROM app_user WHERE username = $1")
            .bind(username)
            .fetch_optional(pool)
            .await?
    else {
        return Ok(None);
    };
    let rows = sqlx::query(
        "SELECT entity, entity_id, min(at) AS first, max(at) AS last, count(*) AS times,
                array_agg(DISTINCT action ORDER BY action) AS actions
           FROM audit_log
          WHERE actor_id = $1 AND at >= $2 AND at < $3 AND entity_id IS NOT NULL
          GROUP BY entity, entity_id
          ORDER BY first, entity, entity_id",
    )
    .bind(actor)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    Ok(Some(
        rows.into_iter()
            .map(|r| Accessed {
                entity: r.get("entity"),
                entity_id: r.get("entity_id"),
                first: r.get("first"),
                last: r.get("last"),
                times: r.get("times"),
                actions: r.get("actions"),
            })
            .collect(),
    ))
}

/// What the hash-chain check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub rows: u64,
    /// The first row (by chain position) whose content or link does not match.
    pub first_break: Option<i64>,
}

/// Walks the audit chain in order and recomputes every row's hash here, in Rust, from the
/// row's canonical text — so a row edited behind the triggers' back is found.
pub async fn verify_chain(pool: &PgPool) -> sqlx::Result<ChainReport> {
    use futures_util::TryStreamExt;
    use sha2::{Digest, Sha256};
    let mut rows = sqlx::query(
        "SELECT a.chain_seq, a.prev_hash, a.row_hash, audit_payload(a) AS payload
           FROM audit_log a ORDER BY a.chain_seq",
    )
    .fetch(pool);
    let mut report = ChainReport {
        rows: 0,
        first_break: None,
    };
    let mut prev: Option<Vec<u8>> = None;
    let mut expected_seq = 1i64;
    while let Some(r) = rows.try_next().await? {
        let seq: i64 = r.get("chain_seq");
        let stored_prev: Option<Vec<u8>> = r.get("prev_hash");
        let stored: Vec<u8> = r.get("row_hash");
        let payload: String = r.get("payload");
        let mut h = Sha256::new();
        h.update(prev.as_deref().unwrap_or_default());
        h.update(payload.as_bytes());
        let ok = seq == expected_seq && stored_prev == prev && h.finalize().as_slice() == stored;
        report.rows += 1;
        if !ok && report.first_break.is_none() {
            report.first_break = Some(seq);
        }
        prev = Some(stored);
        expected_seq = seq + 1;
    }
    Ok(report)
}
