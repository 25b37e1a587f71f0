//! Length of stay as a survival curve S(d) = P(stay > d days).
//!
//! Kaplan–Meier from completed stays (events) and current residents (censored at their
//! elapsed stay): leaving out the residents would bias the curve towards short stays, because
//! the long stays are exactly the ones still running.

/// A discrete survival curve with an exponential tail beyond the last observed day.
#[derive(Debug, Clone, PartialEq)]
pub struct Survival {
    /// `s[d]` = P(stay > d), for d = 0..s.len(). Non-increasing, within [0, 1].
    s: Vec<f64>,
    /// Daily hazard used past the end of `s` (so a resident who has already stayed longer
    /// than anyone before still has a finite chance of leaving each day).
    tail_hazard: f64,
}

/// Fewer completed stays than this and the ward's own curve is too noisy: callers pool
/// (A2 of the reliability reference uses about 30).
pub const MIN_COMPLETED: usize = 30;

impl Survival {
    /// Kaplan–Meier from completed stay lengths and the elapsed stays of current residents.
    /// Returns `None` when there are no completed stays at all.
    pub fn kaplan_meier(completed: &[u32], censored: &[u32]) -> Option<Survival> {
        if completed.is_empty() {
            return None;
        }
        let max = completed.iter().chain(censored).copied().max().unwrap_or(0) as usize;
        let mut events = vec![0u32; max + 1];
        let mut leaving_risk = vec![0u32; max + 2];
        for &l in completed {
            events[l as usize] += 1;
            leaving_risk[l as usize + 1] += 1;
        }
        // A resident censored at c is known to stay past c: at risk at days 0..=c, no event.
        for &c in censored {
            leaving_risk[c as usize + 1] += 1;
        }
        let mut at_risk = (completed.len() + censored.len()) as f64;
        let mut s = Vec::with_capacity(max + 1);
        let mut cur = 1.0;
        for d in 0..=max {
            at_risk -= leaving_risk[d] as f64;
            if at_risk > 0.0 {
                cur *= 1.0 - events[d] as f64 / at_risk;
            }
            s.push(cur);
        }
        // Tail: the average daily hazard over the whole curve, never below 1/1000.
        let last = *s.last().unwrap_or(&1.0);
        let tail_hazard = if last > 0.0 && max > 0 {
            (-last.ln() / max as f64).max(1e-3)
        } else {
            1e-3
        };
        Some(Survival { s, tail_hazard })
    }

    /// Exponential stays with this mean (days): the fallback when a ward has too few
    /// completed stays and no pooled curve is given. Only the mean is needed, and by
    /// Little's law it follows from average occupancy and discharges.
    pub fn exponential(mean_days: f64) -> Survival {
        let mean = mean_days.max(1.0);
        let h = 1.0 - (-1.0 / mean).exp();
        let s = (0..=(mean * 4.0).ceil() as usize)
            .map(|d| (1.0 - h).powi(d as i32 + 1))
            .collect();
        Survival { s, tail_hazard: h }
    }

    /// The ward's own curve when it rests on enough stays, else the pooled one (category or
    /// whole province), else an exponential with the given mean.
    pub fn choose(
        completed: &[u32],
        censored: &[u32],
        pooled: Option<&Survival>,
        fallback_mean_days: f64,
    ) -> Survival {
        if completed.len() >= MIN_COMPLETED {
            if let Some(own) = Survival::kaplan_meier(completed, censored) {
                return own;
            }
        }
        pooled
            .cloned()
            .unwrap_or_else(|| Survival::exponential(fallback_mean_days))
    }

    /// P(stay > d).
    pub fn at(&self, d: u32) -> f64 {
        let d = d as usize;
        match self.s.get(d) {
            Some(v) => *v,
            None => {
                let last = *self.s.last().unwrap_or(&1.0);
                last * (1.0 - self.tail_hazard).powi((d + 1 - self.s.len()) as i32)
            }
        }
    }

    /// P(still present h days later | present after `elapsed` days), for h = 0..=horizon.
    pub fn conditional(&self, elapsed: u32, horizon: u32) -> Vec<f64> {
        let base = self.at(elapsed);
        (0..=horizon)
            .map(|h| {
                if base > 0.0 {
                    (self.at(elapsed + h) / base).min(1.0)
                } else {
                    // Past every stay ever seen (S reached zero): use the tail hazard.
                    (1.0 - self.tail_hazard).powi(h as i32)
                }
            })
            .collect()
    }

    /// Mean stay in days (area under the curve, tail included).
    pub fn mean(&self) -> f64 {
        let body: f64 = self.s.iter().sum();
        let last = *self.s.last().unwrap_or(&0.0);
        body + last * (1.0 - self.tail_hazard) / self.tail_hazard
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_censoring_km_is_the_empirical_survival() {
        let s = Survival::kaplan_meier(&[1, 2, 2, 4], &[]).unwrap();
        assert_eq!(s.at(0), 1.0);
        assert!((s.at(1) - 0.75).abs() < 1e-12);
        assert!((s.at(2) - 0.25).abs() < 1e-12);
        assert!((s.at(3) - 0.25).abs() < 1e-12);
        assert_eq!(s.at(4), 0.0);
    }

    #[test]
    fn censored_residents_lengthen_the_curve() {
        let without = Survival::kaplan_meier(&[2, 4], &[]).unwrap();
        let with = Survival::kaplan_meier(&[2, 4], &[3, 3, 10]).unwrap();
        assert!(with.at(4) > without.at(4));
        // Textbook value: at day 2, 5 at risk, 1 event -> 0.8; at day 4, 2 at risk (4 and 10).
        assert!((with.at(2) - 0.8).abs() < 1e-12);
        assert!((with.at(4) - 0.4).abs() < 1e-12);
    }

    #[test]
    fn conditional_survival_is_a_ratio_and_starts_at_one() {
        let s = Survival::exponential(20.0);
        let c = s.conditional(5, 10);
        assert_eq!(c[0], 1.0);
        assert!((c[10] - s.at(15) / s.at(5)).abs() < 1e-12);
        assert!(c.windows(2).all(|w| w[1] <= w[0]));
    }

    #[test]
    fn exponential_has_the_asked_mean() {
        let s = Survival::exponential(30.0);
        assert!((s.mean() - 30.0).abs() < 1.0, "{}", s.mean());
    }

    #[test]
    fn few_completed_stays_fall_back_to_the_pool() {
        let pool = Survival::exponential(90.0);
        let chosen = Survival::choose(&[3, 4], &[], Some(&pool), 10.0);
        assert_eq!(chosen, pool);
        let fallback = Survival::choose(&[3, 4], &[], None, 10.0);
        assert!((fallback.mean() - 10.0).abs() < 1.0);
    }
}
