//! Email: written to the outbox in the transaction that causes it, delivered by a job over
//! SMTP with retries, never sent from a request. Messages carry no personal data.
pub mod mailbox;
pub mod mailer;
pub mod outbox;
pub mod sink;

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/demo/mailbox", get(mailbox::show_mailbox))
        .route("/demo/mailbox/{id}", get(mailbox::show_mail))
}

/// Where a Dinsos office receives mail: the regions table's address, else the configured
/// pattern with the code (a regency such as 35.10, or a relay province such as 33).
pub async fn office_address(
    conn: &mut sqlx::PgConnection,
    settings: &crate::config::Settings,
    code: &str,
) -> sqlx::Result<String> {
    let configured: Option<String> =
        sqlx::query_scalar("SELECT dinsos_email FROM region WHERE code = $1")
            .bind(code)
            .fetch_optional(conn)
            .await?
            .flatten();
    Ok(configured.unwrap_or_else(|| office_pattern(settings, code)))
}

/// The configured address pattern filled in for `code`.
pub fn office_pattern(settings: &crate::config::Settings, code: &str) -> String {
    settings
        .office_email
        .replace("{code}", &code.replace('.', ""))
}
