//! Turning written names and texts into forms that compare well: honorifics and titles
//! off, the pre-1972 spelling modernised, repeated letters collapsed, common call names
//! mapped to the full name, and a coarse phonetic key for blocking.
use foldhash::fast::FixedState;

/// Honorifics, kinship terms and academic or religious titles that precede or follow a
/// name in East Java and are not part of it (compared after dots are removed).
const TITLES: &[&str] = &[
    "bapak",
    "pak",
    "bpk",
    "ibu",
    "bu",
    "mbah",
    "mbok",
    "mak",
    "mas",
    "mbak",
    "cak",
    "ning",
    "neng",
    "haji",
    "hajah",
    "hajjah",
    "h",
    "hj",
    "kyai",
    "kiai",
    "kh",
    "nyai",
    "raden",
    "rr",
    "ustadz",
    "ustad",
    "drs",
    "dra",
    "dr",
    "ir",
    "prof",
    "spd",
    "sh",
    "se",
    "mpd",
    "ssos",
    "skom",
    "amd",
    "sag",
    "sdr",
    "sdri",
    "tn",
    "ny",
    "nn",
    "alm",
    "almh",
    "almarhum",
    "almarhumah",
    // Kinship words and call titles of Java, Madura and beyond, as heard at the roadside.
    "kang",
    "akang",
    "om",
    "bang",
    "abang",
    "kak",
    "kakak",
    "dik",
    "adik",
    "yu",
    "mbakyu",
    "lik",
    "paklik",
    "bulik",
    "pakde",
    "pakdhe",
    "bude",
    "budhe",
    "eyang",
    "nenek",
    "nek",
    "kakek",
    "kek",
    "wak",
    "uwak",
    "abah",
    "umi",
    "ummi",
    "buk",
    "gus",
    "den",
    "teh",
    "aa",
    "uda",
    "uni",
    "encik",
    "cik",
    "koh",
    "opa",
    "oma",
    // Degrees written after a name.
    "st",
    "msi",
    "mm",
    "mh",
    "skm",
    "ssi",
    "spdi",
    "amk",
    "ak",
];

/// Words that join a person's name to their father's ("Siti Aminah binti Kasan"): what
/// follows is not the person's name.
const PATRONYMIC: &[&str] = &["bin", "binti", "bt", "bte"];

/// Honorifics and titles as match keys: officers glue them to the name ("Cakmat",
/// "Mbahsurip", "H.Slamet"); see [`unglued`] and `compare`.
fn title_keys() -> &'static std::collections::HashSet<String, FixedState> {
    static KEYS: std::sync::OnceLock<std::collections::HashSet<String, FixedState>> =
        std::sync::OnceLock::new();
    KEYS.get_or_init(|| TITLES.iter().map(|t| word_key(t)).collect())
}

/// The longest title key, in bytes.
pub const LONGEST_TITLE: usize = 10;

/// Whether a word's key is the key of an honorific or title.
pub fn is_title(key: &str) -> bool {
    !key.is_empty() && key.len() <= LONGEST_TITLE && title_keys().contains(key)
}

/// What a title glued to a name would leave of a word's key: the part after each title
/// it starts with (at least three letters). Where the title's last letter and the name's
/// first were one repeated letter, collapsed in the key ("pak" + "kardi" → "pakardi"),
/// that letter begins the name too.
pub fn unglued(word: &str) -> impl Iterator<Item = &str> {
    // A one-letter title ("h" for Haji) glued would make "hadi" "adi".
    (2..=LONGEST_TITLE.min(word.len().saturating_sub(3)))
        .filter(move |k| word.is_char_boundary(*k) && is_title(&word[..*k]))
        .flat_map(move |k| {
            let shared = (k > 1 && word.is_char_boundary(k - 1)).then(|| &word[k - 1..]);
            std::iter::once(&word[k..]).chain(shared.filter(|rest| rest.len() > 3))
        })
}

/// Written variants of a name (after spelling keys are applied) and the name they stand for.
/// Common in East Java: the many spellings of Muhammad and Ahmad, and call names.
const ALIASES: &[(&str, &[&str])] = &[
    (
        "muhamad",
        &[
            "mohamad", "mokhamad", "mukhamad", "muhamed", "mohamed", "moh", "mokh", "muh", "mhd",
            "md", "mat", "mamad", "mohd", "muhd", "mochamad", "moch",
        ],
    ),
    ("ahmad", &["akhmad", "ahmat", "amad", "akmad"]),
    ("abdul", &["abd"]),
    ("slamet", &["met", "selamet"]),
    ("sutrisno", &["tris"]),
    ("suprijadi", &["pri"]),
    ("suparman", &["man"]),
    ("sukardi", &["kardi"]),
    ("sunarto", &["narto"]),
    ("harijanto", &["janto"]),
    ("mujiono", &["muji"]),
    ("sumiati", &["sum"]),
    ("suminah", &["minah"]),
    ("sulastri", &["las"]),
    ("rukmini", &["mini"]),
    ("kartini", &["tini"]),
    ("khotijah", &["ijah"]),
    ("maimunah", &["munah"]),
    ("setjowati", &["wati"]),
    ("fatimah", &["timah"]),
    ("wagijem", &["gijem"]),
    ("gunawan", &["gun"]),
];

/// Lower case, letters and digits only, one space between words.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else if c != '.' && c != '\'' {
            // "H." and "S.Pd." lose their dots so they join into one title token.
            space = true;
        }
    }
    out
}

/// The words of a name without honorifics and titles; the titles stay when nothing else
/// would ("Pak Kumis" keeps "kumis", "Mas" alone stays "mas").
pub fn name_words(s: &str) -> Vec<String> {
    // Splitting "" would give one empty word, and "-" (the usual "unknown") is "".
    let words: Vec<String> = clean(s)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    // "… bin Salim": the father's name is not the person's. The first word of the name
    // proper is never the joiner: "Binti" and "Pak Bt" are names (titles come before it).
    let first = words
        .iter()
        .position(|w| !TITLES.contains(&w.as_str()))
        .unwrap_or(0);
    let own = match words
        .iter()
        .skip(first + 1)
        .position(|w| PATRONYMIC.contains(&w.as_str()))
    {
        Some(k) => &words[..first + 1 + k],
        None => &words[..],
    };
    let kept: Vec<String> = own
        .iter()
        .filter(|w| !TITLES.contains(&w.as_str()))
        .cloned()
        .collect();
    if kept.is_empty() {
        words
    } else {
        kept
    }
}

/// A word in today's spelling: oe→u, dj→j, tj→c, nj→ny, sj→sy, ch→kh, and a j that stood
/// for y when the word shows other marks of the old spelling ("Soerjani" → "Suryani").
pub fn modern_spelling(word: &str) -> String {
    let old = ["oe", "dj", "tj", "nj", "sj", "ch"]
        .iter()
        .any(|m| word.contains(m));
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::with_capacity(word.len());
    let mut i = 0;
    while i < chars.len() {
        let next = chars.get(i + 1).copied();
        let two = |a: char, b: char| chars[i] == a && next == Some(b);
        let (text, step) = if two('o', 'e') {
            ("u", 2)
        } else if two('d', 'j') {
            ("j", 2)
        } else if two('t', 'j') {
            ("c", 2)
        } else if two('n', 'j') {
            ("ny", 2)
        } else if two('s', 'j') {
            ("sy", 2)
        } else if two('c', 'h') {
            ("kh", 2)
        } else if chars[i] == 'j' && old {
            ("y", 1)
        } else {
            out.push(chars[i]);
            i += 1;
            continue;
        };
        out.push_str(text);
        i += step;
    }
    out
}

/// The key a word is matched on: the pre-1972 and today's spellings made one (oe/u,
/// dj/j, tj/c, j/y, ch/kh, nj/ny, sj/sy) without deciding which is meant (old "tj" is
/// today's "c" in "Tjahjo" but "ty" in "Prasetjo"), repeated letters collapsed, then a
/// known call name or variant mapped to the name it stands for.
pub fn word_key(word: &str) -> String {
    let key = spelling_key(word);
    match aliases().get(&key) {
        Some(full) => full.clone(),
        None => key,
    }
}

/// A word's key before call names and variants are mapped: the pre-1972 and today's
/// spellings of a sound made one, repeated letters collapsed.
fn spelling_key(word: &str) -> String {
    let merged: Vec<char> = word
        .chars()
        .map(|c| if c == 'y' { 'j' } else { c })
        .collect();
    let mut key = String::with_capacity(word.len() + 2);
    let push = |key: &mut String, s: &str| {
        for c in s.chars() {
            if !key.ends_with(c) {
                key.push(c);
            }
        }
    };
    let mut i = 0;
    while i < merged.len() {
        let (text, step) = match (merged[i], merged.get(i + 1).copied()) {
            ('o', Some('e')) => ("u", 2),
            ('c', Some('h')) => ("kh", 2),
            // Old dj is j (and dy, merged above, is written so too).
            ('d', Some('j')) => ("j", 2),
            // Old tj is c, and t + y is written tj too ("Prasetjo"): c joins tj.
            ('c', _) => ("tj", 1),
            (c, _) => {
                let mut b = [0u8; 4];
                push(&mut key, c.encode_utf8(&mut b));
                i += 1;
                continue;
            }
        };
        push(&mut key, text);
        i += step;
    }
    key
}

/// [`ALIASES`] in key form: each variant's key and the key of the name it stands for.
fn aliases() -> &'static std::collections::HashMap<String, String> {
    static MAP: std::sync::OnceLock<std::collections::HashMap<String, String>> =
        std::sync::OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = std::collections::HashMap::new();
        for (full, variants) in ALIASES {
            let full = spelling_key(full);
            for v in *variants {
                map.insert(spelling_key(v), full.clone());
            }
        }
        map
    })
}

/// A name's match key: each word's key, in sorted order so that swapped words agree.
pub fn name_key(words: &[String]) -> String {
    let mut keys: Vec<String> = words.iter().map(|w| word_key(w)).collect();
    keys.sort_unstable();
    keys.join(" ")
}

/// A name's match key and its sound key (each word's sound, sorted), from its words.
pub fn name_keys(words: &[String]) -> (String, String) {
    let mut keys: Vec<String> = words.iter().map(|w| word_key(w)).collect();
    let mut sounds: Vec<String> = keys.iter().map(|k| sound_of_key(k)).collect();
    keys.sort_unstable();
    sounds.sort_unstable();
    (keys.join(" "), sounds.join(" "))
}

/// A coarse sound key of one word: the first letter, then consonant classes without
/// vowels, h or w, repeats collapsed, at most six letters ("Soerjono" and "Suryono" agree).
pub fn phonetic(word: &str) -> String {
    sound_of_key(&word_key(word))
}

/// The sound key of a word already in key form (see [`word_key`]).
pub fn sound_of_key(key: &str) -> String {
    // tj is the key's c.
    let key = key.replace("tj", "c");
    let mut chars = key.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out = String::from(first);
    let mut last = class(first);
    for c in chars {
        let k = class(c);
        if k != last && k != '_' {
            out.push(k);
        }
        last = k;
        if out.len() >= 6 {
            break;
        }
    }
    out
}

fn class(c: char) -> char {
    match c {
        'b' | 'p' | 'f' | 'v' => 'p',
        'c' | 'k' | 'q' | 'g' | 'x' => 'k',
        'd' | 't' => 't',
        's' | 'z' => 's',
        'j' | 'y' => 'j',
        'a' | 'e' | 'i' | 'o' | 'u' | 'h' | 'w' => '_',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        name_key(&name_words(s))
    }

    #[test]
    fn no_title_is_longer_than_the_glued_title_search() {
        assert!(TITLES.iter().all(|t| word_key(t).len() <= LONGEST_TITLE));
    }

    #[test]
    fn honorifics_and_titles_are_dropped() {
        assert_eq!(name_words("Bapak H. Slamet, S.Pd."), ["slamet"]);
        assert_eq!(name_words("Hj. Siti Aminah"), ["siti", "aminah"]);
        assert_eq!(name_words("Mbah Gimbal"), ["gimbal"]);
        assert_eq!(name_words("Drs. Ir. Bambang"), ["bambang"]);
        assert_eq!(name_words("Mas"), ["mas"]);
        // A dash or question mark for "unknown" is no name at all.
        assert!(name_words("-").is_empty() && name_words(" ? ").is_empty());
    }

    #[test]
    fn kinship_words_and_the_fathers_name_are_not_the_name() {
        assert_eq!(name_words("KANG HEERU MOEBAROK"), ["heeru", "moebarok"]);
        assert_eq!(name_words("Om Rohim"), ["rohim"]);
        assert_eq!(name_words("Bulik Tutinem"), ["tutinem"]);
        assert_eq!(name_words("Siti Aminah binti Kasan"), ["siti", "aminah"]);
        assert_eq!(name_words("AHMAD BIN SALIM, S.Pd."), ["ahmad"]);
        // "Binti" first is a name.
        assert_eq!(name_words("Binti Maryam"), ["binti", "maryam"]);
        // … also after a title: a title does not make the name's first word a joiner.
        assert_eq!(name_words("Pak Bt"), name_words("Bt"));
        assert_eq!(name_words("Bu Binti Maryam bin Salim"), ["binti", "maryam"]);
    }

    #[test]
    fn a_glued_title_leaves_the_name() {
        let cut: Vec<&str> = unglued("mbahsurip").collect();
        assert!(cut.contains(&"surip"), "{cut:?}");
        // "pak" + "kardi": the repeated k was collapsed in the key.
        assert!(unglued(&word_key("pakkardi")).any(|r| r == "kardi"));
        // One letter is no title here ("Hadi" is a name).
        assert!(!unglued("hadi").any(|r| r == "adi"));
    }

    #[test]
    fn old_spellings_are_modernised() {
        assert_eq!(modern_spelling("soerjani"), "suryani");
        assert_eq!(modern_spelling("tjahjo"), "cahyo");
        assert_eq!(modern_spelling("chotidjah"), "khotijah");
        assert_eq!(modern_spelling("njoman"), "nyoman");
        assert_eq!(modern_spelling("sjarif"), "syarif");
        // No old-spelling mark: a j stays a j.
        assert_eq!(modern_spelling("joko"), "joko");
    }

    #[test]
    fn old_and_new_spellings_share_a_key() {
        assert_eq!(key("Djoko Soesilo"), key("Joko Susilo"));
        assert_eq!(key("Soerjani"), key("Suryani"));
        assert_eq!(key("Tjahjo"), key("Cahyo"));
    }

    #[test]
    fn repeated_letters_word_order_and_variants_agree() {
        assert_eq!(key("Muhammad Rofiq"), key("Rofiq Muhamad"));
        assert_eq!(key("Moch. Rofiq"), key("Muhammad Rofiq"));
        assert_eq!(key("Mochammad Rofiq"), key("Mohamad Rofiq"));
        assert_eq!(key("Achmad"), key("Ahmad"));
        assert_ne!(key("Ahmad"), key("Muhammad"));
    }

    #[test]
    fn call_names_map_to_the_full_name() {
        assert_eq!(key("Tris"), key("Sutrisno"));
        assert_eq!(key("Pak Met"), key("Slamet"));
    }

    #[test]
    fn phonetic_keys_forgive_vowels_and_voicing() {
        assert_eq!(phonetic("Soerjono"), phonetic("Suryono"));
        assert_eq!(phonetic("thomson"), phonetic("tomson"));
        assert_ne!(phonetic("slamet"), phonetic("sutrisno"));
        assert_eq!(phonetic(""), "");
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// Names as they are written on forms: letters, dots, commas, apostrophes, spaces.
        const WRITTEN: &str = "[A-Za-z][A-Za-z.,' ]{0,30}";

        proptest! {
            #[test]
            fn cleaning_any_text_is_idempotent_and_leaves_words_and_single_spaces(s in "\\PC*") {
                let c = clean(&s);
                prop_assert_eq!(clean(&c), c.clone());
                prop_assert!(!c.starts_with(' ') && !c.ends_with(' ') && !c.contains("  "));
                prop_assert!(c.chars().all(|ch| ch == ' ' || ch.is_alphanumeric()));
            }

            #[test]
            fn name_words_are_nonempty_single_words_and_stable(s in "\\PC*") {
                let words = name_words(&s);
                prop_assert!(words.iter().all(|w| !w.is_empty() && !w.contains(' ')));
                prop_assert_eq!(name_words(&words.join(" ")), words);
            }

            #[test]
            fn keys_and_sounds_of_any_text_never_panic(s in "\\PC*") {
                let words = name_words(&s);
                let _ = name_key(&words);
                for w in &words {
                    prop_assert!(phonetic(w).chars().count() <= 6);
                }
            }

            #[test]
            fn keys_ignore_case_word_order_and_a_leading_title(
                name in WRITTEN, title in proptest::sample::select(vec!["Pak", "Bu", "H.", "Hj.", "Mbah", "Drs."]),
            ) {
                let key = |s: &str| name_key(&name_words(s));
                prop_assert_eq!(key(&name.to_uppercase()), key(&name));
                let mut words = name_words(&name);
                words.reverse();
                prop_assert_eq!(name_key(&words), key(&name));
                if name_words(&name).iter().any(|w| !TITLES.contains(&w.as_str())) {
                    prop_assert_eq!(key(&format!("{title} {name}")), key(&name));
                }
            }
        }
    }
}
