//! The transport network: hubs (terminals, stations, ports) joined by undirected links
//! from `geo/links.csv`, and the fastest trip between two places over it. Pure: the
//! caller loads the hubs and links (see `store.rs`).
//!
//! Where no link exists the trip goes by road: from the pick-up point to a departure hub,
//! and from the arrival hub to the home village. A road leg's length is the great-circle
//! distance times `ROAD_DETOUR`, its time at `ROAD_KMH` and its cost at `ROAD_IDR_PER_KM`
//! (a car, paid per kilometre, not per passenger). `docs/routing.md` says why these values.
use std::collections::HashMap;

use geo::{Distance, Haversine, Point};
use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::visit::EdgeRef;
use serde::Serialize;

/// Road length / great-circle length. Studies of road circuity put most countries
/// between 1.2 and 1.4; Java's roads follow valleys and coasts, so the upper middle.
pub const ROAD_DETOUR: f64 = 1.3;
/// Rail lines in East Java run close to the main roads.
pub const RAIL_DETOUR: f64 = 1.25;
/// Ferries and ships sail nearly straight between ports.
pub const SEA_DETOUR: f64 = 1.1;
/// Average door-to-door speed of a car on East Java's roads, town traffic included.
pub const ROAD_KMH: f64 = 40.0;
/// What a car (with its driver) costs per road kilometre: the lower bound of the
/// Java-Bali online-taxi tariff zone, a price the finance office can check.
pub const ROAD_IDR_PER_KM: u64 = 3_500;
/// How many hubs near each end of a trip are tried as departure and arrival hubs. A city
/// such as Surabaya has eight hubs within 15 km; eight lets the main bus terminal compete
/// with the stations.
pub const ACCESS_HUBS: usize = 8;
/// Road legs feed the network; they do not replace it. Hubs farther than this
/// (great-circle) are not tried, except the nearest one, which always is.
pub const ACCESS_MAX_KM: f64 = 50.0;
/// Dinsos sends people home by public transport; a car all the way is only planned for
/// short trips (road kilometres), where waiting for a bus would cost more than it saves.
pub const DIRECT_ROAD_MAX_KM: f64 = 40.0;
/// What boarding one more bus, train or ship costs the search, in minutes (waiting,
/// tickets, changing platforms). Without it the search would hop off at every station of
/// a line whose segments add up to a few minutes less than the through train. Used to
/// choose the route only: links.csv has no timetables, so plans report link minutes.
pub const BOARDING_MINUTES: u32 = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Road,
    Bus,
    Rail,
    Ferry,
    Ship,
}

impl Mode {
    /// The modes of `link.mode`; `road` is never a link (it is the fallback).
    pub fn from_link(s: &str) -> Option<Mode> {
        match s {
            "bus" => Some(Mode::Bus),
            "rail" => Some(Mode::Rail),
            "ferry" => Some(Mode::Ferry),
            "ship" => Some(Mode::Ship),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Road => "road",
            Mode::Bus => "bus",
            Mode::Rail => "rail",
            Mode::Ferry => "ferry",
            Mode::Ship => "ship",
        }
    }

    pub fn detour(self) -> f64 {
        match self {
            Mode::Road | Mode::Bus => ROAD_DETOUR,
            Mode::Rail => RAIL_DETOUR,
            Mode::Ferry | Mode::Ship => SEA_DETOUR,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hub {
    pub code: String,
    pub name: String,
    pub province_code: String,
    pub point: Point<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub from: String,
    pub to: String,
    pub mode: Mode,
    pub minutes: u32,
    pub fare_idr: u64,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum NetworkError {
    #[error("hub {0} is listed twice")]
    DuplicateHub(String),
    #[error("link {from}–{to} names an unknown hub {unknown}")]
    UnknownHub {
        from: String,
        to: String,
        unknown: String,
    },
}

/// One end of a leg: a hub (with its code) or a place reached by road.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stop {
    pub code: Option<String>,
    pub name: String,
    #[serde(serialize_with = "lat_lon")]
    pub at: Point<f64>,
}

/// A point as `{"lat": …, "lon": …}` (the order people read coordinates in).
pub(crate) fn lat_lon<S: serde::Serializer>(p: &Point<f64>, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut st = s.serialize_struct("LatLon", 2)?;
    st.serialize_field("lat", &p.y())?;
    st.serialize_field("lon", &p.x())?;
    st.end()
}

/// One leg of the fastest trip, before offices and escorts are known.
#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    pub mode: Mode,
    pub from: Stop,
    pub to: Stop,
    /// Great-circle distance × the mode's detour factor, rounded to 0.1 km.
    pub distance_km: f64,
    pub minutes: u32,
    /// The ticket for one traveller; for road legs the cost of the car.
    pub fare_idr: u64,
}

impl Hop {
    /// A road leg: priced per car, so an escort rides along at no extra cost.
    pub fn road(from: Stop, to: Stop) -> Hop {
        let km = great_circle_km(from.at, to.at) * ROAD_DETOUR;
        let (minutes, fare_idr) = road_cost(km);
        Hop {
            mode: Mode::Road,
            from,
            to,
            distance_km: round_km(km),
            minutes,
            fare_idr,
        }
    }
}

/// Minutes (at least one) and rupiah (rounded up to Rp 500) for `km` of road.
fn road_cost(km: f64) -> (u32, u64) {
    let minutes = ((km / ROAD_KMH) * 60.0).ceil().max(1.0) as u32;
    let fare = (km * ROAD_IDR_PER_KM as f64 / 500.0).ceil() as u64 * 500;
    (minutes, fare)
}

pub fn great_circle_km(a: Point<f64>, b: Point<f64>) -> f64 {
    Haversine.distance(a, b) / 1000.0
}

fn round_km(km: f64) -> f64 {
    (km * 10.0).round() / 10.0
}

/// Where a trip may end.
#[derive(Debug, Clone)]
pub enum Target<'a> {
    /// A place reached by road from one of the hubs of `province` nearest to it.
    Place { stop: &'a Stop, province: &'a str },
    /// A hub itself (the relay hand-over hubs).
    Hub(&'a str),
}

/// A graph edge: a link of `links`, or a road leg added for one search.
#[derive(Debug, Clone)]
enum Edge {
    Link(usize),
    Road { minutes: u32 },
}

#[derive(Debug, Clone)]
pub struct Network {
    hubs: Vec<Hub>,
    links: Vec<Link>,
    /// Node i is hub i; the virtual start/end nodes of a search carry `None`.
    graph: UnGraph<Option<usize>, Edge>,
    by_code: HashMap<String, NodeIndex>,
}

impl Network {
    pub fn new(hubs: Vec<Hub>, links: Vec<Link>) -> Result<Network, NetworkError> {
        let mut graph = UnGraph::default();
        let mut by_code = HashMap::new();
        for (i, hub) in hubs.iter().enumerate() {
            let node = graph.add_node(Some(i));
            if by_code.insert(hub.code.clone(), node).is_some() {
                return Err(NetworkError::DuplicateHub(hub.code.clone()));
            }
        }
        for (i, link) in links.iter().enumerate() {
            let node = |code: &String| {
                by_code
                    .get(code)
                    .copied()
                    .ok_or_else(|| NetworkError::UnknownHub {
                        from: link.from.clone(),
                        to: link.to.clone(),
                        unknown: code.clone(),
                    })
            };
            graph.add_edge(node(&link.from)?, node(&link.to)?, Edge::Link(i));
        }
        Ok(Network {
            hubs,
            links,
            graph,
            by_code,
        })
    }

    pub fn hub(&self, code: &str) -> Option<&Hub> {
        self.by_code.get(code).map(|n| &self.hubs[n.index()])
    }

    pub fn hubs(&self) -> &[Hub] {
        &self.hubs
    }

    /// Each link with its two hubs.
    pub fn links(&self) -> impl Iterator<Item = (&Hub, &Hub, &Link)> {
        self.links.iter().map(|l| {
            (
                self.hub(&l.from).expect("checked in new"),
                self.hub(&l.to).expect("checked in new"),
                l,
            )
        })
    }

    /// The hub of `province` nearest to `point` (the relay hand-over hub: the one nearest
    /// the province's capital, where its Dinsos sits).
    pub fn nearest_hub_in(&self, province: &str, point: Point<f64>) -> Option<&Hub> {
        self.nearest(point, Some(province), 1, f64::INFINITY)
            .first()
            .map(|n| &self.hubs[n.index()])
    }

    /// The `k` hubs nearest `point` (only those of `province` when given) within
    /// `max_km`, and the nearest one whatever its distance.
    fn nearest(
        &self,
        point: Point<f64>,
        province: Option<&str>,
        k: usize,
        max_km: f64,
    ) -> Vec<NodeIndex> {
        let mut near: Vec<(f64, usize)> = self
            .hubs
            .iter()
            .enumerate()
            .filter(|(_, h)| province.is_none_or(|p| h.province_code == p))
            .map(|(i, h)| (great_circle_km(point, h.point), i))
            .collect();
        near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        near.into_iter()
            .enumerate()
            .take_while(|(rank, (km, _))| *rank == 0 || *km <= max_km)
            .take(k)
            .map(|(_, (_, i))| NodeIndex::new(i))
            .collect()
    }

    fn stop(&self, node: NodeIndex) -> Stop {
        let h = &self.hubs[node.index()];
        Stop {
            code: Some(h.code.clone()),
            name: h.name.clone(),
            at: h.point,
        }
    }

    /// The fastest trip from `from` to `to`: road to one of the `ACCESS_HUBS` nearest
    /// departure hubs within `ACCESS_MAX_KM` (of `from_province` when given), links, then
    /// road from one of the nearest arrival hubs. All candidate pairs compete in one
    /// shortest-path search (Dijkstra: A* with a zero estimate) over the network plus the
    /// road legs of this trip, each boarding costing `BOARDING_MINUTES` more. `None` when
    /// no hub connects the two ends.
    pub fn fastest(
        &self,
        from: &Stop,
        from_province: Option<&str>,
        to: &Target,
    ) -> Option<Vec<Hop>> {
        let mut g = self.graph.clone();
        let start = g.add_node(None);
        let mut road_to: HashMap<NodeIndex, Stop> = HashMap::new();
        for hub in self.nearest(from.at, from_province, ACCESS_HUBS, ACCESS_MAX_KM) {
            let hop = Hop::road(from.clone(), self.stop(hub));
            g.add_edge(
                start,
                hub,
                Edge::Road {
                    minutes: hop.minutes,
                },
            );
        }
        let end = match to {
            Target::Hub(code) => *self.by_code.get(*code)?,
            Target::Place { stop, province } => {
                let end = g.add_node(None);
                road_to.insert(end, (*stop).clone());
                for hub in self.nearest(stop.at, Some(province), ACCESS_HUBS, ACCESS_MAX_KM) {
                    let hop = Hop::road(self.stop(hub), (*stop).clone());
                    g.add_edge(
                        hub,
                        end,
                        Edge::Road {
                            minutes: hop.minutes,
                        },
                    );
                }
                if great_circle_km(from.at, stop.at) * ROAD_DETOUR <= DIRECT_ROAD_MAX_KM {
                    let hop = Hop::road(from.clone(), (*stop).clone());
                    g.add_edge(
                        start,
                        end,
                        Edge::Road {
                            minutes: hop.minutes,
                        },
                    );
                }
                end
            }
        };
        let (_, path) = petgraph::algo::astar(
            &g,
            start,
            |n| n == end,
            |e| match e.weight() {
                Edge::Link(i) => self.links[*i].minutes + BOARDING_MINUTES,
                Edge::Road { minutes } => *minutes,
            },
            |_| 0,
        )?;
        let stop_of = |n: NodeIndex| match g[n] {
            Some(_) => self.stop(n),
            None if n == start => from.clone(),
            None => road_to[&n].clone(),
        };
        let mut hops: Vec<Hop> = Vec::new();
        for pair in path.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            // The fastest of parallel links (a bus and a train between the same hubs).
            let edge = g
                .edges(a)
                .filter(|e| e.source() == b || e.target() == b)
                .min_by_key(|e| match e.weight() {
                    Edge::Link(i) => self.links[*i].minutes,
                    Edge::Road { minutes } => *minutes,
                })
                .expect("the path follows edges");
            let hop = match edge.weight() {
                Edge::Road { .. } => Hop::road(stop_of(a), stop_of(b)),
                Edge::Link(i) => {
                    let link = &self.links[*i];
                    let (from, to) = (self.stop(a), self.stop(b));
                    Hop {
                        mode: link.mode,
                        distance_km: round_km(great_circle_km(from.at, to.at) * link.mode.detour()),
                        from,
                        to,
                        minutes: link.minutes,
                        fare_idr: link.fare_idr,
                    }
                }
            };
            // Road in and straight out of the same hub is one car ride: merge the two.
            match hops.last() {
                Some(last) if last.mode == Mode::Road && hop.mode == Mode::Road => {
                    let first = hops.pop().expect("just seen").from;
                    hops.push(Hop::road(first, hop.to));
                }
                _ => hops.push(hop),
            }
        }
        // A hub at the very place (several share their regency's seat point) needs no
        // road leg of 0.0 km; a trip of nothing but that keeps it.
        if hops.len() > 1 {
            hops.retain(|h| h.mode != Mode::Road || h.distance_km > 0.0);
        }
        Some(hops)
    }
}

#[cfg(test)]
#[path = "network_tests.rs"]
pub(crate) mod tests;
