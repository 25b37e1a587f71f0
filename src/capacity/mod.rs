//! UPT capacity: the wall screen, maps, per-UPT charts and bed holds. Invariants: the
//! screen shows counts, never a person; every figure carries the time it was last
//! updated; a bed hold never over-fills a ward (the database's CHECK decides).
pub mod flows;
pub mod holds;
pub mod screen;
pub mod screen_map;
pub mod screen_store;
pub mod upt_page;

use axum::routing::{get, post};
use axum::Router;

use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/capacity", get(screen::show_screen))
        .route("/capacity/panel", get(screen::show_panel))
        .route("/capacity/refresh.js", get(screen::refresh_js))
        .route("/capacity/flows", get(flows::show_flows))
        .route("/capacity/upt/{code}", get(upt_page::show_upt))
        .route("/capacity/upt/{code}/holds", post(upt_page::create_hold))
        .route("/capacity/holds/{id}/release", post(upt_page::release_hold))
}
