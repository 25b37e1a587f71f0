//! The worklist's sections as the home page shows them: each with its count, its first
//! items (linked to where the action is done) and the words for nothing waiting.
use chrono::{DateTime, Duration, Utc};
use sqlx::{Postgres, Transaction};

use super::{sections_for, store, waiting, Section};
use crate::auth::model::{Principal, Role};
use crate::auth::policy::CaseScope;
use crate::capacity::decongest;
use crate::clock::format_local;
use crate::config::Settings;
use crate::intake::correct::OWN_CORRECTION_WINDOW;
use crate::vocab::{label_of, AlertLevel, CaseState, DecongestKind};
use simlontar_templates::i18n::tr;
use simlontar_templates::worklist::{WorkItem, WorkSection};
use simlontar_templates::Lang;

type Tx<'a> = Transaction<'a, Postgres>;

/// Items shown per section; the rest are behind the section's link.
pub const SHOWN: i64 = 5;
/// Alerts whose decongestion counts the home page works out (each reads the ward's
/// residents); further alerts are behind the alerts page's link.
const ALERTS_SHOWN: i64 = 2;

/// "3 jam 20 menit" / "2 hari 4 jam": how long something has waited.
pub fn waited(lang: Lang, d: Duration) -> String {
    let mins = d.num_minutes().max(0);
    let (days, hours, m) = (mins / 1440, (mins % 1440) / 60, mins % 60);
    let (dw, hw, mw) = (
        tr(lang, "hari", "d"),
        tr(lang, "jam", "h"),
        tr(lang, "menit", "min"),
    );
    if days > 0 {
        format!("{days} {dw} {hours} {hw}")
    } else if hours > 0 {
        format!("{hours} {hw} {m} {mw}")
    } else {
        format!("{m} {mw}")
    }
}

/// The worklist of `p` at `now`, in `tx` (opened in `p`'s scope).
pub async fn sections(
    tx: &mut Tx<'_>,
    settings: &Settings,
    p: &Principal,
    lang: Lang,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<WorkSection>> {
    let tz = settings.time_zone;
    let scope = CaseScope::of(p, now);
    let at = |t: DateTime<Utc>| format_local(t, tz);
    let mut out = vec![];
    for section in sections_for(p) {
        let s = match section {
            Section::RouteDecisions => {
                let target = Duration::hours(settings.route_decision_target_hours.into());
                let l = store::route_decisions(tx, SHOWN).await?;
                WorkSection {
                    anchor: "work-route",
                    title: tr(
                        lang,
                        "Menunggu keputusan rute",
                        "Waiting for a route decision",
                    )
                    .into(),
                    count: l.count,
                    empty: tr(
                        lang,
                        "Tidak ada kasus yang menunggu keputusan rute.",
                        "No case is waiting for a route decision.",
                    )
                    .into(),
                    note: Some(format!(
                        "{} {} {}",
                        tr(lang, "Target: diputuskan dalam", "Target: decided within"),
                        settings.route_decision_target_hours,
                        tr(lang, "jam sejak penerimaan.", "hours of intake.")
                    )),
                    items: l
                        .rows
                        .into_iter()
                        .map(|r| WorkItem {
                            href: format!("/cases/{}#decide", r.number),
                            title: format!("{} · {}", r.name, r.number),
                            detail: format!(
                                "{} · {} {} ({})",
                                label_of(CaseState::parse, CaseState::label, &r.what).get(lang),
                                tr(lang, "menunggu", "waiting"),
                                waited(lang, now - r.since),
                                at(r.since)
                            ),
                            late: now - r.since > target,
                        })
                        .collect(),
                    more: more(l.count, SHOWN, "/cases?state=identified", lang),
                }
            }
            Section::IdentityChecks => {
                let l = store::identity_checks(tx, SHOWN).await?;
                WorkSection {
                    anchor: "work-identity",
                    title: tr(
                        lang,
                        "Pemeriksaan identitas yang ditunggu",
                        "Identity checks due",
                    )
                    .into(),
                    count: l.count,
                    empty: tr(
                        lang,
                        "Tidak ada kasus yang menunggu pemeriksaan identitas.",
                        "No case is waiting for an identity check.",
                    )
                    .into(),
                    note: Some(
                        tr(
                            lang,
                            "Yang paling lama menunggu di atas.",
                            "Longest waiting first.",
                        )
                        .into(),
                    ),
                    items: l
                        .rows
                        .into_iter()
                        .map(|r| WorkItem {
                            href: format!("/identity/checks/new?case={}", r.number),
                            title: format!("{} · {}", r.name, r.number),
                            detail: format!(
                                "{} {} ({})",
                                tr(lang, "menunggu", "waiting"),
                                waited(lang, now - r.since),
                                at(r.since)
                            ),
                            late: false,
                        })
                        .collect(),
                    more: more(l.count, SHOWN, "/cases?state=identity_pending", lang),
                }
            }
            Section::Refusals => {
                let l = store::refusals(tx, SHOWN).await?;
                WorkSection {
                    anchor: "work-refusals",
                    title: tr(
                        lang,
                        "Penolakan yang perlu dirundingkan",
                        "Refusals to negotiate",
                    )
                    .into(),
                    count: l.count,
                    empty: tr(
                        lang,
                        "Tidak ada penolakan yang terbuka.",
                        "No open refusal.",
                    )
                    .into(),
                    note: None,
                    items: l
                        .rows
                        .into_iter()
                        .map(|r| WorkItem {
                            href: format!("/cases/{}#refusal", r.number),
                            title: format!("{} · {}", r.name, r.number),
                            detail: format!(
                                "{} {}",
                                match r.what.as_str() {
                                    "family" =>
                                        tr(lang, "Ditolak keluarga", "Refused by the family"),
                                    _ => tr(
                                        lang,
                                        "Ditolak pemerintah daerah / kantor penerima",
                                        "Refused by the home government / receiving office"
                                    ),
                                },
                                at(r.since)
                            ),
                            late: false,
                        })
                        .collect(),
                    more: None,
                }
            }
            Section::Tasks => {
                let tasks = crate::tasks::store::open_for(tx, p, now).await?;
                WorkSection {
                    anchor: "work-tasks",
                    title: tr(
                        lang,
                        "Tugas tindak lanjut dan penelusuran",
                        "Follow-up and tracing tasks",
                    )
                    .into(),
                    count: tasks.len() as i64,
                    empty: tr(lang, "Tidak ada tugas yang terbuka.", "No open tasks.").into(),
                    note: None,
                    more: more(tasks.len() as i64, SHOWN, "/tasks", lang),
                    items: tasks
                        .into_iter()
                        .take(SHOWN as usize)
                        .map(|t| WorkItem {
                            title: format!("{} · {}", t.kind.label().get(lang), t.case_number),
                            detail: format!(
                                "{} {}",
                                tr(lang, "Batas waktu", "Due"),
                                t.due_on.format("%d-%m-%Y")
                            ),
                            late: t.overdue,
                            href: t.href,
                        })
                        .collect(),
                }
            }
            Section::UnacknowledgedHandovers | Section::Incoming => {
                let incoming = section == Section::Incoming;
                let offices = incoming.then(|| p.scopes(Role::RegencyOfficer));
                let l = store::unacknowledged_handovers(tx, offices.as_deref(), SHOWN).await?;
                let after = Duration::hours(settings.escalate_after_hours.into());
                WorkSection {
                    anchor: if incoming {
                        "work-incoming"
                    } else {
                        "work-handovers"
                    },
                    title: if incoming {
                        tr(
                            lang,
                            "Warga yang akan datang, belum Anda tanggapi",
                            "People coming to you, not yet acknowledged",
                        )
                    } else {
                        tr(
                            lang,
                            "Serah terima belum ditanggapi kantor penerima",
                            "Hand-overs not yet acknowledged by the receiving office",
                        )
                    }
                    .into(),
                    count: l.count,
                    empty: if incoming {
                        tr(
                            lang,
                            "Semua pemberitahuan sudah Anda tanggapi.",
                            "You have answered every notice.",
                        )
                    } else {
                        tr(
                            lang,
                            "Semua pemberitahuan serah terima sudah ditanggapi.",
                            "Every hand-over notice was acknowledged.",
                        )
                    }
                    .into(),
                    note: None,
                    items: l
                        .rows
                        .into_iter()
                        .map(|r| WorkItem {
                            href: if incoming {
                                format!("/incoming/{}", r.number)
                            } else {
                                format!("/cases/{}", r.number)
                            },
                            title: format!("{} · {}", r.name, r.number),
                            detail: if incoming {
                                format!(
                                    "{} {}",
                                    tr(lang, "Pemberitahuan dikirim", "Notice sent"),
                                    at(r.since)
                                )
                            } else {
                                format!(
                                    "{} · {} {} ({})",
                                    r.what,
                                    tr(lang, "dikirim", "sent"),
                                    at(r.since),
                                    waited(lang, now - r.since)
                                )
                            },
                            late: now - r.since > after,
                        })
                        .collect(),
                    more: more(
                        l.count,
                        SHOWN,
                        if incoming {
                            "/incoming"
                        } else {
                            "/routing/offices"
                        },
                        lang,
                    ),
                }
            }
            Section::OwnIntakes => {
                let l =
                    store::own_intakes(tx, p.user_id, now - OWN_CORRECTION_WINDOW, SHOWN).await?;
                WorkSection {
                    anchor: "work-intakes",
                    title: tr(
                        lang,
                        "Penerimaan Anda yang belum lengkap",
                        "Your pick-ups still missing something",
                    )
                    .into(),
                    count: l.count,
                    empty: tr(
                        lang,
                        "Penerimaan Anda hari ini sudah lengkap.",
                        "Your pick-ups of today are complete.",
                    )
                    .into(),
                    note: Some(
                        tr(
                            lang,
                            "Bisa Anda lengkapi sampai 24 jam setelah dicatat.",
                            "You can complete them up to 24 hours after recording.",
                        )
                        .into(),
                    ),
                    items: l
                        .rows
                        .into_iter()
                        .map(|r| WorkItem {
                            href: format!("/cases/{}/correction", r.number),
                            title: format!("{} · {}", r.name, r.number),
                            detail: format!(
                                "{} {}",
                                tr(lang, "Belum ada:", "Missing:"),
                                r.what
                                    .split(',')
                                    .map(|w| match w {
                                        "photo" => tr(lang, "foto", "photo"),
                                        "name" => tr(lang, "nama", "name"),
                                        _ => tr(lang, "alamat asal", "home"),
                                    })
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                            late: false,
                        })
                        .collect(),
                    more: None,
                }
            }
            Section::WaitingList => {
                let own = waiting::own_upts(p);
                let (count, rows) =
                    waiting::list(tx, own.as_deref(), SHOWN as usize, (now, tz)).await?;
                let needs = waiting::need_labels(tx, lang).await?;
                WorkSection {
                    anchor: "work-waiting",
                    title: tr(lang, "Daftar tunggu tempat tidur", "Waiting for a bed").into(),
                    count: count as i64,
                    empty: if own.is_some() {
                        tr(
                            lang,
                            "Tidak ada yang menunggu tempat tidur di UPT Anda.",
                            "Nobody is waiting for a bed in your UPT.",
                        )
                    } else {
                        tr(
                            lang,
                            "Tidak ada yang menunggu tempat tidur UPT.",
                            "Nobody is waiting for a UPT bed.",
                        )
                    }
                    .into(),
                    note: None,
                    items: rows
                        .into_iter()
                        .map(|w| WorkItem {
                            href: format!("/cases/{}#placement", w.number),
                            title: format!("{} · {}", w.name, w.number),
                            detail: format!(
                                "{} · {} {}",
                                w.need
                                    .as_ref()
                                    .and_then(|n| needs.get(n).cloned())
                                    .unwrap_or_else(|| "–".into()),
                                tr(lang, "menunggu sejak", "waiting since"),
                                at(w.since)
                            ),
                            late: false,
                        })
                        .collect(),
                    more: Some((
                        "/waiting-list".into(),
                        tr(lang, "Buka daftar tunggu", "Open the waiting list").into(),
                    )),
                }
            }
            Section::CapacityAlerts => {
                let l = store::alerts(tx, &scope, ALERTS_SHOWN).await?;
                let mut items = vec![];
                for a in l.rows {
                    let c = decongest::for_ward(tx, a.ward_id, now, tz).await?.counts();
                    items.push(WorkItem {
                        href: format!("/capacity/alerts/{}", a.id),
                        title: format!(
                            "{}: {} · {}",
                            label_of(AlertLevel::parse, AlertLevel::label, &a.level).get(lang),
                            a.upt_name,
                            a.ward_name
                        ),
                        detail: format!(
                            "{} {} · {} {} · {} {} · {} {}",
                            tr(lang, "sejak", "since"),
                            at(a.since),
                            c.go_home,
                            DecongestKind::GoHome.label().get(lang).to_lowercase(),
                            c.long_stay,
                            DecongestKind::LongStay.label().get(lang).to_lowercase(),
                            c.elsewhere,
                            tr(lang, "bisa ke UPT lain", "could go to another UPT"),
                        ) + if a.acknowledged {
                            tr(lang, " · sudah ditanggapi", " · acknowledged")
                        } else {
                            ""
                        },
                        late: false,
                    });
                }
                WorkSection {
                    anchor: "work-alerts",
                    title: tr(
                        lang,
                        "Peringatan kapasitas dan daftar pengurangan hunian",
                        "Capacity alerts and decongestion lists",
                    )
                    .into(),
                    count: l.count,
                    empty: tr(
                        lang,
                        "Tidak ada peringatan kapasitas yang terbuka.",
                        "No open capacity alert.",
                    )
                    .into(),
                    note: None,
                    items,
                    more: more(l.count, ALERTS_SHOWN, "/capacity/alerts", lang),
                }
            }
        };
        out.push(s);
    }
    Ok(out)
}

fn more(count: i64, shown: i64, href: &str, lang: Lang) -> Option<(String, String)> {
    (count > shown).then(|| {
        (
            href.to_string(),
            format!("{} {count}", tr(lang, "Lihat semua", "See all")),
        )
    })
}
