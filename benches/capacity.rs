//! Capacity alerts on generated histories: the Monte Carlo forecast against a fixed 90 %
//! threshold and a 14-day linear trend, side by side on the same wards.
//!
//!     cargo bench --bench capacity                             # held-out seeds 101–102
//!     SIMLONTAR_BENCH_QUICK=1 cargo bench --bench capacity     # one held-out seed
//!     SIMLONTAR_BENCH_TUNE=1 cargo bench --bench capacity      # the threshold search, seeds 1–4
//!     SIMLONTAR_BENCH_SEEDS=1,2 cargo bench --bench capacity   # the report on other seeds
//!
//! Under `cargo test` (no `--bench` argument) it runs a small smoke version only.
//! Each set is 30 UPTs × 1–4 wards × 3 years (after a 2-year burn-in that is not written).
use std::time::Instant;

use rayon::prelude::*;

use simlontar::capacity::alert::Thresholds;
use simlontar::capacity::baseline::{self, Baseline};
use simlontar::capacity::forecast::{Forecast, ForecastConfig};
use simlontar::capacity::history::WardSeries;
use simlontar::capacity::replay::{self, AlertRow, WardAlerts};
use simlontar::capacity::score::{self, Score};
use simlontar::capacity::synth::{self, SynthConfig};

/// The forecast needs a few weeks of history; the first 90 days of each ward are not scored.
const WARM_UP: i64 = 90;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let quick = std::env::var_os("SIMLONTAR_BENCH_QUICK").is_some();
    let tune = std::env::var_os("SIMLONTAR_BENCH_TUNE").is_some();
    if !full {
        println!("smoke run (cargo bench --bench capacity for the real figures)");
        let set = synth::generate(&SynthConfig {
            upts: 2,
            days: 200,
            ..SynthConfig::default()
        });
        let th = Thresholds::default();
        let days = forecasts(&set.wards, &ForecastConfig::default());
        compare(&set.wards, &days, &th);
        return;
    }
    if tune {
        search(&[1, 2, 3, 4]);
        return;
    }
    let listed: Option<Vec<u64>> = std::env::var("SIMLONTAR_BENCH_SEEDS")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect());
    let seeds: &[u64] = match &listed {
        Some(list) => list,
        None if quick => &[101],
        None => &[101, 102],
    };
    let mut wards = Vec::new();
    for &seed in seeds {
        let set = synth::generate(&SynthConfig {
            seed,
            ..SynthConfig::default()
        });
        timing(&set.wards, seed);
        timing(&whole_upts(&set.wards), seed);
        // Wards of different seeds share names: keep them apart for scoring.
        wards.extend(set.wards.into_iter().map(|mut w| {
            w.upt = format!("S{seed}-{}", w.upt);
            w
        }));
    }
    let th = Thresholds::default();
    // Scored and calibrated: the daily job's forecast (every path, as the screen shows it).
    // The replay's early stop raises the same alerts (tested), but its probabilities on
    // settled days rest on as few as 8 paths and are not what an operator reads.
    let days = forecasts(&wards, &ForecastConfig::default());
    let (occ, cap) = (wards.iter().flat_map(|w| &w.days)).fold((0.0, 0.0), |(o, c), d| {
        (o + d.occupancy as f64, c + d.capacity as f64)
    });
    println!(
        "\nseeds {seeds:?}: {} wards (mean utilisation {:.2}), {} fill events after a {WARM_UP}-day warm-up",
        wards.len(),
        occ / cap,
        wards
            .iter()
            .map(|w| score::fill_events(w)
                .iter()
                .filter(|&&e| e >= w.days[0].date + chrono::Duration::days(WARM_UP))
                .count())
            .sum::<usize>()
    );
    compare(&wards, &days, &th);
}

/// The wall time of the replay command's own code path over one generated set.
fn timing(wards: &[WardSeries], seed: u64) {
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().next().unwrap_or("?").to_string())
        .unwrap_or_default();
    let (start, cpu) = (Instant::now(), cpu_seconds());
    let th = Thresholds::default();
    // As `simlontar capacity replay` runs it: fewer paths where the alerts are settled,
    // each path ending when it fills.
    let cfg = ForecastConfig {
        stop: Some(th.stop_rule()),
        free_beds: false,
        ..ForecastConfig::default()
    };
    let rows = replay::replay(wards, &cfg, &th, &|| {});
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    let days: usize = wards.iter().map(|w| w.days.len()).sum();
    println!(
        "replay, seed {seed}: {} {} × {} days = {days} series-days in {secs:.2} s wall, {cpu:.2} s CPU, {} threads ({} alert rows; load average before: {})",
        wards.len(),
        if wards.iter().all(|w| w.ward.is_empty()) {
            "whole UPTs"
        } else {
            "wards"
        },
        wards[0].days.len(),
        rayon::current_num_threads(),
        rows.len(),
        load
    );
}

/// The same history with each UPT's wards added up into one series per UPT (the replay's
/// rows with an empty ward): the replay target's "30 UPTs" read as 30 histories.
fn whole_upts(wards: &[WardSeries]) -> Vec<WardSeries> {
    let mut upts: Vec<WardSeries> = Vec::new();
    for w in wards {
        match upts.iter_mut().find(|u| u.upt == w.upt) {
            Some(u) => {
                for (a, b) in u.days.iter_mut().zip(&w.days) {
                    a.capacity += b.capacity;
                    a.occupancy += b.occupancy;
                    a.admissions += b.admissions;
                    a.discharges += b.discharges;
                }
            }
            None => upts.push(WardSeries {
                ward: String::new(),
                ..w.clone()
            }),
        }
    }
    upts
}

/// CPU time of this process (user + system), from the kernel: the wall time on a shared
/// machine says more about the neighbours than about the code.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the file, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// Every ward's daily forecasts, computed once (deterministic) and reused for scoring.
fn forecasts(wards: &[WardSeries], cfg: &ForecastConfig) -> Vec<Vec<Forecast>> {
    wards
        .par_iter()
        .map(|w| {
            let mut out = Vec::with_capacity(w.days.len());
            replay::replay_ward(w, cfg, &Thresholds::default(), |_, f| out.push(f.clone()));
            out
        })
        .collect()
}

fn mc_rows(wards: &[WardSeries], days: &[Vec<Forecast>], th: &Thresholds) -> Vec<AlertRow> {
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

fn compare(wards: &[WardSeries], days: &[Vec<Forecast>], th: &Thresholds) {
    println!(
        "\n| rule | fill events warned ≥ 14 d ahead (≥ 0.80) | median lead, d (≥ 21) | false warnings / ward / quarter (≤ 1) | precision | warnings |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    let line = |name: &str, s: &Score| {
        println!(
            "| {name} | {:.2} ({}/{}) | {} | {:.2} | {:.2} | {} |",
            s.share_warned_ahead(),
            s.warned_ahead,
            s.events,
            s.median_lead()
                .map(|m| format!("{m:.0}"))
                .unwrap_or("–".into()),
            s.false_per_ward_quarter(),
            s.precision(),
            s.warnings
        )
    };
    let mc = score::score(wards, &mc_rows(wards, days, th), WARM_UP);
    line(
        &format!(
            "Monte Carlo, warning at P{} ≥ {}",
            th.lead_days, th.warning_fire
        ),
        &mc,
    );
    for rule in [
        Baseline::Static { share: 0.9 },
        Baseline::Linear {
            window: 14,
            ahead: 14.0,
        },
    ] {
        for (rearm, how) in [
            (Some(th.rearm_runs), "same alert handling"),
            (None, "release only"),
        ] {
            let rows: Vec<AlertRow> = (wards.iter())
                .flat_map(|w| baseline::replay_ward(w, rule, th.release_runs, rearm))
                .collect();
            let name = format!("{}, {how}", rule.name());
            line(&name, &score::score(wards, &rows, WARM_UP));
        }
    }
    calibration(wards, days);
}

/// Brier skill score and reliability of P14 (full on some day in the next 14), and the
/// coverage of the 80 % interval of free beds 7 days ahead. Days already full are left out
/// (their forecast is trivially 1).
fn calibration(wards: &[WardSeries], days: &[Vec<Forecast>]) {
    let mut pairs = Vec::new();
    let (mut covered, mut n_cov) = (0usize, 0usize);
    for (w, fs) in wards.iter().zip(days) {
        let d = &w.days;
        for t in WARM_UP as usize..d.len().saturating_sub(14) {
            if d[t].occupancy >= d[t].capacity {
                continue;
            }
            let full = d[t + 1..=t + 14].iter().any(|r| r.occupancy >= r.capacity);
            pairs.push((fs[t].p(14), full as u8 as f64));
            let free7 = d[t + 7].capacity - d[t + 7].occupancy;
            let iv = fs[t].free_beds[6];
            covered += (iv.low <= free7 && free7 <= iv.high) as usize;
            n_cov += 1;
        }
    }
    let n = pairs.len() as f64;
    let base = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let brier = pairs.iter().map(|(p, o)| (p - o).powi(2)).sum::<f64>() / n;
    let bss = 1.0 - brier / (base * (1.0 - base));
    println!(
        "\nP14 of the Monte Carlo forecast over {} ward-days: base rate {base:.3}, Brier {brier:.4}, Brier skill score {bss:.2} (target ≥ 0.30); baselines give no probability",
        pairs.len()
    );
    println!(
        "80 % interval of free beds 7 days ahead covers {:.2} of days (ideal 0.80)",
        covered as f64 / n_cov.max(1) as f64
    );
    println!("\n| P14 decile | days | mean forecast | observed | within ±0.10 |");
    println!("| --- | --- | --- | --- | --- |");
    for k in 0..10 {
        let (lo, hi) = (k as f64 / 10.0, (k + 1) as f64 / 10.0);
        let bin: Vec<&(f64, f64)> = (pairs.iter())
            .filter(|(p, _)| *p >= lo && (*p < hi || (k == 9 && *p <= 1.0)))
            .collect();
        if bin.is_empty() {
            continue;
        }
        let m = bin.len() as f64;
        let fc = bin.iter().map(|p| p.0).sum::<f64>() / m;
        let ob = bin.iter().map(|p| p.1).sum::<f64>() / m;
        println!(
            "| {lo:.1}–{hi:.1} | {} | {fc:.3} | {ob:.3} | {} |",
            bin.len(),
            if (fc - ob).abs() <= 0.10 { "yes" } else { "no" }
        );
    }
}

/// The settings searched: warning horizon, fire and release thresholds (a real hysteresis
/// band, at least 0.05: an alert that flaps is no use to an officer), and re-arm runs.
fn grid() -> Vec<(u32, f64, f64, u32)> {
    let mut out = Vec::new();
    for lead in [14, 21, 30] {
        for fire in [0.15, 0.2, 0.25, 0.3, 0.35, 0.45, 0.55] {
            for release in [0.1, 0.15, 0.2, 0.25, 0.3, 0.4] {
                for rearm in [1, 3, 7, 14] {
                    if release <= fire - 0.049 {
                        out.push((lead, fire, release, rearm));
                    }
                }
            }
        }
    }
    out
}

/// The threshold search on the tuning seeds: for each warning horizon and fire/release pair,
/// the event figures. Pick the setting that warns most fills ≥ 14 days ahead with at most
/// one false warning per ward per quarter.
fn search(seeds: &[u64]) {
    let mut wards = Vec::new();
    for &seed in seeds {
        let set = synth::generate(&SynthConfig {
            seed,
            ..SynthConfig::default()
        });
        if seed == seeds[0] {
            timing(&set.wards, seed);
        }
        wards.extend(set.wards.into_iter().map(|mut w| {
            w.upt = format!("S{seed}-{}", w.upt);
            w
        }));
    }
    // Every path: the early stop is settled for one set of thresholds, and this tries many.
    let days = forecasts(&wards, &ForecastConfig::default());
    println!("tuning seeds {seeds:?}, {} wards", wards.len());
    println!("| lead days | fire | release | re-arm runs | warned ≥ 14 d | median lead | false / ward / quarter | warnings |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (lead, fire, release, rearm) in grid() {
        {
            {
                let th = Thresholds {
                    lead_days: lead,
                    warning_fire: fire,
                    warning_release: release,
                    rearm_runs: rearm,
                    ..Thresholds::default()
                };
                let s = score::score(&wards, &mc_rows(&wards, &days, &th), WARM_UP);
                println!(
                    "| {lead} | {fire} | {release} | {rearm} | {:.3} | {} | {:.2} | {} |",
                    s.share_warned_ahead(),
                    s.median_lead()
                        .map(|m| format!("{m:.0}"))
                        .unwrap_or_default(),
                    s.false_per_ward_quarter(),
                    s.warnings
                );
            }
        }
    }
}
