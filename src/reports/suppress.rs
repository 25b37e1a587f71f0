//! Small-cell suppression for the open figures. A count of 1–4 people may point to a
//! person, so it is withheld; and so that it cannot be worked out from what is published,
//! every row and column (totals included) that withholds anything withholds at least two
//! entries, and, when its total is published, entries that add up to at least 5. Then no
//! published entry is 1–4 and no total minus its published entries comes to 1–4. Zero is
//! published: it points to nobody. Pure; the property test below checks the promise.

/// Counts with their totals: `cells[r][c]` inside, `row_totals`, `col_totals`, `total`.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// (rows + 1) × (cols + 1): the last row and column are the totals.
    pub values: Vec<Vec<i64>>,
    pub withheld: Vec<Vec<bool>>,
}

const SMALL: std::ops::RangeInclusive<i64> = 1..=4;

/// A line of a grid: its inner entries and its total, as (row, col) positions.
pub type Line = (Vec<(usize, usize)>, (usize, usize));

impl Grid {
    /// The grid of `cells` with its totals added, nothing withheld yet.
    pub fn new(cells: &[Vec<i64>]) -> Grid {
        let cols = cells.first().map_or(0, Vec::len);
        let mut values: Vec<Vec<i64>> = cells
            .iter()
            .map(|row| {
                let mut r = row.clone();
                r.push(row.iter().sum());
                r
            })
            .collect();
        let totals: Vec<i64> = (0..=cols)
            .map(|c| values.iter().map(|r| r[c]).sum())
            .collect();
        values.push(totals);
        let withheld = values.iter().map(|r| vec![false; r.len()]).collect();
        Grid { values, withheld }
    }

    /// Every line: its inner entries and its total, as (row, col) positions.
    pub fn lines(&self) -> Vec<Line> {
        let (rows, cols) = (self.values.len() - 1, self.values[0].len() - 1);
        let mut out = vec![];
        for r in 0..=rows {
            out.push(((0..cols).map(|c| (r, c)).collect(), (r, cols)));
        }
        for c in 0..=cols {
            out.push(((0..rows).map(|r| (r, c)).collect(), (rows, c)));
        }
        out
    }

    /// Withholds the small counts and then, line by line until nothing changes, the
    /// smallest further entries each line needs.
    pub fn suppress(mut self) -> Grid {
        for (r, row) in self.values.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                self.withheld[r][c] = SMALL.contains(v);
            }
        }
        loop {
            let mut changed = false;
            for (inner, total) in self.lines() {
                while let Some(next) = self.needs(&inner, total) {
                    self.withheld[next.0][next.1] = true;
                    changed = true;
                }
            }
            if !changed {
                return self;
            }
        }
    }

    /// The entry this line must withhold next, if it is not yet safe.
    fn needs(&self, inner: &[(usize, usize)], total: (usize, usize)) -> Option<(usize, usize)> {
        let held = |p: &(usize, usize)| self.withheld[p.0][p.1];
        let value = |p: &(usize, usize)| self.values[p.0][p.1];
        let inner_held: i64 = inner.iter().filter(|p| held(p)).map(value).sum();
        let count = inner.iter().filter(|p| held(p)).count() + usize::from(held(&total));
        let safe = count == 0 || (count >= 2 && (held(&total) || inner_held >= 5));
        if safe {
            return None;
        }
        // The smallest published entry that adds to the withheld sum; failing that any
        // published entry (a zero), and last the total itself.
        let open: Vec<&(usize, usize)> = inner.iter().filter(|p| !held(p)).collect();
        open.iter()
            .filter(|p| value(p) > 0)
            .min_by_key(|p| value(p))
            .or_else(|| open.first())
            .map(|p| **p)
            .or((!held(&total)).then_some(total))
    }

    pub fn shown(&self, r: usize, c: usize) -> Option<i64> {
        (!self.withheld[r][c]).then_some(self.values[r][c])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What a reader can work out: every published entry, and every published total less
    /// the published entries of its line.
    fn revealed(g: &Grid) -> Vec<i64> {
        let mut out = vec![];
        for (r, row) in g.values.iter().enumerate() {
            for c in 0..row.len() {
                if let Some(v) = g.shown(r, c) {
                    out.push(v);
                }
            }
        }
        for (inner, total) in g.lines() {
            if let Some(t) = g.shown(total.0, total.1) {
                let published: i64 = inner.iter().filter_map(|p| g.shown(p.0, p.1)).sum();
                if inner.iter().any(|p| g.withheld[p.0][p.1]) {
                    out.push(t - published);
                }
            }
        }
        out
    }

    #[test]
    fn a_lone_small_cell_takes_a_partner_in_its_row_and_column() {
        let g = Grid::new(&[vec![3, 10, 12], vec![8, 9, 20]]).suppress();
        assert!(g.withheld[0][0]);
        assert!(revealed(&g).iter().all(|v| !SMALL.contains(v)), "{g:?}");
        for (inner, total) in g.lines() {
            let n = inner
                .iter()
                .chain([&total])
                .filter(|p| g.withheld[p.0][p.1])
                .count();
            assert!(n != 1, "a line withholding one entry gives it away: {g:?}");
        }
    }

    #[test]
    fn a_table_without_small_cells_is_published_whole() {
        let g = Grid::new(&[vec![0, 10], vec![5, 9]]).suppress();
        assert!(g.withheld.iter().flatten().all(|w| !w));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn nothing_published_or_derived_from_a_line_is_a_small_count(
            cells in (1usize..6, 1usize..8).prop_flat_map(|(r, c)|
                prop::collection::vec(prop::collection::vec(
                    prop_oneof![3 => 0i64..6, 1 => 0i64..40], c), r))
        ) {
            let g = Grid::new(&cells).suppress();
            for v in revealed(&g) {
                prop_assert!(!SMALL.contains(&v), "{v} can be read from {g:?}");
            }
            for (inner, total) in g.lines() {
                let n = inner.iter().chain([&total]).filter(|p| g.withheld[p.0][p.1]).count();
                prop_assert!(n != 1, "one withheld entry in a line is its total less the rest: {g:?}");
            }
        }
    }
}
