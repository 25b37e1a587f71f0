//! The app's own small cookies (beside the session's, which tower-sessions writes): how
//! they are named, read and set. Over HTTPS each is `__Host-` prefixed and `Secure`, so
//! neither another host nor plain HTTP can plant or read one (ASVS 3.4).
use axum::http::{header, HeaderMap, HeaderValue};

use crate::config::Settings;

pub enum SameSite {
    Lax,
    Strict,
}

/// The name `stem` goes by on this deployment.
pub fn name(settings: &Settings, stem: &str) -> String {
    if https(settings) {
        format!("__Host-{stem}")
    } else {
        stem.to_string()
    }
}

fn https(settings: &Settings) -> bool {
    settings.base_url.starts_with("https://")
}

/// The value of the cookie `name` the browser sent, if any.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` for `stem`: HttpOnly, the whole site, kept `max_age_days` (or until the
/// browser closes).
pub fn set(
    settings: &Settings,
    stem: &str,
    value: &str,
    max_age_days: Option<i64>,
    same_site: SameSite,
) -> HeaderValue {
    let mut c = format!(
        "{}={value}; Path=/; HttpOnly; SameSite={}",
        name(settings, stem),
        match same_site {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
        }
    );
    if let Some(days) = max_age_days {
        c.push_str(&format!("; Max-Age={}", days * 24 * 3600));
    }
    if https(settings) {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie values are hex")
}

/// A value for a new cookie: `bytes` random bytes, hex.
pub fn random_value(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut b);
    hex::encode(b)
}

/// Whether `v` looks like a value `random_value(bytes)` made.
pub fn well_formed(v: &str, bytes: usize) -> bool {
    v.len() == bytes * 2
        && v.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
