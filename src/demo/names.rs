//! Synthetic Javanese and Madurese names and the ways they get written down differently:
//! honorifics, pre-1972 spellings, nicknames, typos and street names. Invented lists of
//! common given names; no real person's data.
use rand::seq::IndexedRandom;
use rand::Rng;

pub const MALE: &[&str] = &[
    "Slamet",
    "Sugeng",
    "Suparman",
    "Sutrisno",
    "Bambang",
    "Joko",
    "Agus",
    "Budi",
    "Eko",
    "Heru",
    "Wahyu",
    "Sukardi",
    "Paimin",
    "Tukiyo",
    "Rahmat",
    "Supriyadi",
    "Sunarto",
    "Darmaji",
    "Karno",
    "Kasiman",
    "Suyono",
    "Mujiono",
    "Sarwo",
    "Gunawan",
    "Hariyanto",
    "Sahrawi",
    "Juhari",
    "Busiri",
    "Marzuki",
    "Sunari",
    "Halim",
    "Subaidi",
    "Holil",
    "Matrawi",
    "Suhaimi",
    "Rofiq",
    "Fauzi",
    "Imam",
    "Samsul",
    "Nur Cahyo",
    "Dwi Santoso",
    "Yusuf",
    "Ridwan",
    "Khoirul Anam",
    "Wagiman",
    "Legiman",
    "Tarmuji",
    "Parno",
    "Sukiman",
    "Jumadi",
];

pub const FEMALE: &[&str] = &[
    "Siti",
    "Sri",
    "Sumiati",
    "Suminah",
    "Tumini",
    "Wagiyem",
    "Sulastri",
    "Yuliani",
    "Dewi",
    "Endang",
    "Rukmini",
    "Ngatini",
    "Painem",
    "Suwarni",
    "Kartini",
    "Nur Aini",
    "Fatimah",
    "Khotijah",
    "Maimunah",
    "Juwairiyah",
    "Supiyah",
    "Hosniyah",
    "Rohimah",
    "Sulami",
    "Parmi",
    "Wartini",
    "Suyati",
    "Tukinah",
    "Sunarti",
    "Musrifah",
    "Lilik",
    "Yayuk",
    "Ninik",
    "Umi Kulsum",
    "Rahayu",
    "Wulan",
    "Setyowati",
    "Jumiati",
    "Kasmini",
    "Tarni",
];

/// Second words that follow a first name in two-word names.
pub const SECOND_MALE: &[&str] = &[
    "Santoso", "Susanto", "Hidayat", "Purnomo", "Prasetyo", "Setiawan", "Suharto", "Saputra",
];
pub const SECOND_FEMALE: &[&str] = &[
    "Aminah",
    "Wahyuni",
    "Rahayu",
    "Handayani",
    "Maryam",
    "Rochmah",
    "Fitriani",
    "Lestari",
];

pub const MALE_PREFIX: &[&str] = &["Muhammad", "Moh.", "Ahmad", "Abdul"];

const HONORIFICS_MALE: &[&str] = &["Pak", "Mbah", "Mas", "Cak", "H."];
const HONORIFICS_FEMALE: &[&str] = &["Bu", "Mbah", "Mbak", "Ning", "Hj."];

/// Street names officers write when a person gives none.
pub const STREET_MALE: &[&str] = &[
    "Mbah Gimbal",
    "Pak Kumis",
    "Cak Gundul",
    "Si Ireng",
    "Pak Gendut",
    "Mas Kribo",
    "Mbah Jenggot",
];
pub const STREET_FEMALE: &[&str] = &[
    "Mak Ijah",
    "Mbok Nah",
    "Bu Lurah",
    "Mbak Kriting",
    "Mbah Putri",
];

/// Common call names of common given names.
const NICKNAMES: &[(&str, &str)] = &[
    ("Slamet", "Met"),
    ("Sutrisno", "Tris"),
    ("Bambang", "Bams"),
    ("Supriyadi", "Pri"),
    ("Suparman", "Man"),
    ("Sukardi", "Kardi"),
    ("Sunarto", "Narto"),
    ("Hariyanto", "Yanto"),
    ("Mujiono", "Muji"),
    ("Sumiati", "Sum"),
    ("Suminah", "Minah"),
    ("Sulastri", "Las"),
    ("Rukmini", "Mini"),
    ("Kartini", "Tini"),
    ("Khotijah", "Ijah"),
    ("Maimunah", "Munah"),
    ("Setyowati", "Wati"),
    ("Fatimah", "Timah"),
    ("Juwairiyah", "Iyah"),
    ("Wagiyem", "Giyem"),
    ("Gunawan", "Gun"),
    ("Wahyu", "Yu"),
    ("Muhammad", "Mamad"),
    ("Sahrawi", "Rawi"),
];

pub fn full_name(rng: &mut impl Rng, female: bool) -> String {
    let first = *(if female { FEMALE } else { MALE }).choose(rng).unwrap();
    let second = (if female { SECOND_FEMALE } else { SECOND_MALE })
        .choose(rng)
        .unwrap();
    match rng.random_range(0..10) {
        0..=4 => first.to_string(),
        5..=7 => format!("{first} {second}"),
        _ if !female => format!("{} {first}", MALE_PREFIX.choose(rng).unwrap()),
        _ => format!("{first} {second}"),
    }
}

/// The pre-1972 spelling of a name (u→oe, j→dj, c→tj, ny→nj, sy→sj, kh→ch, y→j).
pub fn old_spelling(name: &str) -> String {
    let lower = name.to_lowercase();
    let mut out = String::new();
    let chars: Vec<char> = lower.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let pair: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        match pair.as_str() {
            "ny" => {
                out.push_str("nj");
                i += 2;
                continue;
            }
            "sy" => {
                out.push_str("sj");
                i += 2;
                continue;
            }
            "kh" => {
                out.push_str("ch");
                i += 2;
                continue;
            }
            _ => {}
        }
        match chars[i] {
            'u' => out.push_str("oe"),
            'j' => out.push_str("dj"),
            'c' => out.push_str("tj"),
            'y' => out.push('j'),
            c => out.push(c),
        }
        i += 1;
    }
    title_case(&out)
}

pub fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The call name of a name's first word ("Sutrisno" → "Tris"), or the word itself.
pub fn nickname(name: &str) -> String {
    let first = name.split(' ').next().unwrap_or(name);
    NICKNAMES
        .iter()
        .find(|(full, _)| *full == first)
        .map_or(first, |(_, nick)| nick)
        .to_string()
}

/// One typing slip: a dropped, doubled or swapped letter.
pub fn typo(rng: &mut impl Rng, name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    if chars.len() < 4 {
        return name.to_string();
    }
    let i = rng.random_range(1..chars.len() - 1);
    match rng.random_range(0..3) {
        0 => {
            chars.remove(i);
        }
        1 => chars.insert(i, chars[i]),
        _ => chars.swap(i, i + 1),
    }
    chars.into_iter().collect()
}

/// How an officer writes a person's true name on a given night.
pub fn as_stated(rng: &mut impl Rng, name: &str, female: bool) -> String {
    match rng.random_range(0..20) {
        0..=8 => name.to_string(),
        9..=11 => {
            let h = (if female {
                HONORIFICS_FEMALE
            } else {
                HONORIFICS_MALE
            })
            .choose(rng)
            .unwrap();
            format!("{h} {name}")
        }
        12..=13 => old_spelling(name),
        14..=15 => typo(rng, name),
        16..=17 => nickname(name),
        _ => name.split(' ').next().unwrap_or(name).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_spellings_follow_the_1972_reform_backwards() {
        assert_eq!(old_spelling("Suryani"), "Soerjani");
        assert_eq!(old_spelling("Cahyo"), "Tjahjo");
        assert_eq!(old_spelling("Khotijah"), "Chotidjah");
        assert_eq!(old_spelling("Nyoman"), "Njoman");
    }

    #[test]
    fn nicknames_are_a_piece_of_the_first_name() {
        assert_eq!(nickname("Sutrisno"), "Tris");
        assert_eq!(nickname("Sri Wahyuni"), "Sri");
        assert_eq!(nickname("Muhammad Rofiq"), "Mamad");
    }
}
