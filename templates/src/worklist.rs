//! What waits for the signed-in person (the home page's sections) and the waiting list
//! for a UPT bed.
use maud::{html, Markup};

use crate::i18n::{tr, Lang};
use crate::layout::{page, NavUser, Page, Section};

/// One thing waiting, linked to where it is done.
pub struct WorkItem {
    pub href: String,
    pub title: String,
    pub detail: String,
    /// Past its target: shown first and marked.
    pub late: bool,
}

/// One section of a worklist, already in the viewer's language.
pub struct WorkSection {
    /// The section's anchor (`#work-route`): a fragment, never shown.
    pub anchor: &'static str,
    pub title: String,
    /// How many wait in all (the items are the first few).
    pub count: i64,
    /// Said when nothing waits.
    pub empty: String,
    /// A line under the title (the target, what the list is).
    pub note: Option<String>,
    pub items: Vec<WorkItem>,
    /// Where the whole list is, when more wait than are shown: (href, label).
    pub more: Option<(String, String)>,
}

/// The worklist: each section with its count, its first items and an empty state.
pub fn worklist(lang: Lang, sections: &[WorkSection]) -> Markup {
    html! {
        @if sections.is_empty() {
            p.muted { (tr(lang, "Peran Anda tidak punya daftar kerja; ringkasan provinsi ada di bawah.", "Your role has no worklist; the province overview is below.")) }
        }
        @for s in sections {
            section.work id=(s.anchor) aria-labelledby={ (s.anchor) "-h" } {
                h2 id={ (s.anchor) "-h" } {
                    (s.title) " "
                    span.count.(if s.count > 0 { "some" } else { "none" }) { (s.count) }
                }
                @if let Some(n) = &s.note { p.hint { (n) } }
                @if s.items.is_empty() {
                    p.empty { "✓ " (s.empty) }
                } @else {
                    ul.work-list {
                        @for i in &s.items {
                            li.late[i.late] {
                                a href=(i.href) { (i.title) }
                                @if i.late { " " strong.late-mark { (tr(lang, "Terlambat", "Late")) } }
                                br;
                                small { (i.detail) }
                            }
                        }
                    }
                    @if let Some((href, label)) = &s.more { p { a href=(href) { (label) " →" } } }
                }
            }
        }
    }
}

/// One person waiting for a UPT bed.
pub struct WaitingRow {
    pub number: String,
    pub name: String,
    pub need: String,
    pub since: String,
    /// The UPT and ward proposed or held for them ("–" when none fits yet).
    pub proposed: String,
    /// A bed is held for them.
    pub held: bool,
}

pub struct WaitingView {
    pub rows: Vec<WaitingRow>,
    /// The UPT filter (case officers): (code, name, selected). Empty for UPT staff.
    pub upts: Vec<(String, String, bool)>,
    /// The UPT(s) the list is of, for UPT staff ("UPT … ").
    pub of: Option<String>,
}

/// The people waiting for a UPT bed, longest first, each with the action.
pub fn waiting(lang: Lang, user: &NavUser, path: &str, v: &WaitingView) -> Markup {
    let title = tr(
        lang,
        "Daftar tunggu tempat tidur UPT",
        "Waiting list for a UPT bed",
    );
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Capacity),
            path,
            user: Some(user),
        },
        html! {
            h1 { (title) }
            p { (tr(lang,
                "Orang yang menunggu tempat tidur: dirujuk ke UPT tetapi belum diterima, atau bangsal yang cocok penuh. Buka kasusnya untuk menempatkan atau menahan tempat tidur.",
                "People waiting for a bed: referred to a UPT but not admitted yet, or the ward that fits was full. Open the case to place them or hold a bed.")) }
            @if let Some(of) = &v.of { p.hint { (of) } }
            @if !v.upts.is_empty() {
                form.filters method="get" action="/waiting-list" {
                    label for="upt" { (tr(lang, "UPT", "UPT")) }
                    select id="upt" name="upt" {
                        option value="" { (tr(lang, "Semua UPT", "All UPTs")) }
                        @for (code, name, sel) in &v.upts {
                            option value=(code) selected[*sel] { (name) }
                        }
                    }
                    button type="submit" { (tr(lang, "Tampilkan", "Show")) }
                }
            }
            p { strong { (v.rows.len()) } " " (tr(lang, "orang menunggu", "people waiting")) }
            @if v.rows.is_empty() {
                p.empty { "✓ " (tr(lang, "Tidak ada yang menunggu tempat tidur.", "Nobody is waiting for a bed.")) }
            } @else {
                ul.work-list {
                    @for r in &v.rows { li {
                        strong { (r.name) } " · " small { (r.number) }
                        br;
                        (r.need) " · " (tr(lang, "menunggu sejak", "waiting since")) " " (r.since)
                        br;
                        (tr(lang, "UPT / bangsal:", "UPT / ward:")) " " (r.proposed)
                        @if r.held { " · " strong { (tr(lang, "tempat tidur ditahan", "bed held")) } }
                        br;
                        a.button href={ "/cases/" (r.number) "#placement" } {
                            (tr(lang, "Tempatkan atau tahan tempat tidur", "Place or hold a bed"))
                        }
                    } }
                }
            }
        },
    )
}
