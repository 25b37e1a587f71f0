//! The second factor: time-based one-time codes (RFC 6238: SHA-1, 6 digits, 30 s) as
//! every authenticator app reads them. A code is good only in its own 30-second step
//! (ASVS 6.5.5) and only once: the step it was used in is stored, and an older or equal
//! step is refused.
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use totp_rs::{Algorithm, Secret, TOTP};

use super::store::UserError;

pub const STEP_SECONDS: i64 = 30;
const ISSUER: &str = "Simlontar";

/// A fresh random secret (160 bits, RFC 4226's recommendation).
pub fn new_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    bytes
}

fn totp(secret: &[u8], username: &str) -> Option<TOTP> {
    // Skew 0: only the current step counts.
    TOTP::new(
        Algorithm::SHA1,
        6,
        0,
        STEP_SECONDS as u64,
        secret.to_vec(),
        Some(ISSUER.into()),
        username.into(),
    )
    .ok()
}

pub fn step_of(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(STEP_SECONDS)
}

/// The code an authenticator shows at `now`.
pub fn code_at(secret: &[u8], now: DateTime<Utc>) -> String {
    totp(secret, "x")
        .map(|t| t.generate(now.timestamp().max(0) as u64))
        .unwrap_or_default()
}

/// Whether `code` is the one for `now`'s step (compared in constant time by totp-rs).
pub fn code_matches(secret: &[u8], code: &str, now: DateTime<Utc>) -> bool {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    totp(secret, "x").is_some_and(|t| t.check(&code, now.timestamp().max(0) as u64))
}

/// What an authenticator app needs: the `otpauth://` address (shown as a QR code) and the
/// secret in base32 for typing in by hand.
pub struct Enrolment {
    pub url: String,
    pub secret_base32: String,
}

pub fn enrolment(secret: &[u8], username: &str) -> Option<Enrolment> {
    let t = totp(secret, username)?;
    Some(Enrolment {
        url: t.get_url(),
        secret_base32: t.get_secret_base32(),
    })
}

pub fn encode(secret: &[u8]) -> String {
    Secret::Raw(secret.to_vec()).to_encoded().to_string()
}

pub fn decode(base32: &str) -> Option<Vec<u8>> {
    Secret::Encoded(base32.to_string()).to_bytes().ok()
}

/// The stored secret, if the person has enrolled.
pub async fn secret_of(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<Option<Vec<u8>>> {
    Ok(
        sqlx::query_scalar("SELECT totp_secret FROM app_user WHERE id = $1")
            .bind(user_id)
            .fetch_optional(db)
            .await?
            .flatten(),
    )
}

/// Spends `step` for this person (and stores the secret when `enrolling`). False when
/// the step was already used, or the secret changed meanwhile: the code is refused.
pub async fn spend_step(
    db: impl PgExecutor<'_>,
    user_id: i64,
    secret: &[u8],
    enrolling: bool,
    step: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE app_user SET totp_secret = $2, totp_last_step = $3
          WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $3)
            AND (totp_secret = $2 OR ($4 AND totp_secret IS NULL))",
    )
    .bind(user_id)
    .bind(secret)
    .bind(step)
    .bind(enrolling)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets a person's authenticator (a lost phone); they enrol again at their next
/// sign-in, and their open sessions end.
pub async fn reset(db: impl PgExecutor<'_>, username: &str) -> Result<i64, UserError> {
    sqlx::query_scalar(
        "UPDATE app_user SET totp_secret = NULL, totp_last_step = NULL, auth_version = auth_version + 1
          WHERE username = $1 RETURNING id",
    )
    .bind(username)
    .fetch_optional(db)
    .await?
    .ok_or_else(|| UserError::NoSuchUser(username.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_rfc_6238_test_vector_holds() {
        // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits); the 6-digit code is
        // its last six digits.
        let secret = b"12345678901234567890";
        let t = Utc.timestamp_opt(59, 0).unwrap();
        assert_eq!(code_at(secret, t), "287082");
        assert!(code_matches(secret, "287 082", t));
    }

    #[test]
    fn a_code_is_good_only_in_its_own_step() {
        let secret = new_secret();
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 10).unwrap();
        let code = code_at(&secret, t);
        assert!(code_matches(
            &secret,
            &code,
            t + chrono::Duration::seconds(19)
        ));
        assert!(!code_matches(
            &secret,
            &code,
            t + chrono::Duration::seconds(20)
        ));
        assert!(!code_matches(
            &secret,
            &code,
            t - chrono::Duration::seconds(11)
        ));
        assert!(!code_matches(&secret, "000000", t) || code == "000000");
    }

    #[test]
    fn secrets_survive_base32() {
        let s = new_secret();
        assert_eq!(decode(&encode(&s)).unwrap(), s);
        let e = enrolment(&s, "satpol.surabaya").unwrap();
        assert!(e
            .url
            .starts_with("otpauth://totp/Simlontar:satpol.surabaya?"));
        assert!(e.url.contains(&e.secret_base32));
    }
}
