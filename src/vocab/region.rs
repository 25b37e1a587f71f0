//! Region codes, read once: Kemendagri writes them dotted (`35.10`, `35.10.01.2001`), BPS and
//! DTKS undotted (`3510`, `3510012001`). Both are accepted everywhere (API, CLI, forms) and
//! stored in the dotted form. A code is shown beside its name, never alone.

/// A Kemendagri region code at one of its four levels, in the dotted form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode(String);

/// The level of a region code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Province,
    Regency,
    District,
    Village,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a region code: {0:?}")]
pub struct RegionError(pub String);

/// Digits per level: 2, 2, 2, 4.
const SPLITS: [usize; 4] = [2, 2, 2, 4];

/// The regular expression an API client may check a region code against (any level, dotted
/// or undotted).
pub const PATTERN: &str = r"^[0-9]{2}(\.?[0-9]{2}(\.?[0-9]{2}(\.?[0-9]{4})?)?)?$";

impl RegionCode {
    /// Reads a code dotted or undotted (surrounding blanks ignored).
    pub fn parse(s: &str) -> Result<RegionCode, RegionError> {
        let s = s.trim();
        let bad = || RegionError(s.to_string());
        let parts: Vec<&str> = if s.contains('.') {
            s.split('.').collect()
        } else {
            // Undotted: cut the digits at the level boundaries.
            let mut rest = s;
            let mut parts = vec![];
            for n in SPLITS {
                if rest.is_empty() {
                    break;
                }
                if rest.len() < n || !rest.is_char_boundary(n) {
                    return Err(bad());
                }
                parts.push(&rest[..n]);
                rest = &rest[n..];
            }
            if !rest.is_empty() {
                return Err(bad());
            }
            parts
        };
        if parts.is_empty()
            || parts.len() > 4
            || parts
                .iter()
                .zip(SPLITS)
                .any(|(p, n)| p.len() != n || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(bad());
        }
        Ok(RegionCode(parts.join(".")))
    }

    /// The dotted form, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    pub fn level(&self) -> Level {
        match self.0.len() {
            2 => Level::Province,
            5 => Level::Regency,
            8 => Level::District,
            _ => Level::Village,
        }
    }

    /// The province (2 digits) this code lies in.
    pub fn province(&self) -> &str {
        &self.0[..2]
    }

    /// The regency (`35.10`) this code lies in, unless it is a province.
    pub fn regency(&self) -> Option<&str> {
        (self.0.len() >= 5).then(|| &self.0[..5])
    }
}

/// Normalises a code dotted or undotted to the stored form, or gives it back as typed
/// (the caller's own check then names it): for query strings and free fields.
pub fn normalise(s: &str) -> String {
    RegionCode::parse(s)
        .map(RegionCode::into_string)
        .unwrap_or_else(|_| s.trim().to_string())
}

/// A region as a person reads it: its name alone ("Kabupaten Tuban"), never its code; the
/// code only for a region the gazetteer cannot name, so that something is shown.
pub fn named(name: &str, code: &str) -> String {
    if name.is_empty() {
        code.to_string()
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_and_undotted_codes_are_the_same_code() {
        for (a, b) in [
            ("35", "35"),
            ("35.10", "3510"),
            ("35.10.01", "351001"),
            ("35.10.01.2001", "3510012001"),
        ] {
            assert_eq!(RegionCode::parse(a).unwrap(), RegionCode::parse(b).unwrap());
            assert_eq!(RegionCode::parse(b).unwrap().as_str(), a);
        }
        assert_eq!(RegionCode::parse(" 3578 ").unwrap().as_str(), "35.78");
        assert_eq!(RegionCode::parse("3510").unwrap().level(), Level::Regency);
        assert_eq!(
            RegionCode::parse("3510012001").unwrap().regency(),
            Some("35.10")
        );
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in [
            "",
            "3",
            "351",
            "35.1",
            "35..10",
            "35.10.",
            "35-10",
            "35.10.01.200",
            "35100120011",
            "351001200",
            "ab",
            "35.1a",
            "3５10",
            "35.10.01.2001.1",
        ] {
            assert!(RegionCode::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn the_pattern_agrees_with_the_parser() {
        // The API's pattern is a regular expression; check its shape on the same samples
        // by hand: every accepted code has 2, 4, 6 or 10 digits.
        for ok in [
            "35",
            "3510",
            "35.10",
            "351001",
            "35.10.01",
            "3510012001",
            "35.10.01.2001",
        ] {
            let digits = ok.bytes().filter(u8::is_ascii_digit).count();
            assert!([2, 4, 6, 10].contains(&digits));
            assert!(RegionCode::parse(ok).is_ok());
        }
    }
}
