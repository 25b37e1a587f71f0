//! The plan page: the departure form, the legs an officer corrects, the expected
//! arrival, the changes on record, and the step that records the departure.
use maud::{html, Markup};

use crate::i18n::{tr, Lang, Text};
use crate::intake::{field_error, text_field};
use crate::layout::{page, NavUser, Page, Section};
use crate::routing::{legs_table, rupiah, PlanView};

#[derive(Default)]
pub struct DepartureValues {
    pub date: String,
    pub time: String,
    pub escort_name: String,
    pub reason: String,
}

pub struct LegEdit {
    pub mode: String,
    pub day: String,
    pub fare: String,
    pub reason: String,
    /// Open on the page (its form came back with errors).
    pub open: bool,
}

pub struct ChangeRow {
    pub at: String,
    pub who: String,
    pub what: String,
    pub reason: String,
}

pub struct PlanPage {
    pub number: String,
    pub plan: PlanView,
    /// The viewer may change the plan, and it still waits for its departure.
    pub may_change: bool,
    /// When the departure was recorded, if it was.
    pub departed: Option<String>,
    /// The scheduled departure, if any.
    pub planned: Option<String>,
    pub arrival: Option<String>,
    /// Who must escort the person, when the rule asks for an escort.
    pub escort_needed: Option<String>,
    pub departure: DepartureValues,
    pub legs: Vec<LegEdit>,
    /// The travel modes (form value, label).
    pub modes: Vec<(&'static str, Text)>,
    pub changes: Vec<ChangeRow>,
    /// Each refused field (its path) with its message, in the page's language.
    pub errors: Vec<(String, String)>,
    /// What was just saved.
    pub saved: Option<String>,
    /// The receiving office's answers, newest first, one line each.
    pub answers: Vec<String>,
}

fn summary(lang: Lang, errors: &[(String, String)], label: impl Fn(&str) -> String) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" {
                p { (tr(lang, "Belum tersimpan. Perbaiki isian yang ditandai:", "Not saved yet. Fix the marked fields:")) }
                ul { @for (field, msg) in errors {
                    li { a href={ "#" (field) } { (label(field)) } ": " (msg) }
                } }
            }
        }
    }
}

fn departure_label(lang: Lang, field: &str) -> String {
    match field {
        "date" => tr(lang, "Tanggal berangkat", "Departure date"),
        "time" => tr(lang, "Jam berangkat", "Departure time"),
        "escort_name" => tr(lang, "Nama pendamping", "Escort's name"),
        "reason" => tr(lang, "Alasan perubahan", "Reason for the change"),
        _ => tr(lang, "Formulir", "Form"),
    }
    .to_string()
}

pub fn plan_page(lang: Lang, user: &NavUser, v: &PlanPage) -> Markup {
    let title = tr(lang, "Rencana perjalanan", "Transport plan");
    let dep_errors: Vec<(String, String)> = v
        .errors
        .iter()
        .filter(|(f, _)| !f.starts_with("legs["))
        .cloned()
        .collect();
    let back = format!("/cases/{}", v.number);
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Cases),
            path: &back,
            user: Some(user),
        },
        html! {
            p { a href=(back) { "← " (tr(lang, "Kembali ke kasus ", "Back to case ")) (v.number) } }
            h1 { (title) " " (v.number) }
            @if let Some(s) = &v.saved { p.notice role="status" { (s) } }
            @if !v.answers.is_empty() {
                section.card {
                    h2 { (tr(lang, "Jawaban kantor penerima", "The receiving office's answers")) }
                    ul { @for a in &v.answers { li { (a) } } }
                    @if v.may_change { p { small { (tr(lang, "Untuk menerima usulan tanggal, ubah jadwal keberangkatan di bawah.", "To take a proposed date, change the departure below.")) } } }
                }
            }
            dl.facts {
                dt { (tr(lang, "Diserahkan kepada", "Handed over to")) } dd { (v.plan.office) " — " (v.plan.at) }
                dt { (tr(lang, "Status", "Status")) } dd { (v.plan.state.get(lang)) }
                dt { (tr(lang, "Berangkat", "Departure")) }
                dd { @match (&v.departed, &v.planned) {
                    (Some(d), _) => { (tr(lang, "sudah berangkat ", "left ")) (d) },
                    (None, Some(p)) => { (tr(lang, "dijadwalkan ", "scheduled ")) (p) },
                    (None, None) => { (tr(lang, "belum dijadwalkan", "not scheduled yet")) },
                } }
                dt { (tr(lang, "Perkiraan tiba", "Expected arrival")) }
                dd { (v.arrival.as_deref().unwrap_or(tr(lang, "setelah keberangkatan dijadwalkan", "once the departure is scheduled"))) }
                dt { (tr(lang, "Pendamping", "Escort")) }
                dd { @match &v.escort_needed {
                    Some(who) => { (who) @if !v.departure.escort_name.is_empty() { ": " strong { (v.departure.escort_name) } } },
                    None => { (tr(lang, "tidak diperlukan", "not needed")) },
                } }
            }
            @if v.may_change {
                form.card method="post" action={ "/cases/" (v.number) "/departure" } novalidate {
                    input type="hidden" name="csrf" value=(user.csrf);
                    h2 { (tr(lang, "Jadwal keberangkatan", "Departure")) }
                    (summary(lang, &dep_errors, |f| departure_label(lang, f)))
                    (text_field(lang, &dep_errors, "date", "Tanggal berangkat", "Departure date", &v.departure.date, "date"))
                    (text_field(lang, &dep_errors, "time", "Jam berangkat (WIB)", "Departure time (WIB)", &v.departure.time, "time"))
                    @if v.escort_needed.is_some() {
                        (text_field(lang, &dep_errors, "escort_name", "Nama pendamping (wajib)", "Escort's name (required)", &v.departure.escort_name, "text"))
                    } @else {
                        (text_field(lang, &dep_errors, "escort_name", "Nama pendamping (bila ada)", "Escort's name (if any)", &v.departure.escort_name, "text"))
                    }
                    @if v.planned.is_some() {
                        (text_field(lang, &dep_errors, "reason", "Alasan perubahan (wajib bila jadwal diubah)", "Reason for the change (required when changing)", &v.departure.reason, "text"))
                    }
                    button type="submit" { (tr(lang, "Simpan jadwal keberangkatan", "Save the departure")) }
                    p { small { (tr(lang, "Kantor penerima diberi tahu perkiraan tibanya lewat surel.", "The receiving office is told the expected arrival by email.")) } }
                }
            }
            h2 { (tr(lang, "Ruas perjalanan", "Legs")) }
            (legs_table(lang, &v.plan))
            @if v.may_change {
                @for (i, leg) in v.legs.iter().enumerate() {
                    @let prefix = format!("legs[{i}]");
                    @let errs: Vec<(String, String)> = v.errors.iter().filter(|(f, _)| f.starts_with(&format!("{prefix}."))).cloned().collect();
                    details.leg-edit open[leg.open] {
                        summary { (tr(lang, "Ubah ruas ", "Change leg ")) (i + 1) ": " (v.plan.legs.get(i).map(|l| format!("{} → {}", l.from, l.to)).unwrap_or_default()) }
                        form.card method="post" action={ "/cases/" (v.number) "/plan/legs/" (i) } novalidate {
                            input type="hidden" name="csrf" value=(user.csrf);
                            (summary(lang, &errs, |f| leg_label(lang, f)))
                            div.field {
                                label for={ (prefix) ".mode" } { (tr(lang, "Moda", "Mode")) }
                                select id={ (prefix) ".mode" } name="mode" {
                                    @for (code, label) in &v.modes {
                                        option value=(code) selected[*code == leg.mode] { (label.get(lang)) }
                                    }
                                }
                                (field_error(&errs, &format!("{prefix}.mode")))
                            }
                            (leg_input(&errs, (&prefix, "day"), tr(lang, "Hari ke- (perjalanan)", "Day of the trip"), &leg.day, true))
                            (leg_input(&errs, (&prefix, "fare"), tr(lang, "Biaya ruas (Rp, angka saja)", "Leg fare (Rp, digits only)"), &leg.fare, true))
                            (leg_input(&errs, (&prefix, "reason"), tr(lang, "Alasan perubahan (wajib)", "Reason for the change (required)"), &leg.reason, false))
                            button type="submit" { (tr(lang, "Simpan perubahan ruas", "Save the leg")) }
                        }
                    }
                }
            }
            @if let Some(d) = &v.departed {
                p role="status" { (tr(lang, "Keberangkatan tercatat ", "Departure recorded ")) (d) "." }
            } @else if v.may_change {
                form.card method="post" action={ "/cases/" (v.number) "/depart" } {
                    input type="hidden" name="csrf" value=(user.csrf);
                    h2 { (tr(lang, "Catat keberangkatan", "Record the departure")) }
                    p { (tr(lang, "Setelah warga benar-benar berangkat bersama pendamping. Tidak dapat dibatalkan; Anda akan diminta memastikan.", "Once the person has actually left with the escort. Cannot be undone; you will be asked to confirm.")) }
                    button type="submit" { (tr(lang, "Catat keberangkatan…", "Record departure…")) }
                }
            }
            @if !v.changes.is_empty() {
                h2 { (tr(lang, "Perubahan rencana", "Changes to the plan")) }
                table tabindex="0" {
                    thead { tr {
                        th scope="col" { (tr(lang, "Waktu", "When")) } th scope="col" { (tr(lang, "Oleh", "By")) }
                        th scope="col" { (tr(lang, "Perubahan", "Change")) } th scope="col" { (tr(lang, "Alasan", "Reason")) }
                    } }
                    tbody { @for c in &v.changes { tr { td { (c.at) } td { (c.who) } td { (c.what) } td { (c.reason) } } } }
                }
            }
            p { (tr(lang, "Jumlah biaya: ", "Total fare: ")) (rupiah(v.plan.total_fare)) }
        },
    )
}

fn leg_label(lang: Lang, field: &str) -> String {
    let part = field.rsplit('.').next().unwrap_or(field);
    match part {
        "mode" => tr(lang, "Moda", "Mode"),
        "day" => tr(lang, "Hari ke-", "Day of the trip"),
        "fare" => tr(lang, "Biaya ruas", "Leg fare"),
        "reason" => tr(lang, "Alasan perubahan", "Reason for the change"),
        _ => tr(lang, "Formulir", "Form"),
    }
    .to_string()
}

/// A leg field (numeric ones open the phone's number pad), its error beside it.
fn leg_input(
    errors: &[(String, String)],
    (prefix, name): (&str, &str),
    label: &str,
    value: &str,
    numeric: bool,
) -> Markup {
    let id = format!("{prefix}.{name}");
    let invalid = errors.iter().any(|(f, _)| *f == id);
    html! {
        div.field {
            label for=(id) { (label) }
            input id=(id) name=(name) type="text" inputmode=[numeric.then_some("numeric")] autocomplete=[numeric.then_some("off")] value=(value)
                aria-invalid=[invalid.then_some("true")] aria-describedby=[invalid.then(|| format!("{id}-error"))];
            (field_error(errors, &id))
        }
    }
}
