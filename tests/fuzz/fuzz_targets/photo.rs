//! Photo uploads: only JPEG or PNG images that parse are accepted.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = simlontar::intake::create::check_photo(bytes);
});
