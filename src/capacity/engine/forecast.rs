//! The forecast for one ward (or one whole UPT): the chance it fills within 7/14/30 days,
//! the day it probably fills, and the free beds to expect each day.
//!
//! Method (A2 of the reliability reference): each resident with elapsed stay e is still
//! there h days later with probability S(e+h)/S(e); newcomers arrive as Poisson(m·λ(t+u)),
//! m drawn for each path from the posterior of the rate, and stay per S; arrivals that find
//! no bed are diverted. The occupancy paths are simulated, because
//! what matters is whether the ward is full on *some* day (first passage), which the
//! per-day marginals under-state. The closed form of each day's marginal is kept as a test oracle.
use chrono::{Datelike, Duration, NaiveDate};
use rand::RngCore;

use super::demand::{self, Announced, Demand, DemandConfig};
use super::sample::{mixed_poisson_pmf, stream, Arrivals, Leaving, Levels, Sampler};
use super::survival::Survival;

/// Days simulated ahead.
pub const HORIZON: u32 = 30;

/// One current resident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resident {
    /// Whole days since admission, as of `today` (0 = admitted today).
    pub elapsed_days: u32,
    /// A departure already scheduled (a repatriation), in days from today (1 = tomorrow).
    /// Such a resident leaves on that day for certain and not before.
    pub planned_departure_in: Option<u32>,
}

/// Someone who may come to the ward: on day `day` ahead (1 = tomorrow), with chance
/// `chance` (a person referred to the UPT and not yet placed, or picked up and not yet
/// routed, whom the routing would send to this ward that often).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Expected {
    pub day: u32,
    pub chance: f64,
}

/// Everything the forecast reads. Built from the database (placements) or from an
/// aggregate daily history (see `reconstruct`); the forecast itself does no I/O.
#[derive(Debug, Clone)]
pub struct WardInput<'a> {
    /// The day evaluated; occupancy counts people present at the end of it.
    pub today: NaiveDate,
    /// Beds in use-able state today.
    pub capacity: u32,
    /// Beds on each of the next `HORIZON` days (index h-1) when they change ahead: a bed
    /// count changed or a closure recorded (a closed ward's beds are gone on its days).
    /// `None`: `capacity` every day.
    pub capacity_ahead: Option<&'a [u32]>,
    /// The people in the ward at the end of `today`.
    pub residents: &'a [Resident],
    /// Length-of-stay curve: `Survival::choose` over the ward's completed stays of the last
    /// 2–3 years with `residents` censored, pooled by category when the ward has few.
    pub survival: &'a Survival,
    /// People routed to the ward per day, oldest first, the last entry being `today`.
    /// Include those turned away because it was full: they are demand all the same.
    /// Up to a year and a half is read (56 days for the rate, earlier years for the surge).
    pub arrivals: &'a [u32],
    /// People already assigned to the ward and on their way (waiting list, held beds):
    /// they arrive tomorrow for the forecast.
    pub waiting: u32,
    /// People who may come, each on a day with a chance (`Expected`); like the waiting
    /// list, on top of the demand rate.
    pub expected: &'a [Expected],
    /// Surges announced ahead (the raid calendar): their days' demand is expected at their
    /// factor, in the history (so a raid is not read as a change of the usual rate) and ahead.
    pub announced: &'a [Announced],
    /// The expected demand of each of the next `HORIZON` days when it is known: only the
    /// backtest's known-rates ceiling knows it. `None`: estimated from `arrivals`.
    pub known_rates: Option<&'a [f64]>,
    /// Deterministic RNG seed, see `seed`.
    pub seed: u64,
}

/// How hard to simulate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForecastConfig {
    pub paths: u32,
    /// Stop early, in batches, once every decision that reads the forecast is settled (see
    /// `StopRule`); `None`: always run `paths` (the daily job, whose figures are shown).
    pub stop: Option<StopRule>,
    /// Whether to follow every path to the horizon for the free beds of each day. Without,
    /// a path ends on the day it fills and `Forecast::free_beds` is empty; the probabilities
    /// are the same either way (each path has its own random stream).
    pub free_beds: bool,
    pub demand: DemandConfig,
}

impl Default for ForecastConfig {
    fn default() -> Self {
        ForecastConfig {
            // Standard error of a probability at most 0.5/sqrt(200) = 0.035: well inside the
            // ±0.10 calibration target, and cheap enough to replay years of history.
            paths: 200,
            stop: None,
            free_beds: true,
            demand: DemandConfig::default(),
        }
    }
}

/// Where the answer is clear, fewer paths. The decisions that read a forecast are
/// comparisons "P(full within h days) ≥ t" (the alert thresholds). After each batch of
/// paths, a comparison is settled when the count of paths filled by day h is one that a
/// true probability of exactly t would give less often than `ALPHA`, on either side; when
/// all are settled the simulation stops. The first paths are the same draws as a full run's,
/// so the two can disagree only if the remaining paths carried the estimate back across t:
/// about `ALPHA` per comparison at worst, and far below it in practice since the full
/// estimate keeps the early paths (`quick_and_full_runs_raise_the_same_alerts` replays
/// generated histories both ways).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StopRule {
    /// (horizon in days, threshold) pairs.
    pub decisions: [(u32, f64); 7],
}

/// The residents' departures are drawn a batch of paths at a time, in batches that do not
/// depend on the stop rule (so a stopped run's paths are a full run's first paths): small
/// first, where most runs stop (after 8 or 32 paths), then `BATCH`.
pub const BATCH: u32 = 56;

/// The paths of the batch that starts at path `start`.
fn batch_len(start: u32) -> u32 {
    match start {
        0..8 => 8,
        8..32 => 24,
        _ => BATCH,
    }
}

/// The stop rule looks after every this many paths: a ward far from full settles the 0.2
/// warning threshold after 32 paths without a fill (0.8³² < `StopRule::ALPHA`).
pub const LOOK_EVERY: u32 = 8;

/// The random stream of the residents' departures of batch j (path k uses stream k).
const RESIDENT_STREAMS: u64 = 1 << 32;

impl StopRule {
    const ALPHA: f64 = 1e-3;

    /// Whether `filled[h-1]` paths out of `n` filled by day h settle every decision.
    pub fn settled(&self, filled: &[u32], n: u32) -> bool {
        self.decisions
            .iter()
            .all(|&(h, t)| Self::decided(n, filled_by(filled, h), t))
    }

    /// Whether `c` of `n` paths settle "P ≥ t": a true probability of exactly t would give
    /// a count this far from its expectation less often than `ALPHA`, on either side.
    pub fn decided(n: u32, c: u32, t: f64) -> bool {
        binomial_tail_below(n, c, t) < Self::ALPHA
            || binomial_tail_below(n, n - c, 1.0 - t) < Self::ALPHA
    }
}

/// Of `filled` (paths full by each day so far), those full by day h.
pub fn filled_by(filled: &[u32], h: u32) -> u32 {
    filled[h.clamp(1, HORIZON) as usize - 1]
}

/// P(X ≤ c) for X ~ Binomial(n, t). The stop rule asks this every few paths, so the terms
/// come by recurrence from P(X = 0) (one power, no logarithm per term); a P(X = 0) too small
/// for a float (t near 1, which no threshold is) is summed in log space instead.
fn binomial_tail_below(n: u32, c: u32, t: f64) -> f64 {
    if t <= 0.0 {
        return 1.0;
    }
    if t >= 1.0 {
        return if c >= n { 1.0 } else { 0.0 };
    }
    let first = (1.0 - t).powi(n as i32);
    if first < 1e-300 {
        return binomial_tail_in_logs(n, c, t);
    }
    let odds = t / (1.0 - t);
    let (mut term, mut total) = (first, first);
    for k in 1..=c.min(n) {
        term *= (n - k + 1) as f64 / k as f64 * odds;
        total += term;
    }
    total
}

fn binomial_tail_in_logs(n: u32, c: u32, t: f64) -> f64 {
    let (lt, lq) = (t.ln(), (1.0 - t).ln());
    let mut log_choose = 0.0;
    let mut total = 0.0;
    for k in 0..=c.min(n) {
        if k > 0 {
            log_choose += ((n - k + 1) as f64).ln() - (k as f64).ln();
        }
        total += (log_choose + k as f64 * lt + (n - k) as f64 * lq).exp();
    }
    total
}

/// Expected free beds on one future day, with an 80 % interval (each tail nearest 10 %).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FreeBeds {
    pub mean: f64,
    pub low: u32,
    pub high: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// `p_within[h-1]` = P(full on some day within h days), h = 1..=HORIZON.
    pub p_within: Vec<f64>,
    /// The median day of filling: the first h with `p_within ≥ 0.5`, `None` if P30 < 0.5;
    /// 0 when the ward is full today.
    pub days_to_full: Option<u32>,
    /// `free_beds[h-1]` for h = 1..=HORIZON; empty when not asked for (`ForecastConfig`).
    pub free_beds: Vec<FreeBeds>,
    pub demand: Demand,
    /// Paths simulated (fewer than asked when a `StopRule` settled early).
    pub paths: u32,
}

impl Forecast {
    /// P(full within `days` days), days clamped to 1..=HORIZON.
    pub fn p(&self, days: u32) -> f64 {
        self.p_within[days.clamp(1, HORIZON) as usize - 1]
    }
}

/// The seed for a ward on a day: the same inputs give the same forecast on any machine.
pub fn seed(ward_key: &str, day: NaiveDate) -> u64 {
    // FNV-1a: stable across Rust versions, unlike the std hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in ward_key.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    h ^ (day.num_days_from_ce() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The demand estimate and the calendar's factor on each future day h = 1..=HORIZON
/// (index h-1); expected arrivals are a path's level times the factor (waiting list apart).
fn daily_factors(input: &WardInput, cfg: &ForecastConfig) -> (Demand, Vec<f64>) {
    if let Some(known) = input.known_rates {
        // Known rates: the level is 1 and the factors are the rates; nothing uncertain.
        let d = Demand {
            base_rate: 1.0,
            shape: f64::INFINITY,
            surge_factor: 1.0,
            ..Demand::default()
        };
        let factors = (0..HORIZON as usize)
            .map(|i| known.get(i).copied().unwrap_or(0.0))
            .collect();
        return (d, factors);
    }
    let d = demand::estimate(input.arrivals, input.today, input.announced, &cfg.demand);
    let factors = (1..=HORIZON)
        .map(|h| d.factor_on(input.today + Duration::days(h as i64)))
        .collect();
    (d, factors)
}

/// The cumulative expected arrivals of a path whose level is `level`, by the end of each
/// day (`cumulative[0]` = 0), from the cumulative calendar factors.
fn path_cumulative(factor_sum: &[f64], level: (f64, Option<(usize, f64)>), out: &mut [f64]) {
    let (now, change) = level;
    out[0] = 0.0;
    for h in 1..out.len() {
        let rate = match change {
            Some((day, after)) if h >= day => after,
            _ => now,
        };
        out[h] = out[h - 1] + rate * (factor_sum[h] - factor_sum[h - 1]);
    }
}

/// Runs the simulation (see `Forecaster` to keep its tables from one day to the next).
pub fn forecast(input: &WardInput, cfg: &ForecastConfig) -> Forecast {
    Forecaster::default().run(input, cfg)
}

/// The simulation with what it can keep between the days of one ward: the departure
/// samplers of residents by elapsed stay (a resident's curve S(e+h)/S(e) depends on nothing
/// else, and the survival curve changes weekly at most) and the buffers of the paths.
#[derive(Default)]
pub struct Forecaster {
    survival: Option<Survival>,
    /// `by_elapsed[e]`: the sampler of a resident who has stayed e days.
    by_elapsed: Vec<Option<Leaving>>,
    newcomer: Option<Sampler>,
    planned: Vec<Leaving>,
}

impl Forecaster {
    /// The forecast for `input`; the same as `forecast(input, cfg)`.
    pub fn run(&mut self, input: &WardInput, cfg: &ForecastConfig) -> Forecast {
        let rule = cfg.stop;
        self.run_until(input, cfg, &|filled, n| {
            rule.is_some_and(|r| r.settled(filled, n))
        })
    }

    /// The forecast, stopping at the first look (every `LOOK_EVERY` paths) at which
    /// `settled(filled, paths)` holds, `filled[h-1]` being the paths full on some day ≤ h so
    /// far (`cfg.stop` is not read: the caller knows better which decisions are open, see
    /// `replay::WardAlerts`).
    pub fn run_until(
        &mut self,
        input: &WardInput,
        cfg: &ForecastConfig,
        settled: &dyn Fn(&[u32], u32) -> bool,
    ) -> Forecast {
        let cap = input.capacity;
        let h_max = HORIZON as usize;
        let (demand, factors) = daily_factors(input, cfg);
        let occupied = input.residents.len() as u32;
        if cap == 0 || occupied >= cap {
            return full_now(demand);
        }
        // The beds of day h (1-based), as known today.
        let cap_on = |h: usize| {
            (input.capacity_ahead)
                .and_then(|c| c.get(h - 1).copied())
                .unwrap_or(cap)
        };
        let most = (1..=h_max).map(cap_on).max().unwrap_or(cap).max(cap);
        self.prepare(input);
        let stay: Vec<&Leaving> = {
            let mut planned = self.planned.iter();
            (input.residents.iter())
                .map(|r| match r.planned_departure_in {
                    Some(_) => planned.next().expect("one per planned departure"),
                    None => self.by_elapsed[r.elapsed_days as usize]
                        .as_ref()
                        .expect("prepared"),
                })
                .collect()
        };
        let newcomer = self.newcomer.as_ref().expect("prepared");
        // Cumulative calendar factors, and a path's cumulative expected arrivals.
        let mut factor_sum = vec![0.0; h_max + 1];
        for h in 1..=h_max {
            factor_sum[h] = factor_sum[h - 1] + factors[h - 1];
        }
        let mut cumulative = vec![0.0; h_max + 1];
        let levels = Levels::new(&demand);
        let mut coming = vec![0u32; h_max + 1];

        let mut first_full = vec![0u32; h_max + 1];
        // free_hist[(h - 1) * beds + free]: paths with `free` beds on day h.
        let beds = most as usize + 1;
        let mut free_hist = vec![0u32; h_max * beds];
        let width = h_max + 2;
        let mut leaving = vec![0u32; width];
        // The residents' departures of the current batch: resident_leaving[j * width + day].
        let mut resident_leaving = vec![0u32; BATCH as usize * width];
        let mut paths = 0;
        // Batches drawn so far, and the paths of the current one.
        let (mut batches, mut batch_start, mut batch_end) = (0, 0, 0);
        // filled[h-1]: paths full on some day ≤ h so far (for the stop rule).
        let mut filled_by = vec![0u32; h_max];
        while paths < cfg.paths {
            if paths % LOOK_EVERY == 0 && paths > 0 && settled(&filled_by, paths) {
                break;
            }
            if paths == batch_end {
                (batch_start, batch_end) = (paths, paths + batch_len(paths));
                let n = (batch_end - batch_start) as usize;
                resident_leaving[..n * width]
                    .iter_mut()
                    .for_each(|x| *x = 0);
                let mut rng = stream(input.seed, RESIDENT_STREAMS + batches);
                batches += 1;
                for resident in &stay {
                    resident.add(&mut resident_leaving, width, n, &mut rng);
                }
            }
            let j = (paths - batch_start) as usize;
            leaving.copy_from_slice(&resident_leaving[j * width..(j + 1) * width]);
            // Each path its own stream: a path that ends early does not shift the draws of the
            // next, so the probabilities do not depend on `free_beds`.
            let mut rng = stream(input.seed, paths as u64);
            paths += 1;
            let level = levels.draw(&mut rng);
            // Who of the expected people comes in this path, and when.
            if !input.expected.is_empty() {
                coming.iter_mut().for_each(|c| *c = 0);
                for e in input.expected {
                    let u = rng.next_u64() as f64 * (1.0 / 18_446_744_073_709_551_616.0);
                    if u < e.chance {
                        coming[e.day.clamp(1, HORIZON) as usize] += 1;
                    }
                }
            }
            let mut arrivals = match level {
                (m, None) => Arrivals::new(&factor_sum, m, &mut rng),
                changing => {
                    path_cumulative(&factor_sum, changing, &mut cumulative);
                    Arrivals::new(&cumulative, 1.0, &mut rng)
                }
            };
            let mut occ = occupied;
            let mut filled = None;
            for h in 1..=h_max {
                let cap = cap_on(h);
                occ -= leaving[h];
                let mut come = arrivals.on_day(h, &mut rng) + coming[h];
                if h == 1 {
                    come += input.waiting;
                }
                let admitted = come.min(cap.saturating_sub(occ));
                for _ in 0..admitted {
                    // Stays of 0 days end before the evening count: they never occupy a bed.
                    match newcomer.departure(rng.next_u32()) {
                        Some(0) => continue,
                        Some(l) if h + l <= h_max => leaving[h + l] += 1,
                        _ => {}
                    }
                    occ += 1;
                }
                if occ >= cap && filled.is_none() {
                    filled = Some(h);
                    if !cfg.free_beds {
                        break;
                    }
                }
                if cfg.free_beds {
                    free_hist[(h - 1) * beds + cap.saturating_sub(occ) as usize] += 1;
                }
            }
            first_full[filled.unwrap_or(0)] += 1;
            if let Some(h) = filled {
                filled_by[h - 1..].iter_mut().for_each(|x| *x += 1);
            }
        }
        let n = paths.max(1) as f64;
        let mut p_within = Vec::with_capacity(h_max);
        let mut acc = 0;
        for count in &first_full[1..] {
            acc += count;
            p_within.push(acc as f64 / n);
        }
        let free_beds = match cfg.free_beds {
            true => free_hist.chunks(beds).map(|h| interval(h, n)).collect(),
            false => Vec::new(),
        };
        Forecast {
            days_to_full: p_within
                .iter()
                .position(|&p| p >= 0.5)
                .map(|i| i as u32 + 1),
            p_within,
            free_beds,
            demand,
            paths,
        }
    }

    /// Samplers for every resident of `input`, built only for elapsed stays not seen before
    /// with this survival curve.
    fn prepare(&mut self, input: &WardInput) {
        if self.survival.as_ref() != Some(input.survival) {
            self.survival = Some(input.survival.clone());
            self.by_elapsed.clear();
            // Unconditional for newcomers: a stay of 0 days (gone before the evening count) is possible.
            let newcomer = (0..=HORIZON).map(|h| input.survival.at(h)).collect();
            self.newcomer = Some(Sampler::new(newcomer, 12));
        }
        self.planned.clear();
        for r in input.residents {
            match r.planned_departure_in {
                Some(p) => {
                    let curve: Vec<f64> = (0..=HORIZON).map(|h| (h < p) as u8 as f64).collect();
                    self.planned.push(Leaving::new(&curve));
                }
                None => {
                    let e = r.elapsed_days as usize;
                    if self.by_elapsed.len() <= e {
                        self.by_elapsed.resize_with(e + 1, || None);
                    }
                    if self.by_elapsed[e].is_none() {
                        let curve = input.survival.conditional(r.elapsed_days, HORIZON);
                        self.by_elapsed[e] = Some(Leaving::new(&curve));
                    }
                }
            }
        }
    }
}

fn full_now(demand: Demand) -> Forecast {
    let none = FreeBeds {
        mean: 0.0,
        low: 0,
        high: 0,
    };
    Forecast {
        p_within: vec![1.0; HORIZON as usize],
        days_to_full: Some(0),
        free_beds: vec![none; HORIZON as usize],
        demand,
        paths: 0,
    }
}

/// Mean and 80 % interval of a histogram of free beds (`n` paths). Free beds are small
/// counts, so the plain 10th and 90th percentiles would each take in a whole step of the
/// distribution and cover well over 80 %; each end is instead the count whose tail beyond it
/// holds the mass nearest 10 %, the smaller tail on a tie.
fn interval(hist: &[u32], n: f64) -> FreeBeds {
    let mean = hist
        .iter()
        .enumerate()
        .map(|(k, &c)| k as f64 * c as f64)
        .sum::<f64>()
        / n;
    // Integer arithmetic, so that ties are exact: below[k] = paths with fewer than k free.
    let total: i64 = hist.iter().map(|&c| i64::from(c)).sum();
    let below: Vec<i64> = std::iter::once(0)
        .chain(hist.iter().scan(0, |acc, &c| {
            *acc += i64::from(c);
            Some(*acc)
        }))
        .collect();
    let tail_rank = |tail: i64| ((10 * tail - total).abs(), tail);
    // Among equal tails (empty counts between) the end nearest the mass is kept.
    let last = hist.len() - 1;
    let low = (0..=last)
        .rev()
        .min_by_key(|&k| tail_rank(below[k]))
        .unwrap_or(0);
    let high = (0..=last)
        .min_by_key(|&k| tail_rank(total - below[k + 1]))
        .unwrap_or(0);
    FreeBeds {
        mean,
        low: low as u32,
        high: high.max(low) as u32,
    }
}

/// The closed form of P(occupancy ≥ capacity on day h) without diversions: residents are a
/// Poisson-binomial; newcomers still present are Poisson with mean Σᵤ λ(u)·c(u)·S(h−u),
/// whose level λ is a Gamma (the posterior of the rate), so a negative binomial with the
/// posterior's shape. With regimes it is a mixture over the candidates and over the day of
/// the next change, after which the level is a second, independent Gamma (a sum of two
/// negative binomials). The maximum over h is a lower bound on the first-passage
/// probability: a path over capacity on day h has been full on some day ≤ h. Test oracle
/// for `forecast`.
pub fn marginal_full(input: &WardInput, cfg: &ForecastConfig, h: u32) -> f64 {
    let cap = input.capacity as usize;
    let (demand, factors) = daily_factors(input, cfg);
    // dist[k] = P(k of the residents and waiting newcomers are present on day h), capped at cap.
    let mut dist = vec![0.0; cap + 1];
    dist[0] = 1.0;
    let mut add = |p: f64| {
        for k in (0..=cap).rev() {
            let stay = dist[k] * p;
            dist[k] -= stay;
            dist[(k + 1).min(cap)] += stay;
        }
    };
    for r in input.residents {
        add(match r.planned_departure_in {
            Some(d) => (h < d) as u8 as f64,
            None => input.survival.conditional(r.elapsed_days, h)[h as usize],
        });
    }
    for _ in 0..input.waiting {
        add(input.survival.at(h - 1));
    }
    for e in input.expected {
        let day = e.day.clamp(1, HORIZON);
        if day <= h {
            add(e.chance * input.survival.at(h - day));
        }
    }
    // exposure(a, b): Σ over days u in [a, b] of c(u)·S(h−u), the newcomers' mean per unit level.
    let exposure = |a: u32, b: u32| -> f64 {
        (a.max(1)..=b.min(h))
            .map(|u| factors[u as usize - 1] * input.survival.at(h - u))
            .sum()
    };
    let mut newcomers = vec![0.0; cap + 1];
    let mut mix = |w: f64, pmf: &[f64]| {
        for (n, p) in newcomers.iter_mut().zip(pmf) {
            *n += w * p;
        }
    };
    if demand.regimes.is_empty() {
        mix(
            1.0,
            &mixed_poisson_pmf(demand.base_rate * exposure(1, h), demand.shape, cap),
        );
    } else {
        let hz = demand.hazard;
        for r in &demand.regimes {
            // The next change on day j ≤ h (chance hz(1−hz)^(j−1)), or none by day h.
            for j in 1..=h + 1 {
                let p = if hz <= 0.0 {
                    (j == h + 1) as u8 as f64
                } else if j <= h {
                    hz * (1.0 - hz).powi(j as i32 - 1)
                } else {
                    (1.0 - hz).powi(h as i32)
                };
                if p == 0.0 {
                    continue;
                }
                let before = mixed_poisson_pmf(r.mean * exposure(1, j - 1), r.shape, cap);
                let after =
                    mixed_poisson_pmf(demand.base_rate * exposure(j, h), demand.prior_shape, cap);
                let mut sum = vec![0.0; cap + 1];
                for (a, pa) in before.iter().enumerate() {
                    for (b, pb) in after.iter().enumerate().take(cap + 1 - a) {
                        sum[a + b] += pa * pb;
                    }
                }
                mix(r.weight * p, &sum);
            }
        }
    }
    // P(R + N ≥ cap) = Σ_k P(R = k) · P(N ≥ cap − k).
    (0..=cap)
        .map(|k| {
            let need = cap - k;
            let less: f64 = newcomers[..need].iter().sum();
            dist[k] * (1.0 - less)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn residents(elapsed: &[u32]) -> Vec<Resident> {
        (elapsed.iter())
            .map(|&e| Resident {
                elapsed_days: e,
                planned_departure_in: None,
            })
            .collect()
    }

    fn input<'a>(
        cap: u32,
        res: &'a [Resident],
        s: &'a Survival,
        arrivals: &'a [u32],
    ) -> WardInput<'a> {
        WardInput {
            today: NaiveDate::from_ymd_opt(2026, 8, 1).unwrap(),
            capacity: cap,
            capacity_ahead: None,
            residents: res,
            survival: s,
            arrivals,
            waiting: 0,
            expected: &[],
            announced: &[],
            known_rates: None,
            seed: 42,
        }
    }

    #[test]
    fn the_interval_ends_where_the_tails_are_nearest_ten_percent() {
        let f = |hist: &[u32]| {
            let n = hist.iter().sum::<u32>() as f64;
            let b = interval(hist, n);
            (b.low, b.high)
        };
        // Percentiles would give 0..=3 (covering 0.98); the tails nearest 10 % give 1..=2.
        assert_eq!(f(&[2, 48, 48, 2]), (1, 2));
        // One count holding everything is its own interval.
        assert_eq!(f(&[0, 0, 10, 0]), (2, 2));
        // Tails of exactly 10 % are left out; a tie (5 % or 15 %) keeps the smaller tail.
        assert_eq!(f(&[10, 80, 10]), (1, 1));
        assert_eq!(f(&[5, 10, 70, 10, 5]), (1, 3));
        // Empty counts at either side do not widen it.
        assert_eq!(f(&[0, 0, 5, 90, 5, 0, 0]), (3, 3));
        let b = interval(&[0, 50, 50], 100.0);
        assert!((b.mean - 1.5).abs() < 1e-12 && (b.low, b.high) == (1, 2));
    }

    #[test]
    fn the_simulation_agrees_with_the_closed_form() {
        let s = Survival::exponential(40.0);
        let res = residents(&(0..17).map(|i| i * 5).collect::<Vec<_>>());
        let arrivals = vec![1u32; 120];
        let inp = input(20, &res, &s, &arrivals);
        let cfg = ForecastConfig {
            paths: 20_000,
            ..ForecastConfig::default()
        };
        let f = forecast(&inp, &cfg);
        let se = |p: f64| 3.0 * (p * (1.0 - p) / 20_000.0).sqrt() + 1e-3;
        // Day 1: first passage and marginal are the same event.
        let m1 = marginal_full(&inp, &cfg, 1);
        assert!((f.p(1) - m1).abs() < se(m1), "{} vs {m1}", f.p(1));
        // Every day's marginal is a lower bound on the first passage by that day.
        let mut best: f64 = 0.0;
        for h in 1..=HORIZON {
            best = best.max(marginal_full(&inp, &cfg, h));
            assert!(f.p(h) >= best - se(best), "h={h}: {} < {best}", f.p(h));
        }
        // And first passage is strictly more likely than any single day by 30 days.
        assert!(f.p(30) > best + 0.02, "{} vs {best}", f.p(30));
        assert!(f.p_within.windows(2).all(|w| w[1] >= w[0]));
    }

    #[test]
    fn the_same_seed_gives_the_same_forecast_and_another_seed_another() {
        let s = Survival::exponential(30.0);
        let res = residents(&[1, 2, 3, 4, 5, 6, 7, 8]);
        let arrivals = vec![1u32; 60];
        let mut a = input(10, &res, &s, &arrivals);
        let cfg = ForecastConfig::default();
        assert_eq!(forecast(&a, &cfg), forecast(&a, &cfg));
        let first = forecast(&a, &cfg);
        a.seed = 43;
        assert_ne!(first.p_within, forecast(&a, &cfg).p_within);
    }

    #[test]
    fn planned_departures_lower_the_risk_from_their_day() {
        let s = Survival::exponential(500.0);
        let mut res = residents(&[10; 9]);
        let arrivals = vec![0u32; 60];
        let mut inp = input(10, &res, &s, &arrivals);
        inp.waiting = 1;
        let cfg = ForecastConfig::default();
        // One waiting person fills the last bed tomorrow.
        assert!(forecast(&inp, &cfg).p(1) > 0.95);
        for r in res.iter_mut().take(3) {
            r.planned_departure_in = Some(1);
        }
        let mut inp = input(10, &res, &s, &arrivals);
        inp.waiting = 1;
        let f = forecast(&inp, &cfg);
        assert!(f.p(30) < 0.05, "{}", f.p(30));
        assert!(f.free_beds[0].mean > 2.5 && f.free_beds[0].low <= f.free_beds[0].high);
    }

    #[test]
    fn people_expected_come_on_their_day_with_their_chance() {
        let s = Survival::exponential(10_000.0);
        let res = residents(&[5; 9]);
        let arrivals = vec![0u32; 60];
        let cfg = ForecastConfig {
            paths: 4000,
            ..ForecastConfig::default()
        };
        let sure = [Expected {
            day: 3,
            chance: 1.0,
        }];
        let mut inp = input(10, &res, &s, &arrivals);
        inp.expected = &sure;
        let f = forecast(&inp, &cfg);
        assert!(f.p(2) < 0.01 && f.p(3) > 0.99, "{:?}", &f.p_within[..4]);
        // Two people with a chance of a half each: the ward fills when either comes.
        let maybe = [
            Expected {
                day: 2,
                chance: 0.5,
            },
            Expected {
                day: 4,
                chance: 0.5,
            },
        ];
        inp.expected = &maybe;
        let f = forecast(&inp, &cfg);
        assert!((f.p(2) - 0.5).abs() < 0.04, "{}", f.p(2));
        assert!((f.p(4) - 0.75).abs() < 0.04, "{}", f.p(4));
        // The closed form agrees on the day they might both be there.
        let m = marginal_full(&inp, &cfg, 4);
        assert!((m - 0.75).abs() < 0.01, "{m}");
    }

    #[test]
    fn a_full_ward_is_full_now_and_an_empty_quiet_one_does_not_fill() {
        let s = Survival::exponential(30.0);
        let full = residents(&[3; 10]);
        let arrivals = vec![0u32; 60];
        let f = forecast(&input(10, &full, &s, &arrivals), &ForecastConfig::default());
        assert_eq!((f.p(7), f.days_to_full), (1.0, Some(0)));
        let few = residents(&[3; 2]);
        let f = forecast(&input(10, &few, &s, &arrivals), &ForecastConfig::default());
        assert_eq!((f.p(30), f.days_to_full), (0.0, None));
    }

    #[test]
    fn a_closure_ahead_fills_the_ward_on_its_first_day_and_frees_beds_after() {
        let s = Survival::exponential(30.0);
        let few = residents(&[3; 2]);
        let arrivals = vec![0u32; 60];
        // Closed (no beds) on days 10 to 12 ahead, 10 beds otherwise.
        let ahead: Vec<u32> = (1..=HORIZON)
            .map(|h| if (10..=12).contains(&h) { 0 } else { 10 })
            .collect();
        let mut i = input(10, &few, &s, &arrivals);
        i.capacity_ahead = Some(&ahead);
        let f = forecast(&i, &ForecastConfig::default());
        assert_eq!((f.p(9), f.p(10), f.days_to_full), (0.0, 1.0, Some(10)));
        assert_eq!(f.free_beds[10].high, 0);
        assert!(f.free_beds[12].mean > 7.0, "{:?}", f.free_beds[12]);
    }

    #[test]
    fn the_binomial_tail_by_recurrence_is_the_one_in_logs() {
        for (n, t) in [(8, 0.2), (32, 0.15), (200, 0.6), (200, 0.05), (200, 0.85)] {
            for c in [0, 1, n / 4, n / 2, n] {
                let (a, b) = (binomial_tail_below(n, c, t), binomial_tail_in_logs(n, c, t));
                assert!(
                    (a - b).abs() <= 1e-12 + 1e-9 * b,
                    "n={n} c={c} t={t}: {a} vs {b}"
                );
            }
        }
        // P(X = 0) below a float's range goes to the logs.
        assert!(binomial_tail_below(200, 0, 0.99) < 1e-300);
        assert!((binomial_tail_below(10, 10, 0.5) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn the_seed_depends_on_ward_and_day() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(seed("A/L", d), seed("A/L", d));
        assert_ne!(seed("A/L", d), seed("A/P", d));
        assert_ne!(seed("A/L", d), seed("A/L", d.succ_opt().unwrap()));
    }
}
