//! One capacity alert: its ward, its decongestion list (who could leave or go elsewhere),
//! and the acknowledgement that records what was done.
use maud::{html, Markup};

use crate::i18n::{tr, Lang, Text};
use crate::layout::{page, NavUser, Page, Section};

/// One person on the list, already worded.
pub struct Person {
    /// Where the action is done: the case page's route decision, or the case page.
    pub href: String,
    pub number: String,
    pub name: String,
    pub detail: String,
}

/// One kind of the list (go home, long stay, elsewhere).
pub struct Kind {
    pub title: Text,
    pub why: String,
    pub people: Vec<Person>,
}

pub struct AlertView {
    pub id: i64,
    pub upt: String,
    /// The UPT's capacity page.
    pub upt_href: String,
    pub ward: String,
    pub level: Text,
    pub level_class: &'static str,
    pub since: String,
    pub forecast: String,
    pub resolved: Option<String>,
    /// "name, time" once acknowledged, with the action and note.
    pub acknowledged: Option<(String, Text, String)>,
    /// None when the viewer may not see the people (outside their scope).
    pub kinds: Option<Vec<Kind>>,
    pub computed: String,
    pub may_ack: bool,
    /// The action vocabulary: (code, label).
    pub actions: Vec<(&'static str, Text)>,
    /// What was sent back after a refused acknowledgement.
    pub kept_action: String,
    pub kept_note: String,
    pub errors: Vec<(String, String)>,
    /// The confirmation after the acknowledgement was saved.
    pub saved: Option<String>,
}

pub fn alert(lang: Lang, user: &NavUser, v: &AlertView) -> Markup {
    let title = format!("{} · {} · {}", v.level.get(lang), v.upt, v.ward);
    let path = format!("/capacity/alerts/{}", v.id);
    let error = |f: &str| v.errors.iter().find(|e| e.0 == f).map(|e| e.1.clone());
    page(
        &Page {
            title: &title,
            lang,
            section: Some(Section::Capacity),
            path: &path,
            user: Some(user),
        },
        html! {
            p { a href="/capacity/alerts" { "← " (tr(lang, "Semua peringatan", "All alerts")) } }
            @if let Some(s) = &v.saved { p.notice role="status" { (s) } }
            h1 { strong.(v.level_class) { (v.level.get(lang)) } ": " (v.ward) }
            dl.facts {
                dt { "UPT" } dd { a href=(v.upt_href) { (v.upt) } }
                dt { (tr(lang, "Sejak", "Since")) } dd { (v.since) }
                dt { (tr(lang, "Prakiraan", "Forecast")) } dd { (v.forecast) }
                @if let Some(r) = &v.resolved { dt { (tr(lang, "Selesai", "Resolved")) } dd { (r) } }
                dt { (tr(lang, "Tanggapan", "Acknowledged")) }
                dd {
                    @match &v.acknowledged {
                        Some((by, action, note)) => {
                            (by) br; strong { (action.get(lang)) }
                            @if !note.is_empty() { br; (note) }
                        }
                        None => { (tr(lang, "belum", "not yet")) }
                    }
                }
            }
            section.decongest aria-labelledby="decongest-h" {
                h2 id="decongest-h" { (tr(lang, "Daftar pengurangan hunian", "Decongestion list")) }
                p.hint { (tr(lang,
                    "Siapa yang bisa keluar dari bangsal ini atau ditempatkan di tempat lain, supaya bangsal tidak penuh. Dihitung ",
                    "Who could leave this ward or be placed elsewhere, so it does not fill up. Computed ")) (v.computed) "." }
                @match &v.kinds {
                    None => { p { (tr(lang,
                        "Daftar orang hanya untuk petugas kasus dan staf UPT ini.",
                        "The list of people is for case officers and this UPT's staff.")) } }
                    Some(kinds) => { @for k in kinds {
                        h3 { (k.title.get(lang)) " " span.count.(if k.people.is_empty() { "none" } else { "some" }) { (k.people.len()) } }
                        p.hint { (k.why) }
                        @if k.people.is_empty() {
                            p.empty { "✓ " (tr(lang, "Tidak ada.", "Nobody.")) }
                        } @else {
                            ul.work-list { @for p in &k.people { li {
                                a href=(p.href) { (p.name) " · " (p.number) }
                                br; small { (p.detail) }
                            } } }
                        }
                    } }
                }
            }
            @if v.may_ack && v.acknowledged.is_none() && v.resolved.is_none() {
                form.card id="ack" method="post" action={ "/capacity/alerts/" (v.id) "/ack" } {
                    h2 { (tr(lang, "Tanggapi peringatan", "Acknowledge the alert")) }
                    @if !v.errors.is_empty() {
                        div.error-summary role="alert" {
                            (tr(lang, "Tanggapan belum tersimpan:", "The acknowledgement was not saved:"))
                            ul { @for (_, m) in &v.errors { li { (m) } } }
                        }
                    }
                    input type="hidden" name="csrf" value=(user.csrf);
                    fieldset.field {
                        legend { (tr(lang, "Tindakan yang diambil", "Action taken")) span.required { " *" } }
                        @if let Some(e) = error("action") { p.field-error id="action-error" { (e) } }
                        @for (code, label) in &v.actions {
                            label { input type="radio" name="action" value=(code) checked[v.kept_action == *code] required; " " (label.get(lang)) }
                        }
                    }
                    label for="note" { (tr(lang, "Catatan (siapa, berapa orang, kapan)", "Note (who, how many, when)")) }
                    @if let Some(e) = error("note") { p.field-error { (e) } }
                    textarea id="note" name="note" rows="3" maxlength="1000" { (v.kept_note) }
                    button type="submit" { (tr(lang, "Simpan tanggapan", "Save the acknowledgement")) }
                }
            }
        },
    )
}
