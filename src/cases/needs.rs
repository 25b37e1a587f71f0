//! The person's needs: the one rule behind the proposal (`routing::proposal`), the wards
//! offered (`shelter::store::candidates`, `capacity::ahead`) and the escort
//! (`routing::escort`), so that they cannot disagree.
//!
//! Age bands, in whole years on the user's local date (`clock::local_date`):
//!
//! | band | years | source |
//! | --- | --- | --- |
//! | toddler (*balita*) | 0–4 | *balita* = "under five"; PPSAB Sidoarjo takes 0–5 |
//! | child (*anak*) | 5–17 | UU 35/2014 (child protection): a child is under 18; PPSAA take school-age children |
//! | youth (*remaja*) | 18–22 | PSBR Bina Remaja take school leavers of 17/18 to 22/23 |
//! | adult | 23–59 | |
//! | elderly (*lansia*) | 60 and over | UU 13/1998 (welfare of the elderly); PSTW take 60 and over |
//!
//! (UPT ranges: `shared/reference/east-java.md` §2, "placement rules observed".)
//! A recorded age (birth date or estimate) decides the band; the intake's `child` and
//! `elderly` marks stand in for it only when no age is recorded, because the mark is the
//! coarser record and an adult must never be offered a children's ward.
//!
//! UPTs serving a specific group — former sex workers and women at social risk (Bina
//! Karya Wanita), children in conflict with the law (Marsudi Putra), former leprosy
//! patients — are offered only when a recorded need says so: today only a pregnancy
//! (Bina Karya Wanita). Everyone else with no other need waits in the transit ward.
use serde::Serialize;

/// The intake's conditions (`intake::model::CONDITIONS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Condition {
    Psychosocial,
    Elderly,
    Child,
    Sick,
    Pregnant,
    Disability,
    Other,
}

impl Condition {
    pub fn parse(s: &str) -> Option<Condition> {
        Some(match s.trim() {
            "psychosocial" => Condition::Psychosocial,
            "elderly" => Condition::Elderly,
            "child" => Condition::Child,
            "sick" => Condition::Sick,
            "pregnant" => Condition::Pregnant,
            "disability" => Condition::Disability,
            "other" => Condition::Other,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Psychosocial => "psychosocial",
            Condition::Elderly => "elderly",
            Condition::Child => "child",
            Condition::Sick => "sick",
            Condition::Pregnant => "pregnant",
            Condition::Disability => "disability",
            Condition::Other => "other",
        }
    }

    /// From an intake's condition codes; a code this rule does not know is skipped, since
    /// the intake validated them already.
    pub fn from_codes(codes: &[String]) -> Vec<Condition> {
        codes.iter().filter_map(|c| Condition::parse(c)).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
    Unknown,
}

impl Sex {
    pub fn parse(s: &str) -> Sex {
        match s {
            "male" => Sex::Male,
            "female" => Sex::Female,
            _ => Sex::Unknown,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    Toddler,
    Child,
    Youth,
    Adult,
    Elderly,
}

impl AgeBand {
    pub fn of_age(years: u32) -> AgeBand {
        match years {
            0..=4 => AgeBand::Toddler,
            5..=17 => AgeBand::Child,
            18..=22 => AgeBand::Youth,
            23..=59 => AgeBand::Adult,
            _ => AgeBand::Elderly,
        }
    }

    /// Under 18: a child in law, whatever the ward.
    pub fn is_minor(self) -> bool {
        matches!(self, AgeBand::Toddler | AgeBand::Child)
    }
}

/// The UPT need codes (the `need` table) this rule can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    Psychosocial,
    Toddler,
    Child,
    Youth,
    Elderly,
    PhysicalDisability,
    Women,
    Homeless,
}

impl Need {
    pub fn code(self) -> &'static str {
        match self {
            Need::Psychosocial => "psychosocial",
            Need::Toddler => "toddler",
            Need::Child => "child",
            Need::Youth => "youth",
            Need::Elderly => "elderly",
            Need::PhysicalDisability => "physical_disability",
            Need::Women => "women",
            Need::Homeless => "homeless",
        }
    }
}

/// What the rule decides about a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Needs {
    /// `None` when neither an age nor a `child`/`elderly` mark was recorded.
    pub band: Option<AgeBand>,
    /// The recorded conditions with the age's in place of the `child`/`elderly` marks,
    /// sorted: what the escort rule reads.
    pub conditions: Vec<Condition>,
    /// The ward needs that serve the person, best first; the transit ward (`homeless`)
    /// is always among them.
    pub wards: Vec<Need>,
}

impl Needs {
    /// The need the person is proposed for.
    pub fn first(&self) -> Need {
        self.wards[0]
    }
}

/// The one need rule. Wards, best first: psychosocial care (Bina Laras) before age
/// (toddler, child, elderly wards), age before a physical disability, a pregnant woman's
/// ward, then the transit ward; youth wards (a vocational programme, not a shelter) after
/// the transit ward.
pub fn needs(conditions: &[Condition], age: Option<u32>, sex: Sex) -> Needs {
    let has = |c| conditions.contains(&c);
    let band = match age {
        Some(a) => Some(AgeBand::of_age(a)),
        None if has(Condition::Child) => Some(AgeBand::Child),
        None if has(Condition::Elderly) => Some(AgeBand::Elderly),
        None => None,
    };
    let mut effective: Vec<Condition> = (conditions.iter().copied())
        .filter(|c| !matches!(c, Condition::Child | Condition::Elderly))
        .collect();
    match band {
        Some(b) if b.is_minor() => effective.push(Condition::Child),
        Some(AgeBand::Elderly) => effective.push(Condition::Elderly),
        _ => {}
    }
    effective.sort();
    effective.dedup();
    let mut wards = vec![];
    if has(Condition::Psychosocial) {
        wards.push(Need::Psychosocial);
    }
    match band {
        Some(AgeBand::Toddler) => wards.push(Need::Toddler),
        Some(AgeBand::Child) => wards.push(Need::Child),
        Some(AgeBand::Elderly) => wards.push(Need::Elderly),
        _ => {}
    }
    if has(Condition::Disability) {
        wards.push(Need::PhysicalDisability);
    }
    if sex == Sex::Female && has(Condition::Pregnant) {
        wards.push(Need::Women);
    }
    wards.push(Need::Homeless);
    if band == Some(AgeBand::Youth) {
        wards.push(Need::Youth);
    }
    Needs {
        band,
        conditions: effective,
        wards,
    }
}

/// The rule over an intake's stored codes.
pub fn needs_of_codes(conditions: &[String], age: Option<i32>, sex: &str) -> Needs {
    needs(
        &Condition::from_codes(conditions),
        age.map(|a| a.max(0) as u32),
        Sex::parse(sex),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::escort::{escort_for, EscortNeed, EscortRole};
    use AgeBand as B;
    use Condition as C;
    use Need as N;

    /// People against the needs, the wards offered (in order) and the escort: the three
    /// decisions made by one rule.
    #[test]
    fn people_get_one_answer_for_needs_wards_and_escort() {
        type Row = (
            Option<u32>,
            Sex,
            &'static [Condition],
            Option<AgeBand>,
            &'static [Need],
            Option<EscortRole>,
        );
        use EscortRole as E;
        use Sex::{Female as F, Male as M, Unknown as U};
        let table: [Row; 20] = [
            // A healthy adult: the transit ward, no escort.
            (Some(35), M, &[], Some(B::Adult), &[N::Homeless], None),
            // A woman with no other need: the transit ward, never Bina Karya Wanita.
            (Some(30), F, &[], Some(B::Adult), &[N::Homeless], None),
            (None, F, &[], None, &[N::Homeless], None),
            // A pregnant woman: the women's ward, then transit; escorted by the TKSK.
            (
                Some(25),
                F,
                &[C::Pregnant],
                Some(B::Adult),
                &[N::Women, N::Homeless],
                Some(E::Tksk),
            ),
            // An adult marked `child`: the age decides (no child ward, no child escort).
            (
                Some(30),
                M,
                &[C::Child],
                Some(B::Adult),
                &[N::Homeless],
                None,
            ),
            (
                Some(40),
                F,
                &[C::Elderly],
                Some(B::Adult),
                &[N::Homeless],
                None,
            ),
            // Without an age, the marks stand in for it.
            (
                None,
                M,
                &[C::Child],
                Some(B::Child),
                &[N::Child, N::Homeless],
                Some(E::SocialWorker),
            ),
            (
                None,
                F,
                &[C::Elderly],
                Some(B::Elderly),
                &[N::Elderly, N::Homeless],
                Some(E::Tksk),
            ),
            // The band edges.
            (
                Some(0),
                U,
                &[],
                Some(B::Toddler),
                &[N::Toddler, N::Homeless],
                Some(E::SocialWorker),
            ),
            (
                Some(4),
                M,
                &[],
                Some(B::Toddler),
                &[N::Toddler, N::Homeless],
                Some(E::SocialWorker),
            ),
            (
                Some(5),
                F,
                &[],
                Some(B::Child),
                &[N::Child, N::Homeless],
                Some(E::SocialWorker),
            ),
            (
                Some(17),
                M,
                &[],
                Some(B::Child),
                &[N::Child, N::Homeless],
                Some(E::SocialWorker),
            ),
            (
                Some(18),
                M,
                &[],
                Some(B::Youth),
                &[N::Homeless, N::Youth],
                None,
            ),
            (
                Some(22),
                F,
                &[],
                Some(B::Youth),
                &[N::Homeless, N::Youth],
                None,
            ),
            (Some(23), M, &[], Some(B::Adult), &[N::Homeless], None),
            (Some(59), M, &[], Some(B::Adult), &[N::Homeless], None),
            (
                Some(60),
                M,
                &[],
                Some(B::Elderly),
                &[N::Elderly, N::Homeless],
                Some(E::Tksk),
            ),
            // Psychosocial disability decides first, for the ward and the escort.
            (
                Some(70),
                F,
                &[C::Psychosocial, C::Sick],
                Some(B::Elderly),
                &[N::Psychosocial, N::Elderly, N::Homeless],
                Some(E::UptStaff),
            ),
            // A child with a disability: child ward first, a social worker beside them.
            (
                Some(12),
                M,
                &[C::Disability],
                Some(B::Child),
                &[N::Child, N::PhysicalDisability, N::Homeless],
                Some(E::SocialWorker),
            ),
            // A pregnant girl: a child first.
            (
                Some(16),
                F,
                &[C::Pregnant, C::Sick],
                Some(B::Child),
                &[N::Child, N::Women, N::Homeless],
                Some(E::SocialWorker),
            ),
        ];
        for (age, sex, conditions, band, wards, escort) in table {
            let n = needs(conditions, age, sex);
            let who = format!("{age:?} {sex:?} {conditions:?}");
            assert_eq!(n.band, band, "{who}");
            assert_eq!(n.wards, wards, "{who}");
            let e = escort_for(&EscortNeed {
                conditions: conditions.to_vec(),
                age,
            });
            assert_eq!(e.map(|e| e.role), escort, "{who}");
        }
    }

    #[test]
    fn the_age_replaces_the_marks_in_the_conditions_the_escort_reads() {
        let n = needs(&[C::Child, C::Sick], Some(40), Sex::Male);
        assert_eq!(n.conditions, [C::Sick]);
        let n = needs(&[C::Sick], Some(8), Sex::Male);
        assert_eq!(n.conditions, [C::Child, C::Sick]);
        assert_eq!(n.first(), N::Child);
    }

    #[test]
    fn stored_codes_read_as_conditions_and_sexes() {
        let n = needs_of_codes(&["pregnant".into(), "x".into()], Some(30), "female");
        assert_eq!(n.wards, [N::Women, N::Homeless]);
        assert_eq!(
            needs_of_codes(&["pregnant".into()], Some(30), "unknown").wards,
            [N::Homeless]
        );
        assert_eq!(needs_of_codes(&[], Some(-3), "male").band, Some(B::Toddler));
    }
}
