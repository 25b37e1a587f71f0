//! Tasks for a regency office: the follow-up visits after a hand-over and the family
//! tracing of an unidentified resident. The office's list, one task with its outcome
//! form, the case page's panel, and the form that gives a tracing task.
use maud::{html, Markup};

use crate::i18n::{tr, Lang, Text};
use crate::intake::{field_error, text_field};
use crate::layout::{page, NavUser, Page, Section};

/// One task in a list.
pub struct Row {
    pub href: String,
    pub kind: String,
    pub number: String,
    pub who: String,
    /// "31-12-2026".
    pub due: String,
    pub overdue: bool,
    /// The outcome's label, or what waits.
    pub status: String,
    pub answered: bool,
}

fn due_line(lang: Lang, r: &Row) -> Markup {
    html! {
        @if r.overdue {
            span.badge.risk-critical { (tr(lang, "Terlambat", "Overdue")) } " "
        }
        (tr(lang, "Batas waktu: ", "Due: ")) (r.due)
    }
}

pub fn list(lang: Lang, user: &NavUser, rows: &[Row], done: Option<&str>) -> Markup {
    let title = tr(lang, "Tugas kantor Anda", "Your office's tasks");
    let open: Vec<&Row> = rows.iter().filter(|r| !r.answered).collect();
    let answered: Vec<&Row> = rows.iter().filter(|r| r.answered).collect();
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Tasks),
            path: "/tasks",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            @if let Some(d) = done { p.notice role="status" { (d) } }
            p { (tr(lang,
                "Kunjungan lanjutan 30 dan 90 hari setelah serah terima, dan penelusuran keluarga warga UPT yang belum dikenal. Buka tugas, kunjungi atau hubungi, lalu catat hasilnya.",
                "Follow-up visits 30 and 90 days after a hand-over, and tracing the family of unidentified UPT residents. Open a task, visit or call, then record the outcome.")) }
            h2 { (tr(lang, "Perlu dikerjakan", "To do")) " (" (open.len()) ")" }
            @if open.is_empty() {
                p { (tr(lang, "Tidak ada tugas yang menunggu.", "No task is waiting.")) }
            } @else {
                ul.cards {
                    @for r in &open {
                        li.card {
                            a href=(r.href) { strong { (r.kind) } }
                            p { (r.who) " · " small { (r.number) } }
                            p { (due_line(lang, r)) }
                        }
                    }
                }
            }
            @if !answered.is_empty() {
                h2 { (tr(lang, "Sudah dicatat (90 hari terakhir)", "Recorded (last 90 days)")) }
                ul.cards {
                    @for r in &answered {
                        li.card {
                            a href=(r.href) { strong { (r.kind) } }
                            p { (r.who) " · " small { (r.number) } }
                            p { (r.status) }
                        }
                    }
                }
            }
        },
    )
}

/// One task as its page shows it.
pub struct TaskView {
    pub id: i64,
    pub kind: String,
    pub number: String,
    pub is_tracing: bool,
    /// About the person: (label, value).
    pub person: Vec<(&'static str, String)>,
    /// What is known (tracing), and who gave the task.
    pub known: String,
    pub given: String,
    /// The TKSK who traces, if one does: "Name · phone · Kec. X".
    pub tksk: Option<String>,
    pub due: String,
    pub overdue: bool,
    /// The recorded outcome: lines, and what to do next.
    pub answered: Option<Vec<String>>,
    pub next_step: Option<String>,
    /// The outcomes to choose from (code, label).
    pub choices: Vec<(&'static str, Text)>,
    /// Today (YYYY-MM-DD): the contact date's latest.
    pub today: String,
    /// The nightly re-match's new candidates, for those who review links.
    pub rematch: Vec<String>,
    pub csrf: String,
}

/// What a refused outcome brings back: errors by field, what was typed, the villages
/// to choose from.
#[derive(Default)]
pub struct Kept {
    pub errors: Vec<(String, String)>,
    pub outcome: String,
    pub contacted_on: String,
    pub note: String,
    pub family_address: String,
    pub family_village: String,
    pub villages: Vec<(String, String)>,
    pub done: Option<String>,
}

pub fn task_page(lang: Lang, user: &NavUser, t: &TaskView, k: &Kept) -> Markup {
    let path = format!("/tasks/{}", t.id);
    page(
        &Page {
            title: &t.kind,
            lang,
            section: Some(Section::Tasks),
            path: &path,
            user: Some(user),
        },
        html! {
            p { a href="/tasks" { "← " (tr(lang, "Semua tugas", "All tasks")) } }
            h1 { (t.kind) }
            @if let Some(d) = &k.done { p.notice role="status" { (d) } }
            @if !k.errors.is_empty() {
                div.error-summary role="alert" {
                    p { strong { (tr(lang, "Hasil belum tersimpan. Perbaiki yang ditandai:", "The outcome was not saved. Fix what is marked:")) } }
                    (problems(&k.errors))
                }
            }
            p {
                @if t.overdue && t.answered.is_none() { span.badge.risk-critical { (tr(lang, "Terlambat", "Overdue")) } " " }
                (tr(lang, "Batas waktu: ", "Due: ")) (t.due)
            }
            @if let Some(lines) = &t.answered {
                section.card {
                    h2 { (tr(lang, "Hasil yang dicatat", "Recorded outcome")) }
                    @for l in lines { p { (l) } }
                    @if let Some(n) = &t.next_step { p.flags { strong { (tr(lang, "Langkah berikutnya: ", "Next step: ")) } (n) } }
                }
            } @else {
                p { (if t.is_tracing {
                        tr(lang, "Telusuri keluarga orang ini dari yang sudah diketahui, lalu catat hasilnya pada formulir di bawah.", "Trace this person's family from what is known, then record the outcome in the form below.")
                    } else {
                        tr(lang, "Kunjungi atau hubungi orang ini, lalu catat keadaannya pada formulir di bawah.", "Visit or call this person, then record how they are in the form below.")
                    })
                    " " a href="#record" { (tr(lang, "Catat hasil ↓", "Record the outcome ↓")) } }
            }
            section.card {
                h2 { (tr(lang, "Tentang orangnya", "About the person")) }
                dl.facts {
                    dt { (tr(lang, "Nomor kasus", "Case number")) } dd { (t.number) }
                    @for (label, value) in &t.person { dt { (label) } dd { (value) } }
                }
                @if !t.known.is_empty() {
                    h3 { (tr(lang, "Yang sudah diketahui", "What is known")) }
                    p.known { (t.known) }
                }
                @if let Some(tksk) = &t.tksk {
                    p { strong { (tr(lang, "TKSK yang menelusuri: ", "TKSK tracing: ")) } (tksk) }
                }
                p { small { (t.given) } }
            }
            @if !t.rematch.is_empty() {
                section.flags {
                    p { strong { (tr(lang, "Kecocokan baru dari pencocokan malam: ", "New matches from the nightly re-match: ")) } }
                    ul { @for m in &t.rematch { li { (m) } } }
                    p { a href="/identity/review" { (tr(lang, "Periksa di antrean peninjauan", "Review them in the queue")) } }
                }
            }
            @if t.answered.is_none() { (outcome_form(lang, t, k)) }
        },
    )
}

fn outcome_form(lang: Lang, t: &TaskView, k: &Kept) -> Markup {
    let e = &k.errors;
    let invalid = |f: &str| e.iter().any(|(x, _)| x == f);
    html! {
        form.card #record method="post" action={ "/tasks/" (t.id) } novalidate {
            input type="hidden" name="csrf" value=(t.csrf);
            h2 { (tr(lang, "Catat hasil", "Record the outcome")) }
            fieldset.field #outcome aria-invalid=[invalid("outcome").then_some("true")] aria-describedby=[invalid("outcome").then_some("outcome-error")] {
                legend { (if t.is_tracing { tr(lang, "Hasil penelusuran", "Tracing outcome") } else { tr(lang, "Keadaan orangnya sekarang", "How the person is now") })
                    " " span.required { (tr(lang, "(wajib)", "(required)")) } }
                @for (code, label) in &t.choices {
                    label.inline {
                        input type="radio" name="outcome" value=(code) checked[k.outcome == *code];
                        " " (label.get(lang))
                    }
                }
                (field_error(e, "outcome"))
            }
            div.field {
                label for="contacted_on" { (tr(lang, "Tanggal kunjungan atau kontak", "Date visited or contacted")) " " span.required { (tr(lang, "(wajib)", "(required)")) } }
                input id="contacted_on" name="contacted_on" type="date" max=(t.today) value=(k.contacted_on)
                    aria-invalid=[invalid("contacted_on").then_some("true")] aria-describedby=[invalid("contacted_on").then_some("contacted_on-error")];
                (field_error(e, "contacted_on"))
            }
            @if t.is_tracing {
                fieldset.field {
                    legend { (tr(lang, "Bila keluarga ditemukan", "If the family was found")) }
                    (text_field(lang, e, "family_address", "Alamat keluarga (jalan, RT/RW, dusun)", "Family's address (street, neighbourhood, hamlet)", &k.family_address, "text"))
                    @if k.villages.is_empty() {
                        (text_field(lang, e, "family_village", "Desa/kelurahan dan kecamatan keluarga", "Family's village and subdistrict", &k.family_village, "text"))
                    } @else {
                        input type="hidden" name="family_village" value=(k.family_village);
                        fieldset.field #family_village aria-describedby="family_village-error" {
                            legend { (tr(lang, "Pilih desa keluarga", "Choose the family's village")) }
                            @for (code, label) in &k.villages {
                                label.inline { input type="radio" name="family_village_code" value=(code); " " (label) }
                            }
                            (field_error(e, "family_village"))
                        }
                    }
                }
            }
            div.field {
                label for="note" { (tr(lang, "Catatan (apa yang dilihat atau dikatakan)", "Note (what was seen or said)")) }
                textarea id="note" name="note" rows="3"
                    aria-invalid=[invalid("note").then_some("true")] aria-describedby=[invalid("note").then_some("note-error")] { (k.note) }
                (field_error(e, "note"))
            }
            button type="submit" { (tr(lang, "Simpan hasil", "Save the outcome")) }
        }
    }
}

/// Each problem of a refused form, linked to its field.
fn problems(errors: &[(String, String)]) -> Markup {
    html! {
        ul { @for (field, message) in errors { li { a href={ "#" (field) } { (message) } } } }
    }
}

/// The tasks of a case on its page.
pub struct CasePanel {
    /// "Kunjungan lanjutan 30 hari · Dinsos Kabupaten Banyuwangi · batas 07-01-2027": then
    /// the outcome or what waits.
    pub tasks: Vec<(String, String, bool)>,
    /// The re-match's new candidates (for those who review links).
    pub rematch: Vec<String>,
    /// The viewer may give a tracing task now (an unidentified resident).
    pub may_trace: bool,
}

pub fn case_panel(lang: Lang, number: &str, p: &CasePanel) -> Markup {
    html! {
        @if !p.tasks.is_empty() || p.may_trace {
            section #tasks role="region" aria-labelledby="tasks-title" {
                h2 #tasks-title { (tr(lang, "Tugas lanjutan", "Follow-up tasks")) }
                @if !p.tasks.is_empty() {
                    ul {
                        @for (what, status, overdue) in &p.tasks {
                            li {
                                (what) @if *overdue { " " span.badge.risk-critical { (tr(lang, "Terlambat", "Overdue")) } }
                                br; small { (status) }
                            }
                        }
                    }
                }
                @if !p.rematch.is_empty() {
                    div.flags {
                        p { strong { (tr(lang, "Kecocokan baru dari pencocokan malam: ", "New matches from the nightly re-match: ")) } }
                        ul { @for m in &p.rematch { li { (m) } } }
                        p { a href="/identity/review" { (tr(lang, "Periksa di antrean peninjauan", "Review them in the queue")) } }
                    }
                }
                @if p.may_trace {
                    p { (tr(lang, "Orang ini belum dikenal. Minta kantor Dinsos kabupaten/kota atau TKSK menelusuri keluarganya.",
                        "This person is not identified. Ask a regency social office or a TKSK to trace the family.")) }
                    p { a.button href={ "/cases/" (number) "/tracing" } { (tr(lang, "Beri tugas penelusuran keluarga", "Give a family tracing task")) } }
                }
            }
        }
    }
}

/// The form giving a tracing task.
#[derive(Default)]
pub struct TracingKept {
    pub errors: Vec<(String, String)>,
    pub to: String,
    pub office: String,
    pub tksk_name: String,
    pub tksk_phone: String,
    pub tksk_district: String,
    pub due_on: String,
    pub known: String,
    /// Why no task can be given to this person (then no form is shown).
    pub refusal: Option<String>,
}

pub fn tracing_page(
    lang: Lang,
    user: &NavUser,
    (number, name, csrf): (&str, &str, &str),
    offices: &[(String, String)],
    k: &TracingKept,
) -> Markup {
    let title = tr(lang, "Tugas penelusuran keluarga", "Family tracing task");
    let path = format!("/cases/{number}/tracing");
    let e = &k.errors;
    let invalid = |f: &str| e.iter().any(|(x, _)| x == f);
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Cases),
            path: &path,
            user: Some(user),
        },
        html! {
            p { a href={ "/cases/" (number) } { "← " (tr(lang, "Kembali ke kasus", "Back to the case")) " " (number) } }
            h1 { (title) }
            p { (name) " · " (number) }
            p { (tr(lang,
                "Kantor Dinsos kabupaten/kota yang dipilih melihat tugas ini di menu Tugas. Bila TKSK yang menelusuri, kantor itulah yang mencatat hasilnya di aplikasi; TKSK tidak perlu akun.",
                "The chosen regency social office sees this task under Tasks. When a TKSK traces, that office records the outcome in the app; the TKSK needs no account.")) }
            @if let Some(why) = &k.refusal {
                p.error-message role="alert" { (why) }
            } @else {
            @if !e.is_empty() {
                div.error-summary role="alert" {
                    p { strong { (tr(lang, "Tugas belum diberikan. Perbaiki yang ditandai:", "The task was not given. Fix what is marked:")) } }
                    (problems(e))
                }
            }
            form.card method="post" action=(path) novalidate {
                input type="hidden" name="csrf" value=(csrf);
                fieldset.field #to aria-describedby=[invalid("to").then_some("to-error")] {
                    legend { (tr(lang, "Siapa yang menelusuri", "Who traces")) " " span.required { (tr(lang, "(wajib)", "(required)")) } }
                    label.inline { input type="radio" name="to" value="office" checked[k.to == "office"]; " " (tr(lang, "Kantor Dinsos kabupaten/kota", "The regency social office")) }
                    label.inline { input type="radio" name="to" value="tksk" checked[k.to == "tksk"]; " " (tr(lang, "TKSK (pekerja sosial kecamatan)", "A TKSK (subdistrict social worker)")) }
                    (field_error(e, "to"))
                }
                div.field {
                    label for="office" { (tr(lang, "Kabupaten/kota (kantor yang mengawasi)", "Regency (the office in charge)")) " " span.required { (tr(lang, "(wajib)", "(required)")) } }
                    select id="office" name="office" aria-invalid=[invalid("office").then_some("true")] aria-describedby=[invalid("office").then_some("office-error")] {
                        option value="" { (tr(lang, "— pilih —", "— choose —")) }
                        @for (code, name) in offices {
                            option value=(code) selected[k.office == *code] { (name) }
                        }
                    }
                    (field_error(e, "office"))
                }
                fieldset.field {
                    legend { (tr(lang, "Bila TKSK yang menelusuri", "If a TKSK traces")) }
                    (text_field(lang, e, "tksk_name", "Nama TKSK", "TKSK's name", &k.tksk_name, "text"))
                    (text_field(lang, e, "tksk_phone", "Nomor telepon TKSK", "TKSK's phone", &k.tksk_phone, "tel"))
                    (text_field(lang, e, "tksk_district", "Kecamatan tempat TKSK bertugas", "TKSK's subdistrict", &k.tksk_district, "text"))
                }
                (text_field(lang, e, "due_on", "Batas waktu", "Due date", &k.due_on, "date"))
                div.field {
                    label for="known" { (tr(lang, "Yang sudah diketahui (di mana ditemukan, apa yang ia ceritakan)", "What is known (where found, what the person said)")) " " span.required { (tr(lang, "(wajib)", "(required)")) } }
                    textarea id="known" name="known" rows="4"
                        aria-invalid=[invalid("known").then_some("true")] aria-describedby=[invalid("known").then_some("known-error")] { (k.known) }
                    (field_error(e, "known"))
                }
                button type="submit" { (tr(lang, "Beri tugas", "Give the task")) }
            }
            }
        },
    )
}
