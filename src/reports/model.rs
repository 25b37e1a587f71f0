//! The report's figures, computed from facts read once (`store`): pure, so each rule (what
//! counts as "home by relay", which stays are "past one year", how a percentile is taken)
//! lives here once and is tested without a database.
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// The period a report covers: a calendar month or year in the office's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Month { year: i32, month: u32 },
    Year { year: i32 },
}

impl Period {
    /// `2026-11` for a month.
    pub fn parse_month(s: &str) -> Option<Period> {
        let (y, m) = s.trim().split_once('-')?;
        let (year, month) = (y.parse().ok()?, m.parse().ok()?);
        (y.len() == 4 && m.len() == 2 && (2000..=2999).contains(&year) && (1..=12).contains(&month))
            .then_some(Period::Month { year, month })
    }

    pub fn parse_year(s: &str) -> Option<Period> {
        let year: i32 = s.trim().parse().ok()?;
        (s.trim().len() == 4 && (2000..=2999).contains(&year)).then_some(Period::Year { year })
    }

    /// `2026-11` or `2026`: the value the page's form and the export's file name use.
    pub fn code(self) -> String {
        match self {
            Period::Month { year, month } => format!("{year}-{month:02}"),
            Period::Year { year } => year.to_string(),
        }
    }

    /// The months the period spans, each as (first day, first day of the next month).
    pub fn months(self) -> Vec<(NaiveDate, NaiveDate)> {
        let (year, first, last) = match self {
            Period::Month { year, month } => (year, month, month),
            Period::Year { year } => (year, 1, 12),
        };
        (first..=last)
            .map(|m| {
                let start = NaiveDate::from_ymd_opt(year, m, 1).expect("valid month");
                (start, next_month(start))
            })
            .collect()
    }

    /// [start, end) as instants, midnight to midnight in `tz`.
    pub fn bounds(self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        let months = self.months();
        (
            instant(months[0].0, tz),
            instant(months[months.len() - 1].1, tz),
        )
    }
}

fn next_month(d: NaiveDate) -> NaiveDate {
    if d.month() == 12 {
        NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
    }
    .expect("valid month")
}

/// Local midnight of `d` as an instant (WIB has no daylight saving, so it is never ambiguous).
pub fn instant(d: NaiveDate, tz: Tz) -> DateTime<Utc> {
    tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
        .earliest()
        .expect("midnight exists")
        .with_timezone(&Utc)
}

/// One case picked up in the period, as the report needs it.
#[derive(Debug, Clone)]
pub struct CaseFacts {
    pub number: String,
    pub found_at: DateTime<Utc>,
    pub found_region: String,
    pub home_region: Option<String>,
    pub home_province: Option<String>,
    pub sex: String,
    pub age: Option<i32>,
    pub conditions: Vec<String>,
    pub state: String,
    /// Why the last stay in a UPT ended, when it did.
    pub last_stay_end: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub handed_over_at: Option<DateTime<Utc>>,
    /// Linked (accepted) to an earlier pick-up less than 12 months before this one.
    pub picked_up_again: bool,
}

/// A refusal to receive someone, recorded in the period.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The hand-over office's region (or province), else the person's home regency.
    pub region: Option<String>,
}

/// A hand-over notice sent in the period.
#[derive(Debug, Clone)]
pub struct Notice {
    pub office: String,
    pub sent_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// A stay in a UPT that overlaps the period.
#[derive(Debug, Clone)]
pub struct Stay {
    pub upt: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub end_reason: Option<String>,
}

/// One leg of a plan that was travelled (departed) in the period.
#[derive(Debug, Clone)]
pub struct LegCost {
    pub paid_by: String,
    pub fare_idr: i64,
}

/// Everything the report is computed from, already limited to the viewer's scope.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub cases: Vec<CaseFacts>,
    pub refusals: Vec<Refusal>,
    pub notices: Vec<Notice>,
    pub stays: Vec<Stay>,
    /// Waiting-list entries: (since, resolved at).
    pub waiting: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    pub legs: Vec<LegCost>,
}

/// Where a case stands, for the outcome table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    HomeEastJava,
    HomeRelay,
    Upt,
    Hospital,
    Died,
    RanAway,
    ClosedOther,
    Open,
}

pub const OUTCOMES: [Outcome; 8] = [
    Outcome::HomeEastJava,
    Outcome::HomeRelay,
    Outcome::Upt,
    Outcome::Hospital,
    Outcome::Died,
    Outcome::RanAway,
    Outcome::ClosedOther,
    Outcome::Open,
];

impl CaseFacts {
    /// Home is reached by hand-over, or by discharge home or to the family; whether it is by
    /// relay depends on the home province (East Java's own are taken to their regency).
    pub fn outcome(&self) -> Outcome {
        let home = || match self.home_province.as_deref() {
            Some(p) if p != "35" => Outcome::HomeRelay,
            _ => Outcome::HomeEastJava,
        };
        match (self.state.as_str(), self.last_stay_end.as_deref()) {
            ("handed_over", _) => home(),
            ("discharged", Some("home" | "family")) => home(),
            ("discharged", Some("hospital")) => Outcome::Hospital,
            ("discharged", Some("died")) => Outcome::Died,
            ("discharged", Some("ran_away")) => Outcome::RanAway,
            ("discharged" | "closed", _) => Outcome::ClosedOther,
            ("placed", _) => Outcome::Upt,
            _ => Outcome::Open,
        }
    }
}

/// Age groups as the ministry's tables use them.
pub const AGE_GROUPS: [&str; 6] = ["0-17", "18-29", "30-44", "45-59", "60+", "unknown"];

pub fn age_group(age: Option<i32>) -> &'static str {
    match age {
        None => "unknown",
        Some(a) if a < 18 => "0-17",
        Some(a) if a < 30 => "18-29",
        Some(a) if a < 45 => "30-44",
        Some(a) if a < 60 => "45-59",
        Some(_) => "60+",
    }
}

/// Median and 90th percentile of a set of durations, in hours.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Spread {
    pub n: usize,
    pub median: Option<f64>,
    pub p90: Option<f64>,
}

/// The nearest-rank percentile (the value at rank ⌈p·n⌉): always one of the values, so a
/// reader can find the case it came from.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

pub fn spread(mut hours: Vec<f64>) -> Spread {
    hours.sort_by(f64::total_cmp);
    Spread {
        n: hours.len(),
        median: percentile(&hours, 0.5),
        p90: percentile(&hours, 0.9),
    }
}

fn hours(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_seconds() as f64 / 3600.0
}

#[derive(Debug, Clone, PartialEq)]
pub struct OfficeAck {
    pub office: String,
    pub notices: i64,
    pub open: i64,
    pub hours: Spread,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UptFigures {
    pub upt: String,
    /// Residents at the end of each month of the period (or now, for the month under way).
    pub occupancy: Vec<i64>,
    pub admissions: i64,
    pub discharges: BTreeMap<String, i64>,
    /// Length of the stays that ended in the period, in days.
    pub stay_days: Spread,
    /// Residents at the end of the period who had been there more than a year.
    pub past_one_year: i64,
    pub deaths: i64,
}

/// Who paid for the journeys: the province, a regency, or the relay province.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PayerKind {
    Province,
    Regency,
    RelayProvince,
}

pub fn payer_kind(paid_by: &str) -> PayerKind {
    if paid_by == crate::routing::plan::PROVINCE_BUDGET {
        PayerKind::Province
    } else if paid_by.starts_with("APBD Provinsi ") {
        PayerKind::RelayProvince
    } else {
        PayerKind::Regency
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub period: Period,
    pub picked_up: i64,
    pub by_pickup_region: BTreeMap<String, i64>,
    /// Origin province (`""` when not known).
    pub by_origin_province: BTreeMap<String, i64>,
    /// Origin regency (`""` when not known).
    pub by_origin_region: BTreeMap<String, i64>,
    pub by_sex: BTreeMap<String, i64>,
    pub by_age_group: BTreeMap<&'static str, i64>,
    pub by_condition: BTreeMap<String, i64>,
    /// The intake records no cause yet (issue 25 adds it): all are "not recorded".
    pub cause_not_recorded: i64,
    pub outcomes: BTreeMap<Outcome, i64>,
    pub to_decision: Spread,
    pub to_handover: Spread,
    pub picked_up_again: i64,
    pub refusals_by_region: BTreeMap<String, i64>,
    pub acknowledgements: Vec<OfficeAck>,
    pub upts: Vec<UptFigures>,
    pub waiting_at_end: i64,
    pub money: Vec<(String, PayerKind, i64)>,
    /// The month ends occupancy is taken at (capped at `now`).
    pub occupancy_at: Vec<DateTime<Utc>>,
}

fn count<K: Ord>(map: &mut BTreeMap<K, i64>, key: K) {
    *map.entry(key).or_insert(0) += 1;
}

/// The report for `period` from `facts`; `now` caps the month under way.
pub fn compute(period: Period, tz: Tz, now: DateTime<Utc>, facts: &Facts) -> Report {
    let (start, end) = period.bounds(tz);
    let end_or_now = end.min(now);
    let mut r = Report {
        period,
        picked_up: facts.cases.len() as i64,
        by_pickup_region: BTreeMap::new(),
        by_origin_province: BTreeMap::new(),
        by_origin_region: BTreeMap::new(),
        by_sex: BTreeMap::new(),
        by_age_group: AGE_GROUPS.iter().map(|g| (*g, 0)).collect(),
        by_condition: BTreeMap::new(),
        cause_not_recorded: facts.cases.len() as i64,
        outcomes: OUTCOMES.iter().map(|o| (*o, 0)).collect(),
        to_decision: Spread::default(),
        to_handover: Spread::default(),
        picked_up_again: 0,
        refusals_by_region: BTreeMap::new(),
        acknowledgements: vec![],
        upts: vec![],
        waiting_at_end: 0,
        money: vec![],
        occupancy_at: period
            .months()
            .iter()
            .map(|(_, e)| instant(*e, tz).min(now))
            .collect(),
    };
    let (mut decision, mut handover) = (vec![], vec![]);
    for c in &facts.cases {
        count(&mut r.by_pickup_region, c.found_region.clone());
        count(
            &mut r.by_origin_province,
            c.home_province.clone().unwrap_or_default(),
        );
        count(
            &mut r.by_origin_region,
            c.home_region.clone().unwrap_or_default(),
        );
        count(&mut r.by_sex, c.sex.clone());
        count(&mut r.by_age_group, age_group(c.age));
        for cond in &c.conditions {
            count(&mut r.by_condition, cond.clone());
        }
        if c.conditions.is_empty() {
            count(&mut r.by_condition, String::new());
        }
        count(&mut r.outcomes, c.outcome());
        if let Some(d) = c.decided_at {
            decision.push(hours(c.found_at, d));
        }
        if let Some(h) = c.handed_over_at {
            handover.push(hours(c.found_at, h));
        }
        r.picked_up_again += i64::from(c.picked_up_again);
    }
    r.to_decision = spread(decision);
    r.to_handover = spread(handover);
    for f in &facts.refusals {
        count(
            &mut r.refusals_by_region,
            f.region.clone().unwrap_or_default(),
        );
    }
    let mut offices: BTreeMap<&str, (i64, Vec<f64>)> = BTreeMap::new();
    for n in &facts.notices {
        let e = offices.entry(&n.office).or_default();
        e.0 += 1;
        if let Some(a) = n.acknowledged_at {
            e.1.push(hours(n.sent_at, a));
        }
    }
    r.acknowledgements = offices
        .into_iter()
        .map(|(office, (notices, acks))| OfficeAck {
            office: office.to_string(),
            notices,
            open: notices - acks.len() as i64,
            hours: spread(acks),
        })
        .collect();
    let mut upts: BTreeMap<&str, Vec<&Stay>> = BTreeMap::new();
    for s in &facts.stays {
        upts.entry(&s.upt).or_default().push(s);
    }
    let within = |t: DateTime<Utc>| t >= start && t < end;
    let open_at =
        |s: &Stay, t: DateTime<Utc>| s.started_at < t && s.ended_at.is_none_or(|e| e >= t);
    r.upts = upts
        .into_iter()
        .map(|(upt, stays)| {
            let mut discharges = BTreeMap::new();
            let mut days = vec![];
            for s in stays.iter().filter(|s| s.ended_at.is_some_and(within)) {
                count(&mut discharges, s.end_reason.clone().unwrap_or_default());
                days.push(hours(s.started_at, s.ended_at.expect("ended")) / 24.0);
            }
            UptFigures {
                upt: upt.to_string(),
                occupancy: r
                    .occupancy_at
                    .iter()
                    .map(|t| stays.iter().filter(|s| open_at(s, *t)).count() as i64)
                    .collect(),
                admissions: stays.iter().filter(|s| within(s.started_at)).count() as i64,
                deaths: discharges.get("died").copied().unwrap_or(0),
                discharges,
                stay_days: spread(days),
                past_one_year: stays
                    .iter()
                    .filter(|s| {
                        open_at(s, end_or_now) && end_or_now - s.started_at > Duration::days(365)
                    })
                    .count() as i64,
            }
        })
        .collect();
    r.waiting_at_end = facts
        .waiting
        .iter()
        .filter(|(since, done)| *since < end_or_now && done.is_none_or(|d| d >= end_or_now))
        .count() as i64;
    let mut money: BTreeMap<&str, i64> = BTreeMap::new();
    for l in &facts.legs {
        *money.entry(&l.paid_by).or_default() += l.fare_idr;
    }
    r.money = money
        .into_iter()
        .map(|(p, v)| (p.to_string(), payer_kind(p), v))
        .collect();
    r.money.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(state: &str, end: Option<&str>, province: Option<&str>) -> CaseFacts {
        CaseFacts {
            number: "OT-3578-2026-000001".into(),
            found_at: Utc::now(),
            found_region: "35.78".into(),
            home_region: None,
            home_province: province.map(String::from),
            sex: "male".into(),
            age: Some(40),
            conditions: vec![],
            state: state.into(),
            last_stay_end: end.map(String::from),
            decided_at: None,
            handed_over_at: None,
            picked_up_again: false,
        }
    }

    #[test]
    fn outcomes_follow_state_stay_and_home_province() {
        assert_eq!(
            case("handed_over", None, Some("35")).outcome(),
            Outcome::HomeEastJava
        );
        assert_eq!(
            case("handed_over", None, Some("32")).outcome(),
            Outcome::HomeRelay
        );
        assert_eq!(
            case("discharged", Some("family"), Some("33")).outcome(),
            Outcome::HomeRelay
        );
        assert_eq!(
            case("discharged", Some("died"), None).outcome(),
            Outcome::Died
        );
        assert_eq!(
            case("discharged", Some("ran_away"), None).outcome(),
            Outcome::RanAway
        );
        assert_eq!(
            case("discharged", Some("hospital"), None).outcome(),
            Outcome::Hospital
        );
        assert_eq!(case("placed", None, None).outcome(), Outcome::Upt);
        assert_eq!(case("closed", None, None).outcome(), Outcome::ClosedOther);
        assert_eq!(
            case("in_transit", None, Some("35")).outcome(),
            Outcome::Open
        );
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), Some(5.0));
        assert_eq!(percentile(&v, 0.9), Some(9.0));
        assert_eq!(percentile(&[7.0], 0.9), Some(7.0));
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn periods_parse_strictly_and_span_local_midnights() {
        assert_eq!(
            Period::parse_month("2026-11"),
            Some(Period::Month {
                year: 2026,
                month: 11
            })
        );
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "", "abcd-ef"] {
            assert_eq!(Period::parse_month(bad), None, "{bad}");
        }
        assert_eq!(
            Period::parse_year("2026"),
            Some(Period::Year { year: 2026 })
        );
        assert_eq!(Period::parse_year("20261"), None);
        let (s, e) = Period::Month {
            year: 2026,
            month: 12,
        }
        .bounds(chrono_tz::Asia::Jakarta);
        assert_eq!(s.to_rfc3339(), "2026-11-30T17:00:00+00:00");
        assert_eq!(e.to_rfc3339(), "2026-12-31T17:00:00+00:00");
        assert_eq!(Period::Year { year: 2026 }.months().len(), 12);
    }

    #[test]
    fn payers_are_told_apart_by_their_budget() {
        assert_eq!(payer_kind("APBD Provinsi Jawa Timur"), PayerKind::Province);
        assert_eq!(
            payer_kind("APBD Provinsi Jawa Tengah"),
            PayerKind::RelayProvince
        );
        assert_eq!(payer_kind("APBD Kabupaten Jember"), PayerKind::Regency);
    }
}
