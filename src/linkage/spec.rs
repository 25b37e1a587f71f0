//! SPEC.toml: which column is the record id and which columns are compared, as what.
//!
//! ```toml
//! id = "rec_id"
//! [[field]]
//! column = "tgl_lahir"
//! kind = "date"
//! format = "%Y%m%d"
//! ```
//!
//! `verified = "right"` (or `"left"`, `"both"`; the one file of `--dedupe` is the left)
//! says that file's identifiers were verified by an authority, such as a register: two
//! different verified identifiers are never the same person.
use chrono::format::{Item, StrftimeItems};
use serde::Deserialize;

use super::em::MAX_FIELDS;
use super::record::{Field, Kind, Schema, Source};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecFile {
    id: String,
    #[serde(default)]
    verified: Verified,
    #[serde(default)]
    field: Vec<FieldSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldSpec {
    column: String,
    kind: Kind,
    format: Option<String>,
}

/// Which files' identifiers are verified (the rest are typed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verified {
    #[default]
    None,
    Left,
    Right,
    Both,
}

impl Verified {
    /// Where the identifiers of the `k`-th file (0: left or the one file) come from.
    pub fn source(self, k: usize) -> Source {
        match (self, k) {
            (Verified::Both, _) | (Verified::Left, 0) | (Verified::Right, 1) => Source::Verified,
            _ => Source::Typed,
        }
    }
}

/// A checked spec: the id column, the schema of compared columns and which files'
/// identifiers are verified.
#[derive(Debug, Clone)]
pub struct Spec {
    pub id: String,
    pub schema: Schema,
    pub verified: Verified,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SpecError {
    #[error("{0}")]
    Toml(String),
    #[error("the spec lists no [[field]] to compare")]
    NoFields,
    #[error("the spec lists {0} fields; at most {MAX_FIELDS} can be compared")]
    TooManyFields(usize),
    #[error("field `{column}`: unreadable date format `{format}`")]
    BadFormat { column: String, format: String },
    #[error("field `{0}`: `format` is only for kind = \"date\"")]
    FormatNotDate(String),
    #[error("column `{0}` is listed twice")]
    Duplicate(String),
}

impl Spec {
    pub fn parse(text: &str) -> Result<Spec, SpecError> {
        let file: SpecFile = toml::from_str(text).map_err(|e| SpecError::Toml(e.to_string()))?;
        if file.field.is_empty() {
            return Err(SpecError::NoFields);
        }
        if file.field.len() > MAX_FIELDS {
            return Err(SpecError::TooManyFields(file.field.len()));
        }
        let mut fields: Vec<Field> = Vec::new();
        for f in file.field {
            if fields.iter().any(|g| g.name == f.column) {
                return Err(SpecError::Duplicate(f.column));
            }
            match (&f.format, f.kind) {
                (Some(fmt), Kind::Date) if !readable_format(fmt) => {
                    return Err(SpecError::BadFormat {
                        column: f.column,
                        format: fmt.clone(),
                    })
                }
                (Some(_), k) if k != Kind::Date => return Err(SpecError::FormatNotDate(f.column)),
                _ => {}
            }
            fields.push(Field {
                name: f.column,
                kind: f.kind,
                format: f.format,
            });
        }
        Ok(Spec {
            id: file.id,
            schema: Schema { fields },
            verified: file.verified,
        })
    }
}

/// A chrono format that names at least a year and has no unknown directive.
fn readable_format(fmt: &str) -> bool {
    let items: Vec<Item> = StrftimeItems::new(fmt).collect();
    !items.iter().any(|i| matches!(i, Item::Error)) && fmt.contains('%')
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "rec_id"
[[field]]
column = "nama"
kind = "full_name"
[[field]]
column = "tgl"
kind = "date"
format = "%Y%m%d"
"#;

    #[test]
    fn a_spec_names_the_id_and_typed_fields() {
        let s = Spec::parse(GOOD).unwrap();
        assert_eq!(s.id, "rec_id");
        assert_eq!(s.schema.fields.len(), 2);
        assert_eq!(s.schema.fields[1].kind, Kind::Date);
        assert_eq!(s.schema.fields[1].format.as_deref(), Some("%Y%m%d"));
        assert_eq!(s.verified.source(1), Source::Typed);
        let register = Spec::parse(&format!("verified = \"right\"\n{GOOD}")).unwrap();
        assert_eq!(register.verified.source(0), Source::Typed);
        assert_eq!(register.verified.source(1), Source::Verified);
        assert!(Spec::parse(&format!("verified = \"yes\"\n{GOOD}")).is_err());
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        let bad_format = GOOD.replace("%Y%m%d", "%Q-%m");
        assert!(matches!(
            Spec::parse(&bad_format),
            Err(SpecError::BadFormat { .. })
        ));
        let unknown_kind = GOOD.replace("full_name", "nickname");
        let Err(SpecError::Toml(msg)) = Spec::parse(&unknown_kind) else {
            panic!()
        };
        assert!(msg.contains("nickname"), "{msg}");
        assert_eq!(Spec::parse("id = \"x\"").err(), Some(SpecError::NoFields));
        let twice = format!("{GOOD}[[field]]\ncolumn = \"nama\"\nkind = \"text\"\n");
        assert_eq!(
            Spec::parse(&twice).err(),
            Some(SpecError::Duplicate("nama".into()))
        );
    }
}
