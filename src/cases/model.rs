//! The case state machine, in one place: the states, the moves each allows, who may make
//! which move, and the words for a move refused for want of its facts. Pure: the moves
//! themselves are `lifecycle`'s.

use crate::auth::model::{Principal, Role};

crate::vocabulary! {
    /// Where a case stands.
    pub enum State {
        Received = "received" => ("Diterima", "Received"),
        IdentityPending = "identity_pending" => ("Menunggu identifikasi", "Identity pending"),
        Identified = "identified" => ("Teridentifikasi", "Identified"),
        Unidentified = "unidentified" => ("Tidak teridentifikasi", "Unidentified"),
        RoutedHome = "routed_home" => ("Akan dipulangkan", "Routed home"),
        Placed = "placed" => ("Di UPT", "Placed in UPT"),
        InTransit = "in_transit" => ("Dalam perjalanan", "In transit"),
        HandedOver = "handed_over" => ("Diserahterimakan", "Handed over"),
        Discharged = "discharged" => ("Keluar dari UPT", "Discharged"),
        Closed = "closed" => ("Ditutup", "Closed"),
    }
}

pub const STATES: [State; 10] = [
    State::Received,
    State::IdentityPending,
    State::Identified,
    State::Unidentified,
    State::RoutedHome,
    State::Placed,
    State::InTransit,
    State::HandedOver,
    State::Discharged,
    State::Closed,
];

impl State {
    /// The code (`code()`), under the name the stores use.
    pub fn as_str(self) -> &'static str {
        self.code()
    }

    /// States entered by the operation that makes their fact — a placement, a decision to
    /// route home, a departure, the receiving office's confirmation, a discharge — so the
    /// case page offers no bare move into them (it would be refused for want of the fact).
    pub fn made_by_operation(self) -> bool {
        matches!(
            self,
            State::Placed
                | State::RoutedHome
                | State::InTransit
                | State::HandedOver
                | State::Discharged
        )
    }

    pub fn is_final(self) -> bool {
        matches!(self, State::HandedOver | State::Discharged | State::Closed)
    }

    /// The states this one may move to.
    pub fn next(self) -> &'static [State] {
        use State::*;
        match self {
            Received => &[IdentityPending, Closed],
            IdentityPending => &[Identified, Unidentified, Closed],
            Identified => &[RoutedHome, Placed, Closed],
            // A long-stay resident may be identified later by a new check.
            Unidentified => &[Identified, Placed, Closed],
            // Refused at home: a UPT meanwhile.
            RoutedHome => &[InTransit, Placed, Closed],
            // A resident leaves through a discharge (home, family, hospital, died, ran
            // away), which gives the bed back; closing would keep it taken.
            Placed => &[Identified, RoutedHome, Discharged],
            InTransit => &[HandedOver, Placed, Closed],
            HandedOver | Discharged | Closed => &[],
        }
    }
}

/// Who may make a move: case officers any; DP3AK the identity outcome; the intake desk
/// sends a case for identification; UPT staff admit and discharge residents.
pub fn may(p: &Principal, from: State, to: State) -> bool {
    use State::*;
    p.has(Role::CaseOfficer)
        || (p.has(Role::IdentityOfficer)
            && from == IdentityPending
            && matches!(to, Identified | Unidentified))
        || (p.has(Role::IntakeOfficer) && from == Received && to == IdentityPending)
        || (p.has(Role::UptStaff) && (to == Placed || (from == Placed && to == Discharged)))
}

/// The moves a principal could make now with the case page's buttons: those that need no
/// fact made by another operation.
pub fn actions(p: &Principal, from: State) -> Vec<State> {
    from.next()
        .iter()
        .copied()
        .filter(|to| may(p, from, *to) && !to.made_by_operation())
        .collect()
}

/// Why a case cannot be in a state yet, in words, from the code the database's
/// `case_state_missing` names (the same rule its constraint trigger checks at commit).
pub fn missing_fact(to: State, code: &str) -> String {
    let words = match code {
        "bed_not_given_back" => "orang ini masih menempati tempat tidur UPT; keluarkan dulu lewat formulir keluar / the person still has a UPT bed: discharge them first",
        "open_placement" => "belum ada penempatan di bangsal UPT; tempatkan lewat formulir penempatan / no open placement: place the person through the placement form",
        "live_plan" => "belum ada rencana perjalanan pulang; putuskan rute pulang / no live transport plan: decide the route home",
        "departure" => "keberangkatan belum dicatat / no departure is recorded",
        "hand_over" => "kantor penerima belum mengonfirmasi serah terima / the receiving office has not confirmed the hand-over",
        "ended_placement" => "tidak ada penempatan yang berakhir; gunakan formulir keluar / no ended placement: use the discharge form",
        _ => "fakta kasus belum ada / the case's facts are missing",
    };
    format!("{}: {words}", to.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::model::Grant;

    fn p(role: Role) -> Principal {
        Principal {
            user_id: 1,
            username: "x".into(),
            display_name: "x".into(),
            grants: vec![Grant { role, scope: None }],
            via_token: false,
        }
    }

    #[test]
    fn final_states_go_nowhere() {
        for s in STATES {
            assert_eq!(s.is_final(), s.next().is_empty(), "{s:?}");
        }
    }

    #[test]
    fn every_state_is_reachable_from_received() {
        let mut seen = vec![State::Received];
        let mut i = 0;
        while i < seen.len() {
            for n in seen[i].next() {
                if !seen.contains(n) {
                    seen.push(*n);
                }
            }
            i += 1;
        }
        assert_eq!(seen.len(), STATES.len());
    }

    #[test]
    fn roles_make_only_their_own_moves() {
        assert!(may(
            &p(Role::IdentityOfficer),
            State::IdentityPending,
            State::Identified
        ));
        assert!(!may(
            &p(Role::IdentityOfficer),
            State::Identified,
            State::RoutedHome
        ));
        assert!(may(&p(Role::UptStaff), State::Placed, State::Discharged));
        assert!(!may(
            &p(Role::RegencyViewer),
            State::Received,
            State::IdentityPending
        ));
        assert_eq!(
            actions(&p(Role::IntakeOfficer), State::Received),
            vec![State::IdentityPending]
        );
    }

    #[test]
    fn the_case_page_offers_no_bare_move_into_a_state_made_by_an_operation() {
        assert_eq!(
            actions(&p(Role::CaseOfficer), State::Identified),
            vec![State::Closed]
        );
        assert!(actions(&p(Role::UptStaff), State::Placed).is_empty());
        assert_eq!(
            actions(&p(Role::IdentityOfficer), State::IdentityPending),
            vec![State::Identified, State::Unidentified]
        );
    }
}
