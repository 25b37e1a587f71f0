//! The database's rules as the user is told of them. A unique, foreign-key or check
//! constraint that refuses a change answers 409 or 422 in words of both languages: its
//! own for the constraints named here, else the default of its kind. One table: a store
//! that must act on a refusal (a full ward puts the person on the waiting list) asks
//! [`name`] which constraint it was, and matches no SQLSTATE of its own. (Two older
//! places still do: `auth::store`'s user errors for the CLI, and `capacity::holds`.)
use std::fmt;

use simlontar_templates::Lang;
use sqlx::error::ErrorKind;

/// Words in both of the app's languages: a page shows the viewer's, the API English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words {
    pub id: &'static str,
    pub en: &'static str,
}

impl Words {
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Id => self.id,
            Lang::En => self.en,
        }
    }
}

/// How a refusal is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 409: the change clashes with what is recorded (a duplicate, a full ward).
    Conflict,
    /// 422: the request names a record that does not exist, or values that do not fit
    /// together; with the form field at fault where one is known.
    Invalid(Option<&'static str>),
}

/// A change the database refused, and what its user is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The constraint that refused it, for the log.
    pub constraint: String,
    pub answer: Answer,
    pub words: Words,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.words.en, self.constraint)
    }
}

const fn words(id: &'static str, en: &'static str) -> Words {
    Words { id, en }
}

/// A duplicate: the unique constraints and indexes (and exclusions).
const UNIQUE: (Answer, Words) = (
    Answer::Conflict,
    words("data ini sudah tercatat", "this is already recorded"),
);
/// A reference to a row that does not exist. The app deletes no row that others
/// reference (case data is append-only), so a foreign key refuses only a reference to
/// something unknown: the request is at fault, 422.
const FOREIGN_KEY: (Answer, Words) = (
    Answer::Invalid(None),
    words(
        "merujuk ke data yang tidak ada",
        "refers to a record that does not exist",
    ),
);
const CHECK: (Answer, Words) = (
    Answer::Invalid(None),
    words(
        "nilai tidak memenuhi aturan data",
        "a value breaks a rule of the data",
    ),
);

const REGION_CODE: Words = words("kode wilayah tidak dikenal", "unknown region code");
const REGION_CODES_DISAGREE: Words = words(
    "kode wilayah tidak cocok satu sama lain",
    "the region codes do not agree with each other",
);

/// The constraints with words of their own (most are races that the code's own checks
/// lose only when two requests meet).
pub const NAMED: &[(&str, Answer, Words)] = &[
    // The intake's home: codes that are not in geo/, or that contradict each other.
    ("intake_home_village_code_fkey", Answer::Invalid(Some("home_village")), REGION_CODE),
    ("intake_home_region_code_fkey", Answer::Invalid(Some("home_region")), REGION_CODE),
    ("intake_home_province_code_fkey", Answer::Invalid(Some("home_region")), REGION_CODE),
    ("intake_village_in_region", Answer::Invalid(Some("home_region")), REGION_CODES_DISAGREE),
    ("intake_region_in_province", Answer::Invalid(Some("home_region")), REGION_CODES_DISAGREE),
    (
        "identity_check_village_code_fkey",
        Answer::Invalid(Some("identity.village_code")),
        words("kode desa tidak dikenal", "not a known village code"),
    ),
    // The same key, committed by a retry that overtook this one.
    (
        "identity_check_idempotency_key_key",
        Answer::Conflict,
        words(
            "pemeriksaan ini sedang dicatat; ulangi permintaan",
            "this check is being recorded; repeat the request",
        ),
    ),
    (
        "ward_check",
        Answer::Conflict,
        words("bangsal penuh", "the ward is full"),
    ),
    // A temporary closure (`ward_closure`): the trigger that refuses every placement and
    // hold into a closed ward.
    (
        "ward_closed",
        Answer::Invalid(Some("ward_id")),
        words(
            "bangsal ini sedang ditutup sementara dan tidak menerima penempatan",
            "this ward is temporarily closed and takes no placement",
        ),
    ),
    (
        "ward_age_band",
        Answer::Invalid(Some("max_age")),
        words(
            "usia terendah tidak boleh lebih dari usia tertinggi",
            "the lowest age cannot be above the highest",
        ),
    ),
    (
        "placement_one_open",
        Answer::Conflict,
        words(
            "orang ini sudah menempati tempat tidur",
            "the person already has a bed",
        ),
    ),
    (
        "bed_hold_one_open",
        Answer::Conflict,
        words(
            "sudah ada tempat tidur yang ditahan untuk orang ini",
            "a bed is already held for this person",
        ),
    ),
    (
        "waiting_list_one_open",
        Answer::Conflict,
        words(
            "orang ini sudah dalam daftar tunggu",
            "the person is already on the waiting list",
        ),
    ),
    (
        "referral_one_open",
        Answer::Conflict,
        words(
            "orang ini sudah dirujuk ke UPT",
            "the person is already referred to a UPT",
        ),
    ),
    (
        "transport_plan_one_live",
        Answer::Conflict,
        words(
            "kasus ini sudah punya rencana pulang yang berlaku",
            "the case already has a live plan home",
        ),
    ),
    (
        "handover_notice_one_per_plan",
        Answer::Conflict,
        words(
            "pemberitahuan serah terima rencana ini sudah dikirim",
            "this plan's hand-over notice was already sent",
        ),
    ),
    // The deferred trigger's last word on a state without its facts (the state machine
    // refuses such a move with words of its own before it gets here).
    (
        "case_state_facts",
        Answer::Conflict,
        words(
            "status kasus belum didukung faktanya (penempatan, rencana, keberangkatan, serah terima)",
            "the case's state lacks its facts (placement, plan, departure, hand-over)",
        ),
    ),
];

/// The constraint a database error is a refusal by, if it is one.
pub fn name(e: &sqlx::Error) -> Option<&str> {
    let d = e.as_database_error()?;
    violation(d)?;
    d.constraint()
}

/// What a database error tells the user, if it is a constraint's refusal.
pub fn refusal(e: &sqlx::Error) -> Option<Refusal> {
    let d = e.as_database_error()?;
    let default = violation(d)?;
    let constraint = d.constraint().unwrap_or_default();
    let (answer, words) = NAMED
        .iter()
        .find(|(name, ..)| *name == constraint)
        .map_or(default, |(_, answer, words)| (*answer, *words));
    Some(Refusal {
        constraint: constraint.to_string(),
        answer,
        words,
    })
}

/// The default answer for a unique, foreign-key, check or exclusion violation; `None`
/// for any other error (a NOT NULL violation is a bug, not the user's doing).
fn violation(d: &dyn sqlx::error::DatabaseError) -> Option<(Answer, Words)> {
    match d.kind() {
        ErrorKind::UniqueViolation => Some(UNIQUE),
        ErrorKind::ForeignKeyViolation => Some(FOREIGN_KEY),
        ErrorKind::CheckViolation => Some(CHECK),
        _ if d.code().as_deref() == Some("23P01") => Some(UNIQUE),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_constraint_is_named_once_and_worded_in_both_languages() {
        for (i, (name, _, w)) in NAMED.iter().enumerate() {
            assert!(
                NAMED[i + 1..].iter().all(|(other, ..)| other != name),
                "{name} twice"
            );
            assert!(
                !w.id.is_empty() && !w.en.is_empty() && w.id != w.en,
                "{name}"
            );
        }
    }
}
