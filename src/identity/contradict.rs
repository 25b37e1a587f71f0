//! What a NIK says about its holder (sex, birth date, where it was issued) against what
//! the intake recorded. A disagreement is flagged for a person to look at, never silently
//! resolved: street names and guessed ages are often wrong, and NIKs are sometimes
//! borrowed.
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::nik::Nik;

/// What the intake recorded about the person.
#[derive(Debug, Clone)]
pub struct Recorded<'a> {
    /// `male`, `female` or `unknown`.
    pub sex: &'a str,
    pub birth_date: Option<NaiveDate>,
    pub estimated_age: Option<i32>,
    /// `exact`, `approximate`, `year_only` or `unknown`.
    pub birth_date_quality: &'a str,
    pub home_region: Option<&'a str>,
    /// The day of the pick-up, for ages.
    pub on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Contradiction {
    Sex {
        nik_female: bool,
    },
    BirthDate {
        nik: NaiveDate,
        recorded: NaiveDate,
    },
    Age {
        nik_age: i32,
        recorded_age: i32,
    },
    HomeRegion {
        nik_region: String,
        recorded: String,
    },
}

/// How far an officer's guess of an age may be off before it counts as a contradiction:
/// guesses of street people's ages are often ten years out.
const AGE_TOLERANCE: i32 = 10;

pub fn contradictions(nik: &Nik, r: &Recorded) -> Vec<Contradiction> {
    let mut out = vec![];
    match r.sex {
        "male" if nik.female => out.push(Contradiction::Sex { nik_female: true }),
        "female" if !nik.female => out.push(Contradiction::Sex { nik_female: false }),
        _ => {}
    }
    if let Some(born) = nik.birth_date(r.on) {
        match (r.birth_date_quality, r.birth_date, r.estimated_age) {
            ("exact", Some(d), _) if d != born => out.push(Contradiction::BirthDate {
                nik: born,
                recorded: d,
            }),
            ("year_only", Some(d), _) if d.year() != born.year() => {
                out.push(Contradiction::BirthDate {
                    nik: born,
                    recorded: d,
                })
            }
            (_, _, Some(age)) => {
                let nik_age = age_on(born, r.on);
                if (nik_age - age).abs() > AGE_TOLERANCE {
                    out.push(Contradiction::Age {
                        nik_age,
                        recorded_age: age,
                    });
                }
            }
            _ => {}
        }
    }
    if let Some(home) = r.home_region {
        if home.len() >= 5 && !home.starts_with(&nik.region) {
            out.push(Contradiction::HomeRegion {
                nik_region: nik.region.clone(),
                recorded: home.to_string(),
            });
        }
    }
    out
}

/// The intake's own NIK, as evidence of who the person is and where they are from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum NikStanding {
    #[default]
    Absent,
    /// Does not decode, or something the intake recorded contradicts it (a borrowed NIK,
    /// a typing slip): it proves nothing.
    Contradicted,
    /// Decodes and nothing in the intake contradicts it: its regency of registration.
    Holds { region: String },
}

/// What a NIK typed at intake is worth: only one that decodes and that nothing recorded
/// contradicts counts (the one rule; the proposal and the case page ask it).
pub fn standing(nik: Option<&str>, r: &Recorded) -> NikStanding {
    let Some(typed) = nik.map(str::trim).filter(|n| !n.is_empty()) else {
        return NikStanding::Absent;
    };
    match Nik::parse(typed) {
        Ok(nik) if contradictions(&nik, r).is_empty() => NikStanding::Holds { region: nik.region },
        _ => NikStanding::Contradicted,
    }
}

fn age_on(born: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - born.year();
    if (on.month(), on.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    age
}

impl Contradiction {
    /// A sentence for the officer, in Indonesian or English.
    pub fn describe(&self, indonesian: bool) -> String {
        let sex = |female: bool| match (female, indonesian) {
            (true, true) => "perempuan",
            (false, true) => "laki-laki",
            (true, false) => "female",
            (false, false) => "male",
        };
        match (self, indonesian) {
            (Contradiction::Sex { nik_female }, true) => format!(
                "NIK menunjukkan {}, tetapi intake mencatat {}",
                sex(*nik_female),
                sex(!nik_female)
            ),
            (Contradiction::Sex { nik_female }, false) => format!(
                "the NIK says {}, the intake recorded {}",
                sex(*nik_female),
                sex(!nik_female)
            ),
            (Contradiction::BirthDate { nik, recorded }, true) => format!(
                "tanggal lahir menurut NIK {}, menurut intake {}",
                nik.format("%d-%m-%Y"),
                recorded.format("%d-%m-%Y")
            ),
            (Contradiction::BirthDate { nik, recorded }, false) => format!(
                "the NIK's birth date is {}, the intake's {}",
                nik.format("%d-%m-%Y"),
                recorded.format("%d-%m-%Y")
            ),
            (Contradiction::Age { nik_age, recorded_age }, true) => format!(
                "umur menurut NIK {nik_age} tahun, perkiraan intake {recorded_age} tahun"
            ),
            (Contradiction::Age { nik_age, recorded_age }, false) => format!(
                "the NIK gives age {nik_age}, the intake estimated {recorded_age}"
            ),
            (Contradiction::HomeRegion { nik_region, recorded }, true) => format!(
                "NIK diterbitkan di {nik_region}, alamat asal di intake {recorded} (bisa karena pindah)"
            ),
            (Contradiction::HomeRegion { nik_region, recorded }, false) => format!(
                "the NIK was issued in {nik_region}, the intake's home is {recorded} (people move)"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn recorded() -> Recorded<'static> {
        Recorded {
            sex: "female",
            birth_date: None,
            estimated_age: Some(40),
            birth_date_quality: "approximate",
            home_region: Some("35.78"),
            on: on(),
        }
    }

    // Born 12-08-1990, female, issued in Surabaya (35.78).
    fn nik() -> Nik {
        Nik::parse("3578015208900001").unwrap()
    }

    #[test]
    fn an_agreeing_intake_has_no_flags() {
        assert!(contradictions(&nik(), &recorded()).is_empty());
    }

    #[test]
    fn sex_age_and_region_are_each_flagged() {
        let r = Recorded {
            sex: "male",
            estimated_age: Some(60),
            home_region: Some("35.10"),
            ..recorded()
        };
        let found = contradictions(&nik(), &r);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0], Contradiction::Sex { nik_female: true });
        assert_eq!(
            found[1],
            Contradiction::Age {
                nik_age: 36,
                recorded_age: 60
            }
        );
        assert!(found[2].describe(true).contains("35.78"));
    }

    #[test]
    fn a_guess_ten_years_out_is_tolerated_an_exact_date_is_not() {
        let r = Recorded {
            estimated_age: Some(46),
            ..recorded()
        };
        assert!(contradictions(&nik(), &r).is_empty());
        let r = Recorded {
            birth_date_quality: "exact",
            birth_date: NaiveDate::from_ymd_opt(1990, 8, 21),
            estimated_age: None,
            ..recorded()
        };
        assert!(matches!(
            contradictions(&nik(), &r)[..],
            [Contradiction::BirthDate { .. }]
        ));
    }

    #[test]
    fn only_a_nik_that_decodes_and_agrees_stands() {
        assert_eq!(standing(None, &recorded()), NikStanding::Absent);
        assert_eq!(standing(Some(" "), &recorded()), NikStanding::Absent);
        assert_eq!(
            standing(Some("3578015208900001"), &recorded()),
            NikStanding::Holds {
                region: "35.78".into()
            }
        );
        let male = Recorded {
            sex: "male",
            ..recorded()
        };
        assert_eq!(
            standing(Some("3578015208900001"), &male),
            NikStanding::Contradicted
        );
        assert_eq!(
            standing(Some("3578015299900001"), &recorded()),
            NikStanding::Contradicted
        );
    }

    #[test]
    fn unknown_sex_and_home_say_nothing() {
        let r = Recorded {
            sex: "unknown",
            home_region: None,
            estimated_age: None,
            birth_date_quality: "unknown",
            ..recorded()
        };
        assert!(contradictions(&nik(), &r).is_empty());
    }
}
