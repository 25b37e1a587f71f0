//! Daily histories from generators written apart from the forecast (issue 28), each with
//! what a history cannot show: the true expected demand of every day and the true law of
//! stays, so that the known-rates ceiling (`backtest::ceiling`) can be computed on the very
//! same wards.
//!
//! The generators differ in structure, not in settings: each has its own arrival process,
//! stay law and events (`surges`: unannounced surges of 1.5–3× for 10–40 days; `raids`:
//! Satpol PP raids in batches before Lebaran, Christmas and 17 August, Lebaran on the Hijri
//! calendar; `trends`: drifting log-linear trends, a weekly pattern and relief transfers after
//! a week full; `seasons`: a yearly season, the Lebaran window, beds closed for repairs,
//! Weibull stays; `regimes`: hidden calm/busy/crisis regimes, stays that lengthen when the
//! ward is crowded and batches transferred in from other UPTs). `regimes` and seeds 101–103
//! are held out of every choice of model or threshold (`Generator::held_out`).
//! Only the bookkeeping of a ward's beds (`Ledger`) is shared.
use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::history::{DayRow, WardSeries};
use crate::capacity::engine::demand::Announced;
use crate::capacity::engine::forecast::HORIZON;
use crate::capacity::engine::survival::Survival;

mod raids;
mod regimes;
mod seasons;
mod surges;
mod trends;

/// Seeds on which models and thresholds may be chosen.
pub const TUNING_SEEDS: [u64; 3] = [1, 2, 3];
/// Seeds no choice ever saw.
pub const HELD_OUT_SEEDS: [u64; 3] = [101, 102, 103];

/// Wards per generated world, and the days written (after an unwritten burn-in).
pub const WARDS: usize = 24;
pub const DAYS: usize = 3 * 365;
pub const BURN_IN: usize = 365;
/// The first written day.
pub fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 1, 1).expect("valid date")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    Surges,
    Raids,
    Trends,
    Seasons,
    Regimes,
}

impl Generator {
    pub const ALL: [Generator; 5] = [
        Generator::Surges,
        Generator::Raids,
        Generator::Trends,
        Generator::Seasons,
        Generator::Regimes,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Generator::Surges => "surges",
            Generator::Raids => "raids",
            Generator::Trends => "trends",
            Generator::Seasons => "seasons",
            Generator::Regimes => "regimes",
        }
    }

    pub fn parse(s: &str) -> Option<Generator> {
        Generator::ALL.into_iter().find(|g| g.name() == s)
    }

    /// A generator whose raid operations are announced ahead: the live forecast reads the
    /// raid calendar, so the project's forecast is told it (a month ahead) here too.
    pub fn has_calendar(self) -> bool {
        self == Generator::Raids
    }

    /// A generator no model or threshold was chosen on.
    pub fn held_out(self) -> bool {
        self == Generator::Regimes
    }

    /// One world of `WARDS` wards.
    pub fn generate(self, seed: u64) -> World {
        self.generate_sized(seed, WARDS, DAYS)
    }

    /// A world of any size (the tests use small ones).
    pub fn generate_sized(self, seed: u64, wards: usize, days: usize) -> World {
        // Each generator its own stream family: seed 1 of two generators are unrelated.
        let salt = (self as u64 + 1).wrapping_mul(0x5851_f42d_4c95_7f2d);
        let mut rng = <ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed ^ salt);
        let frame = Frame {
            days,
            start: first_day() - Duration::days(BURN_IN as i64),
            total: BURN_IN + days,
        };
        let mut world = World {
            generator: self,
            seed,
            wards: Vec::new(),
            truth: Vec::new(),
        };
        for i in 0..wards {
            let g = match self {
                Generator::Surges => surges::ward(&mut rng, &frame),
                Generator::Raids => raids::ward(&mut rng, &frame),
                Generator::Trends => trends::ward(&mut rng, &frame),
                Generator::Seasons => seasons::ward(&mut rng, &frame),
                Generator::Regimes => regimes::ward(&mut rng, &frame),
            };
            let upt = format!("{}-{seed}-{:02}", self.name(), i + 1);
            world.wards.push(WardSeries {
                upt,
                ward: String::new(),
                days: g.ledger.days,
            });
            world.truth.push(WardTruth {
                rates: g.rates[BURN_IN..].to_vec(),
                stay: Survival::kaplan_meier(&g.stays, &[])
                    .unwrap_or_else(|| Survival::exponential(30.0)),
                announced: g.announced,
            });
        }
        world
    }
}

/// The generated wards and, for each, what its history cannot show.
pub struct World {
    pub generator: Generator,
    pub seed: u64,
    pub wards: Vec<WardSeries>,
    pub truth: Vec<WardTruth>,
}

pub struct WardTruth {
    /// Expected demand (people sent to the ward, diverted ones included) on each written
    /// day and on the `HORIZON` days after the last.
    pub rates: Vec<f64>,
    /// The law the stays were drawn from (empirical, from every stay drawn).
    pub stay: Survival,
    /// Surges announced ahead (raid operations): dates and the factor said.
    pub announced: Vec<Announced>,
}

/// The days a generator simulates: `total` from `start`, the last `days` written.
pub(crate) struct Frame {
    pub days: usize,
    pub start: NaiveDate,
    pub total: usize,
}

impl Frame {
    pub fn date(&self, t: usize) -> NaiveDate {
        self.start + Duration::days(t as i64)
    }

    /// Days simulated, plus the horizon after them (for the true rates).
    pub fn with_horizon(&self) -> usize {
        self.total + HORIZON as usize
    }

    pub fn written(&self, t: usize) -> bool {
        t + self.days >= self.total
    }
}

/// What a generator returns for one ward.
pub(crate) struct Generated {
    pub ledger: Ledger,
    /// Expected demand on each simulated day and `HORIZON` days past the end.
    pub rates: Vec<f64>,
    pub stays: Vec<u32>,
    pub announced: Vec<Announced>,
}

/// A ward's beds: who is in and the day each leaves, and the rows written. Residents leave
/// in the morning (discharges) before the day's arrivals are placed.
pub(crate) struct Ledger {
    pub capacity: u32,
    /// Day each resident leaves.
    leaving: Vec<usize>,
    pub days: Vec<DayRow>,
    today: DayRow,
}

impl Ledger {
    pub fn new(capacity: u32) -> Ledger {
        Ledger {
            capacity,
            leaving: Vec::new(),
            days: Vec::new(),
            today: DayRow {
                date: NaiveDate::MIN,
                capacity,
                occupancy: 0,
                admissions: 0,
                discharges: 0,
                turned_away: 0,
            },
        }
    }

    pub fn occupancy(&self) -> u32 {
        self.leaving.len() as u32
    }

    pub fn free(&self) -> u32 {
        self.capacity.saturating_sub(self.occupancy())
    }

    /// Starts day t: the residents due to leave leave.
    pub fn morning(&mut self, t: usize, date: NaiveDate) {
        let before = self.leaving.len();
        self.leaving.retain(|&d| d > t);
        self.today = DayRow {
            date,
            capacity: self.capacity,
            occupancy: 0,
            admissions: 0,
            discharges: (before - self.leaving.len()) as u32,
            turned_away: 0,
        };
    }

    /// `n` people sent today; each admitted one stays `stay()` days (at least 1). Returns
    /// how many were admitted: the rest find no bed.
    pub fn offer(&mut self, t: usize, n: u32, mut stay: impl FnMut() -> u32) -> u32 {
        let admitted = n.min(self.free());
        for _ in 0..admitted {
            self.leaving.push(t + stay().max(1) as usize);
        }
        self.today.admissions += admitted;
        self.today.turned_away += n - admitted;
        admitted
    }

    /// The day's arrivals: a Poisson number of people sent at `rate`, each admitted one
    /// staying a draw of `law` in whole days (at least one), noted in `stays`.
    pub fn arrive(
        &mut self,
        t: usize,
        rate: f64,
        law: &impl rand_distr::Distribution<f64>,
        stays: &mut Vec<u32>,
        rng: &mut ChaCha8Rng,
    ) -> u32 {
        let sent = poisson(rng, rate);
        self.offer(t, sent, || {
            let s = law.sample(rng).ceil().max(1.0) as u32;
            stays.push(s);
            s
        })
    }

    /// Moves `k` residents chosen at random out today (a transfer, or beds closing); they
    /// count as discharges.
    pub fn move_out(&mut self, k: u32, rng: &mut ChaCha8Rng) -> u32 {
        let k = k.min(self.occupancy());
        for _ in 0..k {
            let i = rng.random_range(0..self.leaving.len());
            self.leaving.swap_remove(i);
        }
        self.today.discharges += k;
        k
    }

    /// Puts off each remaining departure by a day with chance `p` (crowding slows the way
    /// home).
    pub fn delay(&mut self, p: f64, rng: &mut ChaCha8Rng) {
        for d in &mut self.leaving {
            if rng.random_bool(p) {
                *d += 1;
            }
        }
    }

    /// Ends day t; the row is kept when the day is written.
    pub fn evening(&mut self, keep: bool) {
        self.today.capacity = self.capacity;
        self.today.occupancy = self.occupancy();
        if keep {
            self.days.push(self.today.clone());
        }
    }
}

/// Standard normal.
pub(crate) fn normal(rng: &mut ChaCha8Rng) -> f64 {
    rand_distr::Distribution::sample(&rand_distr::StandardNormal, rng)
}

/// Poisson count (0 for a rate that is not positive).
pub(crate) fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u32 {
    if mean <= 0.0 || !mean.is_finite() {
        return 0;
    }
    match rand_distr::Poisson::new(mean) {
        Ok(p) => rand_distr::Distribution::<f64>::sample(&p, rng) as u32,
        Err(_) => 0,
    }
}

/// The capacity and arrival rate of a ward that would sit at `utilisation` of its beds with
/// stays averaging `mean_stay` days (Little's law).
pub(crate) fn base_rate(capacity: u32, utilisation: f64, mean_stay: f64) -> f64 {
    utilisation * capacity as f64 / mean_stay
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every generator writes consistent rows: occupancy never above capacity, and each
    /// day's occupancy is yesterday's plus admissions minus discharges; the same seed gives
    /// the same world; the truth has a rate for every day and the horizon after.
    #[test]
    fn every_generator_writes_consistent_reproducible_histories() {
        for g in Generator::ALL {
            let a = g.generate_sized(5, 6, 400);
            let b = g.generate_sized(5, 6, 400);
            assert_eq!(a.wards, b.wards, "{}", g.name());
            for (w, truth) in a.wards.iter().zip(&a.truth) {
                assert_eq!(w.days.len(), 400);
                assert_eq!(truth.rates.len(), 400 + HORIZON as usize);
                assert!(truth.rates.iter().all(|r| r.is_finite() && *r >= 0.0));
                for pair in w.days.windows(2) {
                    let (y, t) = (&pair[0], &pair[1]);
                    assert_eq!(
                        t.occupancy + t.discharges,
                        y.occupancy + t.admissions,
                        "{} {}",
                        g.name(),
                        t.date
                    );
                    assert!(t.occupancy <= t.capacity, "{} {}", g.name(), t.date);
                    assert_eq!((t.date - y.date).num_days(), 1);
                }
            }
            let fills: usize = (a.wards.iter())
                .map(|w| super::super::score::fill_events(w).len())
                .sum();
            assert!(fills > 0, "{}: no ward ever fills", g.name());
        }
    }

    #[test]
    fn a_ledger_diverts_what_it_cannot_take_and_moves_residents_out() {
        let mut rng = <ChaCha8Rng as rand::SeedableRng>::seed_from_u64(1);
        let mut l = Ledger::new(3);
        let d = first_day();
        l.morning(0, d);
        assert_eq!(l.offer(0, 5, || 2), 3);
        l.evening(true);
        l.morning(1, d + Duration::days(1));
        assert_eq!(l.move_out(1, &mut rng), 1);
        l.evening(true);
        l.morning(2, d + Duration::days(2));
        l.evening(true);
        let occ: Vec<u32> = l.days.iter().map(|r| r.occupancy).collect();
        assert_eq!(occ, [3, 2, 0]);
        assert_eq!(l.days[0].turned_away, 2);
        assert_eq!(l.days[2].discharges, 2);
    }
}
