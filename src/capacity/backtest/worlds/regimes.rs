//! Hidden regimes (held out of every choice of model and threshold): demand switches
//! between calm, busy and crisis regimes of random lengths (a Markov-modulated Poisson
//! process); other UPTs transfer batches of residents in a few times a year; when the ward
//! is crowded the way home slows (remaining stays stretch); a new wing adds beds once.
//! Gamma stays with a high spread.
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::Gamma;

use super::{base_rate, Frame, Generated, Ledger};

pub(crate) fn ward(rng: &mut ChaCha8Rng, f: &Frame) -> Generated {
    let capacity = rng.random_range(10..=100u32);
    let mean_stay: f64 = if rng.random_bool(0.45) {
        rng.random_range(45.0..160.0)
    } else {
        rng.random_range(6.0..28.0)
    };
    let shape: f64 = rng.random_range(0.6..1.2);
    let law = Gamma::new(shape, mean_stay / shape).expect("positive parameters");
    let base = base_rate(capacity, rng.random_range(0.5..0.7), mean_stay);
    let n = f.with_horizon();

    // (multiple of the base rate, mean days in the regime)
    const REGIMES: [(f64, f64); 3] = [(0.8, 120.0), (1.3, 45.0), (2.2, 20.0)];
    let mut regime = 0usize;
    let mut rates = Vec::with_capacity(n);
    for _ in 0..n {
        if rng.random_bool(1.0 / REGIMES[regime].1) {
            let others: Vec<usize> = (0..3).filter(|&r| r != regime).collect();
            regime = others[rng.random_range(0..2)];
        }
        rates.push(base * REGIMES[regime].0);
    }
    // Transfers in: about four batches a year of 3–10 % of the beds.
    for rate in rates.iter_mut() {
        if rng.random_bool(4.0 / 365.0) {
            *rate += (capacity as f64 * rng.random_range(0.03..0.10)).ceil();
        }
    }
    let wing = rng.random_range(0..f.total);

    let mut ledger = Ledger::new(capacity);
    let mut stays = Vec::new();
    for (t, &rate) in rates.iter().enumerate().take(f.total) {
        ledger.morning(t, f.date(t));
        if t == wing {
            ledger.capacity += (capacity as f64 * 0.2).ceil() as u32;
        }
        if ledger.occupancy() as f64 > 0.9 * ledger.capacity as f64 {
            ledger.delay(0.15, rng);
        }
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
