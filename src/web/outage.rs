//! Telling a database outage from a bug. The session layers answer a bare 500 when their
//! store fails; the store is PostgreSQL, so a failing store means the database is away and
//! the honest answer is 503 (try again) — not "a bug was logged".
use std::cell::Cell;

use async_trait::async_trait;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Result, SessionStore};

use crate::error::AppError;

tokio::task_local! {
    /// Set when the session store failed while serving this request.
    static STORE_FAILED: Cell<bool>;
}

fn note<T>(r: Result<T>) -> Result<T> {
    if r.is_err() {
        let _ = STORE_FAILED.try_with(|f| f.set(true));
    }
    r
}

/// A session store that reports its failures to [`mark_outages`].
#[derive(Debug, Clone)]
pub struct OutageAwareStore<S>(pub S);

#[async_trait]
impl<S: SessionStore + Clone> SessionStore for OutageAwareStore<S> {
    async fn create(&self, record: &mut Record) -> Result<()> {
        note(self.0.create(record).await)
    }
    async fn save(&self, record: &Record) -> Result<()> {
        note(self.0.save(record).await)
    }
    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        note(self.0.load(id).await)
    }
    async fn delete(&self, id: &Id) -> Result<()> {
        note(self.0.delete(id).await)
    }
}

/// Wraps the session layers: a 500 during which the session store failed becomes 503.
pub async fn mark_outages(req: Request, next: Next) -> Response {
    STORE_FAILED
        .scope(Cell::new(false), async move {
            let res = next.run(req).await;
            if res.status().is_server_error() && STORE_FAILED.with(|f| f.get()) {
                AppError::Unavailable("session store unavailable".into()).into_response()
            } else {
                res
            }
        })
        .await
}
