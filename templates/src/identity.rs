//! DP3AK's desk (recording a check result) and the review queue of uncertain links.
use maud::{html, Markup};

use crate::i18n::{tr, Lang, Text};
use crate::layout::{page, NavUser, Page, Section};

/// The form's values as typed, kept when it comes back with errors.
#[derive(Default)]
pub struct CheckForm {
    pub key: String,
    pub case_number: String,
    pub method: String,
    pub outcome: String,
    pub score: String,
    pub nik: String,
    pub name: String,
    pub birth_date: String,
    pub birth_place: String,
    pub sex: String,
    pub address: String,
    /// The village as typed (its name, district, regency): searched by name, never a code.
    pub village: String,
    /// The village picked from the choices (its code, sent back hidden).
    pub village_code: String,
    /// The picked village's name, shown beside the field.
    pub village_name: String,
    /// Villages matching what was typed, as (code, "Desa X, Kec. Y, Kabupaten Z"), for the
    /// officer to pick one; empty when no search was asked for.
    pub village_choices: Vec<(String, String)>,
    pub kk_number: String,
    pub mother_name: String,
}

pub fn check_form(
    lang: Lang,
    user: &NavUser,
    f: &CheckForm,
    errors: &[(String, String)],
) -> Markup {
    let title = tr(lang, "Hasil pemeriksaan identitas", "Identity check result");
    // The form-error rule: one path per input (the same the validator names), used by
    // every input, so each error is shown beside its field; an error no input claims is
    // listed in the summary instead of being lost.
    const FIELDS: [&str; 13] = [
        "case_number",
        "method",
        "outcome",
        "score",
        "nik",
        "name",
        "birth_date",
        "birth_place",
        "sex",
        "address",
        "village_code",
        "kk_number",
        "mother_name",
    ];
    fn path_of(name: &str) -> String {
        match name {
            "case_number" | "method" | "outcome" | "score" => name.to_string(),
            _ => format!("identity.{name}"),
        }
    }
    let err = |name: &str| {
        let path = path_of(name);
        errors
            .iter()
            .find(|(f, _)| *f == path)
            .map(|(_, m)| m.clone())
    };
    let unclaimed: Vec<&(String, String)> = errors
        .iter()
        .filter(|(f, _)| !FIELDS.iter().any(|n| path_of(n) == *f))
        .collect();
    let field = |name: &'static str, label: &'static str, value: &str, kind: &'static str| {
        let e = err(name);
        html! {
            div.field {
                label for=(name) { (label) }
                input id=(name) name=(name) type=(kind) value=(value) aria-invalid=[e.as_ref().map(|_| "true")];
                @if let Some(m) = e { p.field-error role="alert" { (m) } }
            }
        }
    };
    let choice = |name: &'static str,
                  label: &'static str,
                  value: &str,
                  options: &[(&'static str, &'static str)]| {
        let e = err(name);
        html! {
            div.field {
                label for=(name) { (label) }
                select id=(name) name=(name) aria-invalid=[e.as_ref().map(|_| "true")] {
                    @for (v, l) in options { option value=(v) selected[*v == value] { (l) } }
                }
                @if let Some(m) = e { p.field-error role="alert" { (m) } }
            }
        }
    };
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Identity),
            path: "/identity/checks/new",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            @if !errors.is_empty() {
                p.error-message role="alert" { (tr(lang, "Periksa kembali isian yang ditandai.", "Please check the marked fields.")) }
                @if !unclaimed.is_empty() {
                    ul.field-errors { @for (_, m) in &unclaimed { li { (m) } } }
                }
            }
            form.card method="post" action="/identity/checks" novalidate {
                input type="hidden" name="csrf" value=(user.csrf);
                input type="hidden" name="key" value=(f.key);
                (field("case_number", tr(lang, "Nomor kasus", "Case number"), &f.case_number, "text"))
                (choice("method", tr(lang, "Metode", "Method"), &f.method, &[
                    ("fingerprint", tr(lang, "Sidik jari", "Fingerprint")), ("face", tr(lang, "Wajah", "Face")), ("iris", "Iris")]))
                (choice("outcome", tr(lang, "Hasil", "Outcome"), &f.outcome, &[
                    ("", tr(lang, "— pilih hasil —", "— choose the outcome —")),
                    ("matched", tr(lang, "Cocok dengan data Dukcapil", "Matched")),
                    ("no_match", tr(lang, "Tidak cocok", "No match")),
                    ("not_enrolled", tr(lang, "Kemungkinan belum pernah rekam e-KTP", "Likely never enrolled")),
                    ("low_quality", tr(lang, "Kualitas rekaman rendah (ulangi)", "Capture quality too low (retry)")),
                    ("device_failure", tr(lang, "Alat atau jaringan gagal (dicoba lagi)", "Device or network failure (retried)")),
                    ("pending", tr(lang, "Masih menunggu", "Pending"))]))
                (field("score", tr(lang, "Skor biometrik (0–100)", "Biometric score (0–100)"), &f.score, "text"))
                fieldset {
                    legend { (tr(lang, "Identitas dari Dukcapil (bila cocok)", "Registry identity (when matched)")) }
                    (field("nik", "NIK", &f.nik, "text"))
                    (field("name", tr(lang, "Nama", "Name"), &f.name, "text"))
                    (field("birth_date", tr(lang, "Tanggal lahir", "Birth date"), &f.birth_date, "date"))
                    (field("birth_place", tr(lang, "Tempat lahir", "Birth place"), &f.birth_place, "text"))
                    (choice("sex", tr(lang, "Jenis kelamin", "Sex"), &f.sex, &[
                        ("", "–"), ("male", tr(lang, "Laki-laki", "Male")), ("female", tr(lang, "Perempuan", "Female"))]))
                    (field("address", tr(lang, "Alamat", "Address"), &f.address, "text"))
                    (village(lang, f, err("village_code")))
                    (field("kk_number", tr(lang, "Nomor KK", "Family card number"), &f.kk_number, "text"))
                    (field("mother_name", tr(lang, "Nama ibu kandung", "Mother's name"), &f.mother_name, "text"))
                }
                button type="submit" { (tr(lang, "Simpan hasil", "Save the result")) }
            }
        },
    )
}

/// The choice "none of these villages": the typed name stays in the address.
pub const NO_VILLAGE: &str = "-";

/// The registry's village, found by its name: the typed words, a search button, the
/// matching villages to pick from (or "none of these"), and the one picked.
fn village(lang: Lang, f: &CheckForm, error: Option<String>) -> Markup {
    html! {
        div.field {
            label for="village" { (tr(lang, "Desa/kelurahan (nama, kecamatan, kab/kota)", "Village (name, district, regency)")) }
            input id="village" name="village" type="text" value=(f.village)
                aria-describedby="village-hint" aria-invalid=[error.as_ref().map(|_| "true")];
            p.hint id="village-hint" { (tr(lang, "Ketik nama desa seperti tertulis di data Dukcapil, lalu cari dan pilih dari daftar.", "Type the village's name as the registry gives it, then search and pick it from the list.")) }
            button.secondary type="submit" name="suggest" value="1" formnovalidate { (tr(lang, "Cari desa yang cocok", "Find matching villages")) }
            @if let Some(m) = &error { p.field-error role="alert" { (m) } }
        }
        @if !f.village_choices.is_empty() {
            fieldset.field.village-choices {
                legend { (tr(lang, "Pilih desa/kelurahan", "Pick the village")) }
                @for (code, label) in &f.village_choices {
                    label.inline.block {
                        input type="radio" name="village_code" value=(code) checked[f.village_code == *code];
                        " " (label)
                    }
                }
                label.inline.block {
                    input type="radio" name="village_code" value=(NO_VILLAGE) checked[f.village_code == NO_VILLAGE];
                    " " (tr(lang, "tidak ada yang cocok (nama desa tetap dicatat di alamat)", "none of these (the name stays in the address)"))
                }
            }
        } @else {
            input type="hidden" name="village_code" value=(f.village_code);
            @if !f.village_name.is_empty() {
                p.picked { (tr(lang, "Terpilih: ", "Picked: ")) strong { (f.village_name) } }
            }
        }
    }
}

pub struct ContributionRow {
    pub field: Text,
    pub weight: f64,
    pub note: String,
}

pub struct CandidateView {
    pub id: i64,
    pub case_number: String,
    pub probability: f64,
    pub contributions: Vec<ContributionRow>,
    /// What the other record is: a DP3AK check, or an earlier intake (with its case).
    pub other_label: String,
    /// (label, intake's value, check's value)
    pub fields: Vec<(&'static str, String, String)>,
    /// Photo addresses of the intake and of the other record (an earlier intake's).
    pub photos: (Vec<String>, Vec<String>),
}

/// A check to repeat: (case number, method, outcome, due).
pub struct RetryRow {
    pub case_number: String,
    pub method: String,
    pub outcome: String,
    pub due: String,
}

/// A decision the reviewer made lately, offered for undoing.
pub struct RecentDecision {
    pub link_id: i64,
    pub case_number: String,
    /// What was decided, in words ("orang yang sama").
    pub decision: String,
    pub at: String,
}

pub fn review(
    lang: Lang,
    user: &NavUser,
    rows: &[CandidateView],
    retries: &[RetryRow],
    recent: &[RecentDecision],
    done: Option<&str>,
) -> Markup {
    let title = tr(lang, "Antrean tinjauan kecocokan", "Link review queue");
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Identity),
            path: "/identity/review",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            @if let Some(done) = done {
                p.notice role="status" { (done) }
            }
            @if !recent.is_empty() {
                section.card.recent-decisions {
                    h2 { (tr(lang, "Keputusan terakhir Anda", "Your latest decisions")) }
                    p.hint { (tr(lang, "Salah pilih? Urungkan: usulan kembali ke antrean, dan identitas yang sudah dipasang pada kasus dilepas lagi.",
                                  "Chose wrongly? Undo: the suggestion goes back to the queue, and an identity already given to the case is taken off again.")) }
                    ul {
                        @for d in recent {
                            li {
                                form method="post" action={ "/identity/links/" (d.link_id) } {
                                    input type="hidden" name="csrf" value=(user.csrf);
                                    span { a href={ "/cases/" (d.case_number) } { (d.case_number) } " — " strong { (d.decision) } " · " (d.at) " " }
                                    button.secondary name="decision" value="undo" type="submit" { "↶ " (tr(lang, "Urungkan", "Undo")) }
                                }
                            }
                        }
                    }
                }
            }
            p { a href="/identity/checks/new" { (tr(lang, "Catat hasil pemeriksaan baru", "Record a new check result")) } }
            @if !retries.is_empty() {
                section.card {
                    h2 { (tr(lang, "Pemeriksaan yang perlu diulang", "Checks to repeat")) }
                    table tabindex="0" {
                        thead { tr { th { (tr(lang, "Kasus", "Case")) } th { (tr(lang, "Metode", "Method")) }
                                     th { (tr(lang, "Hasil terakhir", "Last outcome")) } th { (tr(lang, "Jadwal ulang", "Due")) } } }
                        tbody { @for r in retries { tr {
                            td { a href={ "/cases/" (r.case_number) } { (r.case_number) } }
                            td { (r.method) } td { (r.outcome) } td { (r.due) }
                        } } }
                    }
                }
            }
            @if rows.is_empty() {
                p { (tr(lang, "Tidak ada kecocokan yang menunggu tinjauan.", "No links are waiting for review.")) }
            } @else {
                p.queue-count role="status" {
                    strong { (rows.len()) } " " (tr(lang, "kecocokan menunggu tinjauan. Bandingkan foto dan data, lalu putuskan.",
                                                     "links wait for review. Compare the photos and the records, then decide."))
                }
            }
            @for r in rows {
                section.card.candidate {
                    h2 { a href={ "/cases/" (r.case_number) } { (r.case_number) } " · "
                         (tr(lang, "peluang", "probability")) " " (format!("{:.0}%", r.probability * 100.0)) }
                    @if !r.photos.0.is_empty() || !r.photos.1.is_empty() {
                        div.compare-photos {
                            @for (side, urls) in [(tr(lang, "Intake ini", "This intake"), &r.photos.0), (r.other_label.as_str(), &r.photos.1)] {
                                figure {
                                    @if urls.is_empty() { p.muted { (tr(lang, "Tanpa foto", "No photo")) } }
                                    @for u in urls.iter().take(2) { img src=(u) alt=(side) loading="lazy"; }
                                    figcaption { (side) }
                                }
                            }
                        }
                    }
                    table tabindex="0" {
                        thead { tr { th { } th { (tr(lang, "Intake", "Intake")) } th { (r.other_label) } } }
                        tbody { @for (label, a, b) in &r.fields { tr { th scope="row" { (label) } td { (a) } td { (b) } } } }
                    }
                    @if !r.contributions.is_empty() {
                        h3 { (tr(lang, "Bukti", "Evidence")) }
                        ul.contributions {
                            @for c in &r.contributions {
                                li.for[c.weight >= 0.0].against[c.weight < 0.0] {
                                    strong { (c.field.get(lang)) } " " (format!("{:+.1}", c.weight)) " — " (c.note)
                                }
                            }
                        }
                    }
                    // Three different answers, three different looks: the common one filled,
                    // "not sure" outlined, the final one red and apart.
                    form.decisions method="post" action={ "/identity/links/" (r.id) } {
                        input type="hidden" name="csrf" value=(user.csrf);
                        div {
                            button.accept name="decision" value="accept" type="submit" { "✓ " (tr(lang, "Orang yang sama", "Same person")) }
                            p.hint { (tr(lang, "Kasus mendapat identitas ini dan lanjut ke pemulangan.", "The case gets this identity and moves on to going home.")) }
                        }
                        div {
                            button.secondary name="decision" value="reject" type="submit" { (tr(lang, "Belum yakin — tolak usulan ini", "Not sure — reject this suggestion")) }
                            p.hint { (tr(lang, "Kasus tidak berubah; usulan ini keluar dari antrean.", "The case does not change; this suggestion leaves the queue.")) }
                        }
                        div.apart {
                            button.danger name="decision" value="distinct" type="submit" { "✕ " (tr(lang, "Pasti orang berbeda (tidak diusulkan lagi)", "Certainly different people (never suggested again)")) }
                            p.hint { (tr(lang, "Pasangan ini tidak akan diusulkan lagi.", "This pair will not be suggested again.")) }
                        }
                    }
                }
            }
        },
    )
}
