//! Time is injected: rules and jobs ask a `Clock`, so tests can fix "now".
//!
//! The one clock rule: every "today", age, case-number year and day boundary is counted in
//! the user's time zone (`settings.time_zone`, WIB in East Java) through `local_date` and
//! `day_start`, never from UTC's date (`date_naive()` on a UTC time is the day before
//! between 00:00 and 07:00 WIB). SQL is given the zone as a bound parameter (`zone`),
//! never a literal.
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
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

/// The calendar day of `t` where the users are.
pub fn local_date(t: DateTime<Utc>, tz: Tz) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// The instant local day `d` begins (the earliest, should the zone ever skip midnight).
pub fn day_start(d: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = d.and_hms_opt(0, 0, 0).expect("midnight");
    (tz.from_local_datetime(&midnight).earliest())
        .unwrap_or_else(|| tz.from_utc_datetime(&midnight))
        .with_timezone(&Utc)
}

/// The zone's IANA name, to bind where SQL needs it: `(t AT TIME ZONE $n)::date`.
pub fn zone(tz: Tz) -> &'static str {
    tz.name()
}

/// The zone as an SQL string literal, for SQL text shared by statements whose parameters
/// are numbered differently. Safe to splice: the name is one of chrono-tz's (letters,
/// digits, `/`, `_`, `+`, `-`), never user text.
pub fn zone_literal(tz: Tz) -> String {
    let name = tz.name();
    assert!(name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c)));
    format!("'{name}'")
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
    fn between_midnight_and_seven_wib_the_local_day_is_utcs_next() {
        let tz = chrono_tz::Asia::Jakarta;
        // 2026-12-07 18:30 UTC is 01:30 on the 8th in WIB.
        let t = Utc.with_ymd_and_hms(2026, 12, 7, 18, 30, 0).unwrap();
        let d = local_date(t, tz);
        assert_eq!(d, NaiveDate::from_ymd_opt(2026, 12, 8).unwrap());
        assert_eq!(
            day_start(d, tz),
            Utc.with_ymd_and_hms(2026, 12, 7, 17, 0, 0).unwrap()
        );
        assert_eq!(zone(tz), "Asia/Jakarta");
    }

    #[test]
    fn times_are_shown_in_wib() {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 17, 30, 0).unwrap();
        assert_eq!(
            format_local(t, chrono_tz::Asia::Jakarta),
            "24-11-2026 00:30 WIB"
        );
    }
}
