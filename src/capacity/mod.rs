//! UPT capacity: forecasting when a ward fills, the alerts that say so in time, and the
//! wall screen. The engine (alert, forecast, demand, survival, reconstruct, replay, score)
//! is pure — no database, no clock — and the same code serves `simlontar capacity replay`
//! and the database side (`evaluate`, `digest`). Invariants: a day's forecast reads nothing
//! dated after that day; the screen and emails show counts, never a person; a bed hold
//! never over-fills a ward (the database's CHECK decides).
pub mod alert;
pub mod alerts_page;
pub mod baseline;
pub mod cli;
pub mod demand;
pub mod digest;
pub mod evaluate;
pub mod flows;
pub mod forecast;
pub mod gate;
pub mod history;
pub mod holds;
pub mod reconstruct;
pub mod replay;
pub mod sample;
pub mod score;
pub mod screen;
pub mod screen_map;
pub mod screen_store;
pub mod survival;
pub mod synth;
pub mod upt_page;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/capacity", get(screen::show_screen))
        .route("/capacity/panel", get(screen::show_panel))
        .route("/capacity/refresh.js", get(screen::refresh_js))
        .route("/capacity/flows", get(flows::show_flows))
        .route("/capacity/alerts", get(alerts_page::show_alerts))
        .route(
            "/capacity/alerts/{id}/ack",
            post(alerts_page::acknowledge_alert),
        )
        .route("/capacity/upt/{code}", get(upt_page::show_upt))
        .route("/capacity/upt/{code}/holds", post(upt_page::create_hold))
        .route("/capacity/holds/{id}/release", post(upt_page::release_hold))
}
