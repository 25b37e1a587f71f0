//! Re-intake hints: earlier cases that may be the same person, by a simple comparison of
//! name (trigram similarity, aliases too), NIK, sex, age and region.
use chrono_tz::Tz;
use simlontar_templates::i18n::tr;
use sqlx::{PgPool, Row};

use crate::auth::model::Principal;
use crate::auth::policy::{CaseScope, NikKey};
use crate::cases::store::{self, age_sql};
use crate::cases::CaseNumber;
use crate::clock::format_local;
use simlontar_templates::intake::Hint;

/// Hints for the case `number` (None when the viewer may not see that case). The NIK is
/// compared only for a viewer who may use it as a key: for the others, a "same NIK" hint
/// after typing a guessed NIK at the desk would confirm it (`NikKey`).
pub async fn for_case(
    pool: &PgPool,
    p: &Principal,
    scope: &CaseScope,
    number: &CaseNumber,
    tz: Tz,
    lang: simlontar_templates::Lang,
) -> sqlx::Result<Option<Vec<Hint>>> {
    let mut tx = scope.begin(pool).await?;
    let Some(case_id) = store::case_id_in(&mut tx, scope, number).await? else {
        return Ok(None);
    };
    let age = age_sql(tz);
    let me = sqlx::query(&format!(
        "SELECT i.id, i.stated_name, i.aliases, i.nik, i.sex, {age} AS age,
                i.home_region_code, i.found_region_code
           FROM ot_case c JOIN intake i ON i.id = c.intake_id WHERE c.id = $1"
    ))
    .bind(case_id)
    .fetch_one(&mut *tx)
    .await?;
    let name: String = me.get("stated_name");
    let nik: Option<String> = me.get("nik");
    let nik = nik.and_then(|n| NikKey::for_principal(p, &n));
    if name.is_empty() && nik.is_none() {
        return Ok(Some(vec![]));
    }
    let sql = format!(
        "WITH cand AS (
           SELECT c.number, i.stated_name, i.found_at, i.nik = $7 AS same_nik,
                  greatest(similarity(lower(i.stated_name), lower($5)),
                           coalesce((SELECT max(similarity(lower(a), lower($5))) FROM unnest(i.aliases) a), 0)) AS name_sim,
                  {age} AS age,
                  i.sex, coalesce(i.home_region_code = $9 OR i.found_region_code = $10, false) AS same_region
             FROM ot_case c JOIN intake i ON i.id = c.intake_id
            WHERE {} AND i.id <> $6
              AND (i.nik = $7 OR lower(i.stated_name) % lower($5)
                   OR EXISTS (SELECT 1 FROM unnest(i.aliases) a WHERE lower(a) % lower($5))))
         SELECT * FROM cand
          WHERE same_nik OR ((sex = $8 OR sex = 'unknown' OR $8 = 'unknown')
                AND (age IS NULL OR $11::int IS NULL OR abs(age - $11) <= 7))
          ORDER BY same_nik DESC, name_sim + CASE WHEN same_region THEN 0.2 ELSE 0 END DESC
          LIMIT 5",
        CaseScope::sql(1)
    );
    let id: i64 = me.get("id");
    let age: Option<i32> = me.get("age");
    let rows = scope
        .bind(sqlx::query(&sql))
        .bind(&name)
        .bind(id)
        .bind(nik.as_ref().map(NikKey::as_str))
        .bind(me.get::<String, _>("sex"))
        .bind(me.get::<Option<String>, _>("home_region_code"))
        .bind(me.get::<String, _>("found_region_code"))
        .bind(age)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(
        rows.into_iter()
            .map(|r| {
                let same_nik: Option<bool> = r.get("same_nik");
                let sim: f32 = r.get("name_sim");
                Hint {
                    number: r.get("number"),
                    name: r.get("stated_name"),
                    found: format_local(r.get("found_at"), tz),
                    why: if same_nik == Some(true) {
                        tr(lang, "NIK sama", "same NIK").into()
                    } else {
                        format!(
                            "{} ({:.0}%)",
                            tr(lang, "nama mirip", "similar name"),
                            sim * 100.0
                        )
                    },
                }
            })
            .collect(),
    ))
}
