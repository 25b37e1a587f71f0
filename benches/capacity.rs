//! Capacity alerts on generated histories: the Monte Carlo forecast against a fixed 90 %
//! threshold and a linear trend, and against the known-rates ceiling, side by side on the
//! same wards.
//!
//!     cargo bench --bench capacity                             # every generator of issue 28
//!                                                              # (held-out seeds 101–103), then
//!                                                              # the gate's seeds 101–102
//!     SIMLONTAR_BENCH_WORLDS_TUNE=1 cargo bench --bench capacity  # the warning grid by worst
//!                                                              # generator, tuning seeds 1–3
//!     SIMLONTAR_BENCH_WORLDS=surges,raids SIMLONTAR_BENCH_WORLD_SEEDS=1,2 cargo bench …
//!     SIMLONTAR_BENCH_QUICK=1 cargo bench --bench capacity     # one held-out seed
//!     SIMLONTAR_BENCH_TUNE=1 cargo bench --bench capacity      # the threshold search, seeds 1–4
//!     SIMLONTAR_BENCH_SEEDS=1,2 cargo bench --bench capacity   # the report on other seeds
//!
//! Under `cargo test` (no `--bench` argument) it runs a small smoke version only; the gate
//! itself is a unit test (`capacity::backtest::gate`). Each set is 30 UPTs × 1–4 wards × 3 years
//! (after a 2-year burn-in that is not written).
use std::time::Instant;

use simlontar::capacity::backtest::baseline::{self, Baseline};
use simlontar::capacity::backtest::gate::{self, Targets, WARM_UP};
use simlontar::capacity::backtest::history::WardSeries;
use simlontar::capacity::backtest::replay::{self, AlertRow};
use simlontar::capacity::backtest::score::{self, Score};
use simlontar::capacity::backtest::synth::{self, SynthConfig};
use simlontar::capacity::backtest::versus::{self, Verdict, Versus};
use simlontar::capacity::backtest::worlds::{Generator, HELD_OUT_SEEDS, TUNING_SEEDS};
use simlontar::capacity::engine::alert::Thresholds;
use simlontar::capacity::engine::change::ChangeConfig;
use simlontar::capacity::engine::forecast::{Forecast, ForecastConfig};

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
        let days = gate::forecasts(&set.wards);
        compare(&set.wards, &days, &th);
        report(&set.wards, &set.long_stay, &days, &th);
        smoke_worlds();
        return;
    }
    if tune {
        search(&[1, 2, 3, 4]);
        return;
    }
    let cfg = model_config();
    let th = thresholds();
    if std::env::var_os("SIMLONTAR_BENCH_WORLDS_TUNE").is_some() {
        worlds_search(&cfg);
        return;
    }
    if let Ok(g) = std::env::var("SIMLONTAR_BENCH_DIAG") {
        diag(&cfg, &th, Generator::parse(&g).expect("a generator"));
        return;
    }
    worlds(&cfg, &th);
    if std::env::var_os("SIMLONTAR_BENCH_WORLDS_ONLY").is_some() {
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
    for &seed in seeds {
        let set = synth::generate(&SynthConfig {
            seed,
            ..SynthConfig::default()
        });
        timing(&set.wards, seed);
        timing(&whole_upts(&set.wards), seed);
    }
    let (wards, long_stay) = gate::generated(seeds, SynthConfig::default());
    let days = gate::forecasts(&wards);
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
    report(&wards, &long_stay, &days, &th);
}

/// The backtest gate's figures (`capacity::backtest::gate`, the targets of §A5) for each scenario.
fn report(wards: &[WardSeries], long_stay: &[bool], days: &[Vec<Forecast>], th: &Thresholds) {
    let rows = gate::alert_rows(wards, days, th);
    for (name, which) in gate::scenarios(long_stay) {
        let f = gate::figures(wards, days, &rows, &which);
        let missed = f.misses(&Targets::default());
        println!(
            "\nscenario {name}, {} wards: {}\n\n{f}",
            f.wards,
            if missed.is_empty() {
                "every target met".to_string()
            } else {
                let missed: Vec<String> = missed.iter().map(ToString::to_string).collect();
                format!("misses {}", missed.join("; "))
            }
        );
    }
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

fn compare(wards: &[WardSeries], days: &[Vec<Forecast>], th: &Thresholds) {
    println!(
        "\n| rule | fill events warned ≥ 14 d ahead | median lead, d | false warnings / ward / quarter | precision | warnings |"
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
    let mc = score::score(wards, &gate::alert_rows(wards, days, th), WARM_UP);
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

/// Brier skill score and reliability of P14 over every ward, in deciles.
fn calibration(wards: &[WardSeries], days: &[Vec<Forecast>]) {
    let all: Vec<usize> = (0..wards.len()).collect();
    let deciles: Vec<f64> = (0..=10).map(|k| k as f64 / 10.0).collect();
    let c = gate::calibration(wards, days, &all, &deciles);
    println!(
        "\nP14 of the Monte Carlo forecast over {} ward-days: base rate {:.3}, Brier {:.4}, Brier skill score {:.2} (target ≥ 0.30); baselines give no probability",
        c.days, c.base_rate, c.brier, c.brier_skill
    );
    if let Some(cov) = c.coverage_80 {
        println!("80 % interval of free beds 7 days ahead covers {cov:.2} of days (ideal 0.80)");
    }
    println!("\n| P14 decile | days | mean forecast | observed | within ±0.10 |");
    println!("| --- | --- | --- | --- | --- |");
    for b in c.bins.iter().filter(|b| b.days > 0) {
        println!(
            "| {:.1}–{:.1} | {} | {:.3} | {:.3} | {} |",
            b.low,
            b.high,
            b.days,
            b.forecast,
            b.observed,
            if b.gap() <= 0.10 { "yes" } else { "no" }
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
/// the event figures, and for each scenario those the backtest gate judges. The rule
/// (docs/capacity.md): of the settings meeting every alert target of the gate in both
/// scenarios, the most fills warned 7+ days ahead in the worse one.
fn search(seeds: &[u64]) {
    let first = synth::generate(&SynthConfig {
        seed: seeds[0],
        ..SynthConfig::default()
    });
    timing(&first.wards, seeds[0]);
    let (wards, long_stay) = gate::generated(seeds, SynthConfig::default());
    // Every path: the early stop is settled for one set of thresholds, and this tries many.
    let days = gate::forecasts(&wards);
    let [(_, a), (_, b)] = gate::scenarios(&long_stay);
    let t = Targets::default();
    println!("tuning seeds {seeds:?}, {} wards", wards.len());
    println!("| lead days | fire | release | re-arm runs | warned ≥ 14 d | median lead | false / ward / quarter | A: recall 7 d, precision, WARNING / ward-month | B: the same | §A5 alert targets |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (lead, fire, release, rearm) in grid() {
        let th = Thresholds {
            lead_days: lead,
            warning_fire: fire,
            warning_release: release,
            rearm_runs: rearm,
            ..Thresholds::default()
        };
        let rows = gate::alert_rows(&wards, &days, &th);
        let s = score::score(&wards, &rows, WARM_UP);
        let mut met = true;
        let mut cells = Vec::new();
        for which in [&a, &b] {
            let x = gate::alerting(&wards, &rows, which);
            met &= x.misses(&t).is_empty();
            cells.push(format!(
                "{:.3}, {:.2}, {:.2}",
                x.recall_7d(),
                x.score.precision(),
                x.warning_notices_per_ward_month()
            ));
        }
        println!(
            "| {lead} | {fire} | {release} | {rearm} | {:.3} | {} | {:.2} | {} | {} | {} |",
            s.share_warned_ahead(),
            s.median_lead()
                .map(|m| format!("{m:.0}"))
                .unwrap_or_default(),
            s.false_per_ward_quarter(),
            cells[0],
            cells[1],
            if met { "met" } else { "" }
        );
    }
}

/// Issue 28's table on one tiny world of each generator (two wards, 300 days), so that
/// `cargo test` runs the generators, both forecasts and the table's code.
fn smoke_worlds() {
    let (cfg, th) = (ForecastConfig::default(), Thresholds::default());
    println!("\n| generator | rule | fills warned ≥ 14 d ahead | median lead, d | false warnings / ward / quarter |");
    println!("| --- | --- | --- | --- | --- |");
    for g in Generator::ALL {
        let world = g.generate_sized(1, 2, 300);
        let v = Versus::of(g, &[1], vec![world], &cfg, g.has_calendar());
        print!("{}", versus::table(&v, &th, None).0);
    }
}

/// The forecast's settings, from the library's defaults or `SIMLONTAR_FC_CHANGE`
/// (`off`, or `hazard,prior_shape,window,max_shape`) to try a model without rebuilding.
fn model_config() -> ForecastConfig {
    let mut cfg = ForecastConfig::default();
    if let Ok(v) = std::env::var("SIMLONTAR_FC_CHANGE") {
        let x: Vec<f64> = v.split(',').filter_map(|x| x.trim().parse().ok()).collect();
        cfg.demand.change = match x[..] {
            [hazard, prior_shape, window, max_shape] => Some(ChangeConfig {
                hazard,
                prior_shape,
                window: window as usize,
                max_shape,
            }),
            _ => None,
        };
    }
    if let Ok(v) = std::env::var("SIMLONTAR_FC_SHAPE") {
        cfg.demand.max_shape = v.parse().expect("a number");
    }
    println!("model: {:?}", cfg.demand);
    cfg
}

/// The alert thresholds, from the defaults or `SIMLONTAR_FC_WARN` (`lead,fire,release`).
fn thresholds() -> Thresholds {
    let mut th = Thresholds::default();
    if let Ok(v) = std::env::var("SIMLONTAR_FC_WARN") {
        let x: Vec<f64> = v.split(',').filter_map(|x| x.trim().parse().ok()).collect();
        if let [lead, fire, release] = x[..] {
            (th.lead_days, th.warning_fire, th.warning_release) = (lead as u32, fire, release);
        }
    }
    th
}

fn generators() -> Vec<Generator> {
    match std::env::var("SIMLONTAR_BENCH_WORLDS") {
        Ok(v) => v
            .split(',')
            .filter_map(|g| Generator::parse(g.trim()))
            .collect(),
        Err(_) => Generator::ALL.to_vec(),
    }
}

fn world_seeds(default: &[u64]) -> Vec<u64> {
    match std::env::var("SIMLONTAR_BENCH_WORLD_SEEDS") {
        Ok(v) => v.split(',').filter_map(|x| x.trim().parse().ok()).collect(),
        Err(_) => default.to_vec(),
    }
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Issue 28's table: on each generator's worlds, the forecast beside both baselines and the
/// known-rates ceiling, and whether the targets are met.
fn worlds(cfg: &ForecastConfig, th: &Thresholds) {
    let seeds = world_seeds(&HELD_OUT_SEEDS);
    println!(
        "\nissue 28: seeds {seeds:?}, warning at P{} ≥ {} (release < {}), load average {} at the start",
        th.lead_days, th.warning_fire, th.warning_release, load()
    );
    println!("\n| generator | rule | fills warned ≥ 14 d ahead | median lead, d | false warnings / ward / quarter |");
    println!("| --- | --- | --- | --- | --- |");
    let mut verdicts = Vec::new();
    for g in generators() {
        let start = Instant::now();
        // The project's forecast as it runs live: told the raid calendar where there is one.
        let v = Versus::build(g, &seeds, cfg, g.has_calendar());
        let untold = g.has_calendar().then(|| v.without_calendar(cfg));
        let also = untold
            .as_deref()
            .map(|d| ("project without the raid calendar", d));
        let (rows, verdict) = versus::table(&v, th, also);
        print!("{rows}");
        verdicts.push((g, verdict, start.elapsed().as_secs_f64(), v.wards.len()));
    }
    println!("\n| generator | held out | share of the ceiling (≥ 0.80) | over the fixed 90 % rule (≥ +10 points) | false / ward / quarter (≤ 0.6) | targets | forecasts, s |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (g, v, secs, wards) in &verdicts {
        println!(
            "| {} | {} | {:.2} | {:+.1} | {:.2} | {} | {secs:.1} ({wards} wards × 2) |",
            g.name(),
            if g.held_out() { "yes" } else { "no" },
            v.of_ceiling,
            100.0 * v.over_fixed,
            v.false_rate,
            if v.met() { "met" } else { "missed" }
        );
    }
    println!("load average at the end: {}", load());
}

/// The warning grid on the tuning seeds of the generators not held out: for each setting,
/// each generator's verdict, and the worst one (the setting is chosen by its worst
/// generator, not its average).
fn worlds_search(cfg: &ForecastConfig) {
    let seeds = world_seeds(&TUNING_SEEDS);
    let gens: Vec<Generator> = generators().into_iter().filter(|g| !g.held_out()).collect();
    let built: Vec<Versus> = gens
        .iter()
        .map(|&g| Versus::build(g, &seeds, cfg, g.has_calendar()))
        .collect();
    println!(
        "tuning seeds {seeds:?}, generators {:?}",
        gens.iter().map(|g| g.name()).collect::<Vec<_>>()
    );
    println!("| lead | fire | release | worst shortfall | per generator: share, of ceiling, over fixed, false |");
    println!("| --- | --- | --- | --- | --- |");
    let mut results = Vec::new();
    for lead in [14u32, 21, 30] {
        for fire in [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6] {
            for release in [0.05, 0.1, 0.15, 0.2, 0.3] {
                if release > fire - 0.049 {
                    continue;
                }
                let th = Thresholds {
                    lead_days: lead,
                    warning_fire: fire,
                    warning_release: release,
                    ..Thresholds::default()
                };
                let mut worst = f64::NEG_INFINITY;
                let mut cells = Vec::new();
                for v in &built {
                    let p = v.project(&th);
                    let verdict = Verdict::of(
                        &p,
                        &v.ceiling(&th),
                        &v.best_baseline(versus::BASELINES[0], &th),
                    );
                    worst = worst.max(verdict.shortfall());
                    cells.push(format!(
                        "{} {:.3}, {:.2}, {:+.3}, {:.2}",
                        v.generator.name(),
                        verdict.share,
                        verdict.of_ceiling,
                        verdict.over_fixed,
                        verdict.false_rate
                    ));
                }
                results.push((
                    worst,
                    format!(
                        "| {lead} | {fire} | {release} | {worst:+.3} | {} |",
                        cells.join("; ")
                    ),
                ));
            }
        }
    }
    results.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (_, line) in results {
        println!("{line}");
    }
}

/// `SIMLONTAR_BENCH_DIAG=<generator>`: per ward of one generator (tuning seeds), its fills
/// and the fills warned ≥ 14 days ahead by each rule, to see where a model loses.
fn diag(cfg: &ForecastConfig, th: &Thresholds, g: Generator) {
    let seeds = world_seeds(&TUNING_SEEDS);
    let v = Versus::build(g, &seeds, cfg, false);
    let prow = gate::alert_rows(&v.wards, &v.project, th);
    let crow = gate::alert_rows(&v.wards, &v.ceiling, th);
    println!(
        "| ward | cap | mean occ | fills | project | ceiling | fixed | proj false | fixed false |"
    );
    for w in &v.wards {
        let one = std::slice::from_ref(w);
        let p = score::score(one, &prow, WARM_UP);
        let c = score::score(one, &crow, WARM_UP);
        let frows = baseline::replay_ward(
            w,
            versus::BASELINES[0],
            th.release_runs,
            Some(th.rearm_runs),
        );
        let f = score::score(one, &frows, WARM_UP);
        let occ = w
            .days
            .iter()
            .map(|d| d.occupancy as f64 / d.capacity.max(1) as f64)
            .sum::<f64>()
            / w.days.len() as f64;
        println!(
            "| {} | {} | {:.2} | {} | {} | {} | {} | {} | {} |",
            w.upt,
            w.days[0].capacity,
            occ,
            p.events,
            p.warned_ahead,
            c.warned_ahead,
            f.warned_ahead,
            p.false_warnings,
            f.false_warnings
        );
    }
}
