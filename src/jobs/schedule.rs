//! When jobs run. Schedules are kept in UTC — tokio-cron-scheduler's own time-zone
//! handling has fired jobs twice (its issue #105) — and shown in WIB. The same schedule
//! gives the cron string for the scheduler and the "slot" a run belongs to, which is
//! what makes a slot run once and lets a restarted instance catch up on the last one.
use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Timelike, Utc, Weekday};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// Every `n` seconds, without slots: work that is safe to repeat (mail delivery).
    EverySeconds(u32),
    Hourly {
        minute: u32,
    },
    Daily {
        hour: u32,
        minute: u32,
    },
    Weekly {
        day: Weekday,
        hour: u32,
        minute: u32,
    },
}

impl Schedule {
    /// The six-field cron string (seconds first), read in UTC.
    pub fn cron(&self) -> String {
        match *self {
            Schedule::EverySeconds(n) => format!("*/{n} * * * * *"),
            Schedule::Hourly { minute } => format!("0 {minute} * * * *"),
            Schedule::Daily { hour, minute } => format!("0 {minute} {hour} * * *"),
            Schedule::Weekly { day, hour, minute } => {
                format!("0 {minute} {hour} * * {}", &day.to_string()[..3])
            }
        }
    }

    /// The latest scheduled moment at or before `now`; `None` for unslotted work.
    pub fn last_slot(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let at = |d: chrono::NaiveDate, h: u32, m: u32| {
            Utc.from_utc_datetime(&d.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()))
        };
        // Slots are UTC instants (cron reads UTC), not local days: the UTC date is right here.
        let today = now.date_naive();
        match *self {
            Schedule::EverySeconds(_) => None,
            Schedule::Hourly { minute } => {
                let slot = at(today, now.hour(), minute);
                Some(if slot > now {
                    slot - Duration::hours(1)
                } else {
                    slot
                })
            }
            Schedule::Daily { hour, minute } => {
                let slot = at(today, hour, minute);
                Some(if slot > now {
                    slot - Duration::days(1)
                } else {
                    slot
                })
            }
            Schedule::Weekly { day, hour, minute } => {
                let back =
                    (7 + now.weekday().num_days_from_monday() - day.num_days_from_monday()) % 7;
                let slot = at(today - Duration::days(back.into()), hour, minute);
                Some(if slot > now {
                    slot - Duration::weeks(1)
                } else {
                    slot
                })
            }
        }
    }

    /// The schedule as an officer reads it, in their time zone.
    pub fn describe(&self, tz: chrono_tz::Tz, lang: simlontar_templates::Lang) -> String {
        use simlontar_templates::i18n::tr;
        let local = |h: u32, m: u32| {
            let t = Utc
                .with_ymd_and_hms(2026, 1, 5, h, m, 0)
                .unwrap()
                .with_timezone(&tz);
            t.format("%H:%M %Z").to_string()
        };
        match *self {
            Schedule::EverySeconds(n) => format!(
                "{} {n} {}",
                tr(lang, "setiap", "every"),
                tr(lang, "detik", "seconds")
            ),
            Schedule::Hourly { minute } => format!(
                "{} :{minute:02}",
                tr(lang, "setiap jam pada menit", "hourly at minute")
            ),
            Schedule::Daily { hour, minute } => format!(
                "{} {}",
                tr(lang, "setiap hari", "daily"),
                local(hour, minute)
            ),
            Schedule::Weekly { day, hour, minute } => {
                // 2026-01-05 is a Monday: shift to the scheduled day, then to local time.
                let shift = day.num_days_from_monday();
                let t = Utc
                    .with_ymd_and_hms(2026, 1, 5 + shift, hour, minute, 0)
                    .unwrap()
                    .with_timezone(&tz);
                format!(
                    "{} {}",
                    weekday_name(t.weekday(), lang),
                    t.format("%H:%M %Z")
                )
            }
        }
    }
}

pub fn weekday_name(d: Weekday, lang: simlontar_templates::Lang) -> &'static str {
    use simlontar_templates::i18n::tr;
    match d {
        Weekday::Mon => tr(lang, "Senin", "Monday"),
        Weekday::Tue => tr(lang, "Selasa", "Tuesday"),
        Weekday::Wed => tr(lang, "Rabu", "Wednesday"),
        Weekday::Thu => tr(lang, "Kamis", "Thursday"),
        Weekday::Fri => tr(lang, "Jumat", "Friday"),
        Weekday::Sat => tr(lang, "Sabtu", "Saturday"),
        Weekday::Sun => tr(lang, "Minggu", "Sunday"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use simlontar_templates::Lang;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn daily_slot_is_today_once_passed_else_yesterday() {
        let s = Schedule::Daily { hour: 0, minute: 0 };
        assert_eq!(
            s.last_slot(t("2026-11-23T05:00:00Z")),
            Some(t("2026-11-23T00:00:00Z"))
        );
        let s = Schedule::Daily {
            hour: 19,
            minute: 0,
        };
        assert_eq!(
            s.last_slot(t("2026-11-23T05:00:00Z")),
            Some(t("2026-11-22T19:00:00Z"))
        );
        assert_eq!(
            s.last_slot(t("2026-11-23T19:00:00Z")),
            Some(t("2026-11-23T19:00:00Z"))
        );
    }

    #[test]
    fn weekly_and_hourly_slots() {
        let s = Schedule::Weekly {
            day: Weekday::Mon,
            hour: 1,
            minute: 0,
        };
        // 2026-11-23 is a Monday.
        assert_eq!(
            s.last_slot(t("2026-11-23T00:30:00Z")),
            Some(t("2026-11-16T01:00:00Z"))
        );
        assert_eq!(
            s.last_slot(t("2026-11-25T12:00:00Z")),
            Some(t("2026-11-23T01:00:00Z"))
        );
        let h = Schedule::Hourly { minute: 5 };
        assert_eq!(
            h.last_slot(t("2026-11-23T10:04:00Z")),
            Some(t("2026-11-23T09:05:00Z"))
        );
        assert_eq!(
            Schedule::EverySeconds(20).last_slot(t("2026-11-23T10:04:00Z")),
            None
        );
    }

    #[test]
    fn cron_strings_have_six_fields_and_the_scheduler_accepts_them() {
        for s in [
            Schedule::EverySeconds(20),
            Schedule::Hourly { minute: 5 },
            Schedule::Daily { hour: 0, minute: 0 },
            Schedule::Weekly {
                day: Weekday::Mon,
                hour: 1,
                minute: 0,
            },
        ] {
            let cron = s.cron();
            assert_eq!(cron.split(' ').count(), 6, "{cron}");
            assert!(
                tokio_cron_scheduler::Job::new_async(cron.as_str(), |_, _| Box::pin(async {}))
                    .is_ok(),
                "{cron}"
            );
        }
    }

    #[test]
    fn schedules_are_shown_in_wib() {
        let tz = chrono_tz::Asia::Jakarta;
        assert_eq!(
            Schedule::Daily { hour: 0, minute: 0 }.describe(tz, Lang::Id),
            "setiap hari 07:00 WIB"
        );
        // 20:00 UTC on Sunday is 03:00 on Monday in WIB.
        let w = Schedule::Weekly {
            day: Weekday::Sun,
            hour: 20,
            minute: 0,
        };
        assert_eq!(w.describe(tz, Lang::En), "Monday 03:00 WIB");
    }
}
