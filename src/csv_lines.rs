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

/// The header's position of each expected column, or what is wrong with the header: a
/// missing column, a column nobody reads (a typo such as `emial` would otherwise drop
/// its data silently), a column twice. Names are compared without blanks and case.
pub fn columns<const N: usize>(
    header: &csv::StringRecord,
    expected: [&str; N],
) -> Result<[usize; N], String> {
    // A spreadsheet's "CSV UTF-8" starts with a byte-order mark, read into the first name.
    let names: Vec<String> = (header.iter())
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_lowercase())
        .collect();
    let mut wrong = vec![];
    for (i, n) in names.iter().enumerate() {
        if !expected.contains(&n.as_str()) {
            wrong.push(format!("column `{n}` is not one of {}", expected.join(",")));
        } else if names[..i].contains(n) {
            wrong.push(format!("column `{n}` appears twice"));
        }
    }
    let mut at = [0usize; N];
    for (i, c) in expected.iter().enumerate() {
        match names.iter().position(|h| h == c) {
            Some(p) => at[i] = p,
            None => wrong.push(format!("column `{c}` is missing")),
        }
    }
    if wrong.is_empty() {
        Ok(at)
    } else {
        Err(format!(
            "line 1 (header): {}; the header must be {}",
            wrong.join("; "),
            expected.join(",")
        ))
    }
}

/// Everything wrong with a file, each at its line and column, reported together so one
/// run tells the clerk every row to fix (an import writes nothing while any is left).
#[derive(Debug, Default)]
pub struct Problems(Vec<(u64, String, String)>);

impl Problems {
    pub fn add(&mut self, line: u64, column: &str, message: impl Into<String>) {
        self.0.push((line, column.to_string(), message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Ok when nothing is wrong; else one error listing every problem by line, in order.
    pub fn into_result(mut self, file: &str) -> anyhow::Result<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        self.0.sort_by_key(|p| p.0);
        let mut text = format!("{file}: {} problem(s), nothing was written:", self.0.len());
        for (line, column, message) in &self.0 {
            text.push_str(&format!("\n  line {line}, column {column}: {message}"));
        }
        anyhow::bail!(text)
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
    #[test]
    fn a_header_names_every_missing_unknown_and_repeated_column() {
        let h = csv::StringRecord::from(vec!["Code", "emial", "office", "code"]);
        let e = columns(&h, ["code", "office", "email"]).unwrap_err();
        // Any order, blanks and case ignored.
        let ok = csv::StringRecord::from(vec!["b", " A "]);
        assert_eq!(columns(&ok, ["a", "b"]), Ok([1, 0]));
        assert!(e.contains("`emial` is not one of"), "{e}");
        assert!(e.contains("`code` appears twice"), "{e}");
        assert!(e.contains("`email` is missing"), "{e}");
        let h = csv::StringRecord::from(vec!["\u{feff}email", " code ", "office"]);
        assert_eq!(columns(&h, ["code", "office", "email"]), Ok([1, 2, 0]));
    }

    #[test]
    fn problems_are_listed_together_by_line() {
        let mut p = Problems::default();
        assert!(Problems::default().into_result("f.csv").is_ok());
        p.add(5, "email", "not an address");
        p.add(3, "code", "unknown");
        let e = p.into_result("f.csv").unwrap_err().to_string();
        assert_eq!(
            e,
            "f.csv: 2 problem(s), nothing was written:\n  line 3, column code: unknown\n  line 5, column email: not an address"
        );
    }
}
