//! `simlontar registry import`: a DTKS-style register from another office.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let known = simlontar::identity::programmes::Programmes::of([("PKH", &[][..]), ("BPNT", &[][..])]);
    if let Ok((_, errors)) = simlontar::identity::registry::parse(bytes, &known) {
        assert!(errors.iter().all(|e| e.line >= 2));
    }
});
