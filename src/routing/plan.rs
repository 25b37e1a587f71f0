//! The transport plan home: the fastest trip (`network.rs`) with, for each leg, the office
//! responsible for it and who pays; the escort; the receiving office; the relay. Pure.
//!
//! East Java home: Dinsos Jatim (provincial budget) takes the person to the arrival hub in
//! the home regency and hands over there; the regency Dinsos takes them the last kilometres
//! to the village (its own budget). Home in another province: relay (*estafet*, geo/relay.csv):
//! Dinsos Jatim takes the person only to the hand-over province's hub nearest its capital,
//! where that province's Dinsos receives them and forwards them home on its own budget (not
//! costed here). A trip that is one road leg (a short trip) is Dinsos Jatim's to the door.
use geo::Point;
use serde::Serialize;

use super::escort::{escort_for, Condition, Escort, EscortNeed};
use super::network::{Hop, Mode, Network, Stop, Target};

pub const PROVINCE_OFFICE: &str = "Dinas Sosial Provinsi Jawa Timur";
pub const PROVINCE_BUDGET: &str = "APBD Provinsi Jawa Timur";
/// The name of the pick-up point on a plan.
pub const PICK_UP: &str = "titik penjemputan";

/// A kabupaten/kota of East Java and its social office.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Regency {
    pub code: String,
    /// "Kabupaten Banyuwangi", "Kota Surabaya".
    pub name: String,
    /// Its social office's address on record (the `office` table), if any.
    pub dinsos_email: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DestinationKind {
    Village,
    District,
    Regency,
    Province,
}

/// Where the person's home is, as asked (code) and as found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Destination {
    pub code: String,
    pub kind: DestinationKind,
    /// "Desa Kemiren, Kec. Glagah, Kabupaten Banyuwangi", or a province's name.
    pub name: String,
    /// Where the plan aims: the village centroid, district middle or regency seat (in any
    /// province); for a home known only by its province, that province's capital.
    #[serde(rename = "at", serialize_with = "super::network::lat_lon")]
    pub point: Point<f64>,
}

/// A province's social office at the end of a relay.
#[derive(Debug, Clone, PartialEq)]
pub struct RelayRule {
    pub home_province_code: String,
    pub home_province_name: String,
    pub handover_province_code: String,
    pub handover_province_name: String,
    /// Where the hand-over province's Dinsos sits (its capital).
    pub handover_capital: Point<f64>,
    /// The home regency ("Kabupaten Cianjur") when the home is known that deep.
    pub home_regency: Option<String>,
    /// geo/relay.csv's note: the source or the assumption.
    pub note: String,
}

/// Whose home it is: a regency of East Java, or a province reached by relay.
#[derive(Debug, Clone, PartialEq)]
pub enum Home {
    EastJava { regency: Regency },
    Relay(RelayRule),
}

/// Everything a plan is built from.
#[derive(Debug, Clone)]
pub struct PlanInput {
    /// The pick-up point (Satpol PP post or UPT).
    pub from: Point<f64>,
    /// The pick-up point's province, when known (departure hubs are taken there).
    pub from_province: Option<String>,
    pub destination: Destination,
    pub home: Home,
    pub escort: EscortNeed,
    /// Notes found while resolving the destination (e.g. a village without a centroid).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Leg {
    pub mode: Mode,
    /// A hub's name, "titik penjemputan" or the destination's name.
    pub from: String,
    pub to: String,
    pub from_code: Option<String>,
    pub to_code: Option<String>,
    pub from_at: LatLon,
    pub to_at: LatLon,
    /// Great-circle distance × the mode's detour factor (see docs/routing.md).
    pub distance_km: f64,
    pub minutes: u32,
    /// What this leg costs: tickets × the fare for public transport, the car for road.
    pub fare_idr: u64,
    /// The ticket of one traveller (road: the car).
    pub fare_per_person_idr: u64,
    /// Tickets bought: 2 when an escort travels on public transport, else 1 (road: 1 car).
    pub tickets: u32,
    pub office: String,
    pub paid_by: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

impl From<Point<f64>> for LatLon {
    fn from(p: Point<f64>) -> LatLon {
        LatLon {
            lat: p.y(),
            lon: p.x(),
        }
    }
}

/// The receiving side of the hand-over (*berita acara serah terima*).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Handover {
    pub office: String,
    /// The regency Dinsos's address for the hand-over notice (None outside East Java, or
    /// when the regions table has none).
    pub email: Option<String>,
    /// Where the person is handed over: the arrival hub, or the home itself.
    pub at: String,
}

/// The relay part of a plan for a home outside East Java.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Relay {
    pub home_province_code: String,
    pub home_province: String,
    pub handover_province_code: String,
    pub handover_province: String,
    /// The home regency ("Kabupaten Cianjur"), when known: the notice names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_regency: Option<String>,
    /// The onward trip, informational: the receiving province plans and pays it.
    pub onward: String,
    pub rule_note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PayerTotal {
    pub paid_by: String,
    pub fare_idr: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransportPlan {
    pub from: LatLon,
    pub destination: Destination,
    pub legs: Vec<Leg>,
    /// Sum of the legs' minutes (no waiting time between legs is added).
    pub total_minutes: u32,
    /// Sum of the legs' fares, escort tickets included.
    pub total_fare_idr: u64,
    pub fare_by_payer: Vec<PayerTotal>,
    pub escort: Option<Escort>,
    pub handover: Handover,
    pub relay: Option<Relay>,
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanError {
    #[error("no hub of province {0} is in the transport network")]
    NoHandoverHub(String),
    #[error("the transport network does not connect the pick-up point with {0}")]
    NoRoute(String),
}

/// Builds the plan: fastest trip, offices, escort, totals.
pub fn build_plan(net: &Network, input: PlanInput) -> Result<TransportPlan, PlanError> {
    let from = Stop {
        code: None,
        name: PICK_UP.to_string(),
        at: input.from,
    };
    let mut notes = input.notes;
    let dest_stop = Stop {
        code: Some(input.destination.code.clone()),
        name: input.destination.name.clone(),
        at: input.destination.point,
    };
    let hops = match &input.home {
        Home::EastJava { .. } => net.fastest(
            &from,
            input.from_province.as_deref(),
            &Target::Place {
                stop: &dest_stop,
                province: "35",
            },
        ),
        Home::Relay(rule) => {
            let hub = net
                .nearest_hub_in(&rule.handover_province_code, rule.handover_capital)
                .ok_or_else(|| PlanError::NoHandoverHub(rule.handover_province_code.clone()))?;
            net.fastest(
                &from,
                input.from_province.as_deref(),
                &Target::Hub(&hub.code),
            )
        }
    }
    .ok_or_else(|| PlanError::NoRoute(input.destination.name.clone()))?;

    // Dinsos Jatim's part ends at the last hub (the hand-over); a trip with no hub is
    // Dinsos Jatim's all the way to the door.
    let is_hub = |s: &Stop| s.code.as_deref().is_some_and(|c| net.hub(c).is_some());
    let handover_index = hops
        .iter()
        .rposition(|h| is_hub(&h.to))
        .filter(|_| hops.iter().any(|h| h.mode != Mode::Road));
    let mut escort = escort_for(&input.escort);
    let (receiving_office, receiving_budget, email, relay) = match &input.home {
        Home::EastJava { regency } => (
            format!("Dinas Sosial {}", regency.name),
            format!("APBD {}", regency.name),
            regency.dinsos_email.clone(),
            None,
        ),
        Home::Relay(rule) => {
            let office = format!("Dinas Sosial Provinsi {}", rule.handover_province_name);
            // Who takes over after the hand-over, down to the home regency when known.
            let onward = match (&rule.home_regency, rule.home_province_code == rule.handover_province_code) {
                (Some(regency), true) => {
                    format!("{office} mengantar ke {regency} di provinsinya sendiri")
                }
                (None, true) => {
                    format!("{office} mengantar ke daerah asal di provinsinya sendiri")
                }
                (Some(regency), false) => format!(
                    "{office} meneruskan ke {regency}, Provinsi {} (estafet, biaya APBD provinsi penerima)",
                    rule.home_province_name
                ),
                (None, false) => format!(
                    "{office} meneruskan ke Provinsi {} (estafet, biaya APBD provinsi penerima)",
                    rule.home_province_name
                ),
            };
            notes.push(format!(
                "Estafet: Jawa Timur mengantar sampai {office}; perjalanan selanjutnya tidak dihitung di rencana ini."
            ));
            // Kalsel forwards only people who are healthy in body and mind and carry an ID
            // (dinsos.kalselprov.go.id, geo/README.md's reference notes).
            let unwell = input
                .escort
                .effective()
                .iter()
                .any(|c| matches!(c, Condition::Psychosocial | Condition::Sick));
            if rule.handover_province_code == "63" && unwell {
                notes.push(
                    "Dinsos Kalimantan Selatan hanya meneruskan orang yang sehat jasmani dan rohani dan beridentitas: sepakati serah terima sebelum berangkat."
                        .to_string(),
                );
            }
            (
                office,
                format!("APBD Provinsi {}", rule.handover_province_name),
                None,
                Some(Relay {
                    home_province_code: rule.home_province_code.clone(),
                    home_province: rule.home_province_name.clone(),
                    handover_province_code: rule.handover_province_code.clone(),
                    handover_province: rule.handover_province_name.clone(),
                    home_regency: rule.home_regency.clone(),
                    onward,
                    rule_note: rule.note.clone(),
                }),
            )
        }
    };

    let legs: Vec<Leg> = hops
        .iter()
        .enumerate()
        .map(|(i, hop)| {
            let provincial = handover_index.is_none_or(|h| i <= h);
            let (office, paid_by) = if provincial {
                (PROVINCE_OFFICE.to_string(), PROVINCE_BUDGET.to_string())
            } else {
                (receiving_office.clone(), receiving_budget.clone())
            };
            // The escort buys a ticket on the public legs they ride; a car costs the same
            // with one more passenger, and after the hand-over the receiving office escorts.
            let tickets = if escort.is_some() && provincial && hop.mode != Mode::Road {
                2
            } else {
                1
            };
            leg(hop, tickets, office, paid_by)
        })
        .collect();

    if let Some(e) = escort.as_mut() {
        let back: Vec<&Hop> = hops
            .iter()
            .enumerate()
            .filter(|(i, h)| h.mode != Mode::Road && handover_index.is_none_or(|x| *i <= x))
            .map(|(_, h)| h)
            .collect();
        e.return_minutes = back.iter().map(|h| h.minutes).sum();
        e.return_fare_idr = back.iter().map(|h| h.fare_idr).sum();
    }

    let handover_at = match handover_index {
        Some(i) => hops[i].to.name.clone(),
        None => input.destination.name.clone(),
    };
    let mut fare_by_payer: Vec<PayerTotal> = Vec::new();
    for l in &legs {
        match fare_by_payer.iter_mut().find(|p| p.paid_by == l.paid_by) {
            Some(p) => p.fare_idr += l.fare_idr,
            None => fare_by_payer.push(PayerTotal {
                paid_by: l.paid_by.clone(),
                fare_idr: l.fare_idr,
            }),
        }
    }
    Ok(TransportPlan {
        from: input.from.into(),
        total_minutes: legs.iter().map(|l| l.minutes).sum(),
        total_fare_idr: legs.iter().map(|l| l.fare_idr).sum(),
        fare_by_payer,
        escort,
        handover: Handover {
            office: receiving_office,
            email,
            at: handover_at,
        },
        relay,
        notes,
        destination: input.destination,
        legs,
    })
}

fn leg(hop: &Hop, tickets: u32, office: String, paid_by: String) -> Leg {
    Leg {
        mode: hop.mode,
        from: hop.from.name.clone(),
        to: hop.to.name.clone(),
        from_code: hop.from.code.clone(),
        to_code: hop.to.code.clone(),
        from_at: hop.from.at.into(),
        to_at: hop.to.at.into(),
        distance_km: hop.distance_km,
        minutes: hop.minutes,
        fare_idr: hop.fare_idr * u64::from(tickets),
        fare_per_person_idr: hop.fare_idr,
        tickets,
        office,
        paid_by,
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
