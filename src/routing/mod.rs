//! Routing: the proposal (home or UPT) and the transport plan home over the hub network,
//! with the relay (*estafet*) for homes outside East Java. Invariants: a plan's totals are
//! the sums of its legs; a plan for a home outside East Java never hands the person to an
//! East Java regency, only to the hand-over province's Dinsos of geo/relay.csv.
pub mod escort;
pub mod map;
pub mod network;
pub mod plan;
pub mod proposal;
pub mod store;

pub use escort::{Condition, Escort, EscortNeed, EscortRole};
pub use map::route_map;
pub use network::{Mode, Network};
pub use plan::{build_plan, Leg, TransportPlan};
pub use proposal::{propose, CaseFacts, Need, Proposal, Reason, Route};
pub use store::{load_network, map_of, plan_to, RoutingError};
