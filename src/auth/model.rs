//! Who a request acts for, the roles they hold, and the rules about passwords.
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    /// A staff member's role.
    pub enum Role {
        /// Satpol PP intake desk, scoped to a regency.
        IntakeOfficer = "intake_officer" => ("Petugas penerimaan (Satpol PP)", "Intake officer (Satpol PP)"),
        /// DP3AK biometric checks, province-wide.
        IdentityOfficer = "identity_officer" => ("Petugas identitas (DP3AK)", "Identity officer (DP3AK)"),
        /// Dinsos Jatim case officer, province-wide.
        CaseOfficer = "case_officer" => ("Petugas kasus (Dinsos Jatim)", "Case officer (Dinsos Jatim)"),
        /// Staff of one UPT.
        UptStaff = "upt_staff" => ("Staf UPT", "UPT staff"),
        /// A regency Dinsos, read-only, scoped to its regency.
        RegencyViewer = "regency_viewer" => ("Dinsos kabupaten/kota (hanya melihat)", "Regency social office (read only)"),
        /// A regency Dinsos's officer who receives people: answers the hand-overs to its
        /// regency (accept, decline, another date, collect, received), nothing else.
        RegencyOfficer = "regency_officer" => ("Petugas Dinsos kabupaten/kota", "Regency social office officer"),
        Admin = "admin" => ("Administrator", "Administrator"),
    }
}

pub const ROLES: [Role; 7] = [
    Role::IntakeOfficer,
    Role::IdentityOfficer,
    Role::CaseOfficer,
    Role::UptStaff,
    Role::RegencyViewer,
    Role::RegencyOfficer,
    Role::Admin,
];

impl Role {
    /// The code (`code()`), under the name the stores use.
    pub fn as_str(self) -> &'static str {
        self.code()
    }

    /// What kind of scope the role needs, if any.
    pub fn scope_kind(self) -> ScopeKind {
        match self {
            Role::IntakeOfficer | Role::RegencyViewer | Role::RegencyOfficer => ScopeKind::Region,
            Role::UptStaff => ScopeKind::Upt,
            _ => ScopeKind::None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    None,
    Region,
    Upt,
}

/// One role held by a user, with its scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Option<String>,
}

impl Grant {
    /// Checks that the scope fits the role: a regency code for regional roles, a UPT code
    /// for UPT staff, nothing otherwise.
    pub fn new(role: Role, scope: Option<String>) -> Result<Grant, String> {
        let scope = scope.filter(|s| !s.trim().is_empty());
        // A regency may be written dotted (35.78) or undotted (3578).
        let scope = match role.scope_kind() {
            ScopeKind::Region => scope.map(|s| crate::vocab::region::normalise(&s)),
            _ => scope,
        };
        match (role.scope_kind(), &scope) {
            (ScopeKind::None, None) => Ok(Grant { role, scope }),
            (ScopeKind::None, Some(_)) => Err(format!("role {} takes no scope", role.as_str())),
            (ScopeKind::Region, Some(s)) if is_region_code(s) => Ok(Grant { role, scope }),
            (ScopeKind::Region, _) => Err(format!(
                "role {} needs a regency code as scope, e.g. 35.78",
                role.as_str()
            )),
            (ScopeKind::Upt, Some(s)) if !s.is_empty() => Ok(Grant { role, scope }),
            (ScopeKind::Upt, _) => Err(format!(
                "role {} needs a UPT code as scope, e.g. RSBL-PASURUAN",
                role.as_str()
            )),
        }
    }
}

pub fn is_region_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[2] == b'.'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 2 || c.is_ascii_digit())
}

/// The authenticated party a request acts for: a person (session) or a system (token).
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<Grant>,
    pub via_token: bool,
}

impl Principal {
    pub fn has(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Scopes of every grant of `role`.
    pub fn scopes(&self, role: Role) -> Vec<String> {
        self.grants
            .iter()
            .filter(|g| g.role == role)
            .filter_map(|g| g.scope.clone())
            .collect()
    }
}

/// Passwords: at least 8 characters, no composition rules, nothing cut off (ASVS 6.2),
/// at most 128 so a megabyte "password" cannot be used to make hashing expensive, not
/// the username, not on the breached list, and not guessable in under a million tries.
/// What a password rule's code (`check_password`) means, in the reader's language.
pub fn password_problem(code: &str, lang: simlontar_templates::Lang) -> &'static str {
    use simlontar_templates::i18n::tr;
    match code {
        "password_too_short" => tr(lang, "minimal 8 karakter", "at least 8 characters"),
        "password_too_long" => tr(lang, "paling banyak 128 karakter", "at most 128 characters"),
        _ => tr(
            lang,
            "terlalu umum atau mudah ditebak (termasuk nama pengguna); pakai kalimat yang panjang",
            "too common or easy to guess (the username included); use a long sentence",
        ),
    }
}

pub fn check_password(password: &str, username: &str) -> Result<(), &'static str> {
    let n = password.chars().count();
    if n < 8 {
        return Err("password_too_short");
    }
    if n > 128 {
        return Err("password_too_long");
    }
    let lower = password.to_lowercase();
    if lower == username.to_lowercase() || BREACHED.contains(lower.as_str()) {
        return Err("password_too_common");
    }
    let mut known = LOCAL_WORDS.to_vec();
    known.push(username);
    if zxcvbn::zxcvbn(password, &known).guesses_log10() < MIN_GUESSES_LOG10 {
        return Err("password_too_common");
    }
    Ok(())
}

/// The breached-password list (ASVS 6.2.4), lower-cased; see the file's header.
static BREACHED: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
    std::sync::LazyLock::new(|| {
        include_str!("breached_passwords.txt")
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    });

/// zxcvbn's estimated guesses (log10) a password must reach. It knows 30,000 common
/// passwords, English words and names, keyboard walks, dates, repeats and l33t spelling;
/// a million guesses at the sign-in throttle (10 per 15 minutes) take about 2.9 years.
const MIN_GUESSES_LOG10: f64 = 6.0;

/// Words of this service and region that a guesser tries early and zxcvbn's lists lack;
/// given to it as known words, so "dinsos123" or "Simlontar2026" count as guessable.
const LOCAL_WORDS: &[&str] = &[
    "simlontar",
    "dinsos",
    "jatim",
    "jawatimur",
    "jawa",
    "timur",
    "katasandi",
    "sandi",
    "rahasia",
    "masuk",
    "merdeka",
    "garuda",
    "indonesia",
    "surabaya",
    "satpol",
    "dp3ak",
];

/// A NIK shown to someone who does not need it whole: region and serial kept,
/// the birth date hidden (`3578**********01` style: first 4 and last 2 digits).
pub fn mask_nik(nik: &str) -> String {
    if nik.len() != 16 || !nik.is_ascii() {
        return "****************".into();
    }
    format!("{}**********{}", &nik[..4], &nik[14..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_must_fit_their_roles() {
        assert!(Grant::new(Role::RegencyViewer, Some("35.10".into())).is_ok());
        assert!(Grant::new(Role::RegencyViewer, None).is_err());
        // Undotted (BPS) codes are the same region, kept dotted.
        let undotted = Grant::new(Role::RegencyViewer, Some("3510".into())).unwrap();
        assert_eq!(undotted.scope.as_deref(), Some("35.10"));
        assert!(Grant::new(Role::RegencyViewer, Some("351".into())).is_err());
        assert!(Grant::new(Role::UptStaff, Some("RSBL-PASURUAN".into())).is_ok());
        assert!(Grant::new(Role::CaseOfficer, Some("35.10".into())).is_err());
        assert!(Grant::new(Role::Admin, Some(" ".into())).is_ok());
    }

    #[test]
    fn password_rules_follow_asvs() {
        assert_eq!(check_password("abc1234", "x"), Err("password_too_short"));
        assert_eq!(check_password("kopi ase", "x"), Ok(()));
        // Characters are counted, not bytes: 7 with a 3-byte one is still too short.
        assert_eq!(check_password("kopi☕te", "x"), Err("password_too_short"));
        assert_eq!(check_password("kopi☕teh", "x"), Ok(()));
        assert_eq!(check_password("kopi susu", "x"), Ok(()));
        let long = "kopi tubruk pagi di warung pojok dekat stasiun gubeng surabaya 1";
        assert_eq!(long.chars().count(), 64);
        assert_eq!(check_password(long, "x"), Ok(()));
        assert_eq!(
            check_password("Password123", "x"),
            Err("password_too_common")
        );
        assert_eq!(
            check_password("budisantoso", "budisantoso"),
            Err("password_too_common")
        );
        assert_eq!(
            check_password(&"a".repeat(129), "x"),
            Err("password_too_long")
        );
    }

    /// Every entry of the breached list is refused, as typed and capitalised; the list
    /// holds the 613 entries of 8 characters or more of Openwall's 3,546.
    #[test]
    fn breached_passwords_are_refused_in_any_case() {
        assert_eq!(BREACHED.len(), 613);
        for p in BREACHED.iter() {
            let mut capitalised = p.chars();
            let first = capitalised.next().unwrap().to_uppercase().to_string();
            for variant in [
                p.to_string(),
                first + capitalised.as_str(),
                p.to_uppercase(),
            ] {
                assert_eq!(
                    check_password(&variant, "x"),
                    Err("password_too_common"),
                    "{variant}"
                );
            }
        }
    }

    /// What is not on any list but falls to a guesser early: keyboard walks, dates,
    /// repeats, l33t spelling, a common word and digits, the service's own words and
    /// the username with a suffix. Passphrases of plain words in Indonesian pass.
    #[test]
    fn guessable_passwords_are_refused_and_passphrases_pass() {
        for p in [
            "qazwsxedcrfv",
            "17081945",
            "abababab12",
            &"a".repeat(64),
            "P4ssw0rd!",
            "jakarta123",
            "superman123",
            "Dinsos123",
            "Simlontar2026",
            "budi.santoso1",
        ] {
            assert_eq!(
                check_password(p, "budi.santoso"),
                Err("password_too_common"),
                "{p}"
            );
        }
        for p in [
            "nasi pecel",
            "bu dhe sri",
            "kopi susu",
            "dinas sosial jatim",
        ] {
            assert_eq!(check_password(p, "budi.santoso"), Ok(()), "{p}");
        }
    }

    #[test]
    fn a_masked_nik_hides_the_birth_date() {
        assert_eq!(mask_nik("3578015208900001"), "3578**********01");
        assert_eq!(mask_nik("35780152"), "****************");
    }
}
