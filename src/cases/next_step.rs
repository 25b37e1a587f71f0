//! The case page's next-step panel: what the case waits for now, the one or two actions
//! that move it on (each a form further down the page or a move of its own), what was
//! decided and by whom, and the confirmation of the action just taken. Pure: it reads the
//! state and the panels the page already built, so it offers nothing they would refuse.
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::model::State;
use super::store::CaseEvent;
use simlontar_templates::cases::{Decided, NextStep, Step};
use simlontar_templates::i18n::{tr, Text};
use simlontar_templates::{routing, shelter, Lang};

crate::vocabulary! {
    /// An action taken from the case page, confirmed on the page it returns to
    /// (`/cases/{number}?done=route`). Only these codes are read back, so the link
    /// cannot carry words of its own.
    pub enum Done {
        Moved = "moved" => ("Tersimpan: status kasus diubah.", "Saved: the case's status changed."),
        Identity = "identity" => ("Tersimpan: hasil pemeriksaan identitas.", "Saved: the identity check result."),
        Route = "route" => ("Tersimpan: keputusan rute.", "Saved: the route decision."),
        Depart = "depart" => ("Tersimpan: keberangkatan dicatat, kantor penerima sudah diberi tahu.", "Saved: the departure is recorded and the receiving office was told."),
        Refusal = "refusal" => ("Tersimpan: penolakan atau catatan negosiasi.", "Saved: the refusal or negotiation note."),
        Place = "place" => ("Tersimpan: penempatan di bangsal.", "Saved: the placement in a ward."),
        Transfer = "transfer" => ("Tersimpan: pindah bangsal.", "Saved: the transfer to another ward."),
        Protection = "protection" => ("Tersimpan: rujukan perlindungan dicatat.", "Saved: the protection referral is recorded."),
        Discharge = "discharge" => ("Tersimpan: keluar dari UPT, tempat tidurnya kosong lagi.", "Saved: the discharge; the bed is free again."),
        Tracing = "tracing" => ("Tersimpan: tugas penelusuran keluarga diberikan; kantor yang dipilih melihatnya di menu Tugas.", "Saved: the family tracing task is given; the chosen office sees it under Tasks."),
    }
}

/// What the page knows that decides the next step.
pub struct Situation<'a> {
    pub number: &'a str,
    pub state: State,
    /// The bare moves the viewer may make (`model::actions`).
    pub moves: &'a [State],
    pub may_record_identity: bool,
    pub routing: Option<&'a routing::Panel>,
    pub shelter: &'a shelter::Panel,
}

/// The words for a bare move, as a verb (the state's own label names where it ends).
pub fn verb(to: State) -> Text {
    match to {
        State::IdentityPending => Text::new(
            "Kirim untuk pemeriksaan identitas DP3AK",
            "Send for a DP3AK identity check",
        ),
        State::Identified => Text::new("Tandai teridentifikasi", "Mark as identified"),
        State::Unidentified => Text::new("Tandai tidak teridentifikasi", "Mark as not identified"),
        State::Closed => Text::new("Tutup kasus…", "Close the case…"),
        other => other.label(),
    }
}

fn link(href: String, label: Text) -> Step {
    Step::Link { href, label }
}

fn on_page(anchor: &str, label: Text) -> Step {
    link(format!("#{anchor}"), label)
}

/// The panel: at most two actions, in the order the work goes.
pub fn next_step(s: &Situation, lang: Lang) -> NextStep {
    use State::*;
    let r = s.routing;
    let decides = r.is_some_and(|r| r.may_decide);
    let mut steps = vec![];
    let lead: String = match s.state {
        Received | IdentityPending => {
            if s.may_record_identity {
                steps.push(link(
                    format!("/identity/checks/new?case={}", s.number),
                    Text::new("Catat hasil pemeriksaan", "Record a check result"),
                ));
            }
            if s.state == Received && s.moves.contains(&IdentityPending) {
                steps.push(Step::Move {
                    to: IdentityPending.code(),
                    label: verb(IdentityPending),
                });
            }
            if s.state == Received {
                tr(
                    lang,
                    "Kasus baru tercatat. Berikutnya: pemeriksaan identitas oleh DP3AK.",
                    "A new case. Next: DP3AK checks the person's identity.",
                )
                .into()
            } else {
                tr(
                    lang,
                    "Menunggu hasil pemeriksaan identitas dari DP3AK.",
                    "Waiting for DP3AK's identity check.",
                )
                .into()
            }
        }
        Identified | Unidentified | Placed => {
            if decides {
                steps.push(on_page(
                    "decide",
                    Text::new("Putuskan: pulang atau UPT", "Decide: home or a UPT"),
                ));
            }
            if s.shelter.may_place {
                steps.push(on_page(
                    "placement",
                    Text::new("Tempatkan di bangsal UPT", "Place in a UPT ward"),
                ));
            }
            if s.shelter.may_move {
                steps.push(on_page(
                    "discharge",
                    Text::new("Catat keluar dari UPT", "Record a discharge"),
                ));
            }
            match (&s.shelter.stay, r.and_then(|r| r.referral.as_ref())) {
                (Some(stay), _) => format!("{} {stay}.", tr(lang, "Tinggal di UPT:", "Staying in a UPT:")),
                (None, Some(to)) => format!(
                    "{} {to}. {}",
                    tr(lang, "Dirujuk ke", "Referred to"),
                    tr(lang, "Menunggu penempatan di bangsal oleh staf UPT.", "Waiting for the UPT's staff to place the person in a ward.")
                ),
                (None, None) if s.state == Identified => tr(lang,
                    "Identitas sudah dipastikan. Berikutnya: putuskan pulang ke daerah asal atau tinggal di UPT.",
                    "The identity is confirmed. Next: decide between home and a UPT.").into(),
                (None, None) => tr(lang,
                    "Identitas tidak ditemukan. Berikutnya: putuskan UPT, atau pulang bila alamatnya diketahui.",
                    "No identity was found. Next: decide on a UPT, or home if the address is known.").into(),
            }
        }
        RoutedHome => {
            // The departure's day, time and escort are set on the plan page first.
            if r.is_some_and(|r| r.may_refuse) {
                steps.push(link(
                    format!("/cases/{}/plan", s.number),
                    Text::new(
                        "Atur jadwal keberangkatan dan pendamping",
                        "Schedule the departure and the escort",
                    ),
                ));
            }
            if r.is_some_and(|r| r.may_depart) {
                steps.push(on_page(
                    "depart",
                    Text::new("Catat keberangkatan", "Record the departure"),
                ));
            }
            if r.is_some_and(|r| r.may_refuse) {
                steps.push(on_page(
                    "refusal",
                    Text::new("Catat penolakan", "Record a refusal"),
                ));
            }
            tr(lang, "Akan dipulangkan. Berikutnya: catat keberangkatan saat warga berangkat bersama pendamping.",
               "Going home. Next: record the departure when the person leaves with the escort.").into()
        }
        InTransit => {
            if r.is_some_and(|r| r.may_refuse) {
                steps.push(on_page(
                    "refusal",
                    Text::new("Catat penolakan", "Record a refusal"),
                ));
            }
            tr(lang, "Dalam perjalanan. Menunggu kantor penerima mengonfirmasi bahwa warga sudah diterima.",
               "On the way. Waiting for the receiving office to confirm the person arrived.").into()
        }
        HandedOver => {
            steps.push(link(
                format!("/cases/{}/handover-form", s.number),
                Text::new(
                    "Cetak berita acara serah terima",
                    "Print the hand-over record",
                ),
            ));
            tr(lang, "Selesai: warga sudah diserahterimakan kepada keluarga atau dinas sosial daerah asal.",
               "Done: the person was handed over to the family or the home social office.").into()
        }
        Discharged => tr(
            lang,
            "Selesai: warga sudah keluar dari UPT.",
            "Done: the person left the UPT.",
        )
        .into(),
        Closed => tr(lang, "Kasus ditutup.", "The case is closed.").into(),
    };
    steps.truncate(2);
    NextStep {
        lead,
        steps,
        decided: None,
        done: None,
    }
}

/// "Decided: home — by …, 07-12 09:21", from the newest route decision, or the refusal
/// that called a home decision off; in a final state it stays as history.
pub fn decided(
    events: &[CaseEvent],
    upts: &std::collections::HashMap<String, String>,
    s: &Situation,
    lang: Lang,
    tz: Tz,
) -> Option<Decided> {
    let e = events
        .iter()
        .rev()
        .find(|e| matches!(e.kind.as_str(), "route_decided" | "route_home" | "refused"))?;
    let chosen = match e.kind.as_str() {
        "route_home" => Some("home"),
        "refused" => Some("refused"),
        _ => e.detail.get("chosen").and_then(|c| c.as_str()),
    };
    let what = match chosen {
        Some("home") => tr(lang, "pulang ke daerah asal", "home").to_string(),
        Some("refused") => tr(
            lang,
            "rencana pulang batal, penerimaan ditolak",
            "the plan home is off: reception was refused",
        )
        .to_string(),
        Some("upt") => {
            let upt = e.detail.get("upt").and_then(|u| u.as_str()).unwrap_or("");
            match upts.get(upt) {
                Some(name) => format!("{} {name}", tr(lang, "tinggal di", "stay at")),
                None => tr(lang, "tinggal di UPT", "stay at a UPT").to_string(),
            }
        }
        _ => return None,
    };
    let r = s.routing;
    let change = if r.is_some_and(|r| r.may_decide) {
        Some(("#decide".to_string(), Text::new("Ubah", "Change")))
    } else if s.state == State::RoutedHome && r.is_some_and(|r| r.may_refuse) {
        Some((
            "#refusal".to_string(),
            Text::new(
                "Batalkan lewat catatan penolakan",
                "Call off with a refusal",
            ),
        ))
    } else {
        None
    };
    Some(Decided {
        what,
        by: e.actor.clone().unwrap_or_default(),
        at: short_local(e.at, tz),
        change,
    })
}

/// "07-12 09:21": the day and time an officer needs beside a recent decision.
fn short_local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%d-%m %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shelter() -> shelter::Panel {
        shelter::Panel {
            stay: None,
            waiting_since: None,
            candidates: vec![],
            may_place: false,
            may_move: false,
            discharge_reasons: vec![],
        }
    }

    fn routing(may_decide: bool, may_depart: bool, may_refuse: bool) -> routing::Panel {
        routing::Panel {
            proposed: None,
            home: None,
            choices: vec![],
            may_decide,
            plan: None,
            may_depart,
            may_refuse,
            upts: vec![],
            proposed_upt: None,
            referral: None,
        }
    }

    fn labels(n: &NextStep) -> Vec<&'static str> {
        n.steps
            .iter()
            .map(|s| match s {
                Step::Link { label, .. } | Step::Move { label, .. } => label.en,
            })
            .collect()
    }

    #[test]
    fn each_state_offers_the_work_that_moves_it_on() {
        let sh = shelter();
        let undecided = routing(true, false, false);
        let going = routing(false, true, true);
        let sit = |state, moves: &'static [State], id, r| Situation {
            number: "OT-1",
            state,
            moves,
            may_record_identity: id,
            routing: r,
            shelter: &sh,
        };
        let cases: Vec<(Situation, Vec<&str>)> = vec![
            (
                sit(
                    State::Received,
                    &[State::IdentityPending, State::Closed],
                    false,
                    None,
                ),
                vec!["Send for a DP3AK identity check"],
            ),
            (
                sit(State::IdentityPending, &[State::Identified], true, None),
                vec!["Record a check result"],
            ),
            (
                sit(State::Identified, &[State::Closed], false, Some(&undecided)),
                vec!["Decide: home or a UPT"],
            ),
            (
                sit(State::RoutedHome, &[], false, Some(&going)),
                vec![
                    "Schedule the departure and the escort",
                    "Record the departure",
                ],
            ),
            (sit(State::Closed, &[], false, None), vec![]),
        ];
        for (s, want) in cases {
            assert_eq!(labels(&next_step(&s, Lang::En)), want, "{:?}", s.state);
        }
    }

    #[test]
    fn a_viewer_who_may_do_nothing_is_told_what_the_case_waits_for() {
        let sh = shelter();
        let s = Situation {
            number: "OT-1",
            state: State::InTransit,
            moves: &[],
            may_record_identity: false,
            routing: None,
            shelter: &sh,
        };
        let n = next_step(&s, Lang::Id);
        assert!(n.steps.is_empty());
        assert!(n.lead.contains("kantor penerima"), "{}", n.lead);
    }

    #[test]
    fn only_known_codes_confirm_an_action() {
        assert_eq!(Done::parse("route"), Some(Done::Route));
        assert_eq!(Done::parse("<b>anything</b>"), None);
    }
}
