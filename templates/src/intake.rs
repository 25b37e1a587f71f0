//! The intake desk: the form (no JavaScript needed), and the page after saving with the
//! likely earlier cases of the same person.
use maud::{html, Markup};

use crate::i18n::{tr, Lang, Text};
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
    /// Not typed: the regions offered when the typed name matched several ("bima").
    pub home_region_choices: Vec<String>,
    pub documents: Vec<String>,
    pub nik: String,
    pub conditions: Vec<String>,
    pub cause: String,
    pub protection: Vec<String>,
    pub belongings: String,
    pub notes: String,
}

/// A district outline on the desk's map, in map pixels.
pub struct MapArea {
    pub name: String,
    /// SVG path data.
    pub d: String,
    pub label: (f64, f64),
    /// In the map's own regency (named; the neighbours are outlined only).
    pub own: bool,
}

/// A clickable map of the regency: the coast, district outlines and names, the regency
/// seats, the picked point if any.
pub struct MapView {
    pub region: String,
    pub width: u32,
    pub height: u32,
    /// The land as SVG path data ("" when no coast is loaded).
    pub land: String,
    pub districts: Vec<MapArea>,
    /// Regency seats: (x, y, town).
    pub towns: Vec<(f64, f64, String)>,
    pub picked: Option<(f64, f64)>,
    /// The frame, for the page's script to turn a tap into a point without a round trip:
    /// the north-west corner (lat, lon) and degrees per pixel (lat, lon).
    pub north_west: (f64, f64),
    pub per_pixel: (f64, f64),
}

pub struct HomeSuggestion {
    pub village_code: String,
    pub label: String,
}

pub struct FormView<'a> {
    /// The signed-in officer's user id: pick-ups waiting on the phone are tied to it.
    pub officer: i64,
    pub values: &'a FormValues,
    pub errors: &'a [(String, String)],
    pub staged_photos: usize,
    pub map: Option<MapView>,
    pub suggestions: Vec<HomeSuggestion>,
    pub notice: Option<&'a str>,
    pub options: &'a Options,
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
    field(lang, errors, (name, Text { id, en }), value, kind, false)
}

/// A labelled input. `kind` is an input type, or `numeric` / `decimal` for a text input
/// that opens the phone's number pad (a `type=number` field drops what it cannot parse,
/// and its spinner is useless for a NIK); a required field's label says so.
fn field(
    lang: Lang,
    errors: &[(String, String)],
    (name, label): (&str, Text),
    value: &str,
    kind: &str,
    required: bool,
) -> Markup {
    let invalid = err(errors, name).is_some();
    let (kind, keypad) = match kind {
        "numeric" | "decimal" => ("text", Some(kind)),
        other => (other, None),
    };
    html! {
        div.field {
            label for=(name) {
                (label.get(lang))
                @if required { " " span.required { (tr(lang, "(wajib)", "(required)")) } }
            }
            input id=(name) name=(name) type=(kind) value=(value) inputmode=[keypad]
                autocomplete=[keypad.map(|_| "off")] aria-required=[required.then_some("true")]
                aria-invalid=[invalid.then_some("true")]
                aria-describedby=[invalid.then(|| format!("{name}-error"))];
            (field_error(errors, name))
        }
    }
}

pub(crate) fn choice(
    lang: Lang,
    errors: &[(String, String)],
    name: &str,
    options: &[(&'static str, Text)],
    value: &str,
) -> Markup {
    html! {
        fieldset.field {
            legend {
                (field_label(lang, name))
                @if REQUIRED.contains(&name) { " " span.required { (tr(lang, "(wajib)", "(required)")) } }
            }
            @for (v, label) in options {
                label.inline {
                    input type="radio" name=(name) value=(v) checked[value == *v];
                    " " (label.get(lang))
                }
            }
            (field_error(errors, name))
        }
    }
}

pub(crate) fn checks(
    lang: Lang,
    errors: &[(String, String)],
    name: &str,
    options: &[(&'static str, Text)],
    values: &[String],
) -> Markup {
    html! {
        fieldset.field {
            legend {
                (field_label(lang, name))
                @if REQUIRED.contains(&name) { " " span.required { (tr(lang, "(wajib)", "(required)")) } }
            }
            @for (v, label) in options {
                label.inline {
                    input type="checkbox" name=(name) value=(v) checked[values.iter().any(|x| x == v)];
                    " " (label.get(lang))
                }
            }
            (field_error(errors, name))
        }
    }
}

/// The intake form's fields and their labels: the one table the form and its error summary
/// read, so the summary names a field as the form does, never by its name in the API.
const FIELDS: &[(&str, Text)] = &[
    (
        "found_at",
        Text {
            id: "Waktu ditemukan (WIB)",
            en: "Found at (WIB)",
        },
    ),
    (
        "found_address",
        Text {
            id: "Alamat / patokan lokasi",
            en: "Address / landmark",
        },
    ),
    (
        "found_lat",
        Text {
            id: "Lintang lokasi",
            en: "Location latitude",
        },
    ),
    (
        "found_lon",
        Text {
            id: "Bujur lokasi",
            en: "Location longitude",
        },
    ),
    (
        "unit",
        Text {
            id: "Unit penjangkau",
            en: "Picking unit",
        },
    ),
    (
        "officer_name",
        Text {
            id: "Nama petugas",
            en: "Officer",
        },
    ),
    (
        "stated_name",
        Text {
            id: "Nama yang disebut",
            en: "Stated name",
        },
    ),
    (
        "aliases",
        Text {
            id: "Nama lain / panggilan (pisahkan dengan koma)",
            en: "Aliases (comma-separated)",
        },
    ),
    (
        "birth_date",
        Text {
            id: "Tanggal lahir",
            en: "Birth date",
        },
    ),
    (
        "estimated_age",
        Text {
            id: "Perkiraan umur",
            en: "Estimated age",
        },
    ),
    (
        "stated_home",
        Text {
            id: "Asal menurut pengakuan",
            en: "Stated home",
        },
    ),
    (
        "home_region",
        Text {
            id: "Kab/kota atau provinsi asal (ketik namanya, bila diketahui)",
            en: "Home regency or province (type its name, if known)",
        },
    ),
    (
        "nik",
        Text {
            id: "NIK (16 angka, bila ada)",
            en: "NIK (16 digits, if any)",
        },
    ),
    (
        "name_quality",
        Text {
            id: "Mutu nama",
            en: "Name quality",
        },
    ),
    (
        "sex",
        Text {
            id: "Jenis kelamin",
            en: "Sex",
        },
    ),
    (
        "birth_date_quality",
        Text {
            id: "Mutu tanggal lahir",
            en: "Birth date quality",
        },
    ),
    (
        "documents",
        Text {
            id: "Dokumen yang dibawa",
            en: "Documents carried",
        },
    ),
    (
        "conditions",
        Text {
            id: "Kondisi",
            en: "Conditions",
        },
    ),
    (
        "cause",
        Text {
            id: "Sebab berada di jalan",
            en: "Why on the street",
        },
    ),
    (
        "protection",
        Text {
            id: "Tanda perlindungan",
            en: "Protection concerns",
        },
    ),
    (
        "home_village",
        Text {
            id: "Desa asal",
            en: "Home village",
        },
    ),
    (
        "belongings",
        Text {
            id: "Barang bawaan",
            en: "Belongings",
        },
    ),
    (
        "photos",
        Text {
            id: "Foto",
            en: "Photos",
        },
    ),
    (
        "notes",
        Text {
            id: "Catatan",
            en: "Notes",
        },
    ),
    (
        "idempotency_key",
        Text {
            id: "Formulir",
            en: "Form",
        },
    ),
];

/// A field's label by its name (an unknown name reads as "this form").
pub fn field_label(lang: Lang, name: &str) -> &'static str {
    known_field_label(lang, name).unwrap_or(tr(lang, "Formulir", "Form"))
}

/// A field's label by its name, when the intake's fields know it.
pub fn known_field_label(lang: Lang, name: &str) -> Option<&'static str> {
    FIELDS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| t.get(lang))
}

/// The intake's fields without which nothing is saved (what `intake::model::validate`
/// refuses when missing); the form marks them.
const REQUIRED: [&str; 5] = ["found_at", "found_lat", "found_lon", "name_quality", "sex"];

/// A text field of the intake form, labelled from `FIELDS`.
pub(crate) fn intake_field(
    lang: Lang,
    e: &[(String, String)],
    name: &str,
    value: &str,
    kind: &str,
) -> Markup {
    let label = FIELDS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(Text { id: "", en: "" }, |(_, t)| *t);
    field(
        lang,
        e,
        (name, label),
        value,
        kind,
        REQUIRED.contains(&name),
    )
}

/// The choices of the intake form, (form value, label), from the vocabulary.
pub struct Options {
    pub name_quality: Vec<(&'static str, Text)>,
    pub sex: Vec<(&'static str, Text)>,
    pub birth_date_quality: Vec<(&'static str, Text)>,
    pub documents: Vec<(&'static str, Text)>,
    pub conditions: Vec<(&'static str, Text)>,
    pub cause: Vec<(&'static str, Text)>,
    pub protection: Vec<(&'static str, Text)>,
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
                    ul { @for (field, msg) in e {
                        @let name = field.split(['[', '.']).next().unwrap_or(field);
                        li { a href={ "#" (name) } { (field_label(lang, name)) } ": " (msg) }
                    } }
                }
            }
            (waiting_queue(lang))
            form.intake method="post" action="/intake" enctype="multipart/form-data" data-officer=(v.officer) {
                input type="hidden" name="csrf" value=(user.csrf);
                input type="hidden" name="idempotency_key" value=(f.key);
                h2 { (tr(lang, "Kapan dan di mana", "When and where")) }
                (intake_field(lang, e, "found_at", &f.found_at, "datetime-local"))
                (intake_field(lang, e, "found_address", &f.found_address, "text"))
                // Shown by /static/intake.js where the phone can tell its location.
                div.field.locate {
                    button.secondary #locate type="button" hidden
                        data-wait=(tr(lang, "Mencari lokasi…", "Finding the location…"))
                        data-done=(tr(lang, "Titik diisi dari lokasi ponsel (ketelitian ± {m} m). Periksa di peta.", "Point filled from the phone's location (accurate to ± {m} m). Check it on the map."))
                        data-fail=(tr(lang, "Lokasi tidak didapat. Pilih di peta atau ketik koordinat.", "No location. Pick it on the map or type coordinates.")) {
                        (tr(lang, "Gunakan lokasi saya", "Use my location"))
                    }
                    p.hint #locate-status role="status" aria-live="polite" {}
                }
                @if let Some(m) = &v.map {
                    div.field {
                        p.hint { (tr(lang, "Ketuk peta untuk memilih titik, atau ketik koordinat.",
                                     "Tap the map to pick the point, or type coordinates.")) }
                        input.map type="image" name="map" src={ "/intake/map.svg?region=" (m.region) "&lat=" (f.found_lat) "&lon=" (f.found_lon) }
                            data-north=(m.north_west.0) data-west=(m.north_west.1)
                            data-lat-per-px=(m.per_pixel.0) data-lon-per-px=(m.per_pixel.1)
                            data-picked=(tr(lang, "Titik dipilih di peta.", "Point picked on the map."))
                            width=(m.width) height=(m.height) alt=(tr(lang, "Peta kabupaten/kota untuk memilih titik", "Map of the regency to pick the point"));
                    }
                }
                div.row {
                    (intake_field(lang, e, "found_lat", &f.found_lat, "decimal"))
                    (intake_field(lang, e, "found_lon", &f.found_lon, "decimal"))
                }
                (intake_field(lang, e, "unit", &f.unit, "text"))
                (intake_field(lang, e, "officer_name", &f.officer_name, "text"))
                h2 { (tr(lang, "Orangnya", "The person")) }
                (intake_field(lang, e, "stated_name", &f.stated_name, "text"))
                (intake_field(lang, e, "aliases", &f.aliases, "text"))
                (choice(lang, e, "name_quality", &v.options.name_quality, &f.name_quality))
                (choice(lang, e, "sex", &v.options.sex, &f.sex))
                div.row {
                    (intake_field(lang, e, "birth_date", &f.birth_date, "date"))
                    (intake_field(lang, e, "estimated_age", &f.estimated_age, "numeric"))
                }
                (choice(lang, e, "birth_date_quality", &v.options.birth_date_quality, &f.birth_date_quality))
                (intake_field(lang, e, "stated_home", &f.stated_home, "text"))
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
                (intake_field(lang, e, "home_region", &f.home_region, "text"))
                @if !f.home_region_choices.is_empty() {
                    fieldset.field.region-choices {
                        legend { (tr(lang, "Pilih kab/kota atau provinsi asal", "Choose the home regency or province")) }
                        @for c in &f.home_region_choices {
                            label.inline.block {
                                input type="radio" name="home_region_choice" value=(c);
                                " " (c)
                            }
                        }
                    }
                }
                (checks(lang, e, "documents", &v.options.documents, &f.documents))
                (intake_field(lang, e, "nik", &f.nik, "numeric"))
                (checks(lang, e, "conditions", &v.options.conditions, &f.conditions))
                div.field {
                    label for="cause" { (field_label(lang, "cause")) }
                    select #cause name="cause" {
                        option value="" { (tr(lang, "— belum diketahui —", "— not known yet —")) }
                        @for (code, label) in &v.options.cause {
                            option value=(code) selected[f.cause == *code] { (label.get(lang)) }
                        }
                    }
                    (field_error(e, "cause"))
                }
                (checks(lang, e, "protection", &v.options.protection, &f.protection))
                p.hint { (tr(lang, "Tanda perlindungan membuka rujukan ke polisi (UPPA) atau rumah perlindungan di halaman kasus.",
                             "A protection concern offers a referral to the police (UPPA) or a shelter on the case page.")) }
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
            script src="/static/intake.js" {}
        },
    )
}

/// Pick-ups recorded with no signal and waiting on the phone: filled in by
/// /static/intake.js (the phone's queue is invisible to the server), hidden without it.
/// The words it needs come from here, in the page's language.
fn waiting_queue(lang: Lang) -> Markup {
    html! {
        section #queue hidden aria-labelledby="queue-count"
            data-saved=(tr(lang, "Tersimpan di ponsel — akan dikirim saat ada sinyal.", "Saved on the phone — it will be sent when there is signal."))
            data-sending=(tr(lang, "Mengirim…", "Sending…"))
            data-sent=(tr(lang, "Terkirim: nomor kasus {number}.", "Sent: case number {number}."))
            data-refused=(tr(lang, "Ditolak server, belum tersimpan. Buka di formulir, perbaiki, lalu simpan:", "Refused by the server, not saved yet. Open it in the form, correct it, then save:"))
            data-stale=(tr(lang, "Sudah lebih dari 7 hari di ponsel: kirim atau buang.", "Over 7 days on the phone: send it or discard it."))
            data-sign-in=(tr(lang, "Belum dapat dikirim: masuk lagi dengan akun Anda.", "Cannot be sent yet: sign in again with your account."))
            data-others=(tr(lang, "{n} penerimaan milik petugas lain menunggu di ponsel ini; terkirim saat petugas itu masuk.", "{n} pick-up(s) of another officer wait on this phone; sent when that officer signs in."))
            data-opened=(tr(lang, "Dibuka di formulir. Periksa lalu simpan.", "Opened in the form. Check, then save."))
            data-discard-ask=(tr(lang, "Buang penerimaan ini dari ponsel? Datanya hilang dan tidak terkirim.", "Discard this pick-up from the phone? Its data is lost and never sent."))
            data-sign-out-ask=(tr(lang, "{n} penerimaan masih menunggu dikirim. Data tetap di ponsel ini dan terkirim saat Anda masuk lagi. Tetap keluar?", "{n} pick-up(s) still wait to be sent. They stay on this phone and are sent when you sign in again. Sign out anyway?"))
            data-unnamed=(tr(lang, "(tanpa nama)", "(no name)"))
            data-photos=(tr(lang, "foto", "photo(s)"))
            data-open=(tr(lang, "Buka di formulir", "Open in the form"))
            data-discard=(tr(lang, "Buang", "Discard"))
            data-send=(tr(lang, "Kirim sekarang", "Send now"))
            data-open-case=(tr(lang, "Buka kasus", "Open the case")) {
            h2 #queue-count data-label=(tr(lang, "menunggu dikirim ({n})", "waiting to be sent ({n})")) {}
            p #queue-status role="status" aria-live="polite" {}
            ul #queue-list {}
        }
    }
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
            // Forgets the copy the phone kept of the pick-up just sent (/static/intake.js).
            script src="/static/intake.js" {}
        },
    )
}

/// The regency map as an SVG image for the form's map picker.
pub fn map_svg(m: &MapView) -> String {
    let at = |v: f64| format!("{v:.0}");
    html! {
        svg xmlns="http://www.w3.org/2000/svg" width=(m.width) height=(m.height) viewBox={ "0 0 " (m.width) " " (m.height) } {
            // Sea; the land over it (without a loaded coast, land everywhere).
            rect width="100%" height="100%" fill=(if m.land.is_empty() { "#f3efe4" } else { "#cfe3f1" }) {}
            @if !m.land.is_empty() { path d=(m.land) fill="#f3efe4" stroke="#6f8aa0" {} }
            // District areas filled as land: a shore village the coastline leaves in the sea
            // keeps a little land around it.
            g fill="#f3efe4" stroke-linejoin="round" {
                @for a in m.districts.iter().filter(|a| !a.own) { path d=(a.d) stroke="#b9b2a2" {} }
                @for a in m.districts.iter().filter(|a| a.own) { path d=(a.d) stroke="#7d7462" stroke-width="1.5" {} }
            }
            g font-family="sans-serif" text-anchor="middle" paint-order="stroke" stroke="#fff" stroke-width="3" {
                g font-size="17" fill="#5b5446" {
                    @for a in m.districts.iter().filter(|a| a.own) { text x=(at(a.label.0)) y=(at(a.label.1)) { (a.name) } }
                }
                g font-size="19" font-weight="bold" fill="#1b1f24" {
                    @for (x, y, name) in &m.towns {
                        circle cx=(at(*x)) cy=(at(*y)) r="5" stroke="#fff" stroke-width="2" {}
                        text x=(at(*x)) y=(at(*y - 9.0)) { (name) }
                    }
                }
            }
            @if let Some((x, y)) = m.picked {
                circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="7" fill="none" stroke="#b00020" stroke-width="3" {}
            }
        }
    }
    .into_string()
}
