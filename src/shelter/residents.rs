//! `simlontar import residents`: the people already living in the UPTs on the day Simlontar
//! starts. The file is read and every row checked against the UPTs, wards and regions before
//! anything is written (`residents_store`); the rules here need no database.
//!
//! Header `upt,ward,admitted_on,full_name,sex,birth_year,home_region,nik,notes`; every
//! column but `upt`, `ward` and `admitted_on` may be empty. A row without a name is a
//! person whose name nobody knows: shown as "Tanpa nama (UPT, masuk YEAR)".
use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use sha2::{Digest, Sha256};

use crate::csv_lines::{columns, Lines, RowError};
use crate::identity::nik::Nik;
use crate::vocab::region::{Level, RegionCode};

pub const COLUMNS: [&str; 9] = [
    "upt",
    "ward",
    "admitted_on",
    "full_name",
    "sex",
    "birth_year",
    "home_region",
    "nik",
    "notes",
];

/// One row as written in the file (cells trimmed), before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    pub line: u64,
    pub cells: [String; 9],
}

/// Reads the header and the rows; only an unreadable file or header stops here. A row
/// with too many or too few cells is reported with the others (column `row`).
pub fn read(bytes: &[u8]) -> Result<(Vec<RawRow>, Vec<RowError>), String> {
    let lines = Lines::of(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header = reader.headers().map_err(|e| lines.describe(&e))?.clone();
    let at = columns(&header, COLUMNS)?;
    let (mut rows, mut errors) = (vec![], vec![]);
    for record in reader.records() {
        let record = record.map_err(|e| lines.describe(&e))?;
        let line = lines.of_record(&record);
        if record.len() != header.len() {
            errors.push(RowError {
                line,
                column: "row",
                message: format!(
                    "{} cells where the header has {} (a comma in a cell needs \"quotes\")",
                    record.len(),
                    header.len()
                ),
            });
            continue;
        }
        rows.push(RawRow {
            line,
            cells: at.map(|i| record.get(i).unwrap_or("").trim().to_string()),
        });
    }
    Ok((rows, errors))
}

/// What the checks need to know of the database.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    /// UPT code → its name.
    pub upts: HashMap<String, String>,
    pub wards: Vec<WardRef>,
    /// The region codes of the file that exist, with their names (dotted codes).
    pub regions: HashMap<String, String>,
    /// Row keys already imported: those rows are skipped, not counted twice.
    pub imported: HashSet<[u8; 32]>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WardRef {
    pub id: i64,
    pub upt: String,
    pub code: String,
    pub name: String,
    pub sex: String,
    pub need: String,
    /// Free beds now: beds − occupied − held.
    pub free: i64,
}

/// A checked row, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resident {
    pub line: u64,
    pub key: [u8; 32],
    pub upt: String,
    pub ward_id: i64,
    pub admitted_on: NaiveDate,
    /// Empty when nobody knows the name.
    pub name: String,
    pub sex: String,
    pub birth_year: Option<i32>,
    pub home_village: Option<String>,
    pub home_region: Option<String>,
    pub home_province: Option<String>,
    /// A district's name, when the home is known to the district only (the intake keeps
    /// village, regency and province codes).
    pub stated_home: String,
    pub nik: Option<String>,
    pub conditions: Vec<String>,
    pub notes: String,
}

/// The outcome of the checks: rows to write, rows already imported, errors and warnings.
#[derive(Debug, Default)]
pub struct Checked {
    pub new: Vec<Resident>,
    pub already: usize,
    pub errors: Vec<RowError>,
    /// Worth a look but not wrong: a NIK that disagrees with the sex or birth year.
    pub warnings: Vec<RowError>,
}

/// How a person without a name is shown: "Tanpa nama (UPT Rehabilitasi Sosial Bina Laras
/// Pasuruan, masuk 2019)".
pub fn unnamed(upt_name: &str, admitted_on: NaiveDate) -> String {
    format!("Tanpa nama ({upt_name}, masuk {})", admitted_on.year())
}

/// A sex as the UPTs write it (L/P, male/female, laki-laki/perempuan); `Some(None)` when empty.
pub fn sex_of(raw: &str) -> Option<Option<String>> {
    crate::identity::registry::sex_of(raw)
}

/// The home region cell's code, dotted, for the look-up of the codes a file names.
pub fn region_of(raw: &str) -> Option<String> {
    RegionCode::parse(raw).ok().map(RegionCode::into_string)
}

/// The name as compared for the row key: lower case, single blanks.
fn compared(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The conditions a ward's need implies, so the one need rule places the person as the
/// ward does (a resident of a psychosocial ward has a psychosocial condition).
fn conditions_of(need: &str) -> Vec<String> {
    let c = match need {
        "psychosocial" | "elderly" => need,
        "child" | "toddler" => "child",
        n if n.ends_with("disability") => "disability",
        _ => return vec![],
    };
    vec![c.to_string()]
}

/// Checks every row against the reference and `today` (the local day); every bad cell is
/// reported, and a ward the file would fill beyond its free beds is an error for the whole
/// file naming the ward and how many rows are too many.
pub fn check(rows: &[RawRow], r: &Reference, today: NaiveDate) -> Checked {
    let mut out = Checked::default();
    let mut seen: HashMap<[u8; 32], u64> = HashMap::new();
    let mut taken: HashMap<i64, Vec<u64>> = HashMap::new();
    for row in rows {
        let line = row.line;
        let c = |i: usize| row.cells[i].as_str();
        let mut errors: Vec<RowError> = vec![];
        let mut err = |column: &'static str, message: String| {
            errors.push(RowError {
                line,
                column,
                message,
            })
        };
        let upt = c(0).to_uppercase();
        let upt_known = r.upts.contains_key(&upt);
        if upt.is_empty() {
            err("upt", "empty (a UPT code from geo/upts.csv)".into());
        } else if !upt_known {
            let mut known: Vec<&str> = r.upts.keys().map(String::as_str).collect();
            known.sort();
            err(
                "upt",
                format!("unknown UPT `{}` (known: {})", c(0), known.join(", ")),
            );
        }
        let ward = if upt_known {
            let wards: Vec<&WardRef> = r.wards.iter().filter(|w| w.upt == upt).collect();
            let typed = c(1).to_uppercase();
            let found = wards
                .iter()
                .find(|w| w.code == typed || w.code == format!("{upt}-{typed}"))
                .copied();
            if found.is_none() {
                let known: Vec<String> = wards
                    .iter()
                    .map(|w| format!("{} ({})", w.code, w.name))
                    .collect();
                err(
                    "ward",
                    format!(
                        "{} (wards of {upt}: {})",
                        if typed.is_empty() {
                            "empty".to_string()
                        } else {
                            format!("unknown ward `{}`", c(1))
                        },
                        known.join(", ")
                    ),
                );
            }
            found
        } else {
            None
        };
        let admitted_on = match NaiveDate::parse_from_str(c(2), "%Y-%m-%d") {
            Ok(d) if d > today => {
                err(
                    "admitted_on",
                    format!("{d} is in the future (today is {today})"),
                );
                None
            }
            Ok(d) if d.year() < 1950 => {
                err("admitted_on", format!("{d} is before 1950"));
                None
            }
            Ok(d) => Some(d),
            Err(_) if c(2).is_empty() => {
                err(
                    "admitted_on",
                    "empty (the day the person came, YYYY-MM-DD)".into(),
                );
                None
            }
            Err(_) => {
                err(
                    "admitted_on",
                    format!("`{}` is not a date (YYYY-MM-DD)", c(2)),
                );
                None
            }
        };
        let name = c(3).split_whitespace().collect::<Vec<_>>().join(" ");
        if name.chars().count() > 120 {
            err("full_name", "too long (120 characters at most)".into());
        }
        if name.chars().any(char::is_control) {
            err("full_name", "contains control characters".into());
        }
        let mut sex = match sex_of(c(4)) {
            Some(s) => s,
            None => {
                err(
                    "sex",
                    format!(
                        "`{}` is not a sex (L/P, male/female, laki-laki/perempuan)",
                        c(4)
                    ),
                );
                None
            }
        };
        if let Some(w) = ward {
            match sex.as_deref() {
                // The UPT knows whom its single-sex ward holds.
                None if w.sex != "any" => sex = Some(w.sex.clone()),
                Some(s) if !super::model::ward_takes(&w.sex, s) => err(
                    "sex",
                    format!("{s}, but ward {} takes {} only", w.code, w.sex),
                ),
                _ => {}
            }
        }
        let birth_year = match c(5) {
            "" => None,
            y => match y.parse::<i32>() {
                Ok(y) if y > today.year() || admitted_on.is_some_and(|a| y > a.year()) => {
                    err(
                        "birth_year",
                        format!("{y} is after the admission or in the future"),
                    );
                    None
                }
                Ok(y) if y < today.year() - 120 => {
                    err("birth_year", format!("{y} is more than 120 years ago"));
                    None
                }
                Ok(y) => Some(y),
                Err(_) => {
                    err("birth_year", format!("`{y}` is not a year (e.g. 1975)"));
                    None
                }
            },
        };
        let mut stated_home = String::new();
        let (home_village, home_region, home_province) = match c(6) {
            "" => (None, None, None),
            h => match RegionCode::parse(h) {
                Err(_) => {
                    err(
                        "home_region",
                        format!("`{h}` is not a region code (e.g. 32.03, 3203, 35.10.01.2001)"),
                    );
                    (None, None, None)
                }
                Ok(code) => {
                    let s = code.as_str().to_string();
                    match r.regions.get(&s) {
                        None => {
                            err("home_region", format!("no region {s} in geo/"));
                            (None, None, None)
                        }
                        Some(name) => match code.level() {
                            Level::Village => (
                                Some(s.clone()),
                                Some(s[..5].to_string()),
                                Some(s[..2].to_string()),
                            ),
                            Level::District => {
                                stated_home = format!("Kecamatan {name}");
                                (None, Some(s[..5].to_string()), Some(s[..2].to_string()))
                            }
                            Level::Regency => (None, Some(s.clone()), Some(s[..2].to_string())),
                            Level::Province => (None, None, Some(s)),
                        },
                    }
                }
            },
        };
        let nik = match c(7) {
            "" => None,
            n => match Nik::parse(n) {
                Err(e) => {
                    err("nik", e.message_en().into());
                    None
                }
                Ok(nik) => Some(nik),
            },
        };
        let notes = c(8).to_string();
        if notes.chars().count() > 2000 {
            err("notes", "too long (2000 characters at most)".into());
        }
        if let Some(nik) = &nik {
            if let Some(s) = sex.as_deref() {
                if (s == "female") != nik.female {
                    out.warnings.push(RowError {
                        line,
                        column: "nik",
                        message: format!(
                            "the NIK is a {}'s, the row says {s}",
                            if nik.female { "woman" } else { "man" }
                        ),
                    });
                }
            }
            let born = nik.birth_date(today).map(|d| d.year());
            if let (Some(y), Some(b)) = (birth_year, born) {
                if y != b {
                    out.warnings.push(RowError {
                        line,
                        column: "nik",
                        message: format!("the NIK says born {b}, the row says {y}"),
                    });
                }
            }
        }
        if !errors.is_empty() {
            out.errors.extend(errors);
            continue;
        }
        let (Some(w), Some(admitted_on)) = (ward, admitted_on) else {
            continue;
        };
        let sex = sex.unwrap_or_else(|| "unknown".into());
        let nik = nik.map(|n| n.as_str().to_string());
        // The natural key: who, where, since when. Rows with neither name nor NIK add their
        // notes, the only thing that tells two unnamed people of one day and ward apart.
        let mut parts = vec![
            upt.clone(),
            w.code.clone(),
            admitted_on.to_string(),
            compared(&name),
            sex.clone(),
            birth_year.map(|y| y.to_string()).unwrap_or_default(),
            nik.clone().unwrap_or_default(),
        ];
        if name.is_empty() && nik.is_none() {
            parts.push(compared(&notes));
        }
        let key: [u8; 32] = Sha256::digest(parts.join("\u{1f}").as_bytes()).into();
        if let Some(first) = seen.insert(key, line) {
            out.errors.push(RowError {
                line,
                column: "full_name",
                message: format!(
                    "the same person as line {first} (same UPT, ward, day, name, sex, birth year and NIK)"
                ),
            });
            continue;
        }
        if r.imported.contains(&key) {
            out.already += 1;
            continue;
        }
        taken.entry(w.id).or_default().push(line);
        out.new.push(Resident {
            line,
            key,
            upt,
            ward_id: w.id,
            admitted_on,
            name,
            sex,
            birth_year,
            home_village,
            home_region,
            home_province,
            stated_home,
            nik,
            conditions: conditions_of(&w.need),
            notes,
        });
    }
    for w in &r.wards {
        let Some(lines) = taken.get(&w.id) else {
            continue;
        };
        let over = lines.len() as i64 - w.free;
        if over > 0 {
            let first = lines[(w.free.max(0)) as usize];
            out.errors.push(RowError {
                line: first,
                column: "ward",
                message: format!(
                    "ward {} ({}) has {} free bed(s) but the file puts {} people in it: {over} row(s) too many",
                    w.code,
                    w.name,
                    w.free.max(0),
                    lines.len()
                ),
            });
        }
    }
    out.errors.sort_by_key(|e| e.line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> Reference {
        Reference {
            upts: [("RSBL-PASURUAN".to_string(), "UPT RSBL Pasuruan".to_string())].into(),
            wards: vec![
                WardRef {
                    id: 1,
                    upt: "RSBL-PASURUAN".into(),
                    code: "RSBL-PASURUAN-L".into(),
                    name: "Wisma Laki-laki".into(),
                    sex: "male".into(),
                    need: "psychosocial".into(),
                    free: 2,
                },
                WardRef {
                    id: 2,
                    upt: "RSBL-PASURUAN".into(),
                    code: "RSBL-PASURUAN-P".into(),
                    name: "Wisma Perempuan".into(),
                    sex: "female".into(),
                    need: "psychosocial".into(),
                    free: 5,
                },
            ],
            regions: [
                ("32.03".to_string(), "Kabupaten Cianjur".to_string()),
                ("52".to_string(), "Nusa Tenggara Barat".to_string()),
            ]
            .into(),
            imported: HashSet::new(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    fn checked(body: &str) -> Checked {
        let file = format!("{}\n{body}", COLUMNS.join(","));
        check(&read(file.as_bytes()).unwrap().0, &reference(), today())
    }

    #[test]
    fn good_rows_become_residents_with_the_wards_sex_and_need() {
        let c = checked(
            "RSBL-PASURUAN,L,2019-03-01,Moh. Joko,,1975,3203,,\n\
             rsbl-pasuruan,RSBL-PASURUAN-P,2020-01-02,,P,,52,,tato di lengan\n",
        );
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(c.new.len(), 2);
        assert_eq!(c.new[0].sex, "male", "a men's ward holds men");
        assert_eq!(c.new[0].home_region.as_deref(), Some("32.03"));
        assert_eq!(c.new[0].conditions, ["psychosocial"]);
        assert_eq!(c.new[1].name, "");
        assert_eq!(c.new[1].home_province.as_deref(), Some("52"));
    }

    #[test]
    fn every_bad_cell_is_named_by_line_and_column() {
        let c = checked(
            "RSBL-X,L,2019-03-01,A,,,,,\n\
             RSBL-PASURUAN,Q,2019-03-01,B,,,,,\n\
             RSBL-PASURUAN,L,2027-01-01,C,X,19x5,99.99,1234,\n",
        );
        let named: Vec<(u64, &str)> = c.errors.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(
            named,
            [
                (2, "upt"),
                (3, "ward"),
                (4, "admitted_on"),
                (4, "sex"),
                (4, "birth_year"),
                (4, "home_region"),
                (4, "nik")
            ]
        );
        assert!(
            c.errors[1]
                .message
                .contains("RSBL-PASURUAN-L (Wisma Laki-laki)"),
            "{}",
            c.errors[1]
        );
    }

    #[test]
    fn a_woman_in_the_mens_ward_and_a_repeated_row_are_errors() {
        let c = checked(
            "RSBL-PASURUAN,L,2019-03-01,Siti,P,,,,\n\
             RSBL-PASURUAN,P,2019-03-01,Siti,P,,,,\n\
             RSBL-PASURUAN,P,2019-03-01,siti ,P,,,,\n",
        );
        let named: Vec<(u64, &str)> = c.errors.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(named, [(2, "sex"), (4, "full_name")]);
        assert!(c.errors[1].message.contains("line 3"), "{}", c.errors[1]);
    }

    #[test]
    fn two_unnamed_people_are_told_apart_by_their_notes() {
        let c = checked(
            "RSBL-PASURUAN,P,2019-03-01,,,,,,rambut pendek\n\
             RSBL-PASURUAN,P,2019-03-01,,,,,,tato di lengan\n",
        );
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_ne!(c.new[0].key, c.new[1].key);
    }

    #[test]
    fn overfilling_a_ward_names_it_and_the_rows_too_many() {
        let c = checked(
            "RSBL-PASURUAN,L,2019-03-01,A,,,,,\n\
             RSBL-PASURUAN,L,2019-03-01,B,,,,,\n\
             RSBL-PASURUAN,L,2019-03-01,C,,,,,\n",
        );
        assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
        let e = &c.errors[0];
        assert_eq!((e.line, e.column), (4, "ward"));
        assert!(
            e.message.contains("RSBL-PASURUAN-L") && e.message.contains("1 row(s) too many"),
            "{e}"
        );
    }

    #[test]
    fn a_nik_contradicting_sex_or_birth_year_is_a_warning() {
        // 3578015208900001: a woman born 12 August 1990.
        let c = checked("RSBL-PASURUAN,L,2019-03-01,A,L,1975,,3578015208900001,\n");
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
        assert_eq!(c.new.len(), 1);
    }

    #[test]
    fn a_row_with_a_stray_comma_is_reported_with_the_others() {
        let file = format!(
            "{}\nRSBL-PASURUAN,L,2019-03-01,A,,,,,x,y\nRSBL-PASURUAN,Q,2019-03-01,B,,,,,\n",
            COLUMNS.join(",")
        );
        let (rows, errors) = read(file.as_bytes()).unwrap();
        assert_eq!((errors[0].line, errors[0].column), (2, "row"));
        assert_eq!(rows.len(), 1);
    }

    #[test]
    fn a_bad_header_names_what_is_missing_and_unknown() {
        let e = read(b"upt,ward,admitted,full_name,sex,birth_year,home_region,nik,notes\n")
            .unwrap_err();
        assert!(
            e.contains("column `admitted_on` is missing")
                && e.contains("column `admitted` is not one of"),
            "{e}"
        );
    }

    #[test]
    fn rows_already_imported_are_skipped_and_take_no_bed() {
        let first =
            checked("RSBL-PASURUAN,L,2019-03-01,A,,,,,\nRSBL-PASURUAN,L,2019-03-01,B,,,,,\n");
        let mut r = reference();
        r.imported = first.new.iter().map(|n| n.key).collect();
        r.wards[0].free = 0;
        let file = format!(
            "{}\nRSBL-PASURUAN,L,2019-03-01,A,,,,,\nRSBL-PASURUAN,L,2019-03-01,B,,,,,\n",
            COLUMNS.join(",")
        );
        let again = check(&read(file.as_bytes()).unwrap().0, &r, today());
        assert!(again.errors.is_empty(), "{:?}", again.errors);
        assert_eq!((again.new.len(), again.already), (0, 2));
    }

    mod properties {
        use super::super::*;
        use crate::hostile::{csv_bytes, names_a_line};
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_bytes_give_rows_or_errors_that_name_a_line(bytes in csv_bytes(
                "upt,ward,admitted_on,full_name,sex,birth_year,home_region,nik,notes"
            )) {
                match read(&bytes) {
                    Ok((rows, errors)) => {
                        prop_assert!(errors.iter().all(|e| e.line >= 2), "{errors:?}");
                        let checked = check(&rows, &super::reference(), super::today());
                        prop_assert!(checked.errors.iter().all(|e| e.line >= 2));
                    }
                    Err(e) => prop_assert!(names_a_line(&e), "{e}"),
                }
            }
        }
    }
}
