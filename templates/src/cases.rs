//! The case list and the case page.
use maud::{html, Markup};

use crate::i18n::{join, tr, Lang, Text};
use crate::layout::{page, NavUser, Page, Section};

pub struct CaseRow {
    pub number: String,
    pub state: Text,
    pub name: String,
    pub sex: Text,
    pub age: Option<i32>,
    pub found_at: String,
    pub found_region: String,
    pub home_region: String,
}

#[derive(Default)]
pub struct Filter {
    pub q: String,
    pub region: String,
    pub state: String,
    pub from: String,
    pub to: String,
    pub page: i64,
}

pub struct ListView {
    pub rows: Vec<CaseRow>,
    pub filter: Filter,
    pub more: bool,
    /// The viewer's scope is limited, so emergency (break-glass) access is offered.
    pub may_break_glass: bool,
    /// The viewer sees NIKs whole, so the NIK search box is shown.
    pub may_search_nik: bool,
    /// The states to filter by: (form value, label).
    pub states: Vec<(&'static str, Text)>,
}

pub fn list(lang: Lang, user: &NavUser, v: &ListView) -> Markup {
    let title = tr(lang, "Kasus", "Cases");
    let f = &v.filter;
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Cases),
            path: "/cases",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            form.filters method="get" action="/cases" {
                label { (tr(lang, "Nama atau nomor kasus", "Name or case number")) " " input name="q" value=(f.q); }
                label { (tr(lang, "Kab/kota", "Regency")) " " input name="region" value=(f.region) placeholder="Nganjuk" size="14"; }
                label { (tr(lang, "Status", "State")) " "
                    select name="state" {
                        option value="" { "–" }
                        @for (value, label) in &v.states { option value=(value) selected[f.state == *value] { (label.get(lang)) } }
                    }
                }
                label { (tr(lang, "Dari", "From")) " " input type="date" name="from" value=(f.from); }
                label { (tr(lang, "Sampai", "To")) " " input type="date" name="to" value=(f.to); }
                button type="submit" { (tr(lang, "Cari", "Search")) }
            }
            // Only for those who see NIKs whole: for the others a search would confirm a
            // guess at the masked digits.
            @if v.may_search_nik {
                form.filters method="post" action="/cases/search-nik" {
                    input type="hidden" name="csrf" value=(user.csrf);
                    label { "NIK " input name="nik" inputmode="numeric" pattern="[0-9]{16}" maxlength="16" autocomplete="off"; }
                    button type="submit" { (tr(lang, "Cari NIK", "Search NIK")) }
                }
            }
            @if v.rows.is_empty() {
                p { (tr(lang, "Tidak ada kasus yang cocok.", "No matching cases.")) }
            } @else {
                // One card per case on a phone (app.css), each value under its label.
                table.cards tabindex="0" {
                    thead { tr {
                        th { (tr(lang, "Nomor", "Number")) } th { (tr(lang, "Nama", "Name")) }
                        th { (tr(lang, "Jenis kelamin", "Sex")) } th { (tr(lang, "Umur", "Age")) }
                        th { (tr(lang, "Dijangkau", "Picked up")) } th { (tr(lang, "Lokasi", "Where")) }
                        th { (tr(lang, "Asal", "Home")) } th { (tr(lang, "Status", "State")) }
                    } }
                    tbody {
                        @for r in &v.rows {
                            tr {
                                td.card-head { a.case-number href={ "/cases/" (r.number) } { (r.number) } }
                                td.card-head { @if r.name.is_empty() { em { (tr(lang, "tanpa nama", "no name")) } } @else { strong { (r.name) } } }
                                td data-label=(tr(lang, "Jenis kelamin", "Sex")) { (r.sex.get(lang)) }
                                td data-label=(tr(lang, "Umur", "Age")) { @if let Some(a) = r.age { (a) } @else { "–" } }
                                td data-label=(tr(lang, "Dijangkau", "Picked up")) { (r.found_at) }
                                td data-label=(tr(lang, "Lokasi", "Where")) { (r.found_region) }
                                td data-label=(tr(lang, "Asal", "Home")) { (r.home_region) }
                                td data-label=(tr(lang, "Status", "State")) { (r.state.get(lang)) }
                            }
                        }
                    }
                }
            }
            nav.paging {
                @if f.page > 0 {
                    a href={ "/cases?q=" (f.q) "&region=" (f.region) "&state=" (f.state) "&from=" (f.from) "&to=" (f.to) "&page=" (f.page - 1) } { "← " (tr(lang, "Sebelumnya", "Previous")) }
                }
                @if v.more {
                    " " a href={ "/cases?q=" (f.q) "&region=" (f.region) "&state=" (f.state) "&from=" (f.from) "&to=" (f.to) "&page=" (f.page + 1) } { (tr(lang, "Berikutnya", "Next")) " →" }
                }
            }
            @if v.may_break_glass {
                p.muted {
                    (tr(lang, "Perlu membuka kasus di luar wilayah Anda dalam keadaan darurat? ",
                              "Need a case outside your area in an emergency? "))
                    a href="/break-glass" { (tr(lang, "Akses darurat", "Emergency access")) }
                }
            }
        },
    )
}

pub struct EventRow {
    pub at: String,
    pub kind: Text,
    pub to_state: Option<Text>,
    pub reason: String,
    pub actor: String,
}

pub struct CaseView {
    pub number: String,
    pub state: Text,
    /// When the retention sweep removed the person's data (local time), if it did.
    pub anonymised: Option<String>,
    pub name: String,
    pub aliases: String,
    pub name_quality: Text,
    pub sex: Text,
    pub birth: String,
    pub birth_quality: Text,
    pub nik: String,
    pub found: String,
    /// Already in a UPT when Simlontar started, not picked up: `found` is the admission.
    pub imported: bool,
    pub found_address: String,
    pub home: String,
    pub conditions: Vec<Text>,
    pub protection: Protection,
    pub photos: Vec<i64>,
    /// What the case waits for and the one or two actions that move it on.
    pub next: NextStep,
    /// The other bare moves the viewer may make now (closing the case, a manual outcome).
    pub actions: Vec<Move>,
    pub csrf: String,
    pub events: Vec<EventRow>,
    /// The identity DP3AK confirmed: (label, value) lines.
    pub verified: Vec<(&'static str, String)>,
    /// What the NIK on the intake contradicts in it.
    pub flags: Vec<String>,
    /// Social assistance the person already receives: "DTKS-2026-10: PKH, BPNT".
    pub assistance: Vec<String>,
    pub placement: crate::shelter::Panel,
    pub routing: Option<crate::routing::Panel>,
    /// The case's tasks (follow-ups, family tracing) and the tracing offer.
    pub tasks: crate::tasks::CasePanel,
    /// The viewer records DP3AK identity checks: a link to the form with this case filled in.
    pub may_record_identity: bool,
    /// The viewer may open the correction form (case and intake officers; whether the
    /// intake officer still may is told by the form).
    pub may_correct: bool,
}

/// Why the person was on the street, the protection concerns, and referrals.
pub struct Protection {
    pub cause: Option<Text>,
    pub concerns: Vec<Text>,
    /// Where the viewer may refer (code, label); empty when nothing calls for it or the
    /// viewer may not.
    pub services: Vec<(&'static str, Text)>,
    /// "07-12-2026 09:21 WIB · Polisi … (oleh …)".
    pub referrals: Vec<String>,
}

fn protection(lang: Lang, number: &str, csrf: &str, p: &Protection) -> Markup {
    html! {
        @if !p.concerns.is_empty() || !p.referrals.is_empty() || !p.services.is_empty() {
            section.protection #protection role="region" aria-labelledby="protection-title" {
                h2 #protection-title { (tr(lang, "Perlindungan", "Protection")) }
                @if !p.concerns.is_empty() {
                    p.flags { strong { (tr(lang, "Perlu perlindungan: ", "Needs protection: ")) } (join(lang, &p.concerns)) }
                }
                @if !p.referrals.is_empty() {
                    ul { @for r in &p.referrals { li { (r) } } }
                }
                @if !p.services.is_empty() {
                    form.card method="post" action={ "/cases/" (number) "/protection-referral" } {
                        input type="hidden" name="csrf" value=(csrf);
                        label for="service" { (tr(lang, "Rujuk ke", "Refer to")) }
                        select #service name="service" required {
                            option value="" { (tr(lang, "— pilih —", "— choose —")) }
                            @for (code, label) in &p.services { option value=(code) { (label.get(lang)) } }
                        }
                        p.hint { (tr(lang, "Hubungi layanan itu lebih dulu; catat di sini setelah rujukan diterima.",
                                     "Call the service first; record it here once they took the referral.")) }
                        button type="submit" { (tr(lang, "Catat rujukan", "Record the referral")) }
                    }
                }
            }
        }
    }
}

/// The next-step panel at the top of the case page.
pub struct NextStep {
    /// What the case waits for, in the reader's language.
    pub lead: String,
    pub steps: Vec<Step>,
    pub decided: Option<Decided>,
    /// The confirmation of the action just taken.
    pub done: Option<Text>,
}

pub enum Step {
    /// To a form further down the page (`#decide`) or another page.
    Link { href: String, label: Text },
    /// A bare move of the case, made by this button.
    Move { to: &'static str, label: Text },
}

/// "Diputuskan: pulang — oleh …, 07-12 09:21 · Ubah".
pub struct Decided {
    pub what: String,
    pub by: String,
    pub at: String,
    /// Where to change it (an anchor on the page) and the link's words.
    pub change: Option<(String, Text)>,
}

fn next_step(lang: Lang, number: &str, csrf: &str, n: &NextStep) -> Markup {
    html! {
        section.next-step aria-labelledby="next-step-title" {
            @if let Some(done) = &n.done {
                p.notice.saved role="status" { (done.get(lang)) }
            }
            h2 #next-step-title { (tr(lang, "Langkah berikutnya", "Next step")) }
            p.lead { (n.lead) }
            @if !n.steps.is_empty() {
                div.steps {
                    @for (i, step) in n.steps.iter().enumerate() {
                        @match step {
                            Step::Link { href, label } => a.button.primary[i == 0] href=(href) { (label.get(lang)) },
                            Step::Move { to, label } => form.inline method="post" action={ "/cases/" (number) "/transition" } {
                                input type="hidden" name="csrf" value=(csrf);
                                input type="hidden" name="to" value=(to);
                                button.primary[i == 0] type="submit" { (label.get(lang)) }
                            },
                        }
                    }
                }
            }
            @if let Some(d) = &n.decided {
                p.decided {
                    strong { (tr(lang, "Diputuskan: ", "Decided: ")) } (d.what)
                    @if !d.by.is_empty() { " — " (tr(lang, "oleh ", "by ")) (d.by) "," } " " (d.at)
                    @if let Some((href, label)) = &d.change { " · " a href=(href) { (label.get(lang)) } }
                }
            }
        }
    }
}

/// A move of the case to another state, offered as a button.
pub struct Move {
    /// The form value naming the state.
    pub value: &'static str,
    pub label: Text,
    /// Closing a case asks for its reason.
    pub needs_reason: bool,
}

pub fn show(lang: Lang, user: &NavUser, v: &CaseView) -> Markup {
    page(
        &Page {
            title: &v.number,
            lang,
            section: Some(Section::Cases),
            path: "/cases",
            user: Some(user),
        },
        html! {
            h1 { (v.number) }
            p.state { (v.state.get(lang)) }
            (next_step(lang, &v.number, &v.csrf, &v.next))
            @if let Some(at) = &v.anonymised {
                p.notice role="note" {
                    (tr(lang, "Data pribadi kasus ini telah dianonimkan pada ", "This case's personal data was anonymised on "))
                    (at)
                    (tr(lang, ": masa retensinya berakhir (UU PDP Pasal 42–44).", ": its retention period ended (UU PDP Art. 42–44)."))
                }
            }
            dl.facts {
                dt { (tr(lang, "Nama", "Name")) } dd { (v.name) " " small.muted { "(" (v.name_quality.get(lang)) ")" } }
                @if !v.aliases.is_empty() { dt { (tr(lang, "Alias", "Aliases")) } dd { (v.aliases) } }
                dt { (tr(lang, "Jenis kelamin", "Sex")) } dd { (v.sex.get(lang)) }
                dt { (tr(lang, "Lahir / umur", "Born / age")) } dd { (v.birth) " " small.muted { "(" (v.birth_quality.get(lang)) ")" } }
                dt { "NIK" } dd { (v.nik) }
                @if v.imported {
                    dt { (tr(lang, "Diimpor saat mulai", "Imported at go-live")) } dd { (v.found) }
                } @else {
                    dt { (tr(lang, "Dijangkau", "Picked up")) } dd { (v.found) }
                }
                @if !v.found_address.is_empty() && !v.imported { dt { (tr(lang, "Alamat lokasi", "Address")) } dd { (v.found_address) } }
                dt { (tr(lang, "Asal (keterangan)", "Home (as stated)")) } dd { (v.home) }
                dt { (tr(lang, "Kondisi", "Conditions")) } dd { @if v.conditions.is_empty() { "–" } @else { (join(lang, &v.conditions)) } }
                @if let Some(c) = &v.protection.cause { dt { (tr(lang, "Sebab berada di jalan", "Why on the street")) } dd { (c.get(lang)) } }
            }
            (protection(lang, &v.number, &v.csrf, &v.protection))
            @if v.may_correct && v.anonymised.is_none() {
                p { a.button href={ "/cases/" (v.number) "/correction" } { (tr(lang, "Perbaiki data atau tambah foto", "Correct the data or add photos")) } }
            }
            @if !v.flags.is_empty() {
                div.flags role="note" {
                    h2 { (tr(lang, "NIK tidak sesuai dengan catatan intake", "The NIK does not agree with the intake")) }
                    ul { @for f in &v.flags { li { (f) } } }
                }
            }
            @if !v.assistance.is_empty() {
                p.assistance {
                    strong { (tr(lang, "Sudah menerima bantuan sosial: ", "Already receives social assistance: ")) }
                    (v.assistance.join("; "))
                }
            }
            @if !v.verified.is_empty() {
                section.verified {
                    h2 { (tr(lang, "Identitas terverifikasi DP3AK", "Identity verified by DP3AK")) }
                    dl.facts { @for (k, val) in &v.verified { dt { (k) } dd { (val) } } }
                }
            }
            // Offered once: in the next-step panel while the case waits for a check.
            @if v.may_record_identity && !v.next.steps.iter().any(|s| matches!(s, Step::Link { href, .. } if href.starts_with("/identity/checks/new"))) {
                p { a.button href={ "/identity/checks/new?case=" (v.number) } { (tr(lang, "Catat hasil pemeriksaan", "Record a check result")) } }
            }
            @if !v.photos.is_empty() {
                div.photos {
                    @for id in &v.photos {
                        img src={ "/cases/" (v.number) "/photos/" (id) } alt=(tr(lang, "Foto saat penjangkauan", "Photo at pick-up")) width="160";
                    }
                }
            }
            @if let Some(routing) = &v.routing { (crate::routing::panel(lang, &v.number, &v.csrf, routing)) }
            (crate::shelter::panel(lang, &v.number, &v.csrf, &v.placement))
            (crate::tasks::case_panel(lang, &v.number, &v.tasks))
            @if !v.actions.is_empty() {
                details.actions {
                    summary { (tr(lang, "Tindakan lain", "Other actions")) }
                    @for to in &v.actions {
                        form.card method="post" action={ "/cases/" (v.number) "/transition" } {
                            input type="hidden" name="csrf" value=(v.csrf);
                            input type="hidden" name="to" value=(to.value);
                            @if to.needs_reason {
                                label for={ "reason-" (to.value) } { (tr(lang, "Alasan (wajib)", "Reason (required)")) }
                                input id={ "reason-" (to.value) } name="reason" required;
                            }
                            button type="submit" { (to.label.get(lang)) }
                        }
                    }
                }
            }
            h2 { (tr(lang, "Riwayat", "Timeline")) }
            ol.timeline {
                @for e in &v.events {
                    li {
                        time { (e.at) } " · " strong { (e.kind.get(lang)) }
                        @if let Some(to) = e.to_state { " → " (to.get(lang)) }
                        @if !e.reason.is_empty() { " — " (e.reason) }
                        @if !e.actor.is_empty() { " (" (e.actor) ")" }
                    }
                }
            }
        },
    )
}
