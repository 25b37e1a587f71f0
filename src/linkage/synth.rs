//! Synthetic Indonesian test sets with known truth: a clean civil-registry-like file and a
//! noisy intake-like file where part of the people recur, written down the way officers
//! write them (honorifics, old spellings, call names, typos, swapped words, estimated
//! ages, missing fields, partial region codes, mistyped NIKs). Deterministic by seed.
use chrono::{Datelike, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::table::Table;
use crate::demo::names;

/// The `simlontar link` spec of the synthetic files.
pub const SPEC: &str = r#"id = "rec_id"
[[field]]
column = "nama"
kind = "full_name"
[[field]]
column = "tgl_lahir"
kind = "date"
format = "%Y-%m-%d"
[[field]]
column = "jk"
kind = "sex"
[[field]]
column = "nik"
kind = "nik"
[[field]]
column = "kode_wilayah"
kind = "region_code"
[[field]]
column = "nama_ibu"
kind = "full_name"
"#;

pub use super::person::schema;

/// A person as the civil registry knows them.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub female: bool,
    pub born: NaiveDate,
    pub village: String,
    pub nik: String,
    pub mother: String,
}

/// Two files and, for each row, the person it is.
#[derive(Debug, Clone)]
pub struct SynthSet {
    /// Rows of cells: `rec_id` then the person columns (`super::person::COLUMNS`).
    pub left: Vec<Vec<String>>,
    pub right: Vec<Vec<String>>,
    pub left_person: Vec<u32>,
    pub right_person: Vec<u32>,
}

impl SynthSet {
    /// Both files in one table, left first.
    pub fn table(&self) -> Table {
        let mut t = Table::new(schema());
        for row in self.left.iter().chain(&self.right) {
            let cells: Vec<&str> = row[1..].iter().map(String::as_str).collect();
            t.push(row[0].clone(), &cells);
        }
        t
    }

    /// True pairs as packed `(left index) << 32 | (left count + right index)`, sorted.
    pub fn true_pairs(&self) -> Vec<u64> {
        let split = self.left.len() as u64;
        let mut by_person = std::collections::HashMap::new();
        for (i, p) in self.left_person.iter().enumerate() {
            by_person.entry(*p).or_insert_with(Vec::new).push(i as u64);
        }
        let mut out: Vec<u64> = (self.right_person.iter().enumerate())
            .flat_map(|(j, p)| {
                let ls = by_person.get(p).cloned().unwrap_or_default();
                ls.into_iter().map(move |i| i << 32 | (split + j as u64))
            })
            .collect();
        out.sort_unstable();
        out
    }
}

pub fn person(rng: &mut impl Rng, serial: u32) -> Person {
    let female = rng.random_bool(0.5);
    let born = NaiveDate::from_ymd_opt(1940, 1, 1).unwrap()
        + chrono::Duration::days(rng.random_range(0..365 * 70));
    // East Java: regencies 01–29, cities 71–79.
    let regency = if rng.random_bool(0.8) {
        rng.random_range(1..=29)
    } else {
        rng.random_range(71..=79)
    };
    let district = rng.random_range(1..=30);
    let village = rng.random_range(1..=20) + if rng.random_bool(0.7) { 2000 } else { 1000 };
    let day = born.day() + if female { 40 } else { 0 };
    let nik = format!(
        "35{regency:02}{district:02}{day:02}{:02}{:02}{:04}",
        born.month(),
        born.year() % 100,
        serial % 9999 + 1
    );
    Person {
        name: names::full_name(rng, female),
        female,
        born,
        village: format!("35.{regency:02}.{district:02}.{village}"),
        nik,
        mother: names::full_name(rng, true),
    }
}

/// How the registry holds a person: complete, sometimes in the old spelling.
pub fn registry_row(rng: &mut impl Rng, id: String, p: &Person) -> Vec<String> {
    let name = if rng.random_bool(0.1) {
        names::old_spelling(&p.name)
    } else {
        p.name.clone()
    };
    vec![
        id,
        name,
        p.born.to_string(),
        (if p.female { "P" } else { "L" }).into(),
        p.nik.clone(),
        p.village.clone(),
        p.mother.clone(),
    ]
}

/// How an intake officer writes a person down on the night they are picked up.
pub fn intake_row(rng: &mut impl Rng, id: String, p: &Person) -> Vec<String> {
    let mut name = names::as_stated(rng, &p.name, p.female);
    if rng.random_bool(0.05) {
        let mut words: Vec<&str> = name.split(' ').collect();
        words.reverse();
        name = words.join(" ");
    }
    let (y, m, d) = (p.born.year(), p.born.month(), p.born.day());
    let born = match rng.random_range(0..20) {
        0..=9 => p.born.to_string(),
        10..=11 if d <= 12 => format!("{y}-{d:02}-{m:02}"),
        12..=13 => format!("{}", y + rng.random_range(-2..=2)),
        14..=15 => String::new(),
        16 => format!("{y}-{m:02}-{:02}", (d % 28) + 1),
        _ => format!("{y}"),
    };
    // A third carry their NIK; one in twenty of those is mistyped: a dropped digit
    // (invalid) or a wrong serial digit (a valid NIK of someone else, which must never
    // auto-link: such true pairs are lost on purpose).
    let nik = match rng.random_range(0..120) {
        0..=39 => p.nik.clone(),
        40 => {
            let mut digits = p.nik.clone();
            digits.remove(rng.random_range(0..16));
            digits
        }
        41 => {
            let mut digits: Vec<char> = p.nik.chars().collect();
            let i = rng.random_range(12..16);
            digits[i] = char::from(b'0' + (digits[i] as u8 - b'0' + 1) % 10);
            digits.into_iter().collect()
        }
        _ => String::new(),
    };
    let village = match rng.random_range(0..10) {
        0..=4 => p.village.clone(),
        5..=6 => p.village[..5].to_string(),
        7 => p.village[..8].to_string(),
        _ => String::new(),
    };
    let sex = match rng.random_range(0..50) {
        0 => String::new(),
        _ => (*[
            if p.female { "P" } else { "L" },
            if p.female { "perempuan" } else { "laki-laki" },
        ]
        .choose(rng)
        .unwrap())
        .to_string(),
    };
    let mother = if rng.random_bool(0.5) {
        names::as_stated(rng, &p.mother, true)
    } else {
        String::new()
    };
    vec![id, name, born, sex, nik, village, mother]
}

/// `n` registry records and `n` intake records; 60 % of the intakes are registry people.
pub fn link_set(n: usize, seed: u64) -> SynthSet {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let people: Vec<Person> = (0..n as u32).map(|i| person(&mut rng, i)).collect();
    let mut set = SynthSet {
        left: Vec::with_capacity(n),
        right: Vec::with_capacity(n),
        left_person: Vec::with_capacity(n),
        right_person: Vec::with_capacity(n),
    };
    for (i, p) in people.iter().enumerate() {
        set.left.push(registry_row(&mut rng, format!("R{i}"), p));
        set.left_person.push(i as u32);
    }
    for j in 0..n {
        let (who, p) = if rng.random_bool(0.6) {
            let i = rng.random_range(0..n);
            (i as u32, people[i].clone())
        } else {
            let k = (n + j) as u32;
            (k, person(&mut rng, k))
        };
        set.right.push(intake_row(&mut rng, format!("I{j}"), &p));
        set.right_person.push(who);
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_is_the_same_for_the_same_seed_and_knows_its_truth() {
        let a = link_set(300, 5);
        let b = link_set(300, 5);
        assert_eq!(a.right, b.right);
        let truth = a.true_pairs();
        assert!(truth.len() > 120 && truth.len() < 240, "{}", truth.len());
        let t = a.table();
        assert_eq!(t.len(), 600);
        // Every generated NIK of the registry decodes.
        assert!(a
            .left
            .iter()
            .all(|r| crate::identity::nik::Nik::parse(&r[4]).is_ok()));
    }
}
