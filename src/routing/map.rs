//! The route as an SVG map for the case page: regency seats as dots, the hub network as
//! thin lines, the plan's legs drawn over them, start and end marked. No tile server: all
//! drawn from geo/ data. Pure; every name goes through maud, which escapes it.
use geo::Point;
use maud::{html, Markup};

use super::network::{Mode, Network};
use super::plan::TransportPlan;

/// A regency seat drawn as a dot.
#[derive(Debug, Clone, PartialEq)]
pub struct Seat {
    pub name: String,
    pub point: Point<f64>,
}

/// East Java's extent (lon/lat): the map shows at least this, so a short trip is still
/// seen in its province.
const EAST_JAVA: (f64, f64, f64, f64) = (110.85, -8.85, 114.75, -6.65);
/// Drawing units per degree of latitude.
const SCALE: f64 = 100.0;

/// An equirectangular projection around the map's middle latitude: near the equator the
/// distortion of a plain lon/lat plot is small, and this keeps it smaller.
struct Frame {
    west: f64,
    north: f64,
    cos: f64,
    width: f64,
    height: f64,
}

impl Frame {
    fn around(points: impl Iterator<Item = Point<f64>>) -> Frame {
        let (mut w, mut s, mut e, mut n) = EAST_JAVA;
        for p in points {
            w = w.min(p.x());
            e = e.max(p.x());
            s = s.min(p.y());
            n = n.max(p.y());
        }
        let margin = 0.04 * (e - w).max(n - s);
        let (w, e, s, n) = (w - margin, e + margin, s - margin, n + margin);
        let cos = ((s + n) / 2.0).to_radians().cos();
        Frame {
            west: w,
            north: n,
            cos,
            width: (e - w) * cos * SCALE,
            height: (n - s) * SCALE,
        }
    }

    fn x(&self, p: Point<f64>) -> String {
        format!("{:.2}", (p.x() - self.west) * self.cos * SCALE)
    }

    fn y(&self, p: Point<f64>) -> String {
        format!("{:.2}", (self.north - p.y()) * SCALE)
    }

    fn view_box(&self) -> String {
        format!("0 0 {:.2} {:.2}", self.width, self.height)
    }

    /// A length that looks the same whatever the map covers (about a pixel at 600 px).
    fn px(&self, n: f64) -> String {
        format!("{:.3}", n * self.width.max(self.height) / 600.0)
    }
}

fn colour(mode: Mode) -> &'static str {
    match mode {
        Mode::Road => "#57534e",
        Mode::Bus => "#d97706",
        Mode::Rail => "#2563eb",
        Mode::Ferry | Mode::Ship => "#0891b2",
    }
}

/// The map of `plan` over `net` and the regency `seats`.
pub fn route_map(plan: &TransportPlan, net: &Network, seats: &[Seat]) -> Markup {
    let leg_points = plan.legs.iter().flat_map(|l| {
        [
            Point::new(l.from_at.lon, l.from_at.lat),
            Point::new(l.to_at.lon, l.to_at.lat),
        ]
    });
    let start = Point::new(plan.from.lon, plan.from.lat);
    let end = plan
        .legs
        .last()
        .map(|l| Point::new(l.to_at.lon, l.to_at.lat))
        .unwrap_or(start);
    let f = Frame::around(leg_points.chain([start]));
    // A relay ends at the hand-over office, not at the home; the label stays inside the map.
    let label = match plan.relay {
        Some(_) => &plan.handover.office,
        None => &plan.destination.name,
    };
    let east_half = (end.x() - f.west) * f.cos * SCALE > f.width / 2.0;
    let anchor = if east_half { "end" } else { "start" };
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox=(f.view_box()) class="route-map"
            role="img" aria-label={ "Peta rute ke " (plan.destination.name) } {
            rect x="0" y="0" width=(format!("{:.2}", f.width)) height=(format!("{:.2}", f.height)) fill="#f8fafc" {}
            g class="network" stroke="#cbd5e1" stroke-width=(f.px(1.0)) {
                @for (a, b, _) in net.links() {
                    line x1=(f.x(a.point)) y1=(f.y(a.point)) x2=(f.x(b.point)) y2=(f.y(b.point)) {}
                }
            }
            g class="seats" fill="#94a3b8" {
                @for s in seats {
                    circle cx=(f.x(s.point)) cy=(f.y(s.point)) r=(f.px(2.5)) { title { (s.name) } }
                }
            }
            g class="legs" stroke-width=(f.px(4.0)) stroke-linecap="round" {
                @for l in &plan.legs {
                    @let (a, b) = (Point::new(l.from_at.lon, l.from_at.lat), Point::new(l.to_at.lon, l.to_at.lat));
                    line x1=(f.x(a)) y1=(f.y(a)) x2=(f.x(b)) y2=(f.y(b)) stroke=(colour(l.mode))
                        stroke-dasharray=[(l.mode == Mode::Road).then(|| f.px(6.0))] {
                        title { (l.mode.as_str()) ": " (l.from) " → " (l.to) ", " (l.minutes) " menit" }
                    }
                }
            }
            circle class="start" cx=(f.x(start)) cy=(f.y(start)) r=(f.px(6.0)) fill="#16a34a" {
                title { "Titik penjemputan" }
            }
            rect class="end" x=(f.x(end)) y=(f.y(end)) width=(f.px(10.0)) height=(f.px(10.0))
                transform=(format!("translate(-{0} -{0})", f.px(5.0))) fill="#dc2626" {
                title { (plan.handover.office) ": " (plan.destination.name) }
            }
            text x=(f.x(end)) y=(f.y(end)) dy=(f.px(-10.0)) font-size=(f.px(12.0)) text-anchor=(anchor) {
                (label)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::escort::EscortNeed;
    use crate::routing::network::{Hub, Link};
    use crate::routing::plan::*;

    fn plan(dest_name: &str, far: Point<f64>) -> (TransportPlan, Network) {
        let net = Network::new(
            vec![
                Hub {
                    code: "SBY".into(),
                    name: "Stasiun <Gubeng>".into(),
                    province_code: "35".into(),
                    point: Point::new(112.75, -7.26),
                },
                Hub {
                    code: "FAR".into(),
                    name: "Pelabuhan".into(),
                    province_code: "73".into(),
                    point: far,
                },
            ],
            vec![Link {
                from: "SBY".into(),
                to: "FAR".into(),
                mode: Mode::Ship,
                minutes: 1440,
                fare_idr: 350_000,
            }],
        )
        .unwrap();
        let input = PlanInput {
            from: Point::new(112.7521, -7.2575),
            from_province: Some("35".into()),
            destination: Destination {
                code: "71".into(),
                kind: DestinationKind::Province,
                name: dest_name.into(),
                point: Point::new(124.84, 1.47),
            },
            home: Home::Relay(RelayRule {
                home_province_code: "71".into(),
                home_province_name: "Sulawesi Utara".into(),
                handover_province_code: "73".into(),
                handover_province_name: "Sulawesi Selatan".into(),
                handover_capital: far,
                home_regency: None,
                note: String::new(),
            }),
            escort: EscortNeed::default(),
            notes: vec![],
        };
        (build_plan(&net, input).unwrap(), net)
    }

    fn view_box(svg: &str) -> Vec<f64> {
        let at = svg.find("viewBox=\"").unwrap() + 9;
        svg[at..at + svg[at..].find('"').unwrap()]
            .split(' ')
            .map(|n| n.parse().unwrap())
            .collect()
    }

    #[test]
    fn the_view_covers_a_relay_as_far_as_makassar() {
        let makassar = Point::new(119.41, -5.13);
        let (p, net) = plan("Provinsi Sulawesi Utara", makassar);
        let svg = route_map(&p, &net, &[]).into_string();
        let vb = view_box(&svg);
        let f = Frame::around([makassar].into_iter());
        let x: f64 = f.x(makassar).parse().unwrap();
        let y: f64 = f.y(makassar).parse().unwrap();
        assert!(
            x > 0.0 && x < vb[2] && y > 0.0 && y < vb[3],
            "{vb:?} {x} {y}"
        );
        // The whole of East Java is still there (the start, at the west of the route).
        assert!(vb[2] > (119.41 - 110.85) * 0.98 * SCALE);
        assert_eq!(svg.matches("<line").count(), 1 + p.legs.len());
    }

    #[test]
    fn names_are_escaped() {
        let (p, net) = plan("<script>alert(1)</script>", Point::new(113.0, -7.5));
        let seats = [Seat {
            name: "Kota \"<b>\"".into(),
            point: Point::new(112.0, -7.6),
        }];
        let svg = route_map(&p, &net, &seats).into_string();
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(!svg.contains("<b>"));
        assert!(!svg.contains("<Gubeng>"));
    }
}
