//! Which UPT wards fit a person: the rules, without the database.
use chrono::{Datelike, NaiveDate};

/// The ward needs that serve a person, best first. A psychosocial disability decides
/// first (Bina Laras wards), then age (children, the elderly), then other disabilities;
/// everyone else is served as a stranded or homeless person (Bina Karya wards).
pub fn needs_of(conditions: &[String], age: Option<i32>, sex: &str) -> Vec<&'static str> {
    let has = |c: &str| conditions.iter().any(|x| x == c);
    let mut needs = vec![];
    if has("psychosocial") {
        needs.push("psychosocial");
    }
    match age {
        Some(a) if a < 5 => needs.push("toddler"),
        Some(a) if a < 18 => needs.extend(["child", "youth"]),
        Some(a) if a >= 60 => needs.push("elderly"),
        _ if has("child") => needs.extend(["child", "youth"]),
        _ if has("elderly") => needs.push("elderly"),
        _ => {}
    }
    if has("disability") {
        needs.push("physical_disability");
    }
    if sex == "female" && needs.is_empty() {
        needs.push("women");
    }
    needs.push("homeless");
    needs
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

/// How a stay ends.
pub const DISCHARGE_REASONS: [&str; 5] = ["home", "family", "hospital", "died", "ran_away"];

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
        assert_eq!(
            needs_of(&c(&[]), Some(12), "female"),
            vec!["child", "youth", "homeless"]
        );
        assert_eq!(
            needs_of(&c(&[]), Some(30), "female"),
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
