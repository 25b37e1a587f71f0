//! One record against many: a register (earlier intakes, a DTKS extract) indexed once by
//! the blocking rules, then each new record looked up, scored and explained in
//! milliseconds. The weights come from a model trained on a batch (`link::run`).
use rayon::prelude::*;

use super::block::{all_rules, atoms, rule_keys, Atom, Rule};
use super::compare::Comparer;
use super::em::{probability, Model};
use super::person::PersonRecord;
use super::record::Source;
use super::score::{Explanation, Scorer};
use super::table::Table;

/// A block larger than this is skipped at look-up (it says little and costs much).
const MAX_BLOCK: usize = 5_000;
/// A rule that would give a typical record more candidates than this is not indexed.
const MAX_RULE_CANDIDATES: f64 = 1_000.0;

/// A register record that may be the same person.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Row of the register (as pushed) and its id.
    pub index: usize,
    pub id: String,
    pub probability: f64,
    pub explanation: Explanation,
}

struct RuleIndex {
    rule: usize,
    keys: Vec<u64>,
    rows: Vec<u32>,
}

pub struct Register {
    table: Table,
    comparer: Comparer,
    model: Model,
    rules: Vec<Rule>,
    index: Vec<RuleIndex>,
    matches_per_record: f64,
}

impl Register {
    /// Indexes `table` for look-ups scored with `model`. `matches_per_record` is how
    /// many true matches a new record is expected to have in the register (from the
    /// training run: `Linkage::matches_per_record`); it sets each look-up's prior.
    pub fn new(mut table: Table, model: Model, matches_per_record: f64) -> Register {
        table.forget_cells();
        let rules = all_rules(&table);
        let all_atoms: Vec<Vec<(Atom, u64)>> = (0..table.len())
            .into_par_iter()
            .map(|i| atoms(&table, &table, table.row(i)))
            .collect();
        let n = table.len().max(1) as f64;
        let index = (rules.par_iter().enumerate())
            .filter_map(|(ri, r)| {
                let mut entries: Vec<(u64, u32)> = (all_atoms.iter().enumerate())
                    .flat_map(|(i, a)| rule_keys(ri, r, a).into_iter().map(move |k| (k, i as u32)))
                    .collect();
                entries.sort_unstable();
                entries.dedup();
                let per_record: f64 = (entries.chunk_by(|x, y| x.0 == y.0))
                    .filter(|g| g.len() <= MAX_BLOCK)
                    .map(|g| (g.len() * g.len()) as f64)
                    .sum::<f64>()
                    / n;
                (per_record <= MAX_RULE_CANDIDATES).then(|| RuleIndex {
                    rule: ri,
                    keys: entries.iter().map(|e| e.0).collect(),
                    rows: entries.iter().map(|e| e.1).collect(),
                })
            })
            .collect();
        Register {
            comparer: Comparer::new(table.schema.clone()),
            table,
            model,
            rules,
            index,
            matches_per_record,
        }
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Candidates for a person record (the register must use `person::schema()`).
    pub fn match_person(&self, p: &PersonRecord, min_probability: f64) -> Vec<Candidate> {
        let cells = p.engine_cells();
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        self.match_cells_from(&cells, p.source, min_probability)
    }

    /// Candidates for the raw cells of a typed record (see [`Register::match_cells_from`]).
    pub fn match_cells(&self, cells: &[&str], min_probability: f64) -> Vec<Candidate> {
        self.match_cells_from(cells, Source::Typed, min_probability)
    }

    /// Candidates for raw cells in the register's schema order, whose identifiers come
    /// from `source`, most probable first, each at least `min_probability`. Unreadable
    /// cells count as missing.
    pub fn match_cells_from(
        &self,
        cells: &[&str],
        source: Source,
        min_probability: f64,
    ) -> Vec<Candidate> {
        let (row, overlay, _) = self.table.parse_outside(cells, source);
        let my_atoms = atoms(&overlay, &self.table, &row);
        let mut rows: Vec<u32> = Vec::new();
        for ix in &self.index {
            for key in rule_keys(ix.rule, &self.rules[ix.rule], &my_atoms) {
                let start = ix.keys.partition_point(|k| *k < key);
                let end = ix.keys.partition_point(|k| *k <= key);
                if end - start <= MAX_BLOCK {
                    rows.extend_from_slice(&ix.rows[start..end]);
                }
            }
        }
        rows.sort_unstable();
        rows.dedup();
        // Prior: the expected true matches spread over the whole register.
        let p0 = (self.matches_per_record / self.table.len().max(1) as f64).clamp(1e-12, 0.5);
        let prior = (p0 / (1.0 - p0)).log2();
        let scorer = Scorer {
            comparer: &self.comparer,
            model: &self.model,
            table: &self.table,
        };
        let mut out: Vec<Candidate> = rows
            .iter()
            .filter_map(|&r| {
                let other = self.table.row(r as usize);
                let w = scorer.log2_odds(&overlay, &row, other, prior)?;
                (probability(w) >= min_probability).then(|| {
                    let explanation = scorer.explain(&overlay, &row, other, prior);
                    Candidate {
                        index: r as usize,
                        id: self.table.ids[r as usize].clone(),
                        probability: explanation.probability,
                        explanation,
                    }
                })
            })
            .collect();
        out.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::block::Mode;
    use crate::linkage::{link, synth};

    #[test]
    fn a_noisy_intake_finds_its_person_in_the_register_with_reasons() {
        let set = synth::link_set(3_000, 21);
        let train = set.table();
        let linkage = link::run(
            &train,
            Mode::Link {
                split: set.left.len(),
            },
        )
        .unwrap();
        let mut reg = Table::new(synth::schema());
        for row in &set.left {
            let cells: Vec<&str> = row[1..].iter().map(String::as_str).collect();
            reg.push(row[0].clone(), &cells);
        }
        let register = Register::new(
            reg,
            linkage.model.clone(),
            linkage.matches_per_record(&train),
        );
        let (mut hits, mut asked) = (0, 0);
        for (row, who) in set.right.iter().zip(&set.right_person).take(300) {
            if (*who as usize) >= set.left.len() {
                continue;
            }
            asked += 1;
            let cells: Vec<&str> = row[1..].iter().map(String::as_str).collect();
            let found = register.match_cells(&cells, 0.5);
            if found.first().is_some_and(|c| c.index == *who as usize) {
                hits += 1;
                assert_eq!(found[0].explanation.contributions.len(), 6);
            }
        }
        assert!(hits as f64 > 0.9 * asked as f64, "{hits} of {asked}");
    }
}
