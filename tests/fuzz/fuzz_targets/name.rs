//! Names as the linkage engine reads them: cleaning, title removal, keys, sounds.
#![no_main]
use libfuzzer_sys::fuzz_target;
use simlontar::linkage::normalise::{clean, name_key, name_words, phonetic};

fuzz_target!(|s: &str| {
    let c = clean(s);
    assert_eq!(clean(&c), c);
    let words = name_words(s);
    assert!(words.iter().all(|w| !w.is_empty()));
    let _ = name_key(&words);
    for w in &words {
        assert!(phonetic(w).chars().count() <= 6);
    }
});
