//! The server's log format. On a terminal: readable lines. Anywhere else: one JSON object
//! per line, for log shippers, and so that no logged value can forge a line or colour a
//! terminal: JSON escapes every control character (newlines, carriage returns, ESC).
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

/// The filter used when `RUST_LOG` is not set.
const DEFAULT_FILTER: &str = "info,sqlx=warn,tower_http=info";

/// Installs the process-wide logger, writing to standard error.
pub fn init() {
    use std::io::IsTerminal;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    if std::io::stderr().is_terminal() {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    } else {
        json(filter, std::io::stderr).init();
    }
}

/// The JSON logger, with the span a line was written in.
fn json<W>(filter: EnvFilter, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .json()
        .with_current_span(true)
        .finish()
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// A value holding a forged log line and terminal escape codes, logged as a message, a
    /// field and a span field, stays on one line, parses back whole, and has no raw control
    /// character left in the output.
    #[test]
    fn control_characters_in_logged_values_are_escaped() {
        let hostile = "Budi\n{\"level\":\"ERROR\",\"fields\":{\"message\":\"forged\"}}\r\x1b[31mred\x1b[0m\x07";
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = super::json(super::EnvFilter::new("info"), move || writer.clone());
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("request", who = %hostile);
            let _entered = span.enter();
            tracing::info!(name = %hostile, "sign-in for {hostile}");
        });
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(
            !text.trim_end_matches('\n').chars().any(|c| c.is_control()),
            "{text:?}"
        );
        let line: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
        assert_eq!(line["fields"]["name"], hostile);
        assert_eq!(line["fields"]["message"], format!("sign-in for {hostile}"));
        assert_eq!(line["span"]["who"], hostile);
        assert_eq!(line["level"], "INFO");
    }
}
