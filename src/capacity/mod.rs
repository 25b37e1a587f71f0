//! UPT capacity: forecasting when a ward fills, the alerts that say so in time, and the
//! wall screen. Three parts: the forecasting engine (`engine`: demand, survival, forecast,
//! alert — pure, no database, no clock), the backtest over daily histories (`backtest`:
//! history, reconstruct, replay, score, baselines, gate, `simlontar capacity …`), and the
//! database side and pages here (`evaluate` and `digest` run the engine on the database;
//! `holds`; the screen, the UPT page, the alerts and flows pages and their store).
//! Invariants: a day's forecast reads nothing dated after that day; the daily job and the
//! replay run the same engine code; the screen and emails show counts, never a person; a bed
//! hold never over-fills a ward (the database's CHECK decides).
pub mod ahead;
pub mod alert_page;
pub mod alerts_page;
pub mod backtest;
pub mod decongest;
pub mod digest;
pub mod engine;
pub mod evaluate;
pub mod flows;
pub mod holds;
pub mod import;
pub mod raids;
pub mod screen;
pub mod screen_map;
pub mod screen_store;
pub mod upt_page;

// The paths callers outside `capacity` name (`main`, the fuzz targets, the integration
// tests), kept so that the split moves no code outside this folder.
pub use backtest::{cli, history, replay, score, synth};

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
        .route("/capacity/alerts/{id}", get(alert_page::show_alert))
        .route(
            "/capacity/alerts/{id}/ack",
            post(alert_page::acknowledge_alert),
        )
        .route("/capacity/upt/{code}", get(upt_page::show_upt))
        .route("/capacity/upt/{code}/holds", post(upt_page::create_hold))
        .route("/capacity/holds/{id}/release", post(upt_page::release_hold))
}
