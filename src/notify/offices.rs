//! The office address book: who receives Simlontar's mail. One record per code — a
//! regency/city's social office (any province: it receives people home), a province's
//! relay desk (the provinces `geo/relay.csv` hands people to), or a UPT's head (capacity
//! alerts about the UPT). Every change is audited with the values before and after; the
//! page, the API-less import and nothing else write here.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::PgConnection;

use crate::auth::audit::{self, Origin};
use crate::error::FieldError;
use crate::vocab::region::{Level, RegionCode};
use simlontar_templates::i18n::tr;
use simlontar_templates::Lang;

/// What an office code names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A regency or city's Dinas Sosial (35.78, 32.03).
    Regency,
    /// A province's relay desk (33).
    Province,
    /// A UPT's head (RSBL-PASURUAN).
    Upt,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Regency => "regency",
            Kind::Province => "province",
            Kind::Upt => "upt",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        [Kind::Regency, Kind::Province, Kind::Upt]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// An office's code as stored: regions dotted, UPTs in capitals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeCode {
    pub kind: Kind,
    pub code: String,
}

impl OfficeCode {
    /// A regency or province code (dotted or undotted), else a UPT code.
    pub fn parse(s: &str) -> Option<OfficeCode> {
        let s = s.trim();
        if let Ok(c) = RegionCode::parse(s) {
            let kind = match c.level() {
                Level::Province => Kind::Province,
                Level::Regency => Kind::Regency,
                _ => return None,
            };
            return Some(OfficeCode {
                kind,
                code: c.into_string(),
            });
        }
        let upper = s.to_uppercase();
        let upt = !upper.is_empty()
            && upper.len() <= 40
            && upper.starts_with(|c: char| c.is_ascii_uppercase())
            && upper
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        upt.then_some(OfficeCode {
            kind: Kind::Upt,
            code: upper,
        })
    }
}

/// An office's record, as typed and as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Office {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub contact: String,
}

/// Checks an office's fields (not whether its code exists: see [`place_of`]). Errors are
/// keyed by the field names the form and the CSV header share: code, office, email,
/// phone, contact.
pub fn validate(
    code: &str,
    office: &Office,
    lang: Lang,
) -> Result<(OfficeCode, Office), Vec<FieldError>> {
    let mut errors = vec![];
    let parsed = OfficeCode::parse(code);
    if code.trim().is_empty() {
        errors.push(FieldError::new("code", tr(lang, "wajib diisi", "required")));
    } else if parsed.is_none() {
        errors.push(FieldError::new(
            "code",
            tr(
                lang,
                "bukan kode kab/kota, provinsi, atau UPT",
                "not a regency, province or UPT code (35.78, 3578, 33, RSBL-PASURUAN)",
            ),
        ));
    }
    let clean = Office {
        name: office.name.trim().to_string(),
        email: office.email.trim().to_string(),
        phone: office.phone.trim().to_string(),
        contact: office.contact.trim().to_string(),
    };
    if clean.name.is_empty() {
        errors.push(FieldError::new(
            "office",
            tr(lang, "wajib diisi", "required"),
        ));
    } else if clean.name.chars().count() > 200 {
        errors.push(FieldError::new(
            "office",
            tr(lang, "paling banyak 200 huruf", "at most 200 characters"),
        ));
    }
    if clean.email.is_empty() {
        errors.push(FieldError::new(
            "email",
            tr(lang, "wajib diisi", "required"),
        ));
    } else if !is_email(&clean.email) {
        errors.push(FieldError::new(
            "email",
            tr(
                lang,
                "bukan alamat surel (contoh: dinsos@nganjukkab.go.id)",
                "not an email address (e.g. dinsos@nganjukkab.go.id)",
            ),
        ));
    }
    let phone_ok = clean.phone.chars().count() <= 40
        && clean
            .phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if !phone_ok {
        errors.push(FieldError::new(
            "phone",
            tr(
                lang,
                "hanya angka, spasi, + - ( ) (contoh: 0358 321234)",
                "digits, spaces and + - ( ) only (e.g. 0358 321234)",
            ),
        ));
    }
    if clean.contact.chars().count() > 200 {
        errors.push(FieldError::new(
            "contact",
            tr(lang, "paling banyak 200 huruf", "at most 200 characters"),
        ));
    }
    match parsed {
        Some(c) if errors.is_empty() => Ok((c, clean)),
        _ => Err(errors),
    }
}

/// An address SMTP will take: lettre's own parser (what the mailer uses to send), no
/// display name, a dot in the domain (an office is never on a bare host name).
pub fn is_email(s: &str) -> bool {
    match s.parse::<lettre::Address>() {
        Ok(a) => {
            s.len() <= 254
                && a.domain().contains('.')
                && !a.domain().starts_with('.')
                && !a.domain().ends_with('.')
        }
        Err(_) => false,
    }
}

/// What the code stands for ("Kabupaten Nganjuk", "Provinsi Jawa Tengah", the UPT's
/// name), or why it cannot hold an office: unknown, or a province no relay goes through.
pub async fn place_of(
    conn: &mut PgConnection,
    code: &OfficeCode,
    lang: Lang,
) -> sqlx::Result<Result<String, String>> {
    let (sql, unknown) = match code.kind {
        Kind::Regency => (
            "SELECT name FROM region WHERE code = $1",
            tr(lang, "tidak ada kab/kota dengan kode ini", "no regency or city has this code"),
        ),
        Kind::Province => (
            "SELECT 'Provinsi ' || name FROM province p
              WHERE code = $1 AND EXISTS (SELECT 1 FROM relay_rule WHERE handover_province_code = p.code)",
            tr(
                lang,
                "bukan provinsi tempat serah terima estafet",
                "not a province people are handed over to (geo/relay.csv)",
            ),
        ),
        Kind::Upt => (
            "SELECT name FROM upt WHERE code = $1",
            tr(lang, "tidak ada UPT dengan kode ini", "no UPT has this code"),
        ),
    };
    let name: Option<String> = sqlx::query_scalar(sql)
        .bind(&code.code)
        .fetch_optional(conn)
        .await?;
    Ok(name.ok_or_else(|| unknown.to_string()))
}

/// The office record of a code, if any.
pub async fn find(conn: &mut PgConnection, code: &str) -> sqlx::Result<Option<Office>> {
    sqlx::query_as("SELECT name, email, phone, contact FROM office WHERE code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await
}

/// The recorded address of a code, if any (no fallback: see `notify::office_address`).
pub async fn address(conn: &mut PgConnection, code: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT email FROM office WHERE code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created,
    Changed,
    Unchanged,
}

/// Records an office (checked by [`validate`] and [`place_of`]); an unchanged record
/// writes nothing, a change is audited with the values before and after.
pub async fn save(
    conn: &mut PgConnection,
    origin: &Origin,
    code: &OfficeCode,
    office: &Office,
    now: DateTime<Utc>,
) -> sqlx::Result<Saved> {
    let before = find(conn, &code.code).await?;
    if before.as_ref() == Some(office) {
        return Ok(Saved::Unchanged);
    }
    if before.is_some() {
        sqlx::query(
            "UPDATE office SET name = $2, email = $3, phone = $4, contact = $5, changed_by = $6, changed_at = $7
              WHERE code = $1",
        )
        .bind(&code.code)
        .bind(&office.name)
        .bind(&office.email)
        .bind(&office.phone)
        .bind(&office.contact)
        .bind(origin.actor_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    } else {
        let is = |k: Kind| (code.kind == k).then_some(code.code.as_str());
        sqlx::query(
            "INSERT INTO office (region_code, province_code, upt_code, name, email, phone, contact, changed_by, changed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(is(Kind::Regency))
        .bind(is(Kind::Province))
        .bind(is(Kind::Upt))
        .bind(&office.name)
        .bind(&office.email)
        .bind(&office.phone)
        .bind(&office.contact)
        .bind(origin.actor_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    audit::record(
        &mut *conn,
        origin,
        if before.is_some() {
            "change_office"
        } else {
            "create"
        },
        "office",
        Some(&code.code),
        json!({ "kind": code.kind, "before": before, "after": office }),
    )
    .await?;
    Ok(if before.is_some() {
        Saved::Changed
    } else {
        Saved::Created
    })
}

/// A place that has (or should have) an office, as the list and the readiness check see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    pub kind: String,
    pub code: String,
    /// "Kabupaten Nganjuk", "Provinsi Jawa Tengah", the UPT's name.
    pub place: String,
    /// The province's name (empty for UPTs).
    pub province: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub contact: Option<String>,
    pub changed_at: Option<DateTime<Utc>>,
    pub changed_by: Option<String>,
    /// Needed for a real start: East Java's regencies, the relay desks, the UPT heads.
    pub required: bool,
}

/// Every office Simlontar needs (East Java's regencies and cities, the relay desks, the
/// UPT heads) and every other office on record, in that order.
pub async fn list(conn: &mut PgConnection) -> sqlx::Result<Vec<Listed>> {
    sqlx::query_as(
        "WITH o AS (SELECT o.*, u.display_name AS changed_by_name FROM office o
                      LEFT JOIN app_user u ON u.id = o.changed_by)
         SELECT * FROM (
           SELECT 'regency' AS kind, r.code, r.name AS place, p.name AS province,
                  o.name, o.email, o.phone, o.contact, o.changed_at, o.changed_by_name AS changed_by,
                  r.province_code = '35' AS required, CASE WHEN r.province_code = '35' THEN 0 ELSE 3 END AS part
             FROM region r JOIN province p ON p.code = r.province_code
             LEFT JOIN o ON o.region_code = r.code
            WHERE r.province_code = '35' OR o.code IS NOT NULL
           UNION ALL
           SELECT 'province', p.code, 'Provinsi ' || p.name, p.name,
                  o.name, o.email, o.phone, o.contact, o.changed_at, o.changed_by_name, true, 1
             FROM province p LEFT JOIN o ON o.province_code = p.code
            WHERE p.code IN (SELECT handover_province_code FROM relay_rule) OR o.code IS NOT NULL
           UNION ALL
           SELECT 'upt', t.code, t.name, '',
                  o.name, o.email, o.phone, o.contact, o.changed_at, o.changed_by_name, true, 2
             FROM upt t LEFT JOIN o ON o.upt_code = t.code
         ) l ORDER BY part, province, place, code",
    )
    .fetch_all(conn)
    .await
}

/// Checks rows that all claim distinct codes: the code of each row, or the first line it
/// appeared on when it repeats one.
pub fn first_seen<'a>(codes: impl IntoIterator<Item = (u64, &'a str)>) -> HashMap<u64, u64> {
    let mut seen: HashMap<&str, u64> = HashMap::new();
    let mut repeats = HashMap::new();
    for (line, code) in codes {
        match seen.get(code) {
            Some(first) => {
                repeats.insert(line, *first);
            }
            None => {
                seen.insert(code, line);
            }
        }
    }
    repeats
}

#[cfg(test)]
mod tests {
    use super::*;

    fn office(email: &str) -> Office {
        Office {
            name: "Dinas Sosial Kabupaten Nganjuk".into(),
            email: email.into(),
            ..Default::default()
        }
    }

    #[test]
    fn codes_are_read_dotted_or_undotted_and_upts_in_capitals() {
        let c = |s| OfficeCode::parse(s).map(|c| (c.kind, c.code));
        assert_eq!(c("3518"), Some((Kind::Regency, "35.18".into())));
        assert_eq!(c(" 35.18 "), Some((Kind::Regency, "35.18".into())));
        assert_eq!(c("33"), Some((Kind::Province, "33".into())));
        assert_eq!(
            c("rsbl-pasuruan"),
            Some((Kind::Upt, "RSBL-PASURUAN".into()))
        );
        assert_eq!(c("35.18.01"), None);
        assert_eq!(c("35 18"), None);
        assert_eq!(c("3518x"), None);
        assert_eq!(c(""), None);
    }

    #[test]
    fn emails_must_be_addresses_smtp_takes() {
        for good in ["dinsos@nganjukkab.go.id", "a.b+c@x.co"] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "dinsos",
            "dinsos@",
            "@x.id",
            "a b@x.id",
            "Dinsos <a@x.id>",
            "a@localhost",
            "a@x.id, b@y.id",
            "a@@x.id",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = Office {
            name: " ".into(),
            email: "nope".into(),
            phone: "call me".into(),
            contact: "x".repeat(201),
        };
        let e = validate("35.18.01", &bad, Lang::En).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["code", "office", "email", "phone", "contact"]);
        let (code, o) = validate("3518", &office(" dinsos@nganjukkab.go.id "), Lang::Id).unwrap();
        assert_eq!(code.code, "35.18");
        assert_eq!(o.email, "dinsos@nganjukkab.go.id");
    }

    #[test]
    fn repeated_codes_point_at_their_first_line() {
        let r = first_seen([(2, "35.18"), (3, "33"), (4, "35.18"), (5, "35.18")]);
        assert_eq!(r.get(&4), Some(&2));
        assert_eq!(r.get(&5), Some(&2));
        assert_eq!(r.len(), 2);
    }
}
