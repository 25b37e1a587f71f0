//! Two administrative registers of one population: a civil-registry extract (verified
//! NIKs, full dates, village codes) and an aid list kept by district operators (the
//! same households some years later). The aid list abbreviates, truncates and
//! capitalises names, adds degrees and pilgrim titles, writes "bin"/"binti" and the
//! father's name, joins or splits words, puts 1 January or 31 December for an unknown
//! day, records people who moved within their regency, and now and then takes a NIK
//! with a slip or the head of household's NIK.
use chrono::{Datelike, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{date_between, digit_slip, nik, spec, village_code, Set};

#[derive(Debug, Clone, Copy)]
pub struct Profile {
    pub name: &'static str,
    /// Share of the extract's people on the aid list, and of aid-list people not in it.
    pub overlap: f64,
    pub title: f64,
    pub bin: f64,
    pub initial: f64,
    pub truncate: usize,
    pub join_split: f64,
    pub typo: f64,
    /// Day and month unknown (1 January or 31 December), or day and month swapped.
    pub default_day: f64,
    pub swapped_day: f64,
    pub year_slip: f64,
    pub moved: f64,
    /// Aid list: region to the district only.
    pub district_only: f64,
    pub nik_missing: f64,
    pub nik_slip: f64,
    pub household_nik: f64,
}

pub const TIDY: Profile = Profile {
    name: "tidy",
    overlap: 0.7,
    title: 0.1,
    bin: 0.05,
    initial: 0.05,
    truncate: 30,
    join_split: 0.05,
    typo: 0.05,
    default_day: 0.1,
    swapped_day: 0.03,
    year_slip: 0.02,
    moved: 0.1,
    district_only: 0.2,
    nik_missing: 0.1,
    nik_slip: 0.05,
    household_nik: 0.01,
};

pub const MESSY: Profile = Profile {
    name: "messy",
    overlap: 0.5,
    title: 0.25,
    bin: 0.15,
    initial: 0.15,
    truncate: 20,
    join_split: 0.15,
    typo: 0.15,
    default_day: 0.25,
    swapped_day: 0.08,
    year_slip: 0.05,
    moved: 0.25,
    district_only: 0.5,
    nik_missing: 0.3,
    nik_slip: 0.12,
    household_nik: 0.04,
};

const GIVEN_M: &[&str] = &[
    "Agus",
    "Bambang",
    "Budi",
    "Dedi",
    "Eko",
    "Fajar",
    "Hendra",
    "Irfan",
    "Joko",
    "Kurniawan",
    "Lukman",
    "Mulyono",
    "Nanang",
    "Priyo",
    "Rudi",
    "Slamet",
    "Teguh",
    "Untung",
    "Wahyu",
    "Yanto",
    "Zainal",
    "Arif",
    "Bayu",
    "Cahyo",
    "Darmaji",
    "Edi",
    "Ferry",
    "Gatot",
    "Hadi",
    "Imam",
    "Jaelani",
    "Kholil",
    "Luthfi",
    "Mahfud",
    "Nur",
    "Purwanto",
    "Rahmat",
    "Sugeng",
    "Tri",
    "Ujang",
    "Wawan",
    "Yudi",
    "Anwar",
    "Basuki",
    "Dwi",
    "Endro",
    "Heri",
    "Iwan",
    "Jumadi",
    "Karyono",
    "Mujib",
    "Nurhadi",
    "Poniran",
    "Rasimin",
    "Sutikno",
    "Tukimin",
    "Warsito",
    "Yusron",
    "Achmad",
    "Muhammad",
    "Abdul",
    "Ali",
    "Bahrul",
    "Chusnul",
    "Dimas",
    "Faisal",
    "Ghufron",
    "Hanafi",
    "Ilham",
    "Kasturi",
    "Misbah",
    "Nasrul",
    "Qomarudin",
    "Robert",
    "Samsudin",
    "Taufik",
    "Umar",
    "Wiji",
    "Yahya",
];
const GIVEN_F: &[&str] = &[
    "Ani",
    "Dewi",
    "Endang",
    "Fitri",
    "Indah",
    "Lilis",
    "Mega",
    "Nina",
    "Puji",
    "Ratna",
    "Sri",
    "Tuti",
    "Umi",
    "Wati",
    "Yuli",
    "Ayu",
    "Betty",
    "Dian",
    "Erna",
    "Heni",
    "Ika",
    "Juwita",
    "Kasiyem",
    "Lina",
    "Mariyam",
    "Nanik",
    "Ninik",
    "Nur",
    "Partini",
    "Rini",
    "Siti",
    "Suwarti",
    "Tatik",
    "Utami",
    "Winarsih",
    "Yayuk",
    "Anik",
    "Binti",
    "Chotimah",
    "Dyah",
    "Eni",
    "Farida",
    "Hartini",
    "Isnaini",
    "Kholifah",
    "Lailatul",
    "Munawaroh",
    "Nurul",
    "Rohmah",
    "Sumarni",
    "Tri",
    "Wiwik",
    "Zahro",
    "Kusmiati",
    "Painten",
];
const SECOND: &[&str] = &[
    "Santoso",
    "Wijaya",
    "Setiawan",
    "Hidayat",
    "Kusuma",
    "Pratama",
    "Saputro",
    "Wibisono",
    "Handoko",
    "Gunawan",
    "Susilo",
    "Harjono",
    "Maulana",
    "Hakim",
    "Syahputra",
    "Firmansyah",
    "Rahayu",
    "Wulandari",
    "Safitri",
    "Lestari",
    "Kurniati",
    "Anggraini",
    "Fauziah",
    "Nurjanah",
    "Sulistyowati",
    "Ningrum",
    "Rosidah",
    "Mulyani",
    "Hasanah",
    "Ma'rifah",
    "Cahyono",
    "Prasetya",
    "Widodo",
    "Sugiarto",
    "Hermawan",
    "Sholikhah",
    "Azizah",
];
const FATHER: &[&str] = &[
    "Kasan", "Marto", "Sanusi", "Salim", "Dulkamid", "Rasid", "Karto", "Ngadimin", "Sapari",
];
const TITLE_BEFORE: &[&str] = &["H.", "Hj.", "Drs.", "Ir.", "dr."];
const TITLE_AFTER: &[&str] = &["S.Pd.", "S.E.", "S.H.", "A.Md.", "S.Sos.", "M.Pd."];

struct Person {
    given: String,
    second: Option<String>,
    female: bool,
    born: NaiveDate,
    village: String,
    nik: String,
    mother: String,
    head_nik: String,
}

fn person(rng: &mut impl Rng, serial: u32) -> Person {
    let female = rng.random_bool(0.5);
    let mut given = (if female { GIVEN_F } else { GIVEN_M })
        .choose(rng)
        .unwrap()
        .to_string();
    if rng.random_bool(0.3) {
        // Two given names ("Nur Hadi", "Siti Ratna").
        let other = (if female { GIVEN_F } else { GIVEN_M })
            .choose(rng)
            .unwrap();
        if *other != given {
            given = format!("{given} {other}");
        }
    }
    let second = rng
        .random_bool(0.55)
        .then(|| SECOND.choose(rng).unwrap().to_string());
    let born = date_between(rng, 1935, 2008);
    // Some migrants from Central Java (33) and further away.
    let province = *[35, 35, 35, 35, 35, 35, 35, 33, 32, 52]
        .choose(rng)
        .unwrap();
    let regency = rng.random_range(1..=20);
    let village = village_code(
        province,
        regency,
        rng.random_range(1..=20),
        2000 + rng.random_range(1..=15),
    );
    let mother = format!(
        "{} {}",
        GIVEN_F.choose(rng).unwrap(),
        SECOND.choose(rng).unwrap()
    );
    Person {
        nik: nik(&village, born, female, serial),
        head_nik: nik(
            &village,
            date_between(rng, 1930, 1985),
            false,
            serial + 77_777,
        ),
        given,
        second,
        female,
        born,
        village,
        mother,
    }
}

fn full(p: &Person) -> String {
    match &p.second {
        Some(s) => format!("{} {s}", p.given),
        None => p.given.clone(),
    }
}

fn extract_row(id: String, p: &Person) -> Vec<String> {
    vec![
        id,
        full(p).to_uppercase(),
        p.born.to_string(),
        (if p.female { "PEREMPUAN" } else { "LAKI-LAKI" }).to_string(),
        p.nik.clone(),
        p.village.replace('.', ""),
        p.mother.to_uppercase(),
    ]
}

fn keyboard_slip(rng: &mut impl Rng, s: &str) -> String {
    const ROWS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
    let mut c: Vec<char> = s.chars().collect();
    let letters: Vec<usize> = (0..c.len())
        .filter(|i| c[*i].is_ascii_alphabetic())
        .collect();
    let Some(&i) = letters.choose(rng) else {
        return s.to_string();
    };
    let lower = c[i].to_ascii_lowercase();
    let row = ROWS.iter().find(|r| r.contains(lower)).unwrap();
    let k = row.find(lower).unwrap();
    let near = if k + 1 < row.len() && (k == 0 || rng.random_bool(0.5)) {
        row.as_bytes()[k + 1]
    } else {
        row.as_bytes()[k - 1]
    } as char;
    match rng.random_range(0..3) {
        0 => c[i] = near,
        1 => {
            c.remove(i);
        }
        _ => c.insert(i, near),
    }
    c.into_iter().collect()
}

fn aid_name(rng: &mut impl Rng, p: &Person, r: &Profile) -> String {
    let mut words: Vec<String> = full(p).split(' ').map(str::to_string).collect();
    if rng.random_bool(r.initial) && words.len() > 1 {
        // "M. Rofiq", "Siti R.": one word cut to its initial.
        let i = if rng.random_bool(0.5) {
            0
        } else {
            words.len() - 1
        };
        words[i] = format!("{}.", &words[i][..1]);
    }
    if rng.random_bool(r.join_split) {
        if words.len() > 1 {
            let w = words.remove(1);
            words[0].push_str(&w.to_lowercase());
        } else if words[0].len() > 6 {
            let w = words[0].split_off(3);
            words.push(w);
        }
    }
    let mut name = words.join(" ");
    if rng.random_bool(r.typo) {
        name = keyboard_slip(rng, &name);
    }
    if rng.random_bool(r.bin) {
        let word = if p.female { "BINTI" } else { "BIN" };
        name = format!("{name} {word} {}", FATHER.choose(rng).unwrap());
    }
    if rng.random_bool(r.title) {
        name = if rng.random_bool(0.5) {
            let t = TITLE_BEFORE.choose(rng).unwrap();
            format!("{t} {name}")
        } else {
            let t = TITLE_AFTER.choose(rng).unwrap();
            format!("{name}, {t}")
        };
    }
    let name = name.to_uppercase();
    name.chars()
        .take(r.truncate)
        .collect::<String>()
        .trim()
        .to_string()
}

fn aid_row(rng: &mut impl Rng, id: String, p: &Person, r: &Profile) -> Vec<String> {
    let (y, m, d) = (p.born.year(), p.born.month(), p.born.day());
    let y = if rng.random_bool(r.year_slip) {
        y + *[-10, -1, 1, 10].choose(rng).unwrap()
    } else {
        y
    };
    let born = if rng.random_bool(r.default_day) {
        if rng.random_bool(0.7) {
            format!("{y}-01-01")
        } else {
            format!("{y}-12-31")
        }
    } else if rng.random_bool(r.swapped_day) && d <= 12 {
        format!("{y}-{d:02}-{m:02}")
    } else {
        NaiveDate::from_ymd_opt(y, m, d)
            .or(NaiveDate::from_ymd_opt(y, m, 28))
            .unwrap()
            .to_string()
    };
    let village = if rng.random_bool(r.moved) {
        // Moved within the regency.
        let parts: Vec<&str> = p.village.split('.').collect();
        format!(
            "{}.{}.{:02}.{}",
            parts[0],
            parts[1],
            rng.random_range(1..=20),
            2000 + rng.random_range(1..=15)
        )
    } else {
        p.village.clone()
    };
    let region = if rng.random_bool(r.district_only) {
        village[..8].to_string()
    } else {
        village
    };
    let nik = if rng.random_bool(r.nik_missing) {
        String::new()
    } else if rng.random_bool(r.household_nik) {
        p.head_nik.clone()
    } else if rng.random_bool(r.nik_slip) {
        digit_slip(rng, &p.nik)
    } else {
        p.nik.clone()
    };
    vec![
        id,
        aid_name(rng, p, r),
        born,
        (if p.female { "P" } else { "L" }).to_string(),
        nik,
        region,
        if rng.random_bool(0.3) {
            p.mother.clone()
        } else {
            String::new()
        },
    ]
}

/// A civil-registry extract of `n` people and an aid list of about `n` households'
/// members.
pub fn set(n: usize, seed: u64, r: &Profile) -> Set {
    let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_mul(0x9e37_79b9) ^ 0x2e61);
    let people: Vec<Person> = (0..n as u32).map(|i| person(&mut rng, i)).collect();
    let left: Vec<Vec<String>> = (people.iter().enumerate())
        .map(|(i, p)| extract_row(format!("K{i}"), p))
        .collect();
    let mut right = Vec::new();
    let mut who = Vec::new();
    for (i, p) in people.iter().enumerate() {
        if rng.random_bool(r.overlap) {
            right.push(aid_row(&mut rng, format!("B{}", right.len()), p, r));
            who.push(i as u64);
        }
    }
    let outsiders = (n as f64 * (1.0 - r.overlap)) as usize;
    for k in 0..outsiders {
        let p = person(&mut rng, (n + k) as u32);
        right.push(aid_row(&mut rng, format!("B{}", right.len()), &p, r));
        who.push((n + k) as u64);
    }
    Set {
        name: format!("registers {} {n}×{} seed {seed}", r.name, right.len()),
        spec: spec("left"),
        files: vec![left, right],
        people: vec![(0..n as u64).collect(), who],
    }
}
