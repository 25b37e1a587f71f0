//! The proposal: home or a UPT, with the reasons, from the facts of a case. Pure; the
//! case officer accepts or overrides it (both recorded as events elsewhere).
//!
//! Home needs all of: a verified identity (DP3AK match or a checked NIK), a home known to
//! the regency (East Java) or the province (elsewhere, by relay), fit to travel, and no
//! refusal by the family or home government. Anything missing → a UPT serving the need.
use serde::Serialize;

use crate::cases::needs::{needs, Condition};
pub use crate::cases::needs::{Need, Sex};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentitySource {
    /// A biometric match from DP3AK.
    Dp3akMatch,
    /// A NIK carried or stated and checked against the stated sex, age and region.
    Nik,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "level", content = "code")]
pub enum KnownHome {
    Unknown,
    Province(String),
    Regency(String),
    Village(String),
}

impl KnownHome {
    /// From an intake's `home_village` and `home_region` (a regency such as 35.07 or a
    /// province such as 32), the most precise first.
    pub fn from_codes(village: Option<&str>, region: Option<&str>) -> KnownHome {
        let village = village.map(str::trim).filter(|c| !c.is_empty());
        let region = region.map(str::trim).filter(|c| !c.is_empty());
        match (village, region) {
            (Some(v), _) => KnownHome::Village(v.to_string()),
            (None, Some(r)) if r.contains('.') => KnownHome::Regency(r.to_string()),
            (None, Some(p)) => KnownHome::Province(p.to_string()),
            (None, None) => KnownHome::Unknown,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseFacts {
    pub identity: Option<IdentitySource>,
    pub home: KnownHome,
    pub conditions: Vec<Condition>,
    pub sex: Sex,
    pub age: Option<u32>,
    pub fit_to_travel: bool,
    pub family_refused: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Route {
    Home,
    Upt { need: Need },
}

/// One reason, as a stable code and in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub code: &'static str,
    pub id: &'static str,
    pub en: &'static str,
}

const fn r(code: &'static str, id: &'static str, en: &'static str) -> Reason {
    Reason { code, id, en }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub route: Route,
    pub reasons: Vec<Reason>,
}

/// The UPT need the person is proposed for: the first of the one need rule's
/// (`cases::needs`), with its reason.
pub fn need_of(facts: &CaseFacts) -> (Need, Reason) {
    let need = needs(&facts.conditions, facts.age, facts.sex).first();
    let why = match need {
        Need::Psychosocial => r(
            "need_psychosocial",
            "disabilitas psikososial → Bina Laras",
            "psychosocial disability → Bina Laras",
        ),
        Need::Toddler => r(
            "need_toddler",
            "balita → asuhan balita",
            "toddler → toddler care",
        ),
        Need::Child => r("need_child", "anak → asuhan anak", "child → child care"),
        Need::Elderly => elderly(),
        Need::PhysicalDisability => r(
            "need_disability",
            "disabilitas → Bina Daksa (periksa jenis disabilitasnya)",
            "disability → Bina Daksa (check which kind of disability)",
        ),
        Need::Women => r(
            "need_women",
            "perempuan hamil tanpa dukungan → Bina Karya Wanita",
            "pregnant woman without support → Bina Karya Wanita",
        ),
        // The rule puts youth wards after the transit ward: never first.
        Need::Homeless | Need::Youth => r(
            "need_homeless",
            "orang terlantar → Balai PRS PMKS (transit)",
            "stranded person → Balai PRS PMKS (transit)",
        ),
    };
    (need, why)
}

fn elderly() -> Reason {
    r(
        "need_elderly",
        "lanjut usia → Tresna Werdha",
        "elderly → Tresna Werdha",
    )
}

/// Home when everything allows it, else a UPT; the reasons say which facts decided.
pub fn propose(facts: &CaseFacts) -> Proposal {
    let mut blockers = Vec::new();
    if facts.identity.is_none() {
        blockers.push(r(
            "identity_unverified",
            "identitas belum terverifikasi",
            "identity not verified",
        ));
    }
    let home_enough = match &facts.home {
        KnownHome::Unknown => false,
        KnownHome::Province(code) => code != "35",
        KnownHome::Regency(_) | KnownHome::Village(_) => true,
    };
    if !home_enough {
        blockers.push(r("no_address", "tanpa alamat", "no address"));
    }
    if !facts.fit_to_travel {
        blockers.push(r(
            "unfit_to_travel",
            "belum layak perjalanan",
            "not fit to travel",
        ));
    }
    if facts.family_refused {
        blockers.push(r(
            "family_refused",
            "keluarga/pemerintah daerah asal menolak menerima; negosiasi berjalan",
            "family or home government refused to receive; negotiation under way",
        ));
    }
    if blockers.is_empty() {
        let mut reasons = vec![match facts.identity {
            Some(IdentitySource::Dp3akMatch) => r(
                "address_verified_dp3ak",
                "alamat terverifikasi oleh DP3AK",
                "address verified by DP3AK match",
            ),
            _ => r(
                "address_verified_nik",
                "alamat sesuai NIK yang diperiksa",
                "address matches the checked NIK",
            ),
        }];
        if matches!(&facts.home, KnownHome::Province(_))
            || matches!(&facts.home, KnownHome::Regency(c) | KnownHome::Village(c) if !c.starts_with("35."))
        {
            reasons.push(r(
                "relay",
                "dari luar Jawa Timur: pulang secara estafet",
                "from outside East Java: home by relay",
            ));
        }
        reasons.push(r("fit_to_travel", "layak perjalanan", "fit to travel"));
        return Proposal {
            route: Route::Home,
            reasons,
        };
    }
    let (need, why) = need_of(facts);
    blockers.push(why);
    Proposal {
        route: Route::Upt { need },
        reasons: blockers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> CaseFacts {
        CaseFacts {
            identity: Some(IdentitySource::Dp3akMatch),
            home: KnownHome::Village("35.10.01.2001".into()),
            conditions: vec![],
            sex: Sex::Male,
            age: Some(40),
            fit_to_travel: true,
            family_refused: false,
        }
    }

    fn codes(p: &Proposal) -> Vec<&str> {
        p.reasons.iter().map(|r| r.code).collect()
    }

    #[test]
    fn a_verified_address_and_fit_to_travel_goes_home() {
        let p = propose(&facts());
        assert_eq!(p.route, Route::Home);
        assert_eq!(codes(&p), ["address_verified_dp3ak", "fit_to_travel"]);
        assert_eq!(p.reasons[0].id, "alamat terverifikasi oleh DP3AK");
    }

    #[test]
    fn no_address_and_psychosocial_goes_to_bina_laras() {
        let f = CaseFacts {
            identity: None,
            home: KnownHome::Unknown,
            conditions: vec![Condition::Psychosocial, Condition::Elderly],
            ..facts()
        };
        let p = propose(&f);
        assert_eq!(
            p.route,
            Route::Upt {
                need: Need::Psychosocial
            }
        );
        assert_eq!(
            codes(&p),
            ["identity_unverified", "no_address", "need_psychosocial"]
        );
    }

    #[test]
    fn an_unidentified_elderly_woman_gets_an_elderly_ward() {
        let f = CaseFacts {
            identity: None,
            home: KnownHome::Unknown,
            sex: Sex::Female,
            age: Some(72),
            ..facts()
        };
        assert_eq!(
            propose(&f).route,
            Route::Upt {
                need: Need::Elderly
            }
        );
    }

    #[test]
    fn a_refusal_or_unfitness_keeps_a_known_person_in_a_upt() {
        let refused = propose(&CaseFacts {
            family_refused: true,
            ..facts()
        });
        assert_eq!(
            refused.route,
            Route::Upt {
                need: Need::Homeless
            }
        );
        assert_eq!(codes(&refused)[0], "family_refused");
        let unfit = propose(&CaseFacts {
            fit_to_travel: false,
            conditions: vec![Condition::Disability],
            ..facts()
        });
        assert_eq!(
            unfit.route,
            Route::Upt {
                need: Need::PhysicalDisability
            }
        );
    }

    #[test]
    fn ages_map_to_toddler_child_and_elderly_needs() {
        let need = |age, conditions: Vec<Condition>| {
            need_of(&CaseFacts {
                age,
                conditions,
                ..facts()
            })
            .0
        };
        assert_eq!(need(Some(3), vec![]), Need::Toddler);
        assert_eq!(need(Some(5), vec![]), Need::Child);
        assert_eq!(need(Some(17), vec![]), Need::Child);
        assert_eq!(need(None, vec![Condition::Child]), Need::Child);
        assert_eq!(need(Some(60), vec![]), Need::Elderly);
        assert_eq!(need(None, vec![Condition::Elderly]), Need::Elderly);
        assert_eq!(need(Some(30), vec![]), Need::Homeless);
    }

    #[test]
    fn only_the_province_is_not_enough_inside_east_java_but_is_for_a_relay() {
        let jatim = propose(&CaseFacts {
            home: KnownHome::Province("35".into()),
            ..facts()
        });
        assert!(matches!(jatim.route, Route::Upt { .. }));
        assert!(codes(&jatim).contains(&"no_address"));
        let aceh = propose(&CaseFacts {
            home: KnownHome::Province("11".into()),
            identity: Some(IdentitySource::Nik),
            ..facts()
        });
        assert_eq!(aceh.route, Route::Home);
        assert_eq!(
            codes(&aceh),
            ["address_verified_nik", "relay", "fit_to_travel"]
        );
    }

    #[test]
    fn the_intakes_home_codes_give_the_most_precise_home() {
        assert_eq!(
            KnownHome::from_codes(Some("35.10.15.2001"), Some("35.10")),
            KnownHome::Village("35.10.15.2001".into())
        );
        assert_eq!(
            KnownHome::from_codes(None, Some("35.10")),
            KnownHome::Regency("35.10".into())
        );
        assert_eq!(
            KnownHome::from_codes(Some(" "), Some("32")),
            KnownHome::Province("32".into())
        );
        assert_eq!(KnownHome::from_codes(None, None), KnownHome::Unknown);
    }

    #[test]
    fn a_pregnant_woman_without_address_goes_to_the_womens_upt() {
        let f = CaseFacts {
            identity: None,
            home: KnownHome::Unknown,
            sex: Sex::Female,
            age: Some(25),
            conditions: vec![Condition::Pregnant],
            ..facts()
        };
        assert_eq!(propose(&f).route, Route::Upt { need: Need::Women });
    }
}
