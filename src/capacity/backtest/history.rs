//! HISTORY.csv: one row per ward per day,
//! `date,upt,ward,capacity,occupancy,admissions,discharges` and optionally `turned_away`. An
//! empty `ward` is the whole UPT. Every error names the file, the line (1-based, the header
//! being line 1) and the column, so a clerk can fix the row.
use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::Path;

use chrono::NaiveDate;

use crate::csv_lines::{what, Lines};

pub const HEADER: [&str; 8] = [
    "date",
    "upt",
    "ward",
    "capacity",
    "occupancy",
    "admissions",
    "discharges",
    "turned_away",
];
/// Columns a file may leave out (at the end): without them a file reads as before.
const OPTIONAL: usize = 1;
/// The largest count a row may hold. Larger ones are typing errors, and the replay would
/// spend hours (and memory) on the people they stand for.
const MAX_COUNT: u32 = 10_000;

/// One ward on one day, as recorded at the end of the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayRow {
    pub date: NaiveDate,
    pub capacity: u32,
    pub occupancy: u32,
    pub admissions: u32,
    pub discharges: u32,
    /// People sent to the ward that day who found no bed (diverted, or put on the waiting
    /// list): demand the admissions do not show. The database side counts them; a history
    /// without the column has 0, and on full days under-counts demand.
    pub turned_away: u32,
}

/// The days of one ward (or whole UPT), in date order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WardSeries {
    pub upt: String,
    /// Empty for a whole UPT.
    pub ward: String,
    pub days: Vec<DayRow>,
}

impl WardSeries {
    /// A stable key for seeds and messages: `UPT/ward`, or `UPT` for a whole UPT.
    pub fn key(&self) -> String {
        if self.ward.is_empty() {
            self.upt.clone()
        } else {
            format!("{}/{}", self.upt, self.ward)
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{file}: line {line}{}: {message}", column.as_ref().map(|c| format!(", column `{c}`")).unwrap_or_default())]
pub struct HistoryError {
    pub file: String,
    pub line: u64,
    pub column: Option<String>,
    pub message: String,
}

/// Reads a history file.
pub fn read_path(path: &Path) -> Result<Vec<WardSeries>, HistoryError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| HistoryError {
        file: name.clone(),
        line: 0,
        column: None,
        message: format!("cannot open: {e}"),
    })?;
    read(file, &name)
}

/// Reads a history from any reader; `name` is used in messages. The first error only
/// (`read_all` reports every bad row).
pub fn read(input: impl Read, name: &str) -> Result<Vec<WardSeries>, HistoryError> {
    read_all(input, name)
        .map(|h| h.wards)
        .map_err(|mut e| e.swap_remove(0))
}

/// A history read whole, with the line of each row: `lines[i][j]` is the line of
/// `wards[i].days[j]` (for messages about rows the format allows but a database refuses).
pub struct History {
    pub wards: Vec<WardSeries>,
    pub lines: Vec<Vec<u64>>,
}

/// Reads a history, reporting every bad row (line and column) rather than the first; a
/// bad header is reported alone (the rows cannot be read without it).
pub fn read_all(input: impl Read, name: &str) -> Result<History, Vec<HistoryError>> {
    let one = |e: HistoryError| vec![e];
    let err = |line: u64, column: Option<&str>, message: String| HistoryError {
        file: name.to_string(),
        line,
        column: column.map(str::to_string),
        message,
    };
    let mut bytes = Vec::new();
    let mut input = input;
    input
        .read_to_end(&mut bytes)
        .map_err(|e| one(err(0, None, format!("cannot read: {e}"))))?;
    let lines = Lines::of(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(bytes.as_slice());
    let headers = reader
        .headers()
        .map_err(|e| {
            one(err(
                1,
                None,
                format!("cannot read the header: {}", what(&e)),
            ))
        })?
        .clone();
    if let Some(h) = headers.iter().find(|h| !HEADER.contains(h)) {
        return Err(one(err(
            1,
            Some(h),
            format!("unknown column (expected {})", HEADER.join(",")),
        )));
    }
    let required = &HEADER[..HEADER.len() - OPTIONAL];
    if let Some(h) = required.iter().find(|h| !headers.iter().any(|x| x == **h)) {
        return Err(one(err(1, Some(h), "missing column".into())));
    }
    if headers.iter().collect::<Vec<_>>() != HEADER[..headers.len().min(HEADER.len())] {
        return Err(one(err(
            1,
            None,
            format!("columns must be in this order: {}", HEADER.join(",")),
        )));
    }
    let mut wards: BTreeMap<(String, String), Vec<DayRow>> = BTreeMap::new();
    let mut row_lines = BTreeMap::new();
    let mut seen = HashSet::new();
    let mut errors = vec![];
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(err(lines.of_error(&e), None, what(&e)));
                continue;
            }
        };
        if let Err(e) = row(
            &record,
            &lines,
            &err,
            (&mut wards, &mut seen, &mut row_lines),
        ) {
            errors.push(e);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let lines = wards
        .keys()
        .map(|k| row_lines.remove(k).unwrap_or_default())
        .collect();
    Ok(History {
        wards: (wards.into_iter())
            .map(|((upt, ward), days)| WardSeries { upt, ward, days })
            .collect(),
        lines,
    })
}

type Seen<'a> = (
    &'a mut BTreeMap<(String, String), Vec<DayRow>>,
    &'a mut HashSet<(NaiveDate, String, String)>,
    &'a mut BTreeMap<(String, String), Vec<u64>>,
);

/// One row, added to `wards` when good.
fn row(
    record: &csv::StringRecord,
    lines: &Lines,
    err: &dyn Fn(u64, Option<&str>, String) -> HistoryError,
    (wards, seen, row_lines): Seen,
) -> Result<(), HistoryError> {
    {
        let line = lines.of_record(record);
        let date = NaiveDate::parse_from_str(&record[0], "%Y-%m-%d").map_err(|_| {
            err(
                line,
                Some("date"),
                format!("`{}` is not a date (YYYY-MM-DD)", &record[0]),
            )
        })?;
        let upt = record[1].to_string();
        if upt.is_empty() {
            return Err(err(line, Some("upt"), "empty".into()));
        }
        let ward = record[2].to_string();
        let number = |i: usize| -> Result<u32, HistoryError> {
            let n = record[i].parse::<u32>().map_err(|_| {
                err(
                    line,
                    Some(HEADER[i]),
                    format!("`{}` is not a whole number ≥ 0", &record[i]),
                )
            })?;
            if n > MAX_COUNT {
                return Err(err(
                    line,
                    Some(HEADER[i]),
                    format!("{n} is more than any ward has or sees in a day (at most {MAX_COUNT})"),
                ));
            }
            Ok(n)
        };
        let row = DayRow {
            date,
            capacity: number(3)?,
            occupancy: number(4)?,
            admissions: number(5)?,
            discharges: number(6)?,
            turned_away: if record.len() > 7 { number(7)? } else { 0 },
        };
        if row.occupancy > row.capacity {
            return Err(err(
                line,
                Some("occupancy"),
                format!(
                    "occupancy {} is above capacity {}",
                    row.occupancy, row.capacity
                ),
            ));
        }
        if !seen.insert((date, upt.clone(), ward.clone())) {
            return Err(err(
                line,
                None,
                format!("a second row for {date}, UPT `{upt}`, ward `{ward}`"),
            ));
        }
        row_lines
            .entry((upt.clone(), ward.clone()))
            .or_default()
            .push(line);
        let days = wards.entry((upt, ward)).or_default();
        if let Some(last) = days.last() {
            if last.date > date {
                return Err(err(
                    line,
                    Some("date"),
                    format!(
                        "{date} comes after {} for the same ward: rows must be in date order",
                        last.date
                    ),
                ));
            }
        }
        days.push(row);
    }
    Ok(())
}

/// Writes a history in the same format (the generator uses it; the reader reads it back).
pub fn write(out: impl std::io::Write, wards: &[WardSeries]) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    let mut rows: Vec<(&NaiveDate, &WardSeries, &DayRow)> = wards
        .iter()
        .flat_map(|s| s.days.iter().map(move |d| (&d.date, s, d)))
        .collect();
    rows.sort_by(|a, b| (a.0, &a.1.upt, &a.1.ward).cmp(&(b.0, &b.1.upt, &b.1.ward)));
    for (_, s, d) in rows {
        w.write_record([
            d.date.to_string(),
            s.upt.clone(),
            s.ward.clone(),
            d.capacity.to_string(),
            d.occupancy.to_string(),
            d.admissions.to_string(),
            d.discharges.to_string(),
            d.turned_away.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "date,upt,ward,capacity,occupancy,admissions,discharges\n";

    fn parse(body: &str) -> Result<Vec<WardSeries>, HistoryError> {
        read(format!("{HEAD}{body}").as_bytes(), "h.csv")
    }

    #[test]
    fn rows_are_grouped_by_ward_and_an_empty_ward_is_the_whole_upt() {
        let w = parse(
            "2026-01-01,UPT-A,L,10,5,1,0\n2026-01-01,UPT-B,,20,3,0,0\n2026-01-02,UPT-A,L,10,6,1,0\n",
        )
        .unwrap();
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].key(), "UPT-A/L");
        assert_eq!(w[0].days.len(), 2);
        assert_eq!(w[1].key(), "UPT-B");
    }

    #[test]
    fn errors_name_the_line_and_column() {
        let e = parse("2026-01-01,A,L,10,5,1,0\n2026-01-02,A,L,10,x,1,0\n").unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (3, Some("occupancy")));
        assert!(e
            .to_string()
            .starts_with("h.csv: line 3, column `occupancy`"));
        let e = parse("2026-13-01,A,L,10,5,1,0\n").unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (2, Some("date")));
        let e = parse("2026-01-01,A,L,10,-1,1,0\n").unwrap_err();
        assert_eq!(e.column.as_deref(), Some("occupancy"));
        let e = parse("2026-01-01,A,L,10,11,1,0\n").unwrap_err();
        assert!(e.message.contains("above capacity"));
        let e = parse("2026-01-01,A,L,10,5,4000000000,0\n").unwrap_err();
        assert_eq!(e.column.as_deref(), Some("admissions"));
        assert!(e.message.contains("at most 10000"), "{e}");
        assert!(parse("2026-01-01,A,L,10000,5,10000,0\n").is_ok());
    }

    #[test]
    fn read_all_names_every_bad_row_and_the_line_of_each_good_one() {
        let body = format!(
            "{HEAD}2026-01-01,A,L,10,5,1,0\n2026-01-0x,A,L,10,5,1,0\n2026-01-02,A,L,10,x,1,0\n\
             2026-01-03,A,L,10,5,1,0\n2026-01-03,A,L,10,5,1,0\n"
        );
        let e = read_all(body.as_bytes(), "h.csv").err().unwrap();
        let got: Vec<_> = e.iter().map(|e| (e.line, e.column.as_deref())).collect();
        assert_eq!(got, [(3, Some("date")), (4, Some("occupancy")), (6, None)]);
        let ok = format!(
            "{HEAD}2026-01-01,A,L,10,5,1,0\n2026-01-01,B,,10,5,1,0\n2026-01-02,A,L,10,5,1,0\n"
        );
        let h = read_all(ok.as_bytes(), "h.csv").unwrap();
        assert_eq!(h.lines, [vec![2, 4], vec![3]]);
    }

    #[test]
    fn duplicates_and_disorder_are_refused() {
        let e = parse("2026-01-01,A,L,10,5,1,0\n2026-01-01,A,L,10,5,1,0\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("second row"));
        let e = parse("2026-01-02,A,L,10,5,1,0\n2026-01-01,A,L,10,5,1,0\n").unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (3, Some("date")));
    }

    #[test]
    fn the_header_must_be_exact() {
        let e = read(
            "date,upt,ward,capacity,occupancy,admissions\n".as_bytes(),
            "h.csv",
        )
        .unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (1, Some("discharges")));
        let e = read(
            "date,upt,ward,capacity,occupancy,admissions,discharges,x\n".as_bytes(),
            "h.csv",
        )
        .unwrap_err();
        assert_eq!(e.column.as_deref(), Some("x"));
        let e = read(
            "date,upt,ward,capacity,occupancy,admissions,turned_away,discharges\n".as_bytes(),
            "h.csv",
        )
        .unwrap_err();
        assert!(e.message.contains("in this order"), "{e}");
    }

    #[test]
    fn people_turned_away_are_an_optional_last_column() {
        let w = read(
            "date,upt,ward,capacity,occupancy,admissions,discharges,turned_away\n\
             2026-01-01,A,,10,10,2,0,3\n\
             2026-01-02,A,,10,9,0,1,0\n"
                .as_bytes(),
            "h.csv",
        )
        .unwrap();
        let turned: Vec<u32> = w[0].days.iter().map(|d| d.turned_away).collect();
        assert_eq!(turned, [3, 0]);
        // Without the column, none: the file reads as it always did.
        assert_eq!(
            parse("2026-01-01,A,,10,10,2,0\n").unwrap()[0].days[0].turned_away,
            0
        );
        let e = read(
            "date,upt,ward,capacity,occupancy,admissions,discharges,turned_away\n\
             2026-01-01,A,,10,10,2,0,-3\n"
                .as_bytes(),
            "h.csv",
        )
        .unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (2, Some("turned_away")));
    }

    #[test]
    fn a_written_history_reads_back() {
        let mut w = parse("2026-01-01,A,,10,5,1,0\n2026-01-02,A,,10,6,1,0\n").unwrap();
        w[0].days[1].turned_away = 2;
        let mut buf = Vec::new();
        write(&mut buf, &w).unwrap();
        assert_eq!(read(buf.as_slice(), "x").unwrap(), w);
    }

    mod properties {
        use super::super::*;
        use crate::hostile::csv_bytes;
        use proptest::prelude::*;

        /// Wards with distinct names, each with consecutive days from its own start.
        fn history() -> impl Strategy<Value = Vec<WardSeries>> {
            let ward = (
                "[A-Z][A-Z0-9-]{0,8}",
                "([A-Za-z][A-Za-z ]{0,6}[a-z])?",
                0i64..400,
                proptest::collection::vec((0u32..60, 0u32..60, 0u32..9, 0u32..9, 0u32..3), 1..6),
            );
            proptest::collection::vec(ward, 0..4).prop_map(|wards| {
                let mut seen = std::collections::BTreeMap::new();
                for (upt, ward, start, days) in wards {
                    let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
                        + chrono::Duration::days(start);
                    let days = days
                        .into_iter()
                        .enumerate()
                        .map(|(i, (a, b, admissions, discharges, turned_away))| DayRow {
                            date: first + chrono::Duration::days(i as i64),
                            capacity: a.max(b),
                            occupancy: a.min(b),
                            admissions,
                            discharges,
                            turned_away,
                        })
                        .collect();
                    seen.entry((upt.clone(), ward.clone()))
                        .or_insert(WardSeries { upt, ward, days });
                }
                seen.into_values().collect()
            })
        }

        proptest! {
            #[test]
            fn any_bytes_give_wards_or_an_error_with_a_line(bytes in csv_bytes(
                "date,upt,ward,capacity,occupancy,admissions,discharges"
            )) {
                if let Err(e) = read(bytes.as_slice(), "h.csv") {
                    prop_assert!(e.to_string().starts_with("h.csv: line "), "{e}");
                }
            }

            #[test]
            fn a_written_history_reads_back(wards in history()) {
                let mut buf = vec![];
                write(&mut buf, &wards).unwrap();
                prop_assert_eq!(read(buf.as_slice(), "h.csv").unwrap(), wards);
            }
        }
    }
}
