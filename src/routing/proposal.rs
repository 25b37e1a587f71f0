//! The proposal: home or a UPT, with the reasons, from the facts of a case. Pure; the
//! case officer accepts or overrides it (both recorded as events elsewhere).
//!
//! Home needs all of: a verified identity (DP3AK match, a NIK nothing contradicts, or an
//! accepted link to the assistance register), a home known to the regency (East Java) or
//! the province (elsewhere, by relay), fit to travel, and no refusal by the family or home
//! government. Anything missing → a UPT serving the need. The home is taken from the best
//! evidence there is ([`best_home`]), and the proposal says which.
use serde::Serialize;

use crate::cases::needs::{needs, Condition};
pub use crate::cases::needs::{Need, Sex};
pub use crate::identity::contradict::NikStanding;
pub use crate::vocab::HomeSource;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentitySource {
    /// A biometric match from DP3AK.
    Dp3akMatch,
    /// A NIK carried or stated that nothing in the intake contradicts (sex, age, region).
    Nik,
    /// An accepted link to the social assistance register, whose entries the agency
    /// keeping it verified.
    Register,
    /// The family, found by tracing (a regency office or a TKSK), knew the person: their
    /// address is the home (`tasks`, outcome "family found").
    Family,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "level", content = "code")]
pub enum KnownHome {
    #[default]
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

    /// Whether the home is precise enough to send the person there: a regency or village,
    /// or another province (whose Dinsos receives by relay). East Java alone is not.
    pub fn enough_to_go_home(&self) -> bool {
        match self {
            KnownHome::Unknown => false,
            KnownHome::Province(code) => code != "35",
            KnownHome::Regency(_) | KnownHome::Village(_) => true,
        }
    }

    /// The region code of the home (village, regency or province), if any.
    pub fn code(&self) -> Option<&str> {
        match self {
            KnownHome::Unknown => None,
            KnownHome::Province(c) | KnownHome::Regency(c) | KnownHome::Village(c) => Some(c),
        }
    }
}

/// Everything a case holds about where the person lives, from each source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HomeEvidence {
    /// DP3AK matched the person (an accepted check ↔ intake link).
    pub dp3ak_match: bool,
    /// The village DP3AK's match returned.
    pub dp3ak_village: Option<String>,
    /// The NIK typed at intake, judged against the intake.
    pub nik: NikStanding,
    /// The person has an accepted link to the assistance register.
    pub register_link: bool,
    /// The register's village for the person.
    pub register_village: Option<String>,
    /// What the person said at intake.
    pub stated: KnownHome,
    /// The village of the family a tracing task found, the newest.
    pub traced_village: Option<String>,
}

/// The identity, the home and where the home came from: a DP3AK match's village, then a
/// NIK nothing contradicts (its regency, or the village the person named inside it), then
/// the village of the family a tracing task found, then the assistance register's village,
/// then what the person said.
pub fn best_home(e: &HomeEvidence) -> (Option<IdentitySource>, KnownHome, Option<HomeSource>) {
    let village = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| KnownHome::Village(v.to_string()))
    };
    let identity = if e.dp3ak_match {
        Some(IdentitySource::Dp3akMatch)
    } else if matches!(e.nik, NikStanding::Holds { .. }) {
        Some(IdentitySource::Nik)
    } else if e.register_link {
        Some(IdentitySource::Register)
    } else if village(&e.traced_village).is_some() {
        Some(IdentitySource::Family)
    } else {
        None
    };
    if let Some(home) = village(&e.dp3ak_village) {
        return (identity, home, Some(HomeSource::Dp3ak));
    }
    if let NikStanding::Holds { region } = &e.nik {
        let inside = |code: &str| code == region || code.starts_with(&format!("{region}."));
        let province = region.split('.').next().unwrap_or_default();
        match &e.stated {
            // The NIK confirms the regency the person named; their village is finer.
            KnownHome::Village(v) if inside(v) => {
                return (
                    identity,
                    KnownHome::Village(v.clone()),
                    Some(HomeSource::Nik),
                );
            }
            // Nothing said, or only the NIK's own province or regency: the NIK's regency.
            KnownHome::Unknown => {
                return (
                    identity,
                    KnownHome::Regency(region.clone()),
                    Some(HomeSource::Nik),
                )
            }
            KnownHome::Province(p) | KnownHome::Regency(p) if p == province || p == region => {
                return (
                    identity,
                    KnownHome::Regency(region.clone()),
                    Some(HomeSource::Nik),
                )
            }
            // A home in another province: the NIK says where the person was registered, not
            // where they live now (people move); what they said stands, the NIK still
            // verifies who they are. (Another regency would have contradicted the NIK.)
            _ => {}
        }
    }
    if let Some(home) = village(&e.traced_village) {
        return (identity, home, Some(HomeSource::Tracing));
    }
    if let Some(home) = village(&e.register_village) {
        return (identity, home, Some(HomeSource::Register));
    }
    match &e.stated {
        KnownHome::Unknown => (identity, KnownHome::Unknown, None),
        stated => (identity, stated.clone(), Some(HomeSource::Stated)),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseFacts {
    pub identity: Option<IdentitySource>,
    pub home: KnownHome,
    /// Where `home` came from ([`best_home`]).
    pub home_source: Option<HomeSource>,
    /// The intake's NIK is there but contradicted: said, so nobody takes it as checked.
    pub nik_contradicted: bool,
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
        if facts.nik_contradicted {
            blockers.push(r(
                "nik_contradicted",
                "NIK yang dicatat bertentangan dengan data penerimaan, jadi tidak dihitung terverifikasi",
                "the recorded NIK contradicts the intake, so it does not count as verified",
            ));
        }
    }
    if !facts.home.enough_to_go_home() {
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
            Some(IdentitySource::Register) => r(
                "address_verified_register",
                "identitas dari data penerima bantuan sosial",
                "identity from the social assistance register",
            ),
            Some(IdentitySource::Family) => r(
                "address_from_tracing",
                "keluarga ditemukan lewat penelusuran dan mengenali orang ini",
                "the family, found by tracing, knows the person",
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
            home_source: Some(HomeSource::Dp3ak),
            nik_contradicted: false,
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

    /// Cases against the home and its source they should get: the best evidence wins.
    #[test]
    fn the_home_follows_the_best_evidence() {
        use HomeSource as S;
        use IdentitySource as I;
        let holds = |r: &str| NikStanding::Holds { region: r.into() };
        let v = |c: &str| KnownHome::Village(c.into());
        let stated_village = KnownHome::from_codes(Some("35.10.01.2001"), Some("35.10"));
        let stated_region = KnownHome::from_codes(None, Some("35.07"));
        let e = HomeEvidence::default;
        #[rustfmt::skip]
        type Row = (&'static str, HomeEvidence, Option<I>, KnownHome, Option<S>);
        let table: Vec<Row> = vec![
            ("nothing at all", e(), None, KnownHome::Unknown, None),
            ("only what was said",
             HomeEvidence { stated: stated_region.clone(), ..e() },
             None, stated_region.clone(), Some(S::Stated)),
            ("a DP3AK village beats everything said",
             HomeEvidence { dp3ak_match: true, dp3ak_village: Some("35.07.02.2003".into()),
                            nik: holds("35.10"), register_link: true,
                            register_village: Some("35.09.01.2001".into()), stated: stated_village.clone(),
                            traced_village: Some("35.10.02.2002".into()) },
             Some(I::Dp3akMatch), v("35.07.02.2003"), Some(S::Dp3ak)),
            ("a DP3AK match without a village: the NIK's regency",
             HomeEvidence { dp3ak_match: true, nik: holds("35.09"), ..e() },
             Some(I::Dp3akMatch), KnownHome::Regency("35.09".into()), Some(S::Nik)),
            ("a NIK registered in East Java, a home said to be in Aceh: the home as said, relayed",
             HomeEvidence { nik: holds("35.10"), stated: KnownHome::Province("11".into()), ..e() },
             Some(I::Nik), KnownHome::Province("11".into()), Some(S::Stated)),
            ("an agreeing NIK keeps the village named inside its regency",
             HomeEvidence { nik: holds("35.10"), stated: stated_village.clone(), ..e() },
             Some(I::Nik), v("35.10.01.2001"), Some(S::Nik)),
            ("a contradicted NIK proves nothing: the register's village",
             HomeEvidence { nik: NikStanding::Contradicted, register_link: true,
                            register_village: Some("35.09.01.2001".into()), stated: stated_region.clone(), ..e() },
             Some(I::Register), v("35.09.01.2001"), Some(S::Register)),
            ("a contradicted NIK and nothing else: what was said, unverified",
             HomeEvidence { nik: NikStanding::Contradicted, stated: stated_village.clone(), ..e() },
             None, stated_village.clone(), Some(S::Stated)),
            ("a register link without a village: verified, home as said",
             HomeEvidence { register_link: true, stated: stated_region.clone(), ..e() },
             Some(I::Register), stated_region.clone(), Some(S::Stated)),
            ("a family found by tracing: verified, their village beats the register's",
             HomeEvidence { traced_village: Some("35.10.02.2002".into()),
                            register_village: Some("35.09.01.2001".into()), stated: stated_region.clone(), ..e() },
             Some(I::Family), v("35.10.02.2002"), Some(S::Tracing)),
            ("a DP3AK village beats the family's",
             HomeEvidence { dp3ak_match: true, dp3ak_village: Some("35.07.02.2003".into()),
                            traced_village: Some("35.10.02.2002".into()), ..e() },
             Some(I::Dp3akMatch), v("35.07.02.2003"), Some(S::Dp3ak)),
            ("a blank DP3AK village is no village",
             HomeEvidence { dp3ak_match: true, dp3ak_village: Some(" ".into()), ..e() },
             Some(I::Dp3akMatch), KnownHome::Unknown, None),
        ];
        for (what, evidence, identity, home, source) in table {
            assert_eq!(best_home(&evidence), (identity, home, source), "{what}");
        }
    }

    #[test]
    fn a_contradicted_nik_is_said_and_keeps_the_person_in_a_upt() {
        let p = propose(&CaseFacts {
            identity: None,
            nik_contradicted: true,
            home_source: Some(HomeSource::Stated),
            ..facts()
        });
        assert!(matches!(p.route, Route::Upt { .. }));
        assert_eq!(codes(&p)[..2], ["identity_unverified", "nik_contradicted"]);
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
