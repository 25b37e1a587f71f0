//! Agreement levels: each field of a pair of records is put on a small ordinal scale,
//! 0 = identical, higher = further apart; `None` when either side is missing.
use super::em::{level_of, Pattern};
use super::normalise::{is_title, LONGEST_TITLE};
use super::record::{shared, Kind, Schema, Strings, Val};
use crate::vocab::Text;

/// Identifier levels: 1 is one typing slip apart, 2 two, this one different (three
/// slips or more).
const ID_DIFFERENT: u8 = 3;

/// Number of agreement levels of a kind.
pub fn levels(kind: Kind) -> usize {
    match kind {
        Kind::Date => 13,
        Kind::RegionCode => 7,
        Kind::FullName | Kind::GivenName | Kind::FamilyName => 6,
        Kind::BirthYear | Kind::Age => 6,
        Kind::Address | Kind::Postcode | Kind::Nik | Kind::Identifier => 4,
        Kind::Text => 3,
        Kind::Sex => 2,
    }
}

/// A short description of a level, for explanations.
pub fn level_label(kind: Kind, level: u8) -> &'static str {
    level_text(kind, level).en
}

/// The levels of each kind in both languages: what the review queue shows a person.
fn level_texts(kind: Kind) -> &'static [Text] {
    match kind {
        Kind::FullName | Kind::GivenName | Kind::FamilyName => &[
            Text { id: "sama persis", en: "exact" },
            Text { id: "sama setelah ejaan, nama panggilan dan urutan kata disamakan", en: "same after spelling, nickname and word order" },
            Text { id: "sangat mirip (Jaro-Winkler ≥ 0,92)", en: "very similar (Jaro-Winkler ≥ 0.92)" },
            Text { id: "mirip, bunyinya sama atau yang satu memuat yang lain", en: "similar, sounds alike or one contains the other" },
            Text { id: "ada kata yang sama", en: "shares a word" },
            Text { id: "berbeda", en: "different" },
        ],
        Kind::Date => &[
            Text { id: "sama persis", en: "exact" },
            Text { id: "satu bagian berbeda atau tanggal/bulan tertukar", en: "one part differs or day/month swapped" },
            Text { id: "selisih kurang dari setahun", en: "within a year" },
            Text { id: "tanggal tidak lengkap, tahun sama", en: "partial date, same year" },
            Text { id: "tanggal tidak lengkap, selisih paling lama tiga tahun", en: "partial date, within three years" },
            Text { id: "berbeda", en: "different" },
            Text { id: "tanggal tidak lengkap, selisih 4–6 tahun", en: "partial date, 4–6 years apart" },
            Text { id: "tanggal tidak lengkap, selisih 7–10 tahun", en: "partial date, 7–10 years apart" },
            Text { id: "perkiraan umur, tahun sama", en: "estimated age, same year" },
            Text { id: "perkiraan umur, selisih 1–2 tahun", en: "estimated age, 1–2 years apart" },
            Text { id: "perkiraan umur, selisih 3–5 tahun", en: "estimated age, 3–5 years apart" },
            Text { id: "perkiraan umur, selisih 6–10 tahun", en: "estimated age, 6–10 years apart" },
            Text { id: "perkiraan umur, selisih lebih dari sepuluh tahun", en: "estimated age, more than ten years apart" },
        ],
        Kind::BirthYear | Kind::Age => &[
            Text { id: "sama persis", en: "exact" },
            Text { id: "±1", en: "±1" },
            Text { id: "±3", en: "±3" },
            Text { id: "±6", en: "±6" },
            Text { id: "berbeda", en: "different" },
            Text { id: "±10", en: "±10" },
        ],
        Kind::RegionCode => &[
            Text { id: "desa yang sama", en: "same village" },
            Text { id: "kecamatan sama, desa tidak diketahui di satu sisi", en: "same district, village not known on one side" },
            Text { id: "kecamatan sama, desa berbeda", en: "same district, different village" },
            Text { id: "kabupaten/kota sama, kecamatan tidak diketahui di satu sisi", en: "same regency, district not known on one side" },
            Text { id: "kabupaten/kota sama, kecamatan berbeda", en: "same regency, different district" },
            Text { id: "hanya provinsinya yang sama", en: "same province only" },
            Text { id: "provinsi berbeda", en: "different province" },
        ],
        Kind::Address => &[
            Text { id: "sama persis", en: "exact" },
            Text { id: "sangat mirip", en: "very similar" },
            Text { id: "ada kata yang sama", en: "shares a word" },
            Text { id: "berbeda", en: "different" },
        ],
        Kind::Postcode => &[
            Text { id: "sama persis", en: "exact" },
            Text { id: "sektor sama", en: "same sector" },
            Text { id: "kecamatan sama", en: "same district" },
            Text { id: "berbeda", en: "different" },
        ],
        Kind::Text => &[
            Text { id: "sama persis", en: "exact" },
            Text { id: "sangat mirip", en: "very similar" },
            Text { id: "berbeda", en: "different" },
        ],
        Kind::Nik | Kind::Identifier => &[
            Text { id: "sama persis", en: "exact" },
            Text { id: "selisih satu salah ketik (satu angka salah, hilang, berlebih, atau dua tertukar)", en: "one typing slip apart (a wrong, missing or extra digit, or two swapped)" },
            Text { id: "selisih dua salah ketik", en: "two typing slips apart" },
            Text { id: "berbeda", en: "different" },
        ],
        Kind::Sex => &[Text { id: "sama", en: "same" }, Text { id: "berbeda", en: "different" }],
    }
}

/// The level `level` of a kind of field, in both languages.
pub fn level_text(kind: Kind, level: u8) -> Text {
    level_texts(kind)
        .get(level as usize)
        .copied()
        .unwrap_or(Text::new("?", "?"))
}

/// A stored English level label in both languages (evidence is stored in English): none
/// for a text that is no level label.
pub fn level_text_of(en: &str) -> Option<Text> {
    if en == "missing" {
        return Some(Text::new("tidak ada di salah satu sisi", "missing"));
    }
    [
        Kind::FullName,
        Kind::Date,
        Kind::BirthYear,
        Kind::RegionCode,
        Kind::Address,
        Kind::Postcode,
        Kind::Text,
        Kind::Nik,
        Kind::Sex,
    ]
    .into_iter()
    .flat_map(level_texts)
    .find(|t| t.en == en)
    .copied()
}

/// Compares records field by field.
#[derive(Debug, Clone)]
pub struct Comparer {
    pub schema: Schema,
    partner: Vec<Option<usize>>,
    dict: Vec<usize>,
}

impl Comparer {
    pub fn new(schema: Schema) -> Comparer {
        let partner = (0..schema.fields.len())
            .map(|f| schema.partner(f))
            .collect();
        let dict = (0..schema.fields.len()).map(|f| schema.dict(f)).collect();
        Comparer {
            schema,
            partner,
            dict,
        }
    }

    pub fn width(&self) -> usize {
        self.schema.fields.len()
    }

    /// The level of field `f` between two records (rows of values).
    pub fn level<S: Strings + ?Sized>(&self, s: &S, f: usize, a: &[Val], b: &[Val]) -> Option<u8> {
        let kind = self.schema.fields[f].kind;
        let text = |id: u32| s.text(self.dict[f], id);
        // Texts can be at most as similar as the letters they share allow.
        let common = |x: u32, y: u32| {
            let d = self.dict[f];
            shared(s.letters(d, x), s.letters(d, y))
        };
        match (a[f], b[f]) {
            (Val::Missing, _) | (_, Val::Missing) => None,
            (
                Val::Str {
                    exact: ea,
                    key: ka,
                    sound: sa,
                },
                Val::Str {
                    exact: eb,
                    key: kb,
                    sound: sb,
                },
            ) => Some(match kind {
                Kind::FullName | Kind::GivenName | Kind::FamilyName => {
                    if ea == eb {
                        0
                    } else if ka == kb || self.swapped(f, a, b) {
                        1
                    } else {
                        name_level(text(ka), text(kb), common(ka, kb), sa == sb)
                    }
                }
                Kind::Address => {
                    if ea == eb {
                        0
                    } else if ka == kb || similar(text(ea), text(eb), common(ea, eb), 0.9) {
                        1
                    } else if share_word(text(ka), text(kb), 3) {
                        2
                    } else {
                        3
                    }
                }
                Kind::Postcode => {
                    if ea == eb {
                        0
                    } else if ka == kb {
                        1
                    } else if sa == sb {
                        2
                    } else {
                        3
                    }
                }
                _ => {
                    if ea == eb {
                        0
                    } else if ka == kb || similar(text(ea), text(eb), common(ea, eb), 0.88) {
                        1
                    } else {
                        2
                    }
                }
            }),
            (
                Val::Date { y, m, d, est },
                Val::Date {
                    y: y2,
                    m: m2,
                    d: d2,
                    est: est2,
                },
            ) => Some(if est || est2 {
                estimate_level(y.abs_diff(y2))
            } else {
                date_level((y, m, d), (y2, m2, d2))
            }),
            (Val::Num(x), Val::Num(y)) => Some(match (x - y).abs() {
                0 => 0,
                1 => 1,
                2..=3 => 2,
                4..=6 => 3,
                7..=10 => 5,
                _ => 4,
            }),
            (Val::Sex { female: x }, Val::Sex { female: y }) => Some(u8::from(x != y)),
            (Val::Code { id: x, .. }, Val::Code { id: y, .. }) => Some(if x == y {
                0
            } else {
                // A wrong digit, a dropped or extra one, or two neighbours swapped: one slip.
                slips(text(x), text(y))
            }),
            (Val::Region { segs: x, depth: dx }, Val::Region { segs: y, depth: dy }) => {
                let common = dx.min(dy) as usize;
                let same = (0..common).take_while(|&i| x[i] == y[i]).count();
                // Agreeing as far as both are known is stronger than differing below.
                Some(match (same, same == common) {
                    (4, _) => 0,
                    (3, true) => 1,
                    (3, false) => 2,
                    (2, true) => 3,
                    (2, false) => 4,
                    (1, _) => 5,
                    _ => 6,
                })
            }
            _ => None,
        }
    }

    /// Both records carry a *verified* NIK (or identifier) and the two differ: two people,
    /// a hard "no". Even one digit apart: a verified NIK has no slips, and twins registered
    /// together differ in just the last digit of the serial. A *typed* identifier never
    /// contradicts: its slips and mix-ups weigh as learned levels.
    pub fn contradicts<S: Strings + ?Sized>(&self, s: &S, a: &[Val], b: &[Val]) -> bool {
        self.contradicts_with(a, b, |f| self.level(s, f, a, b))
    }

    /// The same from the pair's already computed levels.
    pub fn contradicts_in(&self, p: Pattern, a: &[Val], b: &[Val]) -> bool {
        self.contradicts_with(a, b, |f| level_of(p, f))
    }

    fn contradicts_with(&self, a: &[Val], b: &[Val], level: impl Fn(usize) -> Option<u8>) -> bool {
        self.schema.fields.iter().enumerate().any(|(f, field)| {
            matches!(field.kind, Kind::Nik | Kind::Identifier)
                && matches!(
                    (a[f], b[f]),
                    (
                        Val::Code { verified: true, .. },
                        Val::Code { verified: true, .. }
                    )
                )
                && level(f).is_some_and(|l| l > 0)
        })
    }

    /// Given name written in the family-name column and the other way round.
    fn swapped(&self, f: usize, a: &[Val], b: &[Val]) -> bool {
        let Some(p) = self.partner[f] else {
            return false;
        };
        let key = |v: Val| match v {
            Val::Str { key, .. } => Some(key),
            _ => None,
        };
        let (Some(af), Some(bp)) = (key(a[f]), key(b[p])) else {
            return false;
        };
        let (Some(ap), Some(bf)) = (key(a[p]), key(b[f])) else {
            return af == bp;
        };
        af == bp && ap == bf
    }
}

/// Names whose keys differ: a title glued to a word ("mbahsurip", "cakmat") that leaves
/// the other name's word makes them the same name; else by similarity, sound, one name's
/// words inside the other's (initials and call names too), a shared word.
fn name_level(a: &str, b: &str, common: u32, same_sound: bool) -> u8 {
    let mut x: Vec<&str> = a.split(' ').collect();
    let mut y: Vec<&str> = b.split(' ').collect();
    // One side only: two names each cut down to a common rest are not one name.
    let glued = unglue(&mut x, &y) || unglue(&mut y, &x);
    let jw = if glued {
        let (mut p, mut q) = (x.clone(), y.clone());
        p.sort_unstable();
        q.sort_unstable();
        if p == q {
            return 1;
        }
        jaro_winkler(&x.join(" "), &y.join(" "))
    } else {
        jaro_winkler_from(a, b, common, 0.85)
    };
    if jw >= 0.92 {
        2
    } else if jw >= 0.85 || same_sound || within(&x, &y) || within(&y, &x) {
        3
    } else if x.iter().any(|w| w.len() >= 2 && y.contains(w)) {
        4
    } else {
        5
    }
}

/// Replaces each word of `a` that is a title glued to a name by that name, when the
/// name is (nearly) a word of `b` ("mbahsurip" beside "surip", "ningngatise" beside
/// "ngatisi"); whether there was one.
fn unglue<'a>(a: &mut [&'a str], b: &[&'a str]) -> bool {
    let mut changed = false;
    for w in a.iter_mut() {
        if b.contains(w) {
            continue;
        }
        // Where a word of `b` could begin inside `w` (its first two letters, after at
        // least two letters of title), the part before must be a title and the rest the
        // word, or nearly: a slip in the name, seldom at its start.
        let mut best: Option<(&'a str, bool)> = None;
        for x in b.iter().filter(|x| x.len() >= 3 && w.len() > x.len()) {
            let head = &x.as_bytes()[..2];
            let bytes = w.as_bytes();
            for k in 2..=LONGEST_TITLE.min(bytes.len() - 2) {
                if &bytes[k..k + 2] != head || !w.is_char_boundary(k) {
                    continue;
                }
                let rest = &w[k..];
                // The title's last letter and the name's first may have been one
                // repeated letter, collapsed in the key ("pak" + "kardi" → "pakardi").
                let titled = is_title(&w[..k]) || (w.is_char_boundary(k + 1) && is_title(&w[..=k]));
                if !titled {
                    continue;
                }
                if rest == *x {
                    best = Some((rest, true));
                } else if best.is_none() && rest.len() >= 4 && jaro_winkler(x, rest) >= 0.9 {
                    best = Some((rest, false));
                }
            }
        }
        if let Some((rest, _)) = best {
            *w = rest;
            changed = true;
        }
    }
    changed
}

/// Every word of `a` is in `b`: the same word, its initial ("m rofik"), or a call name
/// of at least four letters inside a longer word ("tris" in "sutrisno").
fn within(a: &[&str], b: &[&str]) -> bool {
    a.iter().all(|w| {
        b.iter().any(|x| {
            x == w
                || (w.len() == 1 && x.starts_with(*w))
                || (w.len() >= 4 && x.len() > w.len() && x.contains(*w))
        })
    })
}

fn share_word(a: &str, b: &str, min_len: usize) -> bool {
    a.split(' ')
        .filter(|w| w.len() >= min_len)
        .any(|w| b.split(' ').any(|x| x == w))
}

/// Dates with unknown month or day (0) compare on what both sides know; an estimated
/// year a few years off is common, two full dates years apart are not.
fn date_level(a: (i16, u8, u8), b: (i16, u8, u8)) -> u8 {
    let years = (a.0 - b.0).unsigned_abs();
    let full = a.1 != 0 && a.2 != 0 && b.1 != 0 && b.2 != 0;
    if full {
        if a == b {
            return 0;
        }
        let same = [a.0 == b.0, a.1 == b.1, a.2 == b.2];
        let swapped = a.0 == b.0 && a.1 == b.2 && a.2 == b.1;
        if swapped || same.iter().filter(|s| **s).count() == 2 {
            return 1;
        }
        let days = |(y, m, d): (i16, u8, u8)| y as i32 * 372 + m as i32 * 31 + d as i32;
        if (days(a) - days(b)).abs() <= 372 {
            return 2;
        }
        return 5;
    }
    let months_agree = a.1 == 0 || b.1 == 0 || a.1 == b.1;
    match years {
        0 if months_agree => 3,
        0..=3 => 4,
        // A bare year is often a guess too, written without a mark.
        4..=6 => 6,
        7..=10 => 7,
        _ => 5,
    }
}

/// Two birth years, one of them (at least) a guess from someone's face: close is weak
/// evidence, a few years off is common, ten is not unusual.
fn estimate_level(years: u16) -> u8 {
    match years {
        0 => 8,
        1..=2 => 9,
        3..=5 => 10,
        6..=10 => 11,
        _ => 12,
    }
}

/// Whether two texts that share at most `common` letters are at least `threshold`
/// similar (Jaro-Winkler).
fn similar(a: &str, b: &str, common: u32, threshold: f64) -> bool {
    jaro_winkler_from(a, b, common, threshold) >= threshold
}

/// Jaro-Winkler similarity when it can reach `floor`, else 0. The letters the two texts
/// share (`common`, an upper bound on Jaro's matching characters) bound it from above,
/// and most pairs compared (random ones, for the model) fall short without the full
/// computation.
fn jaro_winkler_from(a: &str, b: &str, common: u32, floor: f64) -> f64 {
    let (x, y) = (a.len() as f64, b.len() as f64);
    if x == 0.0 || y == 0.0 || !a.is_ascii() || !b.is_ascii() {
        return jaro_winkler(a, b);
    }
    let m = f64::from(common);
    let jaro_max = (m / x + m / y + 1.0) / 3.0;
    // The Winkler bonus adds at most 0.4 of what is missing.
    if jaro_max + 0.4 * (1.0 - jaro_max) < floor {
        return 0.0;
    }
    jaro_winkler(a, b)
}

/// Jaro-Winkler similarity, the same as `strsim::jaro_winkler`, without allocating for
/// ASCII text of up to 64 bytes (nearly every name and address): comparison is the
/// engine's hot path.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() > 64 || y.len() > 64 || !a.is_ascii() || !b.is_ascii() {
        return strsim::jaro_winkler(a, b);
    }
    if x.is_empty() || y.is_empty() {
        return if x.len() == y.len() { 1.0 } else { 0.0 };
    }
    let range = (x.len().max(y.len()) / 2).saturating_sub(1);
    let (mut used_x, mut used_y) = (0u64, 0u64);
    let mut matches = 0u32;
    for (i, &c) in x.iter().enumerate() {
        let end = (i + range + 1).min(y.len());
        for (j, &d) in y.iter().enumerate().take(end).skip(i.saturating_sub(range)) {
            if d == c && used_y & (1 << j) == 0 {
                used_x |= 1 << i;
                used_y |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut half_transpositions = 0u32;
    let (mut ux, mut uy) = (used_x, used_y);
    while ux != 0 {
        let (i, j) = (ux.trailing_zeros() as usize, uy.trailing_zeros() as usize);
        half_transpositions += u32::from(x[i] != y[j]);
        ux &= ux - 1;
        uy &= uy - 1;
    }
    let m = matches as f64;
    let jaro =
        (m / x.len() as f64 + m / y.len() as f64 + (matches - half_transpositions / 2) as f64 / m)
            / 3.0;
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count();
    jaro + 0.1 * prefix as f64 * (1.0 - jaro)
}

/// Typing slips between two identifiers (optimal string alignment distance: a wrong,
/// missing or extra character, or two neighbours swapped), counted up to
/// [`ID_DIFFERENT`].
pub fn slips(a: &str, b: &str) -> u8 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len().abs_diff(y.len()) >= ID_DIFFERENT as usize {
        return ID_DIFFERENT;
    }
    if x.len() > 40 || y.len() > 40 {
        return strsim::osa_distance(a, b).min(ID_DIFFERENT as usize) as u8;
    }
    if x.len() == y.len() {
        // Of equal length, one or two differing places settle it: one slip is one wrong
        // character or two neighbours swapped, and nothing shorter explains two.
        let mut diff = x.iter().zip(y).enumerate().filter(|(_, (p, q))| p != q);
        match (diff.next(), diff.next(), diff.next()) {
            (None, _, _) => return 0,
            (Some(_), None, _) => return 1,
            (Some((i, _)), Some((j, _)), None) => {
                return if j == i + 1 && x[i] == y[j] && x[j] == y[i] {
                    1
                } else {
                    2
                };
            }
            _ => {}
        }
    }
    // Three rows of the edit-distance table on the stack: row i lives at i % 3.
    let mut rows = [[0u8; 41]; 3];
    for (j, cell) in rows[0].iter_mut().enumerate().take(y.len() + 1) {
        *cell = j as u8;
    }
    for i in 1..=x.len() {
        let (cur, prev, before) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[cur][0] = i as u8;
        let mut best = rows[cur][0];
        for j in 1..=y.len() {
            let cost = u8::from(x[i - 1] != y[j - 1]);
            let mut d = (rows[prev][j] + 1)
                .min(rows[cur][j - 1] + 1)
                .min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] {
                d = d.min(rows[before][j - 2] + 1);
            }
            rows[cur][j] = d;
            best = best.min(d);
        }
        // Every later row is at least this row's best.
        if best >= ID_DIFFERENT {
            return ID_DIFFERENT;
        }
    }
    rows[x.len() % 3][y.len()].min(ID_DIFFERENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::parse::{parse, parse_from};
    use crate::linkage::record::{Dict, Field, Source};

    fn cmp(kind: Kind, a: &str, b: &str) -> Option<u8> {
        let schema = Schema {
            fields: vec![Field {
                name: "x".into(),
                kind,
                format: None,
            }],
        };
        let mut d = vec![Dict::default()];
        let va = [parse(&schema, 0, a, &mut d).unwrap()];
        let vb = [parse(&schema, 0, b, &mut d).unwrap()];
        Comparer::new(schema).level(d.as_slice(), 0, &va, &vb)
    }

    #[test]
    fn names_get_levels_from_exact_to_different() {
        assert_eq!(
            cmp(Kind::FullName, "Slamet Riyadi", "Pak Slamet Riyadi"),
            Some(0)
        );
        assert_eq!(
            cmp(Kind::FullName, "Riyadi Slamet", "Slamet Riyadi"),
            Some(1)
        );
        assert_eq!(cmp(Kind::FullName, "Soerjono", "Suryono"), Some(1));
        assert_eq!(cmp(Kind::FullName, "Sutrisno", "Sutrisna"), Some(2));
        assert_eq!(cmp(Kind::FullName, "Siti", "Siti Aminah"), Some(3));
        assert_eq!(cmp(Kind::FullName, "Siti Aminah", "Siti Rahayu"), Some(4));
        assert_eq!(cmp(Kind::FullName, "Bambang", "Kartini"), Some(5));
        assert_eq!(cmp(Kind::FullName, "", "Kartini"), None);
    }

    #[test]
    fn dates_forgive_swaps_typos_and_estimates() {
        let d = |a, b| cmp(Kind::Date, a, b);
        assert_eq!(d("1980-03-04", "1980-03-04"), Some(0));
        assert_eq!(d("1980-03-04", "1980-04-03"), Some(1));
        assert_eq!(d("1980-03-04", "1981-03-04"), Some(1));
        assert_eq!(d("1980-03-04", "1980-09-20"), Some(2));
        assert_eq!(d("1980", "1980-09-20"), Some(3));
        assert_eq!(d("1983", "1980-09-20"), Some(4));
        assert_eq!(d("1984-01-10", "1980-09-20"), Some(5));
    }

    #[test]
    fn regions_agree_down_the_hierarchy() {
        let r = |a, b| cmp(Kind::RegionCode, a, b);
        assert_eq!(r("35.78.01.1001", "35.78.01.1001"), Some(0));
        assert_eq!(r("35.78.01", "35.78.01.1002"), Some(1));
        assert_eq!(r("35.78.01.1001", "35.78.01.1002"), Some(2));
        assert_eq!(r("35.78", "35.78.02.1001"), Some(3));
        assert_eq!(r("35.78.01.1001", "35.78.02.1001"), Some(4));
        assert_eq!(r("35.15.01.1001", "35.78.01.1001"), Some(5));
        assert_eq!(r("34.78.01.1001", "35.78.01.1001"), Some(6));
    }

    #[test]
    fn a_birth_year_from_a_guessed_age_is_compared_as_a_guess() {
        let d = |a, b| cmp(Kind::Date, a, b);
        assert_eq!(d("~1966", "1966-05-01"), Some(8));
        assert_eq!(d("~1964", "1966-05-01"), Some(9));
        assert_eq!(d("1970-05-01", "~1966"), Some(10));
        assert_eq!(d("1966?", "1976"), Some(11));
        assert_eq!(d("sekitar 1950", "1970-01-02"), Some(12));
        // A bare year may be a guess written without a mark: graded too.
        assert_eq!(d("1966", "1971-01-01"), Some(6));
        assert_eq!(d("1966", "1975"), Some(7));
        assert_eq!(d("1950", "1975"), Some(5));
        assert_eq!(cmp(Kind::Age, "~60", "69"), Some(5));
    }

    #[test]
    fn honorifics_glued_or_spaced_doubled_vowels_and_old_spellings_leave_one_name() {
        let n = |a, b| cmp(Kind::FullName, a, b);
        assert_eq!(n("KANG HEERU MOEBAROK", "Heru Mubarok"), Some(1));
        assert_eq!(n("Kangheru Mubarok", "Heru Mubarok"), Some(1));
        assert_eq!(n("MBAHSURIP", "Surip"), Some(1));
        assert_eq!(n("Pakdetutaranto", "Tutaranto"), Some(1));
        assert_eq!(n("Ning Siti Zoebaidah", "Siti Zubaidah"), Some(1));
        assert_eq!(n("Prasetjo", "Prasetyo"), Some(1));
        assert_eq!(n("Tjahjono", "Cahyono"), Some(1));
        assert_eq!(n("Djoko", "Joko"), Some(1));
        assert_eq!(n("Choirul Anam", "Khoirul Anam"), Some(1));
        // A glued title beside a slip in the name: very similar.
        assert_eq!(n("NINGNGATTISEH", "Ngattisih"), Some(2));
        // Initials and call names sit inside the full name.
        assert!(matches!(n("M. Rofiq", "Muhammad Rofiq"), Some(2 | 3)));
        assert!(matches!(n("S. Aminah", "Siti Aminah"), Some(2 | 3)));
        assert_eq!(n("Trisno", "Sutrisno"), Some(3));
        // Not a title: one letter ("Hadi" is a name), or a cut on both sides.
        assert_ne!(n("Hadi", "Adi"), Some(1));
        assert_ne!(n("Raadi", "Nadi"), Some(1));
    }

    #[test]
    fn numbers_postcodes_sex_and_ids() {
        assert_eq!(cmp(Kind::Age, "40", "42"), Some(2));
        assert_eq!(cmp(Kind::BirthYear, "1960", "1990"), Some(4));
        assert_eq!(cmp(Kind::Postcode, "TQ13 8DF", "tq13 8df"), Some(0));
        assert_eq!(cmp(Kind::Postcode, "tq13 8df", "tq13 8hu"), Some(1));
        assert_eq!(cmp(Kind::Postcode, "tq13 8df", "tq13 9xx"), Some(2));
        assert_eq!(cmp(Kind::Sex, "L", "male"), Some(0));
        assert_eq!(cmp(Kind::Sex, "L", "P"), Some(1));
        assert_eq!(
            cmp(Kind::Nik, "3578015208900001", "3578015208900010"),
            Some(1)
        );
        assert_eq!(cmp(Kind::Identifier, "A-12", "a12"), Some(0));
    }

    /// Names in any script: a word that begins like the other name's word with a letter
    /// of two bytes, after a part that is no title (historical_50k's "ældflæd").
    #[test]
    fn a_glued_title_is_looked_for_in_names_beyond_ascii() {
        assert!(cmp(Kind::FullName, "boældflæd", "ældflæd").is_some_and(|l| l >= 2));
        assert!(cmp(Kind::FullName, "pakældflæd", "ældflæd").is_some_and(|l| l <= 1));
        assert!(cmp(Kind::FullName, "Ælfgifu", "Ælfgifu").is_some_and(|l| l == 0));
    }

    #[test]
    fn swapped_given_and_family_names_agree() {
        let schema = Schema {
            fields: vec![
                Field {
                    name: "first".into(),
                    kind: Kind::GivenName,
                    format: None,
                },
                Field {
                    name: "last".into(),
                    kind: Kind::FamilyName,
                    format: None,
                },
            ],
        };
        let mut d = vec![Dict::default(), Dict::default()];
        let mut row = |a: &str, b: &str| {
            [
                parse(&schema, 0, a, &mut d).unwrap(),
                parse(&schema, 1, b, &mut d).unwrap(),
            ]
        };
        let (x, y) = (row("john", "smith"), row("smith", "john"));
        let c = Comparer::new(schema);
        assert_eq!(c.level(d.as_slice(), 0, &x, &y), Some(1));
        assert_eq!(c.level(d.as_slice(), 1, &x, &y), Some(1));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn the_fast_similarities_agree_with_strsim(a in "[a-e ]{0,12}", b in "[a-e ]{0,12}") {
                let jw = jaro_winkler(&a, &b);
                prop_assert!((jw - strsim::jaro_winkler(&a, &b)).abs() < 1e-12);
                let osa = strsim::osa_distance(&a, &b).min(ID_DIFFERENT as usize) as u8;
                prop_assert_eq!(slips(&a, &b), osa);
                // The bound from shared letters never hides a similarity it should not.
                let common = shared(&letters(&a), &letters(&b));
                for floor in [0.5, 0.85, 0.92] {
                    let fast = jaro_winkler_from(&a, &b, common, floor);
                    prop_assert!(fast == jw || (fast == 0.0 && jw < floor));
                }
            }
        }

        use crate::linkage::record::letters;
    }

    #[test]
    fn one_wrong_or_two_swapped_digits_are_a_slip_not_a_contradiction() {
        let schema = Schema {
            fields: vec![Field {
                name: "nik".into(),
                kind: Kind::Nik,
                format: None,
            }],
        };
        let mut d = vec![Dict::default()];
        let mut v = |s: &str, source| [parse_from(&schema, 0, s, &mut d, source).unwrap()];
        let verified = Source::Verified;
        let a = v("3578015208900001", verified);
        let wrong_digit = v("3578015208900007", verified);
        let swapped = v("3578015208900010", verified);
        let two_slips = v("3578015208900012", verified);
        let other = v("3515026107650042", verified);
        let typed_other = v("3515026107650042", Source::Typed);
        let bad = v("123", verified);
        let typed_slip = v("3578015208900007", Source::Typed);
        let typed_swap = v("3578015208900010", Source::Typed);
        let c = Comparer::new(schema);
        let level = |x: &[Val], y: &[Val]| c.level(d.as_slice(), 0, x, y);
        assert_eq!(level(&a, &wrong_digit), Some(1));
        assert_eq!(level(&a, &swapped), Some(1));
        assert_eq!(level(&a, &two_slips), Some(2));
        assert_eq!(level(&a, &other), Some(3));
        // Verified on both sides and different, even by one digit (twins): two people.
        for b in [&other, &two_slips, &wrong_digit, &swapped] {
            assert!(c.contradicts(d.as_slice(), &a, b));
            let p = crate::linkage::em::pattern([level(&a, b)].into_iter());
            assert!(c.contradicts_in(p, &a, b));
        }
        // A NIK typed at the desk (a slip or someone else's), or one that does not decode:
        // no veto.
        assert_eq!(level(&a, &typed_slip), Some(1));
        assert_eq!(level(&a, &typed_swap), Some(1));
        assert!(!c.contradicts(d.as_slice(), &a, &typed_slip));
        assert!(!c.contradicts(d.as_slice(), &a, &typed_swap));
        assert!(!c.contradicts(d.as_slice(), &a, &typed_other));
        assert!(!c.contradicts(d.as_slice(), &a, &a));
        assert!(!c.contradicts(d.as_slice(), &a, &bad));
    }
}
