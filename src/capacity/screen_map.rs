//! The province backdrop for the capacity maps: the coast (Natural Earth land) and the
//! regency outlines built at `geo load` from the district areas, with the regency seats
//! on top. The frame is fitted to what is always there (village centroids on a grid,
//! seats, UPTs). The same equirectangular projection as the intake map (longitude shrunk
//! by cos(latitude)).
use std::sync::{Arc, OnceLock};

use sqlx::PgPool;

use crate::places::backdrop::{self, PixelFrame};
use simlontar_templates::capacity_svg::Basemap;

const WIDTH: f64 = 900.0;
/// Grid cell in degrees (about 4.4 km): fine enough to show Madura and the islands.
const CELL: f64 = 0.04;

pub struct Regency {
    pub code: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
}

/// The reference geography as drawn: computed once per process, since `geo/` changes
/// only with a reload (restart the app after one to redraw the backdrop).
pub struct Geography {
    frame: Frame,
    pub basemap: Basemap,
    pub regencies: Vec<Regency>,
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    west: f64,
    north: f64,
    kx: f64,
    scale: f64,
}

impl Frame {
    fn fit(w: f64, e: f64, s: f64, n: f64) -> Frame {
        let (mx, my) = ((e - w) * 0.03 + 0.05, (n - s) * 0.03 + 0.05);
        let (w, e, s, n) = (w - mx, e + mx, s - my, n + my);
        let kx = ((n + s) / 2.0).to_radians().cos();
        Frame {
            west: w,
            north: n,
            kx,
            scale: WIDTH / ((e - w) * kx),
        }
    }

    fn px(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            (lon - self.west) * self.kx * self.scale,
            (self.north - lat) * self.scale,
        )
    }
}

impl Geography {
    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        self.frame.px(lon, lat)
    }
}

static CACHE: OnceLock<Arc<Geography>> = OnceLock::new();

pub async fn geography(pool: &PgPool) -> sqlx::Result<Arc<Geography>> {
    if let Some(g) = CACHE.get() {
        return Ok(g.clone());
    }
    // The frame: the mainland and Madura as the coast draws them (the far Sumenep islands
    // would shrink the province to a third of the map), or without a coast the villages.
    let land: Option<(f64, f64, f64, f64)> = sqlx::query_as(
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
           FROM (SELECT ST_Extent(d.geom) AS e FROM land, ST_Dump(land.geom) d
                  WHERE ST_Area(d.geom) > 0.05) x WHERE e IS NOT NULL",
    )
    .fetch_optional(pool)
    .await?;
    let cells: Vec<(i32, i32)> = match land {
        Some((w, s, e, n)) => [(w, s), (e, n)]
            .iter()
            .map(|(lon, lat)| ((lon / CELL).floor() as i32, (lat / CELL).floor() as i32))
            .collect(),
        None => {
            sqlx::query_as(
                "SELECT floor(ST_X(centroid) / $1)::int, floor(ST_Y(centroid) / $1)::int
                   FROM village WHERE code LIKE '35.%' AND centroid IS NOT NULL GROUP BY 1, 2",
            )
            .bind(CELL)
            .fetch_all(pool)
            .await?
        }
    };
    let regencies: Vec<(String, String, f64, f64)> = sqlx::query_as(
        "SELECT code, name, ST_X(seat_point), ST_Y(seat_point) FROM region
          WHERE province_code = '35' ORDER BY code",
    )
    .fetch_all(pool)
    .await?;
    let upts: Vec<(f64, f64)> = sqlx::query_as("SELECT ST_X(location), ST_Y(location) FROM upt")
        .fetch_all(pool)
        .await?;
    let mut g = build(&cells, regencies, &upts);
    let f = g.frame;
    let (w, n) = (f.west, f.north);
    let (e, s) = (w + WIDTH / (f.kx * f.scale), n - g.basemap.height / f.scale);
    let pf = PixelFrame {
        west: w,
        north: n,
        x_per_deg: f.kx * f.scale,
        y_per_deg: f.scale,
        extent: (w, s, e, n),
    };
    g.basemap.land = backdrop::land(pool, &pf).await?;
    g.basemap.regions = backdrop::regencies(pool, &pf)
        .await?
        .into_iter()
        .map(|o| (o.d, o.label.0, o.label.1, o.name))
        .collect();
    let g = Arc::new(g);
    // An empty database (a test before `geo/` is loaded) is drawn but not remembered.
    if !cells.is_empty() {
        let _ = CACHE.set(g.clone());
    }
    Ok(g)
}

fn build(
    cells: &[(i32, i32)],
    regencies: Vec<(String, String, f64, f64)>,
    upts: &[(f64, f64)],
) -> Geography {
    let points = cells
        .iter()
        .map(|(x, y)| ((*x as f64 + 0.5) * CELL, (*y as f64 + 0.5) * CELL))
        .chain(regencies.iter().map(|r| (r.2, r.3)))
        .chain(upts.iter().copied());
    let (mut w, mut e, mut s, mut n) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (lon, lat) in points {
        w = w.min(lon);
        e = e.max(lon);
        s = s.min(lat);
        n = n.max(lat);
    }
    if w > e {
        // Nothing loaded: East Java's rough extent.
        (w, e, s, n) = (110.9, 114.6, -8.8, -6.8);
    }
    let frame = Frame::fit(w, e, s, n);
    let seats = regencies
        .iter()
        .map(|r| {
            let (x, y) = frame.px(r.2, r.3);
            (x, y, r.1.clone())
        })
        .collect();
    let (_, bottom) = frame.px(w, s);
    Geography {
        frame,
        basemap: Basemap {
            width: WIDTH,
            height: (bottom + 0.05 * frame.scale).round(),
            land: String::new(),
            regions: vec![],
            seats,
        },
        regencies: regencies
            .into_iter()
            .map(|(code, name, lon, lat)| Regency {
                code,
                name,
                lon,
                lat,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn north_is_up_and_west_is_left() {
        let f = Frame::fit(111.0, 114.0, -8.5, -7.0);
        let (x1, y1) = f.px(111.5, -7.2);
        let (x2, y2) = f.px(113.5, -8.2);
        assert!(x1 < x2 && y1 < y2);
        assert!(x2 <= WIDTH);
    }
}
