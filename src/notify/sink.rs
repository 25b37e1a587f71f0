//! A small SMTP server that keeps what it receives: the demo's local mailbox and the
//! tests' mail server. It speaks the plain-SMTP subset a submission client needs
//! (EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) over real TCP,
//! so the app's mail goes through lettre exactly as in production. Written here rather
//! than taken from a crate because the embeddable servers found (mailin-embedded) block
//! a thread pool and cannot be stopped, and the outage tests must stop and restart it.
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// One message as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message (headers and body) with the transfer's dot-stuffing removed.
    pub data: String,
}

/// Where received messages go. An error makes the server answer 451 (try again later),
/// so the sender keeps the message.
#[async_trait]
pub trait Keep: Send + Sync + 'static {
    async fn keep(&self, message: Received) -> Result<(), String>;
}

/// Refusals to script, as a real server gives them, for testing the sender's handling:
/// the next `n` messages answered 451 (try again later), or every message 550 (never).
#[derive(Debug, Default)]
pub struct Faults {
    later: AtomicUsize,
    never: AtomicBool,
}

impl Faults {
    /// The next `n` messages are refused for now (451), then they are kept again.
    pub fn refuse_next(&self, n: usize) {
        self.later.store(n, Ordering::SeqCst);
    }

    /// Every message is refused for good (550) while `on`.
    pub fn refuse_all(&self, on: bool) {
        self.never.store(on, Ordering::SeqCst);
    }

    fn refusal(&self) -> Option<&'static [u8]> {
        if self.never.load(Ordering::SeqCst) {
            return Some(b"550 5.7.1 Message refused\r\n");
        }
        self.later
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .ok()
            .map(|_| &b"451 4.3.0 Try again later\r\n"[..])
    }
}

/// A running server; dropping or stopping it closes the port and every open session.
pub struct Sink {
    addr: SocketAddr,
    faults: Arc<Faults>,
    task: JoinHandle<()>,
}

/// Longest line or message accepted, so a confused client cannot fill memory.
const MAX_LINE: usize = 4096;
const MAX_MESSAGE: usize = 16 * 1024 * 1024;

impl Sink {
    pub async fn start(addr: SocketAddr, keep: Arc<dyn Keep>) -> std::io::Result<Sink> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let faults = Arc::new(Faults::default());
        let answers = faults.clone();
        let task = tokio::spawn(async move {
            let mut sessions = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        if let Ok((stream, _)) = accepted {
                            let keep = keep.clone();
                            let faults = answers.clone();
                            sessions.spawn(async move {
                                if let Err(e) = session(stream, keep, faults).await {
                                    tracing::debug!(error = %e, "smtp session ended");
                                }
                            });
                        }
                    }
                    Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
                }
            }
        });
        Ok(Sink { addr, faults, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn faults(&self) -> Arc<Faults> {
        self.faults.clone()
    }

    /// Stops listening and cuts every session, like a mail server going down.
    pub async fn stop(mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn session(
    stream: TcpStream,
    keep: Arc<dyn Keep>,
    faults: Arc<Faults>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 simlontar-sink ESMTP\r\n").await?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if read_line(&mut lines, &mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-simlontar-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "HELO" => b"250 simlontar-sink\r\n",
            "MAIL" => {
                from = Some(address_in(&command));
                to.clear();
                b"250 OK\r\n"
            }
            "RCPT" if from.is_some() => {
                to.push(address_in(&command));
                b"250 OK\r\n"
            }
            "RCPT" => b"503 MAIL first\r\n",
            "DATA" if from.is_some() && !to.is_empty() => {
                write.write_all(b"354 End with <CRLF>.<CRLF>\r\n").await?;
                let data = read_data(&mut lines).await?;
                let message = Received {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    data,
                };
                match faults.refusal() {
                    Some(refusal) => refusal,
                    None => match keep.keep(message).await {
                        Ok(()) => b"250 OK kept\r\n",
                        Err(_) => b"451 Cannot keep the message now\r\n",
                    },
                }
            }
            "DATA" => b"503 MAIL and RCPT first\r\n",
            "RSET" => {
                from = None;
                to.clear();
                b"250 OK\r\n"
            }
            "NOOP" => b"250 OK\r\n",
            "QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 Command not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}

async fn read_line<R: AsyncBufReadExt + Unpin>(
    r: &mut R,
    line: &mut String,
) -> std::io::Result<usize> {
    let n = r.read_line(line).await?;
    if line.len() > MAX_LINE {
        return Err(std::io::Error::other("line too long"));
    }
    Ok(n)
}

/// Reads the message up to the lone "." line, undoing dot-stuffing (RFC 5321 4.5.2).
async fn read_data<R: AsyncBufReadExt + Unpin>(r: &mut R) -> std::io::Result<String> {
    let mut data = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if read_line(r, &mut line).await? == 0 {
            return Err(std::io::Error::other("connection closed inside DATA"));
        }
        let content = line.trim_end_matches(['\r', '\n']);
        if content == "." {
            return Ok(data);
        }
        data.push_str(content.strip_prefix('.').unwrap_or(content));
        data.push_str("\r\n");
        if data.len() > MAX_MESSAGE {
            return Err(std::io::Error::other("message too large"));
        }
    }
}

/// The address between angle brackets of a MAIL or RCPT command.
fn address_in(command: &str) -> String {
    match (command.find('<'), command.find('>')) {
        (Some(a), Some(b)) if a < b => command[a + 1..b].to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_read_from_brackets() {
        assert_eq!(
            address_in("MAIL FROM:<a@b.id> BODY=8BITMIME"),
            "a@b.id".to_string()
        );
        assert_eq!(address_in("RCPT TO:<>"), "");
        assert_eq!(address_in("RCPT TO: nothing"), "");
    }

    #[tokio::test]
    async fn data_is_unstuffed_and_ends_at_the_dot() {
        let input = b"Subject: x\r\n\r\n..leading dot\r\nplain\r\n.\r\nNEXT\r\n".to_vec();
        let mut r = BufReader::new(&input[..]);
        let data = read_data(&mut r).await.unwrap();
        assert_eq!(data, "Subject: x\r\n\r\n.leading dot\r\nplain\r\n");
    }
}
