//! The intake desk's form: each text field as typed (split on NUL), turned into the API's
//! request and checked, as the desk does after multipart decoding.
#![no_main]
use chrono::TimeZone;
use libfuzzer_sys::fuzz_target;
use simlontar_templates::intake::FormValues;
use simlontar_templates::Lang;

fuzz_target!(|text: &str| {
    let mut parts = text.split('\0').map(str::to_string);
    let mut next = || parts.next().unwrap_or_default();
    let f = FormValues {
        key: next(),
        found_at: next(),
        found_address: next(),
        found_lat: next(),
        found_lon: next(),
        unit: next(),
        officer_name: next(),
        stated_name: next(),
        aliases: next(),
        name_quality: next(),
        sex: next(),
        birth_date: next(),
        estimated_age: next(),
        birth_date_quality: next(),
        stated_home: next(),
        home_village: next(),
        home_region: next(),
        documents: vec![next()],
        nik: next(),
        conditions: vec![next()],
        belongings: next(),
        notes: next(),
    };
    let (req, _) = simlontar::intake::desk::to_request(&f, chrono_tz::Asia::Jakarta, Lang::Id);
    let now = chrono::Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap();
    if let Ok(intake) = simlontar::intake::model::validate(&req, uuid::Uuid::nil(), now, Lang::Id) {
        // What reaches PostGIS is a real point.
        assert!(intake.lat.is_finite() && intake.lon.is_finite());
    }
});
