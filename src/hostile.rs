//! Test inputs for the readers of outside files: bytes that look enough like CSV to get
//! past the header, with the quotes, separators, line ends and broken UTF-8 that real
//! files from other offices carry.
use proptest::prelude::*;

/// A file that starts with `header` (or not) and goes on with CSV-ish noise.
pub fn csv_bytes(header: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let cell = prop_oneof![
        "[-0-9A-Za-z .:;/]{0,12}",
        "\"[^\"]{0,8}\"",
        "\"[-a-z,\\n]{0,8}",
        Just("".to_string()),
        Just("2026-01-31".to_string()),
        Just("3578015208900001".to_string()),
        "\\PC{0,4}",
    ];
    let line = proptest::collection::vec(cell, 0..10).prop_map(|c| c.join(","));
    let body = proptest::collection::vec(line, 0..8).prop_map(|l| l.join("\n").into_bytes());
    let noise = proptest::collection::vec(any::<u8>(), 0..64);
    (any::<bool>(), body, noise, any::<bool>()).prop_map(move |(with_header, body, noise, crlf)| {
        let mut out = Vec::new();
        if with_header {
            out.extend_from_slice(header.as_bytes());
            out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        }
        out.extend_from_slice(&body);
        if !crlf {
            out.extend_from_slice(&noise);
        }
        out
    })
}

/// Whether an error message points at a line of the file.
pub fn names_a_line(message: &str) -> bool {
    message
        .match_indices("line ")
        .any(|(at, m)| message[at + m.len()..].starts_with(|c: char| c.is_ascii_digit()))
}
