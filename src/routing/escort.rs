//! Who travels with the person. The rule, one escort per trip, the most demanding need
//! deciding who (the conditions as the one need rule reads them, `cases::needs`):
//! - psychosocial disability → UPT staff (Balai PRS PMKS / Bina Laras): trained to calm a
//!   crisis and to keep medication on time, which a volunteer is not;
//! - a child (under 18, or marked `child` when no age is recorded) → a UPT social worker (*pekerja sosial*): the
//!   child-protection law wants a professional, not a volunteer, beside an unaccompanied child;
//! - sick → Tagana: its volunteers are trained in first aid;
//! - elderly (60 or over), pregnant, or with a physical disability → the TKSK: help on the
//!   way, no clinical care.
//!
//! "other" alone asks for no escort.
use serde::Serialize;

pub use crate::cases::needs::Condition;
use crate::cases::needs::{needs, Sex};

/// What the escort rule needs to know about the person.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EscortNeed {
    pub conditions: Vec<Condition>,
    /// Age in years, stated or estimated.
    pub age: Option<u32>,
}

impl EscortNeed {
    /// From a comma-separated list such as `psychosocial,child`; unknown words are named.
    pub fn parse_list(list: &str) -> Result<Vec<Condition>, String> {
        list.split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| Condition::parse(s).ok_or_else(|| s.trim().to_string()))
            .collect()
    }

    /// From an intake's condition codes (`intake::model::CONDITIONS`); a code this rule
    /// does not know is skipped, since the intake validated them already.
    pub fn from_codes(codes: &[String], age: Option<u32>) -> EscortNeed {
        EscortNeed {
            conditions: Condition::from_codes(codes),
            age,
        }
    }

    /// The conditions as the need rule reads them: the age band's (under 18: child; 60 or
    /// over: elderly) in place of the `child`/`elderly` marks when an age is recorded.
    /// Sex plays no part in them.
    pub fn effective(&self) -> Vec<Condition> {
        needs(&self.conditions, self.age, Sex::Unknown).conditions
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EscortRole {
    UptStaff,
    SocialWorker,
    Tagana,
    Tksk,
}

impl EscortRole {
    /// The Indonesian name shown on the plan and the hand-over form.
    pub fn label(self) -> &'static str {
        match self {
            EscortRole::UptStaff => "Petugas UPT (Balai PRS PMKS / Bina Laras)",
            EscortRole::SocialWorker => "Pekerja sosial UPT anak",
            EscortRole::Tagana => "Tagana (Taruna Siaga Bencana)",
            EscortRole::Tksk => "TKSK (Tenaga Kesejahteraan Sosial Kecamatan)",
        }
    }
}

/// The escort a trip needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Escort {
    pub role: EscortRole,
    /// Who, in Indonesian.
    pub who: &'static str,
    /// The conditions that call for an escort.
    pub reasons: Vec<Condition>,
    /// The escort's own trip back from the hand-over point by the same public transport;
    /// reported beside the plan, not part of its total (the total is the person's trip).
    pub return_minutes: u32,
    pub return_fare_idr: u64,
}

/// The escort required, if any (return trip not yet known: zero).
pub fn escort_for(need: &EscortNeed) -> Option<Escort> {
    let conditions = need.effective();
    let has = |c| conditions.contains(&c);
    let role = if has(Condition::Psychosocial) {
        EscortRole::UptStaff
    } else if has(Condition::Child) {
        EscortRole::SocialWorker
    } else if has(Condition::Sick) {
        EscortRole::Tagana
    } else if has(Condition::Elderly) || has(Condition::Pregnant) || has(Condition::Disability) {
        EscortRole::Tksk
    } else {
        return None;
    };
    Some(Escort {
        role,
        who: role.label(),
        reasons: conditions
            .into_iter()
            .filter(|c| *c != Condition::Other)
            .collect(),
        return_minutes: 0,
        return_fare_idr: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(conditions: &[Condition], age: Option<u32>) -> EscortNeed {
        EscortNeed {
            conditions: conditions.to_vec(),
            age,
        }
    }

    #[test]
    fn nobody_escorts_a_healthy_adult() {
        assert_eq!(escort_for(&need(&[], Some(35))), None);
        assert_eq!(escort_for(&need(&[Condition::Other], None)), None);
    }

    #[test]
    fn psychosocial_disability_is_escorted_by_upt_staff_whatever_else() {
        let e = escort_for(&need(&[Condition::Sick, Condition::Psychosocial], Some(70))).unwrap();
        assert_eq!(e.role, EscortRole::UptStaff);
        assert_eq!(
            e.reasons,
            [Condition::Psychosocial, Condition::Elderly, Condition::Sick]
        );
    }

    #[test]
    fn age_alone_makes_a_child_or_an_elder() {
        assert_eq!(
            escort_for(&need(&[], Some(12))).unwrap().role,
            EscortRole::SocialWorker
        );
        assert_eq!(
            escort_for(&need(&[], Some(17))).unwrap().reasons,
            [Condition::Child]
        );
        assert_eq!(escort_for(&need(&[], Some(18))), None);
        assert_eq!(escort_for(&need(&[], Some(59))), None);
        assert_eq!(
            escort_for(&need(&[], Some(60))).unwrap().role,
            EscortRole::Tksk
        );
    }

    #[test]
    fn the_sick_travel_with_tagana() {
        let e = escort_for(&need(&[Condition::Sick, Condition::Pregnant], None)).unwrap();
        assert_eq!(e.role, EscortRole::Tagana);
    }

    #[test]
    fn every_intake_condition_is_known_to_the_escort_rule() {
        for &code in crate::intake::model::CONDITIONS {
            assert_eq!(Condition::parse(code).map(Condition::as_str), Some(code));
        }
        let need = EscortNeed::from_codes(&["sick".into(), "x".into()], Some(8));
        assert_eq!(need.conditions, [Condition::Sick]);
        assert_eq!(escort_for(&need).unwrap().role, EscortRole::SocialWorker);
    }

    #[test]
    fn condition_lists_parse_and_name_unknown_words() {
        assert_eq!(
            EscortNeed::parse_list("psychosocial, child,").unwrap(),
            [Condition::Psychosocial, Condition::Child]
        );
        assert_eq!(EscortNeed::parse_list("odgj").unwrap_err(), "odgj");
        assert_eq!(EscortNeed::parse_list("").unwrap(), []);
    }
}
