//! A NIK typed or imported: any text decodes or is refused with a reason.
#![no_main]
use libfuzzer_sys::fuzz_target;
use simlontar::identity::nik::Nik;

fuzz_target!(|s: &str| {
    if let Ok(nik) = Nik::parse(s) {
        assert_eq!(nik.as_str(), s.trim());
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let _ = nik.birth_date(today);
    }
});
