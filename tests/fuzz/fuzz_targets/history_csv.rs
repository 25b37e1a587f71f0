//! `simlontar capacity replay HISTORY.csv`: a UPT's daily occupancy history.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Err(e) = simlontar::capacity::history::read(bytes, "h.csv") {
        assert!(e.to_string().starts_with("h.csv: line "));
    }
});
