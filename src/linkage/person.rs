//! The record the app hands to the engine: an intake, a DP3AK check result, or a
//! register entry, in one shape, with what is known about the birth date kept honest.
use chrono::{Datelike, NaiveDate};

use super::record::{Field, Kind, Schema, Source};
use super::table::Table;

/// How much is known about when a person was born.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Birth {
    Unknown,
    Exact(NaiveDate),
    YearMonth(i32, u32),
    Year(i32),
    /// An officer's estimate of the age on a day ("about 60").
    EstimatedAge {
        age: u32,
        on: NaiveDate,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRecord {
    /// The caller's own key (intake id, check id, register row).
    pub id: String,
    /// The name as written; `None` when unknown (an alias or street name may be given:
    /// it still matches earlier intakes that used it).
    pub name: Option<String>,
    pub birth: Birth,
    pub female: Option<bool>,
    pub nik: Option<String>,
    /// Home region as far as known: `35.78`, `35.78.01` or `35.78.01.1001`.
    pub region_code: Option<String>,
    pub mother_name: Option<String>,
    /// Where the NIK comes from: verified for a DP3AK match or a register row, typed for
    /// one written at the desk.
    pub source: Source,
}

/// Column names of the person schema.
pub const COLUMNS: [&str; 6] = ["nama", "tgl_lahir", "jk", "nik", "kode_wilayah", "nama_ibu"];

/// The schema every person record is compared with.
pub fn schema() -> Schema {
    let kinds = [
        Kind::FullName,
        Kind::Date,
        Kind::Sex,
        Kind::Nik,
        Kind::RegionCode,
        Kind::FullName,
    ];
    Schema {
        fields: COLUMNS
            .iter()
            .zip(kinds)
            .map(|(name, kind)| Field {
                name: name.to_string(),
                kind,
                format: (kind == Kind::Date).then(|| "%Y-%m-%d".to_string()),
            })
            .collect(),
    }
}

impl PersonRecord {
    /// The record's cells in [`schema`] order.
    pub fn cells(&self) -> [String; 6] {
        let birth = match self.birth {
            Birth::Unknown => String::new(),
            Birth::Exact(d) => d.to_string(),
            Birth::YearMonth(y, m) => format!("{y}-{m:02}"),
            Birth::Year(y) => y.to_string(),
            Birth::EstimatedAge { age, on } => (on.year() - age as i32).to_string(),
        };
        let sex = match self.female {
            Some(true) => "P",
            Some(false) => "L",
            None => "",
        };
        let text = |s: &Option<String>| s.clone().unwrap_or_default();
        [
            text(&self.name),
            birth,
            sex.to_string(),
            text(&self.nik),
            text(&self.region_code),
            text(&self.mother_name),
        ]
    }

    /// The cells as the engine reads them: a birth year from an estimated age is marked
    /// as a guess (`~1966`), weak evidence that may be years off.
    pub fn engine_cells(&self) -> [String; 6] {
        let mut cells = self.cells();
        if let Birth::EstimatedAge { .. } = self.birth {
            cells[1] = format!("~{}", cells[1]);
        }
        cells
    }

    /// Adds the record to a table of [`schema`], its NIK from its source. Returns the
    /// fields that could not be read (now missing).
    pub fn push_into(&self, table: &mut Table) -> Vec<usize> {
        let cells = self.engine_cells();
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        table.push_from(self.id.clone(), &cells, self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_estimated_age_becomes_a_birth_year() {
        let p = PersonRecord {
            id: "1".into(),
            name: Some("Mbah Slamet".into()),
            birth: Birth::EstimatedAge {
                age: 60,
                on: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            },
            female: Some(false),
            nik: None,
            region_code: Some("35.78".into()),
            mother_name: None,
            source: Source::Typed,
        };
        let c = p.cells();
        assert_eq!(c[1], "1966");
        assert_eq!(c[2], "L");
        assert_eq!(c[3], "");
        // The engine reads it as a guess.
        let mut t = Table::new(schema());
        p.push_into(&mut t);
        assert!(matches!(
            t.row(0)[1],
            crate::linkage::record::Val::Date {
                y: 1966,
                est: true,
                ..
            }
        ));
        assert_eq!(p.engine_cells()[1], "~1966");
    }
}
