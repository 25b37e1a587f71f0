//! Which UPT wards fit a person: the rules, without the database.
use chrono::{Datelike, NaiveDate};

/// The ward needs that serve a person, best first: the one need rule's
/// (`cases::needs`), as the `need` table's codes.
pub fn needs_of(conditions: &[String], age: Option<i32>, sex: &str) -> Vec<&'static str> {
    (crate::cases::needs::needs_of_codes(conditions, age, sex).wards)
        .into_iter()
        .map(|n| n.code())
        .collect()
}

/// Whether a ward for `ward_sex` takes a person of `sex`. A person whose sex was not
/// recorded only goes to a mixed ward until it is.
pub fn ward_takes(ward_sex: &str, sex: &str) -> bool {
    ward_sex == "any" || ward_sex == sex
}

/// A ward's admission rules (`ward` columns): who it takes, beyond which kind of bed it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Rules {
    /// `male`, `female` or `any`.
    pub sex: String,
    pub min_age: Option<i16>,
    pub max_age: Option<i16>,
    /// Needs (the `need` table's codes) it takes besides its own.
    pub needs_accepted: Vec<String>,
    /// Needs it refuses: a person with one of them is not offered the ward.
    pub needs_refused: Vec<String>,
}

/// Why a ward's rules exclude a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exclusion {
    Sex,
    TooYoung(i16),
    TooOld(i16),
    RefusedNeed(String),
}

impl Exclusion {
    /// The reason in the user's language, for the page and the API.
    pub fn words(&self, lang: simlontar_templates::Lang, need_label: &str) -> String {
        use simlontar_templates::i18n::tr;
        match self {
            Exclusion::Sex => tr(
                lang,
                "bangsal ini bukan untuk jenis kelamin orang ini",
                "this ward is not for this person's sex",
            )
            .to_string(),
            Exclusion::TooYoung(min) => match lang {
                simlontar_templates::Lang::Id => {
                    format!("bangsal ini menerima usia {min} tahun ke atas")
                }
                simlontar_templates::Lang::En => {
                    format!("this ward takes people aged {min} and over")
                }
            },
            Exclusion::TooOld(max) => match lang {
                simlontar_templates::Lang::Id => {
                    format!("bangsal ini menerima usia sampai {max} tahun")
                }
                simlontar_templates::Lang::En => format!("this ward takes people aged up to {max}"),
            },
            Exclusion::RefusedNeed(_) => match lang {
                simlontar_templates::Lang::Id => {
                    format!("bangsal ini tidak menerima kebutuhan: {need_label}")
                }
                simlontar_templates::Lang::En => {
                    format!("this ward does not take the need: {need_label}")
                }
            },
        }
    }
}

/// Whether a ward's rules take a person (sex, age in years if known, the needs of the one
/// need rule, `needs_of`): the one admission check behind the wards offered
/// (`store::candidates`) and every placement and transfer (`store::place`,
/// `store::transfer`). An unknown age is not held against the person: the band is
/// checked once an age is recorded.
pub fn admits(rules: &Rules, sex: &str, age: Option<i32>, needs: &[&str]) -> Result<(), Exclusion> {
    if !ward_takes(&rules.sex, sex) {
        return Err(Exclusion::Sex);
    }
    if let (Some(min), Some(a)) = (rules.min_age, age) {
        if a < i32::from(min) {
            return Err(Exclusion::TooYoung(min));
        }
    }
    if let (Some(max), Some(a)) = (rules.max_age, age) {
        if a > i32::from(max) {
            return Err(Exclusion::TooOld(max));
        }
    }
    if let Some(n) = needs
        .iter()
        .find(|n| rules.needs_refused.iter().any(|r| r == *n))
    {
        return Err(Exclusion::RefusedNeed(n.to_string()));
    }
    Ok(())
}

/// Age in whole years on `on`, from a birth date or an estimate made at pick-up.
pub fn age_on(
    birth_date: Option<NaiveDate>,
    estimated_age: Option<i16>,
    found_on: NaiveDate,
    on: NaiveDate,
) -> Option<i32> {
    let years = |from: NaiveDate| {
        let mut y = on.year() - from.year();
        if (on.month(), on.day()) < (from.month(), from.day()) {
            y -= 1;
        }
        y
    };
    match (birth_date, estimated_age) {
        (Some(b), _) => Some(years(b)),
        (None, Some(a)) => Some(i32::from(a) + years(found_on).max(0)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn an_unidentified_elderly_woman_needs_an_elderly_ward() {
        assert_eq!(
            needs_of(&c(&[]), Some(72), "female"),
            vec!["elderly", "homeless"]
        );
        assert_eq!(
            needs_of(&c(&["elderly"]), None, "female"),
            vec!["elderly", "homeless"]
        );
    }

    #[test]
    fn psychosocial_disability_comes_first() {
        assert_eq!(
            needs_of(&c(&["psychosocial"]), Some(70), "male"),
            vec!["psychosocial", "elderly", "homeless"]
        );
    }

    #[test]
    fn children_women_and_others() {
        assert_eq!(
            needs_of(&c(&[]), Some(3), "male"),
            vec!["toddler", "homeless"]
        );
        // Issue 23: a child is not offered youth wards (PSBR takes 18 to 22), and a
        // woman with no other need waits in the transit ward, not in Bina Karya Wanita.
        assert_eq!(
            needs_of(&c(&[]), Some(12), "female"),
            vec!["child", "homeless"]
        );
        assert_eq!(needs_of(&c(&[]), Some(30), "female"), vec!["homeless"]);
        assert_eq!(
            needs_of(&c(&["pregnant"]), Some(30), "female"),
            vec!["women", "homeless"]
        );
        assert_eq!(needs_of(&c(&[]), None, "male"), vec!["homeless"]);
    }

    #[test]
    fn wards_take_their_sex_and_mixed_wards_anyone() {
        assert!(ward_takes("female", "female"));
        assert!(!ward_takes("male", "female"));
        assert!(ward_takes("any", "unknown"));
        assert!(!ward_takes("male", "unknown"));
    }

    #[test]
    fn admission_rules_exclude_by_sex_age_band_and_refused_need() {
        let rules = Rules {
            sex: "any".into(),
            min_age: Some(18),
            max_age: Some(59),
            needs_accepted: vec![],
            needs_refused: vec!["psychosocial".into()],
        };
        assert_eq!(admits(&rules, "male", Some(30), &["homeless"]), Ok(()));
        assert_eq!(admits(&rules, "unknown", None, &["homeless"]), Ok(()));
        assert_eq!(
            admits(&rules, "male", Some(17), &["child", "homeless"]),
            Err(Exclusion::TooYoung(18))
        );
        assert_eq!(
            admits(&rules, "female", Some(60), &["homeless"]),
            Err(Exclusion::TooOld(59))
        );
        assert_eq!(
            admits(&rules, "male", Some(30), &["psychosocial", "homeless"]),
            Err(Exclusion::RefusedNeed("psychosocial".into()))
        );
        let men = Rules {
            sex: "male".into(),
            ..Rules::default()
        };
        assert_eq!(admits(&men, "female", Some(30), &[]), Err(Exclusion::Sex));
    }

    #[test]
    fn age_counts_from_birth_or_from_the_estimate() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            age_on(
                Some(d("1960-12-01")),
                None,
                d("2026-01-01"),
                d("2026-11-23")
            ),
            Some(65)
        );
        assert_eq!(
            age_on(None, Some(60), d("2024-11-01"), d("2026-11-23")),
            Some(62)
        );
        assert_eq!(age_on(None, None, d("2024-11-01"), d("2026-11-23")), None);
    }
}
