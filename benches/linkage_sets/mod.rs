//! Indonesian test sets for the linkage benchmark, from three generators that share no
//! code beyond this file (the file layout and the truth): each has its own people, its
//! own way of writing names and its own error model and rates.
//!
//! - `roadside`: a clean civil register against intakes written at the roadside at night
//!   (honorifics glued or spaced, doubled vowels, old spellings, ages guessed from
//!   appearance, home regions at any precision or replaced by the pick-up place, NIKs
//!   read off worn cards).
//! - `registers`: two administrative registers of one population (titles and degrees,
//!   bin/binti, initials, truncation, joined words, 1 January for an unknown day, moves
//!   within a regency, data-entry slips in the NIK).
//! - `repeat`: one file of intakes over ten years in which people are picked up again and
//!   again, in other regencies, under call names and street names, with a new guess of
//!   their age each time (deduplication). Kept out of tuning: the engine was not run on
//!   it before its figures were measured.
//!
//! Every set uses the app's person columns (`rec_id, nama, tgl_lahir, jk, nik,
//! kode_wilayah, nama_ibu`). Deterministic by seed; no real person's data.
#![allow(dead_code)]

pub mod registers;
pub mod repeat;
pub mod roadside;

use chrono::{Datelike, NaiveDate};
use rand::Rng;

/// Column names of every Indonesian set.
pub const COLUMNS: [&str; 7] = [
    "rec_id",
    "nama",
    "tgl_lahir",
    "jk",
    "nik",
    "kode_wilayah",
    "nama_ibu",
];

/// The `simlontar link` spec of the sets; `verified` names the files whose NIKs an
/// authority confirmed.
pub fn spec(verified: &str) -> String {
    format!(
        r#"id = "rec_id"
verified = "{verified}"
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
"#
    )
}

/// One or two files of rows (cells in [`COLUMNS`] order) and the person each row is.
#[derive(Debug, Clone)]
pub struct Set {
    pub name: String,
    pub spec: String,
    pub files: Vec<Vec<Vec<String>>>,
    pub people: Vec<Vec<u64>>,
}

impl Set {
    /// True pairs as packed `i << 32 | j` (i < j) over the rows of all files in order:
    /// across the two files of a link, within the one file of a dedupe.
    pub fn true_pairs(&self) -> Vec<u64> {
        let mut rows: Vec<(u64, usize, u64)> = Vec::new();
        let mut at = 0u64;
        for (f, people) in self.people.iter().enumerate() {
            for p in people {
                rows.push((*p, f, at));
                at += 1;
            }
        }
        rows.sort_unstable();
        let mut out = Vec::new();
        for group in rows.chunk_by(|a, b| a.0 == b.0) {
            for (k, a) in group.iter().enumerate() {
                for b in &group[k + 1..] {
                    if self.files.len() == 1 || a.1 != b.1 {
                        out.push(a.2.min(b.2) << 32 | a.2.max(b.2));
                    }
                }
            }
        }
        out.sort_unstable();
        out
    }
}

/// East Java's regencies (01–29) and cities (71–79).
pub fn east_java_regency(rng: &mut impl Rng) -> u16 {
    if rng.random_bool(0.75) {
        rng.random_range(1..=29)
    } else {
        rng.random_range(71..=79)
    }
}

/// A full village code `35.RR.DD.VVVV` (2xxx: desa, 1xxx: kelurahan).
pub fn village_code(province: u16, regency: u16, district: u16, village: u16) -> String {
    format!("{province:02}.{regency:02}.{district:02}.{village:04}")
}

/// The same code cut to `depth` parts (1 province … 4 village).
pub fn cut_region(code: &str, depth: usize) -> String {
    code.split('.').take(depth).collect::<Vec<_>>().join(".")
}

/// A NIK that decodes: region of registration, birth date (day + 40 for women), serial.
pub fn nik(region: &str, born: NaiveDate, female: bool, serial: u32) -> String {
    let digits: String = region.split('.').take(3).collect();
    let day = born.day() + if female { 40 } else { 0 };
    format!(
        "{digits}{day:02}{:02}{:02}{:04}",
        born.month(),
        born.year() % 100,
        serial % 9999 + 1
    )
}

/// A typing slip in a number: one wrong digit, two neighbours swapped, or one dropped.
pub fn digit_slip(rng: &mut impl Rng, s: &str) -> String {
    let mut d: Vec<u8> = s.bytes().collect();
    if d.len() < 2 {
        return s.to_string();
    }
    match rng.random_range(0..10) {
        0..=4 => {
            let i = rng.random_range(0..d.len());
            d[i] = b'0' + (d[i] - b'0' + rng.random_range(1..=9)) % 10;
        }
        5..=8 => {
            let i = rng.random_range(0..d.len() - 1);
            d.swap(i, i + 1);
        }
        _ => {
            d.remove(rng.random_range(0..d.len()));
        }
    }
    String::from_utf8(d).unwrap()
}

/// A random date between two years (inclusive).
pub fn date_between(rng: &mut impl Rng, from: i32, to: i32) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(from, 1, 1).unwrap();
    let days = (NaiveDate::from_ymd_opt(to, 12, 31).unwrap() - start).num_days();
    start + chrono::Duration::days(rng.random_range(0..=days))
}

/// Standard normal draw (Box–Muller), for guessed ages.
pub fn normal(rng: &mut impl Rng) -> f64 {
    let u: f64 = rng.random_range(f64::EPSILON..1.0);
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Picks one of `items` by weight.
pub fn weighted<T: Copy>(rng: &mut impl Rng, items: &[(T, f64)]) -> T {
    let total: f64 = items.iter().map(|i| i.1).sum();
    let mut x = rng.random_range(0.0..total);
    for (t, w) in items {
        if x < *w {
            return *t;
        }
        x -= w;
    }
    items[items.len() - 1].0
}
