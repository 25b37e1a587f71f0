//! Random draws for the forecast's simulation, kept apart because they are its hot loop:
//! departure days by inverse CDF (a table in front of the search), each path's demand rate
//! drawn from its posterior, and the arrivals of a Poisson process at that rate.
use rand::{RngCore, SeedableRng};
use rand_distr::{Distribution, Exp1, Gamma};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The simulation's generator: xoshiro256++, small and fast, with a fixed algorithm (the same
/// seed gives the same draws on any machine and version). Each path gets its own, seeded
/// from the forecast's seed and the path's number (`stream`).
pub type PathRng = Xoshiro256PlusPlus;

/// Each path's demand rate as a multiple of the estimated one, drawn from the Gamma
/// posterior of λ (shape k + α, scaled to mean 1). A fixed λ would ignore that 56 days of
/// counts pin a rate down only to about 1/√k, and the forecast would be over-confident; with
/// the draw, a path's arrivals are negative binomial and the paths' arrivals are correlated
/// over the days, as they are when the rate is simply higher than estimated.
pub struct RateDraw(Option<Gamma<f64>>);

impl RateDraw {
    /// `shape` ≤ 0 (no arrivals and no prior) or not finite: the rate is taken as known.
    pub fn new(shape: f64) -> RateDraw {
        RateDraw(
            (shape > 0.0 && shape.is_finite())
                .then(|| Gamma::new(shape, 1.0 / shape).ok())
                .flatten(),
        )
    }

    pub fn draw(&self, rng: &mut PathRng) -> f64 {
        self.0.as_ref().map_or(1.0, |g| g.sample(rng))
    }
}

/// Each path's demand level ahead: today's rate, drawn from the current regime's posterior
/// (a candidate by its weight, then its Gamma), and, with a hazard, the day it changes and
/// the new rate, drawn from the prior around the usual rate (a surge ends; a lull too).
/// Without regimes it is `RateDraw` around the usual rate, draw for draw.
pub struct Levels {
    usual: f64,
    around_usual: RateDraw,
    /// Cumulative weights and (mean, rate draw) of the candidates.
    cumulative: Vec<f64>,
    candidates: Vec<(f64, RateDraw)>,
    /// ln(1 − hazard); 0 when the rate never changes ahead.
    ln_stay: f64,
    new_regime: RateDraw,
}

/// A path's level: the rate (arrivals per day at calendar factor 1) until `change`, if any:
/// from that day (1-based) on, the second rate.
pub type Level = (f64, Option<(usize, f64)>);

impl Levels {
    pub fn new(d: &super::demand::Demand) -> Levels {
        let mut acc = 0.0;
        let cumulative = (d.regimes.iter())
            .map(|r| {
                acc += r.weight;
                acc
            })
            .collect();
        Levels {
            usual: d.base_rate,
            around_usual: RateDraw::new(d.shape),
            cumulative,
            candidates: (d.regimes.iter())
                .map(|r| (r.mean, RateDraw::new(r.shape)))
                .collect(),
            ln_stay: if d.hazard > 0.0 && d.hazard < 1.0 {
                (1.0 - d.hazard).ln()
            } else {
                0.0
            },
            new_regime: RateDraw::new(d.prior_shape),
        }
    }

    pub fn draw(&self, rng: &mut PathRng) -> Level {
        if self.candidates.is_empty() {
            return (self.usual * self.around_usual.draw(rng), None);
        }
        let i = if self.candidates.len() == 1 {
            0
        } else {
            let u = uniform(rng) * self.cumulative[self.cumulative.len() - 1];
            self.cumulative
                .partition_point(|&c| c <= u)
                .min(self.candidates.len() - 1)
        };
        let (mean, draw) = &self.candidates[i];
        let now = mean * draw.draw(rng);
        if self.ln_stay == 0.0 {
            return (now, None);
        }
        // The day of the next change: geometric, ⌈ln U / ln(1 − h)⌉ (at least 1).
        let u = 1.0 - uniform(rng);
        let day = ((u.ln() / self.ln_stay).ceil() as usize).max(1);
        if day > super::forecast::HORIZON as usize {
            return (now, None);
        }
        (now, Some((day, self.usual * self.new_regime.draw(rng))))
    }
}

/// Uniform in [0, 1).
fn uniform(rng: &mut PathRng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Arrivals of a Poisson process whose expected count by the end of day h is
/// `m · cumulative[h]` (`cumulative[0]` = 0): one exponential gap per arrival, so a quiet
/// ward costs a few draws rather than one per day.
pub struct Arrivals<'a> {
    cumulative: &'a [f64],
    scale: f64,
    next: f64,
}

impl<'a> Arrivals<'a> {
    pub fn new(cumulative: &'a [f64], m: f64, rng: &mut PathRng) -> Arrivals<'a> {
        let scale = if m > 0.0 { 1.0 / m } else { f64::INFINITY };
        let next = gap(rng, scale);
        Arrivals {
            cumulative,
            scale,
            next,
        }
    }

    /// Arrivals on day h (1-based); days must be asked in order.
    pub fn on_day(&mut self, h: usize, rng: &mut PathRng) -> u32 {
        let mut n = 0;
        while self.next <= self.cumulative[h] {
            n += 1;
            self.next += gap(rng, self.scale);
        }
        n
    }
}

fn gap(rng: &mut PathRng, scale: f64) -> f64 {
    let e: f64 = Exp1.sample(rng);
    e * scale
}

/// P(N = k) for k = 0..=n of the negative binomial that a Gamma(shape, mean 1) multiple of a
/// Poisson(mean) gives: the closed form of `RateDraw` and `Arrivals` together. An infinite
/// or non-positive shape gives the Poisson.
pub fn mixed_poisson_pmf(mean: f64, shape: f64, n: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(n + 1);
    let poisson = !(shape > 0.0 && shape.is_finite());
    let (mut p, ratio) = if poisson {
        ((-mean).exp(), 0.0)
    } else {
        ((shape / (shape + mean)).powf(shape), mean / (shape + mean))
    };
    for k in 0..=n {
        out.push(p);
        let k = k as f64;
        p *= if poisson {
            mean / (k + 1.0)
        } else {
            (k + shape) / (k + 1.0) * ratio
        };
    }
    out
}

/// The generator of stream `k` of a seed: paths (and batches of resident departures) do
/// not shift one another's draws, whatever each of them draws.
pub fn stream(seed: u64, k: u64) -> PathRng {
    // seed_from_u64 runs SplitMix64 over this, so neighbouring streams are unrelated.
    PathRng::seed_from_u64(seed ^ k.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// A current resident's departure, drawn for many paths at once: the chance q of leaving
/// within the horizon, and the day given that they leave. Most residents of a long-stay ward
/// stay past the horizon in most paths, so rather than a draw per path, the gaps between
/// the paths in which the resident leaves are drawn (geometric, one logarithm each).
/// One is built for nearly every resident every day (their elapsed stays move on), so it
/// holds its curve inline, and the day is found by a search of its 31 points rather than
/// through a `Sampler`, whose table costs more to build than the few draws it would speed.
pub struct Leaving {
    q: f64,
    /// ln(1 − q).
    ln_stay: f64,
    /// P(still there after h days | leaves within the horizon), h = 0..`len`.
    given: [f64; MAX_CURVE],
    len: usize,
}

/// The longest curve a `Leaving` takes: the forecast's horizon of 30 days, and day 0.
pub const MAX_CURVE: usize = 31;

impl Leaving {
    /// From the curve P(still there after h days), h = 0..=horizon (at most `MAX_CURVE` points).
    pub fn new(curve: &[f64]) -> Leaving {
        assert!(
            curve.len() <= MAX_CURVE,
            "a curve of {} points",
            curve.len()
        );
        let stay = curve[curve.len() - 1].clamp(0.0, 1.0);
        let q = 1.0 - stay;
        let mut given = [0.0; MAX_CURVE];
        for (g, &c) in given.iter_mut().zip(curve) {
            *g = if q > 0.0 {
                ((c - stay) / q).max(0.0)
            } else {
                c
            };
        }
        Leaving {
            q,
            ln_stay: stay.ln(),
            given,
            len: curve.len(),
        }
    }

    /// Adds this resident's departures to `leaving[path * width + day]` for paths 0..n:
    /// independently in each path, it leaves with chance q, on a day drawn from the curve.
    pub fn add(&self, leaving: &mut [u32], width: usize, n: usize, rng: &mut PathRng) {
        if self.q <= 0.0 {
            return;
        }
        let mut path = self.skip(rng);
        while path < n {
            let u = rng.next_u32() as f64 * (1.0 / 4_294_967_296.0);
            let day = departure(&self.given[..self.len], u).unwrap_or(width - 2);
            leaving[path * width + day] += 1;
            path = path.saturating_add(1 + self.skip(rng));
        }
    }

    /// Paths skipped before the next one in which the resident leaves: the failures before
    /// the first success of Bernoulli(q), ⌊ln U / ln(1 − q)⌋ with U uniform in (0, 1].
    fn skip(&self, rng: &mut PathRng) -> usize {
        if self.q >= 1.0 {
            return 0;
        }
        let u = 1.0 - (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
        // The cast saturates: a resident who almost never leaves skips every path.
        (u.ln() / self.ln_stay) as usize
    }
}

/// The first day a stay curve (P(still there after h)) is left, for a uniform draw `u`;
/// `None` when the stay outlasts the horizon.
pub fn departure(curve: &[f64], u: f64) -> Option<usize> {
    // Left by day h when u ≥ curve[h]; curve is non-increasing.
    if u < curve[curve.len() - 1] {
        return None;
    }
    Some(curve.partition_point(|&s| s > u))
}

/// Exact inverse-CDF sampling of a departure day with a table in front: the top bits of a
/// 32-bit draw pick a cell; a cell in which the day cannot change answers at once, the few
/// cells that straddle a day boundary fall back to the binary search. The replay makes
/// millions of these draws, and a look-up is several times cheaper than a search.
pub struct Sampler {
    curve: Vec<f64>,
    bits: u32,
    /// Departure day (curve.len() = stays past the horizon), or MIXED.
    cells: Vec<u8>,
}

const MIXED: u8 = u8::MAX;

impl Sampler {
    pub fn new(curve: Vec<f64>, bits: u32) -> Sampler {
        let n = 1usize << bits;
        // d(b) = first day whose curve value is ≤ b; it grows as b falls: one walk down.
        let mut bound = vec![0u8; n + 1];
        let mut d = 0;
        for i in (0..=n).rev() {
            let b = i as f64 / n as f64;
            while d < curve.len() && curve[d] > b {
                d += 1;
            }
            bound[i] = d as u8;
        }
        let cells = (0..n)
            .map(|i| {
                if bound[i] == bound[i + 1] {
                    bound[i]
                } else {
                    MIXED
                }
            })
            .collect();
        Sampler { curve, bits, cells }
    }

    /// The departure day for a 32-bit draw, `None` past the horizon.
    pub fn departure(&self, bits: u32) -> Option<usize> {
        let day = match self.cells[(bits >> (32 - self.bits)) as usize] {
            MIXED => return departure(&self.curve, bits as f64 * (1.0 / 4_294_967_296.0)),
            day => day as usize,
        };
        (day < self.curve.len()).then_some(day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_gives_the_same_day_as_the_search_for_every_draw() {
        let curve: Vec<f64> = (0..=30).map(|h| 0.97f64.powi(h)).collect();
        let sampler = Sampler::new(curve.clone(), 8);
        for k in 0..100_000u32 {
            let bits = k.wrapping_mul(2_654_435_761);
            let u = bits as f64 * (1.0 / 4_294_967_296.0);
            assert_eq!(sampler.departure(bits), departure(&curve, u), "{bits}");
        }
    }

    /// Totals over 30 days of the rate draw and the arrival process against the negative
    /// binomial they must follow (and its variance, which a fixed rate would under-state).
    #[test]
    fn mixed_arrivals_follow_the_negative_binomial() {
        let (rate, shape, days, n) = (0.5, 12.0, 30usize, 200_000);
        let cumulative: Vec<f64> = (0..=days).map(|h| rate * h as f64).collect();
        let draw = RateDraw::new(shape);
        let mut rng = PathRng::seed_from_u64(7);
        let mut counts = vec![0usize; 200];
        for _ in 0..n {
            let m = draw.draw(&mut rng);
            let mut a = Arrivals::new(&cumulative, m, &mut rng);
            let total: u32 = (1..=days).map(|h| a.on_day(h, &mut rng)).sum();
            counts[(total as usize).min(199)] += 1;
        }
        let mean = rate * days as f64;
        let pmf = mixed_poisson_pmf(mean, shape, 199);
        // Every probability within 4 standard errors, and the variance μ + μ²/shape.
        for (k, (&c, &p)) in counts.iter().zip(&pmf).enumerate() {
            let se = (p * (1.0 - p) / n as f64).sqrt();
            let got = c as f64 / n as f64;
            assert!((got - p).abs() <= 4.0 * se + 1e-4, "k={k}: {got} vs {p}");
        }
        let m1 = (counts.iter().enumerate())
            .map(|(k, &c)| k as f64 * c as f64)
            .sum::<f64>()
            / n as f64;
        let m2 = (counts.iter().enumerate())
            .map(|(k, &c)| (k * k) as f64 * c as f64)
            .sum::<f64>()
            / n as f64;
        let var = m2 - m1 * m1;
        assert!((m1 - mean).abs() < 0.05, "{m1}");
        let expected = mean + mean * mean / shape;
        assert!(
            (var - expected).abs() < 0.03 * expected,
            "{var} vs {expected}"
        );
    }

    /// Departures drawn for many paths at once leave on each day as often as the curve says.
    #[test]
    fn batched_departures_follow_the_curve() {
        let curve: Vec<f64> = (0..=30).map(|h| 0.99f64.powi(h)).collect();
        let leaving = Leaving::new(&curve);
        let (width, n, rounds) = (32, 50, 4_000);
        let mut by_day = vec![0u32; width];
        let mut rng = PathRng::seed_from_u64(3);
        for _ in 0..rounds {
            let mut buf = vec![0u32; n * width];
            leaving.add(&mut buf, width, n, &mut rng);
            assert!(buf.chunks(width).all(|path| path.iter().sum::<u32>() <= 1));
            for (d, c) in buf.iter().enumerate() {
                by_day[d % width] += c;
            }
        }
        let total = (n * rounds) as f64;
        for h in 1..=30 {
            let p = curve[h - 1] - curve[h];
            let got = by_day[h] as f64 / total;
            let se = (p * (1.0 - p) / total).sqrt();
            assert!((got - p).abs() < 4.0 * se, "day {h}: {got} vs {p}");
        }
        assert_eq!(by_day[0], 0);
    }

    #[test]
    fn the_mixed_pmf_sums_to_one_and_tends_to_the_poisson() {
        let nb = mixed_poisson_pmf(4.0, 3.0, 400);
        assert!((nb.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let poisson = mixed_poisson_pmf(4.0, f64::INFINITY, 60);
        let almost = mixed_poisson_pmf(4.0, 1e7, 60);
        for (a, b) in poisson.iter().zip(&almost) {
            assert!((a - b).abs() < 1e-5);
        }
        assert!((poisson[2] - 8.0 * (-4.0f64).exp()).abs() < 1e-12);
    }
}
