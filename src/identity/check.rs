//! A DP3AK identity check result as it arrives (desk form, API, batch row), and its
//! validation into a `NewCheck`. Pure: no database.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::nik::Nik;
use crate::cases::CaseNumber;
use crate::error::FieldError;
use simlontar_templates::i18n::tr;
use simlontar_templates::Lang;

// The codes a check accepts: the vocabulary's (one table, `crate::vocab`).
pub const METHODS: &[&str] = crate::vocab::IdentityMethod::CODES;
pub const OUTCOMES: &[&str] = crate::vocab::IdentityOutcome::CODES;

/// The registry identity a matched check returns.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RegistryIdentity {
    #[schema(pattern = "^[0-9]{16}$")]
    pub nik: String,
    pub name: String,
    /// YYYY-MM-DD
    pub birth_date: Option<NaiveDate>,
    #[serde(default)]
    pub birth_place: String,
    /// `male` or `female` (the register knows no other).
    #[schema(schema_with = registered_sex)]
    pub sex: String,
    #[serde(default)]
    pub address: String,
    /// Kemendagri village code, e.g. `35.78.01.1001`.
    #[schema(pattern = r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$")]
    pub village_code: Option<String>,
    /// Family card (KK) number.
    #[schema(pattern = "^[0-9]{16}$")]
    pub kk_number: Option<String>,
    #[serde(default)]
    pub mother_name: String,
}

/// The register's sexes: the vocabulary's, without `unknown`.
fn registered_sex() -> utoipa::openapi::Object {
    let codes = crate::vocab::Sex::ALL
        .iter()
        .filter(|s| **s != crate::vocab::Sex::Unknown)
        .map(|s| s.code());
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(codes))
        .build()
}

/// One check result. `case_number` names the case it was run for; without it (a batch),
/// matching finds the intake.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "case_number": "OT-3578-2026-000123", "method": "fingerprint",
    "requested_at": "2026-11-23T02:00:00Z", "completed_at": "2026-11-23T02:05:00Z",
    "outcome": "matched", "score": 91.5,
    "identity": {
        "nik": "3510011205660001", "name": "Slamet", "birth_date": "1966-05-12",
        "birth_place": "Banyuwangi", "sex": "male", "address": "Dusun Krajan RT 01 RW 02",
        "village_code": "35.10.01.2001", "kk_number": "3510010101090003", "mother_name": "Sumiati"
    }
}))]
pub struct CheckRequest {
    #[schema(value_type = Option<CaseNumber>)]
    pub case_number: Option<String>,
    #[schema(value_type = crate::vocab::IdentityMethod)]
    pub method: String,
    pub requested_at: DateTime<Utc>,
    /// When the result came back; absent while `pending`.
    pub completed_at: Option<DateTime<Utc>>,
    /// `pending`, `matched`, `no_match`, `not_enrolled` (likely never enrolled for an
    /// e-KTP), `low_quality` (capture too poor: retry) or `device_failure` (queued, retried).
    #[schema(value_type = crate::vocab::IdentityOutcome)]
    pub outcome: String,
    /// The biometric score, 0–100.
    #[schema(minimum = 0, maximum = 100)]
    pub score: Option<f32>,
    /// Required when the outcome is `matched`, refused otherwise.
    pub identity: Option<RegistryIdentity>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewCheck {
    pub case_number: Option<CaseNumber>,
    pub method: String,
    pub requested_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub outcome: String,
    pub score: Option<f32>,
    pub identity: Option<RegistryIdentity>,
}

fn digits16(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Checks a result; every problem is reported with its field path (the desk form's fields
/// carry the same names), in the caller's language.
pub fn validate(
    r: &CheckRequest,
    now: DateTime<Utc>,
    lang: Lang,
) -> Result<NewCheck, Vec<FieldError>> {
    let mut e = vec![];
    if !METHODS.contains(&r.method.as_str()) {
        e.push(FieldError::new(
            "method",
            tr(
                lang,
                "pilih sidik jari, wajah atau iris",
                "pick fingerprint, face or iris",
            ),
        ));
    }
    if !OUTCOMES.contains(&r.outcome.as_str()) {
        e.push(FieldError::new(
            "outcome",
            tr(
                lang,
                "hasil pemeriksaan tidak dikenal",
                "pick the outcome of the check",
            ),
        ));
    }
    if r.requested_at > now + chrono::Duration::minutes(5) {
        e.push(FieldError::new(
            "requested_at",
            tr(lang, "waktu ini belum terjadi", "is in the future"),
        ));
    }
    match (&r.completed_at, r.outcome.as_str()) {
        (Some(_), "pending") => e.push(FieldError::new(
            "completed_at",
            tr(
                lang,
                "pemeriksaan yang masih menunggu belum punya waktu selesai",
                "a pending check has not completed",
            ),
        )),
        (None, o) if o != "pending" && OUTCOMES.contains(&o) => e.push(FieldError::new(
            "completed_at",
            tr(
                lang,
                "wajib diisi setelah pemeriksaan punya hasil",
                "required once the check has a result",
            ),
        )),
        (Some(c), _) if *c < r.requested_at => e.push(FieldError::new(
            "completed_at",
            tr(
                lang,
                "lebih awal dari waktu permintaan",
                "is before requested_at",
            ),
        )),
        (Some(c), _) if *c > now + chrono::Duration::minutes(5) => e.push(FieldError::new(
            "completed_at",
            tr(lang, "waktu ini belum terjadi", "is in the future"),
        )),
        _ => {}
    }
    if r.score
        .is_some_and(|s| !(0.0..=100.0).contains(&s) || s.is_nan())
    {
        e.push(FieldError::new(
            "score",
            tr(lang, "skor antara 0 dan 100", "between 0 and 100"),
        ));
    }
    match (&r.identity, r.outcome.as_str()) {
        (None, "matched") => e.push(FieldError::new(
            "identity",
            tr(
                lang,
                "hasil cocok harus disertai identitas dari Dukcapil",
                "a matched check returns the registry identity",
            ),
        )),
        (Some(_), o) if o != "matched" => e.push(FieldError::new(
            "identity",
            tr(
                lang,
                "identitas hanya diisi bila hasilnya cocok",
                "only a matched check carries an identity",
            ),
        )),
        (Some(id), _) => identity_errors(id, lang, &mut e),
        _ => {}
    }
    if r.outcome == "matched" && r.score.is_none() {
        e.push(FieldError::new(
            "score",
            tr(lang, "hasil cocok harus punya skor", "a match has a score"),
        ));
    }
    // Typed by a person or a batch file: blanks around and lower case are forgiven.
    let typed = r
        .case_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let case_number = match typed.map(CaseNumber::typed) {
        Some(Err(_)) => {
            e.push(FieldError::new(
                "case_number",
                crate::cases::number::refusal(lang),
            ));
            None
        }
        Some(Ok(n)) => Some(n),
        None => None,
    };
    if e.is_empty() {
        Ok(NewCheck {
            case_number,
            method: r.method.clone(),
            requested_at: r.requested_at,
            completed_at: r.completed_at,
            outcome: r.outcome.clone(),
            score: r.score,
            identity: r.identity.clone().map(|mut id| {
                id.name = id.name.trim().to_string();
                id
            }),
        })
    } else {
        Err(e)
    }
}

fn identity_errors(id: &RegistryIdentity, lang: Lang, e: &mut Vec<FieldError>) {
    match Nik::parse(&id.nik) {
        Err(err) => e.push(FieldError::new(
            "identity.nik",
            tr(lang, err.message_id(), err.message_en()),
        )),
        Ok(nik) => {
            let female = match id.sex.as_str() {
                "female" => Some(true),
                "male" => Some(false),
                _ => None,
            };
            match female {
                None => e.push(FieldError::new(
                    "identity.sex",
                    tr(lang, "laki-laki atau perempuan", "male or female"),
                )),
                // The register's own record must agree with its NIK.
                Some(f) if f != nik.female => e.push(FieldError::new(
                    "identity.sex",
                    tr(
                        lang,
                        "tidak sesuai dengan NIK (tanggal + 40 untuk perempuan)",
                        "does not agree with the NIK (day + 40 for women)",
                    ),
                )),
                _ => {}
            }
            if let Some(b) = id.birth_date {
                use chrono::Datelike;
                if (b.day(), b.month(), b.year() as u32 % 100)
                    != (nik.birth_day, nik.birth_month, nik.birth_yy)
                {
                    e.push(FieldError::new(
                        "identity.birth_date",
                        tr(
                            lang,
                            "tidak sesuai dengan tanggal lahir dalam NIK",
                            "does not agree with the NIK's birth date",
                        ),
                    ));
                }
            }
        }
    }
    if id.name.trim().is_empty() {
        e.push(FieldError::new(
            "identity.name",
            tr(lang, "wajib diisi", "required"),
        ));
    }
    if id.kk_number.as_deref().is_some_and(|k| !digits16(k)) {
        e.push(FieldError::new(
            "identity.kk_number",
            tr(lang, "harus 16 angka", "16 digits"),
        ));
    }
    for (field, value) in [
        ("identity.name", &id.name),
        ("identity.address", &id.address),
        ("identity.mother_name", &id.mother_name),
        ("identity.birth_place", &id.birth_place),
    ] {
        if value.chars().any(char::is_control) || value.chars().count() > 200 {
            e.push(FieldError::new(
                field,
                tr(
                    lang,
                    "paling banyak 200 huruf, tanpa karakter kontrol",
                    "at most 200 characters, no control characters",
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap()
    }

    pub fn matched() -> CheckRequest {
        CheckRequest {
            case_number: Some("ot-3578-2026-000001".into()),
            method: "fingerprint".into(),
            requested_at: now() - chrono::Duration::minutes(10),
            completed_at: Some(now() - chrono::Duration::minutes(9)),
            outcome: "matched".into(),
            score: Some(92.5),
            identity: Some(RegistryIdentity {
                nik: "3578015208900001".into(),
                name: " Sumiati ".into(),
                birth_date: NaiveDate::from_ymd_opt(1990, 8, 12),
                sex: "female".into(),
                village_code: Some("35.78.01.1001".into()),
                ..Default::default()
            }),
        }
    }

    fn fields(r: &CheckRequest) -> Vec<String> {
        validate(r, now(), Lang::En)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.field)
            .collect()
    }

    #[test]
    fn a_good_match_passes_and_is_tidied() {
        let c = validate(&matched(), now(), Lang::En).unwrap();
        assert_eq!(
            c.case_number.as_ref().map(CaseNumber::as_str),
            Some("OT-3578-2026-000001")
        );
        assert_eq!(c.identity.unwrap().name, "Sumiati");
    }

    #[test]
    fn an_identity_must_agree_with_its_own_nik() {
        let mut r = matched();
        let id = r.identity.as_mut().unwrap();
        id.sex = "male".into();
        id.birth_date = NaiveDate::from_ymd_opt(1990, 8, 13);
        assert_eq!(fields(&r), ["identity.sex", "identity.birth_date"]);
        r.identity.as_mut().unwrap().nik = "1234".into();
        assert_eq!(fields(&r), ["identity.nik"]);
    }

    #[test]
    fn outcomes_and_identities_go_together() {
        let mut r = matched();
        r.identity = None;
        assert_eq!(fields(&r), ["identity"]);
        let mut r = matched();
        r.outcome = "no_match".into();
        assert_eq!(fields(&r), ["identity"]);
        let mut r = matched();
        r.outcome = "pending".into();
        r.identity = None;
        assert_eq!(fields(&r), ["completed_at"]);
        r.completed_at = None;
        assert!(fields(&r).is_empty());
    }

    #[test]
    fn scores_times_and_words_are_checked() {
        let mut r = matched();
        r.score = Some(101.0);
        r.method = "palm".into();
        r.completed_at = Some(r.requested_at - chrono::Duration::seconds(1));
        assert_eq!(fields(&r), ["method", "completed_at", "score"]);
    }
}
