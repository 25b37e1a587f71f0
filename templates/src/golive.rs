//! Going live (administrators): the offices' addresses, one office's form, and the
//! readiness list of what still blocks a real start.
use maud::{html, Markup};

use crate::i18n::{tr, Lang};
use crate::intake::{field_error, text_field};
use crate::layout::{page, NavUser, Page, Section};

/// A group of offices on the list ("Kabupaten/kota di Jawa Timur", …).
pub struct OfficeGroup {
    pub title: String,
    pub rows: Vec<OfficeRow>,
}

pub struct OfficeRow {
    /// "Kabupaten Nganjuk, Jawa Timur" or "Kepala UPT …".
    pub place: String,
    /// The code, shown small beside the name.
    pub code: String,
    /// The office's record; `None` when it has no address yet.
    pub office: Option<OfficeShown>,
    /// Where its form is.
    pub edit: String,
}

pub struct OfficeShown {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub contact: String,
    /// "diubah 7 Des 2026 18:10 oleh Admin Provinsi".
    pub changed: String,
}

pub struct OfficesView<'a> {
    pub groups: &'a [OfficeGroup],
    pub missing: usize,
    /// A confirmation after a save.
    pub notice: Option<String>,
    /// The "other office" field: what was typed, its error, the choices offered.
    pub place: &'a str,
    pub place_error: Option<String>,
    pub choices: &'a [(String, String)],
}

fn admin_links(lang: Lang) -> Markup {
    html! {
        p {
            a href="/admin/users" { (tr(lang, "Pengguna", "Users")) } " · "
            a href="/admin/offices" { (tr(lang, "Kantor Dinas Sosial", "Social offices")) } " · "
            a href="/admin/readiness" { (tr(lang, "Kesiapan", "Readiness")) }
        }
    }
}

pub fn offices(lang: Lang, user: &NavUser, v: &OfficesView) -> Markup {
    let title = tr(lang, "Kantor Dinas Sosial", "Social offices");
    let search = html! {
            h2 { (tr(lang, "Cari atau tambah kantor", "Find or add an office")) }
            form.card method="get" action="/admin/offices/edit" {
                div.field {
                    label for="place" { (tr(lang, "Kabupaten/kota, provinsi, atau UPT", "Regency/city, province or UPT")) }
                    p.hint { (tr(lang, "Ketik namanya, misalnya Cianjur atau Bima.", "Type its name, e.g. Cianjur or Bima.")) }
                    input #place name="place" type="text" value=(v.place) required
                        aria-invalid=[v.place_error.is_some().then_some("true")]
                        aria-describedby=[v.place_error.is_some().then_some("place-error")];
                    @if let Some(e) = &v.place_error {
                        span.field-error #place-error role="alert" { (e) }
                    }
                    @if !v.choices.is_empty() {
                        ul.choices {
                            @for (href, label) in v.choices { li { a href=(href) { (label) } } }
                        }
                    }
                }
                button type="submit" { (tr(lang, "Lanjut", "Continue")) }
            }
    };
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Admin),
            path: "/admin/offices",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            // After a search that found none or several, its field and choices come first.
            @if v.place_error.is_some() { (search) }
            (admin_links(lang))
            @if let Some(n) = &v.notice { p.notice role="status" { (n) } }
            p {
                (tr(lang,
                    "Ke alamat inilah Simlontar mengirim pemberitahuan serah terima, estafet, ringkasan mingguan, dan peringatan kapasitas.",
                    "Simlontar sends hand-over and relay notices, weekly digests and capacity alerts to these addresses."))
            }
            @if v.missing > 0 {
                p.error-summary {
                    strong { (v.missing) " " (tr(lang, "kantor belum punya alamat surel.", "offices have no email address yet.")) }
                    " " (tr(lang, "Baris yang ditandai ", "Rows marked "))
                    strong { (tr(lang, "Belum ada alamat", "No address yet")) }
                    (tr(lang, " perlu diisi sebelum mulai.", " must be filled in before going live."))
                }
            } @else {
                p.notice { (tr(lang, "Semua kantor yang diperlukan sudah punya alamat.", "Every office needed has an address.")) }
            }
            @if v.place_error.is_none() { (search) }
            @for g in v.groups {
                h2 { (g.title) }
                ul.offices {
                    @for r in &g.rows {
                        li.office-row {
                            div {
                                strong { (r.place) }
                            }
                            @match &r.office {
                                Some(o) => {
                                    div { (o.name) }
                                    div { (o.email) }
                                    @if !o.phone.is_empty() || !o.contact.is_empty() {
                                        div { (o.contact) @if !o.phone.is_empty() && !o.contact.is_empty() { " · " } (o.phone) }
                                    }
                                    div { small { (o.changed) } }
                                    a.button href=(r.edit) { (tr(lang, "Ubah", "Change")) }
                                }
                                None => {
                                    div.field-error { strong { (tr(lang, "Belum ada alamat", "No address yet")) } }
                                    a.button href=(r.edit) { (tr(lang, "Isi alamat", "Enter the address")) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub struct OfficeFormView<'a> {
    /// "Dinas Sosial Kabupaten Nganjuk" or "Kepala UPT …": whose address this is.
    pub place: &'a str,
    pub code: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub contact: &'a str,
    pub errors: &'a [(String, String)],
}

pub fn office_form(lang: Lang, user: &NavUser, v: &OfficeFormView) -> Markup {
    let title = tr(lang, "Alamat kantor", "Office address");
    let e = v.errors;
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Admin),
            path: "/admin/offices",
            user: Some(user),
        },
        html! {
            h1 { (title) ": " (v.place) }
            p { a href="/admin/offices" { "← " (tr(lang, "Semua kantor", "All offices")) } }
            @if !e.is_empty() {
                p.error-summary role="alert" {
                    (tr(lang, "Periksa isian yang ditandai di bawah; belum ada yang disimpan.", "Check the fields marked below; nothing was saved yet."))
                }
            }
            // The server checks and says what is wrong beside the field, in the page's language.
            form.card method="post" action="/admin/offices" novalidate {
                input type="hidden" name="csrf" value=(user.csrf);
                input type="hidden" name="code" value=(v.code);
                (field_error(e, "code"))
                (text_field(lang, e, "office", "Nama kantor", "Office name", v.name, "text"))
                (text_field(lang, e, "email", "Alamat surel", "Email address", v.email, "email"))
                (text_field(lang, e, "phone", "Telepon (boleh kosong)", "Phone (optional)", v.phone, "tel"))
                (text_field(lang, e, "contact", "Narahubung (boleh kosong)", "Contact person (optional)", v.contact, "text"))
                div.actions {
                    button type="submit" { (tr(lang, "Simpan", "Save")) }
                    a.cancel href="/admin/offices" { (tr(lang, "Batal", "Cancel")) }
                }
            }
        },
    )
}

/// One kind of blocker with what to do and the things it concerns.
pub struct BlockerGroup {
    pub title: String,
    pub todo: String,
    pub items: Vec<(String, String)>,
}

pub fn readiness(lang: Lang, user: &NavUser, groups: &[BlockerGroup]) -> Markup {
    let title = tr(lang, "Kesiapan", "Readiness");
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Admin),
            path: "/admin/readiness",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            (admin_links(lang))
            @if groups.is_empty() {
                p.notice role="status" {
                    strong { (tr(lang, "Siap.", "Ready.")) }
                    " " (tr(lang, "Tidak ada lagi yang menghalangi mulai bekerja dengan data nyata.", "Nothing blocks a real start any more."))
                }
            } @else {
                p.error-summary {
                    (tr(lang, "Sebelum mulai bekerja dengan data nyata, selesaikan hal-hal berikut. Halaman ini diperiksa ulang setiap kali dibuka.",
                        "Before a real start, settle the following. This page checks again each time it is opened."))
                }
                ul {
                    @for (i, g) in groups.iter().enumerate() {
                        li { a href={ "#blocker-" (i) } { (g.title) } " (" (g.items.len()) ")" }
                    }
                }
                @for (i, g) in groups.iter().enumerate() {
                    section.card id={ "blocker-" (i) } {
                        h2 { (g.title) " (" (g.items.len()) ")" }
                        p { strong { (tr(lang, "Yang perlu dilakukan: ", "What to do: ")) } (g.todo) }
                        ul {
                            @for (label, href) in &g.items {
                                li { a href=(href) { (label) } }
                            }
                        }
                    }
                }
            }
        },
    )
}
