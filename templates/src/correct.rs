//! Correcting a saved intake: the form (no JavaScript needed), filled with what is stored;
//! every field round-trips what was typed when the form comes back with errors.
use maud::{html, Markup};

use crate::i18n::{tr, Lang};
use crate::intake::{checks, choice, field_error, intake_field, Options};
use crate::layout::{page, NavUser, Page, Section};

/// What the form holds, as typed.
#[derive(Debug, Clone, Default)]
pub struct CorrectionValues {
    pub stated_name: String,
    pub sex: String,
    pub birth_date: String,
    pub estimated_age: String,
    pub birth_date_quality: String,
    pub conditions: Vec<String>,
    pub found_address: String,
    pub reason: String,
}

pub struct CorrectionView<'a> {
    pub number: &'a str,
    pub values: &'a CorrectionValues,
    pub errors: &'a [(String, String)],
    pub options: &'a Options,
    /// Shown after a saved correction.
    pub saved: bool,
    pub photos: usize,
}

pub fn form(lang: Lang, user: &NavUser, v: &CorrectionView) -> Markup {
    let (f, e) = (v.values, v.errors);
    let title = tr(lang, "Perbaiki data intake", "Correct the intake");
    let back = format!("/cases/{}", v.number);
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Cases),
            path: "/cases",
            user: Some(user),
        },
        html! {
            h1 { (title) " " small.muted { (v.number) } }
            @if v.saved {
                p.notice role="status" {
                    (tr(lang, "Perbaikan tersimpan dan tercatat di riwayat kasus. ", "The correction is saved and shown in the case's history. "))
                    a href=(back) { (tr(lang, "Kembali ke kasus", "Back to the case")) }
                }
            }
            @if !e.is_empty() {
                div.error-summary role="alert" {
                    p { (tr(lang, "Belum tersimpan. Perbaiki isian yang ditandai:", "Not saved yet. Fix the marked fields:")) }
                    ul { @for (field, msg) in e {
                        @let name = field.split(['[', '.']).next().unwrap_or(field);
                        @let label = match name {
                            "reason" => tr(lang, "Alasan perbaikan", "Reason"),
                            "photos" => tr(lang, "Foto", "Photos"),
                            n => crate::intake::field_label(lang, n),
                        };
                        li { a href={ "#" (name) } { (label) } ": " (msg) }
                    } }
                }
            }
            p.hint { (tr(lang, "Ubah yang salah, tulis alasannya, lalu simpan. Nilai lama tetap tercatat di riwayat kasus.",
                         "Change what is wrong, say why, then save. The old values stay in the case's history.")) }
            form.intake method="post" action={ "/cases/" (v.number) "/correction" } enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(user.csrf);
                (intake_field(lang, e, "stated_name", &f.stated_name, "text"))
                (choice(lang, e, "sex", &v.options.sex, &f.sex))
                div.row {
                    (intake_field(lang, e, "birth_date", &f.birth_date, "date"))
                    (intake_field(lang, e, "estimated_age", &f.estimated_age, "number"))
                }
                (choice(lang, e, "birth_date_quality", &v.options.birth_date_quality, &f.birth_date_quality))
                (checks(lang, e, "conditions", &v.options.conditions, &f.conditions))
                (intake_field(lang, e, "found_address", &f.found_address, "text"))
                div.field {
                    label for="photos" { (tr(lang, "Tambah foto (JPEG/PNG/WebP, maks. 5 foto per orang)", "Add photos (JPEG/PNG/WebP, at most 5 per person)")) }
                    p.hint { (v.photos) " " (tr(lang, "foto sudah tersimpan.", "photo(s) stored.")) }
                    input #photos name="photo" type="file" accept="image/jpeg,image/png,image/webp" multiple capture="environment";
                    (field_error(e, "photos"))
                }
                div.field {
                    label for="reason" { (tr(lang, "Alasan perbaikan (wajib)", "Reason for the correction (required)")) }
                    textarea #reason name="reason" rows="2" aria-invalid=[e.iter().any(|(k, _)| k == "reason").then_some("true")] { (f.reason) }
                    (field_error(e, "reason"))
                }
                button type="submit" { (tr(lang, "Simpan perbaikan", "Save the correction")) }
                " "
                a href=(back) { (tr(lang, "Batal", "Cancel")) }
            }
        },
    )
}
