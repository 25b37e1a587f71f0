//! The receiving office's workspace: the people coming to it, and one person's
//! need-to-know card with the office's answers (accept, another date, collect at
//! Balai PRS PMKS Sidoarjo, decline, received). The same card is reached from the
//! notice's link. Every answer asks for a tick that confirms it.
use maud::{html, Markup};

use crate::i18n::{tr, Lang};
use crate::intake::{field_error, text_field};
use crate::layout::{page, NavUser, Page, Section};

pub struct IncomingRow {
    pub number: String,
    pub name: String,
    pub arrival: String,
    pub status: String,
}

pub fn incoming(lang: Lang, user: &NavUser, rows: &[IncomingRow], done: Option<&str>) -> Markup {
    let title = tr(lang, "Warga yang akan diserahkan", "People coming to you");
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Incoming),
            path: "/incoming",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            @if let Some(d) = done { p.notice role="status" { (d) } }
            @if rows.is_empty() {
                p { (tr(lang, "Belum ada warga yang akan diserahkan ke kantor Anda.", "Nobody is on the way to your office.")) }
            } @else {
                ul.cards {
                    @for r in rows {
                        li.card {
                            a href={ "/incoming/" (r.number) } { strong { (r.name) } }
                            br; small { (r.number) }
                            p { (tr(lang, "Perkiraan tiba: ", "Expected: ")) (r.arrival) }
                            p { (r.status) }
                        }
                    }
                }
            }
        },
    )
}

pub struct Card {
    pub number: String,
    pub name: String,
    pub photos: Vec<String>,
    pub age: String,
    pub sex: String,
    pub conditions: Vec<String>,
    pub escort: String,
    pub arrival: String,
    pub departed: bool,
    pub place: String,
    pub office: String,
    pub contact: Vec<String>,
    /// What has been answered so far, one line each.
    pub status: Vec<String>,
    pub accepted: bool,
    pub collecting: bool,
    pub received: Option<String>,
    pub cancelled: bool,
    /// Where the answers post (`/incoming/{number}` or the link `/handover/{token}`).
    pub action: String,
    pub csrf: String,
}

/// What a refused answer brings back: which form, its errors, what was typed.
#[derive(Default)]
pub struct Kept {
    pub action: String,
    pub errors: Vec<(String, String)>,
    pub refusal: Option<String>,
    pub reason: String,
    pub date: String,
    pub note: String,
    pub receiver_name: String,
    pub receiver_ref: String,
    pub done: Option<String>,
}

pub fn card_page(lang: Lang, user: Option<&NavUser>, c: &Card, k: &Kept) -> Markup {
    let title = tr(lang, "Serah terima warga", "Hand-over of a person");
    let path = format!("/incoming/{}", c.number);
    page(
        &Page {
            title,
            lang,
            section: user.map(|_| Section::Incoming),
            path: &path,
            user,
        },
        html! {
            @if user.is_some() { p { a href="/incoming" { "← " (tr(lang, "Semua warga yang akan datang", "Everyone coming")) } } }
            h1 { (title) " " (c.number) }
            @if let Some(d) = &k.done { p.notice role="status" { (d) } }
            @if let Some(why) = &k.refusal { p.error-message role="alert" { (why) } }
            @if c.cancelled {
                p role="alert" { (tr(lang, "Serah terima ini dibatalkan: rencana perjalanannya tidak berlaku lagi. Hubungi Dinas Sosial Provinsi Jawa Timur.", "This hand-over was called off: its plan no longer stands. Please contact the East Java provincial social office.")) }
            } @else {
                (person(lang, c))
                @if let Some(r) = &c.received {
                    p role="status" { (tr(lang, "Warga sudah diterima pada ", "The person was received on ")) (r) "." }
                } @else {
                    @if c.departed {
                        (answer_form(lang, c, k, "received", tr(lang, "Warga sudah kami terima", "We have received the person"),
                            tr(lang, "Saya menyatakan warga tersebut sudah kami terima langsung.", "I state that we have received the person in person."),
                            html! {
                                @let e = errors_of(k, "received");
                                (text_field(lang, &e, "receiver_name", "Nama penerima", "Received by (name)", &k.receiver_name, "text"))
                                (text_field(lang, &e, "receiver_ref", "NIP petugas, atau hubungan dengan warga", "Officer's NIP, or relation to the person", &k.receiver_ref, "text"))
                            }))
                    } @else {
                        p { (tr(lang, "Warga belum berangkat. Penerimaan dapat dikonfirmasi setelah keberangkatannya dicatat.", "The person has not left yet. Their arrival can be confirmed once the departure is recorded.")) }
                        (answers(lang, c, k))
                    }
                }
            }
        },
    )
}

/// The need-to-know card: who is coming, when, with whom, and whom to call.
pub fn person(lang: Lang, c: &Card) -> Markup {
    html! {
    section.card.person {
        @for src in &c.photos { img src=(src) alt=(tr(lang, "Foto warga", "Photo of the person")) width="160"; }
        dl.facts {
            dt { (tr(lang, "Nama", "Name")) } dd { strong { (c.name) } }
            dt { (tr(lang, "Umur", "Age")) } dd { (c.age) }
            dt { (tr(lang, "Jenis kelamin", "Sex")) } dd { (c.sex) }
            dt { (tr(lang, "Perlu diperhatikan di perjalanan", "Matters on the journey")) }
            dd { @if c.conditions.is_empty() { (tr(lang, "tidak ada", "nothing")) } @else { (c.conditions.join(", ")) } }
            dt { (tr(lang, "Pendamping", "Escort")) } dd { (c.escort) }
            dt { (tr(lang, "Perkiraan tiba", "Expected arrival")) } dd { strong { (c.arrival) } }
            dt { (tr(lang, "Tempat serah terima", "Hand-over at")) } dd { (c.place) }
            dt { (tr(lang, "Kantor penerima", "Receiving office")) } dd { (c.office) }
            dt { (tr(lang, "Kontak Dinsos Jatim", "Dinsos Jatim contact")) }
            dd { @for l in &c.contact { (l) br; } }
        }
        @for s in &c.status { p role="status" { (s) } }
    }
        }
}

/// The answers open before the departure: accept, another date, collect, decline.
pub fn answers(lang: Lang, c: &Card, k: &Kept) -> Markup {
    html! {
    @if !c.accepted {
        (answer_form(lang, c, k, "accept", tr(lang, "Kami bersedia menerima", "We accept"),
            tr(lang, "Kami siap menerima warga ini pada waktu dan tempat di atas.", "We are ready to receive this person at the time and place above."), html! {}))
    }
    (answer_form(lang, c, k, "another_date", tr(lang, "Usulkan tanggal lain", "Propose another date"),
        tr(lang, "Kami mengusulkan tanggal lain kepada Dinsos Jatim.", "We propose another date to Dinsos Jatim."),
        html! {
            @let e = errors_of(k, "another_date");
            (text_field(lang, &e, "date", "Tanggal yang diusulkan", "Proposed date", &k.date, "date"))
            (text_field(lang, &e, "note", "Keterangan (bila perlu)", "Note (optional)", &k.note, "text"))
        }))
    @if !c.collecting {
        (answer_form(lang, c, k, "collect", tr(lang, "Kami jemput di Balai PRS PMKS Sidoarjo", "We collect at Balai PRS PMKS Sidoarjo"),
            tr(lang, "Kami menjemput warga di Balai PRS PMKS Sidoarjo; Dinsos Jatim mengantar sampai di sana.", "We collect the person at Balai PRS PMKS Sidoarjo; Dinsos Jatim takes them there."), html! {}))
    }
    (answer_form(lang, c, k, "decline", tr(lang, "Tolak serah terima", "Decline"),
        tr(lang, "Kami tidak dapat menerima warga ini. Dinsos Jatim akan mencarikan tempat di UPT.", "We cannot receive this person. Dinsos Jatim will find a UPT place."),
        html! {
            @let e = errors_of(k, "decline");
            (text_field(lang, &e, "reason", "Alasan penolakan", "Reason for declining", &k.reason, "text"))
        }))
        }
}

fn errors_of(k: &Kept, action: &str) -> Vec<(String, String)> {
    if k.action == action {
        k.errors.clone()
    } else {
        vec![]
    }
}

/// One answer's form: its fields, the tick that confirms it, its button.
fn answer_form(
    lang: Lang,
    c: &Card,
    k: &Kept,
    action: &str,
    button: &str,
    statement: &str,
    fields: Markup,
) -> Markup {
    let e = errors_of(k, action);
    let tick = format!("confirm-{action}");
    let invalid = e.iter().any(|(f, _)| f == "confirm");
    html! {
        form.card method="post" action=(c.action) novalidate {
            input type="hidden" name="csrf" value=(c.csrf);
            input type="hidden" name="action" value=(action);
            h2 { (button) }
            (fields)
            div.field {
                label.check {
                    input id=(tick) type="checkbox" name="confirm" value="yes"
                        aria-invalid=[invalid.then_some("true")] aria-describedby=[invalid.then(|| format!("{tick}-error"))];
                    " " (statement)
                }
                @if invalid { (field_error(&[(tick.clone(), e.iter().find(|(f, _)| f == "confirm").map(|(_, m)| m.clone()).unwrap_or_default())], &tick)) }
            }
            button type="submit" { (button) }
            @if action == "received" { p { small { (tr(lang, "Tidak dapat dibatalkan.", "Cannot be undone.")) } } }
        }
    }
}
