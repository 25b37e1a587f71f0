//! Worklists: what waits for the signed-in person, by role, on their home page, and the
//! waiting list for a UPT bed. Invariants: every query runs in the viewer's `CaseScope`
//! (row-level security decides which people are counted and listed); a person holding
//! several roles sees the sections of each, once; every item links to where its action
//! is done. A new kind of work is one `Section` variant, one line in [`BY_ROLE`] and its
//! query (in `store`, or the capability's own, as `tasks::store::open_for`).
pub mod pages;
pub mod store;
pub mod waiting;

use axum::routing::get;
use axum::Router;

use crate::auth::model::{Principal, Role};
use crate::state::AppState;

/// One section of a worklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Case officers: cases waiting for the route decision, against the target.
    RouteDecisions,
    /// Case officers: refusals to receive the person (family, home government, or the
    /// receiving office's decline), while nothing else was decided since.
    Refusals,
    /// Case officers: hand-over notices the receiving office has not acknowledged.
    UnacknowledgedHandovers,
    /// Case officers and UPT staff (their wards): open capacity alerts with their
    /// decongestion counts.
    CapacityAlerts,
    /// Identity officers: cases waiting for a DP3AK check, oldest first.
    IdentityChecks,
    /// Intake officers: their own pick-ups of the correction window missing a photo, a
    /// name or a home.
    OwnIntakes,
    /// UPT staff: people waiting for a bed in their UPT; case officers: everyone waiting.
    WaitingList,
    /// Regency officers: people coming to their office, not yet acknowledged.
    Incoming,
    /// Regency officers: their office's follow-up and tracing tasks (`tasks`), overdue
    /// first.
    Tasks,
}

/// Which sections each role's home page leads with, in this order.
pub const BY_ROLE: &[(Role, &[Section])] = &[
    (
        Role::CaseOfficer,
        &[
            Section::RouteDecisions,
            Section::Refusals,
            Section::UnacknowledgedHandovers,
            Section::CapacityAlerts,
            Section::WaitingList,
        ],
    ),
    (Role::IdentityOfficer, &[Section::IdentityChecks]),
    (Role::IntakeOfficer, &[Section::OwnIntakes]),
    (
        Role::UptStaff,
        &[Section::WaitingList, Section::CapacityAlerts],
    ),
    (Role::RegencyOfficer, &[Section::Incoming, Section::Tasks]),
];

/// The sections of every role `p` holds, each once, in role order.
pub fn sections_for(p: &Principal) -> Vec<Section> {
    let mut out: Vec<Section> = vec![];
    for (role, sections) in BY_ROLE {
        if p.has(*role) {
            for s in *sections {
                if !out.contains(s) {
                    out.push(*s);
                }
            }
        }
    }
    out
}

pub fn router() -> Router<AppState> {
    Router::new().route("/waiting-list", get(waiting::show_waiting_list))
}
