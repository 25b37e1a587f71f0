//! Satpol PP raids: people come in batches on raid days of operations announced ahead —
//! before Lebaran (on the Hijri calendar, so about 11 days earlier each year), before
//! Christmas and before 17 August — plus one unannounced operation a year and the return
//! flow after Lebaran. The background rate steps from year to year. A week before Lebaran
//! the UPT sends a convoy of residents home. Gamma stays.
use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::Gamma;

use super::{base_rate, Frame, Generated, Ledger};
use crate::capacity::engine::demand::{eid, Announced};

pub(crate) fn ward(rng: &mut ChaCha8Rng, f: &Frame) -> Generated {
    let long = rng.random_bool(0.5);
    let capacity = rng.random_range(10..=60u32);
    let mean_stay: f64 = if long {
        rng.random_range(30.0..150.0)
    } else {
        rng.random_range(5.0..20.0)
    };
    let shape: f64 = rng.random_range(0.8..2.5);
    let law = Gamma::new(shape, mean_stay / shape).expect("positive parameters");
    let base = base_rate(capacity, rng.random_range(0.5..0.75), mean_stay);
    let n = f.with_horizon();

    // Background: a level per calendar year.
    let (first_year, last_year) = (f.date(0).year(), f.date(n - 1).year());
    let levels: Vec<f64> = (first_year..=last_year)
        .map(|_| rng.random_range(0.85..1.2))
        .collect();
    let mut background: Vec<f64> = (0..n)
        .map(|t| base * levels[(f.date(t).year() - first_year) as usize])
        .collect();
    // Operations: (first day, last day, factor over the background, announced).
    let mut ops: Vec<(NaiveDate, NaiveDate, f64, bool)> = Vec::new();
    for year in first_year..=last_year {
        let Some(e) = eid(year) else { continue };
        let d = |k: i64| e + chrono::Duration::days(k);
        ops.push((d(-24), d(-3), rng.random_range(1.5..3.5), true));
        let ymd = |m, day| NaiveDate::from_ymd_opt(year, m, day).expect("valid date");
        ops.push((ymd(12, 12), ymd(12, 23), rng.random_range(1.2..2.2), true));
        ops.push((ymd(8, 2), ymd(8, 15), rng.random_range(1.2..2.2), true));
        let start = ymd(1, 1) + chrono::Duration::days(rng.random_range(0..350));
        let len = rng.random_range(7..=14);
        ops.push((
            start,
            start + chrono::Duration::days(len),
            rng.random_range(1.5..2.5),
            false,
        ));
        // The return flow after Lebaran: stranded on the way back, no raid.
        for k in 2..=12 {
            let t = (d(k) - f.start).num_days();
            if (0..n as i64).contains(&t) {
                background[t as usize] *= 1.4;
            }
        }
    }
    // Raid days: a raid on about a third of an operation's days, bringing a batch whose
    // mean makes the operation's expected factor.
    let mut rates = background.clone();
    let mut announced = Vec::new();
    for &(from, to, factor, said) in &ops {
        let p = rng.random_range(0.25..0.45);
        for day in from.iter_days().take_while(|d| *d <= to) {
            let t = (day - f.start).num_days();
            if !(0..n as i64).contains(&t) {
                continue;
            }
            let t = t as usize;
            if rng.random_bool(p) {
                rates[t] += (factor - 1.0) * background[t] / p;
            }
        }
        if said {
            // What was said ahead: the operation's dates and a factor, roughly right.
            announced.push(Announced {
                from,
                to,
                factor: factor * rng.random_range(0.8..1.25),
            });
        }
    }

    let mut ledger = Ledger::new(capacity);
    let mut stays = Vec::new();
    for (t, &rate) in rates.iter().enumerate().take(f.total) {
        let date = f.date(t);
        ledger.morning(t, date);
        if eid(date.year()).is_some_and(|e| (e - date).num_days() == 7) {
            let convoy = (ledger.occupancy() as f64 * rng.random_range(0.0..0.15)) as u32;
            ledger.move_out(convoy, rng);
        }
        ledger.arrive(t, rate, &law, &mut stays, rng);
        ledger.evening(f.written(t));
    }
    Generated {
        ledger,
        rates,
        stays,
        announced,
    }
}
