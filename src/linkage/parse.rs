//! Reading one raw cell as its kind: names cleaned and keyed, dates full or partial,
//! sex in its many encodings, NIKs checked, region codes dotted or not.
use chrono::{Datelike, NaiveDate};

use super::normalise::{clean, name_key, name_keys, name_words};
use super::record::{Intern, Kind, Schema, Source, Val};
use crate::identity::nik::Nik;

/// The value could not be read as its kind (30 February, sex "X"): counted, then missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreadable;

/// Parses one raw cell of a typed record. Empty means missing; unreadable is an error the
/// caller counts.
pub fn parse(
    schema: &Schema,
    field: usize,
    raw: &str,
    dicts: &mut impl Intern,
) -> Result<Val, Unreadable> {
    parse_from(schema, field, raw, dicts, Source::Typed)
}

/// Parses one raw cell of a record from `source`: a valid identifier of a verified
/// record is marked verified.
pub fn parse_from(
    schema: &Schema,
    field: usize,
    raw: &str,
    dicts: &mut impl Intern,
    source: Source,
) -> Result<Val, Unreadable> {
    let verified = source == Source::Verified;
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(Val::Missing);
    }
    let f = &schema.fields[field];
    let dict = schema.dict(field);
    let mut id = |s: &str| dicts.intern(dict, s);
    Ok(match f.kind {
        Kind::FullName | Kind::GivenName | Kind::FamilyName => {
            let words = name_words(raw);
            if words.is_empty() {
                return Ok(Val::Missing);
            }
            let (key, sound) = name_keys(&words);
            Val::Str {
                exact: id(&words.join(" ")),
                key: id(&key),
                sound: id(&sound),
            }
        }
        Kind::Address | Kind::Text => {
            let c = clean(raw);
            if c.is_empty() {
                return Ok(Val::Missing);
            }
            let words: Vec<String> = c.split(' ').map(str::to_string).collect();
            let e = id(&c);
            Val::Str {
                exact: e,
                key: id(&name_key(&words)),
                sound: e,
            }
        }
        Kind::Postcode => {
            let c: String = clean(raw);
            if c.is_empty() {
                return Ok(Val::Missing);
            }
            // UK style "tq13 8df": outward code before the space; Indonesian 5 digits:
            // the first three digits name the regency area.
            let outward = match c.split_once(' ') {
                Some((o, _)) => o.to_string(),
                None => c.chars().take(3).collect(),
            };
            let squeezed: String = c.chars().filter(|c| *c != ' ').collect();
            let sector: String = squeezed
                .chars()
                .take(
                    squeezed
                        .chars()
                        .count()
                        .saturating_sub(2)
                        .max(outward.len()),
                )
                .collect();
            Val::Str {
                exact: id(&squeezed),
                key: id(&sector),
                sound: id(&outward),
            }
        }
        Kind::Date => parse_date(raw, f.format.as_deref().unwrap_or("%Y-%m-%d"))?,
        Kind::BirthYear => match estimate(raw).unwrap_or(raw).parse::<i32>() {
            Ok(y) if (1800..=2200).contains(&y) => Val::Num(y),
            _ => return Err(Unreadable),
        },
        Kind::Age => match estimate(raw).unwrap_or(raw).parse::<f64>() {
            Ok(a) if (0.0..=130.0).contains(&a) => Val::Num(a.round() as i32),
            _ => return Err(Unreadable),
        },
        Kind::Sex => Val::Sex {
            female: parse_sex(raw).ok_or(Unreadable)?,
        },
        Kind::Nik => {
            let digits: String = raw.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            let valid = Nik::parse(&digits).is_ok();
            Val::Code {
                valid,
                id: id(&digits),
                verified: verified && valid,
            }
        }
        Kind::Identifier => {
            let c: String = raw
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_uppercase)
                .collect();
            Val::Code {
                id: id(&c),
                valid: !c.is_empty(),
                verified: verified && !c.is_empty(),
            }
        }
        Kind::RegionCode => parse_region(raw)?,
    })
}

/// Full dates in the field's format; a bare year or year-month is a partial date; a year
/// marked as a guess (`~1966`, `±1966`, `1966?`, `sekitar 1966`, `ca. 1966`) is an
/// estimate.
fn parse_date(raw: &str, format: &str) -> Result<Val, Unreadable> {
    if let Some(year) = estimate(raw) {
        return match parse_date(year, format)? {
            Val::Date { y, .. } => Ok(Val::Date {
                y,
                m: 0,
                d: 0,
                est: true,
            }),
            _ => Err(Unreadable),
        };
    }
    if let Ok(d) = NaiveDate::parse_from_str(raw, format) {
        return Ok(date_val(d));
    }
    let num = |s: &str| {
        s.parse::<i32>()
            .ok()
            .filter(|_| s.bytes().all(|b| b.is_ascii_digit()))
    };
    let year_ok = |y: i32| (1000..=2200).contains(&y);
    if raw.len() == 4 {
        if let Some(y) = num(raw).filter(|y| year_ok(*y)) {
            return Ok(Val::Date {
                y: y as i16,
                m: 0,
                d: 0,
                est: false,
            });
        }
    }
    if let Some((y, m)) = raw.split_once('-') {
        if let (Some(y), Some(m)) = (num(y), num(m)) {
            if year_ok(y) && (1..=12).contains(&m) {
                return Ok(Val::Date {
                    y: y as i16,
                    m: m as u8,
                    d: 0,
                    est: false,
                });
            }
        }
    }
    Err(Unreadable)
}

/// What is left of a value marked as a guess, or `None` when it is not marked.
pub fn estimate(raw: &str) -> Option<&str> {
    const BEFORE: [&str; 9] = [
        "~",
        "±",
        "+/-",
        "+-",
        "kira-kira",
        "sekitar",
        "circa",
        "ca.",
        "c.",
    ];
    let raw = raw.trim();
    if let Some(rest) = raw.strip_suffix('?') {
        return Some(rest.trim_end());
    }
    let lower = raw.to_lowercase();
    BEFORE
        .iter()
        .find(|m| lower.starts_with(*m))
        .map(|m| raw[m.len()..].trim_start())
        .filter(|rest| !rest.is_empty())
}

fn date_val(d: NaiveDate) -> Val {
    Val::Date {
        y: d.year() as i16,
        m: d.month() as u8,
        d: d.day() as u8,
        est: false,
    }
}

/// L/P, M/F, male/female, laki-laki/perempuan (and a few more); `true` is female.
pub fn parse_sex(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "l" | "lk" | "laki-laki" | "laki laki" | "laki" | "pria" | "m" | "male" | "man" => {
            Some(false)
        }
        "p" | "pr" | "perempuan" | "wanita" | "w" | "f" | "female" | "woman" => Some(true),
        _ => None,
    }
}

/// `35.78.01.1001` or its ten digits `3578011001`; shorter prefixes are fine.
fn parse_region(raw: &str) -> Result<Val, Unreadable> {
    let parts: Vec<&str> = if raw.contains('.') {
        raw.split('.').collect()
    } else {
        let widths = [2, 2, 2, 4];
        let mut out = Vec::new();
        let mut at = 0;
        for w in widths {
            if at >= raw.len() {
                break;
            }
            let end = (at + w).min(raw.len());
            out.push(raw.get(at..end).ok_or(Unreadable)?);
            at = end;
        }
        out
    };
    if parts.is_empty() || parts.len() > 4 {
        return Err(Unreadable);
    }
    let mut segs = [0u16; 4];
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Unreadable);
        }
        segs[i] = p.parse().map_err(|_| Unreadable)?;
    }
    Ok(Val::Region {
        segs,
        depth: parts.len() as u8,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::record::{Dict, Field};

    fn schema(kind: Kind, format: Option<&str>) -> Schema {
        Schema {
            fields: vec![Field {
                name: "x".into(),
                kind,
                format: format.map(str::to_string),
            }],
        }
    }

    fn one(kind: Kind, format: Option<&str>, raw: &str) -> Result<Val, Unreadable> {
        let mut d = vec![Dict::default()];
        parse(&schema(kind, format), 0, raw, &mut d)
    }

    #[test]
    fn empty_cells_are_missing_not_errors() {
        for kind in [Kind::Date, Kind::Sex, Kind::FullName, Kind::RegionCode] {
            assert_eq!(one(kind, None, "  "), Ok(Val::Missing));
        }
    }

    #[test]
    fn impossible_dates_are_unreadable_and_partial_dates_are_kept() {
        assert_eq!(one(Kind::Date, Some("%Y%m%d"), "19900230"), Err(Unreadable));
        assert_eq!(
            one(Kind::Date, Some("%Y%m%d"), "19900228"),
            Ok(Val::Date {
                y: 1990,
                m: 2,
                d: 28,
                est: false
            })
        );
        assert_eq!(
            one(Kind::Date, None, "1990"),
            Ok(Val::Date {
                y: 1990,
                m: 0,
                d: 0,
                est: false
            })
        );
        assert_eq!(
            one(Kind::Date, None, "1990-07"),
            Ok(Val::Date {
                y: 1990,
                m: 7,
                d: 0,
                est: false
            })
        );
    }

    #[test]
    fn a_year_marked_as_a_guess_is_an_estimate() {
        let guess = Ok(Val::Date {
            y: 1966,
            m: 0,
            d: 0,
            est: true,
        });
        for raw in [
            "~1966",
            "± 1966",
            "1966?",
            "sekitar 1966",
            "Kira-kira 1966",
            "ca. 1966",
        ] {
            assert_eq!(one(Kind::Date, None, raw), guess, "{raw}");
        }
        assert_eq!(one(Kind::Date, None, "~"), Err(Unreadable));
        assert_eq!(one(Kind::Age, None, "~60"), Ok(Val::Num(60)));
    }

    #[test]
    fn sex_accepts_indonesian_and_english_codes() {
        for (raw, female) in [
            ("L", false),
            ("P", true),
            ("Laki-laki", false),
            ("perempuan", true),
            ("M", false),
            ("F", true),
            ("male", false),
            ("Female", true),
        ] {
            assert_eq!(one(Kind::Sex, None, raw), Ok(Val::Sex { female }), "{raw}");
        }
        assert_eq!(one(Kind::Sex, None, "X"), Err(Unreadable));
    }

    #[test]
    fn region_codes_read_dotted_or_as_digits() {
        let dotted = one(Kind::RegionCode, None, "35.78.01.1001").unwrap();
        assert_eq!(one(Kind::RegionCode, None, "3578011001").unwrap(), dotted);
        assert_eq!(
            one(Kind::RegionCode, None, "35.78"),
            Ok(Val::Region {
                segs: [35, 78, 0, 0],
                depth: 2
            })
        );
        assert_eq!(one(Kind::RegionCode, None, "35.x"), Err(Unreadable));
    }

    #[test]
    fn a_nik_is_marked_valid_only_when_it_decodes() {
        let Ok(Val::Code { valid, .. }) = one(Kind::Nik, None, "3578015208900001") else {
            panic!()
        };
        assert!(valid);
        let Ok(Val::Code { valid, .. }) = one(Kind::Nik, None, "1234") else {
            panic!()
        };
        assert!(!valid);
    }
}
