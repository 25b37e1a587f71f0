//! The intake desk: the form (no JavaScript needed), and the page after saving with the
//! likely earlier cases of the same person.
use maud::{html, Markup};

use crate::i18n::{tr, Lang};
use crate::layout::{page, NavUser, Page, Section};

/// What the officer typed, kept as typed so nothing is lost when the form comes back.
#[derive(Debug, Clone, Default)]
pub struct FormValues {
    pub key: String,
    pub found_at: String,
    pub found_address: String,
    pub found_lat: String,
    pub found_lon: String,
    pub unit: String,
    pub officer_name: String,
    pub stated_name: String,
    pub aliases: String,
    pub name_quality: String,
    pub sex: String,
    pub birth_date: String,
    pub estimated_age: String,
    pub birth_date_quality: String,
    pub stated_home: String,
    pub home_village: String,
    pub home_region: String,
    pub documents: Vec<String>,
    pub nik: String,
    pub conditions: Vec<String>,
    pub belongings: String,
    pub notes: String,
}

/// A clickable map of the regency: village centroids as dots, the picked point if any.
pub struct MapView {
    pub region: String,
    pub width: u32,
    pub height: u32,
    /// Village dots in map pixels.
    pub dots: Vec<(f64, f64)>,
    pub picked: Option<(f64, f64)>,
}

pub struct HomeSuggestion {
    pub village_code: String,
    pub label: String,
}

pub struct FormView<'a> {
    pub values: &'a FormValues,
    pub errors: &'a [(String, String)],
    pub staged_photos: usize,
    pub map: Option<MapView>,
    pub suggestions: Vec<HomeSuggestion>,
    pub notice: Option<&'a str>,
}

fn err<'a>(errors: &'a [(String, String)], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| f == field || f.starts_with(&format!("{field}[")))
        .map(|(_, m)| m.as_str())
}

pub(crate) fn field_error(errors: &[(String, String)], field: &str) -> Markup {
    html! {
        @if let Some(m) = err(errors, field) {
            span.field-error id={ (field) "-error" } role="alert" { (m) }
        }
    }
}

pub(crate) fn text_field(
    lang: Lang,
    errors: &[(String, String)],
    name: &str,
    id: &'static str,
    en: &'static str,
    value: &str,
    kind: &str,
) -> Markup {
    let invalid = err(errors, name).is_some();
    html! {
        div.field {
            label for=(name) { (tr(lang, id, en)) }
            input id=(name) name=(name) type=(kind) value=(value) aria-invalid=[invalid.then_some("true")]
                aria-describedby=[invalid.then(|| format!("{name}-error"))];
            (field_error(errors, name))
        }
    }
}

fn choice(
    lang: Lang,
    errors: &[(String, String)],
    name: &str,
    legend: (&'static str, &'static str),
    options: &[(&str, &'static str, &'static str)],
    value: &str,
) -> Markup {
    html! {
        fieldset.field {
            legend { (tr(lang, legend.0, legend.1)) }
            @for (v, id, en) in options {
                label.inline {
                    input type="radio" name=(name) value=(v) checked[value == *v];
                    " " (tr(lang, id, en))
                }
            }
            (field_error(errors, name))
        }
    }
}

fn checks(
    lang: Lang,
    errors: &[(String, String)],
    name: &str,
    legend: (&'static str, &'static str),
    options: &[(&str, &'static str, &'static str)],
    values: &[String],
) -> Markup {
    html! {
        fieldset.field {
            legend { (tr(lang, legend.0, legend.1)) }
            @for (v, id, en) in options {
                label.inline {
                    input type="checkbox" name=(name) value=(v) checked[values.iter().any(|x| x == v)];
                    " " (tr(lang, id, en))
                }
            }
            (field_error(errors, name))
        }
    }
}

pub fn form(lang: Lang, user: &NavUser, v: &FormView) -> Markup {
    let f = v.values;
    let e = v.errors;
    let title = tr(lang, "Penerimaan baru", "New intake");
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Intake),
            path: "/intake",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            @if let Some(n) = v.notice { p.notice role="status" { (n) } }
            @if !e.is_empty() {
                div.error-summary role="alert" {
                    p { (tr(lang, "Belum tersimpan. Perbaiki isian yang ditandai:", "Not saved yet. Fix the marked fields:")) }
                    ul { @for (field, msg) in e { li { a href={ "#" (field.split('[').next().unwrap_or(field)) } { (field) } ": " (msg) } } }
                }
            }
            form.intake method="post" action="/intake" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(user.csrf);
                input type="hidden" name="idempotency_key" value=(f.key);
                h2 { (tr(lang, "Kapan dan di mana", "When and where")) }
                (text_field(lang, e, "found_at", "Waktu ditemukan (WIB)", "Found at (WIB)", &f.found_at, "datetime-local"))
                (text_field(lang, e, "found_address", "Alamat / patokan lokasi", "Address / landmark", &f.found_address, "text"))
                @if let Some(m) = &v.map {
                    div.field {
                        p.hint { (tr(lang, "Klik peta untuk memilih titik (formulir dikirim ulang, isian tetap tersimpan), atau ketik koordinat.",
                                     "Click the map to pick the point (the form comes back with everything kept), or type coordinates.")) }
                        input.map type="image" name="map" src={ "/intake/map.svg?region=" (m.region) "&lat=" (f.found_lat) "&lon=" (f.found_lon) }
                            width=(m.width) height=(m.height) alt=(tr(lang, "Peta kabupaten/kota untuk memilih titik", "Map of the regency to pick the point"));
                    }
                }
                div.row {
                    (text_field(lang, e, "found_lat", "Lintang", "Latitude", &f.found_lat, "text"))
                    (text_field(lang, e, "found_lon", "Bujur", "Longitude", &f.found_lon, "text"))
                }
                (text_field(lang, e, "unit", "Unit penjangkau", "Picking unit", &f.unit, "text"))
                (text_field(lang, e, "officer_name", "Nama petugas", "Officer", &f.officer_name, "text"))
                h2 { (tr(lang, "Orangnya", "The person")) }
                (text_field(lang, e, "stated_name", "Nama yang disebut", "Stated name", &f.stated_name, "text"))
                (text_field(lang, e, "aliases", "Nama lain / panggilan (pisahkan dengan koma)", "Aliases (comma-separated)", &f.aliases, "text"))
                (choice(lang, e, "name_quality", ("Mutu nama", "Name quality"), &[
                    ("full", "lengkap", "full"), ("partial", "sebagian", "partial"),
                    ("alias", "julukan / nama jalanan", "alias / street name"), ("unknown", "tidak diketahui", "unknown")], &f.name_quality))
                (choice(lang, e, "sex", ("Jenis kelamin", "Sex"), &[
                    ("male", "laki-laki", "male"), ("female", "perempuan", "female"), ("unknown", "tidak diketahui", "unknown")], &f.sex))
                div.row {
                    (text_field(lang, e, "birth_date", "Tanggal lahir", "Birth date", &f.birth_date, "date"))
                    (text_field(lang, e, "estimated_age", "Perkiraan umur", "Estimated age", &f.estimated_age, "number"))
                }
                (choice(lang, e, "birth_date_quality", ("Mutu tanggal lahir", "Birth date quality"), &[
                    ("exact", "pasti", "exact"), ("approximate", "perkiraan", "approximate"),
                    ("year_only", "tahun saja", "year only"), ("unknown", "tidak diketahui", "unknown")], &f.birth_date_quality))
                (text_field(lang, e, "stated_home", "Asal menurut pengakuan", "Stated home", &f.stated_home, "text"))
                button.secondary type="submit" name="suggest" value="1" { (tr(lang, "Cari desa yang cocok", "Find matching villages")) }
                @if !v.suggestions.is_empty() {
                    fieldset.field {
                        legend { (tr(lang, "Desa yang cocok", "Matching villages")) }
                        @for s in &v.suggestions {
                            label.inline.block {
                                input type="radio" name="home_village" value=(s.village_code) checked[f.home_village == s.village_code];
                                " " (s.label)
                            }
                        }
                        label.inline.block {
                            input type="radio" name="home_village" value="" checked[f.home_village.is_empty()];
                            " " (tr(lang, "tidak ada yang cocok", "none of these"))
                        }
                    }
                } @else {
                    input type="hidden" name="home_village" value=(f.home_village);
                }
                (field_error(e, "home_village"))
                (text_field(lang, e, "home_region", "Kode kab/kota atau provinsi asal (bila diketahui)", "Home regency or province code (if known)", &f.home_region, "text"))
                (checks(lang, e, "documents", ("Dokumen yang dibawa", "Documents carried"), &[
                    ("ktp", "KTP", "ID card (KTP)"), ("kk", "KK", "Family card (KK)"), ("sim", "SIM", "Driving licence"),
                    ("passport", "paspor", "passport"), ("other", "lainnya", "other")], &f.documents))
                (text_field(lang, e, "nik", "NIK (16 angka, bila ada)", "NIK (16 digits, if any)", &f.nik, "text"))
                (checks(lang, e, "conditions", ("Kondisi", "Conditions"), &[
                    ("psychosocial", "disabilitas mental (ODGJ)", "psychosocial disability"), ("elderly", "lanjut usia", "elderly"),
                    ("child", "anak", "child"), ("sick", "sakit", "sick"), ("pregnant", "hamil", "pregnant"),
                    ("disability", "disabilitas", "disability"), ("other", "lainnya", "other")], &f.conditions))
                div.field {
                    label for="belongings" { (tr(lang, "Barang bawaan", "Belongings")) }
                    textarea #belongings name="belongings" rows="2" { (f.belongings) }
                    (field_error(e, "belongings"))
                }
                div.field {
                    label for="photos" { (tr(lang, "Foto (JPEG/PNG/WebP, maks. 5 foto @ 5 MB)", "Photos (JPEG/PNG/WebP, up to 5 of 5 MB)")) }
                    @if v.staged_photos > 0 {
                        p.hint { (v.staged_photos) " " (tr(lang, "foto sudah diterima dan akan disimpan.", "photo(s) already received and will be saved.")) }
                    }
                    input #photos name="photo" type="file" accept="image/jpeg,image/png,image/webp" multiple capture="environment";
                    (field_error(e, "photos"))
                }
                div.field {
                    label for="notes" { (tr(lang, "Catatan", "Notes")) }
                    textarea #notes name="notes" rows="3" { (f.notes) }
                    (field_error(e, "notes"))
                }
                button type="submit" name="save" value="1" { (tr(lang, "Simpan", "Save")) }
            }
        },
    )
}

pub struct Hint {
    pub number: String,
    pub name: String,
    pub found: String,
    pub why: String,
}

pub fn saved(lang: Lang, user: &NavUser, number: &str, hints: &[Hint]) -> Markup {
    let title = tr(lang, "Tersimpan", "Saved");
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Intake),
            path: "/intake",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            p.notice role="status" {
                (tr(lang, "Nomor kasus: ", "Case number: ")) strong #case-number { (number) }
            }
            p { a href={ "/cases/" (number) } { (tr(lang, "Buka kasus", "Open the case")) } " · " a href="/intake" { (tr(lang, "Penerimaan baru", "New intake")) } }
            @if !hints.is_empty() {
                section.hints {
                    h2 { (tr(lang, "Mungkin orang yang sama pernah dijangkau", "Possibly picked up before")) }
                    ul {
                        @for h in hints {
                            li { a href={ "/cases/" (h.number) } { (h.number) } " — " (h.name) " · " (h.found) " · " (h.why) }
                        }
                    }
                }
            }
        },
    )
}

/// The regency map as an SVG image for the form's map picker.
pub fn map_svg(m: &MapView) -> String {
    html! {
        svg xmlns="http://www.w3.org/2000/svg" width=(m.width) height=(m.height) viewBox={ "0 0 " (m.width) " " (m.height) } {
            rect width="100%" height="100%" fill="#eef3f7" {}
            @for (x, y) in &m.dots { circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="1.6" fill="#7a8ca0" {} }
            @if let Some((x, y)) = m.picked {
                circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="7" fill="none" stroke="#b00020" stroke-width="3" {}
            }
        }
    }
    .into_string()
}
