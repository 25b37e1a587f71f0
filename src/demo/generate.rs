//! The pure demo generator: from the reference world and a seed, a year of pick-ups,
//! identity outcomes, repatriations and UPT stays. The same seed and end date always
//! give the same data; nothing here reads the clock or the database.
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use super::names;
use crate::clock::local_date;

/// The demo's world is East Java's: its pick-up hours, days and years are WIB by
/// construction, whatever zone the installation shows (the clock rule: days are counted
/// in a zone, never from UTC's date).
const WIB: chrono_tz::Tz = chrono_tz::Asia::Jakarta;

pub struct World {
    /// (code, seat lon, seat lat), East Java's 38 regencies.
    pub regions: Vec<(String, f64, f64)>,
    /// (village code, name) of East Java villages with a centroid.
    pub villages: Vec<(String, String)>,
    /// (code, name) of every province.
    pub provinces: Vec<(String, String)>,
    pub wards: Vec<WardInfo>,
}

#[derive(Debug, Clone)]
pub struct WardInfo {
    pub id: i64,
    /// The ward's UPT, as the placement event names it.
    pub upt: String,
    pub sex: String,
    pub need: String,
    pub beds: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoCase {
    pub key: Uuid,
    pub number: String,
    pub found_at: DateTime<Utc>,
    pub found_lon: f64,
    pub found_lat: f64,
    pub found_region: String,
    pub unit: String,
    pub officer_name: String,
    pub stated_name: String,
    pub aliases: Vec<String>,
    pub name_quality: &'static str,
    pub sex: &'static str,
    pub birth_date: Option<NaiveDate>,
    pub estimated_age: Option<i16>,
    pub birth_date_quality: &'static str,
    pub stated_home: String,
    pub home_village: Option<String>,
    pub home_region: Option<String>,
    pub home_province: Option<String>,
    pub nik: Option<String>,
    pub documents: Vec<String>,
    pub conditions: Vec<&'static str>,
    pub state: &'static str,
    pub closed_at: Option<DateTime<Utc>>,
    pub close_reason: Option<String>,
    pub events: Vec<DemoEvent>,
    pub placement: Option<DemoPlacement>,
    pub plan: Option<DemoPlan>,
}

/// One state change of a demo case.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoEvent {
    pub at: DateTime<Utc>,
    pub kind: &'static str,
    pub from: Option<&'static str>,
    pub to: &'static str,
    pub reason: String,
}

/// A stay in a ward: from, and until (None while the person is still there).
type Stay = (DateTime<Utc>, Option<DateTime<Utc>>);

#[derive(Debug, Clone, PartialEq)]
pub struct DemoPlacement {
    pub ward_id: i64,
    pub start: DateTime<Utc>,
    pub end: Option<(DateTime<Utc>, &'static str)>,
}

/// The plan home behind a case routed home: the database admits `routed_home`,
/// `in_transit` and `handed_over` only with their plan, departure and hand-over.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoPlan {
    pub decided: DateTime<Utc>,
    pub departs: Option<DateTime<Utc>>,
    /// accepted, in_transit or handed_over.
    pub state: &'static str,
}

/// A synthetic person, who may be picked up more than once.
struct Person {
    name: String,
    female: bool,
    birth: NaiveDate,
    /// East Java village code, or another province's code, or none (no address).
    home: Home,
    nik: Option<String>,
    conditions: Vec<&'static str>,
}

enum Home {
    /// Index into the world's villages.
    Village(usize),
    Province(&'static str),
    Unknown,
}

/// Where people come from (public figures 2019–2025: West Java, Central Java, East Java,
/// DKI and NTB lead), as province code and weight.
const ORIGINS: &[(&str, u32)] = &[
    ("35", 30),
    ("32", 21),
    ("33", 12),
    ("31", 7),
    ("52", 5),
    ("51", 3),
    ("34", 3),
    ("36", 3),
    ("12", 2),
    ("18", 2),
    ("16", 2),
    ("53", 2),
    ("63", 2),
    ("73", 2),
    ("71", 1),
    ("64", 1),
    ("81", 1),
    ("91", 1),
];

/// Extra pick-up weight for the big cities and transit towns.
fn pickup_weight(code: &str) -> u32 {
    match code {
        "35.78" => 30,
        "35.73" | "35.15" => 8,
        "35.09" | "35.10" | "35.07" => 5,
        "35.77" | "35.71" | "35.74" | "35.25" => 4,
        _ => 2,
    }
}

fn weighted<'a, T>(rng: &mut impl Rng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total);
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    &items[items.len() - 1].0
}

fn nik_for(rng: &mut impl Rng, prefix: &str, birth: NaiveDate, female: bool) -> String {
    let day = birth.day() + if female { 40 } else { 0 };
    format!(
        "{prefix}{day:02}{:02}{:02}{:04}",
        birth.month(),
        birth.year() % 100,
        rng.random_range(1..=9999)
    )
}

fn new_person(rng: &mut impl Rng, world: &World, today: NaiveDate) -> Person {
    let female = rng.random_bool(0.35);
    let age_years = match rng.random_range(0..100) {
        0..=6 => rng.random_range(3..17),
        7..=24 => rng.random_range(60..85),
        _ => rng.random_range(18..60),
    };
    let birth = if rng.random_bool(0.15) {
        // Registry default birth dates are common among OT.
        NaiveDate::from_ymd_opt(
            today.year() - age_years,
            if rng.random_bool(0.5) { 1 } else { 8 },
            if rng.random_bool(0.5) { 1 } else { 17 },
        )
        .unwrap()
    } else {
        today - Duration::days(age_years as i64 * 365 + rng.random_range(0..365))
    };
    let mut conditions = vec![];
    if age_years >= 60 {
        conditions.push("elderly");
    }
    if age_years < 18 {
        conditions.push("child");
    }
    if rng.random_bool(0.28) {
        conditions.push("psychosocial");
    }
    if rng.random_bool(0.06) {
        conditions.push("sick");
    }
    if rng.random_bool(0.03) {
        conditions.push("disability");
    }
    let home = if rng.random_bool(if conditions.contains(&"psychosocial") {
        0.45
    } else {
        0.12
    }) {
        Home::Unknown
    } else {
        match *weighted(rng, ORIGINS) {
            "35" => Home::Village(rng.random_range(0..world.villages.len())),
            other => Home::Province(other),
        }
    };
    let name = names::full_name(rng, female);
    let nik = match &home {
        Home::Village(v) if rng.random_bool(0.9) => {
            let prefix = world.villages[*v].0[..8].replace('.', "");
            Some(nik_for(rng, &prefix, birth, female))
        }
        Home::Province(p) => {
            let prefix = format!(
                "{p}{:02}{:02}",
                rng.random_range(1..20),
                rng.random_range(1..20)
            );
            Some(nik_for(rng, &prefix, birth, female))
        }
        _ => None,
    };
    Person {
        name,
        female,
        birth,
        home,
        nik,
        conditions,
    }
}

/// The need a placement serves: the one need rule's first (`cases::needs`).
fn need_of(p: &Person, age: i32) -> &'static str {
    use crate::cases::needs::{needs, Condition, Sex};
    let conditions: Vec<Condition> = p
        .conditions
        .iter()
        .filter_map(|c| Condition::parse(c))
        .collect();
    let sex = if p.female { Sex::Female } else { Sex::Male };
    needs(&conditions, Some(age.max(0) as u32), sex)
        .first()
        .code()
}

fn share_staying(need: &str) -> f64 {
    match need {
        "psychosocial" | "elderly" | "leprosy" => 0.8,
        "homeless" => 0.1,
        _ => 0.6,
    }
}

fn ward_fits(w: &WardInfo, need: &str, female: bool) -> bool {
    w.need == need && (w.sex == "any" || (w.sex == "female") == female)
}

fn at_time(rng: &mut impl Rng, day: NaiveDate) -> DateTime<Utc> {
    // Pick-ups happen mostly in the evening and at night (WIB = UTC+7).
    let hour_wib = *[7u32, 9, 13, 17, 19, 20, 21, 22, 23, 1]
        .choose(rng)
        .unwrap();
    let local = day
        .and_hms_opt(hour_wib, rng.random_range(0..60), 0)
        .unwrap();
    WIB.from_local_datetime(&local)
        .single()
        .expect("WIB has no daylight saving")
        .with_timezone(&Utc)
}

struct Generator<'w> {
    rng: ChaCha8Rng,
    world: &'w World,
    until: NaiveDate,
    counters: std::collections::BTreeMap<(String, i32), u32>,
    /// Per ward: the stays so far, (start, end or None while still there).
    stays: Vec<Vec<Stay>>,
}

impl Generator<'_> {
    /// Does a stay from `start` to `end` fit beside the ward's other stays, never
    /// putting more people in it than it has beds at any moment?
    fn fits(&self, ward: usize, start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> bool {
        let overlaps = |s: DateTime<Utc>, e: Option<DateTime<Utc>>| {
            e.is_none_or(|e| e > start) && end.is_none_or(|end| s < end)
        };
        let mut changes: Vec<(DateTime<Utc>, i32)> = vec![(start, 1)];
        for &(s, e) in self.stays[ward].iter().filter(|(s, e)| overlaps(*s, *e)) {
            changes.push((s.max(start), 1));
            if let Some(e) = e {
                changes.push((e, -1));
            }
        }
        // Departures before arrivals at the same instant.
        changes.sort_by_key(|&(t, d)| (t, d));
        let mut now = 0;
        for (_, d) in changes {
            now += d;
            if now > self.world.wards[ward].beds {
                return false;
            }
        }
        true
    }

    fn number(&mut self, region: &str, t: DateTime<Utc>) -> String {
        let year = local_date(t, WIB).year();
        let n = self.counters.entry((region.to_string(), year)).or_insert(0);
        *n += 1;
        let regency = crate::vocab::RegionCode::parse(region).expect("a pick-up regency");
        crate::cases::CaseNumber::new(&regency, year, (*n).into())
            .expect("a demo number fits")
            .into()
    }

    fn pickup_region(&mut self) -> (String, f64, f64) {
        let weights: Vec<((String, f64, f64), u32)> = self
            .world
            .regions
            .iter()
            .map(|r| (r.clone(), pickup_weight(&r.0)))
            .collect();
        weighted(&mut self.rng, &weights).clone()
    }

    /// One intake of `p` at `found_at`, with its case history up to `until`. A resident
    /// admitted before the demo year comes with the ward they stay in.
    fn case(
        &mut self,
        p: &Person,
        found_at: DateTime<Utc>,
        resident_of: Option<usize>,
    ) -> DemoCase {
        let (region, lon, lat) = self.pickup_region();
        let rng = &mut self.rng;
        let age = (local_date(found_at, WIB) - p.birth).num_days() as i32 / 365;
        let stated_name;
        let mut aliases = vec![];
        let name_quality;
        match rng.random_range(0..20) {
            0..=1 => {
                stated_name = String::new();
                name_quality = "unknown";
            }
            2..=3 => {
                let street = if p.female {
                    names::STREET_FEMALE
                } else {
                    names::STREET_MALE
                };
                stated_name = street.choose(rng).unwrap().to_string();
                name_quality = "alias";
            }
            4..=7 => {
                stated_name = names::as_stated(rng, &p.name, p.female);
                aliases.push(names::nickname(&p.name));
                name_quality = "partial";
            }
            _ => {
                stated_name = names::as_stated(rng, &p.name, p.female);
                name_quality = "full";
            }
        }
        let carries_id = p.nik.is_some() && rng.random_bool(0.3);
        let (birth_date, estimated_age, bdq) = if carries_id {
            (Some(p.birth), None, "exact")
        } else {
            match rng.random_range(0..10) {
                0..=1 => (None, None, "unknown"),
                2..=3 => (
                    Some(NaiveDate::from_ymd_opt(p.birth.year(), 1, 1).unwrap()),
                    None,
                    "year_only",
                ),
                _ => (
                    None,
                    Some((age + rng.random_range(-4..=4)).clamp(1, 110) as i16),
                    "approximate",
                ),
            }
        };
        let world = self.world;
        let (home_village, home_region, home_province, stated_home) = match &p.home {
            Home::Village(i) => {
                let (code, name) = &world.villages[*i];
                (
                    Some(code.clone()),
                    Some(code[..5].to_string()),
                    Some("35".to_string()),
                    format!("Desa {name}"),
                )
            }
            Home::Province(code) => {
                let name = world
                    .provinces
                    .iter()
                    .find(|p| p.0 == *code)
                    .map_or(*code, |p| p.1.as_str());
                (None, None, Some(code.to_string()), name.to_string())
            }
            Home::Unknown => (None, None, None, String::new()),
        };
        let units = ["Satpol PP", "Tim Reaksi Cepat", "Patroli Malam"];
        let opened = found_at + Duration::minutes(rng.random_range(20..180));
        let mut c = DemoCase {
            key: Uuid::from_u128(rng.random()),
            number: String::new(),
            found_at,
            found_lon: lon + rng.random_range(-0.02..0.02),
            found_lat: lat + rng.random_range(-0.02..0.02),
            found_region: region.clone(),
            unit: units.choose(rng).unwrap().to_string(),
            officer_name: format!("Petugas {}", rng.random_range(1..60)),
            stated_name,
            aliases,
            name_quality,
            sex: if p.female { "female" } else { "male" },
            birth_date,
            estimated_age,
            birth_date_quality: bdq,
            stated_home,
            home_village,
            home_region,
            home_province,
            nik: carries_id.then(|| p.nik.clone().unwrap()),
            documents: if carries_id {
                vec!["KTP".into()]
            } else {
                vec![]
            },
            conditions: p.conditions.clone(),
            state: "received",
            closed_at: None,
            close_reason: None,
            events: vec![DemoEvent {
                at: opened,
                kind: "opened",
                from: None,
                to: "received",
                reason: String::new(),
            }],
            placement: None,
            plan: None,
        };
        c.number = self.number(&region, found_at);
        self.history(&mut c, p, age, opened, resident_of);
        c
    }

    fn step(
        &self,
        c: &mut DemoCase,
        at: DateTime<Utc>,
        kind: &'static str,
        to: &'static str,
        reason: &str,
    ) -> bool {
        if local_date(at, WIB) > self.until {
            return false;
        }
        c.events.push(DemoEvent {
            at,
            kind,
            from: Some(c.state),
            to,
            reason: reason.to_string(),
        });
        c.state = to;
        true
    }

    fn history(
        &mut self,
        c: &mut DemoCase,
        p: &Person,
        age: i32,
        opened: DateTime<Utc>,
        resident_of: Option<usize>,
    ) {
        let mut t = opened + Duration::hours(self.rng.random_range(1..24));
        if !self.step(c, t, "identity_requested", "identity_pending", "") {
            return;
        }
        t += Duration::hours(self.rng.random_range(6..96));
        let identified =
            p.nik.is_some() && !matches!(p.home, Home::Unknown) && self.rng.random_bool(0.9);
        let ok = if identified {
            self.step(
                c,
                t,
                "identity_confirmed",
                "identified",
                "sidik jari cocok (DP3AK)",
            )
        } else {
            self.step(
                c,
                t,
                "identity_not_found",
                "unidentified",
                "tidak ada data biometrik yang cocok",
            )
        };
        if !ok {
            return;
        }
        let needs_care = p.conditions.contains(&"psychosocial") && self.rng.random_bool(0.5);
        if identified && !needs_care && resident_of.is_none() {
            t += Duration::hours(self.rng.random_range(12..120));
            if !self.step(
                c,
                t,
                "route_home",
                "routed_home",
                "alamat terverifikasi; layak bepergian",
            ) {
                return;
            }
            c.plan = Some(DemoPlan {
                decided: t,
                departs: None,
                state: "accepted",
            });
            t += Duration::hours(self.rng.random_range(12..72));
            if !self.step(c, t, "departed", "in_transit", "") {
                return;
            }
            c.plan = Some(DemoPlan {
                departs: Some(t),
                state: "in_transit",
                ..c.plan.clone().expect("decided above")
            });
            t += Duration::hours(self.rng.random_range(4..48));
            if self.step(
                c,
                t,
                "handed_over",
                "handed_over",
                "diterima Dinsos daerah asal",
            ) {
                c.closed_at = Some(t);
                if let Some(p) = c.plan.as_mut() {
                    p.state = "handed_over";
                }
            }
            return;
        }
        // A UPT stay in a fitting ward that has a bed for the whole stay.
        t += Duration::hours(self.rng.random_range(4..72));
        let world = self.world;
        let need = match resident_of {
            Some(w) => world.wards[w].need.as_str(),
            None => need_of(p, age),
        };
        let end_at = match resident_of {
            // Most residents from before the year are still there at its end.
            Some(_) if self.rng.random_bool(share_staying(need)) => None,
            Some(_) => {
                let days = (self.until - local_date(t, WIB)).num_days().max(1);
                Some(t + Duration::days(self.rng.random_range(0..days)))
            }
            None => {
                let mean_days: f64 = match need {
                    "psychosocial" => 420.0,
                    "elderly" => 700.0,
                    "homeless" => 21.0,
                    _ => 200.0,
                };
                let stay = -mean_days * (1.0 - self.rng.random::<f64>()).ln();
                Some(t + Duration::days(stay as i64 + 3))
                    .filter(|e| local_date(*e, WIB) <= self.until)
            }
        };
        let candidates: Vec<usize> = match resident_of {
            Some(w) => vec![w],
            None => (0..self.world.wards.len())
                .filter(|&i| ward_fits(&self.world.wards[i], need, p.female))
                .collect(),
        };
        let free: Vec<usize> = candidates
            .into_iter()
            .filter(|&i| self.fits(i, t, end_at))
            .collect();
        let Some(&ward) = free.choose(&mut self.rng) else {
            let reason = "tidak ada tempat tidur kosong; dirujuk ke shelter kabupaten/kota";
            if self.step(c, t, "closed", "closed", reason) {
                c.closed_at = Some(t);
                c.close_reason = Some(reason.into());
            }
            return;
        };
        let upt = self.world.wards[ward].upt.clone();
        if !self.step(c, t, "placed", "placed", &upt) {
            return;
        }
        let end = end_at.map(|e| {
            let reason = *["home", "family", "home", "hospital", "ran_away", "died"]
                .choose(&mut self.rng)
                .unwrap();
            c.events.push(DemoEvent {
                at: e,
                kind: "discharged",
                from: Some("placed"),
                to: "discharged",
                reason: reason.to_string(),
            });
            c.state = "discharged";
            c.closed_at = Some(e);
            (e, reason)
        });
        self.stays[ward].push((t, end_at));
        c.placement = Some(DemoPlacement {
            ward_id: self.world.wards[ward].id,
            start: t,
            end,
        });
    }
}

/// A year of history ending on `until`: ~120 pick-ups a month, repeat pick-ups of the
/// same people, and the long-stay residents already in the UPTs when the year began.
pub fn generate(world: &World, seed: u64, until: NaiveDate) -> Vec<DemoCase> {
    let mut g = Generator {
        rng: ChaCha8Rng::seed_from_u64(seed),
        world,
        until,
        counters: Default::default(),
        stays: vec![vec![]; world.wards.len()],
    };
    let start = until - Duration::days(365);
    let mut cases = vec![];

    // Residents admitted before the year: wards start between half and nearly full, a
    // few of them close to capacity so the capacity screen has something to warn about.
    let mut order: Vec<usize> = (0..world.wards.len()).collect();
    order.sort_by_key(|&i| world.wards[i].id);
    for i in order {
        let w = world.wards[i].clone();
        let share = if g.rng.random_bool(0.25) {
            g.rng.random_range(1.05..1.25)
        } else {
            g.rng.random_range(0.5..0.85)
        };
        let residents = (w.beds as f64 * share) as usize;
        for _ in 0..residents {
            let mut p = new_person(&mut g.rng, world, start);
            p.female = w.sex == "female" || (w.sex == "any" && g.rng.random_bool(0.5));
            let admitted = start - Duration::days(g.rng.random_range(10..700));
            let found = at_time(&mut g.rng, admitted);
            cases.push(g.case(&p, found, Some(i)));
        }
    }

    let mut people: Vec<Person> = vec![];
    let mut day = start + Duration::days(1);
    while day <= until {
        // About four a day, more on weekends and in the weeks before Lebaran travel.
        let weekend = day.weekday().num_days_from_monday() >= 5;
        let mean = if weekend { 4.6 } else { 3.7 };
        let n = poisson(&mut g.rng, mean);
        for _ in 0..n {
            let repeat = !people.is_empty() && g.rng.random_bool(0.12);
            let idx = if repeat {
                g.rng.random_range(0..people.len())
            } else {
                people.push(new_person(&mut g.rng, world, day));
                people.len() - 1
            };
            let found = at_time(&mut g.rng, day);
            let p = std::mem::replace(&mut people[idx], placeholder());
            let c = g.case(&p, found, None);
            people[idx] = p;
            cases.push(c);
        }
        day += Duration::days(1);
    }
    cases
}

fn placeholder() -> Person {
    Person {
        name: String::new(),
        female: false,
        birth: NaiveDate::MIN,
        home: Home::Unknown,
        nik: None,
        conditions: vec![],
    }
}

fn poisson(rng: &mut impl Rng, mean: f64) -> u32 {
    let limit = (-mean).exp();
    let mut k = 0;
    let mut p = 1.0;
    loop {
        p *= rng.random::<f64>();
        if p <= limit {
            return k;
        }
        k += 1;
    }
}
