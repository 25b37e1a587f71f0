//! Links vouching for each other within one file. If A–B and B–C are confident links,
//! A and C are the same person even when their own records share little (one has the
//! nickname, the other the old spelling). Confident pairs are joined strongest first
//! (single linkage); each pair of a joined group gets the probability of the weakest
//! link on the strongest chain between them. Two groups are never joined when that would
//! put records with contradicting identifiers (different valid NIKs) together, or make a
//! group larger than any plausible set of records of one person.

/// A group larger than this is a chain of errors, not one person.
const MAX_GROUP: usize = 500;

/// All pairs implied by the `direct` links (each `(i, j, p)` with `i < j`), sorted.
pub fn transitive(
    mut direct: Vec<(usize, usize, f64)>,
    contradicts: impl Fn(usize, usize) -> bool,
) -> Vec<(usize, usize, f64)> {
    direct.sort_by(|a, b| b.2.total_cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
    let mut group: std::collections::HashMap<usize, usize> = Default::default();
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut out = Vec::new();
    for (i, j, p) in direct {
        let gi = *group.entry(i).or_insert_with(|| {
            members.push(vec![i]);
            members.len() - 1
        });
        let gj = *group.entry(j).or_insert_with(|| {
            members.push(vec![j]);
            members.len() - 1
        });
        if gi == gj {
            continue;
        }
        let (a, b) = (&members[gi], &members[gj]);
        let joinable = a.len() + b.len() <= MAX_GROUP
            && !a.iter().any(|&x| b.iter().any(|&y| contradicts(x, y)));
        if !joinable {
            out.push((i, j, p));
            continue;
        }
        for &x in a {
            for &y in b {
                out.push((x.min(y), x.max(y), p));
            }
        }
        let (big, small) = if a.len() >= b.len() {
            (gi, gj)
        } else {
            (gj, gi)
        };
        let moved = std::mem::take(&mut members[small]);
        for &m in &moved {
            group.insert(m, big);
        }
        members[big].extend(moved);
    }
    out.sort_by_key(|a| (a.0, a.1));
    out.dedup_by_key(|a| (a.0, a.1));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_of_confident_links_joins_its_ends_at_the_weakest_link() {
        let out = transitive(vec![(0, 1, 0.99), (1, 2, 0.8)], |_, _| false);
        assert_eq!(out, vec![(0, 1, 0.99), (0, 2, 0.8), (1, 2, 0.8)]);
    }

    #[test]
    fn contradicting_records_are_never_joined_through_others() {
        // 0 and 2 hold different valid NIKs; 1 has none and resembles both.
        let out = transitive(vec![(0, 1, 0.9), (1, 2, 0.8)], |a, b| {
            (a, b) == (0, 2) || (a, b) == (2, 0)
        });
        assert_eq!(out, vec![(0, 1, 0.9), (1, 2, 0.8)]);
    }
}
