//! The case page's UPT panel: the current stay, the waiting list, and the wards that fit.
use maud::{html, Markup};

use crate::i18n::{tr, Lang, Text};

pub struct CandidateRow {
    pub ward_id: i64,
    pub upt: String,
    pub ward: String,
    pub need: String,
    pub free: i32,
    pub beds: i32,
    pub distance_km: f64,
}

#[derive(Default)]
pub struct Panel {
    /// "UPT · ward · since" of the open stay.
    pub stay: Option<String>,
    pub waiting_since: Option<String>,
    /// Wards the viewer may place the person in now (empty when they may not).
    pub candidates: Vec<CandidateRow>,
    pub may_place: bool,
    pub may_move: bool,
    /// Why a resident may leave: (form value, label).
    pub discharge_reasons: Vec<(&'static str, Text)>,
}

pub fn panel(lang: Lang, number: &str, csrf: &str, p: &Panel) -> Markup {
    html! {
        section.placement #placement {
            h2 { (tr(lang, "Penempatan UPT", "UPT placement")) }
            @if let Some(s) = &p.stay { p { strong { (tr(lang, "Ditempatkan: ", "Placed: ")) } (s) } }
            @if let Some(w) = &p.waiting_since {
                p.waiting role="status" { (tr(lang, "Dalam daftar tunggu tempat tidur sejak ", "On the waiting list for a bed since ")) (w) }
            }
            @if p.may_place {
                @if p.candidates.iter().all(|c| c.free <= 0) {
                    p { (tr(lang, "Tidak ada bangsal yang sesuai dengan tempat tidur kosong; menempatkan akan memasukkan orang ini ke daftar tunggu.",
                            "No fitting ward has a free bed; placing puts this person on the waiting list.")) }
                }
                table tabindex="0" {
                    thead { tr {
                        th scope="col" { "UPT" } th scope="col" { (tr(lang, "Bangsal", "Ward")) }
                        th scope="col" { (tr(lang, "Kebutuhan", "Need")) }
                        th scope="col" { (tr(lang, "Kosong", "Free")) }
                        th scope="col" { (tr(lang, "Jarak", "Distance")) } th {}
                    } }
                    tbody {
                        @for c in &p.candidates {
                            tr {
                                td { (c.upt) } td { (c.ward) } td { (c.need) }
                                td { (c.free) " / " (c.beds) }
                                td { (format!("{:.0} km", c.distance_km)) }
                                td {
                                    form.inline method="post" action={ "/cases/" (number) "/placement" } {
                                        input type="hidden" name="csrf" value=(csrf);
                                        input type="hidden" name="ward_id" value=(c.ward_id);
                                        button type="submit" { (tr(lang, "Tempatkan", "Place")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if p.may_move {
                form.card method="post" action={ "/cases/" (number) "/transfer" } {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="ward_id" { (tr(lang, "Pindah ke bangsal", "Transfer to ward")) }
                    select #ward_id name="ward_id" required {
                        @for c in p.candidates.iter().filter(|c| c.free > 0) {
                            option value=(c.ward_id) { (c.upt) " · " (c.ward) " (" (c.free) ")" }
                        }
                    }
                    label for="transfer_reason" { (tr(lang, "Alasan", "Reason")) }
                    input #transfer_reason name="reason" type="text";
                    button type="submit" { (tr(lang, "Pindahkan", "Transfer")) }
                }
                form.card #discharge method="post" action={ "/cases/" (number) "/discharge" } {
                    input type="hidden" name="csrf" value=(csrf);
                    h3 { (tr(lang, "Keluar dari UPT", "Discharge")) }
                    (discharge_fields(lang, &p.discharge_reasons, "", "", None))
                    button type="submit" { (tr(lang, "Catat keluar…", "Record discharge…")) }
                }
            }
        }
    }
}

/// The discharge reason (no default: it must be chosen) and note, with the reason's error
/// beside it. Shared by the case page and the confirmation step.
pub fn discharge_fields(
    lang: Lang,
    reasons: &[(&'static str, Text)],
    reason: &str,
    note: &str,
    error: Option<&str>,
) -> Markup {
    html! {
        label for="discharge_reason" { (tr(lang, "Alasan keluar", "Reason for leaving")) " *" }
        @if let Some(e) = error { span.field-error #discharge_reason-error { (e) } }
        select #discharge_reason name="reason" required
            aria-invalid=[error.map(|_| "true")]
            aria-describedby=[error.map(|_| "discharge_reason-error")] {
            option value="" selected[reason.is_empty()] { (tr(lang, "— pilih alasan —", "— choose a reason —")) }
            @for (value, label) in reasons {
                option value=(value) selected[*value == reason] { (label.get(lang)) }
            }
        }
        label for="discharge_note" { (tr(lang, "Catatan", "Note")) }
        input #discharge_note name="note" type="text" value=(note);
    }
}
