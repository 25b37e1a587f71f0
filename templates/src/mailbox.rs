//! The demo's local mailbox: what the regency offices would receive.
use maud::{html, Markup};

use crate::i18n::{tr, Lang};
use crate::layout::{page, NavUser, Page, Section};

pub struct Mail {
    pub id: i64,
    /// Local time, already formatted.
    pub received: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
}

pub fn mailbox(lang: Lang, user: &NavUser, mails: &[Mail]) -> Markup {
    let title = tr(lang, "Kotak surat demo", "Demo mailbox");
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Admin),
            path: "/demo/mailbox",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            p { (tr(lang,
                "Surel yang dikirim Simlontar dalam demo ini diterima oleh server SMTP lokal dan ditampilkan di sini.",
                "Email Simlontar sends in this demo is received by a local SMTP server and shown here.")) }
            @if mails.is_empty() {
                p.empty { (tr(lang, "Belum ada surel.", "No email yet.")) }
            } @else {
                table tabindex="0" {
                    thead { tr {
                        th scope="col" { (tr(lang, "Diterima", "Received")) }
                        th scope="col" { (tr(lang, "Kepada", "To")) }
                        th scope="col" { (tr(lang, "Perihal", "Subject")) }
                    } }
                    tbody {
                        @for m in mails {
                            tr {
                                td { (m.received) }
                                td { (m.to.join(", ")) }
                                td { a href={ "/demo/mailbox/" (m.id) } { (m.subject) } }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub fn mail(lang: Lang, user: &NavUser, m: &Mail) -> Markup {
    page(
        &Page {
            title: &m.subject,
            lang,
            section: Some(Section::Admin),
            path: "/demo/mailbox",
            user: Some(user),
        },
        html! {
            p { a href="/demo/mailbox" { "← " (tr(lang, "Kotak surat", "Mailbox")) } }
            h1 { (m.subject) }
            p { (tr(lang, "Kepada", "To")) ": " (m.to.join(", ")) " · " (m.received) }
            pre.mail-body { (m.text) }
        },
    )
}
