//! Agreement levels: each field of a pair of records is put on a small ordinal scale,
//! 0 = identical, higher = further apart; `None` when either side is missing.
use strsim::{jaro_winkler, osa_distance};

use super::em::{level_of, Pattern};
use super::record::{Kind, Schema, Strings, Val};

/// Identifier levels: one typing slip apart, and different (three slips or more).
pub const ID_SLIP: u8 = 1;
const ID_DIFFERENT: u8 = 3;

/// Number of agreement levels of a kind.
pub fn levels(kind: Kind) -> usize {
    match kind {
        Kind::RegionCode => 7,
        Kind::FullName | Kind::GivenName | Kind::FamilyName | Kind::Date => 6,
        Kind::BirthYear | Kind::Age => 5,
        Kind::Address | Kind::Postcode | Kind::Nik | Kind::Identifier => 4,
        Kind::Text => 3,
        Kind::Sex => 2,
    }
}

/// A short description of a level, for explanations.
pub fn level_label(kind: Kind, level: u8) -> &'static str {
    let names: &[&str] = match kind {
        Kind::FullName | Kind::GivenName | Kind::FamilyName => &[
            "exact",
            "same after spelling, nickname and word order",
            "very similar (Jaro-Winkler ≥ 0.92)",
            "similar, sounds alike or one contains the other",
            "shares a word",
            "different",
        ],
        Kind::Date => &[
            "exact",
            "one part differs or day/month swapped",
            "within a year",
            "partial date, same year",
            "partial date, within three years",
            "different",
        ],
        Kind::BirthYear | Kind::Age => &["exact", "±1", "±3", "±6", "different"],
        Kind::RegionCode => &[
            "same village",
            "same district, village not known on one side",
            "same district, different village",
            "same regency, district not known on one side",
            "same regency, different district",
            "same province only",
            "different province",
        ],
        Kind::Address => &["exact", "very similar", "shares a word", "different"],
        Kind::Postcode => &["exact", "same sector", "same district", "different"],
        Kind::Text => &["exact", "very similar", "different"],
        Kind::Nik | Kind::Identifier => &[
            "exact",
            "one typing slip apart (a wrong, missing or extra digit, or two swapped)",
            "two typing slips apart",
            "different",
        ],
        Kind::Sex => &["same", "different"],
    };
    names.get(level as usize).copied().unwrap_or("?")
}

/// Compares records field by field.
#[derive(Debug, Clone)]
pub struct Comparer {
    pub schema: Schema,
    partner: Vec<Option<usize>>,
    dict: Vec<usize>,
}

impl Comparer {
    pub fn new(schema: Schema) -> Comparer {
        let partner = (0..schema.fields.len())
            .map(|f| schema.partner(f))
            .collect();
        let dict = (0..schema.fields.len()).map(|f| schema.dict(f)).collect();
        Comparer {
            schema,
            partner,
            dict,
        }
    }

    pub fn width(&self) -> usize {
        self.schema.fields.len()
    }

    /// The level of field `f` between two records (rows of values).
    pub fn level<S: Strings + ?Sized>(&self, s: &S, f: usize, a: &[Val], b: &[Val]) -> Option<u8> {
        let kind = self.schema.fields[f].kind;
        let text = |id: u32| s.text(self.dict[f], id);
        match (a[f], b[f]) {
            (Val::Missing, _) | (_, Val::Missing) => None,
            (
                Val::Str {
                    exact: ea,
                    key: ka,
                    sound: sa,
                },
                Val::Str {
                    exact: eb,
                    key: kb,
                    sound: sb,
                },
            ) => Some(match kind {
                Kind::FullName | Kind::GivenName | Kind::FamilyName => {
                    if ea == eb {
                        0
                    } else if ka == kb || self.swapped(f, a, b) {
                        1
                    } else {
                        name_level(text(ka), text(kb), sa == sb)
                    }
                }
                Kind::Address => {
                    if ea == eb {
                        0
                    } else if ka == kb || jaro_winkler(text(ea), text(eb)) >= 0.9 {
                        1
                    } else if share_word(text(ka), text(kb), 3) {
                        2
                    } else {
                        3
                    }
                }
                Kind::Postcode => {
                    if ea == eb {
                        0
                    } else if ka == kb {
                        1
                    } else if sa == sb {
                        2
                    } else {
                        3
                    }
                }
                _ => {
                    if ea == eb {
                        0
                    } else if ka == kb || jaro_winkler(text(ea), text(eb)) >= 0.88 {
                        1
                    } else {
                        2
                    }
                }
            }),
            (
                Val::Date { y, m, d },
                Val::Date {
                    y: y2,
                    m: m2,
                    d: d2,
                },
            ) => Some(date_level((y, m, d), (y2, m2, d2))),
            (Val::Num(x), Val::Num(y)) => Some(match (x - y).abs() {
                0 => 0,
                1 => 1,
                2..=3 => 2,
                4..=6 => 3,
                _ => 4,
            }),
            (Val::Sex { female: x }, Val::Sex { female: y }) => Some(u8::from(x != y)),
            (Val::Code { id: x, .. }, Val::Code { id: y, .. }) => Some(if x == y {
                0
            } else {
                // A wrong digit, a dropped or extra one, or two neighbours swapped: one slip.
                osa_distance(text(x), text(y)).min(ID_DIFFERENT as usize) as u8
            }),
            (Val::Region { segs: x, depth: dx }, Val::Region { segs: y, depth: dy }) => {
                let common = dx.min(dy) as usize;
                let same = (0..common).take_while(|&i| x[i] == y[i]).count();
                // Agreeing as far as both are known is stronger than differing below.
                Some(match (same, same == common) {
                    (4, _) => 0,
                    (3, true) => 1,
                    (3, false) => 2,
                    (2, true) => 3,
                    (2, false) => 4,
                    (1, _) => 5,
                    _ => 6,
                })
            }
            _ => None,
        }
    }

    /// Both records carry a *verified* NIK (or identifier) and the two differ by more than
    /// one typing slip: two people, a hard "no". Typed identifiers never contradict: their
    /// slips and mix-ups weigh as learned levels.
    pub fn contradicts<S: Strings + ?Sized>(&self, s: &S, a: &[Val], b: &[Val]) -> bool {
        self.contradicts_with(a, b, |f| self.level(s, f, a, b))
    }

    /// The same from the pair's already computed levels.
    pub fn contradicts_in(&self, p: Pattern, a: &[Val], b: &[Val]) -> bool {
        self.contradicts_with(a, b, |f| level_of(p, f))
    }

    fn contradicts_with(&self, a: &[Val], b: &[Val], level: impl Fn(usize) -> Option<u8>) -> bool {
        self.schema.fields.iter().enumerate().any(|(f, field)| {
            matches!(field.kind, Kind::Nik | Kind::Identifier)
                && matches!(
                    (a[f], b[f]),
                    (Val::Code { verified: true, .. }, Val::Code { verified: true, .. })
                )
                && level(f).is_some_and(|l| l > ID_SLIP)
        })
    }

    /// Given name written in the family-name column and the other way round.
    fn swapped(&self, f: usize, a: &[Val], b: &[Val]) -> bool {
        let Some(p) = self.partner[f] else {
            return false;
        };
        let key = |v: Val| match v {
            Val::Str { key, .. } => Some(key),
            _ => None,
        };
        let (Some(af), Some(bp)) = (key(a[f]), key(b[p])) else {
            return false;
        };
        let (Some(ap), Some(bf)) = (key(a[p]), key(b[f])) else {
            return af == bp;
        };
        af == bp && ap == bf
    }
}

fn name_level(a: &str, b: &str, same_sound: bool) -> u8 {
    let jw = jaro_winkler(a, b);
    if jw >= 0.92 {
        2
    } else if jw >= 0.85 || same_sound || subset(a, b) || subset(b, a) {
        3
    } else if share_word(a, b, 2) {
        4
    } else {
        5
    }
}

fn subset(a: &str, b: &str) -> bool {
    a.split(' ').all(|w| b.split(' ').any(|x| x == w))
}

fn share_word(a: &str, b: &str, min_len: usize) -> bool {
    a.split(' ')
        .filter(|w| w.len() >= min_len)
        .any(|w| b.split(' ').any(|x| x == w))
}

/// Dates with unknown month or day (0) compare on what both sides know; an estimated
/// year a few years off is common, two full dates years apart are not.
fn date_level(a: (i16, u8, u8), b: (i16, u8, u8)) -> u8 {
    let years = (a.0 - b.0).unsigned_abs();
    let full = a.1 != 0 && a.2 != 0 && b.1 != 0 && b.2 != 0;
    if full {
        if a == b {
            return 0;
        }
        let same = [a.0 == b.0, a.1 == b.1, a.2 == b.2];
        let swapped = a.0 == b.0 && a.1 == b.2 && a.2 == b.1;
        if swapped || same.iter().filter(|s| **s).count() == 2 {
            return 1;
        }
        let days = |(y, m, d): (i16, u8, u8)| y as i32 * 372 + m as i32 * 31 + d as i32;
        if (days(a) - days(b)).abs() <= 372 {
            return 2;
        }
        return 5;
    }
    let months_agree = a.1 == 0 || b.1 == 0 || a.1 == b.1;
    match years {
        0 if months_agree => 3,
        0..=3 => 4,
        _ => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::parse::{parse, parse_from};
    use crate::linkage::record::{Dict, Field, Source};

    fn cmp(kind: Kind, a: &str, b: &str) -> Option<u8> {
        let schema = Schema {
            fields: vec![Field {
                name: "x".into(),
                kind,
                format: None,
            }],
        };
        let mut d = vec![Dict::default()];
        let va = [parse(&schema, 0, a, &mut d).unwrap()];
        let vb = [parse(&schema, 0, b, &mut d).unwrap()];
        Comparer::new(schema).level(d.as_slice(), 0, &va, &vb)
    }

    #[test]
    fn names_get_levels_from_exact_to_different() {
        assert_eq!(
            cmp(Kind::FullName, "Slamet Riyadi", "Pak Slamet Riyadi"),
            Some(0)
        );
        assert_eq!(
            cmp(Kind::FullName, "Riyadi Slamet", "Slamet Riyadi"),
            Some(1)
        );
        assert_eq!(cmp(Kind::FullName, "Soerjono", "Suryono"), Some(1));
        assert_eq!(cmp(Kind::FullName, "Sutrisno", "Sutrisna"), Some(2));
        assert_eq!(cmp(Kind::FullName, "Siti", "Siti Aminah"), Some(3));
        assert_eq!(cmp(Kind::FullName, "Siti Aminah", "Siti Rahayu"), Some(4));
        assert_eq!(cmp(Kind::FullName, "Bambang", "Kartini"), Some(5));
        assert_eq!(cmp(Kind::FullName, "", "Kartini"), None);
    }

    #[test]
    fn dates_forgive_swaps_typos_and_estimates() {
        let d = |a, b| cmp(Kind::Date, a, b);
        assert_eq!(d("1980-03-04", "1980-03-04"), Some(0));
        assert_eq!(d("1980-03-04", "1980-04-03"), Some(1));
        assert_eq!(d("1980-03-04", "1981-03-04"), Some(1));
        assert_eq!(d("1980-03-04", "1980-09-20"), Some(2));
        assert_eq!(d("1980", "1980-09-20"), Some(3));
        assert_eq!(d("1983", "1980-09-20"), Some(4));
        assert_eq!(d("1984-01-10", "1980-09-20"), Some(5));
    }

    #[test]
    fn regions_agree_down_the_hierarchy() {
        let r = |a, b| cmp(Kind::RegionCode, a, b);
        assert_eq!(r("35.78.01.1001", "35.78.01.1001"), Some(0));
        assert_eq!(r("35.78.01", "35.78.01.1002"), Some(1));
        assert_eq!(r("35.78.01.1001", "35.78.01.1002"), Some(2));
        assert_eq!(r("35.78", "35.78.02.1001"), Some(3));
        assert_eq!(r("35.78.01.1001", "35.78.02.1001"), Some(4));
        assert_eq!(r("35.15.01.1001", "35.78.01.1001"), Some(5));
        assert_eq!(r("34.78.01.1001", "35.78.01.1001"), Some(6));
    }

    #[test]
    fn numbers_postcodes_sex_and_ids() {
        assert_eq!(cmp(Kind::Age, "40", "42"), Some(2));
        assert_eq!(cmp(Kind::BirthYear, "1960", "1990"), Some(4));
        assert_eq!(cmp(Kind::Postcode, "TQ13 8DF", "tq13 8df"), Some(0));
        assert_eq!(cmp(Kind::Postcode, "tq13 8df", "tq13 8hu"), Some(1));
        assert_eq!(cmp(Kind::Postcode, "tq13 8df", "tq13 9xx"), Some(2));
        assert_eq!(cmp(Kind::Sex, "L", "male"), Some(0));
        assert_eq!(cmp(Kind::Sex, "L", "P"), Some(1));
        assert_eq!(
            cmp(Kind::Nik, "3578015208900001", "3578015208900010"),
            Some(1)
        );
        assert_eq!(cmp(Kind::Identifier, "A-12", "a12"), Some(0));
    }

    #[test]
    fn swapped_given_and_family_names_agree() {
        let schema = Schema {
            fields: vec![
                Field {
                    name: "first".into(),
                    kind: Kind::GivenName,
                    format: None,
                },
                Field {
                    name: "last".into(),
                    kind: Kind::FamilyName,
                    format: None,
                },
            ],
        };
        let mut d = vec![Dict::default(), Dict::default()];
        let mut row = |a: &str, b: &str| {
            [
                parse(&schema, 0, a, &mut d).unwrap(),
                parse(&schema, 1, b, &mut d).unwrap(),
            ]
        };
        let (x, y) = (row("john", "smith"), row("smith", "john"));
        let c = Comparer::new(schema);
        assert_eq!(c.level(d.as_slice(), 0, &x, &y), Some(1));
        assert_eq!(c.level(d.as_slice(), 1, &x, &y), Some(1));
    }

    #[test]
    fn one_wrong_or_two_swapped_digits_are_a_slip_not_a_contradiction() {
        let schema = Schema {
            fields: vec![Field {
                name: "nik".into(),
                kind: Kind::Nik,
                format: None,
            }],
        };
        let mut d = vec![Dict::default()];
        let mut v = |s: &str, source| [parse_from(&schema, 0, s, &mut d, source).unwrap()];
        let verified = Source::Verified;
        let a = v("3578015208900001", verified);
        let wrong_digit = v("3578015208900007", verified);
        let swapped = v("3578015208900010", verified);
        let two_slips = v("3578015208900012", verified);
        let other = v("3515026107650042", verified);
        let typed_other = v("3515026107650042", Source::Typed);
        let bad = v("123", verified);
        let c = Comparer::new(schema);
        let level = |x: &[Val], y: &[Val]| c.level(d.as_slice(), 0, x, y);
        assert_eq!(level(&a, &wrong_digit), Some(1));
        assert_eq!(level(&a, &swapped), Some(1));
        assert_eq!(level(&a, &two_slips), Some(2));
        assert_eq!(level(&a, &other), Some(3));
        // Verified on both sides and more than a slip apart: two people.
        assert!(c.contradicts(d.as_slice(), &a, &other));
        assert!(c.contradicts(d.as_slice(), &a, &two_slips));
        let p = crate::linkage::em::pattern([level(&a, &other)].into_iter());
        assert!(c.contradicts_in(p, &a, &other));
        // A slip, a NIK typed at the desk, or one that does not decode: no veto.
        assert!(!c.contradicts(d.as_slice(), &a, &wrong_digit));
        assert!(!c.contradicts(d.as_slice(), &a, &swapped));
        assert!(!c.contradicts(d.as_slice(), &a, &typed_other));
        assert!(!c.contradicts(d.as_slice(), &a, &a));
        assert!(!c.contradicts(d.as_slice(), &a, &bad));
    }
}
