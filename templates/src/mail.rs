//! Email bodies, in Indonesian, plain text and HTML. They carry case numbers, counts and
//! links — never a person's name, photo, diagnosis or NIK.
use maud::{html, Markup, DOCTYPE};

pub struct MailBody {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn frame(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="id" {
            head { meta charset="utf-8"; title { (title) } }
            body style="font-family: sans-serif; line-height: 1.5; max-width: 40em" { (body) }
        }
    }
    .into_string()
}

pub struct HandoverNotice<'a> {
    pub number: &'a str,
    pub office: &'a str,
    /// Where the person is handed over (a station, a terminal, the village).
    pub at: &'a str,
    /// When to expect them, local time.
    pub arrive: &'a str,
    pub link: &'a str,
    /// Until when the link works, local time.
    pub until: &'a str,
    /// A relay: where the person is going after this office, and who takes over
    /// ("… meneruskan ke Kabupaten Cianjur, Provinsi Jawa Barat …").
    pub onward: Option<&'a str>,
}

pub fn handover_notice(n: &HandoverNotice) -> MailBody {
    let subject = format!("Serah terima {} — mohon konfirmasi", n.number);
    let text = format!(
        "Kepada {office},\n\n\
         Dinas Sosial Provinsi Jawa Timur akan menyerahkan seorang warga (kasus {number}) kepada kantor Anda.\n\n\
         Yang kami minta: menerima warga tersebut di {at}, perkiraan tiba {arrive}.\n\n\
         {onward}\
         Buka tautan berikut untuk mengonfirmasi bahwa pemberitahuan ini sudah diterima, dan nanti bahwa warga sudah Anda terima:\n{link}\n\n\
         Tautan berlaku sampai {until}. Data pribadi tidak dikirim lewat surel; detail ada setelah tautan dibuka oleh petugas.\n\n\
         Simlontar — Dinas Sosial Provinsi Jawa Timur\n",
        office = n.office, number = n.number, at = n.at, arrive = n.arrive, link = n.link, until = n.until,
        onward = n.onward.map(|o| format!("Tujuan akhir (estafet): {o}.\n\n")).unwrap_or_default()
    );
    let html = frame(
        &subject,
        html! {
            p { "Kepada " (n.office) "," }
            p { "Dinas Sosial Provinsi Jawa Timur akan menyerahkan seorang warga (kasus " strong { (n.number) } ") kepada kantor Anda." }
            p { "Yang kami minta: menerima warga tersebut di " strong { (n.at) } ", perkiraan tiba " strong { (n.arrive) } "." }
            @if let Some(onward) = n.onward {
                p { "Tujuan akhir (estafet): " strong { (onward) } "." }
            }
            p { a href=(n.link) { "Konfirmasi penerimaan pemberitahuan" } }
            p { small { "Tautan berlaku sampai " (n.until) ". Data pribadi tidak dikirim lewat surel." } }
        },
    );
    MailBody {
        subject,
        text,
        html,
    }
}

/// The receiving office's expected arrival, sent again after the departure is scheduled
/// or changed. Like the notice: the case number only, no personal data.
pub fn arrival_update(number: &str, office: &str, arrive: &str, base_url: &str) -> MailBody {
    let subject = format!("Serah terima {number} — perkiraan tiba {arrive}");
    let link = format!("{}/incoming", base_url.trim_end_matches('/'));
    let text = format!(
        "Kepada {office},\n\n\
         Keberangkatan warga (kasus {number}) sudah dijadwalkan atau diubah. Perkiraan tiba: {arrive}.\n\n\
         Rinciannya ada pada tautan di pemberitahuan serah terima yang pertama, atau setelah masuk ke Simlontar:\n{link}\n\n\
         Simlontar — Dinas Sosial Provinsi Jawa Timur\n"
    );
    let html = frame(
        &subject,
        html! {
            p { "Kepada " (office) "," }
            p { "Keberangkatan warga (kasus " strong { (number) } ") sudah dijadwalkan atau diubah. Perkiraan tiba: " strong { (arrive) } "." }
            p { "Rinciannya ada pada tautan di pemberitahuan serah terima yang pertama, atau setelah masuk ke Simlontar: " a href=(link) { (link) } }
        },
    );
    MailBody {
        subject,
        text,
        html,
    }
}

pub fn escalation(number: &str, office: &str, hours: u32, base_url: &str) -> MailBody {
    let subject = format!("Belum dikonfirmasi: serah terima {number}");
    let link = format!("{}/cases/{number}", base_url.trim_end_matches('/'));
    let text = format!(
        "Pemberitahuan serah terima kasus {number} kepada {office} belum dikonfirmasi setelah {hours} jam.\n\
         Mohon hubungi kantor tersebut.\n\n{link}\n"
    );
    let html = frame(
        &subject,
        html! {
            p { "Pemberitahuan serah terima kasus " strong { (number) } " kepada " (office) " belum dikonfirmasi setelah " (hours) " jam." }
            p { "Mohon hubungi kantor tersebut." }
            p { a href=(link) { (link) } }
        },
    );
    MailBody {
        subject,
        text,
        html,
    }
}

/// To the province desk: the receiving office answered other than "we accept" (declined,
/// proposed another date, will collect). The case number and the office, never a name.
pub fn office_answer(number: &str, office: &str, what: &str, base_url: &str) -> MailBody {
    let subject = format!("Jawaban kantor penerima: kasus {number}");
    let link = format!("{}/cases/{number}/plan", base_url.trim_end_matches('/'));
    let text = format!(
        "{office} menjawab pemberitahuan serah terima kasus {number}:\n{what}\n\n\
         Buka rencana perjalanan kasus ini:\n{link}\n"
    );
    let html = frame(
        &subject,
        html! {
            p { (office) " menjawab pemberitahuan serah terima kasus " strong { (number) } ":" }
            p { (what) }
            p { "Buka rencana perjalanan kasus ini: " a href=(link) { (link) } }
        },
    );
    MailBody {
        subject,
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_names_the_case_and_the_link_and_escapes_html() {
        let m = handover_notice(&HandoverNotice {
            number: "OT-3578-2026-000001",
            office: "Dinas Sosial <Kabupaten> Banyuwangi",
            at: "Stasiun Ketapang",
            arrive: "25-11-2026 10:00 WIB",
            link: "https://x/handover/abc",
            until: "07-12-2026 10:00 WIB",
            onward: None,
        });
        assert!(!m.text.contains("estafet"));
        assert!(m.subject.contains("OT-3578-2026-000001"));
        assert!(m.text.contains("https://x/handover/abc"));
        assert!(m.html.contains("&lt;Kabupaten&gt;"));
    }
}
