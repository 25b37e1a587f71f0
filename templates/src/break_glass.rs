//! Emergency (break-glass) access: the request form and the administrator's weekly review.
use maud::{html, Markup};

use crate::i18n::{tr, Lang};
use crate::layout::{page, NavUser, Page, Section};

pub struct RequestView<'a> {
    pub number: &'a str,
    pub reason: &'a str,
    /// Field errors: (field, message).
    pub errors: &'a [(String, String)],
}

pub fn request(lang: Lang, user: &NavUser, v: &RequestView) -> Markup {
    let title = tr(lang, "Akses darurat ke kasus", "Emergency access to a case");
    let error_for = |f: &str| {
        v.errors
            .iter()
            .find(|(k, _)| k == f)
            .map(|(_, m)| m.clone())
    };
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Cases),
            path: "/break-glass",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            p { (tr(lang,
                "Gunakan hanya bila keselamatan seseorang bergantung padanya. Akses berlaku 2 jam untuk satu kasus, dicatat dengan alasan Anda, dan ditinjau administrator setiap minggu.",
                "Use only when someone's safety depends on it. Access lasts 2 hours for one case, is recorded with your reason, and an administrator reviews it every week.")) }
            form.card method="post" action="/break-glass" novalidate {
                input type="hidden" name="csrf" value=(user.csrf);
                label for="number" { (tr(lang, "Nomor kasus", "Case number")) }
                input #number name="number" type="text" required value=(v.number)
                    aria-invalid=[error_for("number").map(|_| "true")];
                @if let Some(m) = error_for("number") { p.field-error role="alert" { (m) } }
                label for="reason" { (tr(lang, "Alasan (paling sedikit 20 huruf)", "Reason (at least 20 characters)")) }
                textarea #reason name="reason" rows="3" required minlength="20"
                    aria-invalid=[error_for("reason").map(|_| "true")] { (v.reason) }
                @if let Some(m) = error_for("reason") { p.field-error role="alert" { (m) } }
                button type="submit" { (tr(lang, "Buka kasus", "Open the case")) }
            }
        },
    )
}

pub struct GrantRow {
    pub id: i64,
    pub user: String,
    pub case_number: String,
    pub reason: String,
    pub granted: String,
    pub expires: String,
    /// Reads of the case by that user while the grant lasted.
    pub reads: i64,
    pub reviewed: Option<String>,
}

pub struct ReviewView<'a> {
    pub since: &'a str,
    pub rows: &'a [GrantRow],
}

pub fn review(lang: Lang, user: &NavUser, v: &ReviewView) -> Markup {
    let title = tr(lang, "Tinjauan akses darurat", "Emergency access review");
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Admin),
            path: "/admin/break-glass",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            p { (tr(lang, "Akses darurat sejak", "Emergency access since")) " " (v.since) }
            @if v.rows.is_empty() {
                p { (tr(lang, "Tidak ada akses darurat minggu ini.", "No emergency access this week.")) }
            } @else {
                table tabindex="0" {
                    thead { tr {
                        th { (tr(lang, "Pengguna", "User")) } th { (tr(lang, "Kasus", "Case")) }
                        th { (tr(lang, "Alasan", "Reason")) } th { (tr(lang, "Mulai", "From")) }
                        th { (tr(lang, "Sampai", "Until")) } th { (tr(lang, "Dibuka", "Reads")) }
                        th { (tr(lang, "Ditinjau", "Reviewed")) }
                    } }
                    tbody {
                        @for r in v.rows {
                            tr.flagged[r.reviewed.is_none()] {
                                td { (r.user) } td { a href={ "/cases/" (r.case_number) } { (r.case_number) } }
                                td { (r.reason) } td { (r.granted) } td { (r.expires) } td { (r.reads) }
                                td {
                                    @if let Some(t) = &r.reviewed { (t) } @else {
                                        form.inline method="post" action={ "/admin/break-glass/" (r.id) "/reviewed" } {
                                            input type="hidden" name="csrf" value=(user.csrf);
                                            button type="submit" { (tr(lang, "Tandai sudah ditinjau", "Mark reviewed")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
