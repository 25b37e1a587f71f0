//! The UI's two languages. Bahasa Indonesia is the default; English is an option.
//! Each text is a field, so a missing translation is a compile error, not a blank label.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Id,
    En,
}

/// A text in both languages, for screens whose labels are used once.
pub fn tr(lang: Lang, id: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

/// The half of a message written "Indonesian / English" (the domain's field errors) in
/// `lang`; a message in one language only is returned whole.
pub fn one_language(lang: Lang, message: &str) -> String {
    match message.split_once(" / ") {
        Some((id, en)) => tr_owned(lang, id, en),
        None => message.to_string(),
    }
}

fn tr_owned(lang: Lang, id: &str, en: &str) -> String {
    match lang {
        Lang::Id => id.to_string(),
        Lang::En => en.to_string(),
    }
}

/// A label in both languages: what a view is given instead of a code, so it cannot print one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Text {
    pub id: &'static str,
    pub en: &'static str,
}

impl Text {
    pub const fn new(id: &'static str, en: &'static str) -> Text {
        Text { id, en }
    }

    /// The label in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        tr(lang, self.id, self.en)
    }
}

/// Labels joined with ", " in `lang` (a person's conditions, documents carried).
pub fn join(lang: Lang, texts: &[Text]) -> String {
    texts
        .iter()
        .map(|t| t.get(lang))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn t(self) -> &'static Texts {
        match self {
            Lang::Id => &ID,
            Lang::En => &EN,
        }
    }
}

pub struct Texts {
    pub app_tagline: &'static str,
    pub nav_home: &'static str,
    pub nav_intake: &'static str,
    pub nav_cases: &'static str,
    pub nav_identity: &'static str,
    pub nav_routing: &'static str,
    pub nav_capacity: &'static str,
    pub nav_admin: &'static str,
    pub other_language: &'static str,
    pub skip_to_content: &'static str,
    pub home_title: &'static str,
    pub home_intro: &'static str,
    pub stat_open_cases: &'static str,
    pub stat_intakes_30d: &'static str,
    pub stat_upt_beds: &'static str,
    pub stat_occupied: &'static str,
    pub last_updated: &'static str,
    pub error_not_found: &'static str,
    pub error_invalid: &'static str,
    pub error_conflict: &'static str,
    pub error_unavailable: &'static str,
    pub error_internal: &'static str,
    pub error_unauthorized: &'static str,
    pub error_forbidden: &'static str,
    pub error_too_large: &'static str,
    pub error_timeout: &'static str,
    pub error_too_many: &'static str,
    // Capacity wording: whole words for a wall read from three metres.
    pub cap_days: &'static str,
    pub cap_full_now: &'static str,
    pub cap_full_in: &'static str,
    pub cap_between: &'static str,
    pub cap_and: &'static str,
    pub cap_not_full_within: &'static str,
    pub cap_chance_full: &'static str,
    pub cap_free: &'static str,
    pub cap_occupied: &'static str,
    pub cap_wards: &'static str,
    pub cap_data_as_of: &'static str,
    pub cap_no_forecast: &'static str,
    pub cap_your_upt: &'static str,
    pub back_home: &'static str,
    pub sign_out: &'static str,
    pub change_password: &'static str,
}

pub static ID: Texts = Texts {
    app_tagline: "Sistem Informasi Manajemen Pemulangan Orang Telantar",
    nav_home: "Beranda",
    nav_intake: "Penerimaan",
    nav_cases: "Kasus",
    nav_identity: "Identitas",
    nav_routing: "Pemulangan",
    nav_capacity: "Kapasitas UPT",
    nav_admin: "Admin",
    other_language: "English",
    skip_to_content: "Langsung ke isi",
    home_title: "Ringkasan",
    home_intro: "Orang telantar yang dijangkau Satpol PP, diidentifikasi DP3AK, lalu dipulangkan atau ditempatkan di UPT.",
    stat_open_cases: "Kasus aktif",
    stat_intakes_30d: "Penerimaan 30 hari terakhir",
    stat_upt_beds: "Tempat tidur UPT",
    stat_occupied: "Terisi",
    last_updated: "Diperbarui",
    error_not_found: "Halaman atau data tidak ditemukan.",
    error_invalid: "Isian belum benar. Periksa kolom yang ditandai.",
    error_conflict: "Data sudah berubah atau bertentangan dengan data lain.",
    error_unavailable: "Layanan sedang tidak tersedia. Coba lagi sebentar lagi; data yang sudah tersimpan tidak hilang.",
    error_internal: "Terjadi kesalahan pada sistem. Kejadian ini sudah dicatat.",
    error_unauthorized: "Silakan masuk terlebih dahulu.",
    error_forbidden: "Anda tidak berwenang membuka halaman ini.",
    error_too_large: "Kiriman terlalu besar.",
    error_timeout: "Permintaan terlalu lama diproses.",
    error_too_many: "Terlalu banyak percobaan gagal. Coba lagi dalam 15 menit.",
    cap_days: "hari",
    cap_full_now: "penuh sekarang",
    cap_full_in: "penuh dalam sekitar",
    cap_between: "antara",
    cap_and: "dan",
    cap_not_full_within: "tidak diperkirakan penuh dalam",
    cap_chance_full: "peluang penuh dalam",
    cap_free: "kosong",
    cap_occupied: "terisi",
    cap_wards: "bangsal",
    cap_data_as_of: "Data per",
    cap_no_forecast: "belum ada prakiraan",
    cap_your_upt: "UPT Anda",
    back_home: "Kembali ke beranda",
    sign_out: "Keluar",
    change_password: "Ganti kata sandi",
};

pub static EN: Texts = Texts {
    app_tagline: "Repatriation management for stranded people",
    nav_home: "Home",
    nav_intake: "Intake",
    nav_cases: "Cases",
    nav_identity: "Identity",
    nav_routing: "Repatriation",
    nav_capacity: "UPT capacity",
    nav_admin: "Admin",
    other_language: "Bahasa Indonesia",
    skip_to_content: "Skip to content",
    home_title: "Overview",
    home_intro: "Stranded people picked up by Satpol PP, identified by DP3AK, then sent home or placed in a UPT.",
    stat_open_cases: "Open cases",
    stat_intakes_30d: "Intakes in the last 30 days",
    stat_upt_beds: "UPT beds",
    stat_occupied: "Occupied",
    last_updated: "Updated",
    error_not_found: "The page or record was not found.",
    error_invalid: "Some fields are not right yet. Check the marked fields.",
    error_conflict: "The record changed or conflicts with another one.",
    error_unavailable: "The service is unavailable. Try again shortly; nothing already saved is lost.",
    error_internal: "Something went wrong in the system. It has been logged.",
    error_unauthorized: "Please sign in first.",
    error_forbidden: "You are not allowed to open this page.",
    error_too_large: "The submission is too large.",
    error_timeout: "The request took too long.",
    error_too_many: "Too many failed attempts. Try again in 15 minutes.",
    cap_days: "days",
    cap_full_now: "full now",
    cap_full_in: "full in about",
    cap_between: "between",
    cap_and: "and",
    cap_not_full_within: "not expected to fill within",
    cap_chance_full: "chance of filling within",
    cap_free: "free",
    cap_occupied: "occupied",
    cap_wards: "wards",
    cap_data_as_of: "Data as of",
    cap_no_forecast: "no forecast yet",
    cap_your_upt: "Your UPT",
    back_home: "Back to the home page",
    sign_out: "Sign out",
    change_password: "Change password",
};
