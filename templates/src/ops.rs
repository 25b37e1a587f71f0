//! The operations page: scheduled jobs and the mail outbox.
use maud::{html, Markup};

use crate::i18n::{tr, Lang, Text};
use crate::layout::{page, NavUser, Page, Section};

pub struct JobRow {
    pub name: Text,
    pub schedule: String,
    pub last_slot: Option<String>,
    pub finished: Option<String>,
}

pub struct OpsView<'a> {
    pub waiting: i64,
    pub sent: i64,
    pub failed: i64,
    pub oldest_waiting: Option<String>,
    /// Minutes the oldest waiting message has waited, when over the limit.
    pub late_minutes: Option<i64>,
    pub jobs: &'a [JobRow],
}

pub fn operations(lang: Lang, user: &NavUser, v: &OpsView) -> Markup {
    let title = tr(
        lang,
        "Operasional: tugas terjadwal dan surel",
        "Operations: scheduled jobs and email",
    );
    let none = "–".to_string();
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Admin),
            path: "/admin/operations",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            @if let Some(m) = v.late_minutes {
                p.error-message.ops-warning role="alert" {
                    (tr(lang, "Peringatan: surel tertahan", "Warning: email held up"))
                    " — " (tr(lang, "pesan tertua menunggu", "the oldest message has waited")) " "
                    (m) " " (tr(lang, "menit (batas 60). Periksa server surel.", "minutes (limit 60). Check the mail server."))
                }
            }
            h2 { (tr(lang, "Kotak keluar surel", "Email outbox")) }
            table.outbox {
                tbody {
                    tr { th { (tr(lang, "Menunggu dikirim", "Waiting")) } td.waiting { (v.waiting) } }
                    tr { th { (tr(lang, "Gagal (ditolak permanen)", "Failed (refused for good)")) } td.failed { (v.failed) } }
                    tr { th { (tr(lang, "Terkirim", "Sent")) } td { (v.sent) } }
                    tr { th { (tr(lang, "Pesan menunggu tertua sejak", "Oldest waiting since")) } td { (v.oldest_waiting.as_ref().unwrap_or(&none)) } }
                }
            }
            h2 { (tr(lang, "Tugas terjadwal", "Scheduled jobs")) }
            table.jobs {
                thead { tr {
                    th { (tr(lang, "Tugas", "Job")) } th { (tr(lang, "Jadwal", "Schedule")) }
                    th { (tr(lang, "Jadwal terakhir dijalankan", "Last slot run")) } th { (tr(lang, "Selesai", "Finished")) }
                } }
                tbody {
                    @for j in v.jobs {
                        tr {
                            td { (j.name.get(lang)) } td { (j.schedule) }
                            td { (j.last_slot.as_ref().unwrap_or(&none)) } td { (j.finished.as_ref().unwrap_or(&none)) }
                        }
                    }
                }
            }
        },
    )
}
