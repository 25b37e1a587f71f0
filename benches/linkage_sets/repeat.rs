//! One file of intakes over ten years in which the same people are picked up again and
//! again (deduplication). A person is found in different regencies, gives a full name
//! one night and a call name or a street name ("Mbah Gimbal") the next, rarely knows
//! their birth date, and each officer guesses their age anew from their face — rounded to
//! five years more often than not — so the birth year written down moves with every
//! pick-up. The home region is known to any precision or not at all, and some officers
//! write the place of pick-up instead. A few carry a KTP, read with slips.
use chrono::{Datelike, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{
    cut_region, date_between, digit_slip, east_java_regency, nik, normal, spec, village_code, Set,
};

#[derive(Debug, Clone, Copy)]
pub struct Profile {
    pub name: &'static str,
    /// Mean pick-ups of a person who is picked up more than once.
    pub returns: f64,
    /// Spread of a guessed age in years, and whether the year is marked as a guess.
    pub guess_sd: f64,
    pub marked: bool,
    pub street_name: f64,
    pub honorific: f64,
    pub pickup_as_home: f64,
    pub ktp: f64,
}

pub const PLAIN: Profile = Profile {
    name: "plain years",
    returns: 2.5,
    guess_sd: 5.0,
    marked: false,
    street_name: 0.1,
    honorific: 0.3,
    pickup_as_home: 0.2,
    ktp: 0.3,
};

pub const MARKED: Profile = Profile {
    name: "marked guesses",
    returns: 3.5,
    guess_sd: 7.0,
    marked: true,
    street_name: 0.2,
    honorific: 0.4,
    pickup_as_home: 0.3,
    ktp: 0.2,
};

const MALE: &[(&str, &str)] = &[
    ("Sukirno", "Kirno"),
    ("Paijo", "Jo"),
    ("Slamet Riyadi", "Met"),
    ("Sutrisno", "Tris"),
    ("Suparno", "Parno"),
    ("Kasimun", "Mun"),
    ("Tukiran", "Kiran"),
    ("Ngatemin", "Temin"),
    ("Sarimin", "Min"),
    ("Legiman", "Legi"),
    ("Abdul Rochim", "Dul"),
    ("Moch. Sholeh", "Mat"),
    ("Bejo Santoso", "Bejo"),
    ("Jumadi", "Jum"),
    ("Rasimun", "Simun"),
    ("Ponijan", "Jan"),
    ("Karto Sumarto", "Karto"),
    ("Hasan Basri", "Hasan"),
    ("Marsudi", "Sudi"),
    ("Darsono", "Darso"),
    ("Supardi", "Pardi"),
    ("Wagimin", "Gimin"),
    ("Rusdi", "Rus"),
    ("Kasdulah", "Dulah"),
    ("Misnadi", "Misna"),
    ("Sanusi", "Nusi"),
    ("Tohari", "Hari"),
    ("Jaelani", "Jae"),
    ("Suyitno", "Yitno"),
    ("Sumadi Wiryo", "Madi"),
];
const FEMALE: &[(&str, &str)] = &[
    ("Tukinem", "Nem"),
    ("Painem", "Inem"),
    ("Sumirah", "Mirah"),
    ("Ngatiyem", "Yem"),
    ("Kasiyah", "Siyah"),
    ("Poniyem", "Poni"),
    ("Siti Komariyah", "Komar"),
    ("Juminten", "Minten"),
    ("Sarinah", "Inah"),
    ("Sulasmi", "Lasmi"),
    ("Rukayah", "Ayah"),
    ("Marsinah", "Sinah"),
    ("Wartini", "Tini"),
    ("Mbok Sainah", "Sainah"),
    ("Suparmi", "Parmi"),
    ("Tumini", "Mini"),
    ("Darmi Lestari", "Darmi"),
    ("Nyai Aminah", "Minah"),
    ("Kustiyah", "Kus"),
    ("Satinem", "Tinem"),
];
const EXTRA: &[&str] = &[
    "Wiryo", "Sastro", "Atmojo", "Prawiro", "Dikromo", "Kromo", "Rejo", "Mulyo", "Utomo", "Wongso",
    "Harjo", "Setro", "Pawiro", "Dimejo", "Karyo", "Sentono", "Dirjo", "Suwito", "Marto",
    "Kartono", "Joyo", "Pawiro", "Ngadino", "Wiyono", "Darmo", "Slamet", "Sukarto", "Rahayu",
    "Lestari", "Wahyuni",
];
const STREET: &[&str] = &[
    "Gimbal", "Kumis", "Gundul", "Ireng", "Gendut", "Kribo", "Jenggot", "Pincang", "Bisu", "Codet",
    "Brewok", "Cilik", "Dowo", "Sinting", "Koplo",
];
const HONORIFIC_M: &[&str] = &["Pak", "Mbah", "Cak", "Kang", "Om", "Mas", "Lik"];
const HONORIFIC_F: &[&str] = &["Bu", "Mbah", "Mak", "Mbok", "Yu", "Ning", "Mbak"];

struct Person {
    name: String,
    call: String,
    street: Option<String>,
    female: bool,
    born: NaiveDate,
    village: String,
    nik: Option<String>,
    mother: String,
}

fn person(rng: &mut impl Rng, serial: u32, r: &Profile) -> Person {
    let female = rng.random_bool(0.35);
    let (name, call) = *(if female { FEMALE } else { MALE }).choose(rng).unwrap();
    // Javanese elders often carry a second (old) name.
    let name = if rng.random_bool(0.7) && !name.contains(' ') {
        format!("{name} {}", EXTRA.choose(rng).unwrap())
    } else {
        name.to_string()
    };
    let born = date_between(rng, 1938, 2004);
    let village = village_code(
        35,
        east_java_regency(rng),
        rng.random_range(1..=22),
        rng.random_range(2001..=2016),
    );
    let street = rng.random_bool(r.street_name).then(|| {
        let h = (if female { HONORIFIC_F } else { HONORIFIC_M })
            .choose(rng)
            .unwrap();
        format!("{h} {}", STREET.choose(rng).unwrap())
    });
    Person {
        nik: rng
            .random_bool(r.ktp)
            .then(|| nik(&village, born, female, serial)),
        name,
        call: call.to_string(),
        street,
        female,
        born,
        village,
        mother: FEMALE.choose(rng).unwrap().0.to_string(),
    }
}

fn written_name(rng: &mut impl Rng, p: &Person, r: &Profile) -> String {
    let name = match (rng.random_range(0..20), &p.street) {
        (0..=3, Some(s)) => return s.to_uppercase(),
        (0..=9, _) => p.name.clone(),
        (10..=12, _) => p.name.split(' ').next().unwrap().to_string(),
        (13..=16, _) => p.call.clone(),
        (17..=18, _) => {
            // Misheard: one letter changed.
            let mut c: Vec<char> = p.name.chars().collect();
            let i = rng.random_range(1..c.len() - 1);
            c[i] = match c[i] {
                'a' => 'o',
                'o' => 'u',
                'i' => 'e',
                'e' => 'i',
                'u' => 'o',
                'd' => 't',
                't' => 'd',
                'k' => 'g',
                _ => c[i],
            };
            c.into_iter().collect()
        }
        _ => return String::new(),
    };
    let name = if rng.random_bool(r.honorific) {
        let h = (if p.female { HONORIFIC_F } else { HONORIFIC_M })
            .choose(rng)
            .unwrap();
        if rng.random_bool(0.3) {
            format!("{h}{}", name.to_lowercase())
        } else {
            format!("{h} {name}")
        }
    } else {
        name
    };
    if rng.random_bool(0.7) {
        name.to_uppercase()
    } else {
        name
    }
}

fn pickup(rng: &mut impl Rng, id: String, p: &Person, r: &Profile, on: NaiveDate) -> Vec<String> {
    let born = match rng.random_range(0..20) {
        0..=2 => p.born.to_string(),
        3 => p.born.year().to_string(),
        4..=6 => String::new(),
        _ => {
            let age = (on.year() - p.born.year()) as f64 + r.guess_sd * normal(rng);
            let age = if rng.random_bool(0.6) {
                (age / 5.0).round() * 5.0
            } else {
                age.round()
            };
            let year = on.year() - age.max(1.0) as i32;
            if r.marked {
                format!("±{year}")
            } else {
                year.to_string()
            }
        }
    };
    let region = if rng.random_bool(r.pickup_as_home) {
        cut_region(&village_code(35, east_java_regency(rng), 1, 1), 2)
    } else {
        match rng.random_range(0..10) {
            0..=1 => p.village.clone(),
            2..=3 => cut_region(&p.village, 3),
            4..=6 => cut_region(&p.village, 2),
            _ => String::new(),
        }
    };
    let nik = match &p.nik {
        Some(n) if rng.random_bool(0.5) => {
            if rng.random_bool(0.2) {
                digit_slip(rng, n)
            } else {
                n.clone()
            }
        }
        _ => String::new(),
    };
    let sex = if rng.random_bool(0.05) {
        String::new()
    } else {
        (if p.female { "P" } else { "L" }).to_string()
    };
    let mother = if rng.random_bool(0.1) {
        p.mother.clone()
    } else {
        String::new()
    };
    vec![id, written_name(rng, p, r), born, sex, nik, region, mother]
}

/// About `n` pick-ups of people, many of them picked up more than once.
pub fn set(n: usize, seed: u64, r: &Profile) -> Set {
    let mut rng = ChaCha8Rng::seed_from_u64(seed.rotate_left(17) ^ 0x007e_9ea7);
    let mut events: Vec<(NaiveDate, u64)> = Vec::new();
    let mut people = Vec::new();
    while events.len() < n {
        let k = people.len();
        let p = person(&mut rng, k as u32, r);
        let times = if rng.random_bool(0.5) {
            1
        } else {
            // Geometric around the profile's mean.
            let mut t = 2;
            while t < 8 && rng.random_bool(1.0 - 1.0 / (r.returns - 1.0)) {
                t += 1;
            }
            t
        };
        for _ in 0..times {
            events.push((date_between(&mut rng, 2016, 2026), k as u64));
        }
        people.push(p);
    }
    events.truncate(n);
    events.sort_unstable();
    let mut rows = Vec::with_capacity(n);
    let mut who = Vec::with_capacity(n);
    for (i, (on, k)) in events.iter().enumerate() {
        rows.push(pickup(
            &mut rng,
            format!("T{i}"),
            &people[*k as usize],
            r,
            *on,
        ));
        who.push(*k);
    }
    Set {
        name: format!("repeat pick-ups {} {n} seed {seed}", r.name),
        spec: spec("none"),
        files: vec![rows],
        people: vec![who],
    }
}
