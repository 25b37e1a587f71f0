//! Unannounced surges: a rate drifting slowly (an AR(1) walk in log space), broken by
//! surges of 1.5–3× that start without warning about 1.5 times a year and last 10–40 days.
//! Lognormal stays; wards small or large, long-stay or transit.
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::LogNormal;

use super::{base_rate, normal, Frame, Generated, Ledger};

pub(crate) fn ward(rng: &mut ChaCha8Rng, f: &Frame) -> Generated {
    let long = rng.random_bool(0.4);
    let capacity = if rng.random_bool(0.5) {
        rng.random_range(8..=20u32)
    } else {
        rng.random_range(30..=80u32)
    };
    let median: f64 = if long {
        rng.random_range(40.0..120.0)
    } else {
        rng.random_range(7.0..25.0)
    };
    let sigma: f64 = rng.random_range(0.6..1.1);
    let law = LogNormal::new(median.ln(), sigma).expect("finite parameters");
    let mean_stay = median * (sigma * sigma / 2.0).exp();
    let base = base_rate(capacity, rng.random_range(0.55..0.8), mean_stay);

    // The rate of every day first (the truth needs the days after the last one too).
    let n = f.with_horizon();
    let mut surge = vec![1.0f64; n];
    let mut t = 0usize;
    loop {
        // Gaps between surge starts: exponential, mean 240 days.
        let gap: f64 = -240.0 * (1.0 - rng.random::<f64>()).ln();
        t += gap.ceil() as usize;
        if t >= n {
            break;
        }
        let factor = rng.random_range(1.5..3.0);
        let len = rng.random_range(10..=40usize);
        for s in &mut surge[t..(t + len).min(n)] {
            *s = s.max(factor);
        }
    }
    let mut drift = 0.0f64;
    let rates: Vec<f64> = (0..n)
        .map(|t| {
            drift = 0.99 * drift + 0.011 * normal(rng);
            base * drift.exp() * surge[t]
        })
        .collect();

    let mut ledger = Ledger::new(capacity);
    let mut stays = Vec::new();
    for (t, &rate) in rates.iter().enumerate().take(f.total) {
        ledger.morning(t, f.date(t));
        ledger.arrive(t, rate, &law, &mut stays, rng);
        ledger.evening(f.written(t));
    }
    Generated {
        ledger,
        rates,
        stays,
        announced: Vec::new(),
    }
}
