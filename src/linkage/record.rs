//! Records as the engine sees them: a schema of typed fields, and each value in a small
//! comparable form whose strings live in per-field dictionaries (parsing: `parse`).
use std::collections::HashMap;

use foldhash::fast::FixedState;
use serde::{Deserialize, Serialize};

pub(crate) type Map<K, V> = HashMap<K, V, FixedState>;

/// What a column holds; it decides parsing, comparison levels and blocking keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    FullName,
    GivenName,
    FamilyName,
    Date,
    BirthYear,
    Age,
    Sex,
    Nik,
    Identifier,
    RegionCode,
    Address,
    Postcode,
    Text,
}

impl Kind {
    pub fn is_name(self) -> bool {
        matches!(self, Kind::FullName | Kind::GivenName | Kind::FamilyName)
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    /// The column (or attribute) name, shown in explanations.
    pub name: String,
    pub kind: Kind,
    /// chrono format of a `date` field, e.g. `%Y-%m-%d`.
    pub format: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Schema {
    pub fields: Vec<Field>,
}

impl Schema {
    /// The dictionary a field's strings go to: all name fields share one, so that a
    /// given name can be compared with a family name.
    pub fn dict(&self, field: usize) -> usize {
        if self.fields[field].kind.is_name() {
            self.fields
                .iter()
                .position(|f| f.kind.is_name())
                .unwrap_or(field)
        } else {
            field
        }
    }

    /// The other name field a swapped name would land in (given ↔ family).
    pub fn partner(&self, field: usize) -> Option<usize> {
        let want = match self.fields[field].kind {
            Kind::GivenName => Kind::FamilyName,
            Kind::FamilyName => Kind::GivenName,
            _ => return None,
        };
        self.fields.iter().position(|f| f.kind == want)
    }
}

/// Where a record's identifiers come from. A *verified* identifier was confirmed by an
/// authority (a DP3AK fingerprint match, a register entry): two of them that differ, even
/// by one digit, belong to two people (twins' NIKs differ in the serial's last digit). A *typed* one was written down by
/// someone (a NIK read off a worn KTP at the roadside) and may carry a slip or be someone
/// else's: how much it weighs is learned like any other field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    #[default]
    Typed,
    Verified,
}

/// One parsed value. Strings are ids into the field's [`Dict`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val {
    Missing,
    /// `exact`: the cleaned text; `key`: spelling/alias/order-insensitive key;
    /// `sound`: phonetic key (names), sector (postcodes).
    Str {
        exact: u32,
        key: u32,
        sound: u32,
    },
    /// Month and day are 0 when unknown (a year-only or estimated birth date); `est`
    /// when the year is a guess (an age read from a face, written `~1966`), weak
    /// evidence that may be years off.
    Date {
        y: i16,
        m: u8,
        d: u8,
        est: bool,
    },
    Num(i32),
    Sex {
        female: bool,
    },
    /// An identifier; `valid` when it decodes (a NIK) or is not empty, `verified` when it
    /// comes from an authority rather than someone's typing (see [`Source`]).
    Code {
        id: u32,
        valid: bool,
        verified: bool,
    },
    /// Province, regency, district, village numbers; `depth` of them are known.
    Region {
        segs: [u16; 4],
        depth: u8,
    },
}

impl Val {
    /// The value's identity for term frequencies (how common this exact value is).
    pub fn tf_key(&self) -> Option<u64> {
        match *self {
            Val::Str { exact, .. } => Some(exact as u64),
            Val::Date { y, m, d, .. } => Some(((y as u64) << 16) | ((m as u64) << 8) | d as u64),
            Val::Num(n) => Some(n as u32 as u64),
            Val::Code { id, .. } => Some(id as u64),
            Val::Region { segs, .. } => {
                Some(segs.iter().fold(0u64, |acc, s| (acc << 16) | *s as u64))
            }
            Val::Missing | Val::Sex { .. } => None,
        }
    }
}

/// How often each byte occurs in a text, folded into 32 buckets (`byte & 31`, so the
/// letters a–z are apart) and saturating: what two texts have in common bounds how
/// similar they can be (see `compare`), computed once per distinct string.
pub type Letters = [u8; 32];

pub fn letters(s: &str) -> Letters {
    let mut out = [0u8; 32];
    for b in s.bytes() {
        let k = &mut out[(b & 31) as usize];
        *k = k.saturating_add(1);
    }
    out
}

/// How many letters two texts can have in common (an upper bound).
pub fn shared(a: &Letters, b: &Letters) -> u32 {
    a.iter().zip(b).map(|(x, y)| u32::from(*x.min(y))).sum()
}

/// Interned strings of one field.
#[derive(Debug, Default, Clone)]
pub struct Dict {
    strings: Vec<Box<str>>,
    letters: Vec<Letters>,
    index: Map<Box<str>, u32>,
}

impl Dict {
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.index.get(s) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.strings.push(s.into());
        self.letters.push(letters(s));
        self.index.insert(s.into(), id);
        id
    }
    pub fn letters(&self, id: u32) -> &Letters {
        &self.letters[id as usize]
    }
    pub fn find(&self, s: &str) -> Option<u32> {
        self.index.get(s).copied()
    }
    pub fn len(&self) -> usize {
        self.strings.len()
    }
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }
    pub fn get(&self, id: u32) -> &str {
        &self.strings[id as usize]
    }
}

/// Where parsing puts strings and where comparison reads them back.
pub trait Strings {
    fn text(&self, field: usize, id: u32) -> &str;
    fn letters(&self, field: usize, id: u32) -> &Letters;
}

pub trait Intern {
    fn intern(&mut self, field: usize, s: &str) -> u32;
}

impl Strings for [Dict] {
    fn text(&self, field: usize, id: u32) -> &str {
        self[field].get(id)
    }
    fn letters(&self, field: usize, id: u32) -> &Letters {
        self[field].letters(id)
    }
}

impl Intern for Vec<Dict> {
    fn intern(&mut self, field: usize, s: &str) -> u32 {
        self[field].intern(s)
    }
}
