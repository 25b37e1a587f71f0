//! Email: written to the outbox in the transaction that causes it, delivered by a job over
//! SMTP with retries, never sent from a request. Messages carry no personal data.
pub mod mailbox;
pub mod mailer;
pub mod office_import;
pub mod office_pages;
pub mod offices;
pub mod outbox;
pub mod sink;

use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::Router;

use crate::auth::policy::{gate, Action};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    let offices = Router::new()
        .route(
            "/admin/offices",
            get(office_pages::show_offices).post(office_pages::save_office),
        )
        .route("/admin/offices/edit", get(office_pages::show_office))
        .route_layer(from_fn_with_state(Action::ManageOffices, gate));
    Router::new()
        .route("/demo/mailbox", get(mailbox::show_mailbox))
        .route("/demo/mailbox/{id}", get(mailbox::show_mail))
        .merge(offices)
}

/// Where a Dinsos office (a regency such as 35.10, or a relay province such as 33)
/// receives mail: its office record, else the configured pattern with the code. The
/// pattern is the demo's and development's stand-in; `simlontar readiness` lists every
/// office still on it. Every notice (hand-over, relay, digest, capacity) asks here.
pub async fn office_address(
    conn: &mut sqlx::PgConnection,
    settings: &crate::config::Settings,
    code: &str,
) -> sqlx::Result<String> {
    Ok(offices::address(conn, code)
        .await?
        .unwrap_or_else(|| office_pattern(settings, code)))
}

/// The configured address pattern filled in for `code`.
fn office_pattern(settings: &crate::config::Settings, code: &str) -> String {
    settings
        .office_email
        .replace("{code}", &code.replace('.', ""))
}
