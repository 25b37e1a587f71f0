//! Photo uploads: decoded, within the decoding limits, and written again as a JPEG; or
//! refused with a reason. Never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = simlontar::intake::photo::clean(bytes);
});
