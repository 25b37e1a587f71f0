//! Sending one message over SMTP with lettre: plain text and HTML alternatives, the
//! transport's security and credentials from configuration, and a Message-ID made from
//! the outbox key, so in the rare case a message goes out twice (the process died between
//! the server's "250" and our commit) a mail client shows it once.
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use crate::config::{SmtpSecurity, SmtpSettings};

/// Which waiting message goes first when several are due (after an outage, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// Capacity alerts and escalations: someone must act today.
    Urgent = 0,
    Normal = 1,
    /// Weekly digests.
    Routine = 2,
}

impl Priority {
    /// From the outbox's column (0–2, checked there).
    pub fn of(n: i16) -> Priority {
        match n {
            0 => Priority::Urgent,
            2 => Priority::Routine,
            _ => Priority::Normal,
        }
    }
}

/// A message ready to go, as the outbox stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// One logical message, one key: enqueuing the same key twice keeps the first.
    pub dedupe_key: String,
    pub priority: Priority,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Why a send failed, and whether trying again could help.
#[derive(Debug)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn from_settings(s: &SmtpSettings) -> anyhow::Result<Mailer> {
        let builder = match s.security {
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host)?,
        };
        let mut builder = builder.port(s.port).timeout(Some(Duration::from_secs(20)));
        if let (Some(user), Some(password)) = (&s.username, &s.password) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_string(),
            ));
        }
        Ok(Mailer {
            transport: builder.build(),
            from: s.from.parse()?,
        })
    }

    pub async fn send(&self, email: &Email) -> Result<(), SendError> {
        let to: Mailbox = email.to.parse().map_err(|e| SendError {
            permanent: true,
            message: format!("bad recipient {}: {e}", email.to),
        })?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject)
            .message_id(Some(message_id(&email.dedupe_key)))
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .map_err(|e| SendError {
                permanent: true,
                message: e.to_string(),
            })?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|e| SendError {
                permanent: e.is_permanent(),
                message: e.to_string(),
            })
    }
}

impl Mailer {
    /// Whether the SMTP server answers and accepts our greeting (and login), within
    /// `limit`: the readiness check's real connection, sending nothing.
    pub async fn reachable(&self, limit: Duration) -> Result<(), String> {
        match tokio::time::timeout(limit, self.transport.test_connection()).await {
            Ok(Ok(true)) => Ok(()),
            Ok(Ok(false)) => Err("the server did not answer NOOP".into()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("no answer within {} s", limit.as_secs())),
        }
    }
}

/// The same key always gives the same Message-ID.
pub fn message_id(dedupe_key: &str) -> String {
    let digest = Sha256::digest(dedupe_key.as_bytes());
    format!("<{}@simlontar>", hex::encode(&digest[..16]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_follow_the_key() {
        assert_eq!(message_id("a"), message_id("a"));
        assert_ne!(message_id("a"), message_id("b"));
        assert!(message_id("a").ends_with("@simlontar>"));
    }
}
