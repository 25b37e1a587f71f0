//! What every request handler shares: the pool, the settings and the clock. It stands
//! below every capability: capabilities take it in their handlers and routers, and only
//! the top (`crate::app`) puts their routers together.
use std::sync::Arc;

use sqlx::PgPool;

use crate::clock::Clock;
use crate::config::Settings;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
}
