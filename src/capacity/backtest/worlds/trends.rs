//! Drifting trends and relief: the log of the rate moves along straight lines whose slope
//! changes every few months (a ward getting busier for a year, then quieter), with a
//! weekday pattern; stays are a mixture of short transit stays and long ones; and when the
//! ward has been full for a week, the province moves a sixth to a third of it elsewhere.
use chrono::{Datelike, Weekday};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::{base_rate, normal, poisson, Frame, Generated, Ledger};

pub(crate) fn ward(rng: &mut ChaCha8Rng, f: &Frame) -> Generated {
    let capacity = rng.random_range(12..=70u32);
    let short_share: f64 = rng.random_range(0.4..0.8);
    let (short_mean, long_mean): (f64, f64) =
        (rng.random_range(5.0..20.0), rng.random_range(60.0..200.0));
    let mean_stay = short_share * short_mean + (1.0 - short_share) * long_mean;
    let base = base_rate(capacity, rng.random_range(0.5..0.75), mean_stay);
    let n = f.with_horizon();

    let mut level = rng.random_range(-0.3..0.3f64);
    let mut slope = 0.0;
    let mut next_turn = 0;
    let rates: Vec<f64> = (0..n)
        .map(|t| {
            if t == next_turn {
                // A new slope, pulled back towards the ward's usual level.
                slope = -level / 400.0 + 0.0012 * normal(rng);
                next_turn = t + rng.random_range(120..=360);
            }
            level = (level + slope).clamp(-0.9, 0.9);
            let week = match f.date(t).weekday() {
                Weekday::Sat => 0.75,
                Weekday::Sun => 0.55,
                _ => 1.15,
            };
            base * level.exp() * week
        })
        .collect();

    let mut ledger = Ledger::new(capacity);
    let mut stays = Vec::new();
    let mut full_days = 0;
    for (t, &rate) in rates.iter().enumerate().take(f.total) {
        ledger.morning(t, f.date(t));
        if full_days >= 7 {
            let k = (capacity as f64 * rng.random_range(0.15..0.3)).ceil() as u32;
            ledger.move_out(k, rng);
            full_days = 0;
        }
        let sent = poisson(rng, rate);
        ledger.offer(t, sent, || {
            let mean = if rng.random_bool(short_share) {
                short_mean
            } else {
                long_mean
            };
            let s = (-mean * (1.0 - rng.random::<f64>()).ln()).ceil().max(1.0) as u32;
            stays.push(s);
            s
        });
        full_days = if ledger.free() == 0 { full_days + 1 } else { 0 };
        ledger.evening(f.written(t));
    }
    Generated {
        ledger,
        rates,
        stays,
        announced: Vec::new(),
    }
}
