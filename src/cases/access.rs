//! Reaching a case in a principal's scope: reading it, opening it for a change, and the
//! "not found" told about a case outside the scope. Invariants: a case is read only
//! through the principal's scope, every read of a person's details writes exactly one
//! audit row, and a look-up of a case that exists outside the scope is audited.
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgPool, Postgres, Transaction};

use super::number::CaseNumber;
use super::store;
use crate::auth::audit::{self, Origin};
use crate::auth::model::Principal;
use crate::auth::policy::{require, Action, CaseScope, NikKey};
use crate::error::{AppError, AppResult};

/// A transaction in a principal's case scope.
pub type CaseTx = Transaction<'static, Postgres>;

/// A case's details for `p`, audited: a read, or a refused look-up of a case that exists
/// outside their scope (which they are told does not exist).
pub async fn read(
    pool: &PgPool,
    p: &Principal,
    origin: &Origin,
    number: &CaseNumber,
    now: DateTime<Utc>,
) -> AppResult<store::CaseDetail> {
    match store::find(pool, &CaseScope::of(p, now), number).await? {
        Some(case) => {
            audit::record(pool, origin, "read", "case", Some(&case.number), json!({})).await?;
            Ok(case)
        }
        None => Err(not_found(pool, p, origin, number, now).await),
    }
}

/// The cases in `p`'s scope recorded with NIK `key`, the search audited (with how many
/// were found, never the NIK).
pub async fn search_nik(
    pool: &PgPool,
    p: &Principal,
    origin: &Origin,
    key: NikKey,
    (now, tz): (DateTime<Utc>, chrono_tz::Tz),
) -> AppResult<Vec<store::CaseSummary>> {
    let filter = store::CaseFilter {
        nik: Some(key),
        ..Default::default()
    };
    let (cases, _) = store::list(pool, &CaseScope::of(p, now), &filter, tz).await?;
    let detail = json!({"results": cases.len()});
    audit::record(pool, origin, "search_nik", "case", None, detail).await?;
    Ok(cases)
}

/// A photo (content type, bytes) of a case `p` may see. A face is personal data like
/// the rest of the case: each view is a read on record (the access report lists it).
pub async fn read_photo(
    pool: &PgPool,
    p: &Principal,
    origin: &Origin,
    number: &CaseNumber,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<(String, Vec<u8>)> {
    let Some(photo) = store::photo(pool, &CaseScope::of(p, now), number, id).await? else {
        return Err(not_found(pool, p, origin, number, now).await);
    };
    let detail = json!({"photo": id});
    audit::record(
        pool,
        origin,
        "read_photo",
        "case",
        Some(number.as_str()),
        detail,
    )
    .await?;
    Ok(photo)
}

/// "Not found", to a principal asking for a case they may not see; when the case exists
/// (outside their scope) the look-up is kept in the audit trail as `read_denied`.
pub async fn not_found(
    pool: &PgPool,
    p: &Principal,
    origin: &Origin,
    number: &CaseNumber,
    now: DateTime<Utc>,
) -> AppError {
    match note_denied(pool, p, origin, number, now).await {
        Ok(()) => AppError::NotFound,
        Err(e) => e,
    }
}

async fn note_denied(
    pool: &PgPool,
    p: &Principal,
    origin: &Origin,
    number: &CaseNumber,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let scope = CaseScope::of(p, now);
    let mut tx = scope.begin(pool).await?;
    // A case in scope with, say, a wrong photo id is simply not found.
    let visible = store::case_id_in(&mut tx, &scope, number).await?.is_some();
    tx.commit().await?;
    if !visible && store::exists(pool, number, now).await? {
        audit::record(
            pool,
            origin,
            "read_denied",
            "case",
            Some(number.as_str()),
            json!({}),
        )
        .await?;
    }
    Ok(())
}

/// Opens case `number` for a change `p` may make (`action`): a transaction in their
/// scope and the case's id. A case outside the scope is not found. Finish the change
/// with [`commit`].
pub async fn open(
    pool: &PgPool,
    p: &Principal,
    origin: &Origin,
    number: &CaseNumber,
    action: Action,
    now: DateTime<Utc>,
) -> AppResult<(CaseTx, i64)> {
    require(p, action)?;
    let scope = CaseScope::of(p, now);
    let mut tx = scope.begin(pool).await?;
    match store::case_id_in(&mut tx, &scope, number).await? {
        Some(id) => Ok((tx, id)),
        None => {
            tx.rollback().await?;
            Err(not_found(pool, p, origin, number, now).await)
        }
    }
}

/// Audits a change opened with [`open`] (`what`, with `detail`) and commits it.
pub async fn commit(
    mut tx: CaseTx,
    origin: &Origin,
    number: &CaseNumber,
    what: &str,
    detail: serde_json::Value,
) -> AppResult<()> {
    audit::record(
        &mut *tx,
        origin,
        what,
        "case",
        Some(number.as_str()),
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
