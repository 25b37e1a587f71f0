//! Typed settings: an optional TOML file, then environment variables, validated once at
//! start so a bad setting stops the program with a message naming it.
use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use chrono_tz::Tz;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use ipnet::IpNet;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: SecretString,
    pub addr: SocketAddr,
    pub time_zone: Tz,
    pub base_url: String,
    pub demo: bool,
    /// People must give a one-time code (TOTP) after their password. On unless turned
    /// off, which only the demo does.
    pub mfa_required: bool,
    /// A DP3AK match with at least this biometric score, not contradicted by the intake,
    /// identifies the case without review.
    pub identity_accept_score: f32,
    /// Re-intake pairs at least this probable are linked without review…
    pub reintake_accept: f64,
    /// …and pairs at least this probable wait in the review queue.
    pub reintake_review: f64,
    /// Where a regency's (or a relay province's) Dinsos receives hand-over notices when the
    /// regions table has no address: `{code}` becomes the code without dots (3510, 33).
    pub office_email: String,
    /// The provincial desk that hears about notices left unacknowledged.
    pub escalation_email: String,
    /// Hours a hand-over notice may wait for acknowledgement before it escalates.
    pub escalate_after_hours: u32,
    /// How soon after intake a case should have its route decided (the case officer's
    /// worklist marks later ones): seed 004 says a report is handled in 2-3 hours.
    pub route_decision_target_hours: u32,
    pub smtp: SmtpSettings,
    pub retention: Retention,
    /// Reverse proxies (addresses or CIDR ranges) whose `X-Forwarded-For` names the
    /// client. None by default: the connecting address is the client.
    pub trusted_proxies: Vec<IpNet>,
}

/// How long personal data is kept (UU PDP Pasal 42–44), in days after a case finished.
/// The province's records retention schedule (JRA) sets the real periods; the defaults
/// are this project's assumption until it is known (docs/operations.md, Retention).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// Then the case is anonymised: name, NIK, dates, addresses, photos, free text.
    pub case_days: u32,
    /// Face photos (biometric data, Pasal 4) go sooner.
    pub photo_days: u32,
    /// Sent emails' subjects and bodies (they name people) are blanked after this many
    /// days from sending.
    pub mail_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain SMTP (a local relay or a test sink).
    None,
    StartTls,
    Tls,
}

#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    pub from: String,
}

/// The raw shape read from file and environment, before validation.
#[derive(Debug, Serialize, Deserialize)]
struct Raw {
    database_url: Option<String>,
    addr: String,
    time_zone: String,
    base_url: Option<String>,
    demo: bool,
    mfa_required: bool,
    identity_accept_score: f32,
    reintake_accept: f64,
    reintake_review: f64,
    office_email: String,
    escalation_email: String,
    escalate_after_hours: u32,
    route_decision_target_hours: u32,
    smtp: RawSmtp,
    retention: Retention,
    trusted_proxies: AddrList,
}

/// A list in the file (`["10.0.0.5", "10.1.0.0/16"]`), or one string separated by
/// commas or spaces (handier in an environment variable).
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum AddrList {
    List(Vec<String>),
    One(String),
}

impl AddrList {
    fn items(&self) -> Vec<&str> {
        match self {
            AddrList::List(l) => l.iter().map(|s| s.trim()).collect(),
            AddrList::One(s) => s
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .collect(),
        }
    }
}

/// An address (a range of one) or a CIDR range.
fn parse_net(s: &str) -> Option<IpNet> {
    s.parse::<IpNet>()
        .ok()
        .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
}

#[derive(Debug, Serialize, Deserialize)]
struct RawSmtp {
    host: String,
    port: u16,
    security: SmtpSecurity,
    username: Option<String>,
    password: Option<String>,
    from: String,
}

impl Default for Raw {
    fn default() -> Self {
        Raw {
            database_url: None,
            addr: "127.0.0.1:8080".into(),
            time_zone: "Asia/Jakarta".into(),
            base_url: None,
            demo: false,
            mfa_required: true,
            identity_accept_score: 80.0,
            reintake_accept: 0.99,
            reintake_review: 0.5,
            // A reserved domain: nothing leaves until real addresses are configured.
            office_email: "dinsos-{code}@simlontar.invalid".into(),
            escalation_email: "desk@simlontar.invalid".into(),
            escalate_after_hours: 24,
            route_decision_target_hours: 3,
            smtp: RawSmtp {
                host: "127.0.0.1".into(),
                port: 2525,
                security: SmtpSecurity::None,
                username: None,
                password: None,
                from: "Simlontar <simlontar@localhost>".into(),
            },
            retention: Retention {
                case_days: 5 * 365,
                photo_days: 365,
                mail_days: 90,
            },
            trusted_proxies: AddrList::List(vec![]),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0}: not found")]
    Missing(String),
    #[error("configuration: {0}")]
    Read(String),
    #[error("setting `{key}`: {message}")]
    Invalid { key: &'static str, message: String },
}

fn invalid(key: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        message: message.into(),
    }
}

impl Settings {
    /// Reads `file` (when it exists, or must exist when named explicitly), then the
    /// `SIMLONTAR_*` variables (nested keys with `__`, e.g. `SIMLONTAR_SMTP__HOST`);
    /// `DATABASE_URL` and `SIMLONTAR_ADDR` always win.
    pub fn load(file: &Path, required: bool) -> Result<Settings, ConfigError> {
        if required && !file.exists() {
            return Err(ConfigError::Missing(file.display().to_string()));
        }
        let raw: Raw = Figment::from(Serialized::defaults(Raw::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("SIMLONTAR_").split("__"))
            .merge(Env::raw().only(&["DATABASE_URL"]))
            .extract()
            .map_err(|e| match e.path.join(".") {
                key if key.is_empty() => ConfigError::Read(e.to_string()),
                key => ConfigError::Read(format!("setting `{key}`: {}", e.kind)),
            })?;
        raw.validate()
    }

    pub fn database_url(&self) -> &str {
        self.database_url.expose_secret()
    }
}

impl Raw {
    fn validate(self) -> Result<Settings, ConfigError> {
        let url = self.database_url.ok_or_else(|| {
            invalid(
                "database_url",
                "not set: give DATABASE_URL (postgres://user@host:port/db) or database_url in the file",
            )
        })?;
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(invalid(
                "database_url",
                "must be a postgres:// or postgresql:// URL",
            ));
        }
        let addr: SocketAddr = self.addr.parse().map_err(|_| {
            invalid(
                "addr",
                format!(
                    "`{}` is not a socket address such as 127.0.0.1:8080",
                    self.addr
                ),
            )
        })?;
        let time_zone: Tz = self.time_zone.parse().map_err(|_| {
            invalid(
                "time_zone",
                format!(
                    "`{}` is not an IANA time zone such as Asia/Jakarta",
                    self.time_zone
                ),
            )
        })?;
        let base_url = self
            .base_url
            .unwrap_or_else(|| format!("http://{addr}"))
            .trim_end_matches('/')
            .to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(invalid("base_url", "must start with http:// or https://"));
        }
        if !self.office_email.contains("{code}") || !self.office_email.contains('@') {
            return Err(invalid(
                "office_email",
                "must be an address with {code}, such as dinsos-{code}@jatimprov.go.id",
            ));
        }
        if !self.escalation_email.contains('@') {
            return Err(invalid("escalation_email", "must be an email address"));
        }
        if self.escalate_after_hours == 0 {
            return Err(invalid("escalate_after_hours", "must be at least 1"));
        }
        if !(1..=72).contains(&self.route_decision_target_hours) {
            return Err(invalid(
                "route_decision_target_hours",
                "hours between 1 and 72",
            ));
        }
        if self.smtp.host.trim().is_empty() {
            return Err(invalid("smtp.host", "must not be empty"));
        }
        if self.smtp.port == 0 {
            return Err(invalid("smtp.port", "must be between 1 and 65535"));
        }
        if !self.smtp.from.contains('@') {
            return Err(invalid(
                "smtp.from",
                "must be an address such as Simlontar <noreply@example.org>",
            ));
        }
        if !(0.0..=100.0).contains(&self.identity_accept_score) {
            return Err(invalid(
                "identity_accept_score",
                "a biometric score between 0 and 100",
            ));
        }
        if !(0.0 < self.reintake_review
            && self.reintake_review <= self.reintake_accept
            && self.reintake_accept <= 1.0)
        {
            return Err(invalid(
                "reintake_review",
                "probabilities with 0 < reintake_review <= reintake_accept <= 1",
            ));
        }
        let r = self.retention;
        if r.photo_days == 0 {
            return Err(invalid("retention.photo_days", "must be at least 1"));
        }
        if r.mail_days == 0 {
            return Err(invalid("retention.mail_days", "must be at least 1"));
        }
        if r.photo_days > r.case_days {
            return Err(invalid(
                "retention.photo_days",
                "must not be longer than retention.case_days (anonymising removes the photos)",
            ));
        }
        let trusted_proxies = self
            .trusted_proxies
            .items()
            .into_iter()
            .map(|s| {
                parse_net(s).ok_or_else(|| {
                    invalid(
                        "trusted_proxies",
                        format!("`{s}` is not an address or CIDR range such as 10.0.0.0/8"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if self.smtp.username.is_some() != self.smtp.password.is_some() {
            return Err(invalid(
                "smtp.password",
                "smtp.username and smtp.password go together",
            ));
        }
        Ok(Settings {
            database_url: url.into(),
            addr,
            time_zone,
            base_url,
            demo: self.demo,
            mfa_required: self.mfa_required,
            identity_accept_score: self.identity_accept_score,
            reintake_accept: self.reintake_accept,
            reintake_review: self.reintake_review,
            office_email: self.office_email,
            escalation_email: self.escalation_email,
            escalate_after_hours: self.escalate_after_hours,
            route_decision_target_hours: self.route_decision_target_hours,
            smtp: SmtpSettings {
                host: self.smtp.host,
                port: self.smtp.port,
                security: self.smtp.security,
                username: self.smtp.username,
                password: self.smtp.password.map(Into::into),
                from: self.smtp.from,
            },
            retention: self.retention,
            trusted_proxies,
        })
    }
}
