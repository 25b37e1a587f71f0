//! A real SMTP server on a random loopback port for the tests (the app's own sink, which
//! lettre talks to over TCP as to any mail server), and readers for what it received.
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use mail_parser::MessageParser;

use simlontar::config::{SmtpSecurity, SmtpSettings};
use simlontar::notify::mailer::Mailer;
use simlontar::notify::sink::{Faults, Keep, Received, Sink};

#[derive(Default)]
pub struct Inbox(pub Mutex<Vec<Received>>);

#[async_trait]
impl Keep for Inbox {
    async fn keep(&self, m: Received) -> Result<(), String> {
        self.0.lock().unwrap().push(m);
        Ok(())
    }
}

pub struct MailServer {
    pub addr: SocketAddr,
    pub inbox: Arc<Inbox>,
    sink: Option<Sink>,
}

/// A received message, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
}

impl MailServer {
    pub async fn start() -> MailServer {
        let inbox = Arc::new(Inbox::default());
        let sink = Sink::start("127.0.0.1:0".parse().unwrap(), inbox.clone())
            .await
            .unwrap();
        MailServer {
            addr: sink.addr(),
            inbox,
            sink: Some(sink),
        }
    }

    /// The server goes down: the port is closed and open sessions are cut.
    pub async fn stop(&mut self) {
        if let Some(s) = self.sink.take() {
            s.stop().await;
        }
    }

    /// The server comes back on the same port.
    pub async fn restart(&mut self) {
        self.sink = Some(Sink::start(self.addr, self.inbox.clone()).await.unwrap());
    }

    pub fn settings(&self) -> SmtpSettings {
        SmtpSettings {
            host: self.addr.ip().to_string(),
            port: self.addr.port(),
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Simlontar <simlontar@dinsos.jatimprov.go.id>".into(),
        }
    }

    /// The running server's scripted refusals (451 for the next n, or 550 for all).
    pub fn faults(&self) -> Arc<Faults> {
        self.sink.as_ref().expect("the server is running").faults()
    }

    pub fn mailer(&self) -> Mailer {
        Mailer::from_settings(&self.settings()).unwrap()
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.inbox.0.lock().unwrap().iter().map(decode).collect()
    }
}

pub fn decode(r: &Received) -> Mail {
    let m = MessageParser::default().parse(r.data.as_bytes()).unwrap();
    Mail {
        to: r.to.clone(),
        subject: m.subject().unwrap_or_default().to_string(),
        text: m.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        html: m.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
        message_id: m.message_id().unwrap_or_default().to_string(),
    }
}
