//! The forecast backtest gate (checklist row 15; the targets are those of §A5 of the
//! reliability reference). The daily forecast and its alerts are replayed over generated
//! histories the threshold search never saw, the wards split into the reference's two
//! scenarios — long-stay wards (A) and transit wards (B) — and each scenario is held to every
//! target. `cargo test` runs it on the held-out seeds and fails on any miss
//! (`tests::the_held_out_seeds_meet_every_target_in_both_scenarios`); the capacity benchmark
//! prints the same figures beside the baselines.
//!
//! Where §A5 speaks of a shelter, the unit here is a ward: the thing with one capacity that
//! fills, and the unit the alerts are about.
use std::fmt;

use chrono::Duration;
use rayon::prelude::*;

use super::history::WardSeries;
use super::replay::{self, AlertRow, WardAlerts};
use super::score::{self, Score};
use super::synth::{self, SynthConfig};
use crate::capacity::engine::alert::{Level, Thresholds};
use crate::capacity::engine::forecast::{Forecast, ForecastConfig};

/// Days at the start of each ward that are not scored: the forecast needs some history.
pub const WARM_UP: i64 = 90;
/// Seeds of the generator that the threshold search (seeds 1–4) never saw.
pub const HELD_OUT: [u64; 2] = [101, 102];
/// The horizon whose probability is judged for calibration.
const CALIBRATED: u32 = 14;
/// Reliability bins of §A5, and the fewest days a bin needs to be judged.
const BIN_EDGES: [f64; 7] = [0.0, 0.05, 0.2, 0.4, 0.6, 0.8, 1.0];
const MIN_BIN_DAYS: usize = 50;

#[derive(Debug, Clone, Copy)]
pub struct Targets {
    /// Fill events with a true warning at least 7 days before them.
    pub recall_7d: f64,
    pub median_lead_days: f64,
    /// Warning and critical notices followed by a fill within 45 days.
    pub precision: f64,
    /// WARNING notices (raised, or escalated to) per ward per month.
    pub warning_notices_per_ward_month: f64,
    /// Brier skill of P14 against the base rate.
    pub brier_skill: f64,
    /// The largest gap between forecast and observed frequency in a judged bin.
    pub reliability_gap: f64,
    /// Bounds on the share of days whose free beds 7 days ahead fall inside the 80 % interval.
    pub coverage_80: (f64, f64),
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            recall_7d: 0.75,
            median_lead_days: 14.0,
            precision: 0.6,
            warning_notices_per_ward_month: 0.5,
            brier_skill: 0.3,
            reliability_gap: 0.10,
            coverage_80: (0.75, 0.85),
        }
    }
}

/// Every ward's daily forecasts with all paths, as the daily job computes them (the
/// replay's early stop raises the same alerts, tested in `replay`, but the probabilities of
/// settled days rest on fewer paths). Independent of the alert thresholds, so one set of
/// forecasts serves any number of them.
pub fn forecasts(wards: &[WardSeries]) -> Vec<Vec<Forecast>> {
    forecasts_with(wards, &ForecastConfig::default())
}

/// `forecasts` under another model (the tuning search checks candidates against the gate).
pub fn forecasts_with(wards: &[WardSeries], cfg: &ForecastConfig) -> Vec<Vec<Forecast>> {
    let cfg = ForecastConfig {
        stop: None,
        free_beds: true,
        ..*cfg
    };
    wards
        .par_iter()
        .map(|w| {
            let mut out = Vec::with_capacity(w.days.len());
            replay::replay_ward(w, &cfg, &Thresholds::default(), |_, f| out.push(f.clone()));
            out
        })
        .collect()
}

/// The alert rows the forecasts raise under `th`.
pub fn alert_rows(wards: &[WardSeries], days: &[Vec<Forecast>], th: &Thresholds) -> Vec<AlertRow> {
    let mut rows = Vec::new();
    for (w, fs) in wards.iter().zip(days) {
        let mut a = WardAlerts::new(w, *th);
        for (row, f) in w.days.iter().zip(fs) {
            a.step(row, f);
        }
        rows.extend(a.rows);
    }
    rows
}

/// One reliability bin: the days whose forecast fell in `[low, high)` (the last bin closed).
#[derive(Debug, Clone)]
pub struct Bin {
    pub low: f64,
    pub high: f64,
    pub days: usize,
    pub forecast: f64,
    pub observed: f64,
}

impl Bin {
    pub fn gap(&self) -> f64 {
        (self.forecast - self.observed).abs()
    }
}

/// How well P14 ("full on some day of the next 14") matched what happened, over every
/// scored day on which the ward was not already full (that forecast is trivially 1).
#[derive(Debug, Clone)]
pub struct Calibration {
    pub days: usize,
    pub base_rate: f64,
    pub brier: f64,
    pub brier_skill: f64,
    /// Share of days whose free beds 7 days later fell inside the 80 % interval (`None`
    /// when the forecasts carry no intervals).
    pub coverage_80: Option<f64>,
    pub bins: Vec<Bin>,
}

/// Calibration over the wards `which`, with reliability bins cut at `edges`.
pub fn calibration(
    wards: &[WardSeries],
    days: &[Vec<Forecast>],
    which: &[usize],
    edges: &[f64],
) -> Calibration {
    let h = CALIBRATED as usize;
    let mut pairs = Vec::new();
    let (mut covered, mut judged) = (0usize, 0usize);
    for &i in which {
        let (d, fs) = (&wards[i].days, &days[i]);
        for t in WARM_UP as usize..d.len().saturating_sub(h) {
            if d[t].occupancy >= d[t].capacity {
                continue;
            }
            let full = d[t + 1..=t + h].iter().any(|r| r.occupancy >= r.capacity);
            pairs.push((fs[t].p(CALIBRATED), if full { 1.0 } else { 0.0 }));
            if let Some(iv) = fs[t].free_beds.get(6) {
                let free7 = d[t + 7].capacity - d[t + 7].occupancy;
                covered += (iv.low <= free7 && free7 <= iv.high) as usize;
                judged += 1;
            }
        }
    }
    let n = pairs.len().max(1) as f64;
    let base_rate = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let brier = pairs.iter().map(|(p, o)| (p - o).powi(2)).sum::<f64>() / n;
    let bins = (edges.windows(2).enumerate())
        .map(|(k, e)| {
            let last = k + 2 == edges.len();
            let inside: Vec<&(f64, f64)> = (pairs.iter())
                .filter(|(p, _)| *p >= e[0] && (*p < e[1] || (last && *p <= e[1])))
                .collect();
            let m = inside.len().max(1) as f64;
            Bin {
                low: e[0],
                high: e[1],
                days: inside.len(),
                forecast: inside.iter().map(|p| p.0).sum::<f64>() / m,
                observed: inside.iter().map(|p| p.1).sum::<f64>() / m,
            }
        })
        .collect();
    Calibration {
        days: pairs.len(),
        base_rate,
        brier,
        brier_skill: 1.0 - brier / (base_rate * (1.0 - base_rate)),
        coverage_80: (judged > 0).then(|| covered as f64 / judged as f64),
        bins,
    }
}

/// What the alerts did over a group of wards (threshold-dependent; the calibration is not).
#[derive(Debug, Clone)]
pub struct Alerting {
    pub score: Score,
    pub warning_notices: usize,
    pub ward_months: f64,
}

impl Alerting {
    pub fn recall_7d(&self) -> f64 {
        self.score.share_led_by(7)
    }

    pub fn warning_notices_per_ward_month(&self) -> f64 {
        self.warning_notices as f64 / self.ward_months.max(1e-9)
    }

    /// The alert targets missed (the threshold search keeps to settings without any).
    pub fn misses(&self, t: &Targets) -> Vec<Miss> {
        let lead = self.score.median_lead().unwrap_or(0.0);
        [
            Miss::of(
                "recall at 7 days".into(),
                self.recall_7d(),
                t.recall_7d,
                true,
            ),
            Miss::of("median lead (days)".into(), lead, t.median_lead_days, true),
            Miss::of(
                "precision".into(),
                self.score.precision(),
                t.precision,
                true,
            ),
            Miss::of(
                "WARNING notices per ward-month".into(),
                self.warning_notices_per_ward_month(),
                t.warning_notices_per_ward_month,
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// The gate's figures for one group of wards.
#[derive(Debug, Clone)]
pub struct Figures {
    pub wards: usize,
    pub alerting: Alerting,
    pub calibration: Calibration,
}

impl Figures {
    /// Each target missed; empty when all are met.
    pub fn misses(&self, t: &Targets) -> Vec<Miss> {
        let mut out = self.alerting.misses(t);
        out.extend(Miss::of(
            "Brier skill".into(),
            self.calibration.brier_skill,
            t.brier_skill,
            true,
        ));
        if let Some(cov) = self.calibration.coverage_80 {
            let name = || "80 % interval coverage at 7 days".to_string();
            out.extend(Miss::of(name(), cov, t.coverage_80.0, true));
            out.extend(Miss::of(name(), cov, t.coverage_80.1, false));
        }
        for b in (self.calibration.bins.iter()).filter(|b| b.days >= MIN_BIN_DAYS) {
            out.extend(Miss::of(
                format!("P14 {:.2}–{:.2} forecast − observed", b.low, b.high),
                b.gap(),
                t.reliability_gap,
                false,
            ));
        }
        out
    }
}

/// A target missed.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    pub figure: String,
    pub got: f64,
    pub target: f64,
    pub higher_is_better: bool,
}

impl Miss {
    /// A miss when `got` is on the wrong side of `target` (or not a number).
    fn of(figure: String, got: f64, target: f64, higher_is_better: bool) -> Option<Miss> {
        let met = if higher_is_better {
            got >= target
        } else {
            got <= target
        };
        (!met).then_some(Miss {
            figure,
            got,
            target,
            higher_is_better,
        })
    }
}

impl fmt::Display for Miss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let need = if self.higher_is_better { "≥" } else { "≤" };
        write!(
            f,
            "{} {:.3}, target {need} {}",
            self.figure, self.got, self.target
        )
    }
}

/// What the alerts in `rows` did over the wards `which`.
pub fn alerting(wards: &[WardSeries], rows: &[AlertRow], which: &[usize]) -> Alerting {
    let mut a = Alerting {
        score: Score::default(),
        warning_notices: 0,
        ward_months: 0.0,
    };
    for &i in which {
        let w = &wards[i];
        let own: Vec<&AlertRow> = (rows.iter())
            .filter(|r| r.upt == w.upt && r.ward == w.ward)
            .collect();
        let mut warned: Vec<_> = (own.iter())
            .filter(|r| matches!(r.level, Level::Warning | Level::Critical))
            .map(|r| r.date)
            .collect();
        warned.sort_unstable();
        a.score.add(&score::score_ward(w, &warned, WARM_UP));
        let (Some(first), Some(last)) = (w.days.first(), w.days.last()) else {
            continue;
        };
        let start = first.date + Duration::days(WARM_UP);
        a.warning_notices += (own.iter())
            .filter(|r| r.level == Level::Warning && r.date >= start)
            .count();
        a.ward_months += ((last.date - start).num_days() + 1).max(0) as f64 / (365.25 / 12.0);
    }
    a
}

/// The gate's figures over the wards `which`.
pub fn figures(
    wards: &[WardSeries],
    days: &[Vec<Forecast>],
    rows: &[AlertRow],
    which: &[usize],
) -> Figures {
    Figures {
        wards: which.len(),
        alerting: alerting(wards, rows, which),
        calibration: calibration(wards, days, which, &BIN_EDGES),
    }
}

impl fmt::Display for Figures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, c, t) = (&self.alerting, &self.calibration, Targets::default());
        let s = &a.score;
        writeln!(f, "| figure | value | target |")?;
        writeln!(f, "| --- | --- | --- |")?;
        writeln!(
            f,
            "| recall at 7 days | {:.2} ({} of {} fills) | ≥ {} |",
            a.recall_7d(),
            s.lead_times.iter().filter(|&&l| l >= 7).count(),
            s.events,
            t.recall_7d
        )?;
        let lead = s.median_lead().map_or("–".into(), |m| format!("{m:.0}"));
        writeln!(
            f,
            "| median lead, days | {lead} | ≥ {} |",
            t.median_lead_days
        )?;
        writeln!(
            f,
            "| precision of warning and critical notices | {:.2} ({} judged) | ≥ {} |",
            s.precision(),
            s.warnings,
            t.precision
        )?;
        writeln!(
            f,
            "| WARNING notices per ward-month | {:.2} ({} over {:.0}) | ≤ {} |",
            a.warning_notices_per_ward_month(),
            a.warning_notices,
            a.ward_months,
            t.warning_notices_per_ward_month
        )?;
        writeln!(
            f,
            "| Brier skill of P14 | {:.2} (base rate {:.3} over {} ward-days) | ≥ {} |",
            c.brier_skill, c.base_rate, c.days, t.brier_skill
        )?;
        if let Some(cov) = c.coverage_80 {
            writeln!(
                f,
                "| 80 % interval of free beds 7 days ahead: days covered | {cov:.2} | {}–{} |",
                t.coverage_80.0, t.coverage_80.1
            )?;
        }
        for b in &c.bins {
            writeln!(
                f,
                "| P14 {:.2}–{:.2}: forecast → observed | {:.3} → {:.3} ({} days) | ±{}{} |",
                b.low,
                b.high,
                b.forecast,
                b.observed,
                b.days,
                t.reliability_gap,
                if b.days < MIN_BIN_DAYS {
                    ", too few days to judge"
                } else {
                    ""
                }
            )?;
        }
        Ok(())
    }
}

/// Generated wards of several seeds, renamed apart (every seed names its UPTs alike), and
/// whether each is a long-stay ward.
pub fn generated(seeds: &[u64], cfg: SynthConfig) -> (Vec<WardSeries>, Vec<bool>) {
    let (mut wards, mut long) = (Vec::new(), Vec::new());
    for &seed in seeds {
        let set = synth::generate(&SynthConfig { seed, ..cfg });
        wards.extend(set.wards.into_iter().map(|mut w| {
            w.upt = format!("S{seed}-{}", w.upt);
            w
        }));
        long.extend(set.long_stay);
    }
    (wards, long)
}

/// The wards of each scenario: A, long-stay wards, and B, transit wards.
pub fn scenarios(long_stay: &[bool]) -> [(&'static str, Vec<usize>); 2] {
    let pick = |long: bool| {
        (0..long_stay.len())
            .filter(|&i| long_stay[i] == long)
            .collect()
    };
    [
        ("A (long-stay wards)", pick(true)),
        ("B (transit wards)", pick(false)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The gate itself: about a minute of a debug build on two cores.
    #[test]
    fn the_held_out_seeds_meet_every_target_in_both_scenarios() {
        let (wards, long) = generated(&HELD_OUT, SynthConfig::default());
        let days = forecasts(&wards);
        let rows = alert_rows(&wards, &days, &Thresholds::default());
        let mut wrong = Vec::new();
        for (name, which) in scenarios(&long) {
            let f = figures(&wards, &days, &rows, &which);
            println!("scenario {name}, {} wards\n{f}", f.wards);
            // Enough to judge: every §A5 bin and hundreds of fills in each scenario.
            assert!(f.alerting.score.events >= 300, "{name}: {f}");
            assert!(
                f.calibration.bins.iter().all(|b| b.days >= MIN_BIN_DAYS),
                "{name}:\n{f}"
            );
            assert!(f.calibration.coverage_80.is_some(), "{name}: no intervals");
            let misses = f.misses(&Targets::default());
            wrong.extend(misses.iter().map(|m| format!("{name}: {m}")));
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    /// A rule that warns only when a fill is all but certain misses the lead targets, and
    /// the gate says so: it can fail.
    #[test]
    fn a_late_warning_rule_fails_the_gate() {
        let cfg = SynthConfig {
            upts: 4,
            days: 500,
            ..SynthConfig::default()
        };
        let (wards, _) = generated(&[7], cfg);
        let days = forecasts(&wards);
        let late = Thresholds {
            lead_days: 3,
            warning_fire: 0.99,
            warning_release: 0.9,
            critical_fire: 0.99,
            critical_release: 0.9,
            critical_free_beds: 0,
            ..Thresholds::default()
        };
        let all: Vec<usize> = (0..wards.len()).collect();
        let f = figures(&wards, &days, &alert_rows(&wards, &days, &late), &all);
        assert!(f.alerting.score.events >= 5, "{f}");
        let missed: Vec<String> = (f.misses(&Targets::default()).iter())
            .map(|m| m.figure.clone())
            .collect();
        assert!(missed.contains(&"recall at 7 days".into()), "{missed:?}");
        assert!(missed.contains(&"median lead (days)".into()), "{missed:?}");
        // The same forecasts with the tuned rule pass those two.
        let f = figures(
            &wards,
            &days,
            &alert_rows(&wards, &days, &Thresholds::default()),
            &all,
        );
        let missed = f.misses(&Targets::default());
        assert!(
            missed.iter().all(|m| !m.figure.starts_with("median lead")),
            "{missed:?}\n{f}"
        );
    }

    #[test]
    fn calibration_by_hand() {
        use crate::capacity::backtest::history::DayRow;
        // A ward that is full on day 100 only; P14 = 0.5 every day.
        let d0 = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let w = WardSeries {
            upt: "A".into(),
            ward: String::new(),
            days: (0..130)
                .map(|i| DayRow {
                    date: d0 + Duration::days(i),
                    capacity: 10,
                    occupancy: if i == 100 { 10 } else { 9 },
                    admissions: 0,
                    discharges: 0,
                    turned_away: 0,
                })
                .collect(),
        };
        let f = Forecast {
            p_within: vec![0.5; 30],
            days_to_full: None,
            free_beds: Vec::new(),
            demand: Default::default(),
            paths: 1,
        };
        let c = calibration(
            std::slice::from_ref(&w),
            &[vec![f.clone(); 130]],
            &[0],
            &BIN_EDGES,
        );
        // Days 90..116 are judged, less the full day 100: 25 days, of which 90..=99 (10)
        // see the fill within the next 14 days.
        assert_eq!(c.days, 25);
        assert!((c.base_rate - 10.0 / 25.0).abs() < 1e-12);
        assert!((c.brier - 0.25).abs() < 1e-12);
        // A constant 0.5 is worse than the base rate: negative skill.
        assert!(c.brier_skill < 0.0);
        assert_eq!(c.bins[3].days, 25);
        assert!((c.bins[3].gap() - 0.1).abs() < 1e-12);
        assert_eq!(c.coverage_80, None);

        // With an interval of exactly one free bed: every judged day but day 93 (whose day
        // 7 ahead is the full day) is covered, 24 of 25, above the target's 0.85.
        let one = crate::capacity::engine::forecast::FreeBeds {
            mean: 1.0,
            low: 1,
            high: 1,
        };
        let f = Forecast {
            free_beds: vec![one; 30],
            ..f
        };
        let c = calibration(&[w], &[vec![f; 130]], &[0], &BIN_EDGES);
        assert!((c.coverage_80.unwrap() - 24.0 / 25.0).abs() < 1e-12);
        let figures = Figures {
            wards: 1,
            alerting: Alerting {
                score: Score::default(),
                warning_notices: 0,
                ward_months: 1.0,
            },
            calibration: c,
        };
        let over: Vec<Miss> = (figures.misses(&Targets::default()).into_iter())
            .filter(|m| m.figure.starts_with("80 % interval"))
            .collect();
        assert_eq!(over.len(), 1, "{over:?}");
        assert!(!over[0].higher_is_better && over[0].target == 0.85);
    }
}
