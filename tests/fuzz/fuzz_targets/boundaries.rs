//! `simlontar geo load --boundaries FILE.geojson`: an official boundary file.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = simlontar::places::load::parse_boundaries(text);
});
