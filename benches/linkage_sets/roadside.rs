//! A clean civil register against intakes written at the roadside: the register holds
//! everyone (some older people under the pre-1972 spelling); a share of the intakes are
//! register people, written down at night by an officer who hears the name, guesses the
//! age, writes the region the person names (or the place of pick-up) and copies a NIK
//! from a worn card. Names are built from Javanese syllables, Arabic names and Madurese
//! names, so there are thousands of distinct ones.
use chrono::{Datelike, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{
    cut_region, date_between, digit_slip, east_java_regency, nik, normal, spec, village_code,
    weighted, Set,
};

/// Rates of the intake's errors.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    pub name: &'static str,
    /// An honorific or kinship word before the name, and of those, glued to it.
    pub honorific: f64,
    pub glued: f64,
    /// Vowels doubled or the name written in the pre-1972 spelling.
    pub doubled: f64,
    pub old_spelling: f64,
    /// Typing or hearing slips in the name.
    pub typo: f64,
    /// Only a call name, or the first word of a longer name.
    pub call_name: f64,
    /// The birth date: the age guessed (a birth year from it), and its spread in years.
    pub guessed: f64,
    pub guess_sd: f64,
    /// A guessed birth year written as `~1966` (else as a plain year).
    pub marked: f64,
    /// Home region known to the village, district, regency; or the pick-up regency
    /// written instead of the home.
    pub region: [f64; 4],
    pub pickup_as_home: f64,
    /// A NIK copied, and of those, with a slip.
    pub nik: f64,
    pub nik_slip: f64,
}

pub const LIGHT: Profile = Profile {
    name: "light",
    honorific: 0.2,
    glued: 0.2,
    doubled: 0.05,
    old_spelling: 0.1,
    typo: 0.1,
    call_name: 0.1,
    guessed: 0.4,
    guess_sd: 4.0,
    marked: 0.8,
    region: [0.3, 0.2, 0.3, 0.2],
    pickup_as_home: 0.1,
    nik: 0.35,
    nik_slip: 0.15,
};

pub const HEAVY: Profile = Profile {
    name: "heavy",
    honorific: 0.45,
    glued: 0.35,
    doubled: 0.15,
    old_spelling: 0.2,
    typo: 0.2,
    call_name: 0.15,
    guessed: 0.7,
    guess_sd: 6.0,
    marked: 0.3,
    region: [0.15, 0.15, 0.4, 0.3],
    pickup_as_home: 0.25,
    nik: 0.25,
    nik_slip: 0.3,
};

const M_START: &[&str] = &[
    "Su", "Sla", "Wa", "Pa", "Tu", "Ka", "Sar", "Har", "Mar", "Sut", "Sup", "Sum", "Yu", "Ju",
    "Dar", "Bas", "Nar", "Ra", "Gun", "Wi", "Sis", "Pur", "Tar", "Jum", "Kus", "Prap", "Ngad",
    "Sai", "Kas", "Mu",
];
const M_MID: &[&str] = &[
    "kar", "par", "tar", "man", "mar", "yan", "jo", "wo", "ri", "gi", "di", "mi", "ya", "wan",
    "har", "dar", "ra", "", "",
];
const M_END: &[&str] = &[
    "no", "to", "di", "man", "jo", "yo", "ri", "in", "an", "at", "wan", "ono", "anto", "adi",
];
const F_START: &[&str] = &[
    "Su", "Sri", "Wa", "Pa", "Tu", "Ka", "Sar", "Ngat", "Mar", "Jum", "Kas", "Las", "Rus", "Sum",
    "War", "Tum", "Pai", "Sul", "Yu", "Wul", "Mis", "Kar", "Ru",
];
const F_MID: &[&str] = &["mi", "ri", "ni", "ti", "ya", "wi", "la", "", "", ""];
const F_END: &[&str] = &[
    "ati", "ani", "ini", "yem", "nah", "tun", "ah", "iyah", "sih", "yati", "nem", "ni", "tin",
];
const ARABIC_M: &[&str] = &[
    "Rohman", "Rohim", "Ghofur", "Kholiq", "Aziz", "Hamid", "Karim", "Majid", "Wahid", "Rofiq",
    "Fauzi", "Syaiful", "Khoirul", "Zainal", "Mustofa", "Imron", "Ridwan", "Hasan", "Husein",
    "Sholeh", "Yusuf", "Ismail", "Hidayat", "Arifin", "Syamsul", "Ghozali", "Mahmud", "Zuhri",
];
const ARABIC_F: &[&str] = &[
    "Aminah",
    "Fatimah",
    "Khotijah",
    "Maryam",
    "Zubaidah",
    "Rohmah",
    "Nurhayati",
    "Musyarofah",
    "Zulaikha",
    "Halimah",
    "Sholihah",
    "Khoiriyah",
    "Masruroh",
    "Mukaromah",
    "Asiyah",
    "Rofiah",
];
const MADURA_M: &[&str] = &[
    "Matrawi", "Sahrawi", "Busiri", "Juhari", "Holil", "Subaidi", "Marsuki", "Saniman", "Jumali",
    "Hosnan", "Sunadi", "Mattali",
];
const MADURA_F: &[&str] = &[
    "Hosniyah", "Sitiyah", "Marlena", "Supiyah", "Juma'ati", "Hamidah",
];
const SECOND_M: &[&str] = &[
    "Santoso",
    "Susanto",
    "Wibowo",
    "Prasetyo",
    "Hidayat",
    "Setiawan",
    "Wahyudi",
    "Purnomo",
    "Saputra",
    "Kurniawan",
    "Nugroho",
    "Riyadi",
    "Hariadi",
    "Sucipto",
    "Effendi",
];
const SECOND_F: &[&str] = &[
    "Lestari",
    "Rahayu",
    "Wahyuni",
    "Handayani",
    "Kurniasih",
    "Ningsih",
    "Susanti",
    "Maryati",
    "Suryani",
    "Rahmawati",
    "Puspitasari",
    "Setyowati",
];
const HONORIFIC_M: &[&str] = &[
    "Pak", "Mbah", "Mas", "Cak", "Kang", "Om", "Bang", "Kak", "Lik", "Pakde",
];
const HONORIFIC_F: &[&str] = &[
    "Bu", "Mbah", "Mbak", "Ning", "Mbok", "Yu", "Mak", "Kak", "Bulik", "Bude",
];

fn javanese(rng: &mut impl Rng, female: bool) -> String {
    let (s, m, e) = if female {
        (F_START, F_MID, F_END)
    } else {
        (M_START, M_MID, M_END)
    };
    format!(
        "{}{}{}",
        s.choose(rng).unwrap(),
        m.choose(rng).unwrap(),
        e.choose(rng).unwrap()
    )
}

/// A person's name as the register writes it.
fn true_name(rng: &mut impl Rng, female: bool) -> String {
    let first = match rng.random_range(0..20) {
        0..=10 => javanese(rng, female),
        11..=15 if female => format!("Siti {}", ARABIC_F.choose(rng).unwrap()),
        11..=15 => {
            let pre = ["Muhammad", "Ahmad", "Abdul", "Moch."].choose(rng).unwrap();
            format!("{pre} {}", ARABIC_M.choose(rng).unwrap())
        }
        16..=17 => (if female { ARABIC_F } else { ARABIC_M })
            .choose(rng)
            .unwrap()
            .to_string(),
        _ => (if female { MADURA_F } else { MADURA_M })
            .choose(rng)
            .unwrap()
            .to_string(),
    };
    if rng.random_bool(0.35) && first.split(' ').count() == 1 {
        let second = (if female { SECOND_F } else { SECOND_M })
            .choose(rng)
            .unwrap();
        format!("{first} {second}")
    } else {
        first
    }
}

/// The pre-1972 spelling: u→oe, j→dj, c→tj, y→j, kh→ch, sy→sj, ny→nj.
fn old_spelling(name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).map(|n| n.to_ascii_lowercase());
        let lower = c.to_ascii_lowercase();
        let upper = c.is_uppercase();
        let put = |out: &mut String, s: &str| {
            if upper {
                let mut cs = s.chars();
                out.extend(cs.next().map(|f| f.to_ascii_uppercase()));
                out.push_str(cs.as_str());
            } else {
                out.push_str(s);
            }
        };
        match (lower, next) {
            ('k', Some('h')) | ('s', Some('y')) | ('n', Some('y')) => {
                let s = match lower {
                    'k' => "ch",
                    's' => "sj",
                    _ => "nj",
                };
                put(&mut out, s);
                i += 2;
                continue;
            }
            ('u', _) => put(&mut out, "oe"),
            ('j', _) => put(&mut out, "dj"),
            ('c', _) => put(&mut out, "tj"),
            ('y', _) => put(&mut out, "j"),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// A vowel written twice, as heard ("HEERU").
fn doubled_vowel(rng: &mut impl Rng, name: &str) -> String {
    let vowels: Vec<usize> = (name.char_indices())
        .filter(|(_, c)| "aeiouAEIOU".contains(*c))
        .map(|(i, _)| i)
        .collect();
    match vowels.choose(rng) {
        Some(&i) => format!("{}{}", &name[..i + 1], &name[i..]),
        None => name.to_string(),
    }
}

/// A slip of the pen or of the ear: a letter dropped, doubled, swapped or replaced by one
/// that sounds alike.
fn slip(rng: &mut impl Rng, name: &str) -> String {
    let mut c: Vec<char> = name.chars().collect();
    if c.len() < 4 {
        return name.to_string();
    }
    let i = rng.random_range(1..c.len() - 1);
    match rng.random_range(0..4) {
        0 => {
            c.remove(i);
        }
        1 => c.insert(i, c[i]),
        2 => c.swap(i, i + 1),
        _ => {
            let alike = [
                ('b', 'p'),
                ('d', 't'),
                ('g', 'k'),
                ('e', 'i'),
                ('o', 'u'),
                ('a', 'o'),
            ];
            if let Some((a, b)) = alike.iter().find(|(a, b)| c[i] == *a || c[i] == *b) {
                c[i] = if c[i] == *a { *b } else { *a };
            } else {
                c.remove(i);
            }
        }
    }
    c.into_iter().collect()
}

/// The call name: the last two syllables of a Javanese name ("Sutrisno" → "Trisno"),
/// or the first word.
fn call_name(rng: &mut impl Rng, name: &str) -> String {
    let first = name.split(' ').next().unwrap_or(name);
    if name.contains(' ') && rng.random_bool(0.5) {
        return first.to_string();
    }
    let lower = first.to_lowercase();
    if lower.len() > 5 && (lower.starts_with("su") || lower.starts_with("sa")) {
        let rest = &first[2..];
        let mut c = rest.chars();
        return c.next().unwrap().to_uppercase().collect::<String>() + c.as_str();
    }
    first.to_string()
}

struct Person {
    name: String,
    female: bool,
    born: NaiveDate,
    village: String,
    nik: String,
    mother: String,
}

fn person(rng: &mut impl Rng, serial: u32) -> Person {
    let female = rng.random_bool(0.45);
    let born = date_between(rng, 1940, 2006);
    let village = village_code(
        35,
        east_java_regency(rng),
        rng.random_range(1..=25),
        rng.random_range(1..=18) + if rng.random_bool(0.7) { 2000 } else { 1000 },
    );
    let mut name = true_name(rng, female);
    if born.year() < 1965 && rng.random_bool(0.25) {
        name = old_spelling(&name);
    }
    Person {
        nik: nik(&village, born, female, serial),
        name,
        female,
        born,
        village,
        mother: true_name(rng, true),
    }
}

fn register_row(id: String, p: &Person) -> Vec<String> {
    vec![
        id,
        p.name.clone(),
        p.born.to_string(),
        (if p.female { "P" } else { "L" }).to_string(),
        p.nik.clone(),
        p.village.clone(),
        p.mother.clone(),
    ]
}

fn stated_name(rng: &mut impl Rng, true_name: &str, female: bool, r: &Profile) -> String {
    let mut name = true_name.to_string();
    if rng.random_bool(r.call_name) {
        name = call_name(rng, &name);
    }
    if rng.random_bool(r.old_spelling) {
        name = old_spelling(&name);
    }
    if rng.random_bool(r.doubled) {
        name = doubled_vowel(rng, &name);
    }
    if rng.random_bool(r.typo) {
        name = slip(rng, &name);
    }
    if rng.random_bool(r.honorific) {
        let h = (if female { HONORIFIC_F } else { HONORIFIC_M })
            .choose(rng)
            .unwrap();
        name = if rng.random_bool(r.glued) {
            format!("{h}{}", name.to_lowercase())
        } else {
            format!("{h} {name}")
        };
    }
    if rng.random_bool(0.6) {
        name.to_uppercase()
    } else {
        name
    }
}

fn intake_row(rng: &mut impl Rng, id: String, p: &Person, r: &Profile, on: i32) -> Vec<String> {
    let name = stated_name(rng, &p.name, p.female, r);
    let (y, m, d) = (p.born.year(), p.born.month(), p.born.day());
    let born = if rng.random_bool(r.guessed) {
        // The age read from a face, often rounded to five years.
        let age = (on - y) as f64 + r.guess_sd * normal(rng);
        let age = if rng.random_bool(0.5) {
            (age / 5.0).round() * 5.0
        } else {
            age.round()
        };
        let year = on - age.max(1.0) as i32;
        if rng.random_bool(r.marked) {
            format!("~{year}")
        } else {
            year.to_string()
        }
    } else {
        match rng.random_range(0..20) {
            0..=13 => p.born.to_string(),
            14 if d <= 12 => format!("{y}-{d:02}-{m:02}"),
            15 => format!("{y}-{m:02}-{:02}", (d % 28) + 1),
            16..=17 => y.to_string(),
            _ => String::new(),
        }
    };
    let pickup = village_code(35, east_java_regency(rng), 1, 1);
    let region = if rng.random_bool(r.pickup_as_home) {
        cut_region(&pickup, 2)
    } else {
        match weighted(
            rng,
            &[
                (4, r.region[0]),
                (3, r.region[1]),
                (2, r.region[2]),
                (0, r.region[3]),
            ],
        ) {
            0 => String::new(),
            depth => cut_region(&p.village, depth),
        }
    };
    let nik = if rng.random_bool(r.nik) {
        if rng.random_bool(r.nik_slip) {
            digit_slip(rng, &p.nik)
        } else {
            p.nik.clone()
        }
    } else {
        String::new()
    };
    let sex = match rng.random_range(0..40) {
        0 => String::new(),
        1..=20 => (if p.female { "P" } else { "L" }).to_string(),
        _ => (if p.female { "Perempuan" } else { "Laki-laki" }).to_string(),
    };
    let mother = if rng.random_bool(0.25) {
        stated_name(rng, &p.mother, true, r)
    } else {
        String::new()
    };
    vec![id, name, born, sex, nik, region, mother]
}

/// `n` register records and `n` intakes, `share` of them register people.
pub fn set(n: usize, seed: u64, r: &Profile) -> Set {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x00da_5a1d);
    let people: Vec<Person> = (0..n as u32).map(|i| person(&mut rng, i)).collect();
    let left: Vec<Vec<String>> = (people.iter().enumerate())
        .map(|(i, p)| register_row(format!("D{i}"), p))
        .collect();
    let mut right = Vec::with_capacity(n);
    let mut who = Vec::with_capacity(n);
    for j in 0..n {
        let on = rng.random_range(2018..=2026);
        if rng.random_bool(0.6) {
            let i = rng.random_range(0..n);
            right.push(intake_row(&mut rng, format!("J{j}"), &people[i], r, on));
            who.push(i as u64);
        } else {
            let p = person(&mut rng, (n + j) as u32);
            right.push(intake_row(&mut rng, format!("J{j}"), &p, r, on));
            who.push((n + j) as u64);
        }
    }
    Set {
        name: format!("roadside {} {n}×{n} seed {seed}", r.name),
        spec: spec("left"),
        files: vec![left, right],
        people: vec![(0..n as u64).collect(), who],
    }
}
