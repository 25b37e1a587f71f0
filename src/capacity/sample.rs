//! Random draws for the forecast's simulation, kept apart because they are its hot loop:
//! departure days by inverse CDF (a table in front of the search) and Poisson arrivals.
use rand::RngCore;
use rand_chacha::ChaCha8Rng;

/// The first day a stay curve (P(still there after h)) is left, for a uniform draw `u`;
/// `None` when the stay outlasts the horizon.
pub fn departure(curve: &[f64], u: f64) -> Option<usize> {
    // Left by day h when u ≥ curve[h]; curve is non-increasing.
    if u < curve[curve.len() - 1] {
        return None;
    }
    Some(curve.partition_point(|&s| s > u))
}

/// A uniform draw in [0, 1) from 32 random bits: plenty of resolution for a few hundred
/// paths, and half the cost of a 64-bit draw in the innermost loop.
pub fn unit(rng: &mut ChaCha8Rng) -> f64 {
    rng.next_u32() as f64 * (1.0 / 4_294_967_296.0)
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

/// CDF of Poisson(λ) up to where it reaches 1 - 1e-12.
pub fn poisson_cdf(lambda: f64) -> Vec<f64> {
    let mut cdf = Vec::new();
    let mut p = (-lambda).exp();
    let mut acc = 0.0;
    let mut k = 0.0;
    while acc < 1.0 - 1e-12 && cdf.len() < 1000 {
        acc += p;
        cdf.push(acc);
        k += 1.0;
        p *= lambda / k;
    }
    cdf
}

/// Inverse-CDF draw. A linear scan: daily rates are small, so it usually stops at 0 or 1,
/// and a predictable scan beats a binary search's mispredicted branches.
pub fn draw(cdf: &[f64], u: f64) -> u32 {
    cdf.iter().position(|&c| c > u).unwrap_or(cdf.len()) as u32
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

    #[test]
    fn poisson_draws_follow_the_cdf() {
        let cdf = poisson_cdf(0.5);
        assert_eq!(draw(&cdf, 0.0), 0);
        assert_eq!(draw(&cdf, (-0.5f64).exp() + 1e-9), 1);
        assert!((cdf[0] - (-0.5f64).exp()).abs() < 1e-12);
    }
}
