//! Writing report tables as CSV and XLSX. Every text cell goes through [`inert`] on its
//! way out, in both formats: a cell a spreadsheet would read as a formula (a name typed as
//! `=HYPERLINK(…)` at the intake desk) is written as plain text instead.
use rust_xlsxwriter::{Format as CellFormat, Workbook, XlsxError};
use simlontar_templates::reports::{Table, Value};
use simlontar_templates::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s {
            "csv" => Some(ExportFormat::Csv),
            "xlsx" => Some(ExportFormat::Xlsx),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }
}

/// Characters that make a spreadsheet read a cell as a formula (or, tab and carriage
/// return, that shift it into another cell first), with their full-width forms.
const FORMULA_STARTS: [char; 10] = [
    '=', '+', '-', '@', '\t', '\r', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
];

/// The one rule for every text cell that leaves in an export: a value starting with a
/// formula character gets a leading apostrophe, which spreadsheets show as text.
pub fn inert(s: &str) -> String {
    match s.chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// A cell as written to a file: numbers plain (no grouping, a decimal point) so that a
/// spreadsheet reads them as numbers; text made inert.
fn csv_cell(v: &Value, lang: Lang) -> String {
    match v {
        Value::Int(n) | Value::Money(n) => n.to_string(),
        Value::Num(x) => format!("{x:.1}"),
        Value::Missing => String::new(),
        other => inert(&other.shown(lang)),
    }
}

/// The tables one after another: a title line, the header line, the rows, a blank line.
/// The file starts with a byte-order mark: without it Excel, which officers open these
/// files in, reads UTF-8 as the Windows code page and garbles names.
pub fn csv(tables: &[Table], lang: Lang) -> Vec<u8> {
    let bom = "\u{FEFF}".as_bytes().to_vec();
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(bom);
    for t in tables {
        // Writing to memory cannot fail.
        w.write_record([inert(&t.title)]).expect("in memory");
        w.write_record(t.headers.iter().map(|h| inert(h)))
            .expect("in memory");
        for row in &t.rows {
            w.write_record(row.iter().map(|v| csv_cell(v, lang)))
                .expect("in memory");
        }
        if tables.len() > 1 {
            w.write_record([""]).expect("in memory");
        }
    }
    w.into_inner().expect("in memory")
}

/// A sheet's name from a table's title: people read the tabs, so the title, not the key;
/// Excel allows 31 characters and none of `[]:*?/\\`, and names must differ.
fn sheet_name(title: &str, taken: &mut Vec<String>) -> String {
    let clean: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .collect();
    let base: String = clean.trim().trim_matches('\'').chars().take(28).collect();
    let base = base.trim_end().to_string();
    let mut name = base.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{base} {n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// One sheet per table (named by its title), the title in the first row, headers in bold
/// and frozen so they stay in view while scrolling.
pub fn xlsx(tables: &[Table], lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = CellFormat::new().set_bold();
    let mut taken = Vec::new();
    for t in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(&t.title, &mut taken))?;
        sheet.set_freeze_panes(2, 0)?;
        sheet.write_string_with_format(0, 0, inert(&t.title), &bold)?;
        for (c, h) in t.headers.iter().enumerate() {
            sheet.write_string_with_format(1, c as u16, inert(h), &bold)?;
            sheet.set_column_width(c as u16, if c == 0 { 36 } else { 16 })?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 2;
            for (c, v) in row.iter().enumerate() {
                let c = c as u16;
                match v {
                    Value::Int(n) | Value::Money(n) => {
                        sheet.write_number(r, c, *n as f64)?;
                    }
                    Value::Num(x) => {
                        sheet.write_number(r, c, (x * 10.0).round() / 10.0)?;
                    }
                    Value::Missing => {}
                    other => {
                        sheet.write_string(r, c, inert(&other.shown(lang)))?;
                    }
                }
            }
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_formula_start_is_made_inert_and_nothing_else_changes() {
        for bad in ["=1+1", "+62", "-2", "@SUM(A1)", "\tx", "\r=1", "＝1"] {
            assert!(inert(bad).starts_with('\''), "{bad:?}");
        }
        for good in ["Siti", "", "OT-3578-2026-000001", "3578**********01", " =x"] {
            assert_eq!(inert(good), good);
        }
    }

    #[test]
    fn csv_writes_numbers_plain_and_names_inert() {
        let t = Table {
            key: "t",
            title: "T".into(),
            note: None,
            headers: vec!["a".into(), "b".into()],
            rows: vec![vec![
                Value::text("=HYPERLINK(\"http://x\")"),
                Value::Int(1525),
            ]],
            chart: None,
        };
        let out = String::from_utf8(csv(&[t], Lang::Id)).unwrap();
        assert!(out.starts_with('\u{FEFF}'), "a byte-order mark for Excel");
        assert!(
            out.contains("\"'=HYPERLINK(\"\"http://x\"\")\",1525"),
            "{out}"
        );
    }

    #[test]
    fn sheets_are_named_by_their_titles_within_excel_s_rules() {
        let mut taken = Vec::new();
        let long = "Biaya perjalanan pulang menurut pembayar";
        let first = sheet_name(long, &mut taken);
        assert_eq!(first, "Biaya perjalanan pulang menu");
        assert_eq!(
            sheet_name(long, &mut taken),
            "Biaya perjalanan pulang menu 2"
        );
        assert_eq!(
            sheet_name("Masuk/keluar: UPT [2026]?", &mut taken),
            "Masuk keluar  UPT  2026"
        );
        assert!(taken.iter().all(|n| n.chars().count() <= 31));
    }
}
