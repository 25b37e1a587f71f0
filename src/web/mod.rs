//! What the HTTP side shares below the capabilities: who is asking (`viewer`, `api`), the
//! client's address, cookies, languages, redirects, error rendering and the probes. The
//! router that puts the capabilities together is assembled at the top (`crate::app`).
pub mod api;
pub mod client_addr;
pub mod cookie;
pub mod errors;
pub mod health;
pub mod home;
pub mod lang;
pub mod openapi;
pub mod outage;
pub mod path;
pub mod redirect;
pub mod viewer;

/// Largest request body accepted (five 5 MiB photos and the form around them).
pub const BODY_LIMIT: usize = 27 * 1024 * 1024;

/// Percent-encodes a path or value for use inside a query string.
pub fn urlencode(s: &str) -> String {
    simlontar_templates::layout::urlencode(s)
}
