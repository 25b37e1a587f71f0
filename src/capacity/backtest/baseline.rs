//! The two simple rules the forecast must beat (issue 7), replayed the same way: each day
//! sees only the days up to it. Both get the same alert handling as the forecast's alerts
//! (release after 3 calm runs, closed by a fill and re-armed after the same runs with a free
//! bed), so the comparison is about the signal, not the debouncing; the benchmark also shows
//! them with the release alone (a fill leaves their warning open), as they were first scored.
use super::history::WardSeries;
use super::replay::AlertRow;
use crate::capacity::engine::alert::Level;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Baseline {
    /// Warn when occupancy reaches this share of capacity (0.9 in the issue).
    Static { share: f64 },
    /// Fit a straight line to the last `window` days of occupancy and warn when it reaches
    /// capacity within `ahead` days (Prometheus `predict_linear`).
    Linear { window: usize, ahead: f64 },
}

impl Baseline {
    pub fn name(&self) -> String {
        match self {
            Baseline::Static { share } => format!("fixed {:.0} %", share * 100.0),
            Baseline::Linear { window, ahead } => format!("linear {window} d → {ahead} d"),
        }
    }

    /// Whether the rule fires on day `t`, from days `..=t` only.
    fn fires(&self, w: &WardSeries, t: usize) -> bool {
        let today = &w.days[t];
        let cap = today.capacity as f64;
        match *self {
            Baseline::Static { share } => today.occupancy as f64 >= share * cap,
            Baseline::Linear { window, ahead } => {
                let from = (t + 1).saturating_sub(window);
                let ys: Vec<f64> = (w.days[from..=t].iter())
                    .map(|d| d.occupancy as f64)
                    .collect();
                let n = ys.len() as f64;
                if ys.len() < 2 {
                    return today.occupancy >= today.capacity;
                }
                let mx = (n - 1.0) / 2.0;
                let my = ys.iter().sum::<f64>() / n;
                let (mut sxy, mut sxx) = (0.0, 0.0);
                for (i, y) in ys.iter().enumerate() {
                    sxy += (i as f64 - mx) * (y - my);
                    sxx += (i as f64 - mx).powi(2);
                }
                let slope = sxy / sxx;
                my + slope * ((n - 1.0 - mx) + ahead) >= cap
            }
        }
    }
}

/// Warning rows the rule raises over a ward's history: released after `release_runs` calm
/// runs and, with `rearm_runs`, closed by a fill and allowed to open again only after that
/// many runs with a free bed (the forecast's alert handling, see `alert::Thresholds`).
/// Without, a fill leaves an open warning open.
pub fn replay_ward(
    w: &WardSeries,
    rule: Baseline,
    release_runs: u32,
    rearm_runs: Option<u32>,
) -> Vec<AlertRow> {
    let mut open = false;
    let mut calm = 0;
    // Runs with a free bed since the last full day (none yet: no fill to re-arm from).
    let mut free_runs = u32::MAX;
    let mut rows = Vec::new();
    for t in 0..w.days.len() {
        let day = &w.days[t];
        if rearm_runs.is_some() && day.occupancy >= day.capacity {
            open = false;
            free_runs = 0;
            continue;
        }
        free_runs = free_runs.saturating_add(1);
        let fires = rule.fires(w, t);
        if open {
            calm = if fires { 0 } else { calm + 1 };
            if calm >= release_runs {
                open = false;
            }
        } else if fires && free_runs >= rearm_runs.unwrap_or(0) {
            open = true;
            calm = 0;
            rows.push(AlertRow {
                date: day.date,
                upt: w.upt.clone(),
                ward: w.ward.clone(),
                level: Level::Warning,
                days_to_full: None,
                probability: 1.0,
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capacity::backtest::history::DayRow;
    use chrono::{Duration, NaiveDate};

    fn ward(occ: &[u32]) -> WardSeries {
        let d0 = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        WardSeries {
            upt: "A".into(),
            ward: "L".into(),
            days: (occ.iter().enumerate())
                .map(|(i, &o)| DayRow {
                    date: d0 + Duration::days(i as i64),
                    capacity: 20,
                    occupancy: o,
                    admissions: 0,
                    discharges: 0,
                    turned_away: 0,
                })
                .collect(),
        }
    }

    #[test]
    fn the_static_rule_fires_at_ninety_percent_with_hysteresis() {
        let w = ward(&[10, 18, 17, 18, 10, 10, 10, 18]);
        let rows = replay_ward(&w, Baseline::Static { share: 0.9 }, 3, None);
        let days: Vec<i64> = (rows.iter())
            .map(|r| (r.date - w.days[0].date).num_days())
            .collect();
        assert_eq!(days, [1, 7]);
        // A fill closes the warning; it opens again on the third run with a free bed.
        let w = ward(&[10, 18, 20, 19, 19, 19, 19]);
        let rows = replay_ward(&w, Baseline::Static { share: 0.9 }, 3, Some(3));
        let days: Vec<i64> = (rows.iter())
            .map(|r| (r.date - w.days[0].date).num_days())
            .collect();
        assert_eq!(days, [1, 5]);
        assert_eq!(
            replay_ward(&w, Baseline::Static { share: 0.9 }, 3, None).len(),
            1
        );
    }

    #[test]
    fn the_linear_rule_sees_a_rising_trend_coming() {
        let occ: Vec<u32> = (0..14).map(|i| i / 2).collect(); // +0.5 a day, at 6 of 20
        let w = ward(&occ);
        let far = Baseline::Linear {
            window: 14,
            ahead: 14.0,
        };
        let farther = Baseline::Linear {
            window: 14,
            ahead: 30.0,
        };
        assert!(replay_ward(&w, far, 3, None).is_empty());
        assert_eq!(replay_ward(&w, farther, 3, None).len(), 1);
    }
}
