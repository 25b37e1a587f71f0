//! The batch pipeline: block, learn the weights from the data (u from random pairs, then
//! EM on the candidate pairs), score every candidate, and — within one file — let
//! confident links vouch for each other (see `cluster`).
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::block::{candidates, BlockStats, Limits, Mode, Session};
use super::cluster;
use super::compare::Comparer;
use super::em::{pattern, probability, u_from_random, Model, Pattern, MAX_FIELDS};
use super::record::{Kind, Map};
use super::score::Scorer;
use super::table::Table;

/// Only links at least this probable vouch for others (transitive pairs).
pub const CHAIN: f64 = 0.95;

/// Stands for the levels of a contradicting pair: two different verified identifiers
/// (no candidate has all 16 fields missing).
const CONTRADICTION: Pattern = u64::MAX;

/// Random pairs drawn to estimate u: ten per record, within these bounds.
const RANDOM_PAIRS: (usize, usize) = (100_000, 200_000);

/// A trained and scored linkage of a table (two files, or one file against itself).
pub struct Linkage {
    pub comparer: Comparer,
    pub model: Model,
    pub mode: Mode,
    /// Candidate pairs, packed `i << 32 | j` with `i < j`.
    pub candidates: Vec<u64>,
    /// Each candidate's match probability.
    pub probabilities: Vec<f64>,
    pub blocking: BlockStats,
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("at most {MAX_FIELDS} fields can be compared, the spec has {0}")]
    TooManyFields(usize),
    #[error("there are no records to link")]
    Empty,
}

pub fn unpack(p: u64) -> (usize, usize) {
    ((p >> 32) as usize, (p & 0xFFFF_FFFF) as usize)
}

/// Learns the model from the table and scores all candidate pairs.
pub fn run(table: &Table, mode: Mode) -> Result<Linkage, LinkError> {
    if table.width() > MAX_FIELDS {
        return Err(LinkError::TooManyFields(table.width()));
    }
    let n = table.len();
    let pairs_possible = match mode {
        Mode::Dedupe => n * n.saturating_sub(1) / 2,
        Mode::Link { split } => split * (n - split),
    };
    if pairs_possible == 0 {
        return Err(LinkError::Empty);
    }
    let comparer = Comparer::new(table.schema.clone());
    let kinds: Vec<Kind> = table.schema.fields.iter().map(|f| f.kind).collect();
    let (cands, blocking, sessions) = candidates(table, mode, Limits::for_records(n));
    // Levels are computed once per candidate: for training and then for scoring.
    // Contradicting pairs are certain non-matches and are not compared further.
    let patterns: Vec<Pattern> = cands
        .par_iter()
        .map(|p| {
            let (i, j) = unpack(*p);
            let levels = pattern_of(table, &comparer, (i, j));
            if comparer.contradicts_in(levels, table.row(i), table.row(j)) {
                CONTRADICTION
            } else {
                levels
            }
        })
        .collect();
    let model = train(
        table,
        &comparer,
        &kinds,
        mode,
        (&cands, &patterns),
        &sessions,
    );
    let scorer = Scorer {
        comparer: &comparer,
        model: &model,
        table,
    };
    let prior = model.prior_weight();
    let probabilities = (cands.par_iter().zip(&patterns))
        .map(|(c, p)| {
            let (i, j) = unpack(*c);
            (*p != CONTRADICTION)
                .then(|| scorer.log2_odds_of(*p, table.row(i), table.row(j), prior))
                .flatten()
                .map_or(0.0, probability)
        })
        .collect();
    Ok(Linkage {
        comparer,
        model,
        mode,
        candidates: cands,
        probabilities,
        blocking,
    })
}

fn train(
    table: &Table,
    c: &Comparer,
    kinds: &[Kind],
    mode: Mode,
    (candidates, patterns): (&[u64], &[Pattern]),
    sessions: &[Session],
) -> Model {
    let n = table.len();
    let mut rng = ChaCha8Rng::seed_from_u64(0x11a7);
    let possible = match mode {
        Mode::Dedupe => n as f64 * (n as f64 - 1.0) / 2.0,
        Mode::Link { split } => split as f64 * (n - split) as f64,
    };
    let draws = (10 * n).clamp(RANDOM_PAIRS.0, RANDOM_PAIRS.1);
    let random: Vec<(usize, usize)> = (0..draws.min(possible as usize))
        .map(|_| match mode {
            Mode::Dedupe => {
                let i = rng.random_range(0..n);
                let j = (i + rng.random_range(1..n)) % n;
                (i, j)
            }
            Mode::Link { split } => (rng.random_range(0..split), rng.random_range(split..n)),
        })
        .collect();
    let random: Vec<Pattern> = (random.into_par_iter())
        .map(|pair| pattern_of(table, c, pair))
        .collect();
    let count = |patterns: &[Pattern]| {
        let mut m: Map<Pattern, u64> = Map::default();
        for p in patterns.iter().filter(|p| **p != CONTRADICTION) {
            *m.entry(*p).or_insert(0) += 1;
        }
        m
    };
    // A session's pairs are candidates: their levels are already known.
    let sessions: Vec<(Map<Pattern, u64>, Vec<bool>)> = sessions
        .iter()
        .map(|(rule, pairs)| {
            let active = (0..kinds.len())
                .map(|f| f != rule.a.field && rule.b.is_none_or(|b| b.field != f))
                .collect();
            let patterns: Vec<Pattern> = (pairs.par_iter())
                .map(|p| match candidates.binary_search(p) {
                    Ok(k) => patterns[k],
                    Err(_) => pattern_of(table, c, unpack(*p)),
                })
                .collect();
            (count(&patterns), active)
        })
        .collect();
    Model::train(
        kinds,
        u_from_random(kinds, &random),
        &sessions,
        &count(patterns),
        possible,
    )
}

fn pattern_of(table: &Table, c: &Comparer, (i, j): (usize, usize)) -> Pattern {
    pattern((0..c.width()).map(|f| c.level(table, f, table.row(i), table.row(j))))
}

impl Linkage {
    /// Pairs at or above the threshold, as `(i, j, probability)`. Within one file, pairs
    /// joined through a chain of confident links (each at least [`CHAIN`]) are added
    /// with the probability of the chain's weakest link (see `cluster`).
    pub fn pairs(&self, table: &Table, threshold: f64) -> Vec<(usize, usize, f64)> {
        let above = |t: f64| {
            (self.candidates.iter().zip(&self.probabilities))
                .filter(move |(_, p)| **p >= t)
                .map(|(c, p)| {
                    let (i, j) = unpack(*c);
                    (i, j, *p)
                })
        };
        let mut out: Vec<(usize, usize, f64)> = above(threshold).collect();
        if let Mode::Dedupe = self.mode {
            let chained = cluster::transitive(above(CHAIN.max(threshold)).collect(), |i, j| {
                self.comparer.contradicts(table, table.row(i), table.row(j))
            });
            out.extend(chained);
            out.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(b.2.total_cmp(&a.2)));
            out.dedup_by_key(|a| (a.0, a.1));
        }
        out
    }

    /// The expected number of true matches of one record of the right file (or of the
    /// one file) among the others: the prior for matching one record against a register.
    pub fn matches_per_record(&self, table: &Table) -> f64 {
        let others = match self.mode {
            Mode::Dedupe => table.len().saturating_sub(1),
            Mode::Link { split } => split,
        };
        self.model.lambda * others as f64
    }

    pub fn scorer<'a>(&'a self, table: &'a Table) -> Scorer<'a> {
        Scorer {
            comparer: &self.comparer,
            model: &self.model,
            table,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::record::Source;
    use crate::linkage::synth;

    #[test]
    fn a_small_synthetic_link_is_accurate_without_labels() {
        let set = synth::link_set(2_000, 3);
        let table = set.table();
        let linkage = run(
            &table,
            Mode::Link {
                split: set.left.len(),
            },
        )
        .unwrap();
        let mut found: Vec<u64> = (linkage.pairs(&table, 0.5).iter())
            .map(|(i, j, _)| (*i as u64) << 32 | *j as u64)
            .collect();
        found.sort_unstable();
        let truth = set.true_pairs();
        let hits = found
            .iter()
            .filter(|p| truth.binary_search(p).is_ok())
            .count() as f64;
        let (precision, recall) = (hits / found.len() as f64, hits / truth.len() as f64);
        assert!(
            precision > 0.95 && recall > 0.95,
            "P {precision} R {recall}"
        );
    }

    /// The registry's NIKs are verified; intakes carry NIKs typed at the desk, some with
    /// one wrong digit or two neighbouring digits swapped; a DP3AK result (verified) is
    /// the same as a registry person in everything but a different NIK.
    #[test]
    fn a_nik_typed_with_a_slip_links_and_two_different_verified_niks_never_do() {
        let set = synth::link_set(2_000, 3);
        let mut table = Table::new(synth::schema());
        for row in &set.left {
            let cells: Vec<&str> = row[1..].iter().map(String::as_str).collect();
            table.push_from(row[0].clone(), &cells, Source::Verified);
        }
        let split = table.len();
        let mut slipped = Vec::new();
        for (j, (row, who)) in set.right.iter().zip(&set.right_person).enumerate() {
            let mut row = row.clone();
            let who = *who as usize;
            if who < split && slipped.len() < 40 {
                let mut nik: Vec<u8> = set.left[who][4].clone().into_bytes();
                if slipped.len() % 2 == 0 {
                    nik[13] = b'0' + (nik[13] - b'0' + 3) % 10;
                } else if nik[14] != nik[15] {
                    nik.swap(14, 15);
                } else {
                    nik.swap(13, 14);
                }
                row[4] = String::from_utf8(nik).unwrap();
                slipped.push(((who as u64) << 32) | (split + j) as u64);
            }
            let cells: Vec<&str> = row[1..].iter().map(String::as_str).collect();
            table.push(row[0].clone(), &cells);
        }
        // Someone else's verified NIK on an otherwise identical record.
        let mut twin = set.left[0].clone();
        twin[4] = format!("{}9{}", &twin[4][..12], &twin[4][13..].replace('0', "7"));
        let cells: Vec<&str> = twin[1..].iter().map(String::as_str).collect();
        table.push_from("twin".into(), &cells, Source::Verified);
        let twin = (table.len() - 1) as u64;
        // A twin: the same record under a verified NIK one digit away (registered
        // together, the next serial).
        let mut next = set.left[1].clone();
        let mut nik = next[4].clone().into_bytes();
        nik[15] = if nik[15] == b'9' { b'8' } else { nik[15] + 1 };
        next[4] = String::from_utf8(nik).unwrap();
        let cells: Vec<&str> = next[1..].iter().map(String::as_str).collect();
        table.push_from("next serial".into(), &cells, Source::Verified);
        let next = (1u64 << 32) | (table.len() - 1) as u64;

        let linkage = run(&table, Mode::Link { split }).unwrap();
        let found: Vec<u64> = (linkage.pairs(&table, 0.5).iter())
            .map(|(i, j, _)| (*i as u64) << 32 | *j as u64)
            .collect();
        let linked = slipped.iter().filter(|p| found.contains(p)).count();
        assert!(
            linked >= 38,
            "{linked} of {} slipped NIKs linked",
            slipped.len()
        );
        assert!(!found.contains(&twin), "two verified NIKs linked");
        assert!(
            !found.contains(&next),
            "verified NIKs one digit apart linked"
        );
        let e = linkage.scorer(&table).explain(
            &table,
            table.row(0),
            table.row(twin as usize),
            linkage.model.prior_weight(),
        );
        assert!(e.contradiction && e.probability == 0.0);
    }

    /// A clean register and roadside intakes of some of its people written the hard way:
    /// a kinship word spaced or glued, doubled vowels, the old spelling, an age guessed
    /// from the face years off, the home known only to the regency, or the place of
    /// pick-up written where the home should be (as it is for a fifth of these intakes:
    /// how much a different regency says is learned from them).
    #[test]
    fn hard_indonesian_intakes_link_to_their_register_person() {
        let set = synth::link_set(2_000, 3);
        let hard = [
            (
                [
                    "Heru Mubarok",
                    "1970-05-01",
                    "L",
                    "3507120105700001",
                    "35.07.12.2003",
                    "Siti Aminah",
                ],
                ["KANG HEERU MOEBAROK", "~1978", "L", "", "35.07", ""],
            ),
            (
                [
                    "Cahyo Prasetyo",
                    "1957-02-11",
                    "L",
                    "3509041102570002",
                    "35.09.04.2011",
                    "",
                ],
                [
                    "Mas Tjahjo Prasetjo",
                    "~1962",
                    "Laki-laki",
                    "",
                    "35.09.04",
                    "",
                ],
            ),
            (
                [
                    "Sumarni",
                    "1955-08-17",
                    "P",
                    "3515035708550003",
                    "35.15.03.2001",
                    "Painem",
                ],
                ["MBAHSUMARNI", "1947", "P", "", "35.15", "PAINEM"],
            ),
            (
                [
                    "Sutarji Wibisono",
                    "1962-03-30",
                    "L",
                    "3510113003620004",
                    "35.10.11.2004",
                    "",
                ],
                ["PAK SUTARJI WIBISONO", "~1960", "L", "", "35.78", ""],
            ),
        ];
        let mut table = Table::new(synth::schema());
        for row in &set.left {
            let cells: Vec<&str> = row[1..].iter().map(String::as_str).collect();
            table.push_from(row[0].clone(), &cells, Source::Verified);
        }
        for (k, (register, _)) in hard.iter().enumerate() {
            table.push_from(format!("H{k}"), register, Source::Verified);
        }
        let split = table.len();
        for (n, row) in set.right.iter().enumerate() {
            let mut row = row.clone();
            if n % 5 == 0 {
                row[5] = "35.78".into();
            }
            let cells: Vec<&str> = row[1..].iter().map(String::as_str).collect();
            table.push(row[0].clone(), &cells);
        }
        for (k, (_, intake)) in hard.iter().enumerate() {
            table.push(format!("J{k}"), intake);
        }
        let linkage = run(&table, Mode::Link { split }).unwrap();
        let found = linkage.pairs(&table, 0.5);
        for k in 0..hard.len() {
            let (i, j) = (set.left.len() + k, table.len() - hard.len() + k);
            let p = found.iter().find(|f| (f.0, f.1) == (i, j)).map(|f| f.2);
            let e = linkage.scorer(&table).explain(
                &table,
                table.row(i),
                table.row(j),
                linkage.model.prior_weight(),
            );
            assert!(p.is_some(), "{:?}: {e:#?}", hard[k].1);
        }
    }

    #[test]
    fn empty_input_is_an_error_not_a_panic() {
        let table = Table::new(synth::schema());
        assert!(matches!(run(&table, Mode::Dedupe), Err(LinkError::Empty)));
    }
}
