//! Email: written to the outbox in the transaction that causes it, delivered by a job over
//! SMTP with retries, never sent from a request. Messages carry no personal data.
pub mod mailbox;
pub mod mailer;
pub mod outbox;
pub mod sink;

use axum::routing::get;
use axum::Router;

use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/demo/mailbox", get(mailbox::show_mailbox))
        .route("/demo/mailbox/{id}", get(mailbox::show_mail))
}
