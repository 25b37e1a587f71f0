//! Server-rendered SVG for the capacity pages: the province map with UPTs, the origin
//! flow map and the per-UPT occupancy chart. Coordinates arrive in map pixels (the app
//! projects them); every figure carries a `title` and the pages add a table beside it.
use maud::{html, Markup};

use crate::i18n::{tr, Lang};

/// How close a UPT or ward is to full, from its open alert or else its forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Risk {
    Unknown,
    Low,
    Watch,
    Warning,
    Critical,
}

impl Risk {
    pub const ALL: [Risk; 5] = [
        Risk::Critical,
        Risk::Warning,
        Risk::Watch,
        Risk::Low,
        Risk::Unknown,
    ];

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Risk::Critical => tr(lang, "Kritis", "Critical"),
            Risk::Warning => tr(lang, "Peringatan", "Warning"),
            Risk::Watch => tr(lang, "Waspada", "Watch"),
            Risk::Low => tr(lang, "Aman", "Low"),
            Risk::Unknown => tr(lang, "Belum ada prakiraan", "No forecast yet"),
        }
    }

    /// Fill colour (SVG presentation attributes cannot read CSS variables).
    pub fn colour(self) -> &'static str {
        match self {
            Risk::Critical => "#b00020",
            Risk::Warning => "#c75400",
            Risk::Watch => "#b58900",
            Risk::Low => "#2e7d32",
            Risk::Unknown => "#7a8ca0",
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            Risk::Critical => "risk risk-critical",
            Risk::Warning => "risk risk-warning",
            Risk::Watch => "risk risk-watch",
            Risk::Low => "risk risk-low",
            Risk::Unknown => "risk risk-unknown",
        }
    }
}

/// The backdrop both maps share: the land, the regency outlines and names, and the
/// regency seats.
#[derive(Clone)]
pub struct Basemap {
    pub width: f64,
    pub height: f64,
    /// The land as SVG path data ("" when no coast is loaded).
    pub land: String,
    /// (path data, label x, label y, regency name).
    pub regions: Vec<(String, f64, f64, String)>,
    /// (x, y, regency name).
    pub seats: Vec<(f64, f64, String)>,
}

pub struct MapUpt {
    pub code: String,
    pub name: String,
    /// The UPT's town, the map's label.
    pub town: String,
    pub x: f64,
    pub y: f64,
    pub occupied: i64,
    pub beds: i64,
    pub risk: Risk,
}

fn f1(v: f64) -> String {
    format!("{v:.1}")
}

fn backdrop(m: &Basemap) -> Markup {
    html! {
        rect width=(f1(m.width)) height=(f1(m.height)) fill="#dcebf5" {}
        g aria-hidden="true" {
            @if !m.land.is_empty() { path d=(m.land) fill="#ece6d6" stroke="#8aa3b8" {} }
            g fill="#ece6d6" stroke="#b3a98f" stroke-linejoin="round" {
                @for (d, ..) in &m.regions { path d=(d) {} }
            }
            g font-size="13" fill="#6b6350" text-anchor="middle" font-style="italic" {
                @for (_, x, y, name) in m.regions.iter().filter(|r| !r.3.starts_with("Kota ")) {
                    text x=(f1(*x)) y=(f1(*y)) { (name.trim_start_matches("Kabupaten ")) }
                }
            }
        }
        g fill="#8a94a0" {
            @for (x, y, name) in &m.seats {
                circle cx=(f1(*x)) cy=(f1(*y)) r="2.5" { title { (name) } }
            }
        }
    }
}

/// Circle radius for a UPT: area proportional to occupied beds, readable when empty.
pub fn upt_radius(occupied: i64, max_occupied: i64) -> f64 {
    let max = max_occupied.max(1) as f64;
    6.0 + 22.0 * (occupied.max(0) as f64 / max).sqrt()
}

/// A town as the map names it: "Malang (kota assumed)" is "Malang" (the note in brackets
/// is for the data's reader, not the wall's).
fn town_label(town: &str) -> &str {
    town.split(" (").next().unwrap_or(town)
}

pub fn province_map(lang: Lang, m: &Basemap, upts: &[MapUpt]) -> Markup {
    let max = upts.iter().map(|u| u.occupied).max().unwrap_or(0);
    let title = tr(
        lang,
        "Peta UPT Jawa Timur: ukuran lingkaran = jumlah penghuni, warna = risiko penuh",
        "Map of East Java's UPTs: circle size = residents, colour = risk of filling",
    );
    html! {
        figure.capmap {
            // A group, not an image: its circles are links to each UPT, named for screen readers.
            svg.map xmlns="http://www.w3.org/2000/svg" role="group" aria-labelledby="upt-map-title"
                viewBox={ "0 0 " (f1(m.width)) " " (f1(m.height + 40.0)) } {
                title #upt-map-title { (title) }
                (backdrop(m))
                @for u in upts {
                    @let name = format!("{}: {}/{} {} · {}", u.name, u.occupied, u.beds, tr(lang, "terisi", "occupied"), u.risk.label(lang));
                    a href={ "/capacity/upt/" (u.code) } aria-label=(name) {
                        circle.upt data-upt=(u.code) cx=(f1(u.x)) cy=(f1(u.y)) r=(f1(upt_radius(u.occupied, max)))
                            fill=(u.risk.colour()) fill-opacity="0.8" stroke="#1b1f24" stroke-width="1.5" {
                            title { (name) }
                        }
                    }
                }
                // Each town named once, beside its first circle, with a halo to read over land.
                g.town-labels font-size="17" font-weight="600" fill="#1b1f24" stroke="#ffffff"
                    stroke-width="4" paint-order="stroke" aria-hidden="true" {
                    @for (i, u) in upts.iter().enumerate() {
                        @if !upts[..i].iter().any(|o| o.town == u.town) {
                            text x=(f1(u.x + upt_radius(u.occupied, max) + 3.0)) y=(f1(u.y + 6.0)) { (town_label(&u.town)) }
                        }
                    }
                }
                g font-size="16" {
                    @for (i, r) in Risk::ALL.iter().enumerate() {
                        @let x = 10.0 + i as f64 * (m.width - 20.0) / 5.0;
                        rect x=(f1(x)) y=(f1(m.height + 12.0)) width="16" height="16" fill=(r.colour()) {}
                        text x=(f1(x + 22.0)) y=(f1(m.height + 26.0)) { (r.label(lang)) }
                    }
                }
            }
            figcaption { (title) }
        }
    }
}

pub struct FlowDot {
    pub x: f64,
    pub y: f64,
    pub name: String,
    /// People whose home is this regency.
    pub from_here: i64,
}

pub struct FlowLine {
    pub from: (f64, f64),
    pub to: (f64, f64),
    pub from_name: String,
    pub to_name: String,
    pub count: i64,
}

pub fn flow_map(lang: Lang, m: &Basemap, dots: &[FlowDot], lines: &[FlowLine]) -> Markup {
    let max_dot = dots.iter().map(|d| d.from_here).max().unwrap_or(0).max(1) as f64;
    let max_line = lines.iter().map(|l| l.count).max().unwrap_or(0).max(1) as f64;
    let title = tr(
        lang,
        "Asal orang telantar menurut kabupaten/kota: ukuran titik = jumlah orang dari daerah itu, panah = dari daerah asal ke lokasi penjangkauan",
        "Where stranded people come from, by regency: dot size = people from there, arrows = from home regency to pick-up regency",
    );
    html! {
        figure.capmap {
            svg.map xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="flow-map-title"
                viewBox={ "0 0 " (f1(m.width)) " " (f1(m.height)) } {
                title #flow-map-title { (title) }
                defs {
                    marker #arrow viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto" {
                        path d="M0,0 L10,5 L0,10 z" fill="#0b5394" {}
                    }
                }
                (backdrop(m))
                @for l in lines {
                    line.flow x1=(f1(l.from.0)) y1=(f1(l.from.1)) x2=(f1(l.to.0)) y2=(f1(l.to.1))
                        stroke="#0b5394" stroke-opacity="0.7" marker-end="url(#arrow)"
                        stroke-width=(f1(1.5 + 6.0 * l.count as f64 / max_line)) {
                        title { (l.from_name) " → " (l.to_name) ": " (l.count) }
                    }
                }
                @for d in dots.iter().filter(|d| d.from_here > 0) {
                    circle.origin cx=(f1(d.x)) cy=(f1(d.y)) r=(f1(3.0 + 18.0 * (d.from_here as f64 / max_dot).sqrt()))
                        fill="#c75400" fill-opacity="0.6" stroke="#5a2600" {
                        title { (d.name) ": " (d.from_here) }
                    }
                }
            }
            figcaption { (title) }
        }
    }
}

/// The per-UPT chart: 90 days of occupancy, the bed count and the forecast band.
pub struct ChartView {
    /// Occupancy at the end of each past day, oldest first (the last one is today).
    pub occupied: Vec<i64>,
    pub capacity: i64,
    /// Per day ahead: expected occupancy and its 80 % interval (low, expected, high).
    pub forecast: Vec<(f64, f64, f64)>,
    /// Labels under the x axis: (day offset from today, text).
    pub x_labels: Vec<(i64, String)>,
}

pub fn occupancy_chart(lang: Lang, c: &ChartView) -> Markup {
    let (w, h) = (960.0, 440.0);
    let (left, right, top, bottom) = (70.0, 20.0, 20.0, 60.0);
    let past = c.occupied.len().max(1) as f64 - 1.0;
    let ahead = c.forecast.len() as f64;
    let span = (past + ahead).max(1.0);
    let top_value = c
        .occupied
        .iter()
        .map(|v| *v as f64)
        .chain(c.forecast.iter().map(|f| f.2))
        .fold(c.capacity as f64, f64::max)
        .max(1.0)
        * 1.1;
    let x = |day: f64| left + (day + past) / span * (w - left - right);
    let y = |v: f64| top + (1.0 - v / top_value) * (h - top - bottom);
    let history: String = c
        .occupied
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", x(i as f64 - past), y(*v as f64)))
        .collect::<Vec<_>>()
        .join(" ");
    let today_v = c.occupied.last().copied().unwrap_or(0) as f64;
    let mut band_upper = vec![format!("{:.1},{:.1}", x(0.0), y(today_v))];
    let mut band_lower = vec![];
    let mut expected = vec![format!("{:.1},{:.1}", x(0.0), y(today_v))];
    for (i, (lo, mid, hi)) in c.forecast.iter().enumerate() {
        let d = i as f64 + 1.0;
        band_upper.push(format!("{:.1},{:.1}", x(d), y(*hi)));
        band_lower.push(format!("{:.1},{:.1}", x(d), y(*lo)));
        expected.push(format!("{:.1},{:.1}", x(d), y(*mid)));
    }
    band_lower.reverse();
    let band = [band_upper, band_lower].concat().join(" ");
    let ticks: Vec<f64> = (0..=4).map(|i| top_value / 1.1 * i as f64 / 4.0).collect();
    let title = tr(
        lang,
        "Hunian harian 90 hari terakhir, kapasitas, dan prakiraan 30 hari dengan interval 80%",
        "Daily occupancy over the last 90 days, capacity, and the 30-day forecast with its 80% interval",
    );
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title"
            viewBox={ "0 0 " (w) " " (h) } font-size="20" {
            title #chart-title { (title) }
            @for t in &ticks {
                line x1=(f1(left)) x2=(f1(w - right)) y1=(f1(y(*t))) y2=(f1(y(*t))) stroke="#e3e8ee" {}
                text x=(f1(left - 8.0)) y=(f1(y(*t) + 6.0)) text-anchor="end" { (format!("{t:.0}")) }
            }
            @for (d, label) in &c.x_labels {
                line x1=(f1(x(*d as f64))) x2=(f1(x(*d as f64))) y1=(f1(top)) y2=(f1(h - bottom)) stroke="#c9d1da" {}
                text x=(f1(x(*d as f64))) y=(f1(h - bottom + 26.0)) text-anchor="middle" { (label) }
            }
            @if !c.forecast.is_empty() {
                polygon.band points=(band) fill="#0b5394" fill-opacity="0.18" {
                    title { (tr(lang, "Interval prakiraan 80%", "80% forecast interval")) }
                }
                polyline.expected points=(expected.join(" ")) fill="none" stroke="#0b5394" stroke-width="3" stroke-dasharray="8 6" {
                    title { (tr(lang, "Hunian yang diperkirakan", "Expected occupancy")) }
                }
            }
            line.capacity x1=(f1(left)) x2=(f1(w - right)) y1=(f1(y(c.capacity as f64))) y2=(f1(y(c.capacity as f64)))
                stroke="#b00020" stroke-width="3" stroke-dasharray="12 6" {
                title { (tr(lang, "Kapasitas", "Capacity")) ": " (c.capacity) }
            }
            polyline.history points=(history) fill="none" stroke="#1b1f24" stroke-width="3" {
                title { (tr(lang, "Hunian tercatat", "Recorded occupancy")) }
            }
            g font-size="18" {
                line x1="80" x2="120" y1=(f1(h - 12.0)) y2=(f1(h - 12.0)) stroke="#1b1f24" stroke-width="3" {}
                text x="126" y=(f1(h - 6.0)) { (tr(lang, "Hunian", "Occupancy")) }
                line x1="300" x2="340" y1=(f1(h - 12.0)) y2=(f1(h - 12.0)) stroke="#b00020" stroke-width="3" stroke-dasharray="12 6" {}
                text x="346" y=(f1(h - 6.0)) { (tr(lang, "Kapasitas", "Capacity")) }
                rect x="520" y=(f1(h - 22.0)) width="40" height="18" fill="#0b5394" fill-opacity="0.18" {}
                text x="566" y=(f1(h - 6.0)) { (tr(lang, "Prakiraan (80%)", "Forecast (80%)")) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radius_grows_with_occupancy_and_never_vanishes() {
        assert!(upt_radius(0, 0) > 0.0);
        assert!(upt_radius(10, 100) < upt_radius(90, 100));
        assert!((upt_radius(100, 100) - 28.0).abs() < 1e-9);
    }

    #[test]
    fn the_chart_draws_the_band_only_with_a_forecast() {
        let mut c = ChartView {
            occupied: vec![10, 12, 14],
            capacity: 20,
            forecast: vec![],
            x_labels: vec![(0, "23-11".into())],
        };
        let s = occupancy_chart(Lang::Id, &c).into_string();
        assert!(s.contains("polyline") && !s.contains("polygon"));
        c.forecast = vec![(13.0, 15.0, 17.0), (14.0, 16.0, 19.0)];
        let s = occupancy_chart(Lang::En, &c).into_string();
        assert!(s.contains("<polygon") && s.contains("80% forecast interval"));
    }
}
