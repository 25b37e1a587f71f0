//! `simlontar identity import-checks`: DP3AK's batch of biometric results.
#![no_main]
use chrono::TimeZone;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let now = chrono::Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap();
    let _ = simlontar::identity::batch::parse(bytes, "checks.csv", now);
});
