//! Has the demand just changed? A Bayesian change-point posterior over the last weeks of
//! arrivals, so the forecast sees a surge within days instead of when it has moved a
//! 56-day average (issue 28: surges of 1.5–3× for 10–40 days that nobody announced).
//!
//! Model: within the last `window` days the rate is constant except for at most one change,
//! the most recent, d days ago, with a geometric prior (a change on any day with chance
//! `hazard`). Each segment's rate has a Gamma prior of shape `prior_shape` around the ward's
//! usual rate μ, so the marginal likelihood of a segment with k arrivals over an exposure
//! e (days weighted by their calendar factor) is Γ(a+k)/Γ(a) · bᵃ/(b+e)^(a+k), b = a/μ.
//! The posterior over d (a grid of candidate days, each standing for the days since the
//! previous one) gives the current rate as a mixture of Gammas, one per candidate. The
//! forecast also lets the rate change again ahead (same hazard, a new rate drawn from the
//! prior around μ): surges end.

/// How the change-point posterior is formed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangeConfig {
    /// Chance that the rate changes on a given day.
    pub hazard: f64,
    /// Shape of each segment's Gamma prior around the usual rate (its coefficient of
    /// variation is 1/√shape): how far a new regime may stray from the usual.
    pub prior_shape: f64,
    /// Days looked back for the latest change.
    pub window: usize,
    /// The most the shape of a segment's posterior may count (the rate drifts even within a
    /// regime, see `DemandConfig::max_shape`).
    pub max_shape: f64,
}

impl Default for ChangeConfig {
    fn default() -> Self {
        ChangeConfig {
            hazard: 1.0 / 60.0,
            prior_shape: 3.0,
            window: 120,
            max_shape: 20.0,
        }
    }
}

/// One candidate for the current regime: the posterior of its rate, Gamma with this shape
/// and mean (arrivals per day at calendar factor 1), and its posterior weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Regime {
    pub weight: f64,
    /// Days since the change (the whole window: no change seen).
    pub since: usize,
    pub shape: f64,
    pub mean: f64,
}

/// Candidate days since the change: every day for the first week, then about a fifth more
/// each step (the posterior changes slowly with d once d is large).
fn grid(window: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut d = 1usize;
    while d < window {
        out.push(d);
        d = if d < 7 { d + 1 } else { (d * 6).div_ceil(5) };
    }
    out.push(window);
    out
}

/// The posterior over the current regime from daily `arrivals` (oldest first, the last
/// being today) and each day's calendar factor `factor` (same length), around the usual
/// rate `usual` (arrivals per day at factor 1). Weights sum to 1.
pub fn regimes(arrivals: &[u32], factor: &[f64], usual: f64, cfg: &ChangeConfig) -> Vec<Regime> {
    let n = arrivals.len().min(factor.len());
    let window = cfg.window.min(n);
    let a = cfg.prior_shape;
    let usual = usual.max(1e-6);
    if window == 0 || a <= 0.0 {
        return vec![Regime {
            weight: 1.0,
            since: 0,
            shape: a.max(1e-9),
            mean: usual,
        }];
    }
    let b = a / usual;
    // Suffix sums: k[d], e[d] = arrivals and exposure of the last d days.
    let (mut k, mut e) = (vec![0.0; window + 1], vec![0.0; window + 1]);
    for d in 1..=window {
        k[d] = k[d - 1] + arrivals[n - d] as f64;
        e[d] = e[d - 1] + factor[n - d];
    }
    let log_ml =
        |k: f64, e: f64| ln_gamma(a + k) - ln_gamma(a) + a * b.ln() - (a + k) * (b + e).ln();
    let h = cfg.hazard.clamp(1e-9, 1.0 - 1e-9);
    let stay = (1.0 - h).ln();
    let mut out = Vec::new();
    let mut prev = 0usize;
    for d in grid(window) {
        // Prior of the latest change in the days (prev, d] ago; for the whole window, of
        // none since `prev` days ago (a change earlier in the window counts as none).
        let ln_prior = if d == window {
            prev as f64 * stay
        } else {
            // Σ_{j=prev+1..=d} h(1−h)^(j−1) = (1−h)^prev − (1−h)^d
            let hi = prev as f64 * stay;
            hi + (1.0 - ((d - prev) as f64 * stay).exp()).max(1e-300).ln()
        };
        let ln_like = if d == window {
            log_ml(k[window], e[window])
        } else {
            log_ml(k[d], e[d]) + log_ml(k[window] - k[d], e[window] - e[d])
        };
        let shape = a + k[d];
        out.push(Regime {
            weight: ln_prior + ln_like,
            since: d,
            shape: shape.min(cfg.max_shape),
            mean: shape / (b + e[d]),
        });
        prev = d;
    }
    let top = out
        .iter()
        .map(|r| r.weight)
        .fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = out.iter().map(|r| (r.weight - top).exp()).sum();
    for r in &mut out {
        r.weight = (r.weight - top).exp() / total;
    }
    out
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits).
pub fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut s = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        s += c / (x + i as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + s.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_at_known_points() {
        assert!(ln_gamma(1.0).abs() < 1e-12);
        assert!(ln_gamma(2.0).abs() < 1e-12);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
        assert!((ln_gamma(100.5) - 361.435_540_467_777_6).abs() < 1e-9);
    }

    #[test]
    fn the_grid_covers_the_window_once() {
        let g = grid(120);
        assert_eq!(&g[..7], &[1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(*g.last().unwrap(), 120);
        assert!(g.windows(2).all(|w| w[1] > w[0]));
        assert_eq!(grid(3), [1, 2, 3]);
    }

    fn mean_rate(r: &[Regime]) -> f64 {
        r.iter().map(|x| x.weight * x.mean).sum()
    }

    #[test]
    fn a_steady_ward_keeps_its_usual_rate_and_a_surge_is_seen_within_days() {
        let cfg = ChangeConfig::default();
        // 120 days at 2 a day: no change believed, the rate stays at 2.
        let steady = vec![2u32; 120];
        let ones = vec![1.0; 120];
        let r = regimes(&steady, &ones, 2.0, &cfg);
        assert!((r.iter().map(|x| x.weight).sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((mean_rate(&r) - 2.0).abs() < 0.05, "{}", mean_rate(&r));
        let recent =
            |r: &[Regime]| -> f64 { r.iter().filter(|x| x.since <= 7).map(|x| x.weight).sum() };
        assert!(recent(&r) < 0.2, "{r:?}");
        // Then 6 days at 6 a day: the change is believed and the rate is well above 2.
        let mut surge = vec![2u32; 114];
        surge.extend([6; 6]);
        let r = regimes(&surge, &ones, 2.0, &cfg);
        assert!(recent(&r) > 0.9, "{r:?}");
        assert!(mean_rate(&r) > 4.5, "{}", mean_rate(&r));
    }

    #[test]
    fn a_calendar_factor_explains_a_surge_away() {
        let cfg = ChangeConfig::default();
        let mut arrivals = vec![2u32; 114];
        arrivals.extend([6; 6]);
        // The last 6 days were announced at 3×: nothing changed underneath.
        let mut factor = vec![1.0; 114];
        factor.extend([3.0; 6]);
        let r = regimes(&arrivals, &factor, 2.0, &cfg);
        assert!((mean_rate(&r) - 2.0).abs() < 0.2, "{}", mean_rate(&r));
    }
}
