//! Routing views: the proposal and decision on the case page, the transport plan with
//! its map, the printable hand-over form (berita acara), the receiving office's link
//! page, and each office's response times.
use maud::{html, Markup, PreEscaped};

use crate::i18n::{tr, Lang, Text};
use crate::intake::{field_error, text_field};
use crate::layout::{page, NavUser, Page, Section};
pub use crate::routing_plan::*;

pub struct LegRow {
    pub mode: Text,
    pub from: String,
    pub to: String,
    pub km: f64,
    pub minutes: u32,
    pub fare: u64,
    pub office: String,
    pub paid_by: String,
}

pub struct PlanView {
    pub state: Text,
    pub legs: Vec<LegRow>,
    pub total_minutes: u32,
    pub total_fare: u64,
    pub escort: Option<String>,
    pub office: String,
    pub at: String,
    pub relay: Option<String>,
    pub notes: Vec<String>,
    /// The route map as SVG, drawn by the app from reference data (no user text unescaped).
    pub map_svg: Option<String>,
    pub notice: Option<String>,
}

#[derive(Default)]
pub struct Panel {
    /// The proposed choice (its form value) and the proposal's reasons.
    pub proposed: Option<(&'static str, Vec<String>)>,
    /// The home the proposal works with (its name) and where it was taken from.
    pub home: Option<(String, Text)>,
    /// The choices (form value, label): home or a UPT.
    pub choices: Vec<(&'static str, Text)>,
    pub may_decide: bool,
    pub plan: Option<PlanView>,
    pub may_depart: bool,
    pub may_refuse: bool,
    /// The UPTs a person may be referred to (code, name), and the one proposed.
    pub upts: Vec<(String, String)>,
    pub proposed_upt: Option<String>,
    /// The open referral: the UPT and since when.
    pub referral: Option<String>,
}

pub fn rupiah(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    format!("Rp {out}")
}

pub fn duration(minutes: u32) -> String {
    format!("{} j {:02} m", minutes / 60, minutes % 60)
}

pub fn legs_table(lang: Lang, p: &PlanView) -> Markup {
    html! {
        table.legs tabindex="0" {
            thead { tr {
                th scope="col" { (tr(lang, "Moda", "Mode")) } th scope="col" { (tr(lang, "Dari", "From")) }
                th scope="col" { (tr(lang, "Ke", "To")) } th scope="col" { "km" }
                th scope="col" { (tr(lang, "Waktu", "Time")) } th scope="col" { (tr(lang, "Biaya", "Fare")) }
                th scope="col" { (tr(lang, "Penanggung jawab", "Responsible")) }
            } }
            tbody {
                @for l in &p.legs {
                    tr { td { (l.mode.get(lang)) } td { (l.from) } td { (l.to) } td { (format!("{:.0}", l.km)) }
                         td { (duration(l.minutes)) } td { (rupiah(l.fare)) } td { (l.office) br; small { (l.paid_by) } } }
                }
            }
            tfoot { tr {
                th scope="row" colspan="4" { (tr(lang, "Jumlah", "Total")) }
                td { (duration(p.total_minutes)) } td { (rupiah(p.total_fare)) } td {}
            } }
        }
    }
}

pub fn panel(lang: Lang, number: &str, csrf: &str, p: &Panel) -> Markup {
    html! {
        section.routing {
            h2 { (tr(lang, "Rute", "Route")) }
            @if let Some(r) = &p.referral {
                p role="status" { (tr(lang, "Dirujuk ke ", "Referred to ")) (r) }
            }
            @if let Some((code, reasons)) = &p.proposed {
                @for (value, label) in &p.choices {
                    @if value == code { p { strong { (tr(lang, "Usulan: ", "Proposed: ")) (label.get(lang)) } } }
                }
                @match &p.home {
                    Some((name, source)) => p.home {
                        strong { (tr(lang, "Daerah asal: ", "Home: ")) } (name)
                        br; small { (tr(lang, "Sumber: ", "Source: ")) (source.get(lang)) }
                    },
                    None => p.home { strong { (tr(lang, "Daerah asal: ", "Home: ")) } (tr(lang, "belum diketahui", "not known yet")) },
                }
                ul { @for r in reasons { li { (r) } } }
                @if p.may_decide {
                    form.card #decide method="post" action={ "/cases/" (number) "/route" } {
                        input type="hidden" name="csrf" value=(csrf);
                        fieldset {
                            legend { (tr(lang, "Keputusan", "Decision")) }
                            @for (value, label) in &p.choices {
                                label { input type="radio" name="choice" value=(value) checked[value == code]; " " (label.get(lang)) }
                            }
                        }
                        @if !p.upts.is_empty() {
                            label for="route_upt" { (tr(lang, "UPT tujuan (bila penempatan di UPT)", "UPT to refer to (for a UPT placement)")) }
                            select #route_upt name="upt" {
                                @for (code, name) in &p.upts {
                                    option value=(code) selected[p.proposed_upt.as_deref() == Some(code.as_str())] { (name) }
                                }
                            }
                        }
                        label for="route_reason" { (tr(lang, "Alasan bila menyimpang dari usulan", "Reason when overriding the proposal")) }
                        input #route_reason name="reason" type="text";
                        button type="submit" { (tr(lang, "Putuskan", "Decide")) }
                    }
                }
            }
            @if let Some(plan) = &p.plan {
                h3 { (tr(lang, "Rencana perjalanan", "Transport plan")) " · " (plan.state.get(lang)) }
                p { (tr(lang, "Diserahkan kepada ", "Handed over to ")) strong { (plan.office) } " — " (plan.at) }
                @if let Some(r) = &plan.relay { p.relay { (r) } }
                @if let Some(e) = &plan.escort { p { strong { (tr(lang, "Pendamping: ", "Escort: ")) } (e) } }
                (legs_table(lang, plan))
                @for n in &plan.notes { p.note { (n) } }
                @if let Some(svg) = &plan.map_svg { figure.route-map { (PreEscaped(svg)) } }
                @if let Some(n) = &plan.notice { p role="status" { (n) } }
                p { a href={ "/cases/" (number) "/plan" } { (tr(lang, "Jadwal keberangkatan, pendamping dan ruas perjalanan", "Departure, escort and legs")) } }
                p { a href={ "/cases/" (number) "/handover-form" } { (tr(lang, "Cetak berita acara serah terima", "Print the hand-over form")) } }
                @if p.may_depart {
                    form.inline #depart method="post" action={ "/cases/" (number) "/depart" } {
                        input type="hidden" name="csrf" value=(csrf);
                        button type="submit" { (tr(lang, "Catat keberangkatan…", "Record departure…")) }
                    }
                }
            }
            @if p.may_refuse {
                form.card #refusal method="post" action={ "/cases/" (number) "/refusal" } {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="refusal_kind" { (tr(lang, "Penolakan atau negosiasi", "Refusal or negotiation")) }
                    select #refusal_kind name="kind" {
                        option value="refused" { (tr(lang, "Menolak menerima", "Refuses to receive")) }
                        option value="negotiation" { (tr(lang, "Catatan negosiasi", "Negotiation note")) }
                    }
                    label for="refusal_by" { (tr(lang, "Oleh", "By")) }
                    select #refusal_by name="by" {
                        option value="family" { (tr(lang, "Keluarga", "Family")) }
                        option value="government" { (tr(lang, "Pemerintah daerah asal", "Home government")) }
                    }
                    label for="refusal_reason" { (tr(lang, "Keterangan", "What happened")) }
                    input #refusal_reason name="reason" type="text" required;
                    button type="submit" { (tr(lang, "Catat", "Record")) }
                }
            }
        }
    }
}

pub struct FormView {
    pub number: String,
    /// The document's own number ("BAST-00012/OT-…/2026").
    pub document_number: String,
    pub name: String,
    /// Labels in Bahasa Indonesia.
    pub sex: String,
    pub age: String,
    pub home: String,
    pub documents: Vec<String>,
    pub belongings: String,
    /// "Pada hari ini Senin, tanggal 7 Desember 2026, bertempat di …".
    pub place_date: String,
    /// The place and date above the signatures.
    pub city_date: String,
    /// When the receiving office confirmed the person received, if it did.
    pub received: Option<String>,
    /// The escort who hands the person over (the first party), once named.
    pub escort: Option<String>,
    /// Who received the person (the second party): name, and NIP or relation.
    pub receiver: Option<(String, String)>,
    pub plan: PlanView,
}

/// A line left to be written on paper.
const BLANK: &str = "…………………………………";

/// The berita acara serah terima, for printing and signing by both parties. On paper only
/// the document prints (the stylesheet's `@media print`); the Print button is wired by
/// the served `/static/print.js` (no inline handler: the CSP forbids them) and stays
/// hidden without scripts, where the browser's own Print does the same.
pub fn handover_form(lang: Lang, user: &NavUser, f: &FormView) -> Markup {
    let title = "Berita Acara Serah Terima";
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Cases),
            path: "/cases",
            user: Some(user),
        },
        html! {
            nav.no-print aria-label=(tr(lang, "Langkah", "Steps")) {
                p { a href={ "/cases/" (f.number) } { "← " (tr(lang, "Kembali ke kasus ", "Back to case ")) (f.number) } }
                p {
                    button #print-button type="button" data-print hidden { (tr(lang, "Cetak berita acara", "Print the form")) }
                    " "
                    small { (tr(lang, "Atau pakai menu Cetak di peramban (Ctrl+P). Yang tercetak hanya dokumennya.", "Or use the browser's Print menu (Ctrl+P). Only the document is printed.")) }
                }
            }
            // An official document: in Bahasa Indonesia whatever the reader's language.
            article.handover-form lang="id" {
                header.letterhead {
                    p.gov { "PEMERINTAH PROVINSI JAWA TIMUR" }
                    p.agency { "Dinas Sosial Provinsi Jawa Timur" }
                }
                h1 { "Berita Acara Serah Terima" }
                p.doc-number { "Nomor: " (f.document_number) }
                p { (f.place_date) ", kami yang bertanda tangan di bawah ini:" }
                div.parties {
                    section {
                        h2 { "PIHAK PERTAMA (yang menyerahkan)" }
                        dl.facts {
                            dt { "Nama" } dd { (f.escort.as_deref().unwrap_or(BLANK)) }
                            dt { "NIP" } dd { (BLANK) }
                            dt { "Jabatan" } dd { "Petugas Dinas Sosial Provinsi Jawa Timur" }
                        }
                    }
                    section {
                        h2 { "PIHAK KEDUA (yang menerima)" }
                        dl.facts {
                            dt { "Nama" } dd { (f.receiver.as_ref().map_or(BLANK, |r| r.0.as_str())) }
                            dt { "NIP / hubungan" } dd { (f.receiver.as_ref().map_or(BLANK, |r| r.1.as_str())) }
                            dt { "Instansi" } dd { (f.plan.office) }
                        }
                    }
                }
                p { "Pihak Pertama menyerahkan kepada Pihak Kedua, dan Pihak Kedua menerima, seorang warga dengan keterangan:" }
                dl.facts {
                    dt { "Nomor kasus" } dd { (f.number) }
                    dt { "Nama" } dd { (f.name) }
                    dt { "Jenis kelamin" } dd { (f.sex) }
                    dt { "Umur" } dd { (f.age) }
                    dt { "Daerah asal" } dd { (f.home) }
                    dt { "Dokumen" } dd { @if f.documents.is_empty() { "tidak ada" } @else { (f.documents.join(", ")) } }
                    dt { "Barang bawaan" } dd { (f.belongings) }
                    @if let Some(e) = &f.plan.escort { dt { "Pendamping" } dd { (e) } }
                    dt { "Tempat serah terima" } dd { (f.plan.at) }
                    @if let Some(r) = &f.received { dt { "Diterima (konfirmasi kantor)" } dd { (r) } }
                }
                p { "Sejak serah terima ini, pendampingan warga tersebut menjadi tanggung jawab Pihak Kedua. Berita acara ini dibuat dalam rangkap dua untuk masing-masing pihak." }
                p.city-date { (f.city_date) }
                div.signatures {
                    div {
                        p { "PIHAK PERTAMA" br; "yang menyerahkan," }
                        p.sign-line {}
                        p { "NIP:" }
                    }
                    div {
                        p { "PIHAK KEDUA" br; "yang menerima," }
                        p.sign-line {}
                        p { "NIP / hubungan:" }
                    }
                }
                section.route-detail {
                    h2 { "Rincian perjalanan" }
                    (legs_table(Lang::Id, &f.plan))
                }
            }
            script src="/static/print.js" {}
        },
    )
}

pub struct LinkView {
    pub number: String,
    pub office: String,
    pub at: String,
    pub sent: String,
    /// The expected arrival, once a departure is scheduled.
    pub arrival: Option<String>,
    /// The need-to-know card and the office's answers (`receiving::person`, `answers`).
    pub card: Option<Markup>,
    pub acknowledged: Option<String>,
    pub received: Option<String>,
    pub token: String,
    pub csrf: String,
    pub expired: bool,
    /// The plan was called off (a refusal): the link does nothing any more.
    pub cancelled: bool,
    /// The person's departure is recorded: only then can they be received.
    pub departed: bool,
    /// What the office typed into the "received" form, kept when it comes back.
    pub receiver: ReceiverValues,
    /// Each refused field with its message, in the page's language.
    pub errors: Vec<(String, String)>,
    /// Why the last press was refused, when it was not about a field (e.g. no departure yet).
    pub refusal: Option<String>,
}

#[derive(Default)]
pub struct ReceiverValues {
    pub name: String,
    pub reference: String,
    pub confirmed: bool,
}

/// The "received" form's fields and their labels: the one table the fields and the error
/// summary read, so the summary names a field as the form does.
const RECEIVER_FIELDS: [(&str, Text); 3] = [
    (
        "receiver_name",
        Text::new("Nama penerima", "Received by (name)"),
    ),
    (
        "receiver_ref",
        Text::new(
            "NIP petugas, atau hubungan dengan warga",
            "Officer's NIP, or relation to the person",
        ),
    ),
    (
        "confirm",
        Text::new("Pernyataan penerimaan", "Statement of receipt"),
    ),
];

fn receiver_label(name: &str) -> Text {
    RECEIVER_FIELDS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(Text::new("Formulir", "Form"), |(_, t)| *t)
}

/// The page the receiving office opens from the email: no sign-in, no personal data.
pub fn link_page(lang: Lang, v: &LinkView) -> Markup {
    let title = tr(lang, "Serah terima warga", "Hand-over of a person");
    page(
        &Page {
            title,
            lang,
            section: None,
            path: "/",
            user: None,
        },
        html! {
            h1 { (title) " " (v.number) }
            // A called-off or expired link says so below in the page's own words.
            @if let (Some(why), false) = (&v.refusal, v.cancelled || v.expired) {
                p.error-message role="alert" { (why) }
            }
            @if v.cancelled {
                p role="alert" { (tr(lang, "Serah terima ini dibatalkan: rencana perjalanannya tidak berlaku lagi, sehingga tautan ini tidak dapat dipakai. Hubungi Dinas Sosial Provinsi Jawa Timur.", "This hand-over was called off: its transport plan no longer stands, so this link can no longer be used. Please contact the East Java provincial social office.")) }
            } @else if v.expired {
                p role="alert" { (tr(lang, "Tautan ini sudah kedaluwarsa. Hubungi Dinas Sosial Provinsi Jawa Timur.", "This link has expired. Please contact the East Java provincial social office.")) }
            } @else {
                p { (v.office) " · " (tr(lang, "tempat serah terima: ", "hand-over at: ")) (v.at) }
                p { (tr(lang, "Dikirim ", "Sent ")) (v.sent) }
                p { strong { (tr(lang, "Perkiraan tiba: ", "Expected arrival: ")) }
                    (v.arrival.as_deref().unwrap_or(tr(lang, "menunggu jadwal keberangkatan", "waiting for the departure to be scheduled"))) }
                @if let Some(card) = &v.card { (card) }
                @if let Some(r) = &v.received {
                    p role="status" { (tr(lang, "Warga sudah diterima pada ", "The person was received on ")) (r) "." }
                } @else {
                    @match &v.acknowledged {
                        Some(a) => p role="status" { (tr(lang, "Pemberitahuan sudah dikonfirmasi pada ", "Notice acknowledged on ")) (a) "." },
                        None => (confirm_button(&v.token, &v.csrf, "acknowledge", tr(lang, "Konfirmasi: pemberitahuan diterima", "Confirm: notice received"))),
                    }
                    @if v.departed {
                        @let e = v.errors.as_slice();
                        @let r = &v.receiver;
                        @let ticked_invalid = e.iter().any(|(f, _)| f == "confirm");
                        form.card method="post" action={ "/handover/" (v.token) } novalidate {
                            input type="hidden" name="csrf" value=(v.csrf);
                            input type="hidden" name="action" value="received";
                            h2 { (tr(lang, "Konfirmasi penerimaan warga", "Confirm the person was received")) }
                            @if !e.is_empty() {
                                div.error-summary role="alert" {
                                    p { (tr(lang, "Belum tersimpan. Perbaiki isian yang ditandai:", "Not saved yet. Fix the marked fields:")) }
                                    ul { @for (field, msg) in e {
                                        li { a href={ "#" (field) } { (receiver_label(field).get(lang)) } ": " (msg) }
                                    } }
                                }
                            }
                            @let name = receiver_label("receiver_name");
                            (text_field(lang, e, "receiver_name", name.id, name.en, &r.name, "text"))
                            @let reference = receiver_label("receiver_ref");
                            (text_field(lang, e, "receiver_ref", reference.id, reference.en, &r.reference, "text"))
                            div.field {
                                label.check {
                                    input #confirm type="checkbox" name="confirm" value="yes" checked[r.confirmed]
                                        aria-invalid=[ticked_invalid.then_some("true")]
                                        aria-describedby=[ticked_invalid.then_some("confirm-error")];
                                    " " (tr(lang, "Saya menyatakan warga tersebut sudah kami terima langsung.", "I state that we have received the person in person."))
                                }
                                (field_error(e, "confirm"))
                            }
                            button type="submit" { (tr(lang, "Warga sudah kami terima", "We have received the person")) }
                        }
                    } @else {
                        p { (tr(lang, "Warga belum berangkat. Penerimaan dapat dikonfirmasi setelah keberangkatannya dicatat.", "The person has not left yet. Their arrival can be confirmed once the departure is recorded.")) }
                    }
                }
            }
        },
    )
}

fn confirm_button(token: &str, csrf: &str, action: &str, label: &str) -> Markup {
    html! {
        form method="post" action={ "/handover/" (token) } {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="action" value=(action);
            button type="submit" { (label) }
        }
    }
}

pub struct OfficeRow {
    pub code: String,
    pub office: String,
    pub notices: i64,
    pub acknowledged: i64,
    pub median_hours: Option<f64>,
    pub open: i64,
    pub escalations: i64,
    pub decided_home: i64,
    pub refusals: i64,
}

/// Each receiving office's response times and refusal rate, as bars and as a table.
pub fn offices(lang: Lang, user: &NavUser, rows: &[OfficeRow]) -> Markup {
    let title = tr(
        lang,
        "Tanggapan kantor penerima",
        "Receiving offices' responses",
    );
    let longest = rows
        .iter()
        .filter_map(|r| r.median_hours)
        .fold(1.0f64, f64::max);
    let bar_h = 22.0;
    let height = bar_h * rows.len() as f64 + 10.0;
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Routing),
            path: "/routing/offices",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            p { (tr(lang, "Median jam dari pemberitahuan sampai konfirmasi, per kantor.", "Median hours from notice to acknowledgement, per office.")) }
            svg.bars role="img" aria-label=(title) viewBox={ "0 0 640 " (height) } width="100%" {
                @for (i, r) in rows.iter().enumerate() {
                    @let y = 5.0 + i as f64 * bar_h;
                    @let w = r.median_hours.map_or(0.0, |h| 300.0 * h / longest);
                    text x="0" y=(y + 15.0) font-size="13" { (r.office) }
                    rect x="270" y=(y) width=(format!("{w:.1}")) height=(bar_h - 6.0) fill="#2f6f9f" { title { (r.office) } }
                    text x=(format!("{:.1}", 276.0 + w)) y=(y + 15.0) font-size="13" {
                        (r.median_hours.map_or("–".to_string(), |h| format!("{h:.1} j")))
                    }
                }
            }
            table tabindex="0" {
                thead { tr {
                    th scope="col" { (tr(lang, "Kantor", "Office")) } th scope="col" { (tr(lang, "Pemberitahuan", "Notices")) }
                    th scope="col" { (tr(lang, "Dikonfirmasi", "Acknowledged")) } th scope="col" { (tr(lang, "Median (jam)", "Median (hours)")) }
                    th scope="col" { (tr(lang, "Menunggu", "Open")) } th scope="col" { (tr(lang, "Eskalasi", "Escalations")) }
                    th scope="col" { (tr(lang, "Penolakan", "Refusals")) }
                } }
                tbody { @for r in rows { tr {
                    td { (r.office) } td { (r.notices) } td { (r.acknowledged) }
                    td { (r.median_hours.map_or("–".to_string(), |h| format!("{h:.1}"))) } td { (r.open) } td { (r.escalations) }
                    td { (r.refusals) " / " (r.decided_home)
                         @if r.decided_home > 0 { " (" (format!("{:.0}", 100.0 * r.refusals as f64 / r.decided_home as f64)) "%)" } }
                } } }
            }
        },
    )
}
