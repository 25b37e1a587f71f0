//! The coast and district/regency outlines as SVG path data for a map frame, made in
//! PostGIS: clipped to the frame, moved into map pixels, simplified below a pixel and
//! rounded to whole pixels with relative moves, so a phone on a weak signal loads little.
use sqlx::PgPool;

/// An equirectangular frame: map pixels from WGS 84 (x grows east, y grows south).
#[derive(Debug, Clone, Copy)]
pub struct PixelFrame {
    pub west: f64,
    pub north: f64,
    /// Pixels per degree of longitude (already shrunk by cos(latitude)) and of latitude.
    pub x_per_deg: f64,
    pub y_per_deg: f64,
    /// The frame's extent in degrees: (west, south, east, north).
    pub extent: (f64, f64, f64, f64),
}

impl PixelFrame {
    pub fn px(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            (lon - self.west) * self.x_per_deg,
            (self.north - lat) * self.y_per_deg,
        )
    }
}

/// One outlined area: its name, its SVG path data and where its label goes (pixels).
pub struct Outline {
    pub code: String,
    pub name: String,
    pub d: String,
    pub label: (f64, f64),
}

/// `ST_AsSVG` writes -y; the affine map writes y' = (lat - north) * scale so that -y' is
/// the pixel row. Binds: $1..$4 the affine map, $5 the frame extent as a box.
const TO_PIXELS: &str =
    "ST_AsSVG(ST_RemoveRepeatedPoints(ST_SnapToGrid(ST_SimplifyPreserveTopology(
    ST_Affine(ST_Intersection(GEOM, $5::geometry), $1, 0, 0, $2, $3, $4), 0.8), 1)), 1, 0)";

fn envelope(f: &PixelFrame) -> String {
    let (w, s, e, n) = f.extent;
    format!("SRID=4326;POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))")
}

fn binds(f: &PixelFrame) -> (f64, f64, f64, f64) {
    (
        f.x_per_deg,
        f.y_per_deg,
        -f.west * f.x_per_deg,
        -f.north * f.y_per_deg,
    )
}

/// The land inside the frame as one path ("" without a loaded coast).
pub async fn land(pool: &PgPool, f: &PixelFrame) -> sqlx::Result<String> {
    let (a, e, x, y) = binds(f);
    let sql = format!(
        "SELECT coalesce(string_agg({}, ' '), '') FROM land",
        TO_PIXELS.replace("GEOM", "geom")
    );
    sqlx::query_scalar(&sql)
        .bind(a)
        .bind(e)
        .bind(x)
        .bind(y)
        .bind(envelope(f))
        .fetch_one(pool)
        .await
}

/// District areas that reach into the frame, with their names.
pub async fn districts(pool: &PgPool, f: &PixelFrame) -> sqlx::Result<Vec<Outline>> {
    let (a, e, x, y) = binds(f);
    let sql = format!(
        "SELECT a.district_code, d.name, {} AS d, ST_X(a.label_point), ST_Y(a.label_point)
           FROM district_area a JOIN district d ON d.code = a.district_code
          WHERE a.area && $5::geometry ORDER BY a.district_code",
        TO_PIXELS.replace("GEOM", "a.area")
    );
    outlines(sqlx::query_as(&sql), (a, e, x, y), f, pool).await
}

/// East Java's regencies as the union of their district areas, named at a point inside.
pub async fn regencies(pool: &PgPool, f: &PixelFrame) -> sqlx::Result<Vec<Outline>> {
    let (a, e, x, y) = binds(f);
    let sql = format!(
        "WITH r AS (
           SELECT d.region_code, ST_Union(a.area) AS g
             FROM district_area a JOIN district d ON d.code = a.district_code
            WHERE d.region_code LIKE '35.%' GROUP BY d.region_code
         ), p AS (SELECT region_code, g, ST_PointOnSurface(g) AS at FROM r)
         SELECT p.region_code, g.name, {} AS d, ST_X(p.at), ST_Y(p.at)
           FROM p JOIN region g ON g.code = p.region_code ORDER BY p.region_code",
        TO_PIXELS.replace("GEOM", "p.g")
    );
    outlines(sqlx::query_as(&sql), (a, e, x, y), f, pool).await
}

type Row = (String, String, Option<String>, f64, f64);

async fn outlines<'q>(
    q: sqlx::query::QueryAs<'q, sqlx::Postgres, Row, sqlx::postgres::PgArguments>,
    (a, e, x, y): (f64, f64, f64, f64),
    f: &PixelFrame,
    pool: &PgPool,
) -> sqlx::Result<Vec<Outline>> {
    let rows: Vec<Row> = q
        .bind(a)
        .bind(e)
        .bind(x)
        .bind(y)
        .bind(envelope(f))
        .fetch_all(pool)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(code, name, d, lon, lat)| {
            // An area that rounds away to nothing at this scale is not drawn.
            let d = d.filter(|d| !d.is_empty())?;
            Some(Outline {
                code,
                name,
                d,
                label: f.px(lon, lat),
            })
        })
        .collect())
}
