//! The desk's map picker: a regency framed by its village centroids and drawn with the
//! coast, district outlines and names and the regency seats, and the mapping between map
//! pixels and WGS 84 points (equirectangular, shrunk by cos(latitude)).
use sqlx::{PgPool, Row};

use crate::places::backdrop::{self, PixelFrame};
use crate::places::model::in_indonesia;
use simlontar_templates::intake::{MapArea, MapView};

const WIDTH: f64 = 600.0;

struct Frame {
    west: f64,
    north: f64,
    scale: f64,
    kx: f64,
    height: f64,
    south: f64,
    east: f64,
}

async fn frame(pool: &PgPool, region: &str) -> sqlx::Result<Option<(Frame, Vec<(f64, f64)>)>> {
    let points: Vec<(f64, f64)> = sqlx::query(
        "SELECT ST_X(v.centroid) AS lon, ST_Y(v.centroid) AS lat FROM village v
           JOIN district d ON d.code = v.district_code
          WHERE d.region_code = $1 AND v.centroid IS NOT NULL ORDER BY v.code",
    )
    .bind(region)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.get("lon"), r.get("lat")))
    .collect();
    if points.is_empty() {
        return Ok(None);
    }
    let (mut w, mut e, mut s, mut n) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (lon, lat) in &points {
        w = w.min(*lon);
        e = e.max(*lon);
        s = s.min(*lat);
        n = n.max(*lat);
    }
    // A margin of 8% (and at least ~1 km) around the villages.
    let (mx, my) = (((e - w) * 0.08).max(0.01), ((n - s) * 0.08).max(0.01));
    let (w, e, s, n) = (w - mx, e + mx, s - my, n + my);
    let kx = ((n + s) / 2.0).to_radians().cos();
    let scale = WIDTH / ((e - w) * kx);
    let f = Frame {
        west: w,
        north: n,
        scale,
        kx,
        height: (n - s) * scale,
        south: s,
        east: e,
    };
    Ok(Some((f, points)))
}

impl Frame {
    /// Whether a pixel lies on the map (NaN does not).
    fn holds(&self, (x, y): (f64, f64)) -> bool {
        (0.0..=WIDTH).contains(&x) && (0.0..=self.height).contains(&y)
    }

    fn to_pixel(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            (lon - self.west) * self.kx * self.scale,
            (self.north - lat) * self.scale,
        )
    }

    fn pixels(&self) -> PixelFrame {
        PixelFrame {
            west: self.west,
            north: self.north,
            x_per_deg: self.kx * self.scale,
            y_per_deg: self.scale,
            extent: (self.west, self.south, self.east, self.north),
        }
    }

    fn to_point(&self, x: f64, y: f64) -> (f64, f64) {
        (
            self.north - y / self.scale,
            self.west + x / (self.kx * self.scale),
        )
    }
}

pub async fn view(
    pool: &PgPool,
    region: &str,
    picked: Option<(f64, f64)>,
) -> sqlx::Result<Option<MapView>> {
    let Some((f, _)) = frame(pool, region).await? else {
        return Ok(None);
    };
    let pf = f.pixels();
    let district_prefix = format!("{region}.");
    let districts = backdrop::districts(pool, &pf)
        .await?
        .into_iter()
        .map(|o| MapArea {
            own: o.code.starts_with(&district_prefix),
            name: o.name,
            d: o.d,
            label: o.label,
        })
        .collect();
    let (w, s, e, n) = pf.extent;
    let towns: Vec<(String, f64, f64)> = sqlx::query_as(
        "SELECT seat, ST_X(seat_point), ST_Y(seat_point) FROM region
          WHERE seat <> '' AND seat_point && ST_MakeEnvelope($1, $2, $3, $4, 4326) ORDER BY code",
    )
    .bind(w)
    .bind(s)
    .bind(e)
    .bind(n)
    .fetch_all(pool)
    .await?;
    Ok(Some(MapView {
        region: region.to_string(),
        width: WIDTH as u32,
        height: f.height.round() as u32,
        land: backdrop::land(pool, &pf).await?,
        districts,
        towns: towns
            .into_iter()
            .map(|(name, lon, lat)| {
                let (x, y) = f.to_pixel(lon, lat);
                (x, y, name)
            })
            .collect(),
        // Only a real point on this map is drawn: the point comes from the form or the
        // query string, where "NaN", "inf" and 1e308 parse as numbers too.
        picked: picked
            .filter(|&(lat, lon)| in_indonesia(lon, lat))
            .map(|(lat, lon)| f.to_pixel(lon, lat))
            .filter(|&p| f.holds(p)),
        north_west: (f.north, f.west),
        per_pixel: (1.0 / f.scale, 1.0 / (f.kx * f.scale)),
    }))
}

/// The (lat, lon) of a click on the regency's map; `None` for a pixel off the map.
pub async fn pixel_to_point(
    pool: &PgPool,
    region: &str,
    x: f64,
    y: f64,
) -> sqlx::Result<Option<(f64, f64)>> {
    Ok(frame(pool, region)
        .await?
        .filter(|(f, _)| f.holds((x, y)))
        .map(|(f, _)| f.to_point(x, y)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixels_and_points_round_trip() {
        let f = Frame {
            west: 112.6,
            north: -7.1,
            scale: 2000.0,
            kx: 0.99,
            height: 500.0,
            south: -7.35,
            east: 112.9,
        };
        let (x, y) = f.to_pixel(112.75, -7.25);
        let (lat, lon) = f.to_point(x, y);
        assert!((lat + 7.25).abs() < 1e-9 && (lon - 112.75).abs() < 1e-9);
        assert!(f.holds((x, y)));
        for off in [
            (f64::NAN, 1.0),
            (1.0, f64::INFINITY),
            (-1.0, 1.0),
            (601.0, 1.0),
            (1.0, 501.0),
        ] {
            assert!(!f.holds(off), "{off:?}");
        }
    }
}
