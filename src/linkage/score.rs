//! A pair's match probability and why: the prior odds plus each field's log2 Bayes
//! factor, with exact agreement on a value weighed by how common that value is (two
//! "Siti"s agreeing says less than two "Juwairiyah"s). A pair whose *verified* NIKs (or
//! identifiers) differ is a contradiction: its probability is 0, whatever else agrees.
use serde::Serialize;

use super::compare::{level_label, Comparer};
use super::em::{level_of, pattern, probability, Model, Pattern};
use super::record::{Kind, Strings, Val};
use super::table::Table;

/// The most a common or rare value can move an exact agreement's weight, in log2 units.
const TF_CLAMP: f64 = 8.0;

/// One field's part in a decision, ready to be stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    pub field: String,
    /// Agreement level (0 = identical); `None` when a side is missing.
    pub level: Option<u8>,
    pub label: &'static str,
    /// log2 Bayes factor of the level, term-frequency adjustment included.
    pub log2_bf: f64,
    /// The term-frequency part of `log2_bf`.
    pub tf_log2: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub probability: f64,
    pub prior_log2_odds: f64,
    /// Both sides carry verified NIKs or identifiers and they differ: never a link.
    pub contradiction: bool,
    pub contributions: Vec<Contribution>,
}

/// Scores pairs of rows of `table` (or a row from outside it, through an overlay).
pub struct Scorer<'a> {
    pub comparer: &'a Comparer,
    pub model: &'a Model,
    pub table: &'a Table,
}

impl Scorer<'_> {
    pub fn pattern<S: Strings + ?Sized>(&self, s: &S, a: &[Val], b: &[Val]) -> Pattern {
        pattern((0..self.comparer.width()).map(|f| self.comparer.level(s, f, a, b)))
    }

    /// Term-frequency adjustment of an exact agreement on field `f` (and for names, of
    /// agreement on the match key): the level's average chance agreement over this
    /// value's own. Names that are only similar ("Tumyaini" inside "Tumyaini
    /// Setyowati", a slip) get half of it, from the commoner of the two: a rare name
    /// nearly agreeing still says much, "Siti" inside "Siti Aminah" little.
    fn tf_log2(&self, f: usize, level: Option<u8>, a: &Val, b: &Val) -> f64 {
        let kind = self.comparer.schema.fields[f].kind;
        let u = &self.model.u_random[f];
        let t = self.table;
        let (average, own, share) = match (level, kind) {
            (_, Kind::Sex | Kind::Nik | Kind::Identifier) => return 0.0,
            (Some(0), _) => (u[0], t.term_frequency(f, a), 1.0),
            (Some(1), k) if k.is_name() => (u[0] + u[1], t.key_frequency(f, a), 1.0),
            (Some(2 | 3), k) if k.is_name() => (
                u[0] + u[1],
                t.key_frequency(f, a).max(t.key_frequency(f, b)),
                0.5,
            ),
            _ => return 0.0,
        };
        (share * (average / own).log2()).clamp(-TF_CLAMP, TF_CLAMP)
    }

    /// log2 odds of a pair given a prior, without building an explanation; `None` for a
    /// contradiction.
    pub fn log2_odds<S: Strings + ?Sized>(
        &self,
        s: &S,
        a: &[Val],
        b: &[Val],
        prior: f64,
    ) -> Option<f64> {
        self.log2_odds_of(self.pattern(s, a, b), a, b, prior)
    }

    /// The same from the pair's already computed levels.
    pub fn log2_odds_of(&self, p: Pattern, a: &[Val], b: &[Val], prior: f64) -> Option<f64> {
        if self.comparer.contradicts_in(p, a, b) {
            return None;
        }
        let fields = a.iter().enumerate().take(self.comparer.width());
        let w: f64 = fields
            .filter_map(|(f, v)| {
                let l = level_of(p, f)?;
                Some(self.model.weight(f, l) + self.tf_log2(f, Some(l), v, &b[f]))
            })
            .sum();
        Some(prior + w)
    }

    pub fn probability<S: Strings + ?Sized>(&self, s: &S, a: &[Val], b: &[Val]) -> f64 {
        self.log2_odds(s, a, b, self.model.prior_weight())
            .map_or(0.0, probability)
    }

    /// The full account of a pair's score.
    pub fn explain<S: Strings + ?Sized>(
        &self,
        s: &S,
        a: &[Val],
        b: &[Val],
        prior: f64,
    ) -> Explanation {
        let contributions: Vec<Contribution> = (self.comparer.schema.fields.iter().enumerate())
            .map(|(f, field)| {
                let level = self.comparer.level(s, f, a, b);
                let tf = self.tf_log2(f, level, &a[f], &b[f]);
                Contribution {
                    field: field.name.clone(),
                    level,
                    label: level.map_or("missing", |l| level_label(field.kind, l)),
                    log2_bf: level.map_or(0.0, |l| self.model.weight(f, l) + tf),
                    tf_log2: tf,
                }
            })
            .collect();
        let contradiction = self.comparer.contradicts(s, a, b);
        let total = prior + contributions.iter().map(|c| c.log2_bf).sum::<f64>();
        Explanation {
            probability: if contradiction {
                0.0
            } else {
                probability(total)
            },
            prior_log2_odds: prior,
            contradiction,
            contributions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::record::{Field, Schema, Source};

    fn setup() -> (Table, Comparer, Model) {
        let schema = Schema {
            fields: vec![
                Field {
                    name: "name".into(),
                    kind: Kind::FullName,
                    format: None,
                },
                Field {
                    name: "nik".into(),
                    kind: Kind::Nik,
                    format: None,
                },
            ],
        };
        let mut t = Table::new(schema.clone());
        for i in 0..200 {
            t.push(format!("s{i}"), &["Siti", ""]);
        }
        t.push_from(
            "j1".into(),
            &["Juwairiyah", "3578015208900001"],
            Source::Verified,
        );
        t.push_from(
            "j2".into(),
            &["Juwairiyah", "3578015208900342"],
            Source::Verified,
        );
        t.push("j3".into(), &["Juwairiyah", ""]);
        // Typed at the desk: one wrong digit, then two digits swapped.
        t.push("j4".into(), &["Juwairiyah", "3578015208900007"]);
        t.push("j5".into(), &["Juwairiyah", "3578015208900010"]);
        let kinds = [Kind::FullName, Kind::Nik];
        let model = Model {
            kinds: kinds.to_vec(),
            m: kinds
                .iter()
                .map(|k| crate::linkage::em::prior_m(*k))
                .collect(),
            u: vec![
                vec![0.05, 0.05, 0.1, 0.1, 0.2, 0.5],
                vec![0.001, 0.001, 0.001, 0.997],
            ],
            u_random: vec![
                vec![0.05, 0.05, 0.1, 0.1, 0.2, 0.5],
                vec![0.001, 0.001, 0.001, 0.997],
            ],
            lambda: 0.1,
        };
        (t, Comparer::new(schema), model)
    }

    #[test]
    fn a_rare_name_agreeing_weighs_more_than_a_common_one() {
        let (t, c, m) = setup();
        let s = Scorer {
            comparer: &c,
            model: &m,
            table: &t,
        };
        let common = s.explain(&t, t.row(0), t.row(1), m.prior_weight());
        let rare = s.explain(&t, t.row(200), t.row(202), m.prior_weight());
        assert!(common.contributions[0].tf_log2 < 0.0);
        assert!(rare.contributions[0].tf_log2 > 0.0);
        assert!(rare.probability > common.probability);
        assert_eq!(common.contributions[1].label, "missing");
    }

    #[test]
    fn a_typed_nik_one_slip_from_a_verified_one_counts_for_the_match() {
        let (t, c, m) = setup();
        let s = Scorer {
            comparer: &c,
            model: &m,
            table: &t,
        };
        for typed in [203, 204] {
            let e = s.explain(&t, t.row(200), t.row(typed), m.prior_weight());
            assert!(!e.contradiction);
            assert_eq!(e.contributions[1].level, Some(1));
            assert!(e.contributions[1].log2_bf > 0.0);
            assert!(e.probability > 0.5, "{e:?}");
        }
    }

    #[test]
    fn differing_verified_niks_are_never_a_link() {
        let (t, c, m) = setup();
        let s = Scorer {
            comparer: &c,
            model: &m,
            table: &t,
        };
        let e = s.explain(&t, t.row(200), t.row(201), m.prior_weight());
        assert!(e.contradiction);
        assert_eq!(e.probability, 0.0);
        assert_eq!(s.probability(&t, t.row(200), t.row(201)), 0.0);
    }
}
