//! Seasons: a yearly cycle of demand (dry-season migration to the cities) and the Lebaran
//! window on the Hijri calendar with a factor of the ward's own; beds closed for repairs for
//! a couple of months every year or two (the residents above the smaller capacity moved
//! out); Weibull stays; very small wards and very large ones.
use chrono::{Datelike, Duration};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::Weibull;

use super::{base_rate, Frame, Generated, Ledger};
use crate::capacity::engine::change::ln_gamma;
use crate::capacity::engine::demand::eid;

pub(crate) fn ward(rng: &mut ChaCha8Rng, f: &Frame) -> Generated {
    let capacity = if rng.random_bool(0.5) {
        rng.random_range(5..=15u32)
    } else {
        rng.random_range(60..=120u32)
    };
    let k: f64 = rng.random_range(0.7..1.5);
    let mean_stay: f64 = if rng.random_bool(0.5) {
        rng.random_range(40.0..140.0)
    } else {
        rng.random_range(6.0..25.0)
    };
    // Weibull mean = scale · Γ(1 + 1/k).
    let law = Weibull::new(mean_stay / ln_gamma(1.0 + 1.0 / k).exp(), k).expect("positive");
    let base = base_rate(capacity, rng.random_range(0.5..0.75), mean_stay);
    let amplitude: f64 = rng.random_range(0.15..0.45);
    let phase: f64 = rng.random_range(0.0..365.0);
    let lebaran: f64 = rng.random_range(1.2..2.2);
    let n = f.with_horizon();
    let rates: Vec<f64> = (0..n)
        .map(|t| {
            let date = f.date(t);
            let angle = 2.0 * std::f64::consts::PI * (date.ordinal() as f64 - phase) / 365.25;
            let near = [date.year() - 1, date.year(), date.year() + 1]
                .into_iter()
                .filter_map(eid)
                .any(|e| (-25..=10).contains(&(date - e).num_days()));
            base * (1.0 + amplitude * angle.sin()) * if near { lebaran } else { 1.0 }
        })
        .collect();

    // Repairs: every 12–24 months, a quarter of the beds closed for 45–75 days.
    let mut beds = vec![capacity; f.total];
    let mut t = rng.random_range(0..365usize);
    while t < f.total {
        let len = rng.random_range(45..=75usize);
        let closed = (capacity as f64 * 0.25).ceil() as u32;
        for b in &mut beds[t..(t + len).min(f.total)] {
            *b = capacity - closed;
        }
        t += rng.random_range(365..=730usize);
    }

    let mut ledger = Ledger::new(capacity);
    let mut stays = Vec::new();
    for (t, &rate) in rates.iter().enumerate().take(f.total) {
        ledger.morning(t, f.start + Duration::days(t as i64));
        ledger.capacity = beds[t];
        let over = ledger.occupancy().saturating_sub(beds[t]);
        ledger.move_out(over, rng);
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
