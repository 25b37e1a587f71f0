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
