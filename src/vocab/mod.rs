//! The case vocabulary: every closed set of codes the system stores or prints, each code
//! beside its Indonesian and English label in ONE table (`vocabulary!`). The code is what
//! the database and the API carry; a page is given the label (`Text`), never the code, and
//! no type here implements `Display`, so `format!` cannot put a code where a person reads.
pub mod region;

pub use crate::auth::model::Role;
pub use crate::cases::model::State as CaseState;
pub use region::{RegionCode, RegionError};
pub use simlontar_templates::i18n::Text;

/// One vocabulary: `vocabulary! { /// doc  pub enum Sex { Male = "male" => ("Laki-laki", "Male"), … } }`
/// makes the enum with `ALL`, `CODES`, `code()`, `parse()`, `label()`, serde as the code, an
/// OpenAPI schema that is an `enum` of the codes, and sqlx text encoding.
#[macro_export]
macro_rules! vocabulary {
    ($(#[$meta:meta])* pub enum $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $code:literal => ($id:literal, $en:literal)),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const CODES: &'static [&'static str] = &[$($code),+];

            /// The code the database and the API carry.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($code => Some($name::$variant),)+ _ => None }
            }

            /// What a person reads.
            pub fn label(self) -> $crate::vocab::Text {
                match self { $($name::$variant => $crate::vocab::Text::new($id, $en)),+ }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| serde::de::Error::unknown_variant(&s, $name::CODES))
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some($name::CODES.iter().copied()))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl sqlx::Type<sqlx::Postgres> for $name {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::Type<sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        impl<'q> sqlx::Encode<'q, sqlx::Postgres> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::Postgres>>::encode(self.code(), buf)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $name {
            fn decode(v: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let s = <&str as sqlx::Decode<sqlx::Postgres>>::decode(v)?;
                $name::parse(s).ok_or_else(|| format!("unknown {} code {s:?}", stringify!($name)).into())
            }
        }
    };
}

impl AlertLevel {
    /// The style of the level (`level-watch`…): a class name, never shown.
    pub fn class(self) -> &'static str {
        match self {
            AlertLevel::Watch => "level-watch",
            AlertLevel::Warning => "level-warning",
            AlertLevel::Critical => "level-critical",
            AlertLevel::Full => "level-full",
            AlertLevel::Stale => "level-stale",
        }
    }
}

/// The label of a stored code of vocabulary `parse`, or a neutral word when the code is
/// unknown (a row older than the vocabulary): never the code itself.
pub fn label_of<T>(parse: fn(&str) -> Option<T>, label: fn(T) -> Text, code: &str) -> Text {
    parse(code)
        .map(label)
        .unwrap_or(Text::new("lainnya", "other"))
}

vocabulary! {
    /// A person's sex as recorded at intake.
    pub enum Sex {
        Male = "male" => ("Laki-laki", "Male"),
        Female = "female" => ("Perempuan", "Female"),
        Unknown = "unknown" => ("Tidak diketahui", "Unknown"),
    }
}

vocabulary! {
    /// How good a recorded name is.
    pub enum NameQuality {
        Full = "full" => ("nama lengkap", "full name"),
        Partial = "partial" => ("sebagian nama", "part of the name"),
        Alias = "alias" => ("julukan / nama jalanan", "alias / street name"),
        Unknown = "unknown" => ("nama tidak diketahui", "name unknown"),
    }
}

vocabulary! {
    /// How good a recorded birth date is.
    pub enum BirthQuality {
        Exact = "exact" => ("tanggal pasti", "exact date"),
        Approximate = "approximate" => ("perkiraan", "approximate"),
        YearOnly = "year_only" => ("tahunnya saja", "year only"),
        Unknown = "unknown" => ("tidak diketahui", "unknown"),
    }
}

impl BirthQuality {
    /// A birth date as a person reads it: a date known only by its year is that year
    /// (stored as 1 January, which nobody should read as a birthday).
    pub fn shown(self, date: chrono::NaiveDate) -> String {
        match self {
            BirthQuality::YearOnly => chrono::Datelike::year(&date).to_string(),
            _ => date.to_string(),
        }
    }

    /// `shown` for a stored quality code; an unknown code shows the whole date.
    pub fn show(code: &str, date: chrono::NaiveDate) -> String {
        Self::parse(code).map_or_else(|| date.to_string(), |q| q.shown(date))
    }
}

vocabulary! {
    /// A person's condition noted at intake.
    pub enum Condition {
        Psychosocial = "psychosocial" => ("Disabilitas mental (ODGJ)", "Psychosocial disability"),
        Elderly = "elderly" => ("Lanjut usia", "Elderly"),
        Child = "child" => ("Anak", "Child"),
        Sick = "sick" => ("Sakit", "Sick"),
        Pregnant = "pregnant" => ("Hamil", "Pregnant"),
        Disability = "disability" => ("Disabilitas", "Disability"),
        Other = "other" => ("Lainnya", "Other"),
    }
}

vocabulary! {
    /// Why the person was on the street, as the intake records it (one, the main one).
    pub enum StreetCause {
        OutOfMoney = "out_of_money" => ("Kehabisan uang di perjalanan", "Ran out of money on the way"),
        FalseJobOffer = "false_job_offer" => ("Tawaran kerja palsu atau dugaan perdagangan orang", "A job offer that was a lie, or suspected trafficking"),
        FamilyConflict = "family_conflict" => ("Konflik keluarga", "Family conflict"),
        MentalIllness = "mental_illness" => ("Gangguan jiwa", "Mental illness"),
        AbandonedElderly = "abandoned_elderly" => ("Lansia ditelantarkan", "An elderly person abandoned"),
        ChildAlone = "child_alone" => ("Anak sendirian", "A child alone"),
        Other = "other" => ("Lainnya", "Other"),
    }
}

vocabulary! {
    /// A protection concern noted at intake: each offers a referral on the case page.
    pub enum ProtectionFlag {
        Trafficking = "trafficking" => ("Dugaan perdagangan orang", "Suspected trafficking"),
        Violence = "violence" => ("Dugaan kekerasan", "Suspected violence"),
        Exploitation = "exploitation" => ("Dugaan eksploitasi (dipaksa mengemis atau bekerja)", "Suspected exploitation (forced begging or work)"),
    }
}

vocabulary! {
    /// Where a person at risk is referred: the police's women and children unit, the
    /// province's service for women and child victims, and the UPT shelters for women and
    /// child victims (named by town; docs/protection.md says what the province confirms).
    pub enum ProtectionService {
        Police = "police" => ("Polisi: Unit Pelayanan Perempuan dan Anak (UPPA) Polres setempat", "Police: the local Polres's women and children unit (UPPA)"),
        UptdPpa = "uptd_ppa" => ("UPTD Perlindungan Perempuan dan Anak Provinsi Jawa Timur (DP3AK)", "East Java's service for the protection of women and children (UPTD PPA, DP3AK)"),
        ShelterSurabaya = "shelter_surabaya" => ("Rumah perlindungan perempuan dan anak korban, Surabaya", "Shelter for women and child victims, Surabaya"),
        ShelterKediri = "shelter_kediri" => ("Rumah perlindungan perempuan dan anak korban, Kediri", "Shelter for women and child victims, Kediri"),
        ShelterSumenep = "shelter_sumenep" => ("Rumah perlindungan perempuan dan anak korban, Sumenep", "Shelter for women and child victims, Sumenep"),
        ShelterBatu = "shelter_batu" => ("Rumah perlindungan perempuan dan anak korban, Batu", "Shelter for women and child victims, Batu"),
    }
}

vocabulary! {
    /// A document the person carried.
    pub enum DocumentKind {
        Ktp = "ktp" => ("KTP", "ID card (KTP)"),
        Kk = "kk" => ("Kartu Keluarga", "family card (KK)"),
        Sim = "sim" => ("SIM", "driving licence (SIM)"),
        Passport = "passport" => ("paspor", "passport"),
        Other = "other" => ("dokumen lain", "other document"),
    }
}

vocabulary! {
    /// How a leg of a journey home travels.
    pub enum TravelMode {
        Road = "road" => ("jalan darat", "road"),
        Bus = "bus" => ("bus", "bus"),
        Rail = "rail" => ("kereta api", "rail"),
        Ferry = "ferry" => ("kapal penyeberangan", "ferry"),
        Ship = "ship" => ("kapal laut", "ship"),
    }
}

vocabulary! {
    /// What happened to a case: the kinds of its history's entries.
    pub enum EventKind {
        Opened = "opened" => ("Kasus dibuka", "Case opened"),
        Transition = "transition" => ("Status diubah", "State changed"),
        IdentityCheck = "identity_check" => ("Pemeriksaan identitas DP3AK", "DP3AK identity check"),
        IdentityLinked = "identity_linked" => ("Hasil DP3AK dikaitkan", "DP3AK result linked"),
        LinkDecision = "link_decision" => ("Keputusan kecocokan data", "Record link decided"),
        ReintakeLinked = "reintake_linked" => ("Pernah dijangkau sebelumnya", "Picked up before"),
        PickedUpAgain = "picked_up_again" => ("Dijangkau lagi", "Picked up again"),
        RouteDecided = "route_decided" => ("Rute diputuskan", "Route decided"),
        Referred = "referred" => ("Dirujuk ke UPT", "Referred to a UPT"),
        Placed = "placed" => ("Ditempatkan di UPT", "Placed in a UPT"),
        WaitingList = "waiting_list" => ("Masuk daftar tunggu UPT", "On a UPT's waiting list"),
        Transferred = "transferred" => ("Dipindahkan ke UPT lain", "Moved to another UPT"),
        Discharged = "discharged" => ("Keluar dari UPT", "Left the UPT"),
        Refused = "refused" => ("Penerimaan ditolak", "Reception refused"),
        Negotiation = "negotiation" => ("Perundingan penerimaan", "Reception being negotiated"),
        HandoverAcknowledged = "handover_acknowledged" => ("Pemberitahuan diterima kantor tujuan", "Notice received by the office"),
        HandoverEscalated = "handover_escalated" => ("Pemberitahuan dinaikkan ke atasan", "Notice escalated"),
        HandedOver = "handed_over" => ("Diserahterimakan", "Handed over"),
        DeparturePlanned = "departure_planned" => ("Keberangkatan dijadwalkan", "Departure scheduled"),
        PlanEdited = "plan_edited" => ("Rencana perjalanan diubah", "Transport plan changed"),
        HandoverAccepted = "handover_accepted" => ("Kantor tujuan bersedia menerima", "The office accepted"),
        HandoverDeclined = "handover_declined" => ("Kantor tujuan menolak", "The office declined"),
        HandoverDateProposed = "handover_date_proposed" => ("Kantor tujuan mengusulkan tanggal lain", "The office proposed another date"),
        HandoverCollect = "handover_collect" => ("Kantor tujuan menjemput di Balai Sidoarjo", "The office collects at the Sidoarjo Balai"),
        // The demo year's history names its steps by what happened.
        IdentityRequested = "identity_requested" => ("Pemeriksaan identitas diminta", "Identity check requested"),
        IdentityConfirmed = "identity_confirmed" => ("Identitas dipastikan", "Identity confirmed"),
        IdentityNotFound = "identity_not_found" => ("Identitas tidak ditemukan", "Identity not found"),
        RouteHome = "route_home" => ("Diputuskan pulang", "Decided: home"),
        Departed = "departed" => ("Berangkat pulang", "Left for home"),
        Closed = "closed" => ("Kasus ditutup", "Case closed"),
        // A resident already in a UPT when Simlontar started (`simlontar import residents`).
        Imported = "imported" => ("Diimpor saat mulai", "Imported at go-live"),
        Corrected = "corrected" => ("Data intake diperbaiki", "Intake corrected"),
        ProtectionReferral = "protection_referral" => ("Dirujuk untuk perlindungan", "Referred for protection"),
        TracingAssigned = "tracing_assigned" => ("Tugas penelusuran keluarga diberikan", "Family tracing assigned"),
        FollowUpRecorded = "follow_up_recorded" => ("Hasil kunjungan lanjutan dicatat", "Follow-up outcome recorded"),
        TracingRecorded = "tracing_recorded" => ("Hasil penelusuran keluarga dicatat", "Tracing outcome recorded"),
    }
}

vocabulary! {
    /// What a task of a case asks of a regency office (`case_task.kind`).
    pub enum TaskKind {
        FollowUp30 = "follow_up_30" => ("Kunjungan lanjutan 30 hari", "30-day follow-up"),
        FollowUp90 = "follow_up_90" => ("Kunjungan lanjutan 90 hari", "90-day follow-up"),
        Tracing = "tracing" => ("Penelusuran keluarga", "Family tracing"),
    }
}

vocabulary! {
    /// How a person handed over is doing when the office visits or calls.
    pub enum FollowUpOutcome {
        WithFamily = "with_family" => ("Tinggal bersama keluarga", "Living with family"),
        Working = "working" => ("Sudah bekerja", "Working"),
        BackOnStreet = "back_on_street" => ("Kembali hidup di jalan", "Back on the street"),
        MovedAway = "moved_away" => ("Pindah ke tempat lain", "Moved away"),
        Died = "died" => ("Meninggal dunia", "Died"),
        NotReached = "not_reached" => ("Tidak dapat dihubungi", "Could not be reached"),
    }
}

vocabulary! {
    /// What the tracing of an unidentified resident's family found.
    pub enum TracingOutcome {
        FamilyFound = "family_found" => ("Keluarga ditemukan", "Family found"),
        NoTrace = "no_trace" => ("Tidak ada jejak", "No trace"),
        KnownElsewhere = "known_elsewhere" => ("Orang ini dikenal di daerah lain", "Known elsewhere"),
        RefusedByFamily = "refused_by_family" => ("Keluarga ditemukan tetapi menolak", "Family found but refuses"),
        NotReached = "not_reached" => ("Belum dapat ditelusuri", "Could not be traced yet"),
    }
}

vocabulary! {
    /// Why a resident left a UPT.
    pub enum DischargeReason {
        Home = "home" => ("Pulang", "Home"),
        Family = "family" => ("Dijemput keluarga", "Collected by family"),
        Hospital = "hospital" => ("Dirujuk ke rumah sakit", "To hospital"),
        Died = "died" => ("Meninggal", "Died"),
        RanAway = "ran_away" => ("Melarikan diri", "Ran away"),
        Transfer = "transfer" => ("Pindah ke UPT lain", "Moved to another UPT"),
    }
}

impl DischargeReason {
    /// Whether a discharge may give this reason: a move to another UPT is a transfer,
    /// made by its own operation, never chosen on the discharge form.
    pub fn ends_by_discharge(self) -> bool {
        self != DischargeReason::Transfer
    }
}

vocabulary! {
    /// How close a UPT ward is to full.
    pub enum AlertLevel {
        Watch = "watch" => ("Waspada", "Watch"),
        Warning = "warning" => ("Peringatan", "Warning"),
        Critical = "critical" => ("Kritis", "Critical"),
        Full = "full" => ("Penuh", "Full"),
        Stale = "stale" => ("Data tidak diperbarui", "Stale data"),
    }
}

vocabulary! {
    /// Where a transport plan stands.
    pub enum PlanState {
        Proposed = "proposed" => ("diusulkan", "proposed"),
        Accepted = "accepted" => ("disetujui", "accepted"),
        InTransit = "in_transit" => ("dalam perjalanan", "in transit"),
        HandedOver = "handed_over" => ("sudah diserahterimakan", "handed over"),
        Cancelled = "cancelled" => ("dibatalkan", "cancelled"),
    }
}

vocabulary! {
    /// What is decided for a person: home, or a UPT.
    pub enum RouteChoice {
        Home = "home" => ("Pulang ke daerah asal", "Home"),
        Upt = "upt" => ("Penempatan di UPT", "UPT placement"),
    }
}

vocabulary! {
    /// Where the proposal took the person's home from, the best evidence first.
    pub enum HomeSource {
        Dp3ak = "dp3ak" => ("Alamat dari pencocokan DP3AK", "Address from the DP3AK match"),
        Nik = "nik" => ("Daerah NIK (tidak bertentangan dengan data penerimaan)", "The NIK's region (nothing in the intake contradicts it)"),
        Register = "register" => ("Alamat di data penerima bantuan sosial", "Address in the social assistance register"),
        Stated = "stated" => ("Keterangan orang itu saat penerimaan", "What the person said at intake"),
        Tracing = "tracing" => ("Alamat keluarga dari penelusuran", "The family's address found by tracing"),
    }
}

vocabulary! {
    /// What a biometric check found.
    pub enum IdentityOutcome {
        Pending = "pending" => ("menunggu", "pending"),
        Matched = "matched" => ("cocok", "matched"),
        NoMatch = "no_match" => ("tidak cocok", "no match"),
        NotEnrolled = "not_enrolled" => ("belum terdaftar e-KTP", "not enrolled"),
        LowQuality = "low_quality" => ("kualitas rekaman rendah", "low quality"),
        DeviceFailure = "device_failure" => ("alat gagal", "device failure"),
    }
}

vocabulary! {
    /// Which biometric a check took.
    pub enum IdentityMethod {
        Fingerprint = "fingerprint" => ("sidik jari", "fingerprint"),
        Face = "face" => ("wajah", "face"),
        Iris = "iris" => ("iris mata", "iris"),
    }
}

vocabulary! {
    /// Why a bed hold ended.
    pub enum HoldReleaseReason {
        Placed = "placed" => ("orangnya ditempatkan", "the person was placed"),
        Expired = "expired" => ("habis waktunya", "expired"),
        Cancelled = "cancelled" => ("dibatalkan", "cancelled"),
    }
}

vocabulary! {
    /// Where a proposed link between two records stands.
    pub enum LinkState {
        Candidate = "candidate" => ("menunggu keputusan", "awaiting a decision"),
        Accepted = "accepted" => ("orang yang sama", "the same person"),
        Rejected = "rejected" => ("ditolak", "rejected"),
        KnownDistinct = "known_distinct" => ("orang yang berbeda", "different people"),
    }
}

vocabulary! {
    /// Who refused to receive a person going home.
    pub enum RefusalKind {
        Family = "family" => ("keluarga menolak", "the family refused"),
        Government = "government" => ("pemerintah daerah menolak", "the home government refused"),
    }
}

vocabulary! {
    /// Where an intake came from.
    pub enum IntakeSource {
        Desk = "desk" => ("meja penerimaan", "intake desk"),
        Api = "api" => ("API", "API"),
        Batch = "batch" => ("berkas kiriman", "batch file"),
    }
}

vocabulary! {
    /// What an audit row records: the actions of the audit trail.
    pub enum AuditAction {
        Read = "read" => ("Membuka", "Read"),
        ReadDenied = "read_denied" => ("Ditolak membuka", "Read refused"),
        ReadPhoto = "read_photo" => ("Membuka foto", "Photo read"),
        ReadHints = "read_hints" => ("Melihat kemungkinan kasus lama", "Earlier-case hints read"),
        SearchNik = "search_nik" => ("Mencari NIK", "NIK search"),
        Create = "create" => ("Membuat", "Created"),
        Transition = "transition" => ("Mengubah status", "State changed"),
        Route = "route" => ("Memutuskan rute", "Route decided"),
        Depart = "depart" => ("Mencatat keberangkatan", "Departure recorded"),
        Refusal = "refusal" => ("Mencatat penolakan", "Refusal recorded"),
        Place = "place" => ("Menempatkan di UPT", "Placed in a UPT"),
        PrintHandover = "print_handover" => ("Mencetak berita acara", "Hand-over form printed"),
        ReadProposal = "read_proposal" => ("Membaca usulan rute", "Route proposal read"),
        ReadPlan = "read_plan" => ("Membaca rencana perjalanan", "Transport plan read"),
        Departure = "departure" => ("Menjadwalkan keberangkatan", "Departure scheduled"),
        PlanLeg = "plan_leg" => ("Mengubah ruas perjalanan", "Leg changed"),
        ReadCard = "read_card" => ("Membaca kartu serah terima", "Hand-over card read"),
        ReadIncoming = "read_incoming" => ("Membaca daftar warga datang", "Incoming list read"),
        HandoverAcknowledge = "handover_acknowledge" => ("Kantor tujuan mengonfirmasi pemberitahuan", "Office acknowledged the notice"),
        HandoverReceived = "handover_received" => ("Kantor tujuan menerima orangnya", "Office received the person"),
        HandoverAccept = "handover_accept" => ("Kantor tujuan bersedia menerima", "Office accepted the hand-over"),
        HandoverDecline = "handover_decline" => ("Kantor tujuan menolak serah terima", "Office declined the hand-over"),
        HandoverAnotherDate = "handover_another_date" => ("Kantor tujuan mengusulkan tanggal lain", "Office proposed another date"),
        HandoverCollectAt = "handover_collect" => ("Kantor tujuan menjemput di Balai Sidoarjo", "Office collects at the Sidoarjo Balai"),
        IdentityCheck = "identity_check" => ("Mencatat hasil DP3AK", "DP3AK result recorded"),
        LinkDecision = "link_decision" => ("Memutuskan kecocokan data", "Record link decided"),
        Hold = "hold" => ("Menahan tempat tidur", "Bed held"),
        Release = "release" => ("Melepas tempat tidur", "Bed released"),
        Expire = "expire" => ("Tahanan tempat tidur habis", "Bed hold expired"),
        Acknowledge = "acknowledge" => ("Mengonfirmasi peringatan", "Alert acknowledged"),
        Login = "login" => ("Masuk", "Signed in"),
        LoginFailed = "login_failed" => ("Gagal masuk", "Sign-in failed"),
        LoginThrottled = "login_throttled" => ("Masuk diblokir sementara", "Sign-in throttled"),
        Logout = "logout" => ("Keluar", "Signed out"),
        MfaOk = "mfa_ok" => ("Kode autentikator benar", "Authenticator code accepted"),
        MfaEnrolled = "mfa_enrolled" => ("Autentikator didaftarkan", "Authenticator enrolled"),
        MfaFailed = "mfa_failed" => ("Kode autentikator salah", "Authenticator code refused"),
        MfaThrottled = "mfa_throttled" => ("Kode autentikator diblokir sementara", "Authenticator throttled"),
        MfaReset = "mfa_reset" => ("Autentikator diatur ulang", "Authenticator reset"),
        ChangePassword = "change_password" => ("Mengganti kata sandi", "Password changed"),
        ChangePasswordFailed = "change_password_failed" => ("Gagal mengganti kata sandi", "Password change failed"),
        ResetPassword = "reset_password" => ("Mengatur ulang kata sandi", "Password reset"),
        Grant = "grant" => ("Memberi peran", "Role granted"),
        Disable = "disable" => ("Menonaktifkan akun", "Account disabled"),
        Enable = "enable" => ("Mengaktifkan akun", "Account enabled"),
        CreateToken = "create_token" => ("Membuat token API", "API token created"),
        RevokeToken = "revoke_token" => ("Mencabut token API", "API token revoked"),
        ChangeOffice = "change_office" => ("Mengubah alamat kantor", "Office address changed"),
        BreakGlass = "break_glass" => ("Akses darurat", "Emergency access"),
        BreakGlassReviewed = "break_glass_reviewed" => ("Akses darurat ditinjau", "Emergency access reviewed"),
        AccessReport = "access_report" => ("Laporan akses", "Access report"),
        ReportExport = "report_export" => ("Mengunduh laporan", "Report downloaded"),
        SubjectAccessExport = "subject_access_export" => ("Mengunduh data pribadi seseorang", "Subject-access archive downloaded"),
        RetentionAnonymised = "retention_anonymised" => ("Data dianonimkan (retensi)", "Anonymised (retention)"),
        RetentionMailBlanked = "retention_mail_blanked" => ("Isi surel dihapus (retensi)", "Mail bodies blanked (retention)"),
        RetentionPhotosRemoved = "retention_photos_removed" => ("Foto dihapus (retensi)", "Photos removed (retention)"),
        WardBeds = "ward_beds" => ("Mengubah jumlah tempat tidur", "Bed count changed"),
        WardClosed = "ward_closed" => ("Menutup bangsal sementara", "Ward closed temporarily"),
        WardReopened = "ward_reopened" => ("Mengakhiri penutupan bangsal", "Ward closure ended"),
        WardRules = "ward_rules" => ("Mengubah aturan penerimaan bangsal", "Ward admission rules changed"),
        ImportOccupancy = "import_occupancy" => ("Mengimpor riwayat hunian", "Occupancy history imported"),
        Correct = "correct" => ("Memperbaiki data intake", "Intake corrected"),
        ProtectionReferral = "protection_referral" => ("Merujuk untuk perlindungan", "Referred for protection"),
        ReadTasks = "read_tasks" => ("Membaca daftar tugas", "Task list read"),
        ReadTask = "read_task" => ("Membaca tugas", "Task read"),
        TaskOutcome = "task_outcome" => ("Mencatat hasil tugas", "Task outcome recorded"),
        TracingAssigned = "tracing_assigned" => ("Memberi tugas penelusuran keluarga", "Family tracing assigned"),
    }
}

vocabulary! {
    /// What kind of record an audit row is about.
    pub enum AuditEntity {
        Case = "case" => ("Kasus", "Case"),
        User = "user" => ("Pengguna", "User"),
        Office = "office" => ("Kantor", "Office"),
        ApiToken = "api_token" => ("Token API", "API token"),
        BedHold = "bed_hold" => ("Tahanan tempat tidur", "Bed hold"),
        CapacityAlert = "capacity_alert" => ("Peringatan kapasitas", "Capacity alert"),
        EmailOutbox = "email_outbox" => ("Surel", "Email"),
        IdentityCheck = "identity_check" => ("Pemeriksaan DP3AK", "DP3AK check"),
        RecordLink = "record_link" => ("Kecocokan data", "Record link"),
        Report = "report" => ("Laporan", "Report"),
        Session = "session" => ("Sesi", "Session"),
        BreakGlass = "break_glass" => ("Akses darurat", "Emergency access"),
        Ward = "ward" => ("Bangsal", "Ward"),
        OccupancyHistory = "occupancy_history" => ("Riwayat hunian", "Occupancy history"),
        AssistanceProgramme = "assistance_programme" => ("Program bantuan sosial", "Assistance programme"),
    }
}

vocabulary! {
    /// Why a ward is closed for a while (`ward_closure.reason`).
    pub enum ClosureReason {
        Renovation = "renovation" => ("Renovasi", "Renovation"),
        Outbreak = "outbreak" => ("Wabah penyakit", "Outbreak"),
        Staff = "staff" => ("Kekurangan petugas", "Staff shortage"),
        Disaster = "disaster" => ("Bencana", "Disaster"),
        Other = "other" => ("Lainnya", "Other"),
    }
}

vocabulary! {
    /// What a change in a ward's history was (`ward_change.kind`).
    pub enum WardChangeKind {
        Beds = "beds" => ("Jumlah tempat tidur", "Bed count"),
        Closure = "closure" => ("Penutupan sementara", "Temporary closure"),
        ClosureEnded = "closure_ended" => ("Penutupan diakhiri", "Closure ended"),
        Rules = "rules" => ("Aturan penerimaan", "Admission rules"),
    }
}

vocabulary! {
    /// What was done about a capacity alert, recorded when it is acknowledged.
    pub enum AlertAction {
        SentHome = "sent_home" => ("Warga dipulangkan / rencana pulang dibuat", "Residents sent home / plans home made"),
        MovedUpt = "moved_upt" => ("Orang yang menunggu dirujuk ke UPT lain", "People waiting referred to another UPT"),
        LongStayReview = "long_stay_review" => ("Penghuni lama ditinjau", "Long-stay residents reviewed"),
        BedsAdded = "beds_added" => ("Tempat tidur ditambah", "Beds added"),
        Watching = "watching" => ("Belum perlu tindakan, dipantau", "No action needed yet, watching"),
    }
}

vocabulary! {
    /// The three kinds of people on a ward's decongestion list.
    pub enum DecongestKind {
        GoHome = "go_home" => ("Bisa pulang sekarang", "Could go home now"),
        LongStay = "long_stay" => ("Tinggal lebih dari setahun", "Stayed over a year"),
        Elsewhere = "elsewhere" => ("Menunggu, cocok di UPT lain yang ada tempat", "Waiting, fits another UPT with free beds"),
    }
}

vocabulary! {
    /// Whom a UPT ward takes.
    pub enum WardSex {
        Male = "male" => ("laki-laki", "men"),
        Female = "female" => ("perempuan", "women"),
        Any = "any" => ("campur", "mixed"),
    }
}

/// Every vocabulary's codes with their labels: what the page tests look for (a code a
/// person must not read) and what they allow (a label, even one spelt like a code).
pub fn every_code() -> Vec<(&'static str, Text)> {
    fn of<T: Copy>(
        all: &[T],
        code: fn(T) -> &'static str,
        label: fn(T) -> Text,
    ) -> Vec<(&'static str, Text)> {
        all.iter().map(|&x| (code(x), label(x))).collect()
    }
    [
        of(Sex::ALL, Sex::code, Sex::label),
        of(NameQuality::ALL, NameQuality::code, NameQuality::label),
        of(BirthQuality::ALL, BirthQuality::code, BirthQuality::label),
        of(Condition::ALL, Condition::code, Condition::label),
        of(DocumentKind::ALL, DocumentKind::code, DocumentKind::label),
        of(TravelMode::ALL, TravelMode::code, TravelMode::label),
        of(EventKind::ALL, EventKind::code, EventKind::label),
        of(TaskKind::ALL, TaskKind::code, TaskKind::label),
        of(
            FollowUpOutcome::ALL,
            FollowUpOutcome::code,
            FollowUpOutcome::label,
        ),
        of(
            TracingOutcome::ALL,
            TracingOutcome::code,
            TracingOutcome::label,
        ),
        of(
            DischargeReason::ALL,
            DischargeReason::code,
            DischargeReason::label,
        ),
        of(AlertLevel::ALL, AlertLevel::code, AlertLevel::label),
        of(PlanState::ALL, PlanState::code, PlanState::label),
        of(RouteChoice::ALL, RouteChoice::code, RouteChoice::label),
        of(HomeSource::ALL, HomeSource::code, HomeSource::label),
        of(
            IdentityOutcome::ALL,
            IdentityOutcome::code,
            IdentityOutcome::label,
        ),
        of(
            IdentityMethod::ALL,
            IdentityMethod::code,
            IdentityMethod::label,
        ),
        of(
            HoldReleaseReason::ALL,
            HoldReleaseReason::code,
            HoldReleaseReason::label,
        ),
        of(LinkState::ALL, LinkState::code, LinkState::label),
        of(RefusalKind::ALL, RefusalKind::code, RefusalKind::label),
        of(IntakeSource::ALL, IntakeSource::code, IntakeSource::label),
        of(AuditAction::ALL, AuditAction::code, AuditAction::label),
        of(AuditEntity::ALL, AuditEntity::code, AuditEntity::label),
        of(WardSex::ALL, WardSex::code, WardSex::label),
        of(
            ClosureReason::ALL,
            ClosureReason::code,
            ClosureReason::label,
        ),
        of(
            WardChangeKind::ALL,
            WardChangeKind::code,
            WardChangeKind::label,
        ),
        of(LinkField::ALL, LinkField::code, LinkField::label),
        of(JobName::ALL, JobName::code, JobName::label),
        of(CaseState::ALL, CaseState::code, CaseState::label),
        of(Role::ALL, Role::code, Role::label),
        of(AlertAction::ALL, AlertAction::code, AlertAction::label),
        of(
            DecongestKind::ALL,
            DecongestKind::code,
            DecongestKind::label,
        ),
    ]
    .concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_back_and_travel_as_themselves_in_json() {
        for (code, _) in every_code() {
            assert!(!code.is_empty());
        }
        for s in Sex::ALL {
            assert_eq!(Sex::parse(s.code()), Some(*s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.code());
            let back: Sex = serde_json::from_value(serde_json::json!(s.code())).unwrap();
            assert_eq!(back, *s);
        }
        let err = serde_json::from_value::<Sex>(serde_json::json!("lelaki")).unwrap_err();
        assert!(err.to_string().contains("male"), "{err}");
    }

    #[test]
    fn every_job_has_a_label() {
        for j in crate::jobs::Job::ALL {
            assert!(JobName::parse(j.name()).is_some(), "{}", j.name());
        }
    }

    /// Every action and entity the source hands the audit trail as a literal has a label
    /// (the audit page shows labels; an unknown code would read "lainnya").
    #[test]
    fn every_audited_action_and_entity_has_a_label() {
        fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    files(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("vocab/mod.rs") {
                    out.push(p);
                }
            }
        }
        let mut all = vec![];
        files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut all,
        );
        let (mut seen, mut missing) = (0, vec![]);
        for f in all {
            let text = std::fs::read_to_string(&f).unwrap();
            for (at, _) in text.match_indices("audit::record(") {
                // The arguments after the executor and the origin: action, entity.
                let args: Vec<&str> = text[at..]
                    .split(',')
                    .skip(2)
                    .take(2)
                    .map(str::trim)
                    .collect();
                let lit = |a: &str| {
                    a.strip_prefix('"')
                        .and_then(|a| a.strip_suffix('"'))
                        .map(String::from)
                };
                if let Some(action) = lit(args[0]) {
                    if AuditAction::parse(&action).is_none() {
                        missing.push(format!("{}: action {action:?}", f.display()));
                    }
                    seen += 1;
                }
                if let Some(entity) = lit(args[1]) {
                    if AuditEntity::parse(&entity).is_none() {
                        missing.push(format!("{}: entity {entity:?}", f.display()));
                    }
                }
            }
        }
        assert!(
            seen > 20,
            "the source's audit calls were not found ({seen})"
        );
        assert!(missing.is_empty(), "no label for:\n{}", missing.join("\n"));
    }

    #[test]
    fn no_label_is_a_code_word() {
        // A label may be spelt like a code only when it is a word of its language
        // ("bus"); never a snake_case code.
        for (code, label) in every_code() {
            for l in [label.id, label.en] {
                assert!(!l.contains('_'), "{code}: label {l:?} reads like a code");
                assert!(!l.is_empty(), "{code}: empty label");
            }
        }
    }

    #[test]
    fn the_openapi_schema_is_an_enum_of_the_codes() {
        let schema = serde_json::to_value(<Condition as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(schema["type"], "string");
        assert_eq!(schema["enum"], serde_json::json!(Condition::CODES));
    }
}

vocabulary! {
    /// The fields the review queue weighs: the person schema's columns and a DP3AK check's.
    pub enum LinkField {
        Nama = "nama" => ("Nama", "Name"),
        TglLahir = "tgl_lahir" => ("Tanggal lahir", "Birth date"),
        Jk = "jk" => ("Jenis kelamin", "Sex"),
        Nik = "nik" => ("NIK", "NIK"),
        KodeWilayah = "kode_wilayah" => ("Wilayah asal", "Home region"),
        NamaIbu = "nama_ibu" => ("Nama ibu kandung", "Mother's name"),
        Biometric = "biometric" => ("Biometrik", "Biometric"),
        Sex = "sex" => ("Jenis kelamin", "Sex"),
        BirthDate = "birth_date" => ("Tanggal lahir", "Birth date"),
        Age = "age" => ("Umur", "Age"),
        HomeRegion = "home_region" => ("Daerah asal", "Home region"),
    }
}

vocabulary! {
    /// The scheduled jobs, by the name their runs are recorded under.
    pub enum JobName {
        DeliverMail = "deliver_mail" => ("Kirim surel", "Deliver email"),
        RematchUnidentified = "rematch_unidentified" => ("Cocokkan ulang orang yang belum teridentifikasi", "Re-match unidentified people"),
        Housekeeping = "housekeeping" => ("Pemeliharaan (tahanan tempat tidur kedaluwarsa, sesi lama)", "Housekeeping (expired bed holds, old sessions)"),
        EscalateHandovers = "escalate_handovers" => ("Naikkan pemberitahuan serah terima yang belum dijawab", "Escalate unanswered hand-over notices"),
        CapacityDaily = "capacity_daily" => ("Prakiraan dan peringatan kapasitas harian", "Daily capacity forecast and alerts"),
        WeeklyDigest = "weekly_digest" => ("Ringkasan mingguan untuk Dinsos kabupaten/kota", "Weekly digest to regency offices"),
        Retention = "retention" => ("Retensi data pribadi (UU PDP)", "Personal-data retention (PDP law)"),
        DrainWork = "drain_work" => ("Pekerjaan antrean (pencocokan ulang, hitung ulang kapasitas)", "Queued work (re-matching, capacity re-evaluation)"),
    }
}
