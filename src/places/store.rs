//! PostGIS look-ups over the reference geography.
use sqlx::PgPool;

use super::geom::Geom;

/// The kabupaten/kota a point lies in: its boundary when boundaries are loaded, otherwise
/// the region of the nearest village centroid (Indonesia has ~77,000 with a centroid, a few
/// km apart). `None` when the point is more than 25 km from any village.
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

/// A province or regency offered by the region picker: named, with its province.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RegionChoice {
    pub code: String,
    /// "Kota Bima", "Provinsi Jawa Barat".
    pub name: String,
    /// The province's name ("Nusa Tenggara Barat"); a province names itself.
    pub province: String,
}

impl RegionChoice {
    /// "Kota Bima, Nusa Tenggara Barat": what a person reads and may send back (names
    /// are unique with their province, so no code is needed to tell two apart).
    pub fn label(&self) -> String {
        if self.code.len() == 2 {
            self.name.clone()
        } else {
            format!("{}, {}", self.name, self.province)
        }
    }
}

/// Provinces and regencies anywhere in Indonesia whose name contains `text` ("bima" →
/// Kota Bima and Kabupaten Bima, both in Nusa Tenggara Barat), names that start with it
/// first. Uses the trigram indexes on region and province names.
pub async fn search_regions(
    pool: &PgPool,
    text: &str,
    limit: i64,
) -> sqlx::Result<Vec<RegionChoice>> {
    let text = text.trim().to_lowercase();
    if text.chars().count() < 2 {
        return Ok(vec![]);
    }
    let pattern = format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    sqlx::query_as(
        "SELECT code, name, province FROM (
            SELECT r.code, r.name, p.name AS province,
                   lower(regexp_replace(r.name, '^(Kabupaten|Kota)( Administrasi)? ', '')) AS bare
              FROM region r JOIN province p ON p.code = r.province_code
             WHERE lower(r.name) LIKE $1
            UNION ALL
            SELECT code, 'Provinsi ' || name, name, lower(name) FROM province WHERE lower(name) LIKE $1
         ) found
         ORDER BY bare = $2 DESC, starts_with(bare, $2) DESC, length(code), name, code
         LIMIT $3",
    )
    .bind(pattern)
    .bind(text)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// What a region field's text stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionPick {
    /// Empty: nothing picked.
    Nothing,
    /// One province or regency.
    One(RegionChoice),
    /// Several match: the person chooses (none when nothing matches).
    Choose(Vec<RegionChoice>),
}

/// The one reading of a region picker's text, for every form that has one: a code (dotted
/// or undotted, alone or at the end of an older label "Kota Bima, NTB (52.72)") that
/// exists, a label given back ("Kota Bima, Nusa Tenggara Barat"), or a name that matches
/// exactly one province or regency; otherwise the choices to offer.
pub async fn pick_region(pool: &PgPool, typed: &str) -> sqlx::Result<RegionPick> {
    use crate::vocab::region::{Level, RegionCode};
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(RegionPick::Nothing);
    }
    let tail = typed
        .strip_suffix(')')
        .and_then(|t| t.rsplit_once('('))
        .map_or(typed, |(_, code)| code);
    if let Ok(code) = RegionCode::parse(tail) {
        if matches!(code.level(), Level::Province | Level::Regency) {
            let known: Option<RegionChoice> = sqlx::query_as(
                "SELECT r.code, r.name, p.name AS province
                   FROM region r JOIN province p ON p.code = r.province_code WHERE r.code = $1
                 UNION ALL
                 SELECT code, 'Provinsi ' || name, name FROM province WHERE code = $1",
            )
            .bind(code.as_str())
            .fetch_optional(pool)
            .await?;
            if let Some(one) = known {
                return Ok(RegionPick::One(one));
            }
        }
        return Ok(RegionPick::Choose(vec![]));
    }
    // A label given back ("Kota Bima, Nusa Tenggara Barat") is searched by its name part.
    // A province's label, "Provinsi Jawa Barat", by its bare name.
    let name_part = typed.split_once(',').map_or(typed, |(name, _)| name.trim());
    let name_part = name_part
        .get(..9)
        .filter(|p| p.eq_ignore_ascii_case("provinsi "))
        .map_or(name_part, |_| &name_part[9..]);
    let found = search_regions(pool, name_part, 12).await?;
    let lower = typed.to_lowercase();
    let exact: Vec<&RegionChoice> = found
        .iter()
        .filter(|c| c.name.to_lowercase() == lower || c.label().to_lowercase() == lower)
        .collect();
    Ok(match (found.len(), exact.as_slice()) {
        (1, _) => RegionPick::One(found[0].clone()),
        (_, [one]) => RegionPick::One((*one).clone()),
        _ => RegionPick::Choose(found),
    })
}

/// UPTs whose code or name is, or contains, `typed` ("rsbl pasuruan" and "bina laras
/// pasuruan" both find RSBL-PASURUAN), as (code, name); an exact code or name alone when
/// there is one.
pub async fn find_upts(pool: &PgPool, typed: &str) -> sqlx::Result<Vec<(String, String)>> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(vec![]);
    }
    let found: Vec<(String, String)> = sqlx::query_as(
        "SELECT code, name FROM upt
          WHERE upper(code) = upper($1) OR lower(name) = lower($1)
             OR (length($1) >= 3 AND (strpos(lower(name), lower($1)) > 0
                                      OR strpos(lower(replace(code, '-', ' ')), lower($1)) > 0))
          ORDER BY name",
    )
    .bind(typed)
    .fetch_all(pool)
    .await?;
    let exact = found
        .iter()
        .find(|(c, n)| c.eq_ignore_ascii_case(typed) || n.eq_ignore_ascii_case(typed));
    Ok(match exact {
        Some(one) => vec![one.clone()],
        None => found,
    })
}
