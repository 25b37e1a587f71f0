//! The task rules that need no database: when a follow-up is due, whether a task is
//! overdue, and what makes an outcome or a tracing assignment complete. Messages are in
//! the reader's language, each named by its form field.
use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::clock::{day_start, local_date};
use crate::error::FieldError;
use crate::vocab::{FollowUpOutcome, TaskKind, TracingOutcome};
use simlontar_templates::i18n::tr;
use simlontar_templates::Lang;

/// The follow-ups every hand-over gives the receiving office, and their days after it.
pub const FOLLOW_UPS: [(TaskKind, u64); 2] =
    [(TaskKind::FollowUp30, 30), (TaskKind::FollowUp90, 90)];

/// How long a tracing task may run at most.
pub const TRACING_MAX_DAYS: u64 = 365;

/// A task due on local day `on` is overdue from the start of the next local day.
pub fn due_by(on: NaiveDate, tz: Tz) -> DateTime<Utc> {
    day_start(on + Days::new(1), tz)
}

/// The local day `days` after the local day of `at` (a hand-over at 23:30 WIB counts
/// from that WIB day, not from UTC's).
pub fn days_after(at: DateTime<Utc>, days: u64, tz: Tz) -> NaiveDate {
    local_date(at, tz) + Days::new(days)
}

/// The outcome a task records: from the follow-up list or the tracing list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    FollowUp(FollowUpOutcome),
    Tracing(TracingOutcome),
}

impl Outcome {
    pub fn parse(kind: TaskKind, code: &str) -> Option<Outcome> {
        match kind {
            TaskKind::Tracing => TracingOutcome::parse(code).map(Outcome::Tracing),
            _ => FollowUpOutcome::parse(code).map(Outcome::FollowUp),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Outcome::FollowUp(o) => o.code(),
            Outcome::Tracing(o) => o.code(),
        }
    }

    pub fn label(self) -> crate::vocab::Text {
        match self {
            Outcome::FollowUp(o) => o.label(),
            Outcome::Tracing(o) => o.label(),
        }
    }

    /// The codes and labels offered for a kind of task.
    pub fn choices(kind: TaskKind) -> Vec<(&'static str, crate::vocab::Text)> {
        match kind {
            TaskKind::Tracing => TracingOutcome::ALL
                .iter()
                .map(|o| (o.code(), o.label()))
                .collect(),
            _ => FollowUpOutcome::ALL
                .iter()
                .map(|o| (o.code(), o.label()))
                .collect(),
        }
    }

    /// What to do next after this outcome, when something is called for.
    pub fn next_step(self, lang: Lang) -> Option<&'static str> {
        Some(match self {
            Outcome::FollowUp(FollowUpOutcome::BackOnStreet) => tr(
                lang,
                "Orang ini kembali ke jalan. Laporkan ke Satpol PP kabupaten/kota Anda dan ke Dinsos Jatim agar dijangkau lagi dan dibantu; bila ia dijangkau lagi, Simlontar otomatis menandai kasus barunya sebagai penjangkauan ulang dalam 12 bulan setelah serah terima.",
                "The person is back on the street. Tell your regency's Satpol PP and Dinsos Jatim so they can reach and help them again; if they are picked up again, Simlontar marks the new case as a repeat pick-up within 12 months of the hand-over.",
            ),
            Outcome::FollowUp(FollowUpOutcome::NotReached) => tr(
                lang,
                "Coba hubungi lagi lewat keluarga, RT/RW atau TKSK setempat, lalu catat hasil kunjungan berikutnya.",
                "Try again through the family, the neighbourhood head or the local TKSK, and record the next visit's outcome.",
            ),
            Outcome::Tracing(TracingOutcome::FamilyFound) => tr(
                lang,
                "Alamat keluarga masuk ke usulan rute kasus ini: petugas kasus Dinsos Jatim dapat memutuskan pemulangan.",
                "The family's address now feeds this case's route proposal: the Dinsos Jatim case officer can decide the trip home.",
            ),
            Outcome::Tracing(TracingOutcome::KnownElsewhere) => tr(
                lang,
                "Dinsos Jatim akan meneruskan penelusuran ke daerah yang Anda sebutkan.",
                "Dinsos Jatim will pass the tracing on to the place you named.",
            ),
            _ => return None,
        })
    }
}

/// An outcome as typed on the task's form (texts as sent).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct OutcomeForm {
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub contacted_on: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub family_address: String,
    /// The family's village as typed ("Sumberagung, Pesanggaran").
    #[serde(default)]
    pub family_village: String,
    /// The village picked among the matches offered (its code).
    #[serde(default)]
    pub family_village_code: String,
}

/// A complete outcome, before the family's village is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidOutcome {
    pub outcome: Outcome,
    pub contacted_on: NaiveDate,
}

/// Checks an outcome for a task of `kind` given on local day `given_on`, today being
/// `today`. Every problem is returned, each by its field.
pub fn check_outcome(
    kind: TaskKind,
    f: &OutcomeForm,
    (given_on, today): (NaiveDate, NaiveDate),
    lang: Lang,
) -> Result<ValidOutcome, Vec<FieldError>> {
    let mut errors = vec![];
    let outcome = Outcome::parse(kind, f.outcome.trim());
    if outcome.is_none() {
        errors.push(FieldError::new(
            "outcome",
            tr(
                lang,
                "pilih hasilnya dari daftar",
                "choose the outcome from the list",
            ),
        ));
    }
    let contacted = NaiveDate::parse_from_str(f.contacted_on.trim(), "%Y-%m-%d").ok();
    match contacted {
        None => errors.push(FieldError::new(
            "contacted_on",
            tr(
                lang,
                "isi tanggal kunjungan atau kontak",
                "fill in the date of the visit or contact",
            ),
        )),
        Some(d) if d > today => errors.push(FieldError::new(
            "contacted_on",
            tr(
                lang,
                "tanggal kunjungan tidak boleh setelah hari ini",
                "the visit's date cannot be after today",
            ),
        )),
        Some(d) if d < given_on => errors.push(FieldError::new(
            "contacted_on",
            tr(
                lang,
                "tanggal kunjungan tidak boleh sebelum tugas ini diberikan",
                "the visit's date cannot be before this task was given",
            ),
        )),
        Some(_) => {}
    }
    match outcome {
        Some(Outcome::Tracing(TracingOutcome::FamilyFound)) => {
            if f.family_address.trim().chars().count() < 5 {
                errors.push(FieldError::new(
                    "family_address",
                    tr(
                        lang,
                        "tuliskan alamat keluarga (jalan, RT/RW, dusun)",
                        "write the family's address (street, neighbourhood, hamlet)",
                    ),
                ));
            }
            if f.family_village.trim().is_empty() && f.family_village_code.trim().is_empty() {
                errors.push(FieldError::new(
                    "family_village",
                    tr(
                        lang,
                        "tuliskan desa/kelurahan keluarga",
                        "write the family's village",
                    ),
                ));
            }
        }
        Some(Outcome::Tracing(TracingOutcome::KnownElsewhere))
        | Some(Outcome::FollowUp(FollowUpOutcome::MovedAway))
            if f.note.trim().chars().count() < 5 =>
        {
            errors.push(FieldError::new(
                "note",
                tr(
                    lang,
                    "tuliskan di mana orang ini sekarang atau dikenal",
                    "write where the person now is or is known",
                ),
            ));
        }
        _ => {}
    }
    match (outcome, contacted) {
        (Some(outcome), Some(contacted_on)) if errors.is_empty() => Ok(ValidOutcome {
            outcome,
            contacted_on,
        }),
        _ => Err(errors),
    }
}

/// A tracing assignment as typed on its form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct TracingForm {
    /// `office` or `tksk`.
    #[serde(default)]
    pub to: String,
    /// The regency (code) whose office traces, or oversees the TKSK.
    #[serde(default)]
    pub office: String,
    #[serde(default)]
    pub tksk_name: String,
    #[serde(default)]
    pub tksk_phone: String,
    /// The TKSK's subdistrict, by name, in the office's regency.
    #[serde(default)]
    pub tksk_district: String,
    #[serde(default)]
    pub due_on: String,
    #[serde(default)]
    pub known: String,
}

/// The parts of a tracing assignment that need no look-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTracing {
    pub tksk: Option<(String, String)>,
    pub due_on: NaiveDate,
}

/// Checks a tracing assignment (the office and the subdistrict are looked up by the
/// store); `today` is the local day.
pub fn check_tracing(
    f: &TracingForm,
    today: NaiveDate,
    lang: Lang,
) -> Result<ValidTracing, Vec<FieldError>> {
    let mut errors = vec![];
    let tksk = match f.to.as_str() {
        "office" => None,
        "tksk" => Some((
            f.tksk_name.trim().to_string(),
            f.tksk_phone.trim().to_string(),
        )),
        _ => {
            errors.push(FieldError::new(
                "to",
                tr(
                    lang,
                    "pilih siapa yang menelusuri: kantor Dinsos atau TKSK",
                    "choose who traces: the social office or a TKSK",
                ),
            ));
            None
        }
    };
    if f.office.trim().is_empty() {
        errors.push(FieldError::new(
            "office",
            tr(
                lang,
                "pilih kantor Dinas Sosial kabupaten/kota",
                "choose the regency social office",
            ),
        ));
    }
    if let Some((name, phone)) = &tksk {
        if name.chars().count() < 3 {
            errors.push(FieldError::new(
                "tksk_name",
                tr(lang, "tuliskan nama TKSK", "write the TKSK's name"),
            ));
        }
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        if !(8..=15).contains(&digits)
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-.()".contains(c))
        {
            errors.push(FieldError::new(
                "tksk_phone",
                tr(
                    lang,
                    "tuliskan nomor telepon TKSK (8–15 angka, mis. 0812 3456 7890)",
                    "write the TKSK's phone number (8–15 digits, e.g. 0812 3456 7890)",
                ),
            ));
        }
        if f.tksk_district.trim().is_empty() {
            errors.push(FieldError::new(
                "tksk_district",
                tr(
                    lang,
                    "tuliskan kecamatan tempat TKSK bertugas",
                    "write the subdistrict where the TKSK works",
                ),
            ));
        }
    }
    let due = NaiveDate::parse_from_str(f.due_on.trim(), "%Y-%m-%d").ok();
    match due {
        None => errors.push(FieldError::new(
            "due_on",
            tr(lang, "isi tanggal batas waktu", "fill in the due date"),
        )),
        Some(d) if d < today => errors.push(FieldError::new(
            "due_on",
            tr(
                lang,
                "batas waktu tidak boleh sebelum hari ini",
                "the due date cannot be before today",
            ),
        )),
        Some(d) if d > today + Days::new(TRACING_MAX_DAYS) => errors.push(FieldError::new(
            "due_on",
            tr(
                lang,
                "batas waktu paling lama satu tahun dari hari ini",
                "the due date is at most a year from today",
            ),
        )),
        Some(_) => {}
    }
    if f.known.trim().chars().count() < 10 {
        errors.push(FieldError::new(
            "known",
            tr(
                lang,
                "tuliskan apa yang sudah diketahui: di mana ditemukan, apa yang ia ceritakan (paling sedikit 10 huruf)",
                "write what is known: where the person was found, what they said (10 characters or more)",
            ),
        ));
    }
    match due {
        Some(due_on) if errors.is_empty() => Ok(ValidTracing { tksk, due_on }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const WIB: Tz = chrono_tz::Asia::Jakarta;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_hand_over_just_after_midnight_wib_counts_from_the_wib_day() {
        // 2026-12-07 17:30 UTC is 00:30 on the 8th in WIB.
        let at = Utc.with_ymd_and_hms(2026, 12, 7, 17, 30, 0).unwrap();
        assert_eq!(days_after(at, 30, WIB), d(2027, 1, 7));
        assert_eq!(days_after(at, 90, WIB), d(2027, 3, 8));
        // Overdue from 00:00 WIB the day after (17:00 UTC on the due day).
        assert_eq!(
            due_by(d(2027, 1, 7), WIB),
            Utc.with_ymd_and_hms(2027, 1, 7, 17, 0, 0).unwrap()
        );
    }

    #[test]
    fn an_outcome_needs_a_choice_and_a_past_date() {
        let today = d(2026, 12, 8);
        let f = OutcomeForm {
            contacted_on: "2026-12-09".into(),
            ..Default::default()
        };
        let e =
            check_outcome(TaskKind::FollowUp30, &f, (d(2026, 12, 1), today), Lang::Id).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["outcome", "contacted_on"]);
        // A tracing outcome is not a follow-up's.
        let f = OutcomeForm {
            outcome: "family_found".into(),
            contacted_on: "2026-12-08".into(),
            ..Default::default()
        };
        let e =
            check_outcome(TaskKind::FollowUp30, &f, (d(2026, 12, 1), today), Lang::Id).unwrap_err();
        assert_eq!(e[0].field, "outcome");
        let e =
            check_outcome(TaskKind::Tracing, &f, (d(2026, 12, 1), today), Lang::Id).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["family_address", "family_village"]);
        let ok = OutcomeForm {
            outcome: "with_family".into(),
            contacted_on: "2026-12-08".into(),
            ..Default::default()
        };
        assert!(
            check_outcome(TaskKind::FollowUp90, &ok, (d(2026, 12, 1), today), Lang::Id).is_ok()
        );
    }

    #[test]
    fn a_tksk_needs_a_name_a_phone_and_a_subdistrict() {
        let today = d(2026, 12, 8);
        let f = TracingForm {
            to: "tksk".into(),
            office: "35.10".into(),
            tksk_phone: "12ab".into(),
            due_on: "2026-12-01".into(),
            known: "ditemukan di terminal".into(),
            ..Default::default()
        };
        let e = check_tracing(&f, today, Lang::En).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["tksk_name", "tksk_phone", "tksk_district", "due_on"]
        );
        let f = TracingForm {
            to: "office".into(),
            office: "35.10".into(),
            due_on: "2026-12-22".into(),
            known: "ditemukan di terminal Purabaya".into(),
            ..Default::default()
        };
        assert_eq!(
            check_tracing(&f, today, Lang::Id).unwrap(),
            ValidTracing {
                tksk: None,
                due_on: d(2026, 12, 22)
            }
        );
    }
}
