//! Blocking: which pairs are worth comparing. Each field yields a few keys ("atoms": a
//! name word's sound, a full date, a birth year, a postcode…); a rule is one atom, or two
//! atoms of different fields, and a pair is a candidate when it shares a rule's key.
//! The union of many such rules keeps recall high — a true pair only needs two fields to
//! agree roughly — while blocks that are too large to be informative are skipped and
//! rules that would produce too many pairs are dropped.
use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use rayon::prelude::*;

use super::normalise::{sound_of_key, unglued};
use super::record::{Kind, Strings, Val};
use super::table::Table;

/// One kind of key from one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Atom {
    pub field: usize,
    pub slot: u8,
}

/// A blocking rule: the key of one atom, or of two atoms together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub a: Atom,
    pub b: Option<Atom>,
}

/// Limits that keep the number of compared pairs small.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A block holding more pairs than this says little and is skipped.
    pub max_block_pairs: u64,
    /// A rule's pairs stop at this many; its largest blocks are skipped to stay within.
    pub max_rule_pairs: u64,
}

impl Limits {
    pub fn for_records(n: usize) -> Limits {
        Limits {
            max_block_pairs: 20_000,
            max_rule_pairs: (15 * n as u64).max(100_000),
        }
    }
}

/// An atom is strong when its key alone narrows a record down to few others.
fn strong(kind: Kind, slot: u8) -> bool {
    match kind {
        Kind::FullName | Kind::GivenName | Kind::FamilyName => true,
        Kind::Date | Kind::Postcode => slot == 0,
        Kind::Nik | Kind::Identifier => true,
        _ => false,
    }
}

/// Which atoms a field of this kind has (slots).
fn slots(kind: Kind) -> &'static [u8] {
    match kind {
        Kind::Date => &[0, 1, 2, 3],
        Kind::Postcode | Kind::BirthYear | Kind::Age | Kind::RegionCode => &[0, 1],
        Kind::Sex => &[],
        _ => &[0],
    }
}

fn hash(parts: &[u64]) -> u64 {
    FixedState::with_seed(0x5eed).hash_one(parts)
}

/// The keys a record has for each atom (several for a name with several words).
pub fn atoms<S: Strings + ?Sized>(s: &S, table: &Table, row: &[Val]) -> Vec<(Atom, u64)> {
    let mut out = Vec::new();
    for (f, field) in table.schema.fields.iter().enumerate() {
        let dict = table.schema.dict(f);
        let v = row[f];
        let mut put = |slot: u8, key: u64| out.push((Atom { field: f, slot }, key));
        match (field.kind, v) {
            (_, Val::Missing) => {}
            (k, Val::Str { key, .. }) if k.is_name() => {
                let text = s.text(dict, key);
                // Each word's sound, and the sound of what a glued title leaves
                // ("mbahsurip" also meets "surip"); and the whole name's key.
                for w in text.split(' ').filter(|w| w.len() > 1) {
                    put(0, hash_str(&sound_of_key(w)));
                    for rest in unglued(w) {
                        put(0, hash_str(&sound_of_key(rest)));
                    }
                }
                // Rare as a whole where each word is common: the whole name's blocks
                // are small and survive where a common word's are skipped.
                put(0, hash(&[u64::MAX, key as u64]));
            }
            (Kind::Postcode, Val::Str { exact, sound, .. }) => {
                put(0, exact as u64);
                put(1, sound as u64);
            }
            (_, Val::Str { key, .. }) => put(0, key as u64),
            (_, Val::Date { y, m, d, .. }) => {
                if m != 0 && d != 0 {
                    put(0, ((y as u64) << 16) | ((m as u64) << 8) | d as u64);
                }
                put(1, y as u64);
                year_buckets(y as i32, |b| put(2, b));
                // Ages guessed from a face are often five to ten years off.
                put(3, (y as i32).div_euclid(10) as u64);
                put(3, (1 << 40) | (y as i32 + 5).div_euclid(10) as u64);
            }
            (_, Val::Num(n)) => {
                put(0, n as u64);
                year_buckets(n, |b| put(1, b));
            }
            (_, Val::Code { id, .. }) => {
                put(0, id as u64);
                // Each half too, so that one typing slip still meets the other half.
                let code = s.text(dict, id);
                if code.len() >= 8 && code.is_ascii() {
                    let half = code.len() / 2;
                    put(0, hash_str(&code[..half]));
                    put(0, hash(&[u64::MAX, hash_str(&code[half..])]));
                }
            }
            (_, Val::Region { segs, depth }) => {
                let regency = ((segs[0] as u64) << 32) | ((segs[1] as u64) << 16);
                if depth >= 3 {
                    put(0, regency | segs[2] as u64);
                }
                if depth >= 2 {
                    put(1, regency);
                }
            }
            _ => {}
        }
    }
    out
}

/// Two overlapping four-year buckets, so that years up to two apart share a key
/// (estimated ages).
fn year_buckets(y: i32, mut put: impl FnMut(u64)) {
    put(y.div_euclid(4) as u64);
    put((1 << 40) | (y + 2).div_euclid(4) as u64);
}

fn hash_str(s: &str) -> u64 {
    FixedState::with_seed(0x5eed).hash_one(s)
}

/// Every rule the schema allows: identifiers and name words alone, and pairs of atoms
/// from two fields with at least one strong atom.
pub fn all_rules(table: &Table) -> Vec<Rule> {
    let kinds: Vec<Kind> = table.schema.fields.iter().map(|f| f.kind).collect();
    let atoms: Vec<Atom> = (kinds.iter().enumerate())
        .flat_map(|(field, k)| slots(*k).iter().map(move |&slot| Atom { field, slot }))
        .collect();
    let mut rules = Vec::new();
    for (i, a) in atoms.iter().enumerate() {
        if matches!(kinds[a.field], Kind::Nik | Kind::Identifier) {
            rules.push(Rule { a: *a, b: None });
            continue;
        }
        if kinds[a.field].is_name() {
            rules.push(Rule { a: *a, b: None });
        }
        for b in &atoms[i + 1..] {
            let code = |x: &Atom| matches!(kinds[x.field], Kind::Nik | Kind::Identifier);
            if b.field != a.field
                && !code(b)
                && (strong(kinds[a.field], a.slot) || strong(kinds[b.field], b.slot))
            {
                rules.push(Rule { a: *a, b: Some(*b) });
            }
        }
    }
    rules
}

/// The keys of one rule for a record with these atoms.
pub fn rule_keys(rule: usize, r: &Rule, atoms: &[(Atom, u64)]) -> Vec<u64> {
    let of = |want: Atom| {
        atoms
            .iter()
            .filter(move |(a, _)| *a == want)
            .map(|(_, k)| *k)
    };
    match r.b {
        None => of(r.a).map(|k| hash(&[rule as u64, k])).collect(),
        Some(b) => of(r.a)
            .flat_map(|ka| of(b).map(move |kb| hash(&[rule as u64, ka, kb])))
            .collect(),
    }
}

/// How the records of a table are paired: within one file, or across two (the first
/// `split` records are the left file).
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    Dedupe,
    Link { split: usize },
}

/// A rule and a sample of the pairs it found, for training.
pub type Session = (Rule, Vec<u64>);

/// Pairs kept per rule for training (a rule's "session").
const SESSION_PAIRS: usize = 60_000;

#[derive(Debug, Clone, Default)]
pub struct BlockStats {
    pub rules_used: usize,
    pub rules_dropped: usize,
    pub blocks_skipped: usize,
}

/// Candidate pairs `(i, j)` with `i < j`, packed as `i << 32 | j`, sorted and unique;
/// and for training, each used rule with a sample of its own pairs.
pub fn candidates(
    table: &Table,
    mode: Mode,
    limits: Limits,
) -> (Vec<u64>, BlockStats, Vec<Session>) {
    let rules = all_rules(table);
    let atoms: Vec<Vec<(Atom, u64)>> = (0..table.len())
        .into_par_iter()
        .map(|i| atoms(table, table, table.row(i)))
        .collect();
    let per_rule: Vec<(Vec<u64>, usize, bool)> = rules
        .par_iter()
        .enumerate()
        .map(|(ri, r)| rule_pairs(ri, r, &atoms, mode, limits))
        .collect();
    let mut stats = BlockStats::default();
    let mut pairs = Vec::new();
    let mut sessions = Vec::new();
    for ((p, skipped, used), rule) in per_rule.into_iter().zip(rules) {
        stats.blocks_skipped += skipped;
        if used {
            stats.rules_used += 1;
            let step = p.len().div_ceil(SESSION_PAIRS).max(1);
            sessions.push((rule, p.iter().step_by(step).copied().collect()));
            pairs.extend(p);
        } else {
            stats.rules_dropped += 1;
        }
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    (pairs, stats, sessions)
}

fn rule_pairs(
    ri: usize,
    r: &Rule,
    atoms: &[Vec<(Atom, u64)>],
    mode: Mode,
    limits: Limits,
) -> (Vec<u64>, usize, bool) {
    let mut entries: Vec<(u64, u32)> = Vec::new();
    for (i, a) in atoms.iter().enumerate() {
        for k in rule_keys(ri, r, a) {
            entries.push((k, i as u32));
        }
    }
    entries.sort_unstable();
    entries.dedup();
    let groups: Vec<&[(u64, u32)]> = entries.chunk_by(|x, y| x.0 == y.0).collect();
    let size = |g: &[(u64, u32)]| -> u64 {
        match mode {
            Mode::Dedupe => (g.len() as u64) * (g.len() as u64 - 1) / 2,
            Mode::Link { split } => {
                let left = g.iter().filter(|e| (e.1 as usize) < split).count() as u64;
                left * (g.len() as u64 - left)
            }
        }
    };
    // Smallest blocks first, until the rule's budget is spent: a rule too broad as a
    // whole still finds pairs in its small (informative) blocks.
    let mut sizes: Vec<u64> = groups.iter().map(|g| size(g)).collect();
    sizes.sort_unstable();
    // One name word alone says less than two fields together: its blocks stay smaller.
    let max_block = match r.b {
        None => limits.max_block_pairs / 10,
        Some(_) => limits.max_block_pairs,
    };
    let mut cap = 0;
    let mut total = 0;
    for s in sizes.iter().copied() {
        if s > max_block || total + s > limits.max_rule_pairs {
            break;
        }
        total += s;
        cap = s;
    }
    let skipped = sizes.iter().filter(|s| **s > cap).count();
    if total == 0 {
        return (Vec::new(), skipped, false);
    }
    let mut out = Vec::with_capacity(total as usize);
    for g in groups {
        if size(g) > cap {
            continue;
        }
        for (x, a) in g.iter().enumerate() {
            for b in &g[x + 1..] {
                let (i, j) = (a.1 as u64, b.1 as u64);
                let cross = match mode {
                    Mode::Dedupe => true,
                    Mode::Link { split } => ((i as usize) < split) != ((j as usize) < split),
                };
                if cross {
                    out.push(i.min(j) << 32 | i.max(j));
                }
            }
        }
    }
    (out, skipped, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::synth;

    #[test]
    fn blocking_keeps_nearly_all_true_pairs_while_comparing_few() {
        let set = synth::link_set(5_000, 11);
        let table = set.table();
        let (pairs, _, _) = candidates(
            &table,
            Mode::Link {
                split: set.left.len(),
            },
            Limits::for_records(table.len()),
        );
        let truth = set.true_pairs();
        let found = truth
            .iter()
            .filter(|p| pairs.binary_search(p).is_ok())
            .count();
        let recall = found as f64 / truth.len() as f64;
        let share = pairs.len() as f64 / (5_000.0 * 5_000.0);
        assert!(recall > 0.98, "recall {recall}");
        assert!(share < 0.03, "compared {share} of all pairs");
    }

    #[test]
    fn identifiers_block_alone_and_weak_pairs_are_not_rules() {
        let schema = crate::linkage::record::Schema {
            fields: ["nik", "sex", "year", "name"]
                .iter()
                .zip([Kind::Nik, Kind::Sex, Kind::BirthYear, Kind::FullName])
                .map(|(n, kind)| crate::linkage::record::Field {
                    name: n.to_string(),
                    kind,
                    format: None,
                })
                .collect(),
        };
        let rules = all_rules(&Table::new(schema));
        assert!(rules.contains(&Rule {
            a: Atom { field: 0, slot: 0 },
            b: None
        }));
        // The name alone, the name with the birth year or its bucket; never sex, and
        // never the year alone.
        assert_eq!(rules.len(), 4);
    }
}
