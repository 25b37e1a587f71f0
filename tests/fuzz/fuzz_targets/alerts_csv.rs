//! `simlontar capacity score HISTORY.csv ALERTS.csv`: the alerts file.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = simlontar::capacity::replay::read(bytes, "a.csv");
});
