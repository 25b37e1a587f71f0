//! Screens that belong to no single capability: the home overview and error pages.
use maud::{html, Markup};

use crate::i18n::{tr, Lang};
use crate::layout::{page, NavUser, Page, Section};

pub struct HomeView {
    pub open_cases: i64,
    pub intakes_30d: i64,
    pub beds: i64,
    pub occupied: i64,
    /// When the occupancy figures were last changed, already formatted in WIB.
    pub updated: String,
    /// What waits for this person, by role (`worklist`), shown first.
    pub work: Vec<crate::worklist::WorkSection>,
}

pub fn home(lang: Lang, user: &NavUser, v: &HomeView) -> Markup {
    let t = lang.t();
    let share = if v.beds > 0 {
        (v.occupied as f64 / v.beds as f64).clamp(0.0, 1.0)
    } else {
        0.0
    };
    page(
        &Page {
            title: t.home_title,
            lang,
            section: Some(Section::Home),
            path: "/",
            user: Some(user),
        },
        html! {
            h1 { (tr(lang, "Pekerjaan Anda", "Your work")) }
            (crate::worklist::worklist(lang, &v.work))
            section.province aria-labelledby="province-h" {
            h2 id="province-h" { (tr(lang, "Ringkasan provinsi", "Province overview")) }
            p.hint { (t.home_intro) }
            dl.stats.small {
                div { dt { (t.stat_open_cases) } dd { (v.open_cases) } }
                div { dt { (t.stat_intakes_30d) } dd { (v.intakes_30d) } }
                div {
                    dt { (t.stat_upt_beds) }
                    dd {
                        (v.occupied) " / " (v.beds)
                        svg.bar viewBox="0 0 100 8" width="100%" height="12" role="img"
                            aria-label={ (t.stat_occupied) " " (format!("{:.0}%", share * 100.0)) } {
                            rect x="0" y="0" width="100" height="8" class="bar-bg" {}
                            rect x="0" y="0" width=(format!("{:.1}", share * 100.0)) height="8" class="bar-fill" {}
                        }
                    }
                }
            }
            p.updated { (t.last_updated) ": " (v.updated) }
            }
        },
    )
}

/// An error page. `reference` is the request id, shown on server-side failures so that a
/// report from the desk can be found in the logs.
pub fn error(
    lang: Lang,
    status: u16,
    message: &str,
    fields: &[(Option<&str>, String)],
    reference: Option<&str>,
) -> Markup {
    let t = lang.t();
    page(
        &Page {
            title: message,
            lang,
            section: None,
            path: "/",
            user: None,
        },
        html! {
            h1 { (status) }
            p.error-message role="alert" { (message) }
            @if !fields.is_empty() {
                ul.field-errors {
                    @for (label, msg) in fields {
                        li { @if let Some(l) = label { strong { (l) } ": " } (msg) }
                    }
                }
            }
            @if let Some(r) = reference {
                p.reference { (tr(lang, "Kode rujukan", "Reference")) ": " code { (r) } }
            }
            p { a href="/" { (t.back_home) } }
        },
    )
}
