//! A set of parsed records (one file, or both files of a link) with the dictionaries
//! their strings live in and how often each value occurs (for term-frequency weights).
use super::parse::{parse_from, Unreadable};
use super::record::{Dict, Intern, Kind, Letters, Map, Schema, Source, Strings, Val};

#[derive(Debug, Clone)]
pub struct Table {
    pub schema: Schema,
    pub dicts: Vec<Dict>,
    pub ids: Vec<String>,
    vals: Vec<Val>,
    counts: Vec<Map<u64, u32>>,
    /// Counts of the match keys of names (spelling, alias and order folded).
    key_counts: Vec<Map<u32, u32>>,
    totals: Vec<u64>,
    /// Values per field that could not be read and were taken as missing.
    pub unreadable: Vec<usize>,
    /// Each field's cells read so far and what they were read as: names, places and
    /// dates repeat, and reading a name (titles, spelling, keys) is not free. Only
    /// while records are added (see [`Table::forget_cells`]).
    read: Vec<Map<Box<str>, Result<Val, Unreadable>>>,
}

impl Table {
    pub fn new(schema: Schema) -> Table {
        let n = schema.fields.len();
        Table {
            schema,
            dicts: vec![Dict::default(); n],
            ids: Vec::new(),
            vals: Vec::new(),
            counts: vec![Map::default(); n],
            key_counts: vec![Map::default(); n],
            totals: vec![0; n],
            unreadable: vec![0; n],
            read: vec![Map::default(); n],
        }
    }

    /// Drops what was remembered of cells read, once no more records are added.
    pub fn forget_cells(&mut self) {
        self.read = vec![Map::default(); self.width()];
    }

    pub fn width(&self) -> usize {
        self.schema.fields.len()
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Adds one record from its raw cells (in schema order), its identifiers typed.
    /// Returns the fields whose value was unreadable (and is now missing).
    pub fn push(&mut self, id: String, raw: &[&str]) -> Vec<usize> {
        self.push_from(id, raw, Source::Typed)
    }

    /// Adds one record whose identifiers come from `source` (a register row: verified).
    pub fn push_from(&mut self, id: String, raw: &[&str], source: Source) -> Vec<usize> {
        let mut bad = Vec::new();
        let start = self.vals.len();
        for (f, cell) in raw.iter().enumerate().take(self.width()) {
            // Identifiers differ from record to record and carry their source.
            let remember = !matches!(self.schema.fields[f].kind, Kind::Nik | Kind::Identifier);
            let known = remember.then(|| self.read[f].get(*cell).copied()).flatten();
            let parsed = known.unwrap_or_else(|| {
                let v = parse_from(&self.schema, f, cell, &mut self.dicts, source);
                if remember {
                    self.read[f].insert((*cell).into(), v);
                }
                v
            });
            let v = parsed.unwrap_or_else(|_| {
                bad.push(f);
                Val::Missing
            });
            self.vals.push(v);
        }
        self.vals.resize(start + self.width(), Val::Missing);
        for f in &bad {
            self.unreadable[*f] += 1;
        }
        self.count_row(self.ids.len());
        self.ids.push(id);
        bad
    }

    fn count_row(&mut self, i: usize) {
        let w = self.width();
        for f in 0..w {
            let v = self.vals[i * w + f];
            if let Some(k) = v.tf_key() {
                *self.counts[f].entry(k).or_insert(0) += 1;
                self.totals[f] += 1;
            }
            if let Val::Str { key, .. } = v {
                *self.key_counts[f].entry(key).or_insert(0) += 1;
            }
        }
    }

    pub fn row(&self, i: usize) -> &[Val] {
        let w = self.width();
        &self.vals[i * w..(i + 1) * w]
    }

    /// Share of records holding this exact value of field `f` (at least one record's worth).
    pub fn term_frequency(&self, f: usize, v: &Val) -> f64 {
        let total = self.totals[f].max(1) as f64;
        let n = v
            .tf_key()
            .and_then(|k| self.counts[f].get(&k).copied())
            .unwrap_or(0)
            .max(1);
        n as f64 / total
    }

    /// Share of records whose value of field `f` has this match key.
    pub fn key_frequency(&self, f: usize, v: &Val) -> f64 {
        let n = match v {
            Val::Str { key, .. } => self.key_counts[f].get(key).copied().unwrap_or(0),
            _ => 0,
        };
        n.max(1) as f64 / self.totals[f].max(1) as f64
    }

    /// Parses a record that is not (yet) in the table, for one-off matching; its new
    /// strings go to an overlay so the table stays shared and unchanged.
    pub fn parse_outside<'a>(
        &'a self,
        raw: &[&str],
        source: Source,
    ) -> (Vec<Val>, Overlay<'a>, Vec<usize>) {
        let mut overlay = Overlay {
            base: &self.dicts,
            extra: vec![Dict::default(); self.width()],
        };
        let mut bad = Vec::new();
        let row = (0..self.width())
            .map(|f| {
                let cell = raw.get(f).copied().unwrap_or("");
                parse_from(&self.schema, f, cell, &mut overlay, source).unwrap_or_else(|_| {
                    bad.push(f);
                    Val::Missing
                })
            })
            .collect();
        (row, overlay, bad)
    }
}

impl Strings for Table {
    fn text(&self, field: usize, id: u32) -> &str {
        self.dicts[field].get(id)
    }
    fn letters(&self, field: usize, id: u32) -> &Letters {
        self.dicts[field].letters(id)
    }
}

/// The table's dictionaries plus the strings of one outside record.
pub struct Overlay<'a> {
    base: &'a [Dict],
    extra: Vec<Dict>,
}

impl Intern for Overlay<'_> {
    fn intern(&mut self, field: usize, s: &str) -> u32 {
        let base = &self.base[field];
        base.find(s)
            .unwrap_or_else(|| base.len() as u32 + self.extra[field].intern(s))
    }
}

impl Strings for Overlay<'_> {
    fn text(&self, field: usize, id: u32) -> &str {
        let base = &self.base[field];
        if (id as usize) < base.len() {
            base.get(id)
        } else {
            self.extra[field].get(id - base.len() as u32)
        }
    }
    fn letters(&self, field: usize, id: u32) -> &Letters {
        let base = &self.base[field];
        if (id as usize) < base.len() {
            base.letters(id)
        } else {
            self.extra[field].letters(id - base.len() as u32)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::record::{Field, Kind};

    fn table() -> Table {
        Table::new(Schema {
            fields: vec![
                Field {
                    name: "name".into(),
                    kind: Kind::FullName,
                    format: None,
                },
                Field {
                    name: "dob".into(),
                    kind: Kind::Date,
                    format: Some("%Y-%m-%d".into()),
                },
            ],
        })
    }

    #[test]
    fn unreadable_values_are_counted_and_missing() {
        let mut t = table();
        assert_eq!(t.push("a".into(), &["Siti", "1990-02-30"]), vec![1]);
        assert_eq!(t.push("b".into(), &["Siti", ""]), Vec::<usize>::new());
        assert_eq!(t.row(0)[1], Val::Missing);
        assert_eq!(t.unreadable, vec![0, 1]);
        assert_eq!(t.term_frequency(0, &t.row(0)[0]), 1.0);
    }

    #[test]
    fn an_outside_record_reuses_known_strings_and_keeps_new_ones_apart() {
        let mut t = table();
        t.push("a".into(), &["Siti", "1990-02-03"]);
        let (row, overlay, _) = t.parse_outside(&["Siti", ""], Source::Typed);
        assert_eq!(row[0], t.row(0)[0]);
        let (row, overlay2, _) = t.parse_outside(&["Kartini", ""], Source::Typed);
        let Val::Str { exact, .. } = row[0] else {
            panic!()
        };
        assert_eq!(overlay2.text(0, exact), "kartini");
        drop(overlay);
        assert_eq!(t.dicts[0].find("kartini"), None);
    }
}
