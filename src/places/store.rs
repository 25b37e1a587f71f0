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
         (SELECT d.region_code FROM village v JOIN district d ON d.code = v.district_code
           WHERE v.centroid IS NOT NULL
             AND ST_DWithin(v.centroid::geography, ($1::geometry)::geography, 25000)
           ORDER BY v.centroid <-> $1 LIMIT 1)
         LIMIT 1",
    )
    .bind(point)
    .fetch_optional(pool)
    .await
}
