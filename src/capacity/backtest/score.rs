//! Scoring alert rows (the replay's output) against a history, using only what both files
//! hold, so anyone can check a replay.
//!
//! - A **fill event** starts on a day the ward is full after at least 7 days with a free bed.
//! - A **warning** is a row of level warning or critical. It is *true* when a fill event
//!   starts within 45 days of it (on its day or later), else *false*.
//! - An event's **lead time** is the time from the earliest warning in the 45 days before it
//!   (its day included) to its start; an event with no such warning is missed. One warning
//!   can thus cover two fills close together: the alert stays open in between, and the
//!   output has a row only when an alert is raised.
//! - The first `warm_up_days` of each ward are left out (the forecast needs history), and
//!   warnings in a ward's last 45 days are not judged (their outcome is not known yet).
use chrono::{Duration, NaiveDate};

use super::history::WardSeries;
use super::replay::AlertRow;
use crate::capacity::engine::alert::Level;

pub const CONFIRM_DAYS: i64 = 45;
pub const FREE_BEFORE_FILL: usize = 7;
/// Lead time asked of a warning.
pub const LEAD_TARGET: i64 = 14;

/// Start days of fill events.
pub fn fill_events(series: &WardSeries) -> Vec<NaiveDate> {
    let d = &series.days;
    (FREE_BEFORE_FILL..d.len())
        .filter(|&i| {
            d[i].occupancy >= d[i].capacity
                && (d[i - FREE_BEFORE_FILL..i])
                    .iter()
                    .all(|r| r.occupancy < r.capacity)
                && (d[i].date - d[i - FREE_BEFORE_FILL].date).num_days() == FREE_BEFORE_FILL as i64
        })
        .map(|i| d[i].date)
        .collect()
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Score {
    pub events: usize,
    pub detected: usize,
    /// Events with a true warning at least `LEAD_TARGET` days before.
    pub warned_ahead: usize,
    pub lead_times: Vec<i64>,
    pub warnings: usize,
    pub false_warnings: usize,
    /// Ward-quarters over which warnings were judged.
    pub ward_quarters: f64,
}

impl Score {
    pub fn share_warned_ahead(&self) -> f64 {
        self.warned_ahead as f64 / self.events.max(1) as f64
    }

    /// Share of all events detected at least `days` before they started.
    pub fn share_led_by(&self, days: i64) -> f64 {
        let led = self.lead_times.iter().filter(|&&l| l >= days).count();
        led as f64 / self.events.max(1) as f64
    }

    /// Median lead time over detected events.
    pub fn median_lead(&self) -> Option<f64> {
        let mut v = self.lead_times.clone();
        v.sort_unstable();
        match v.len() {
            0 => None,
            n if n % 2 == 1 => Some(v[n / 2] as f64),
            n => Some((v[n / 2 - 1] + v[n / 2]) as f64 / 2.0),
        }
    }

    /// Share of judged warnings followed by a fill within 45 days.
    pub fn precision(&self) -> f64 {
        1.0 - self.false_warnings as f64 / self.warnings.max(1) as f64
    }

    pub fn false_per_ward_quarter(&self) -> f64 {
        self.false_warnings as f64 / self.ward_quarters.max(1e-9)
    }

    pub fn add(&mut self, o: &Score) {
        self.events += o.events;
        self.detected += o.detected;
        self.warned_ahead += o.warned_ahead;
        self.lead_times.extend(&o.lead_times);
        self.warnings += o.warnings;
        self.false_warnings += o.false_warnings;
        self.ward_quarters += o.ward_quarters;
    }
}

/// Scores the rows of every ward in `history`.
pub fn score(history: &[WardSeries], rows: &[AlertRow], warm_up_days: i64) -> Score {
    let mut total = Score::default();
    for w in history {
        let mut warnings: Vec<NaiveDate> = (rows.iter())
            .filter(|r| r.upt == w.upt && r.ward == w.ward)
            .filter(|r| matches!(r.level, Level::Warning | Level::Critical))
            .map(|r| r.date)
            .collect();
        warnings.sort_unstable();
        total.add(&score_ward(w, &warnings, warm_up_days));
    }
    total
}

/// Scores one ward's warning dates (sorted).
pub fn score_ward(w: &WardSeries, warnings: &[NaiveDate], warm_up_days: i64) -> Score {
    let mut s = Score::default();
    let (Some(first), Some(last)) = (w.days.first(), w.days.last()) else {
        return s;
    };
    let start = first.date + Duration::days(warm_up_days);
    let judged_until = last.date - Duration::days(CONFIRM_DAYS);
    let events = fill_events(w);
    for &e in &events {
        if e >= start {
            s.events += 1;
            let lead = (warnings.iter())
                .find(|&&x| x <= e && (e - x).num_days() <= CONFIRM_DAYS)
                .map(|&x| (e - x).num_days());
            if let Some(l) = lead {
                s.detected += 1;
                s.lead_times.push(l);
                if l >= LEAD_TARGET {
                    s.warned_ahead += 1;
                }
            }
        }
    }
    for &x in warnings
        .iter()
        .filter(|&&x| x >= start && x <= judged_until)
    {
        s.warnings += 1;
        let confirmed = (events.iter()).any(|&e| e >= x && (e - x).num_days() <= CONFIRM_DAYS);
        if !confirmed {
            s.false_warnings += 1;
        }
    }
    if judged_until > start {
        s.ward_quarters = (judged_until - start).num_days() as f64 / (365.25 / 4.0);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capacity::backtest::history::DayRow;

    fn ward(occ: &[u32]) -> WardSeries {
        let d0 = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        WardSeries {
            upt: "A".into(),
            ward: String::new(),
            days: (occ.iter().enumerate())
                .map(|(i, &o)| DayRow {
                    date: d0 + Duration::days(i as i64),
                    capacity: 10,
                    occupancy: o,
                    admissions: 0,
                    discharges: 0,
                    turned_away: 0,
                })
                .collect(),
        }
    }

    #[test]
    fn a_fill_needs_a_week_with_free_beds_before_it() {
        let mut occ = vec![9; 100];
        occ[20] = 10;
        occ[24] = 10; // only 3 free days before: not a new event
        occ[60] = 10;
        let w = ward(&occ);
        let d = |i: i64| w.days[0].date + Duration::days(i);
        assert_eq!(fill_events(&w), [d(20), d(60)]);
    }

    #[test]
    fn lead_times_and_false_warnings() {
        let mut occ = vec![9; 200];
        occ[60] = 10;
        occ[120] = 10;
        let w = ward(&occ);
        let d = |i: i64| w.days[0].date + Duration::days(i);
        // Day 30 warns 30 days ahead; day 110 10 days ahead; day 140 warns of nothing.
        let s = score_ward(&w, &[d(30), d(40), d(110), d(140)], 0);
        assert_eq!((s.events, s.detected, s.warned_ahead), (2, 2, 1));
        assert_eq!(s.lead_times, [30, 10]);
        assert_eq!((s.warnings, s.false_warnings), (4, 1));
        assert_eq!(s.median_lead(), Some(20.0));
        assert_eq!((s.share_led_by(7), s.share_led_by(11)), (1.0, 0.5));
        // A warning 50 days ahead is false and does not detect the event.
        let s = score_ward(&w, &[d(10)], 0);
        assert_eq!((s.detected, s.false_warnings), (0, 1));
    }
}
