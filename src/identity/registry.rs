//! A social-assistance register (DTKS-style) loaded from CSV, so a case can show that the
//! person already receives PKH, BPNT or PBI. Columns: `id`, `nik`, `name`, `birth_date`
//! (YYYY-MM-DD), `sex` (L/P, male/female…), `village_code`, `address`, `programmes`
//! (separated by `;`). Empty cells are missing values. A re-import of the same source
//! updates its rows in place.
use std::path::Path;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use indicatif::ProgressBar;
use sqlx::PgPool;

use super::nik::Nik;
use crate::csv_lines::Lines;

pub use super::programmes::Programmes;

#[derive(Debug, Clone, PartialEq)]
pub struct RegistryRow {
    pub external_id: String,
    pub nik: Option<String>,
    pub name: String,
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<String>,
    pub village_code: Option<String>,
    pub address: String,
    pub programmes: Vec<String>,
}

pub use crate::csv_lines::RowError;

const COLUMNS: [&str; 8] = [
    "id",
    "nik",
    "name",
    "birth_date",
    "sex",
    "village_code",
    "address",
    "programmes",
];

pub fn sex_of(raw: &str) -> Option<Option<String>> {
    Some(match raw.trim().to_lowercase().as_str() {
        "" => None,
        "l" | "m" | "male" | "laki-laki" | "laki laki" | "lk" | "pria" => Some("male".into()),
        "p" | "f" | "female" | "perempuan" | "pr" | "wanita" => Some("female".into()),
        _ => return None,
    })
}

/// Reads the whole file; every unusable row is reported (the caller decides whether to
/// stop or to skip them).
pub fn parse(
    bytes: &[u8],
    known: &Programmes,
) -> anyhow::Result<(Vec<RegistryRow>, Vec<RowError>)> {
    let lines = Lines::of(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| anyhow::anyhow!(lines.describe(&e)))?
        .clone();
    let index = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let mut at = [0usize; 8];
    for (i, c) in COLUMNS.iter().enumerate() {
        at[i] = match index(c) {
            Some(p) => p,
            None if *c == "address" || *c == "village_code" || *c == "birth_date" => usize::MAX,
            None => bail!(
                "line 1: column `{c}` is missing (need {})",
                COLUMNS.join(", ")
            ),
        };
    }
    let mut rows = vec![];
    let mut errors = vec![];
    for record in reader.records() {
        let record = record.map_err(|e| anyhow::anyhow!(lines.describe(&e)))?;
        // The record's own first line: a quoted cell may span several.
        let line = lines.of_record(&record);
        let cell = |i: usize| {
            if at[i] == usize::MAX {
                ""
            } else {
                record.get(at[i]).unwrap_or("").trim()
            }
        };
        let mut err = |column: &'static str, message: String| {
            errors.push(RowError {
                line,
                column,
                message,
            })
        };
        let external_id = cell(0).to_string();
        if external_id.is_empty() {
            err("id", "empty".into());
            continue;
        }
        let nik = match cell(1) {
            "" => None,
            n => match Nik::parse(n) {
                Ok(_) => Some(n.to_string()),
                Err(e) => {
                    err("nik", e.message_en().into());
                    continue;
                }
            },
        };
        let name = cell(2).to_string();
        if name.is_empty() {
            err("name", "empty".into());
            continue;
        }
        let birth_date = match cell(3) {
            "" => None,
            d => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    err("birth_date", format!("`{d}` is not a date (YYYY-MM-DD)"));
                    continue;
                }
            },
        };
        let Some(sex) = sex_of(cell(4)) else {
            err(
                "sex",
                format!("`{}` is not a sex (L/P, male/female)", cell(4)),
            );
            continue;
        };
        let mut programmes: Vec<String> = vec![];
        let mut unknown = None;
        for typed in cell(7).split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match known.code_of(typed) {
                Some(code) if !programmes.iter().any(|p| p == code) => {
                    programmes.push(code.to_string())
                }
                Some(_) => {}
                None => {
                    unknown = Some(typed.to_string());
                    break;
                }
            }
        }
        if let Some(p) = unknown {
            err(
                "programmes",
                format!(
                    "unknown programme `{p}` (known: {}; an administrator adds one with `simlontar registry programme add`)",
                    known.codes().join(", ")
                ),
            );
            continue;
        }
        rows.push(RegistryRow {
            external_id,
            nik,
            name,
            birth_date,
            sex,
            village_code: Some(cell(5).to_string()).filter(|v| !v.is_empty()),
            address: cell(6).to_string(),
            programmes,
        });
    }
    Ok((rows, errors))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub imported: usize,
    pub skipped: usize,
    /// Village codes not in `geo/` (outside East Java, or wrong): kept as missing.
    pub unknown_villages: usize,
}

/// Imports a file in one transaction. With `skip_invalid` false, any bad row stops the
/// import before anything is written.
pub async fn import(
    pool: &PgPool,
    path: &Path,
    source: &str,
    skip_invalid: bool,
) -> anyhow::Result<ImportSummary> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let known = super::programmes::load(pool).await?;
    let (rows, errors) = parse(&bytes, &known).with_context(|| path.display().to_string())?;
    if !errors.is_empty() && !skip_invalid {
        let shown: Vec<String> = errors.iter().take(10).map(|e| e.to_string()).collect();
        bail!(
            "{}: {} bad rows, nothing imported (--skip-invalid imports the rest):\n  {}",
            path.display(),
            errors.len(),
            shown.join("\n  ")
        );
    }
    let progress = ProgressBar::new(rows.len() as u64).with_message("register rows");
    let mut tx = pool.begin().await?;
    let mut unknown_villages = 0;
    for chunk in rows.chunks(2000) {
        let col = |f: fn(&RegistryRow) -> Option<String>| chunk.iter().map(f).collect::<Vec<_>>();
        let unknown: i64 = sqlx::query_scalar(
            "WITH input AS (
               SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::date[], $6::text[],
                                    $7::text[], $8::text[], $9::text[])
                        AS t(external_id, nik, name, birth_date, sex, village_code, address, programmes)),
             written AS (
               INSERT INTO registry_person (source, external_id, nik, name, birth_date, sex, village_code,
                                            address, programmes)
               SELECT $1, t.external_id, t.nik, t.name, t.birth_date, t.sex, v.code, t.address,
                      string_to_array(nullif(t.programmes, ''), ';')
                 FROM input t LEFT JOIN village v ON v.code = t.village_code
               ON CONFLICT (source, external_id) DO UPDATE SET
                   nik = EXCLUDED.nik, name = EXCLUDED.name, birth_date = EXCLUDED.birth_date,
                   sex = EXCLUDED.sex, village_code = EXCLUDED.village_code,
                   address = EXCLUDED.address, programmes = EXCLUDED.programmes
               RETURNING 1)
             SELECT count(*) FROM input t
              WHERE t.village_code IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM village v WHERE v.code = t.village_code)",
        )
        .bind(source)
        .bind(col(|r| Some(r.external_id.clone())))
        .bind(col(|r| r.nik.clone()))
        .bind(col(|r| Some(r.name.clone())))
        .bind(chunk.iter().map(|r| r.birth_date).collect::<Vec<_>>())
        .bind(col(|r| r.sex.clone()))
        .bind(col(|r| r.village_code.clone()))
        .bind(col(|r| Some(r.address.clone())))
        .bind(col(|r| Some(r.programmes.join(";"))))
        .fetch_one(&mut *tx)
        .await?;
        unknown_villages += unknown as usize;
        progress.inc(chunk.len() as u64);
    }
    tx.commit().await?;
    progress.finish_and_clear();
    Ok(ImportSummary {
        imported: rows.len(),
        skipped: errors.len(),
        unknown_villages,
    })
}

/// The programmes a person with this NIK already receives, by register, by name.
pub async fn programmes_for_nik(
    pool: &PgPool,
    nik: &str,
    lang: simlontar_templates::Lang,
) -> sqlx::Result<Vec<(String, Vec<String>)>> {
    sqlx::query_as(&format!(
        "SELECT r.source, {} FROM registry_person r
          WHERE r.nik = $1 AND cardinality(r.programmes) > 0 ORDER BY r.source",
        super::programmes::named_sql(lang)
    ))
    .bind(nik)
    .fetch_all(pool)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The programmes the migration seeds, as far as these tests need them.
    pub(super) fn known() -> Programmes {
        let pbi = ["PBI-JK".to_string()];
        Programmes::of([
            ("PKH", &[][..]),
            ("PKH-PLUS", &[][..]),
            ("BPNT", &[][..]),
            ("PBI", &pbi[..]),
            ("BLT", &[][..]),
        ])
    }

    const GOOD: &str = "id,nik,name,birth_date,sex,village_code,address,programmes
D1,3578015208900001,Sumiati,1990-08-12,P,35.78.01.1001,Jl. Kenjeran 1,PKH;bpnt;PKH Plus;PBI-JK
D2,,Slamet,,L,,,
";

    #[test]
    fn rows_are_read_with_missing_values_as_none() {
        let (rows, errors) = parse(GOOD.as_bytes(), &known()).unwrap();
        assert!(errors.is_empty());
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].sex.as_deref(), Some("female"));
        assert_eq!(rows[0].programmes, ["PKH", "BPNT", "PKH-PLUS", "PBI"]);
        assert_eq!((rows[1].nik.clone(), rows[1].birth_date), (None, None));
        assert!(rows[1].programmes.is_empty());
    }

    #[test]
    fn bad_cells_are_named_by_line_and_column() {
        let data = "id,nik,name,birth_date,sex,village_code,address,programmes
D1,1234,Sumiati,,P,,,
D2,,Slamet,1990-02-30,L,,,
D3,,Joko,,X,,,
D4,,Ani,,P,,,KUBE
";
        let (rows, errors) = parse(data.as_bytes(), &known()).unwrap();
        assert!(rows.is_empty());
        let named: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(
            named,
            [(2, "nik"), (3, "birth_date"), (4, "sex"), (5, "programmes")]
        );
    }

    #[test]
    fn a_missing_column_or_ragged_row_stops_the_read() {
        let e = parse(b"id,name,sex\nD1,A,L\n", &known())
            .unwrap_err()
            .to_string();
        assert!(e.contains("column `nik` is missing"), "{e}");
        let ragged = "id,nik,name,birth_date,sex,village_code,address,programmes\nD1,,A\n";
        let e = parse(ragged.as_bytes(), &known()).unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
    }

    mod properties {
        use super::super::*;
        use crate::hostile::{csv_bytes, names_a_line};
        use proptest::prelude::*;

        const HEADER: &str = "id,nik,name,birth_date,sex,village_code,address,programmes";

        /// Text a clerk types into a cell: no blanks at the ends (cells are trimmed).
        fn text() -> impl Strategy<Value = String> {
            "[A-Za-z0-9]([A-Za-z0-9 ,.;'\"\n-]{0,20}[A-Za-z0-9.])?"
        }

        fn row() -> impl Strategy<Value = RegistryRow> {
            (
                text().prop_filter("not a list separator", |t| !t.is_empty()),
                proptest::option::of(proptest::sample::select(vec![
                    "3578015208900001",
                    "3510011203150002",
                    "3201014107650123",
                ])),
                text(),
                proptest::option::of((1950i32..2020, 1u32..=365)),
                proptest::option::of(proptest::sample::select(vec!["male", "female"])),
                proptest::option::of("35\\.[0-9]{2}\\.[0-9]{2}\\.[12][0-9]{3}"),
                proptest::option::of(text()),
                proptest::sample::subsequence(vec!["PKH", "PKH-PLUS", "BPNT", "PBI", "BLT"], 0..=5),
            )
                .prop_map(
                    |(id, nik, name, birth, sex, village, address, programmes)| RegistryRow {
                        external_id: id,
                        nik: nik.map(String::from),
                        name,
                        birth_date: birth.and_then(|(y, d)| NaiveDate::from_yo_opt(y, d)),
                        sex: sex.map(String::from),
                        village_code: village,
                        address: address.unwrap_or_default(),
                        programmes: programmes.into_iter().map(String::from).collect(),
                    },
                )
        }

        proptest! {
            #[test]
            fn any_bytes_give_rows_or_errors_that_name_a_line(bytes in csv_bytes(HEADER)) {
                match parse(&bytes, &super::known()) {
                    Ok((_, errors)) => {
                        for e in errors {
                            prop_assert!(e.line >= 2, "{e}");
                        }
                    }
                    Err(e) => prop_assert!(names_a_line(&format!("{e:#}")), "{e:#}"),
                }
            }

            #[test]
            fn a_written_register_reads_back(rows in proptest::collection::vec(row(), 0..8)) {
                let mut w = csv::Writer::from_writer(vec![]);
                w.write_record(HEADER.split(',')).unwrap();
                for r in &rows {
                    w.write_record([
                        r.external_id.clone(),
                        r.nik.clone().unwrap_or_default(),
                        r.name.clone(),
                        r.birth_date.map(|d| d.to_string()).unwrap_or_default(),
                        match r.sex.as_deref() { Some("male") => "L", Some(_) => "P", None => "" }.into(),
                        r.village_code.clone().unwrap_or_default(),
                        r.address.clone(),
                        r.programmes.join(";"),
                    ]).unwrap();
                }
                let bytes = w.into_inner().unwrap();
                let (back, errors) = parse(&bytes, &super::known()).unwrap();
                prop_assert!(errors.is_empty(), "{errors:?}");
                prop_assert_eq!(back, rows);
            }

            #[test]
            fn a_bad_row_is_named_by_the_line_it_starts_on(
                before in proptest::collection::vec(text(), 0..5),
            ) {
                let mut file = format!("{HEADER}\n");
                for (i, address) in before.iter().enumerate() {
                    file.push_str(&format!("D{i},,Ani,,P,,\"{}\",\n", address.replace('"', "\"\"")));
                }
                let line = file.lines().count() as u64 + 1;
                file.push_str("X,,Budi,,Q,,,\n");
                let (_, errors) = parse(file.as_bytes(), &super::known()).unwrap();
                prop_assert_eq!(errors.len(), 1);
                prop_assert_eq!((errors[0].line, errors[0].column), (line, "sex"));
            }
        }
    }
}
