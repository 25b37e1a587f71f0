//! Demand: how many people a ward is asked to take per day.
//!
//! A2 of the reliability reference: count everyone routed to the ward over the last 56
//! days (diverted people included), leave out the Lebaran surge window and multiply it back
//! by a factor learned from earlier years, and shrink towards a prior, the ward's own rate
//! over the year before those 56 days (Gamma–Poisson: λ = (k + α) / (T + β)). That is the
//! ward's *usual* rate; whether demand has just moved away from it is `change`'s question,
//! and surges announced ahead (Satpol PP raids) replace the calendar's factor on their days.
use chrono::{Datelike, Duration, NaiveDate};

use super::change::{self, ChangeConfig, Regime};

/// Idul Fitri (1 Syawal) as observed in Indonesia. The government date may differ from
/// this table by a day; the surge window is weeks long, so that does not matter.
const EID_AL_FITR: [(i32, u32, u32); 11] = [
    (2020, 5, 24),
    (2021, 5, 13),
    (2022, 5, 2),
    (2023, 4, 22),
    (2024, 4, 10),
    (2025, 3, 31),
    (2026, 3, 20),
    (2027, 3, 10),
    (2028, 2, 27),
    (2029, 2, 14),
    (2030, 2, 5),
];

/// The surge runs from 30 days before Lebaran (Ramadan, the journey home) to 14 days after
/// (people stranded on the way back): 45 days, as in the reference's backtest.
pub const SURGE_BEFORE: i64 = 30;
pub const SURGE_AFTER: i64 = 14;

/// Idul Fitri of a year, if the table covers it.
pub fn eid(year: i32) -> Option<NaiveDate> {
    EID_AL_FITR
        .iter()
        .find(|e| e.0 == year)
        .and_then(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

/// Whether a day falls in a Lebaran surge window.
pub fn in_surge(day: NaiveDate) -> bool {
    [day.year() - 1, day.year(), day.year() + 1]
        .into_iter()
        .filter_map(eid)
        .any(|e| {
            let k = (day - e).num_days();
            (-SURGE_BEFORE..=SURGE_AFTER).contains(&k)
        })
}

/// A surge said ahead: from `from` to `to` (inclusive) demand is expected at `factor` times
/// the usual (a raid operation Satpol PP announce before Lebaran, Christmas or 17 August).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Announced {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub factor: f64,
}

/// How λ is estimated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemandConfig {
    /// Days of recent demand counted.
    pub window_days: usize,
    /// Prior mean rate (arrivals per day); `None`: the ward's own rate over the last year.
    pub prior_rate: Option<f64>,
    /// Weight of the prior, in days of data (β), at the least. 56: the prior weighs as much
    /// as the window, which pulls a rate read off a few busy weeks back toward the ward's year
    /// (on the tuning seeds it gave a lower Brier score than 14).
    pub prior_days: f64,
    /// Weight of the prior in arrivals (α), at the least. How far a ward's rate strays from
    /// its year is a relative matter, so a quiet ward needs more days of prior than a busy
    /// one: with 56 days alone, a long-stay ward's prior stood for 14 arrivals, and its rate
    /// after a few busy weeks came out 20 % above what followed (docs/capacity.md).
    pub prior_arrivals: f64,
    /// The most the posterior's shape may count, in arrivals. The rate drifts, so however long
    /// the history and however heavy the prior, the rate of the weeks ahead is never known
    /// better than this many arrivals would tell (20: a coefficient of variation of at least
    /// 0.22). Without the cap, long-stay wards' forecasts near full were over-confident
    /// (docs/capacity.md, "The backtest gate").
    pub max_shape: f64,
    /// Used when no earlier Lebaran is in the history.
    pub default_surge_factor: f64,
    /// Whether, and how, to look for a recent change of the rate (`change`); `None`: the
    /// usual rate is the rate. On by default since 2026-12-07 with a change every 15 days
    /// a priori (issue 28: on the tuning seeds of the independent generators it tied the
    /// best worst-generator figure with the usual rate alone and had the better next-worst;
    /// docs/capacity.md, "Issue 28").
    pub change: Option<ChangeConfig>,
}

impl Default for DemandConfig {
    fn default() -> Self {
        DemandConfig {
            window_days: 56,
            prior_rate: None,
            prior_days: 56.0,
            prior_arrivals: 112.0,
            max_shape: 20.0,
            default_surge_factor: 1.0,
            change: Some(ChangeConfig {
                hazard: 1.0 / 15.0,
                ..ChangeConfig::default()
            }),
        }
    }
}

/// The estimated demand: a base daily rate, how sure we are of it, and the surge multiplier.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Demand {
    /// The posterior mean of λ, (k + α) / (T + β): the ward's usual rate.
    pub base_rate: f64,
    /// The posterior's Gamma shape k + α, capped at `DemandConfig::max_shape`: the forecast
    /// draws each path's rate as `base_rate` times a Gamma(shape, mean 1) multiple, whose
    /// coefficient of variation is 1/√shape.
    pub shape: f64,
    pub surge_factor: f64,
    /// The current regime's rate when a change is looked for (`change::regimes`); empty:
    /// the usual rate with `shape`.
    pub regimes: Vec<Regime>,
    /// Chance of a change on each day ahead, and the shape of a new regime's rate around
    /// the usual one (0: none).
    pub hazard: f64,
    pub prior_shape: f64,
    /// Surges announced ahead.
    pub announced: Vec<Announced>,
}

impl Demand {
    /// The calendar's factor on a day: an announced surge's, else the Lebaran factor in its
    /// window, else 1.
    pub fn factor_on(&self, day: NaiveDate) -> f64 {
        let said = (self.announced.iter())
            .filter(|a| a.from <= day && day <= a.to)
            .map(|a| a.factor)
            .fold(None, |m: Option<f64>, f| Some(m.map_or(f, |m| m.max(f))));
        match said {
            Some(f) => f,
            None if in_surge(day) => self.surge_factor,
            None => 1.0,
        }
    }

    /// Expected arrivals on a day at the usual rate.
    pub fn rate_on(&self, day: NaiveDate) -> f64 {
        self.base_rate * self.factor_on(day)
    }

    /// The expected rate today at calendar factor 1: the usual rate, or the mean of the
    /// current regime's posterior.
    pub fn current_rate(&self) -> f64 {
        if self.regimes.is_empty() {
            self.base_rate
        } else {
            self.regimes.iter().map(|r| r.weight * r.mean).sum()
        }
    }
}

/// Estimates demand from daily counts `arrivals` (oldest first), the last of which is
/// `today`, knowing the surges `announced`.
pub fn estimate(
    arrivals: &[u32],
    today: NaiveDate,
    announced: &[Announced],
    cfg: &DemandConfig,
) -> Demand {
    // Surge flags for the days in the history, from a few date ranges (this runs for every
    // ward every day of a replay, so no date arithmetic per day).
    let first = today - Duration::days(arrivals.len() as i64 - 1);
    let windows: Vec<(i64, i64)> = (first.year() - 1..=today.year() + 1)
        .filter_map(eid)
        .map(|e| {
            (
                (e - first).num_days() - SURGE_BEFORE,
                (e - first).num_days() + SURGE_AFTER,
            )
        })
        .collect();
    let said: Vec<(i64, i64)> = (announced.iter())
        .map(|a| ((a.from - first).num_days(), (a.to - first).num_days()))
        .collect();
    let surge = |i: usize| {
        let i = i as i64;
        (windows.iter().chain(&said)).any(|&(a, b)| (a..=b).contains(&i))
    };
    let sum_normal = |from: usize, to: usize| {
        (from..to)
            .filter(|&i| !surge(i))
            .fold((0.0, 0.0), |(k, t), i| (k + arrivals[i] as f64, t + 1.0))
    };
    let surge_factor = surge_factor(arrivals, today).unwrap_or(cfg.default_surge_factor);
    let n = arrivals.len();
    let window_start = n.saturating_sub(cfg.window_days);
    let (k, t) = sum_normal(window_start, n);
    let prior = cfg.prior_rate.unwrap_or_else(|| {
        // The year before the window: a prior that also held the window's weeks would count
        // them twice. A short history (under four weeks before the window) takes its year.
        let before = sum_normal(window_start.saturating_sub(365), window_start);
        let (k, t) = if before.1 >= 28.0 {
            before
        } else {
            sum_normal(n.saturating_sub(365), n)
        };
        if t > 0.0 {
            k / t
        } else {
            // Only surge days known: take them back to normal.
            let n = arrivals.len().max(1) as f64;
            arrivals.iter().map(|&a| a as f64).sum::<f64>() / n / surge_factor
        }
    });
    let weight = if prior > 0.0 {
        cfg.prior_days.max(cfg.prior_arrivals / prior)
    } else {
        cfg.prior_days
    };
    let alpha = prior * weight;
    let base_rate = (k + alpha) / (t + weight);
    let mut demand = Demand {
        base_rate,
        shape: (k + alpha).min(cfg.max_shape),
        surge_factor,
        announced: announced.to_vec(),
        ..Demand::default()
    };
    if let Some(c) = &cfg.change {
        let recent = c.window.min(n);
        let factor: Vec<f64> = (n - recent..n)
            .map(|i| demand.factor_on(first + Duration::days(i as i64)))
            .collect();
        demand.regimes = change::regimes(&arrivals[n - recent..], &factor, base_rate, c);
        demand.hazard = c.hazard;
        demand.prior_shape = c.prior_shape;
    }
    demand
}

/// The surge factor learnt from earlier years in the history: demand in past surge windows
/// divided by demand in the 56 days before each. `None` when no complete window is known.
fn surge_factor(arrivals: &[u32], today: NaiveDate) -> Option<f64> {
    let first = today - Duration::days(arrivals.len() as i64 - 1);
    let count = |from: NaiveDate, to: NaiveDate| -> f64 {
        let a = (from - first).num_days();
        let b = (to - first).num_days();
        (a.max(0)..=b.min(arrivals.len() as i64 - 1))
            .map(|i| arrivals[i as usize] as f64)
            .sum()
    };
    let (mut surge, mut normal) = (0.0, 0.0);
    for year in first.year()..=today.year() {
        let Some(e) = eid(year) else { continue };
        let (start, end) = (
            e - Duration::days(SURGE_BEFORE),
            e + Duration::days(SURGE_AFTER),
        );
        let before = start - Duration::days(56);
        if before < first || end >= today {
            continue;
        }
        surge += count(start, end) / (SURGE_BEFORE + SURGE_AFTER + 1) as f64;
        normal += count(before, start - Duration::days(1)) / 56.0;
    }
    // Little data makes wild ratios; keep the factor in a plausible range.
    (normal > 0.0).then(|| (surge / normal).clamp(0.5, 3.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_surge_window_surrounds_lebaran() {
        assert!(in_surge(d(2026, 3, 20)));
        assert!(in_surge(d(2026, 2, 18)));
        assert!(!in_surge(d(2026, 2, 17)));
        assert!(in_surge(d(2026, 4, 3)));
        assert!(!in_surge(d(2026, 4, 4)));
        assert!(!in_surge(d(2026, 11, 23)));
    }

    #[test]
    fn a_long_steady_history_gives_its_own_rate() {
        let today = d(2026, 11, 23);
        let arrivals = vec![2u32; 400];
        let demand = estimate(&arrivals, today, &[], &DemandConfig::default());
        assert!((demand.base_rate - 2.0).abs() < 1e-9);
    }

    #[test]
    fn little_history_is_shrunk_toward_the_prior() {
        let today = d(2026, 11, 23);
        let cfg = DemandConfig {
            prior_rate: Some(1.0),
            prior_days: 14.0,
            prior_arrivals: 0.0,
            ..DemandConfig::default()
        };
        // 7 days at 3/day, prior 1/day with 14 days' weight: (21 + 14) / (7 + 14).
        let demand = estimate(&[3; 7], today, &[], &cfg);
        assert!((demand.base_rate - 35.0 / 21.0).abs() < 1e-9);
        // The posterior's shape counts the arrivals and the prior's pseudo-arrivals, up to
        // the cap.
        assert!((demand.shape - 20.0).abs() < 1e-9);
        let uncapped = DemandConfig {
            max_shape: f64::INFINITY,
            ..cfg
        };
        assert!((estimate(&[3; 7], today, &[], &uncapped).shape - 35.0).abs() < 1e-9);
    }

    #[test]
    fn a_quiet_ward_is_shrunk_by_arrivals_toward_the_year_before_the_window() {
        let today = d(2026, 11, 23);
        // A year at 1 a day (its Lebaran weeks left out), then 56 days at 3 a day.
        let arrivals: Vec<u32> = (0..400).map(|i| if i < 344 { 1 } else { 3 }).collect();
        let demand = estimate(&arrivals, today, &[], &DemandConfig::default());
        // Prior 1 a day, weighing 112 arrivals = 112 days (more than 56):
        // (56·3 + 112) / (56 + 112).
        assert!(
            (demand.base_rate - 280.0 / 168.0).abs() < 1e-9,
            "{demand:?}"
        );
        assert!((demand.shape - 20.0).abs() < 1e-9);
        // A busy ward's prior weighs its 56 days: 10 a day, then 20.
        let busy: Vec<u32> = (0..400).map(|i| if i < 344 { 10 } else { 20 }).collect();
        let demand = estimate(&busy, today, &[], &DemandConfig::default());
        assert!((demand.base_rate - 15.0).abs() < 1e-9, "{demand:?}");
    }

    #[test]
    fn the_surge_factor_is_learnt_from_last_year() {
        let today = d(2026, 11, 23);
        let n = 700;
        let first = today - Duration::days(n - 1);
        let arrivals: Vec<u32> = (0..n)
            .map(|i| {
                if in_surge(first + Duration::days(i)) {
                    4
                } else {
                    2
                }
            })
            .collect();
        let demand = estimate(&arrivals, today, &[], &DemandConfig::default());
        assert!((demand.surge_factor - 2.0).abs() < 1e-9);
        assert!((demand.rate_on(d(2027, 3, 1)) - 4.0).abs() < 1e-9);
    }
}
