//! The confirmation step before an action that cannot be undone. It is a plain page with a
//! form (no script): the first post of an action renders it, the second (with `confirm=yes`)
//! does the work. Fields the action needs (a discharge reason) can be shown on it, with
//! their errors beside them, so a missing choice is fixed here and nothing typed is lost.
use maud::{html, Markup};

use crate::i18n::{tr, Lang};
use crate::layout::{page, NavUser, Page, Section};

pub struct ConfirmView<'a> {
    pub title: &'a str,
    pub section: Section,
    /// The question, naming the person or case the action is about.
    pub question: String,
    /// What will happen, one sentence each.
    pub consequences: Vec<String>,
    /// Where the confirmed form posts.
    pub action: String,
    /// Hidden fields carried to the confirmed post (besides `csrf` and `confirm`).
    pub hidden: Vec<(&'static str, String)>,
    /// Visible fields the action needs, already rendered with their errors.
    pub fields: Option<Markup>,
    pub confirm_label: &'a str,
    /// Where "Batal" leads (the page the action started from).
    pub cancel: String,
}

pub fn confirm(lang: Lang, user: &NavUser, v: &ConfirmView) -> Markup {
    page(
        &Page {
            title: v.title,
            lang,
            section: Some(v.section),
            path: &v.cancel,
            user: Some(user),
        },
        html! {
            h1 { (v.title) }
            form.card.confirm method="post" action=(v.action) {
                p.question { strong { (v.question) } }
                @if !v.consequences.is_empty() {
                    ul { @for c in &v.consequences { li { (c) } } }
                }
                input type="hidden" name="csrf" value=(user.csrf);
                input type="hidden" name="confirm" value="yes";
                @for (name, value) in &v.hidden { input type="hidden" name=(name) value=(value); }
                @if let Some(f) = &v.fields { (f) }
                div.actions {
                    button.danger type="submit" { (v.confirm_label) }
                    a.cancel href=(v.cancel) { (tr(lang, "Batal", "Cancel")) }
                }
            }
        },
    )
}
