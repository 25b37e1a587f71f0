//! The province backdrop for the capacity maps. Regency boundaries may be missing from
//! the database, so the land is drawn from what is always there: village centroids binned
//! into a grid (runs of occupied cells per row), with the regency seats on top. The same
//! equirectangular projection as the intake map (longitude shrunk by cos(latitude)).
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use sqlx::PgPool;

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
    let cells: Vec<(i32, i32)> = sqlx::query_as(
        "SELECT floor(ST_X(centroid) / $1)::int, floor(ST_Y(centroid) / $1)::int
           FROM village WHERE code LIKE '35.%' AND centroid IS NOT NULL GROUP BY 1, 2",
    )
    .bind(CELL)
    .fetch_all(pool)
    .await?;
    let regencies: Vec<(String, String, f64, f64)> = sqlx::query_as(
        "SELECT code, name, ST_X(seat_point), ST_Y(seat_point) FROM region
          WHERE province_code = '35' ORDER BY code",
    )
    .fetch_all(pool)
    .await?;
    let upts: Vec<(f64, f64)> = sqlx::query_as("SELECT ST_X(location), ST_Y(location) FROM upt")
        .fetch_all(pool)
        .await?;
    let g = Arc::new(build(&cells, regencies, &upts));
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
    let land = runs(cells)
        .into_iter()
        .map(|(gy, gx0, gx1)| {
            let (x0, y0) = frame.px(gx0 as f64 * CELL, (gy + 1) as f64 * CELL);
            let (x1, y1) = frame.px((gx1 + 1) as f64 * CELL, gy as f64 * CELL);
            // A hair of overlap hides the seams between rows.
            (x0, y0, x1 - x0 + 0.3, y1 - y0 + 0.3)
        })
        .collect();
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
            land,
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

/// Occupied grid cells merged into horizontal runs: (row, first column, last column).
fn runs(cells: &[(i32, i32)]) -> Vec<(i32, i32, i32)> {
    let mut rows: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
    for (x, y) in cells {
        rows.entry(*y).or_default().push(*x);
    }
    let mut out = vec![];
    for (y, mut xs) in rows {
        xs.sort_unstable();
        xs.dedup();
        let mut start = xs[0];
        let mut prev = xs[0];
        for &x in &xs[1..] {
            if x != prev + 1 {
                out.push((y, start, prev));
                start = x;
            }
            prev = x;
        }
        out.push((y, start, prev));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjacent_cells_merge_into_one_run() {
        let r = runs(&[(1, 5), (2, 5), (3, 5), (7, 5), (2, 6)]);
        assert_eq!(r, vec![(5, 1, 3), (5, 7, 7), (6, 2, 2)]);
    }

    #[test]
    fn north_is_up_and_west_is_left() {
        let f = Frame::fit(111.0, 114.0, -8.5, -7.0);
        let (x1, y1) = f.px(111.5, -7.2);
        let (x2, y2) = f.px(113.5, -8.2);
        assert!(x1 < x2 && y1 < y2);
        assert!(x2 <= WIDTH);
    }
}
