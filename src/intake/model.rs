//! The intake record as Satpol PP give it, and its rules. `IntakeRequest` is the one
//! typed input (the API's JSON body; the desk form is parsed into it); `validate` turns
//! it into a `NewIntake` or names every field that is wrong.
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::FieldError;
use crate::identity::nik::Nik;
use simlontar_templates::Lang;

// The codes the intake accepts: the vocabulary's (one table, `crate::vocab`).
pub const NAME_QUALITIES: &[&str] = crate::vocab::NameQuality::CODES;
pub const SEXES: &[&str] = crate::vocab::Sex::CODES;
pub const BIRTH_QUALITIES: &[&str] = crate::vocab::BirthQuality::CODES;
pub const CONDITIONS: &[&str] = crate::vocab::Condition::CODES;
pub const DOCUMENTS: &[&str] = crate::vocab::DocumentKind::CODES;

/// A new intake. Times are RFC 3339; coordinates WGS 84. The document's enums, patterns
/// and required fields are those `validate` applies (the codes are the vocabulary's).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "found_at": "2026-11-23T01:00:00Z", "found_address": "Jl. Pahlawan, depan Tugu",
    "found_lat": -7.2458, "found_lon": 112.7378, "unit": "Satpol PP Kota Surabaya, Regu 2",
    "officer_name": "Budi", "stated_name": "Pak Slamet", "aliases": ["Met"],
    "name_quality": "partial", "sex": "male", "estimated_age": 60,
    "birth_date_quality": "approximate", "stated_home": "Banyuwangi", "home_region": "35.10",
    "documents": [], "conditions": ["elderly"], "belongings": "tas kain", "notes": ""
}))]
pub struct IntakeRequest {
    /// When the person was found (not in the future).
    #[schema(required = true, value_type = DateTime<Utc>)]
    pub found_at: Option<DateTime<Utc>>,
    /// Where, in words (street, landmark).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub found_address: String,
    /// Latitude in East Java.
    #[schema(required = true, value_type = f64, minimum = -9.0, maximum = -5.0)]
    pub found_lat: Option<f64>,
    /// Longitude in East Java.
    #[schema(required = true, value_type = f64, minimum = 110.8, maximum = 116.3)]
    pub found_lon: Option<f64>,
    /// The picking unit (e.g. "Satpol PP Kota Surabaya, Regu 2").
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub officer_name: String,
    #[serde(default)]
    pub stated_name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// How good the name is; `unknown` exactly when no name is given.
    #[schema(value_type = crate::vocab::NameQuality)]
    pub name_quality: String,
    #[schema(value_type = crate::vocab::Sex)]
    pub sex: String,
    pub birth_date: Option<NaiveDate>,
    pub estimated_age: Option<i32>,
    /// How good the birth date is: `exact` needs `birth_date`; any but `unknown` needs a
    /// birth date or an estimated age.
    #[schema(value_type = crate::vocab::BirthQuality)]
    pub birth_date_quality: String,
    /// The home as the person stated it.
    #[serde(default)]
    pub stated_home: String,
    /// A village code, dotted (35.07.01.2001) or undotted (3507012001), when the home is
    /// known to the village.
    #[schema(
        pattern = r"^[0-9]{2}\.?[0-9]{2}\.?[0-9]{2}\.?[0-9]{4}$",
        example = "35.10.01.2001"
    )]
    pub home_village: Option<String>,
    /// A regency code (35.07 or 3507) or a province code (32) when only that is known.
    #[schema(pattern = r"^[0-9]{2}(\.?[0-9]{2})?$", example = "35.10")]
    pub home_region: Option<String>,
    /// Documents carried.
    #[serde(default)]
    #[schema(value_type = Vec<crate::vocab::DocumentKind>)]
    pub documents: Vec<String>,
    /// The NIK as the person or a document gives it: 16 digits.
    #[schema(pattern = "^[0-9]{16}$")]
    pub nik: Option<String>,
    #[serde(default)]
    #[schema(value_type = Vec<crate::vocab::Condition>)]
    pub conditions: Vec<String>,
    /// Why the person was on the street, when the officer learnt it.
    #[schema(value_type = Option<crate::vocab::StreetCause>)]
    pub cause: Option<String>,
    /// Protection concerns: each offers a referral on the case page.
    #[serde(default)]
    #[schema(value_type = Vec<crate::vocab::ProtectionFlag>)]
    pub protection: Vec<String>,
    #[serde(default)]
    pub belongings: String,
    #[serde(default)]
    pub notes: String,
}

/// A valid intake, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewIntake {
    pub key: Uuid,
    pub found_at: DateTime<Utc>,
    pub lon: f64,
    pub lat: f64,
    pub found_address: String,
    pub unit: String,
    pub officer_name: String,
    pub stated_name: String,
    pub aliases: Vec<String>,
    pub name_quality: String,
    pub sex: String,
    pub birth_date: Option<NaiveDate>,
    pub estimated_age: Option<i16>,
    pub birth_date_quality: String,
    pub stated_home: String,
    pub home_village: Option<String>,
    pub home_region: Option<String>,
    pub home_province: Option<String>,
    pub documents: Vec<String>,
    pub nik: Option<String>,
    pub conditions: Vec<String>,
    pub cause: Option<String>,
    pub protection: Vec<String>,
    pub belongings: String,
    pub notes: String,
}

/// Longest free text accepted in one field.
const TEXT_MAX: usize = 2000;

struct Errors {
    lang: Lang,
    list: Vec<FieldError>,
}

impl Errors {
    fn add(&mut self, field: &str, id: &str, en: &str) {
        let msg = match self.lang {
            Lang::Id => id,
            Lang::En => en,
        };
        self.list.push(FieldError::new(field, msg));
    }
}

fn text(errors: &mut Errors, field: &str, value: &str) -> String {
    let v = value.trim();
    if v.chars().count() > TEXT_MAX {
        errors.add(
            field,
            "terlalu panjang (maksimal 2000 karakter)",
            "too long (2000 characters at most)",
        );
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        errors.add(
            field,
            "berisi karakter kendali",
            "contains control characters",
        );
    }
    v.to_string()
}

/// Checks every rule and reports every broken one at once. Dates are compared with the
/// local day (`tz`: `settings.time_zone`).
pub fn validate(
    req: &IntakeRequest,
    key: Uuid,
    (now, tz): (DateTime<Utc>, chrono_tz::Tz),
    lang: Lang,
) -> Result<NewIntake, Vec<FieldError>> {
    let today = crate::clock::local_date(now, tz);
    let mut e = Errors { lang, list: vec![] };
    let found_at = match req.found_at {
        None => {
            e.add("found_at", "wajib diisi", "is required");
            now
        }
        Some(t) if t > now + Duration::minutes(10) => {
            e.add(
                "found_at",
                "tidak boleh di masa depan",
                "must not be in the future",
            );
            t
        }
        Some(t) if t < now - Duration::days(30) => {
            e.add(
                "found_at",
                "lebih dari 30 hari yang lalu; periksa tanggalnya",
                "more than 30 days ago; check the date",
            );
            t
        }
        Some(t) => t,
    };
    let (lat, lon) = match (req.found_lat, req.found_lon) {
        (Some(lat), Some(lon)) if crate::places::model::in_indonesia(lon, lat) => (lat, lon),
        (Some(_), Some(_)) => {
            e.add(
                "found_lat",
                "titik lokasi di luar Indonesia (lintang/bujur tertukar?)",
                "the point is outside Indonesia (latitude and longitude swapped?)",
            );
            (0.0, 0.0)
        }
        _ => {
            e.add(
                "found_lat",
                "titik lokasi wajib: pilih di peta atau ketik koordinat",
                "a location is required: pick it on the map or type coordinates",
            );
            (0.0, 0.0)
        }
    };
    let found_address = text(&mut e, "found_address", &req.found_address);
    let unit = text(&mut e, "unit", &req.unit);
    let officer_name = text(&mut e, "officer_name", &req.officer_name);
    let stated_name = text(&mut e, "stated_name", &req.stated_name);
    if stated_name.chars().count() > 120 {
        e.add(
            "stated_name",
            "terlalu panjang (maksimal 120 karakter)",
            "too long (120 characters at most)",
        );
    }
    let mut aliases = vec![];
    for (i, a) in req.aliases.iter().enumerate() {
        let a = text(&mut e, &format!("aliases[{i}]"), a);
        if !a.is_empty() && !aliases.contains(&a) {
            aliases.push(a);
        }
    }
    if aliases.len() > 10 {
        e.add("aliases", "paling banyak 10 alias", "at most 10 aliases");
    }
    if !NAME_QUALITIES.contains(&req.name_quality.as_str()) {
        e.add("name_quality", "pilih mutu nama", "pick the name quality");
    } else if (req.name_quality == "unknown") != stated_name.is_empty() {
        if stated_name.is_empty() {
            e.add(
                "stated_name",
                "isi nama, atau pilih mutu nama \"tidak diketahui\"",
                "give a name, or name quality \"unknown\"",
            );
        } else {
            e.add(
                "name_quality",
                "nama diisi, jadi mutu nama bukan \"tidak diketahui\"",
                "a name is given, so its quality is not \"unknown\"",
            );
        }
    }
    if !SEXES.contains(&req.sex.as_str()) {
        e.add("sex", "pilih jenis kelamin", "pick the sex");
    }
    let estimated_age = match req.estimated_age {
        Some(a) if !(0..=120).contains(&a) => {
            e.add("estimated_age", "umur harus 0–120", "age must be 0–120");
            None
        }
        a => a.map(|a| a as i16),
    };
    if let Some(d) = req.birth_date {
        if d > today {
            e.add(
                "birth_date",
                "tanggal lahir di masa depan",
                "birth date in the future",
            );
        } else if (today - d).num_days() > 120 * 366 {
            e.add(
                "birth_date",
                "tanggal lahir lebih dari 120 tahun lalu",
                "birth date more than 120 years ago",
            );
        }
    }
    match req.birth_date_quality.as_str() {
        "exact" | "year_only" if req.birth_date.is_none() => e.add(
            "birth_date",
            "isi tanggal lahir untuk mutu ini",
            "a birth date is needed for this quality",
        ),
        "approximate" if req.birth_date.is_none() && estimated_age.is_none() => e.add(
            "estimated_age",
            "isi perkiraan umur atau tanggal lahir",
            "give an estimated age or a birth date",
        ),
        "unknown" | "exact" | "year_only" | "approximate" => {}
        _ => e.add(
            "birth_date_quality",
            "pilih mutu tanggal lahir",
            "pick the birth date quality",
        ),
    }
    let stated_home = text(&mut e, "stated_home", &req.stated_home);
    let (home_village, home_region, home_province) = home(&mut e, req);
    let mut documents = vec![];
    for (i, d) in req.documents.iter().enumerate() {
        if !DOCUMENTS.contains(&d.as_str()) {
            e.add(
                &format!("documents[{i}]"),
                "jenis dokumen tidak dikenal",
                "unknown document kind",
            );
        } else if !documents.contains(d) {
            documents.push(d.clone());
        }
    }
    let nik = match req.nik.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        None => None,
        Some(n) => match Nik::parse(n) {
            Ok(n) => Some(n.as_str().to_string()),
            Err(err) => {
                e.add("nik", err.message_id(), err.message_en());
                None
            }
        },
    };
    let mut conditions = vec![];
    for (i, c) in req.conditions.iter().enumerate() {
        if !CONDITIONS.contains(&c.as_str()) {
            e.add(
                &format!("conditions[{i}]"),
                "kondisi tidak dikenal",
                "unknown condition",
            );
        } else if !conditions.contains(c) {
            conditions.push(c.clone());
        }
    }
    let cause = match req.cause.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) if crate::vocab::StreetCause::parse(c).is_some() => Some(c.to_string()),
        Some(_) => {
            e.add(
                "cause",
                "pilih salah satu sebab dari daftar",
                "choose a cause from the list",
            );
            None
        }
    };
    let mut protection: Vec<String> = vec![];
    for (i, f) in req.protection.iter().enumerate() {
        if crate::vocab::ProtectionFlag::parse(f).is_none() {
            e.add(
                &format!("protection[{i}]"),
                "tanda perlindungan tidak dikenal",
                "unknown protection concern",
            );
        } else if !protection.contains(f) {
            protection.push(f.clone());
        }
    }
    let belongings = text(&mut e, "belongings", &req.belongings);
    let notes = text(&mut e, "notes", &req.notes);
    if !e.list.is_empty() {
        return Err(e.list);
    }
    Ok(NewIntake {
        key,
        found_at,
        lon,
        lat,
        found_address,
        unit,
        officer_name,
        stated_name,
        aliases,
        name_quality: req.name_quality.clone(),
        sex: req.sex.clone(),
        birth_date: req.birth_date,
        estimated_age,
        birth_date_quality: req.birth_date_quality.clone(),
        stated_home,
        home_village,
        home_region,
        home_province,
        documents,
        nik,
        conditions,
        cause,
        protection,
        belongings,
        notes,
    })
}

/// The home codes: a village fixes its regency and province; a regency its province. Codes
/// may be written dotted (Kemendagri: 35.07.01.2001, 35.07) or undotted (BPS, DTKS:
/// 3507012001, 3507); they are kept dotted.
fn home(e: &mut Errors, req: &IntakeRequest) -> (Option<String>, Option<String>, Option<String>) {
    use crate::vocab::region::{Level, RegionCode};
    let village = req
        .home_village
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let region = req
        .home_region
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty());
    if let Some(v) = village {
        let Some(v) = RegionCode::parse(v)
            .ok()
            .filter(|c| c.level() == Level::Village)
        else {
            e.add(
                "home_village",
                "kode desa berbentuk 35.07.01.2001 atau 3507012001",
                "a village code looks like 35.07.01.2001 or 3507012001",
            );
            return (None, None, None);
        };
        let v = v.into_string();
        if let Some(r) = region {
            let r = RegionCode::parse(r).map_or_else(|_| r.to_string(), RegionCode::into_string);
            if !v.starts_with(&r) {
                e.add(
                    "home_region",
                    "tidak cocok dengan desa asal",
                    "does not match the home village",
                );
            }
        }
        return (Some(v.clone()), Some(v[..5].into()), Some(v[..2].into()));
    }
    match region.map(|r| (r, RegionCode::parse(r).ok())) {
        None => (None, None, None),
        Some((_, Some(c))) if c.level() == Level::Regency => {
            let c = c.into_string();
            (None, Some(c.clone()), Some(c[..2].into()))
        }
        Some((_, Some(c))) if c.level() == Level::Province => (None, None, Some(c.into_string())),
        Some(_) => {
            e.add(
                "home_region",
                "kode kab/kota (35.07 atau 3507) atau provinsi (32)",
                "a regency (35.07 or 3507) or province (32) code",
            );
            (None, None, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const WIB: chrono_tz::Tz = chrono_tz::Asia::Jakarta;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap()
    }

    #[test]
    fn a_birth_date_of_today_in_wib_is_not_in_the_future_before_seven() {
        // 01:30 WIB on 8 December is still 7 December in UTC.
        let early = Utc.with_ymd_and_hms(2026, 12, 7, 18, 30, 0).unwrap();
        let mut r = good();
        r.found_at = Some(early - chrono::Duration::minutes(30));
        r.birth_date = NaiveDate::from_ymd_opt(2026, 12, 8);
        r.birth_date_quality = "exact".into();
        r.estimated_age = None;
        let v = validate(&r, Uuid::nil(), (early, WIB), Lang::Id);
        assert!(v.is_ok(), "{:?}", v.err());
    }

    pub fn good() -> IntakeRequest {
        IntakeRequest {
            found_at: Some(now() - Duration::hours(2)),
            found_lat: Some(-7.2458),
            found_lon: Some(112.7378),
            stated_name: "Pak Slamet".into(),
            name_quality: "partial".into(),
            sex: "male".into(),
            estimated_age: Some(60),
            birth_date_quality: "approximate".into(),
            ..Default::default()
        }
    }

    fn fields(r: Result<NewIntake, Vec<FieldError>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn a_cause_and_protection_concerns_are_kept_and_unknown_ones_named() {
        let mut r = good();
        r.cause = Some("false_job_offer".into());
        r.protection = vec![
            "trafficking".into(),
            "trafficking".into(),
            "violence".into(),
        ];
        let i = validate(&r, Uuid::nil(), (now(), WIB), Lang::Id).unwrap();
        assert_eq!(i.cause.as_deref(), Some("false_job_offer"));
        assert_eq!(i.protection, ["trafficking", "violence"]);
        r.cause = Some("bored".into());
        r.protection = vec!["violence".into(), "smuggling".into()];
        assert_eq!(
            fields(validate(&r, Uuid::nil(), (now(), WIB), Lang::Id)),
            ["cause", "protection[1]"]
        );
        r.cause = Some(String::new());
        r.protection = vec![];
        let i = validate(&r, Uuid::nil(), (now(), WIB), Lang::Id).unwrap();
        assert_eq!(i.cause, None);
    }

    #[test]
    fn a_good_intake_passes() {
        let i = validate(&good(), Uuid::nil(), (now(), WIB), Lang::Id).unwrap();
        assert_eq!(i.estimated_age, Some(60));
    }

    #[test]
    fn every_broken_rule_is_named() {
        let mut r = good();
        r.found_at = Some(now() + Duration::days(1));
        r.found_lat = Some(112.7);
        r.sex = "x".into();
        r.nik = Some("123".into());
        r.conditions = vec!["hungry".into()];
        r.home_village = Some("35-07".into());
        assert_eq!(
            fields(validate(&r, Uuid::nil(), (now(), WIB), Lang::Id)),
            vec![
                "found_at",
                "found_lat",
                "sex",
                "home_village",
                "nik",
                "conditions[0]"
            ]
        );
    }

    #[test]
    fn name_and_its_quality_must_agree() {
        let mut r = good();
        r.stated_name = String::new();
        assert_eq!(
            fields(validate(&r, Uuid::nil(), (now(), WIB), Lang::En)),
            vec!["stated_name"]
        );
        r.name_quality = "unknown".into();
        assert!(validate(&r, Uuid::nil(), (now(), WIB), Lang::En).is_ok());
    }

    #[test]
    fn an_exact_birth_date_needs_a_date() {
        let mut r = good();
        r.birth_date_quality = "exact".into();
        assert_eq!(
            fields(validate(&r, Uuid::nil(), (now(), WIB), Lang::Id)),
            vec!["birth_date"]
        );
    }

    #[test]
    fn a_village_fixes_region_and_province() {
        let mut r = good();
        r.home_village = Some("35.10.01.2001".into());
        let i = validate(&r, Uuid::nil(), (now(), WIB), Lang::Id).unwrap();
        assert_eq!(i.home_region.as_deref(), Some("35.10"));
        assert_eq!(i.home_province.as_deref(), Some("35"));
        r.home_region = Some("35.78".into());
        assert_eq!(
            fields(validate(&r, Uuid::nil(), (now(), WIB), Lang::Id)),
            vec!["home_region"]
        );
    }

    #[test]
    fn control_characters_are_refused() {
        let mut r = good();
        r.notes = "ok\u{1b}[31m".into();
        assert_eq!(
            fields(validate(&r, Uuid::nil(), (now(), WIB), Lang::Id)),
            vec!["notes"]
        );
    }
}
