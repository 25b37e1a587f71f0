//! The Fellegi–Sunter model and its estimation without labels. Each field's levels have a
//! probability under "same person" (m) and "different people" (u); the share of true
//! matches among candidate pairs is λ. u comes from random pairs (nearly all of them are
//! non-matches); m starts from priors and is fitted by EM, without labels, on pairs
//! that were not chosen for agreeing on the field (see [`Model::train`]), with the
//! priors kept as weak Dirichlet pseudo-counts so no level's probability reaches zero.
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::compare::levels;
use super::record::{Kind, Map};

/// A pair's levels, four bits per field; [`MISSING`] where either side has no value.
pub type Pattern = u64;
pub const MISSING: u64 = 0xF;
pub const MAX_FIELDS: usize = 16;

pub fn level_of(p: Pattern, f: usize) -> Option<u8> {
    let l = (p >> (4 * f)) & 0xF;
    (l != MISSING).then_some(l as u8)
}

pub fn pattern(levels: impl Iterator<Item = Option<u8>>) -> Pattern {
    levels
        .enumerate()
        .fold(0, |p, (f, l)| p | (l.map_or(MISSING, u64::from) << (4 * f)))
}

/// Serialisable, so a model trained on a batch can be stored and reused.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    pub kinds: Vec<Kind>,
    pub m: Vec<Vec<f64>>,
    pub u: Vec<Vec<f64>>,
    /// u of random pairs: the base of term-frequency adjustments.
    pub u_random: Vec<Vec<f64>>,
    /// Probability that two records drawn at random are a match (the prior).
    pub lambda: f64,
}

/// Sensible m before any data: most true pairs agree exactly, fewer at each lower level.
pub fn prior_m(kind: Kind) -> Vec<f64> {
    if kind == Kind::Date {
        // Levels are not in order of closeness: partial dates and guessed ages come
        // after "different" (see `compare::level_label`).
        return vec![
            0.53, 0.1, 0.05, 0.08, 0.05, 0.02, 0.03, 0.015, 0.04, 0.04, 0.025, 0.015, 0.005,
        ];
    }
    let n = levels(kind);
    let first = match kind {
        Kind::Sex => 0.95,
        Kind::Nik | Kind::Identifier => 0.9,
        _ => 0.7,
    };
    let mut m = vec![first];
    let mut rest = 1.0 - first;
    for _ in 1..n - 1 {
        m.push(rest / 2.0);
        rest /= 2.0;
    }
    m.push(rest);
    m
}

/// A priori log2 Bayes factors of the date levels (see `compare::level_label`), for the
/// levels the data shows among random pairs but hardly among the matches EM could learn
/// from (guessed ages in intakes where few people were picked up twice).
const DATE_PRIOR_BITS: [f64; 13] = [
    12.0, 6.0, 3.0, 4.0, 1.0, -4.0, 0.0, -1.0, 4.0, 2.0, 0.5, -0.5, -3.0,
];

/// Level shares among random pairs, smoothed so every level keeps some probability.
pub fn u_from_random(kinds: &[Kind], patterns: &[Pattern]) -> Vec<Vec<f64>> {
    kinds
        .iter()
        .enumerate()
        .map(|(f, &k)| {
            let mut c = vec![0.5; levels(k)];
            for p in patterns {
                if let Some(l) = level_of(*p, f) {
                    c[l as usize] += 1.0;
                }
            }
            normalise(c)
        })
        .collect()
}

fn normalise(mut v: Vec<f64>) -> Vec<f64> {
    let s: f64 = v.iter().sum();
    for x in &mut v {
        *x = (*x / s).max(1e-9);
    }
    v
}

const PRIOR_WEIGHT: f64 = 20.0;

/// Fewer learned matches than this at a date level leave its weight to the prior.
const MIN_SEEN: f64 = 5.0;

/// Bits of evidence a session's matches must carry on average, over the fields the
/// session learns and the pairs have values for, for its m to count (degenerate
/// sessions carry one or two).
const MIN_SEPARATION: f64 = 5.0;

impl Model {
    /// A model before any data: prior m, random-pair u.
    pub fn new(kinds: &[Kind], u_random: Vec<Vec<f64>>) -> Model {
        Model {
            kinds: kinds.to_vec(),
            m: kinds.iter().map(|&k| prior_m(k)).collect(),
            u: u_random.clone(),
            u_random,
            lambda: 0.1,
        }
    }

    /// Learns m from training sessions, then λ from all candidate pairs out of
    /// `pairs_possible` (pairs left out by blocking count as non-matches). A session is
    /// the pairs found by one blocking rule with the fields that rule did not look at:
    /// those pairs were not chosen for agreeing on them, so EM sees those fields' true
    /// m. Each field's m is the average over its sessions, weighted by their matches.
    pub fn train(
        kinds: &[Kind],
        u_random: Vec<Vec<f64>>,
        sessions: &[(Map<Pattern, u64>, Vec<bool>)],
        all: &Map<Pattern, u64>,
        pairs_possible: f64,
    ) -> Model {
        let base = Model::new(kinds, u_random);
        let mut sum: Vec<Vec<f64>> = base.m.iter().map(|v| vec![0.0; v.len()]).collect();
        let mut seen = sum.clone();
        let mut weight = vec![0.0; kinds.len()];
        // Sessions are independent: learned side by side, then combined in order.
        let learned: Vec<_> = sessions
            .par_iter()
            .map(|(counts, active)| {
                let mut session = base.clone();
                let counts = flatten(counts);
                let total = counts.iter().map(|(_, c)| c).sum();
                let matches = session.em(&counts, total, active, false);
                let (separation, observed) = session.separation(&counts, active);
                (session, matches, separation, observed)
            })
            .collect();
        for ((session, matches, separation, observed), (_, active)) in
            learned.into_iter().zip(sessions)
        {
            // A session whose "matches" look like random pairs found none to learn from
            // (EM can settle on calling nearly every pair a match when the fields it sees
            // say little): it is left out.
            if separation < MIN_SEPARATION {
                continue;
            }
            for (s, o) in seen.iter_mut().zip(observed) {
                s.iter_mut().zip(o).for_each(|(s, o)| *s += o);
            }
            for f in (0..kinds.len()).filter(|f| active[*f]) {
                for (s, m) in sum[f].iter_mut().zip(&session.m[f]) {
                    *s += m * matches;
                }
                weight[f] += matches;
            }
        }
        let mut model = base;
        for f in 0..kinds.len() {
            if weight[f] > 0.0 {
                model.m[f] = normalise(sum[f].iter().map(|s| s / weight[f]).collect());
            }
            if kinds[f] == Kind::Date {
                for (l, bits) in DATE_PRIOR_BITS.iter().enumerate() {
                    let u = model.u[f][l];
                    if seen[f][l] < MIN_SEEN && u >= 1e-3 {
                        model.m[f][l] = u * bits.exp2();
                    }
                }
            }
        }
        model.lambda = 1.0 / pairs_possible.max(1.0);
        model.em(
            &flatten(all),
            pairs_possible,
            &vec![true; kinds.len()],
            true,
        );
        model
    }

    /// EM over pattern counts (out of `total` pairs) using the `active` fields; with
    /// `fix_m` only λ moves. Returns the expected number of matches.
    fn em(&mut self, counts: &[(Pattern, f64)], total: f64, active: &[bool], fix_m: bool) -> f64 {
        let prior: Vec<Vec<f64>> = self.kinds.iter().map(|&k| prior_m(k)).collect();
        let mut matched = 0.0;
        for _ in 0..100 {
            let mut m: Vec<Vec<f64>> = prior.iter().map(|v| scaled(v, PRIOR_WEIGHT)).collect();
            matched = 0.0;
            for &(p, c) in counts {
                let post = probability(self.prior_weight() + self.log2_bf(p, active));
                matched += post * c;
                for f in (0..self.kinds.len()).filter(|f| active[*f]) {
                    if let Some(l) = level_of(p, f) {
                        m[f][l as usize] += post * c;
                    }
                }
            }
            let lambda = (matched / total.max(1.0)).clamp(1e-12, 0.999);
            let change = (lambda - self.lambda).abs() / self.lambda;
            self.lambda = lambda;
            if !fix_m {
                for f in (0..self.kinds.len()).filter(|f| active[*f]) {
                    self.m[f] = normalise(std::mem::take(&mut m[f]));
                }
            }
            if change < 1e-6 {
                break;
            }
        }
        matched
    }

    fn log2_bf(&self, p: Pattern, active: &[bool]) -> f64 {
        (0..self.kinds.len())
            .filter(|f| active[*f])
            .filter_map(|f| level_of(p, f).map(|l| self.weight(f, l)))
            .sum()
    }

    /// How far the pairs a session took for matches are from random pairs: their average
    /// log2 Bayes factor over the `active` fields they have values for; and how many of
    /// those matches were seen at each level of each field.
    fn separation(&self, counts: &[(Pattern, f64)], active: &[bool]) -> (f64, Vec<Vec<f64>>) {
        let mut seen: Vec<Vec<f64>> = self.m.iter().map(|v| vec![0.0; v.len()]).collect();
        let (mut evidence, mut matched) = (0.0, 0.0);
        for &(p, c) in counts {
            let w = self.log2_bf(p, active);
            let post = probability(self.prior_weight() + w) * c;
            evidence += post * w;
            matched += post;
            for f in (0..self.kinds.len()).filter(|f| active[*f]) {
                if let Some(l) = level_of(p, f) {
                    seen[f][l as usize] += post;
                }
            }
        }
        (evidence / matched.max(1e-9), seen)
    }

    /// log2 Bayes factor of field `f` at level `l`.
    pub fn weight(&self, f: usize, l: u8) -> f64 {
        (self.m[f][l as usize] / self.u[f][l as usize]).log2()
    }

    /// log2 prior odds of two records being a match.
    pub fn prior_weight(&self) -> f64 {
        (self.lambda / (1.0 - self.lambda)).log2()
    }
}

fn flatten(counts: &Map<Pattern, u64>) -> Vec<(Pattern, f64)> {
    counts.iter().map(|(p, c)| (*p, *c as f64)).collect()
}

fn scaled(v: &[f64], k: f64) -> Vec<f64> {
    v.iter().map(|x| x * k).collect()
}

/// From log2 odds to probability.
pub fn probability(log2_odds: f64) -> f64 {
    1.0 / (1.0 + (-log2_odds).exp2())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn draw(rng: &mut impl Rng, probs: &[f64]) -> u8 {
        let mut x: f64 = rng.random();
        for (i, p) in probs.iter().enumerate() {
            if x < *p {
                return i as u8;
            }
            x -= p;
        }
        (probs.len() - 1) as u8
    }

    #[test]
    fn em_recovers_known_m_u_and_lambda_without_labels() {
        let kinds = [Kind::GivenName, Kind::Date, Kind::Postcode, Kind::Sex];
        let m = [
            vec![0.6, 0.15, 0.1, 0.08, 0.04, 0.03],
            vec![0.7, 0.15, 0.08, 0.05, 0.02],
            vec![0.6, 0.2, 0.1, 0.1],
            vec![0.97, 0.03],
        ];
        let u = [
            vec![0.01, 0.01, 0.02, 0.06, 0.1, 0.8],
            vec![0.002, 0.01, 0.05, 0.2, 0.738],
            vec![0.01, 0.02, 0.07, 0.9],
            vec![0.5, 0.5],
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut counts = Map::default();
        let mut random = Vec::new();
        for i in 0..200_000 {
            let is_match = i % 5 == 0;
            let table = if is_match { &m } else { &u };
            let p = pattern(table.iter().map(|probs| Some(draw(&mut rng, probs))));
            *counts.entry(p).or_insert(0u64) += 1;
            if i % 10 == 1 {
                random.push(pattern(u.iter().map(|probs| Some(draw(&mut rng, probs)))));
            }
        }
        let sessions = [(counts.clone(), vec![true; 4])];
        let fitted = Model::train(
            &kinds,
            u_from_random(&kinds, &random),
            &sessions,
            &counts,
            200_000.0,
        );
        assert!((fitted.lambda - 0.2).abs() < 0.01, "λ {}", fitted.lambda);
        for f in 0..kinds.len() {
            for l in 0..m[f].len() {
                assert!((fitted.m[f][l] - m[f][l]).abs() < 0.02, "m[{f}][{l}]");
                assert!((fitted.u[f][l] - u[f][l]).abs() < 0.02, "u[{f}][{l}]");
            }
        }
        assert!(fitted.weight(0, 0) > 5.0 && fitted.weight(0, 5) < -4.0);
    }

    #[test]
    fn patterns_round_trip_with_missing_fields() {
        let p = pattern([Some(2), None, Some(0)].into_iter());
        assert_eq!(level_of(p, 0), Some(2));
        assert_eq!(level_of(p, 1), None);
        assert_eq!(level_of(p, 2), Some(0));
    }

    #[test]
    fn a_trained_model_can_be_stored_and_read_back() {
        let kinds = [Kind::FullName, Kind::Sex];
        let u = kinds
            .iter()
            .map(|k| vec![1.0 / levels(*k) as f64; levels(*k)])
            .collect();
        let model = Model::new(&kinds, u);
        let text = serde_json::to_string(&model).unwrap();
        let back: Model = serde_json::from_str(&text).unwrap();
        let flat = |m: &Model| m.m.concat();
        let close = flat(&back)
            .iter()
            .zip(flat(&model))
            .all(|(a, b)| (a - b).abs() < 1e-12);
        assert!(close);
        assert_eq!(back.kinds, model.kinds);
    }

    #[test]
    fn priors_are_distributions() {
        for k in [Kind::FullName, Kind::Sex, Kind::Nik, Kind::Date] {
            let p = prior_m(k);
            assert_eq!(p.len(), levels(k));
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
    }
}
