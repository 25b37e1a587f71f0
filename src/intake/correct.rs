//! Correcting a saved intake (name, sex, birth, conditions, the place's description) and
//! adding photos later. A case officer may correct any intake in their scope at any time;
//! the intake officer who recorded it, for a day after recording. Every correction names
//! its reason, keeps each value before and after in the case's history, is audited, and
//! sends the intake through matching again. The rules of a new intake apply to the values
//! corrected (`model::validate`, judged as at the time the intake was recorded).
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
use utoipa::ToSchema;

use super::model::{validate, IntakeRequest};
use super::photo::Photo;
use crate::auth::audit::Origin;
use crate::auth::model::{Principal, Role};
use crate::auth::policy::Action;
use crate::cases::access;
use crate::cases::events::{self, Event};
use crate::cases::CaseNumber;
use crate::error::{AppError, AppResult, FieldError};
use simlontar_templates::Lang;

/// How long the recording intake officer may correct their own intake.
pub const OWN_CORRECTION_WINDOW: Duration = Duration::hours(24);

/// A correction: only the fields given change. `reason` is required.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"stated_name": "Moh. Joko", "sex": "male", "reason": "salah ketik saat penjangkauan"}))]
pub struct CorrectionRequest {
    /// The name; empty when it is not known after all.
    pub stated_name: Option<String>,
    #[schema(value_type = Option<crate::vocab::Sex>)]
    pub sex: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub estimated_age: Option<i32>,
    #[schema(value_type = Option<crate::vocab::BirthQuality>)]
    pub birth_date_quality: Option<String>,
    #[schema(value_type = Option<Vec<crate::vocab::Condition>>)]
    pub conditions: Option<Vec<String>>,
    /// Where the person was found, in words.
    pub found_address: Option<String>,
    /// Why the intake is corrected (shown on the case's history).
    pub reason: String,
}

/// What a correction did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Corrected {
    /// The fields whose value changed.
    pub fields: Vec<String>,
    pub photos_added: usize,
}

/// Whether `p` may correct an intake recorded by `officer_id` at `recorded`: case officers
/// always; the recording intake officer within [`OWN_CORRECTION_WINDOW`].
pub fn may_correct(
    p: &Principal,
    officer_id: Option<i64>,
    recorded: DateTime<Utc>,
    (now, tz): (DateTime<Utc>, chrono_tz::Tz),
) -> AppResult<()> {
    if p.has(Role::CaseOfficer) {
        return Ok(());
    }
    if !p.has(Role::IntakeOfficer) || officer_id != Some(p.user_id) {
        return Err(AppError::Forbidden);
    }
    let until = recorded + OWN_CORRECTION_WINDOW;
    if now > until {
        let at = crate::clock::format_local(until, tz);
        return Err(AppError::Conflict(format!(
            "petugas yang mencatat hanya dapat memperbaiki sampai {at}; minta petugas kasus memperbaikinya / the recording officer could correct it until {at}; ask a case officer"
        )));
    }
    Ok(())
}

/// A correction as the case's history tells it: "Nama diperbaiki: Moh Joko → Moh. Joko;
/// 1 foto ditambahkan; alasan: salah ketik" (who is the event's actor).
pub fn describe(detail: &serde_json::Value, reason: &str, lang: Lang) -> String {
    use crate::vocab::{label_of, BirthQuality, Condition, Sex};
    let tr = |id: &'static str, en: &'static str| if lang == Lang::Id { id } else { en };
    let value = |field: &str, v: &serde_json::Value| -> String {
        let code = |c: &str| match field {
            "sex" => label_of(Sex::parse, Sex::label, c).get(lang).to_string(),
            "birth_date_quality" => label_of(BirthQuality::parse, BirthQuality::label, c)
                .get(lang)
                .to_string(),
            "conditions" => label_of(Condition::parse, Condition::label, c)
                .get(lang)
                .to_string(),
            _ => c.to_string(),
        };
        match v {
            serde_json::Value::Null => "–".into(),
            serde_json::Value::String(s) if s.is_empty() => "–".into(),
            serde_json::Value::String(s) => code(s),
            serde_json::Value::Array(a) if a.is_empty() => "–".into(),
            serde_json::Value::Array(a) => (a.iter())
                .map(|x| code(x.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
        }
    };
    let mut parts: Vec<String> = vec![];
    for c in detail["changes"].as_array().into_iter().flatten() {
        let field = c["field"].as_str().unwrap_or_default();
        let label = match field {
            "stated_name" => tr("Nama", "Name"),
            "sex" => tr("Jenis kelamin", "Sex"),
            "birth_date" => tr("Tanggal lahir", "Birth date"),
            "estimated_age" => tr("Perkiraan umur", "Estimated age"),
            "birth_date_quality" => tr("Mutu tanggal lahir", "Birth date quality"),
            "conditions" => tr("Kondisi", "Conditions"),
            "found_address" => tr("Alamat lokasi", "Address"),
            _ => continue,
        };
        parts.push(format!(
            "{label} {}: {} → {}",
            tr("diperbaiki", "corrected"),
            value(field, &c["before"]),
            value(field, &c["after"])
        ));
    }
    match detail["photos_added"].as_u64() {
        Some(n) if n > 0 => parts.push(format!("{n} {}", tr("foto ditambahkan", "photo(s) added"))),
        _ => {}
    }
    if !reason.is_empty() {
        parts.push(format!("{}: {reason}", tr("alasan", "reason")));
    }
    parts.join("; ")
}

/// The fields a request changes, as `validate` names them (with the fields whose rules
/// they share).
fn touched(r: &CorrectionRequest) -> Vec<&'static str> {
    let mut f = vec![];
    if r.stated_name.is_some() {
        f.extend(["stated_name", "name_quality"]);
    }
    if r.sex.is_some() {
        f.push("sex");
    }
    if r.birth_date.is_some() || r.estimated_age.is_some() || r.birth_date_quality.is_some() {
        f.extend(["birth_date", "estimated_age", "birth_date_quality"]);
    }
    if r.conditions.is_some() {
        f.push("conditions");
    }
    if r.found_address.is_some() {
        f.push("found_address");
    }
    f
}

/// Corrects the intake of case `number` and adds `photos` (already cleaned by
/// `photo::clean_blocking`, as at intake).
pub async fn correct(
    pool: &sqlx::PgPool,
    p: &Principal,
    origin: &Origin,
    number: &CaseNumber,
    (req, photos): (&CorrectionRequest, &[Photo]),
    (now, tz): (DateTime<Utc>, chrono_tz::Tz),
    lang: Lang,
) -> AppResult<Corrected> {
    let (mut tx, case_id) =
        access::open(pool, p, origin, number, Action::CreateIntake, now).await?;
    let row = sqlx::query(
        "SELECT i.id, i.officer_id, i.created_at, i.anonymised_at,
                ST_X(i.found_point) AS lon, ST_Y(i.found_point) AS lat, i.found_address,
                i.stated_name, i.name_quality, i.sex, i.birth_date, i.estimated_age,
                i.birth_date_quality, i.conditions,
                (SELECT count(*) FROM intake_photo ph WHERE ph.intake_id = i.id) AS photos
           FROM ot_case c JOIN intake i ON i.id = c.intake_id WHERE c.id = $1 FOR UPDATE OF i",
    )
    .bind(case_id)
    .fetch_one(&mut *tx)
    .await?;
    let recorded: DateTime<Utc> = row.get("created_at");
    may_correct(p, row.get("officer_id"), recorded, (now, tz))?;
    if row
        .get::<Option<DateTime<Utc>>, _>("anonymised_at")
        .is_some()
    {
        return Err(AppError::Conflict(
            "data kasus ini sudah dianonimkan / this case was anonymised".into(),
        ));
    }
    let word = |id: &str, en: &str| match lang {
        Lang::Id => id.to_string(),
        Lang::En => en.to_string(),
    };
    let mut errors = vec![];
    let reason = req.reason.trim();
    if reason.is_empty() {
        errors.push(FieldError::new(
            "reason",
            word(
                "wajib diisi: mengapa data ini diperbaiki",
                "required: why is this corrected",
            ),
        ));
    }
    // The stored intake with the corrections applied, checked by the intake's own rules.
    let before_name: String = row.get("stated_name");
    let before_quality: String = row.get("name_quality");
    let stated_name = req.stated_name.clone().unwrap_or(before_name.clone());
    let name_quality = match (
        req.stated_name.as_deref().map(str::trim),
        before_quality.as_str(),
    ) {
        (Some(""), _) => "unknown".to_string(),
        (Some(_), "unknown") => "full".to_string(),
        _ => before_quality.clone(),
    };
    let unknown_birth = req.birth_date_quality.as_deref() == Some("unknown");
    let merged = IntakeRequest {
        // Not corrected here, so not judged: an imported resident was admitted years
        // before the record was made, which the desk's 30-day rule would refuse.
        found_at: Some(recorded),
        found_lat: Some(row.get("lat")),
        found_lon: Some(row.get("lon")),
        found_address: req
            .found_address
            .clone()
            .unwrap_or(row.get("found_address")),
        stated_name,
        name_quality,
        sex: req.sex.clone().unwrap_or(row.get("sex")),
        birth_date: if unknown_birth {
            None
        } else {
            req.birth_date.or(row.get("birth_date"))
        },
        estimated_age: if unknown_birth {
            None
        } else {
            req.estimated_age
                .or(row.get::<Option<i16>, _>("estimated_age").map(i32::from))
        },
        birth_date_quality: req
            .birth_date_quality
            .clone()
            .unwrap_or(row.get("birth_date_quality")),
        conditions: req.conditions.clone().unwrap_or(row.get("conditions")),
        ..Default::default()
    };
    let fields = touched(req);
    let checked = validate(&merged, uuid::Uuid::nil(), (recorded, tz), lang);
    let new = match checked {
        Ok(n) => Some(n),
        Err(list) => {
            // Only the corrected fields are judged.
            errors.extend(list.into_iter().filter(|e| {
                let base = e.field.split('[').next().unwrap_or_default();
                fields.contains(&base)
            }));
            None
        }
    };
    let existing: i64 = row.get("photos");
    if existing as usize + photos.len() > super::create::MAX_PHOTOS {
        errors.push(FieldError::new(
            "photos",
            word(
                &format!("paling banyak {} foto per orang", super::create::MAX_PHOTOS),
                &format!("at most {} photos per person", super::create::MAX_PHOTOS),
            ),
        ));
    }
    let Some(new) = new.filter(|_| errors.is_empty()) else {
        if errors.is_empty() {
            errors.push(FieldError::new(
                "reason",
                word("periksa isian", "check the fields"),
            ));
        }
        return Err(AppError::Invalid(errors));
    };
    let mut changes = vec![];
    let mut diff = |field: &str, before: serde_json::Value, after: serde_json::Value| {
        if before != after {
            changes.push(json!({"field": field, "before": before, "after": after}));
        }
    };
    diff("stated_name", json!(before_name), json!(new.stated_name));
    diff("sex", json!(row.get::<String, _>("sex")), json!(new.sex));
    diff(
        "birth_date",
        json!(row.get::<Option<NaiveDate>, _>("birth_date")),
        json!(new.birth_date),
    );
    diff(
        "estimated_age",
        json!(row.get::<Option<i16>, _>("estimated_age")),
        json!(new.estimated_age),
    );
    diff(
        "birth_date_quality",
        json!(row.get::<String, _>("birth_date_quality")),
        json!(new.birth_date_quality),
    );
    diff(
        "conditions",
        json!(row.get::<Vec<String>, _>("conditions")),
        json!(new.conditions),
    );
    diff(
        "found_address",
        json!(row.get::<String, _>("found_address")),
        json!(new.found_address),
    );
    if changes.is_empty() && photos.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "reason",
            word(
                "tidak ada yang berubah: ubah isian atau tambahkan foto",
                "nothing changed: change a field or add a photo",
            ),
        )]));
    }
    let intake_id: i64 = row.get("id");
    // Matching looks at the intake again (`linkage_checked_at`), like a new one.
    sqlx::query(
        "UPDATE intake SET stated_name = $2, name_quality = $3, sex = $4, birth_date = $5,
                estimated_age = $6, birth_date_quality = $7, conditions = $8, found_address = $9,
                linkage_checked_at = NULL
          WHERE id = $1",
    )
    .bind(intake_id)
    .bind(&new.stated_name)
    .bind(&new.name_quality)
    .bind(&new.sex)
    .bind(new.birth_date)
    .bind(new.estimated_age)
    .bind(&new.birth_date_quality)
    .bind(&new.conditions)
    .bind(&new.found_address)
    .execute(&mut *tx)
    .await?;
    use sha2::{Digest, Sha256};
    for photo in photos {
        sqlx::query(
            "INSERT INTO intake_photo (intake_id, sha256, content_type, bytes) VALUES ($1, $2, $3, $4)
             ON CONFLICT (intake_id, sha256) DO NOTHING",
        )
        .bind(intake_id)
        .bind(Sha256::digest(&photo.bytes).to_vec())
        .bind(photo.content_type)
        .bind(&photo.bytes)
        .execute(&mut *tx)
        .await?;
    }
    crate::jobs::queue::enqueue(&mut tx, crate::jobs::queue::Work::Reintake, now).await?;
    let fields: Vec<String> = (changes.iter())
        .map(|c| c["field"].as_str().unwrap_or_default().to_string())
        .collect();
    let event = Event::note(
        "corrected",
        reason,
        json!({"changes": changes, "photos_added": photos.len()}),
    );
    events::record(&mut tx, case_id, Some(p), &event, now).await?;
    // The audit row names the fields, not the values (those are in the case's history).
    let detail = json!({"fields": fields, "photos_added": photos.len()});
    access::commit(tx, origin, number, "correct", detail).await?;
    Ok(Corrected {
        fields,
        photos_added: photos.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_correction_is_told_with_labels_before_and_after() {
        let detail = json!({"changes": [
            {"field": "stated_name", "before": "Moh Joko", "after": "Moh. Joko"},
            {"field": "sex", "before": "unknown", "after": "male"},
            {"field": "conditions", "before": [], "after": ["elderly"]}
        ], "photos_added": 1});
        assert_eq!(
            describe(&detail, "salah ketik", Lang::Id),
            "Nama diperbaiki: Moh Joko → Moh. Joko; Jenis kelamin diperbaiki: Tidak diketahui → Laki-laki; \
             Kondisi diperbaiki: – → Lanjut usia; 1 foto ditambahkan; alasan: salah ketik"
        );
    }

    #[test]
    fn only_case_officers_and_the_recording_officer_within_a_day_may_correct() {
        use crate::auth::model::Grant;
        use chrono::TimeZone;
        let tz = chrono_tz::Asia::Jakarta;
        let at = Utc.with_ymd_and_hms(2026, 12, 7, 3, 0, 0).unwrap();
        let p = |user_id, g: Grant| Principal {
            user_id,
            username: "u".into(),
            display_name: "u".into(),
            grants: vec![g],
            via_token: false,
        };
        let intake = p(
            7,
            Grant::new(Role::IntakeOfficer, Some("35.78".into())).unwrap(),
        );
        let case = p(8, Grant::new(Role::CaseOfficer, None).unwrap());
        let later = at + Duration::hours(30);
        assert!(may_correct(&case, Some(7), at, (later, tz)).is_ok());
        assert!(may_correct(&intake, Some(7), at, (at + Duration::hours(23), tz)).is_ok());
        assert!(matches!(
            may_correct(&intake, Some(7), at, (later, tz)),
            Err(AppError::Conflict(_))
        ));
        assert!(matches!(
            may_correct(&intake, Some(9), at, (at, tz)),
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            may_correct(&intake, None, at, (at, tz)),
            Err(AppError::Forbidden)
        ));
    }
}
