//! Generated histories for the benchmark and the tests, with the true demand known.
//!
//! Set-up after A4 of the reliability reference: non-homogeneous Poisson arrivals whose rate
//! drifts (a mean-reverting random walk in log space) and rises 1.8× in the Lebaran window;
//! lognormal stays (σ = 0.9); arrivals that find the ward full are diverted. Wards range from
//! long-stay UPT wards (medians of months) to short-stay transit wards (one to four weeks).
use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::history::{DayRow, WardSeries};
use crate::capacity::engine::demand::in_surge;

#[derive(Debug, Clone, Copy)]
pub struct SynthConfig {
    pub upts: usize,
    /// Days written per ward.
    pub days: usize,
    /// Days simulated before the first written one, so wards start in a settled state.
    pub burn_in: usize,
    pub first_day: NaiveDate,
    pub seed: u64,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            upts: 30,
            days: 3 * 365,
            burn_in: 730,
            first_day: NaiveDate::from_ymd_opt(2022, 1, 1).expect("valid date"),
            seed: 1,
        }
    }
}

/// The generated wards and what the history cannot show.
pub struct SynthSet {
    pub wards: Vec<WardSeries>,
    /// Whether each ward is a long-stay ward (scenario A of the reliability reference) or a
    /// transit ward (scenario B).
    pub long_stay: Vec<bool>,
}

const WARD_NAMES: [&str; 4] = ["laki-laki", "perempuan", "lansia", "anak"];
const SIGMA: f64 = 0.9;

pub fn generate(cfg: &SynthConfig) -> SynthSet {
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let mut wards = Vec::new();
    let mut long_stay = Vec::new();
    for u in 0..cfg.upts {
        let n = rng.random_range(1..=4);
        for name in &WARD_NAMES[..n] {
            // One ward: the history row is the whole UPT (empty ward name).
            let ward = if n == 1 { "" } else { name };
            let long = rng.random_bool(0.5);
            wards.push(ward_history(
                &mut rng,
                cfg,
                format!("UPT-{:02}", u + 1),
                ward,
                long,
            ));
            long_stay.push(long);
        }
    }
    SynthSet { wards, long_stay }
}

fn ward_history(
    rng: &mut ChaCha8Rng,
    cfg: &SynthConfig,
    upt: String,
    ward: &str,
    long_stay: bool,
) -> WardSeries {
    let (capacity, median) = if long_stay {
        (rng.random_range(25..=60u32), rng.random_range(60.0..150.0))
    } else {
        (rng.random_range(12..=40u32), rng.random_range(8.0..30.0))
    };
    let utilisation = rng.random_range(0.65..0.9);
    let mean_stay: f64 = median * (SIGMA * SIGMA / 2.0f64).exp();
    let base = utilisation * capacity as f64 / mean_stay;
    let total = cfg.burn_in + cfg.days;
    let start = cfg.first_day - Duration::days(cfg.burn_in as i64);
    let mut leaving = vec![0u32; total + 1];
    let mut occ = 0u32;
    let mut drift = 0.0f64;
    let mut days = Vec::with_capacity(cfg.days);
    for t in 0..total {
        let date = start + Duration::days(t as i64);
        // Mean-reverting: a stationary spread of about ±12 % around the ward's base rate.
        drift += -0.005 * drift + 0.012 * normal(rng);
        let surge = if in_surge(date) { 1.8 } else { 1.0 };
        let rate = base * drift.exp() * surge;
        let discharges = leaving[t];
        occ -= discharges;
        let demand = poisson(rng, rate);
        let admissions = demand.min(capacity - occ);
        for _ in 0..admissions {
            let stay = (median.ln() + SIGMA * normal(rng)).exp().ceil().max(1.0) as usize;
            if t + stay < total {
                leaving[t + stay] += 1;
            }
        }
        occ += admissions;
        if t >= cfg.burn_in {
            days.push(DayRow {
                date,
                capacity,
                occupancy: occ,
                admissions,
                discharges,
                turned_away: demand - admissions,
            });
        }
    }
    WardSeries {
        upt,
        ward: ward.to_string(),
        days,
    }
}

/// Standard normal (Box–Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// Poisson by Knuth's product of uniforms (rates here are a few per day at most).
fn poisson(rng: &mut ChaCha8Rng, lambda: f64) -> u32 {
    let limit = (-lambda).exp();
    let mut k = 0;
    let mut p = rng.random::<f64>();
    while p > limit {
        k += 1;
        p *= rng.random::<f64>();
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histories_are_consistent_and_reproducible() {
        let cfg = SynthConfig {
            upts: 4,
            days: 200,
            seed: 5,
            ..SynthConfig::default()
        };
        let a = generate(&cfg);
        let b = generate(&cfg);
        assert_eq!(a.wards, b.wards);
        for w in &a.wards {
            assert_eq!(w.days.len(), 200);
            for pair in w.days.windows(2) {
                let (y, t) = (&pair[0], &pair[1]);
                assert_eq!(t.occupancy + t.discharges, y.occupancy + t.admissions);
                assert!(t.occupancy <= t.capacity);
            }
        }
    }

    #[test]
    fn poisson_and_normal_have_the_right_moments() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let n = 20_000;
        let mean = (0..n).map(|_| poisson(&mut rng, 2.5) as f64).sum::<f64>() / n as f64;
        assert!((mean - 2.5).abs() < 0.05, "{mean}");
        let z: Vec<f64> = (0..n).map(|_| normal(&mut rng)).collect();
        let var = z.iter().map(|x| x * x).sum::<f64>() / n as f64;
        assert!((var - 1.0).abs() < 0.05, "{var}");
    }
}
