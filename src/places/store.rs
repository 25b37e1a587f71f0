//! PostGIS look-ups over the reference geography.
use sqlx::PgPool;

use super::geom::Geom;

/// The kabupaten/kota a point lies in: its boundary when boundaries are loaded, otherwise
/// the region of the nearest village centroid (East Java has ~8,500, a few km apart).
/// `None` when the point is more than 25 km from any village of East Java.
pub async fn region_at(pool: &PgPool, point: &Geom) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "(SELECT code FROM region WHERE boundary IS NOT NULL AND ST_Covers(boundary, $1) LIMIT 1)
         UNION ALL
         (SELECT substr(v.code, 1, 5) FROM village v
           WHERE v.centroid IS NOT NULL
             AND ST_DWithin(v.centroid::geography, ($1::geometry)::geography, 25000)
           ORDER BY v.centroid <-> $1 LIMIT 1)
         LIMIT 1",
    )
    .bind(point)
    .fetch_optional(pool)
    .await
}

/// Villages whose name (or district or regency name) resembles `text`, best first, as
/// (code, "Desa X, Kec. Y, Kabupaten Z").
pub async fn suggest_villages(
    pool: &PgPool,
    text: &str,
    limit: i64,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT v.code, format('%s, Kec. %s, %s', v.name, d.name, r.name)
           FROM village v JOIN district d ON d.code = v.district_code JOIN region r ON r.code = d.region_code
          WHERE lower(v.name) % lower($1) OR lower($1) LIKE '%' || lower(v.name) || '%'
          ORDER BY similarity(lower(v.name), lower($1))
                   + CASE WHEN lower($1) LIKE '%' || lower(d.name) || '%' THEN 0.5 ELSE 0 END
                   + CASE WHEN lower($1) LIKE '%' || lower(regexp_replace(r.name, '^(Kabupaten|Kota) ', '')) || '%'
                          THEN 0.5 ELSE 0 END DESC, v.code
          LIMIT $2",
    )
    .bind(text)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Every UPT's name by its code: pages name a UPT, never print its code.
pub async fn upt_names(pool: &PgPool) -> sqlx::Result<std::collections::HashMap<String, String>> {
    Ok(
        sqlx::query_as::<_, (String, String)>("SELECT code, name FROM upt")
            .fetch_all(pool)
            .await?
            .into_iter()
            .collect(),
    )
}

/// The name of a region at any level (province, regency, district, village), by its dotted
/// code, with the names above it for a district or village ("Desa X, Kec. Y, Kabupaten Z").
pub async fn region_name(pool: &PgPool, code: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT coalesce(
            (SELECT v.name || ', Kec. ' || d.name || ', ' || r.name FROM village v
               JOIN district d ON d.code = v.district_code JOIN region r ON r.code = d.region_code
              WHERE v.code = $1),
            (SELECT d.name || ', ' || r.name FROM district d JOIN region r ON r.code = d.region_code
              WHERE d.code = $1),
            (SELECT name FROM region WHERE code = $1),
            (SELECT name FROM province WHERE code = $1))",
    )
    .bind(code)
    .fetch_one(pool)
    .await
}

/// Every regency's name by its code ("Kota Surabaya" for 35.78).
pub async fn regency_names(
    pool: &PgPool,
) -> sqlx::Result<std::collections::HashMap<String, String>> {
    Ok(
        sqlx::query_as::<_, (String, String)>("SELECT code, name FROM region")
            .fetch_all(pool)
            .await?
            .into_iter()
            .collect(),
    )
}

/// Every UPT need's name in `lang`, by its code ("Lanjut usia" for elderly).
pub async fn need_names(
    pool: &PgPool,
    lang: simlontar_templates::Lang,
) -> sqlx::Result<std::collections::HashMap<String, String>> {
    let column = match lang {
        simlontar_templates::Lang::Id => "name_id",
        simlontar_templates::Lang::En => "name_en",
    };
    Ok(
        sqlx::query_as::<_, (String, String)>(&format!("SELECT code, {column} FROM need"))
            .fetch_all(pool)
            .await?
            .into_iter()
            .collect(),
    )
}
