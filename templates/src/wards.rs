//! One ward's administration page: its bed count, temporary closures, admission rules and
//! the history of every change (who, when, why).
use maud::{html, Markup};

use crate::i18n::{tr, Lang};
use crate::layout::{page, NavUser, Page, Section};

pub struct ClosureRow {
    pub id: i64,
    /// "01-01-2027 – 31-01-2027" or "01-01-2027 – (belum ditentukan)".
    pub period: String,
    pub reason: String,
    pub note: String,
    /// "berlangsung", "akan datang" or "selesai", in the page's language.
    pub status: String,
    /// Whether it can still be ended (in force or ahead).
    pub open: bool,
    /// Not begun yet: ending it calls it off.
    pub ahead: bool,
}

pub struct ChangeRow {
    pub when: String,
    pub valid_from: String,
    pub what: String,
    pub before: String,
    pub after: String,
    pub who: String,
    pub why: String,
}

/// A need for the rules' check boxes: code (the form value), label, and whether ticked.
pub struct NeedBox {
    pub code: String,
    pub label: String,
    pub accepted: bool,
    pub refused: bool,
}

/// The forms' values as typed (kept on an error).
#[derive(Default, Clone)]
pub struct WardForms {
    pub beds: String,
    pub beds_reason: String,
    pub starts_on: String,
    pub ends_on: String,
    pub closure_reason: String,
    pub closure_note: String,
    pub sex: String,
    pub min_age: String,
    pub max_age: String,
    pub rules_reason: String,
    /// The needs ticked, when the form comes back (None: the stored rules').
    pub needs_accepted: Option<Vec<String>>,
    pub needs_refused: Option<Vec<String>>,
}

pub struct WardAdminView {
    pub id: i64,
    pub upt_code: String,
    pub upt_name: String,
    pub name: String,
    pub need: String,
    pub beds: i32,
    pub beds_estimated: bool,
    pub occupied: i32,
    pub held: i32,
    /// The closure in force now, in words.
    pub closed_now: Option<String>,
    pub closures: Vec<ClosureRow>,
    pub history: Vec<ChangeRow>,
    pub needs: Vec<NeedBox>,
    /// (code, label) of the closure reasons and of the sexes a ward may take.
    pub reasons: Vec<(&'static str, &'static str)>,
    pub sexes: Vec<(&'static str, &'static str)>,
    pub forms: WardForms,
    /// (field, message) beside each field.
    pub errors: Vec<(String, String)>,
    pub notice: Option<&'static str>,
    pub today: String,
    pub generated: String,
}

fn error_for<'a>(errors: &'a [(String, String)], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
}

fn field_error(errors: &[(String, String)], field: &str) -> Markup {
    html! { @if let Some(m) = error_for(errors, field) { span.field-error role="alert" id={ (field) "-error" } { (m) } } }
}

pub fn ward_admin_page(lang: Lang, user: &NavUser, v: &WardAdminView) -> Markup {
    let e = |f: &str| error_for(&v.errors, f).map(|_| "true");
    let f = &v.forms;
    let title = format!("{} · {}", v.name, v.upt_name);
    page(
        &Page {
            title: &title,
            lang,
            section: Some(Section::Capacity),
            path: &format!("/capacity/wards/{}", v.id),
            user: Some(user),
        },
        html! {
            p { a href={ "/capacity/upt/" (v.upt_code) } { "← " (v.upt_name) } }
            h1 { (tr(lang, "Atur bangsal: ", "Manage ward: ")) (v.name) }
            p.updated { (tr(lang, "Angka per ", "Figures as of ")) (v.generated) }
            @if let Some(n) = v.notice { p.notice role="status" { (n) } }
            @if !v.errors.is_empty() {
                div.error-summary role="alert" {
                    p.error-message { (tr(lang, "Perubahan belum disimpan: periksa isian berikut.", "Nothing was saved: check these fields.")) }
                    ul { @for (field, message) in &v.errors { li { a href={ "#" (field) } { (message) } } } }
                }
            }
            p.summary {
                (v.need) " · " strong { (v.beds) } " " (tr(lang, "tempat tidur", "beds"))
                @if v.beds_estimated { " (" (tr(lang, "masih perkiraan", "still an estimate")) ")" }
                " · " (v.occupied) " " (tr(lang, "terisi", "occupied")) " · " (v.held) " " (tr(lang, "ditahan", "held"))
            }
            @if let Some(c) = &v.closed_now { p.closed-now role="status" { strong { (c) } } }

            h2 id="beds-heading" { (tr(lang, "Jumlah tempat tidur", "Bed count")) }
            form.card method="post" action={ "/capacity/wards/" (v.id) "/beds" } aria-labelledby="beds-heading" {
                input type="hidden" name="csrf" value=(user.csrf);
                label for="beds" { (tr(lang, "Tempat tidur yang bisa dipakai mulai hari ini", "Usable beds from today")) }
                input #beds name="beds" type="number" inputmode="numeric" min="0" max="2000" required value=(f.beds)
                    aria-invalid=[e("beds")] aria-describedby="beds-hint";
                p.hint #beds-hint {
                    (tr(lang, "Paling sedikit ", "At least ")) (v.occupied + v.held)
                    (tr(lang, " (orang yang menempati dan tempat tidur yang ditahan).", " (people staying and beds held)."))
                }
                (field_error(&v.errors, "beds"))
                label for="beds_reason" { (tr(lang, "Alasan", "Reason")) }
                input #beds_reason name="reason" required value=(f.beds_reason) aria-invalid=[e("beds_reason")]
                    placeholder=(tr(lang, "misalnya: dihitung ulang 7 Desember", "e.g. counted again on 7 December"));
                (field_error(&v.errors, "beds_reason"))
                button type="submit" { (tr(lang, "Simpan jumlah tempat tidur", "Save the bed count")) }
            }

            h2 id="closure-heading" { (tr(lang, "Penutupan sementara", "Temporary closures")) }
            p.hint { (tr(lang, "Selama ditutup, bangsal tidak ditawarkan dan tidak menerima penempatan; prakiraan menghitung tempat tidurnya hilang pada tanggal itu.",
                         "While closed the ward is not offered and takes no placement; the forecast counts its beds as gone on those days.")) }
            @if v.closures.is_empty() {
                p.muted { (tr(lang, "Belum pernah ditutup.", "Never closed.")) }
            } @else {
                table.closures tabindex="0" {
                    thead { tr {
                        th scope="col" { (tr(lang, "Tanggal", "Dates")) } th scope="col" { (tr(lang, "Alasan", "Reason")) }
                        th scope="col" { (tr(lang, "Keadaan", "Status")) } th {}
                    } }
                    tbody {
                        @for c in &v.closures {
                            tr {
                                td { (c.period) }
                                td { (c.reason) @if !c.note.is_empty() { br; span.muted { (c.note) } } }
                                td { (c.status) }
                                td {
                                    @if c.open {
                                        form.inline method="post" action={ "/capacity/closures/" (c.id) "/end" } {
                                            input type="hidden" name="csrf" value=(user.csrf);
                                            button.secondary type="submit" {
                                                @if c.ahead { (tr(lang, "Batalkan penutupan", "Call off")) }
                                                @else { (tr(lang, "Buka kembali sekarang", "Reopen now")) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            form.card method="post" action={ "/capacity/wards/" (v.id) "/closures" } aria-labelledby="closure-heading" {
                input type="hidden" name="csrf" value=(user.csrf);
                h3 { (tr(lang, "Catat penutupan", "Record a closure")) }
                label for="starts_on" { (tr(lang, "Ditutup mulai tanggal", "Closed from")) }
                input #starts_on name="starts_on" type="date" min=(v.today) required value=(f.starts_on) aria-invalid=[e("starts_on")];
                (field_error(&v.errors, "starts_on"))
                label for="ends_on" { (tr(lang, "Sampai dengan tanggal (kosongkan bila belum tahu)", "To (leave empty if not known yet)")) }
                input #ends_on name="ends_on" type="date" min=(v.today) value=(f.ends_on) aria-invalid=[e("ends_on")];
                (field_error(&v.errors, "ends_on"))
                label for="closure_reason" { (tr(lang, "Alasan", "Reason")) }
                select #closure_reason name="reason" aria-invalid=[e("closure_reason")] {
                    option value="" { (tr(lang, "— pilih —", "— choose —")) }
                    @for (code, label) in &v.reasons {
                        option value=(code) selected[f.closure_reason == *code] { (label) }
                    }
                }
                (field_error(&v.errors, "closure_reason"))
                label for="closure_note" { (tr(lang, "Keterangan (boleh kosong)", "Note (optional)")) }
                input #closure_note name="note" value=(f.closure_note);
                button type="submit" { (tr(lang, "Tutup bangsal", "Close the ward")) }
            }

            h2 id="rules-heading" { (tr(lang, "Aturan penerimaan", "Admission rules")) }
            p.hint { (tr(lang, "Orang yang tidak memenuhi aturan ini tidak ditawari bangsal ini dan tidak bisa ditempatkan di sini. Penghuni yang sudah ada tetap tinggal.",
                         "People these rules exclude are not offered this ward and cannot be placed here. Residents already here stay.")) }
            form.card.rules method="post" action={ "/capacity/wards/" (v.id) "/rules" } aria-labelledby="rules-heading" {
                input type="hidden" name="csrf" value=(user.csrf);
                label for="sex" { (tr(lang, "Menerima", "Takes")) }
                select #sex name="sex" aria-invalid=[e("sex")] {
                    @for (code, label) in &v.sexes { option value=(code) selected[f.sex == *code] { (label) } }
                }
                (field_error(&v.errors, "sex"))
                div.row {
                    div {
                        label for="min_age" { (tr(lang, "Usia terendah (tahun)", "Lowest age (years)")) }
                        input #min_age name="min_age" type="number" inputmode="numeric" min="0" max="130" value=(f.min_age) aria-invalid=[e("min_age")];
                        (field_error(&v.errors, "min_age"))
                    }
                    div {
                        label for="max_age" { (tr(lang, "Usia tertinggi (tahun)", "Highest age (years)")) }
                        input #max_age name="max_age" type="number" inputmode="numeric" min="0" max="130" value=(f.max_age) aria-invalid=[e("max_age")];
                        (field_error(&v.errors, "max_age"))
                    }
                }
                p.hint { (tr(lang, "Kosongkan usia bila tidak dibatasi.", "Leave an age empty for no limit.")) }
                fieldset.field #needs_accepted {
                    legend { (tr(lang, "Juga menerima kebutuhan", "Also takes the needs")) }
                    @for n in &v.needs {
                        label.block { input type="checkbox" name="needs_accepted" value=(n.code) checked[n.accepted]; " " (n.label) }
                    }
                    (field_error(&v.errors, "needs_accepted"))
                }
                fieldset.field #needs_refused {
                    legend { (tr(lang, "Tidak menerima kebutuhan", "Refuses the needs")) }
                    @for n in &v.needs {
                        label.block { input type="checkbox" name="needs_refused" value=(n.code) checked[n.refused]; " " (n.label) }
                    }
                    (field_error(&v.errors, "needs_refused"))
                }
                label for="rules_reason" { (tr(lang, "Alasan", "Reason")) }
                input #rules_reason name="reason" required value=(f.rules_reason) aria-invalid=[e("rules_reason")];
                (field_error(&v.errors, "rules_reason"))
                button type="submit" { (tr(lang, "Simpan aturan", "Save the rules")) }
            }

            h2 { (tr(lang, "Riwayat perubahan", "History of changes")) }
            @if v.history.is_empty() {
                p.muted { (tr(lang, "Belum ada perubahan yang dicatat di aplikasi.", "No change recorded in the app yet.")) }
            } @else {
                table.history tabindex="0" {
                    thead { tr {
                        th scope="col" { (tr(lang, "Waktu", "When")) } th scope="col" { (tr(lang, "Berlaku mulai", "In force from")) }
                        th scope="col" { (tr(lang, "Perubahan", "Change")) } th scope="col" { (tr(lang, "Sebelum", "Before")) }
                        th scope="col" { (tr(lang, "Sesudah", "After")) } th scope="col" { (tr(lang, "Oleh", "By")) }
                        th scope="col" { (tr(lang, "Alasan", "Reason")) }
                    } }
                    tbody {
                        @for h in &v.history {
                            tr { td { (h.when) } td { (h.valid_from) } td { (h.what) } td { (h.before) } td { (h.after) } td { (h.who) } td { (h.why) } }
                        }
                    }
                }
            }
        },
    )
}
