//! The one rule for redirect targets that come from input (`back` on the language
//! switch, `next` on sign-in): a path on this site, decided by parsing it as a browser
//! does, never by looking at its first characters.
use percent_encoding::percent_decode_str;
use url::{Position, Url};

/// Where a target that is not a safe local path sends people instead.
pub const HOME: &str = "/";

/// A stand-in origin: a target is local when, resolved against it, it stays there.
const BASE: &str = "http://simlontar.invalid/";

/// Longer than any path our own pages link to.
const MAX_LEN: usize = 2048;

/// How many rounds of percent-decoding are looked through (each hop that decodes once,
/// a proxy or another application, could turn `%252f` into `%2f` and then `/`).
const DECODINGS: usize = 4;

/// `input` as the local path, query and fragment to redirect to, or `None` when it is not
/// one. The answer is the parser's own serialisation, so the `Location` header says
/// exactly what was checked.
pub fn local_path(input: &str) -> Option<String> {
    if input.len() > MAX_LEN || !plain_ascii(input) {
        return None;
    }
    // Every decoding a later hop might apply must still be harmless.
    let mut layer = input.to_string();
    for _ in 0..DECODINGS {
        let decoded = percent_decode_str(&layer).decode_utf8().ok()?.into_owned();
        if !harmless(&decoded) {
            return None;
        }
        if decoded == layer {
            break;
        }
        layer = decoded;
    }
    let base = Url::parse(BASE).expect("a valid base");
    let url = base.join(input).ok()?;
    if url.origin() != base.origin() || !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let out = &url[Position::BeforePath..];
    // Dot segments are resolved by the parser: `/.//x` must not become `//x`.
    (out.starts_with('/') && harmless(out)).then(|| out.to_string())
}

/// `local_path`, or the home page when there is no target or it is not local.
pub fn local_or_home(input: Option<&str>) -> String {
    input
        .and_then(local_path)
        .unwrap_or_else(|| HOME.to_string())
}

/// What our own links send: printable ASCII (already percent-encoded), starting with one
/// slash. Browsers drop tabs and newlines and turn backslashes into slashes, so none of
/// those is accepted even where it would look harmless here.
fn plain_ascii(s: &str) -> bool {
    s.starts_with('/')
        && s.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
        && !s[1..].starts_with('/')
}

/// A decoded form holds no control or invisible formatting character, no backslash, and
/// does not start like a scheme-relative URL.
fn harmless(s: &str) -> bool {
    !s.starts_with("//")
        && !s.starts_with("/\\")
        && !s
            .chars()
            .any(|c| c == '\\' || c.is_control() || invisible(c))
}

/// Unicode format characters and line/paragraph separators that `char::is_control`
/// (general category Cc) does not cover: bidi overrides, zero-width characters, BOM.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_are_kept_as_written() {
        for (input, out) in [
            ("/", "/"),
            ("/cases", "/cases"),
            ("/cases?q=siti&page=2", "/cases?q=siti&page=2"),
            ("/cases?q=s%C3%ADti", "/cases?q=s%C3%ADti"),
            ("/cases?q=pak%20slamet", "/cases?q=pak%20slamet"),
            ("/cases/OT-3578-2026-000001", "/cases/OT-3578-2026-000001"),
            ("/capacity#ward-3", "/capacity#ward-3"),
            ("/a/../cases", "/cases"),
            ("/cases?next=//x", "/cases?next=//x"),
        ] {
            assert_eq!(local_path(input).as_deref(), Some(out), "{input:?}");
        }
    }

    #[test]
    fn anything_that_could_leave_the_site_is_refused() {
        let long = format!("/{}", "a".repeat(MAX_LEN));
        for input in [
            "",
            "cases",
            "evil.example",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "\\/evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "/\r\n/evil.example",
            "/\0/evil.example",
            "/\u{7f}/evil.example",
            "/\u{85}/evil.example",
            "/\u{2028}/evil.example",
            "/\u{202e}/evil.example",
            "/\u{feff}/evil.example",
            "/\u{3000}/evil.example",
            "\t//evil.example",
            " //evil.example",
            "/ /evil.example",
            "/%09/evil.example",
            "/%0a/evil.example",
            "/%0D%0A/evil.example",
            "/%00/evil.example",
            "/%7F/evil.example",
            "/%C2%85/evil.example",
            "/%E2%80%A8/evil.example",
            "/%E2%80%AE/evil.example",
            "/%EF%BB%BF/evil.example",
            "/%5c/evil.example",
            "/%5Cevil.example",
            "/%2f/evil.example",
            "/%2Fevil.example",
            "/%252f%252fevil.example",
            "/%25252f%25252fevil.example",
            "/%255c%255cevil.example",
            "/%2509/evil.example",
            "/%ff/not-utf8",
            "/.//evil.example",
            "/./%2e//evil.example",
            "/x/..//evil.example",
            "/%2e//evil.example",
            "/%2e%2e//evil.example",
            "http://evil.example",
            "https:evil.example",
            "HTTPS://evil.example/",
            "http:/evil.example",
            "javascript:alert(1)",
            "data:text/html,x",
            "@evil.example",
            "/cases\u{e9}",
            long.as_str(),
        ] {
            assert_eq!(local_path(input), None, "{input:?}");
        }
    }

    #[test]
    fn a_refused_or_missing_target_goes_home() {
        assert_eq!(local_or_home(None), "/");
        assert_eq!(local_or_home(Some("//evil.example")), "/");
        assert_eq!(local_or_home(Some("/cases")), "/cases");
    }
}
