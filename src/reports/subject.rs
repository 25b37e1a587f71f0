//! A person's own data (UU PDP, subject access): everything Simlontar holds about one
//! person as one ZIP archive — a JSON document, the photos and a readable summary — for an
//! administrator, audited. "The person" is the case's intake and every intake linked to it
//! as the same person (accepted links, followed transitively); candidate or rejected links
//! are listed by their ids only, so nobody else's data comes along.
use std::io::Write;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::{PgPool, Row};
use zip::write::SimpleFileOptions;

use crate::auth::audit::{self, Origin};
use crate::auth::model::Principal;
use crate::auth::policy::{require, Action, CaseScope};
use crate::cases::CaseNumber;
use crate::clock::format_local;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::viewer::Viewer;
use simlontar_templates::i18n::tr;
use simlontar_templates::reports as view;

pub async fn show_form(v: Viewer) -> AppResult<Response> {
    require(&v.principal, Action::ExportSubjectData)?;
    Ok(view::subject_page(v.lang, &v.nav, "", None).into_response())
}

#[derive(Deserialize)]
pub struct SubjectForm {
    #[serde(default)]
    number: String,
}

pub async fn export_subject(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<SubjectForm>,
) -> AppResult<Response> {
    require(&v.principal, Action::ExportSubjectData)?;
    let number = f.number.trim().to_uppercase();
    let (tz, now) = (state.settings.time_zone, state.clock.now());
    let again = |status, id, en| {
        Ok((
            status,
            view::subject_page(v.lang, &v.nav, &f.number, Some(tr(v.lang, id, en))),
        )
            .into_response())
    };
    if number.is_empty() {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Nomor kasus: isi nomor kasus, misalnya OT-3578-2026-000123",
            "Case number: give a case number, e.g. OT-3578-2026-000123",
        );
    }
    let Ok(number) = CaseNumber::typed(&number) else {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Nomor kasus: harus berformat OT-3578-2026-000123",
            "Case number: it must look like OT-3578-2026-000123",
        );
    };
    let Some(archive) = archive(&state.pool, &v.principal, &v.origin, &number, (tz, now)).await?
    else {
        return again(
            StatusCode::NOT_FOUND,
            "Nomor kasus: tidak ada kasus dengan nomor ini",
            "Case number: there is no case with this number",
        );
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"data-pribadi-{number}.zip\""),
            ),
        ],
        archive,
    )
        .into_response())
}

/// JSON rows of `sql` (one `to_jsonb` column) bound to the person's intakes and cases.
async fn rows(
    tx: &mut sqlx::PgConnection,
    sql: &str,
    intakes: &[i64],
    cases: &[i64],
) -> sqlx::Result<Vec<Value>> {
    sqlx::query_scalar(sql)
        .bind(intakes)
        .bind(cases)
        .fetch_all(tx)
        .await
}

/// The archive for the person of case `number`, or `None` when there is no such case in
/// the principal's scope. The export is recorded in the audit trail.
pub async fn archive(
    pool: &PgPool,
    p: &Principal,
    origin: &Origin,
    number: &CaseNumber,
    (tz, now): (chrono_tz::Tz, DateTime<Utc>),
) -> anyhow::Result<Option<Vec<u8>>> {
    let scope = CaseScope::of(p, now);
    let mut tx = scope.begin(pool).await?;
    let Some(case) = crate::cases::store::case_id_in(&mut tx, &scope, number).await? else {
        return Ok(None);
    };
    let intake: i64 = sqlx::query_scalar("SELECT intake_id FROM ot_case WHERE id = $1")
        .bind(case)
        .fetch_one(&mut *tx)
        .await?;
    let intakes: Vec<i64> = sqlx::query_scalar(
        "WITH RECURSIVE person(id) AS (
            SELECT $1::bigint
            UNION
            SELECT CASE WHEN l.left_id = p.id THEN l.right_id ELSE l.left_id END
              FROM record_link l JOIN person p ON l.left_id = p.id OR l.right_id = p.id
             WHERE l.state = 'accepted' AND l.left_kind = 'intake' AND l.right_kind = 'intake')
         SELECT id FROM person ORDER BY id",
    )
    .bind(intake)
    .fetch_all(&mut *tx)
    .await?;
    let cases: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM ot_case WHERE intake_id = ANY($1) ORDER BY id")
            .bind(&intakes)
            .fetch_all(&mut *tx)
            .await?;
    let numbers: Vec<String> =
        sqlx::query_scalar("SELECT number FROM ot_case WHERE id = ANY($1) ORDER BY id")
            .bind(&cases)
            .fetch_all(&mut *tx)
            .await?;
    // The intake's point as latitude and longitude rather than a geometry's bytes.
    let linked = "(SELECT CASE WHEN l.left_kind = $3 THEN l.left_id ELSE l.right_id END FROM record_link l
                    WHERE l.state = 'accepted'
                      AND ((l.left_kind = 'intake' AND l.left_id = ANY($1) AND l.right_kind = $3)
                        OR (l.right_kind = 'intake' AND l.right_id = ANY($1) AND l.left_kind = $3)))";
    let c = &mut *tx;
    let mut doc = json!({
        "generated_at": now,
        "case_numbers": numbers,
        "intakes": rows(c, "SELECT to_jsonb(x) - 'found_point' || jsonb_build_object('found_lat', ST_Y(x.found_point), 'found_lon', ST_X(x.found_point))
                            FROM intake x WHERE x.id = ANY($1) ORDER BY x.id", &intakes, &cases).await?,
        "cases": rows(c, "SELECT to_jsonb(x) FROM ot_case x WHERE x.id = ANY($2) ORDER BY x.id", &intakes, &cases).await?,
        "events": rows(c, "SELECT to_jsonb(x) FROM case_event x WHERE x.case_id = ANY($2) ORDER BY x.at, x.id", &intakes, &cases).await?,
        "record_links": rows(c, "SELECT to_jsonb(x) - 'contributions' FROM record_link x
                                  WHERE (x.left_kind = 'intake' AND x.left_id = ANY($1)) OR (x.right_kind = 'intake' AND x.right_id = ANY($1))
                                  ORDER BY x.id", &intakes, &cases).await?,
        "placements": rows(c, "SELECT to_jsonb(x) FROM placement x WHERE x.case_id = ANY($2) ORDER BY x.id", &intakes, &cases).await?,
        "referrals": rows(c, "SELECT to_jsonb(x) FROM referral x WHERE x.case_id = ANY($2) ORDER BY x.id", &intakes, &cases).await?,
        "waiting_list": rows(c, "SELECT to_jsonb(x) FROM waiting_list x WHERE x.case_id = ANY($2) ORDER BY x.id", &intakes, &cases).await?,
        "bed_holds": rows(c, "SELECT to_jsonb(x) FROM bed_hold x WHERE x.case_id = ANY($2) ORDER BY x.id", &intakes, &cases).await?,
        "transport_plans": rows(c, "SELECT to_jsonb(x) FROM transport_plan x WHERE x.case_id = ANY($2) ORDER BY x.id", &intakes, &cases).await?,
        "handover_notices": rows(c, "SELECT to_jsonb(x) - 'token_sha256' FROM handover_notice x WHERE x.case_id = ANY($2) ORDER BY x.id", &intakes, &cases).await?,
    });
    let checks: Vec<Value> = sqlx::query_scalar(&format!(
        "SELECT to_jsonb(x) FROM identity_check x WHERE x.intake_id = ANY($1) OR x.id IN {linked} ORDER BY x.id"
    ))
    .bind(&intakes)
    .bind(&cases)
    .bind("check")
    .fetch_all(&mut *tx)
    .await?;
    let registry: Vec<Value> = sqlx::query_scalar(&format!(
        "SELECT to_jsonb(x) FROM registry_person x WHERE x.id IN {linked} ORDER BY x.id"
    ))
    .bind(&intakes)
    .bind(&cases)
    .bind("registry")
    .fetch_all(&mut *tx)
    .await?;
    let check_ids: Vec<String> = checks
        .iter()
        .filter_map(|c| c["id"].as_i64())
        .map(|i| i.to_string())
        .collect();
    let intake_ids: Vec<String> = intakes.iter().map(|i| i.to_string()).collect();
    // Who read or changed the person's records: the audit trail's rows about them.
    let audit: Vec<Value> = sqlx::query(
        "SELECT a.at, u.username, u.display_name, a.action, a.entity, a.entity_id
           FROM audit_log a LEFT JOIN app_user u ON u.id = a.actor_id
          WHERE (a.entity = 'case' AND a.entity_id = ANY($1))
             OR (a.entity = 'intake' AND a.entity_id = ANY($2))
             OR (a.entity = 'identity_check' AND a.entity_id = ANY($3))
          ORDER BY a.at, a.id",
    )
    .bind(
        doc["case_numbers"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
    )
    .bind(&intake_ids)
    .bind(&check_ids)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| {
        json!({
            "at": r.get::<DateTime<Utc>, _>("at"),
            "username": r.get::<Option<String>, _>("username"),
            "name": r.get::<Option<String>, _>("display_name"),
            "action": r.get::<String, _>("action"),
            "entity": r.get::<String, _>("entity"),
            "entity_id": r.get::<Option<String>, _>("entity_id"),
        })
    })
    .collect();
    let photos: Vec<(i64, i64, String, Vec<u8>)> = sqlx::query_as(
        "SELECT id, intake_id, content_type, bytes FROM intake_photo WHERE intake_id = ANY($1) ORDER BY id",
    )
    .bind(&intakes)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;

    let photo_name = |id: i64, ct: &str| {
        format!(
            "foto/foto-{id}.{}",
            if ct == "image/png" { "png" } else { "jpg" }
        )
    };
    doc["identity_checks"] = Value::Array(checks);
    doc["registry_records"] = Value::Array(registry);
    doc["access_log"] = Value::Array(audit);
    doc["photos"] = photos
        .iter()
        .map(|(id, intake, ct, _)| json!({"id": id, "intake_id": intake, "content_type": ct, "file": photo_name(*id, ct)}))
        .collect();

    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default();
    zip.start_file("data.json", opts)?;
    zip.write_all(&serde_json::to_vec_pretty(&doc)?)?;
    zip.start_file("RINGKASAN.txt", opts)?;
    zip.write_all(summary(&doc, tz).as_bytes())?;
    for (id, _, ct, bytes) in &photos {
        zip.start_file(photo_name(*id, ct), opts)?;
        zip.write_all(bytes)?;
    }
    let bytes = zip.finish()?.into_inner();
    let detail = json!({"intakes": intakes.len(), "cases": cases.len(), "photos": photos.len(), "bytes": bytes.len()});
    audit::record(
        pool,
        origin,
        "subject_access_export",
        "case",
        Some(number.as_str()),
        detail,
    )
    .await?;
    Ok(Some(bytes))
}

/// The readable summary: what the archive holds, in Indonesian (the person's language).
fn summary(doc: &Value, tz: chrono_tz::Tz) -> String {
    let n = |k: &str| doc[k].as_array().map_or(0, Vec::len);
    let mut s = String::new();
    s.push_str("RINGKASAN DATA PRIBADI — Simlontar, Dinas Sosial Provinsi Jawa Timur\n");
    s.push_str("Permintaan akses subjek data (UU 27/2022 tentang Pelindungan Data Pribadi)\n\n");
    if let Some(at) = doc["generated_at"]
        .as_str()
        .and_then(|t| t.parse::<DateTime<Utc>>().ok())
    {
        s.push_str(&format!("Dibuat: {}\n", format_local(at, tz)));
    }
    let numbers: Vec<&str> = doc["case_numbers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    s.push_str(&format!("Nomor kasus: {}\n\n", numbers.join(", ")));
    s.push_str("Catatan penjemputan:\n");
    for i in doc["intakes"].as_array().into_iter().flatten() {
        s.push_str(&format!(
            "- {} di {}: nama {}, jenis kelamin {}\n",
            i["found_at"].as_str().unwrap_or("?"),
            i["found_region_code"].as_str().unwrap_or("?"),
            i["stated_name"]
                .as_str()
                .filter(|x| !x.is_empty())
                .unwrap_or("(tidak diketahui)"),
            i["sex"].as_str().unwrap_or("?"),
        ));
    }
    s.push_str("\nIsi arsip (data.json):\n");
    for (k, label) in [
        ("events", "riwayat kasus"),
        (
            "identity_checks",
            "pemeriksaan identitas (sidik jari/wajah)",
        ),
        (
            "registry_records",
            "catatan register bantuan sosial yang ditautkan",
        ),
        ("record_links", "tautan antar-catatan"),
        ("placements", "penempatan di UPT"),
        ("referrals", "rujukan ke UPT"),
        ("waiting_list", "daftar tunggu UPT"),
        ("transport_plans", "rencana perjalanan pulang"),
        ("handover_notices", "pemberitahuan serah terima"),
        ("photos", "foto (folder foto/)"),
    ] {
        s.push_str(&format!("- {label}: {}\n", n(k)));
    }
    s.push_str("\nSiapa yang membuka atau mengubah data ini (jejak audit):\n");
    for a in doc["access_log"].as_array().into_iter().flatten() {
        s.push_str(&format!(
            "- {} {} ({}): {}\n",
            a["at"].as_str().unwrap_or("?"),
            a["name"].as_str().unwrap_or("sistem"),
            a["username"].as_str().unwrap_or("-"),
            a["action"].as_str().unwrap_or("?"),
        ));
    }
    s
}
