//! Time is injected: rules and jobs ask a `Clock`, so tests can fix "now".
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that always says the same time.
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// A timestamp as people in East Java read it: local time with its zone (WIB).
pub fn format_local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%d-%m-%Y %H:%M %Z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_are_shown_in_wib() {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 17, 30, 0).unwrap();
        assert_eq!(
            format_local(t, chrono_tz::Asia::Jakarta),
            "24-11-2026 00:30 WIB"
        );
    }
}
