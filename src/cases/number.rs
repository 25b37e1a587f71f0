//! The case number, parsed once at the edge: `OT-`, the pick-up regency's code undotted
//! (4 digits), the year of the pick-up and a serial of 6 digits (`OT-3578-2026-000123`).
//! A value of [`CaseNumber`] is always well formed (the same rule as the `ot_case.number`
//! check), so a malformed number in a path, a body or a form is refused before any query.
use std::fmt;
use std::str::FromStr;

use crate::vocab::RegionCode;

/// A well-formed case number, in its canonical (upper-case) form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseNumber(String);

/// The regular expression of a case number, as the API document states it (and the
/// database's check on `ot_case.number`).
pub const PATTERN: &str = r"^OT-[0-9]{4}-[0-9]{4}-[0-9]{6}$";

/// The example the API document and the error messages show.
pub const EXAMPLE: &str = "OT-3578-2026-000123";

/// Why a text is not a case number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a case number: a case number looks like {EXAMPLE} (OT, the regency's 4 digits, the year, a 6-digit serial)")]
pub struct CaseNumberError(pub String);

/// What a form says, beside its field, of a text that is no case number.
pub fn refusal(lang: simlontar_templates::Lang) -> &'static str {
    simlontar_templates::i18n::tr(
        lang,
        "Nomor kasus harus berformat OT-3578-2026-000123.",
        "The case number must look like OT-3578-2026-000123.",
    )
}

impl CaseNumber {
    /// The number of the `serial`th case of `regency` (a regency code) in `year`: how
    /// numbers are given.
    pub fn new(
        regency: &RegionCode,
        year: i32,
        serial: i64,
    ) -> Result<CaseNumber, CaseNumberError> {
        format!(
            "OT-{}-{year:04}-{serial:06}",
            regency.as_str().replace('.', "")
        )
        .parse()
    }

    /// A number as a person typed it (a form, a CSV cell, the CLI): blanks around it and
    /// lower case are forgiven; anything else must be exact.
    pub fn typed(s: &str) -> Result<CaseNumber, CaseNumberError> {
        s.trim().to_ascii_uppercase().parse()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The pick-up regency, dotted (`35.78`).
    pub fn regency(&self) -> RegionCode {
        RegionCode::parse(&self.0[3..7]).expect("a parsed number holds a regency code")
    }

    /// The year of the pick-up.
    pub fn year(&self) -> i32 {
        self.0[8..12].parse().expect("a parsed number holds a year")
    }

    /// The serial within the regency and year, from 1.
    pub fn serial(&self) -> i64 {
        self.0[13..]
            .parse()
            .expect("a parsed number holds a serial")
    }
}

impl FromStr for CaseNumber {
    type Err = CaseNumberError;

    /// The canonical form only (what paths, API bodies and the database carry).
    fn from_str(s: &str) -> Result<CaseNumber, CaseNumberError> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        let ok = b.len() == 19
            && b.starts_with(b"OT-")
            && b[7] == b'-'
            && b[12] == b'-'
            && digits(3..7)
            && digits(8..12)
            && digits(13..19)
            && RegionCode::parse(&s[3..7]).is_ok();
        if ok {
            Ok(CaseNumber(s.to_string()))
        } else {
            Err(CaseNumberError(s.to_string()))
        }
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for CaseNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<CaseNumber> for String {
    fn from(n: CaseNumber) -> String {
        n.0
    }
}

impl PartialEq<str> for CaseNumber {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for CaseNumber {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl serde::Serialize for CaseNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for CaseNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for CaseNumber {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(PATTERN))
            .examples([EXAMPLE])
            .description(Some(
                "`OT-`, the pick-up regency's code undotted, the year of the pick-up and a 6-digit serial.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for CaseNumber {}

impl sqlx::Type<sqlx::Postgres> for CaseNumber {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <&str as sqlx::Type<sqlx::Postgres>>::type_info()
    }
    fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
        <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
    }
}

impl sqlx::postgres::PgHasArrayType for CaseNumber {
    fn array_type_info() -> sqlx::postgres::PgTypeInfo {
        <&str as sqlx::postgres::PgHasArrayType>::array_type_info()
    }
}

impl<'q> sqlx::Encode<'q, sqlx::Postgres> for CaseNumber {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::postgres::PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <&str as sqlx::Encode<sqlx::Postgres>>::encode(self.as_str(), buf)
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Postgres> for CaseNumber {
    fn decode(v: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(<&str as sqlx::Decode<sqlx::Postgres>>::decode(v)?.parse()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_number_is_read_with_its_parts() {
        let n: CaseNumber = "OT-3578-2026-000123".parse().unwrap();
        assert_eq!(n.as_str(), "OT-3578-2026-000123");
        assert_eq!(n.to_string(), "OT-3578-2026-000123");
        assert_eq!(n.regency().as_str(), "35.78");
        assert_eq!(n.year(), 2026);
        assert_eq!(n.serial(), 123);
    }

    #[test]
    fn numbers_are_given_in_the_canonical_form() {
        let regency = RegionCode::parse("35.10").unwrap();
        let n = CaseNumber::new(&regency, 2027, 7).unwrap();
        assert_eq!(n.as_str(), "OT-3510-2027-000007");
        assert_eq!(n.regency(), regency);
        // A province is no regency, and a serial past 999999 does not fit.
        assert!(CaseNumber::new(&RegionCode::parse("35").unwrap(), 2027, 7).is_err());
        assert!(CaseNumber::new(&regency, 2027, 1_000_000).is_err());
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for bad in [
            "",
            "OT",
            "OT-3578-2026",
            "ot-3578-2026-000123",
            "Ot-3578-2026-000123",
            " OT-3578-2026-000123",
            "OT-3578-2026-000123 ",
            "OT 3578 2026 000123",
            "OT-3578 -2026-000123",
            "OT-35.78-2026-000123",
            "OT-357-2026-000123",
            "OT-35-2026-000123",
            "OT-3578-26-000123",
            "OT-3578-2026-00123",
            "OT-3578-2026-0001234",
            "OT-3578-2026-000123-1",
            "OT-3578-2026-000123OT-3578-2026-000123",
            "XX-3578-2026-000123",
            "OT-357a-2026-000123",
            "OT-3578-2026-00012٣",
            "OT-３578-2026-000123",
            "OT-3578_2026-000123",
            "../../etc/passwd",
            "OT-3578-2026-000123'; --",
        ] {
            let e = bad.parse::<CaseNumber>().expect_err(bad);
            assert!(e.to_string().contains(EXAMPLE), "{e}");
        }
    }

    #[test]
    fn a_typed_number_forgives_blanks_around_and_lower_case_only() {
        let n = CaseNumber::typed("  ot-3578-2026-000123\t").unwrap();
        assert_eq!(n.as_str(), "OT-3578-2026-000123");
        assert!(CaseNumber::typed("ot 3578 2026 000123").is_err());
        assert!(CaseNumber::typed("OT-3578-2026-000123 1").is_err());
        assert!(CaseNumber::typed("").is_err());
    }

    #[test]
    fn serde_reads_and_writes_the_text() {
        let n: CaseNumber = serde_json::from_str(r#""OT-3578-2026-000123""#).unwrap();
        assert_eq!(
            serde_json::to_string(&n).unwrap(),
            r#""OT-3578-2026-000123""#
        );
        let e = serde_json::from_str::<CaseNumber>(r#""OT-1""#).unwrap_err();
        assert!(e.to_string().contains("is not a case number"), "{e}");
        assert!(serde_json::from_str::<CaseNumber>("123").is_err());
    }

    #[test]
    fn the_pattern_says_what_the_parser_does() {
        // No regex crate: check the pattern's pieces stand for the parser's lengths.
        assert_eq!(PATTERN, r"^OT-[0-9]{4}-[0-9]{4}-[0-9]{6}$");
        assert!(EXAMPLE.parse::<CaseNumber>().is_ok());
    }
}
