//! Line numbers for messages about CSV files from outside. The csv crate counts a CRLF
//! line end (what spreadsheet programs on Windows write) as no new line
//! (BurntSushi/rust-csv#395), so a clerk told "line 40" would look at the wrong row. Lines
//! are counted here from the byte offsets the crate does report correctly.

/// Where each line of a file starts.
pub struct Lines(Vec<u64>);

impl Lines {
    pub fn of(bytes: &[u8]) -> Lines {
        Lines(
            (bytes.iter().enumerate())
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i as u64)
                .collect(),
        )
    }

    /// The 1-based line a record starting at this byte is on. After a CRLF the crate's
    /// offset points at the `\n` (it consumed only the `\r`), so that `\n` counts as
    /// passed; a record never starts at a `\n` otherwise (empty lines are skipped).
    pub fn at(&self, byte: u64) -> u64 {
        1 + self.0.partition_point(|&newline| newline <= byte) as u64
    }

    /// The line a record starts on.
    pub fn of_record(&self, record: &csv::StringRecord) -> u64 {
        record.position().map_or(0, |p| self.at(p.byte()))
    }

    /// The line an error is on (0 when the crate gives no position).
    pub fn of_error(&self, e: &csv::Error) -> u64 {
        e.position().map_or(0, |p| self.at(p.byte()))
    }

    /// "line N: what is wrong", without the crate's own (CRLF-miscounted) position.
    pub fn describe(&self, e: &csv::Error) -> String {
        format!("line {}: {}", self.of_error(e), what(e))
    }
}

/// A cell that cannot be taken, named by line (1 = the header) and column (its header
/// name): what every import reports, all bad rows at once.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    pub line: u64,
    pub column: &'static str,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// Where each of `columns` is in a header (any order, blanks and case ignored), or the
/// line-1 error naming every missing and every unknown column at once.
pub fn columns<const N: usize>(
    header: &csv::StringRecord,
    columns: [&'static str; N],
) -> Result<[usize; N], String> {
    let at = columns.map(|c| header.iter().position(|h| h.trim().eq_ignore_ascii_case(c)));
    let missing: Vec<&str> = (columns.iter().zip(&at))
        .filter(|(_, a)| a.is_none())
        .map(|(c, _)| *c)
        .collect();
    let unknown: Vec<&str> = (header.iter())
        .filter(|h| !columns.iter().any(|c| h.trim().eq_ignore_ascii_case(c)))
        .collect();
    if missing.is_empty() && unknown.is_empty() {
        return Ok(at.map(|a| a.expect("checked")));
    }
    let mut why = vec![];
    if !missing.is_empty() {
        why.push(format!("missing column(s) {}", missing.join(", ")));
    }
    if !unknown.is_empty() {
        why.push(format!("unknown column(s) {}", unknown.join(", ")));
    }
    Err(format!(
        "line 1: {} (the header is {})",
        why.join("; "),
        columns.join(",")
    ))
}

/// Every bad row in one message, each on its own line.
pub fn report(file: &str, errors: &[RowError]) -> String {
    let mut out = format!("{file}: {} bad cell(s), nothing written:", errors.len());
    for e in errors {
        out.push_str(&format!("\n  {e}"));
    }
    out
}

/// What is wrong, without a position.
pub fn what(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} columns where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("column {} is not UTF-8 text", err.field() + 1)
        }
        csv::ErrorKind::Deserialize { err, .. } => match err.field() {
            Some(f) => format!("column {}: {}", f + 1, err.kind()),
            None => err.kind().to_string(),
        },
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_and_lf_files_give_the_same_lines() {
        for file in ["a,b\n1,2\n3,4\n", "a,b\r\n1,2\r\n3,4\r\n"] {
            let lines = Lines::of(file.as_bytes());
            let mut r = csv::Reader::from_reader(file.as_bytes());
            let got: Vec<u64> = r.records().map(|r| lines.of_record(&r.unwrap())).collect();
            assert_eq!(got, [2, 3], "{file:?}");
        }
    }

    #[test]
    fn a_header_names_every_missing_and_unknown_column() {
        let h = csv::StringRecord::from(vec!["b", " A ", "z"]);
        assert_eq!(
            columns(&h, ["a", "b"]),
            Err("line 1: unknown column(s) z (the header is a,b)".into())
        );
        let h = csv::StringRecord::from(vec!["b", "a"]);
        assert_eq!(columns(&h, ["a", "b"]), Ok([1, 0]));
        let e = columns(&csv::StringRecord::from(vec!["a"]), ["a", "b", "c"]).unwrap_err();
        assert!(e.contains("missing column(s) b, c"), "{e}");
    }

    #[test]
    fn errors_name_the_line_they_start_on() {
        let file = "a,b\r\n\"x\r\ny\",2\r\n3\r\n";
        let lines = Lines::of(file.as_bytes());
        let mut r = csv::Reader::from_reader(file.as_bytes());
        let e = r.records().nth(1).unwrap().unwrap_err();
        assert_eq!(
            lines.describe(&e),
            "line 4: 1 columns where the header has 2"
        );
    }
}
