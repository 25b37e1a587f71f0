//! A case's history: the append-only log of what happened to it. Every event is written
//! by `record` (a bulk load by `record_all`), so each column is always filled the same way.
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{Postgres, QueryBuilder, Transaction};

use super::model::State;
use crate::auth::model::Principal;

/// One entry of a case's history.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// What happened: `opened`, `transition`, `placed`, `route_decided`…
    pub kind: &'a str,
    /// A change of state: the state left (none when the case opens) and the one entered.
    pub from: Option<State>,
    pub to: Option<State>,
    /// Shown to everyone who may see the case, so never a NIK or a name.
    pub reason: &'a str,
    pub detail: Value,
}

impl<'a> Event<'a> {
    /// An event that changes no state.
    pub fn note(kind: &'a str, reason: &'a str, detail: Value) -> Self {
        Event {
            kind,
            from: None,
            to: None,
            reason,
            detail,
        }
    }
}

/// Writes one event of case `case_id`, by `actor` (none for the system's own work).
pub async fn record(
    tx: &mut Transaction<'_, Postgres>,
    case_id: i64,
    actor: Option<&Principal>,
    event: &Event<'_>,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    record_all(tx, actor, &[(case_id, at, event.clone())]).await
}

/// Writes many events at once (`(case id, at, event)`), all by `actor`: the demo seed's
/// years of history in a few statements.
pub async fn record_all(
    tx: &mut Transaction<'_, Postgres>,
    actor: Option<&Principal>,
    events: &[(i64, DateTime<Utc>, Event<'_>)],
) -> sqlx::Result<()> {
    // Eight parameters a row, under PostgreSQL's 65,535 per statement.
    for batch in events.chunks(4_000) {
        let mut q: QueryBuilder<Postgres> = QueryBuilder::new(
            "INSERT INTO case_event (case_id, at, actor_id, kind, from_state, to_state, reason, detail) ",
        );
        q.push_values(batch, |mut b, (case_id, at, e)| {
            b.push_bind(*case_id)
                .push_bind(*at)
                .push_bind(actor.map(|p| p.user_id))
                .push_bind(e.kind)
                .push_bind(e.from.map(State::as_str))
                .push_bind(e.to.map(State::as_str))
                .push_bind(e.reason.trim())
                .push_bind(&e.detail);
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}
