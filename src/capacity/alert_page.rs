//! One capacity alert's page: the ward, its decongestion list (`decongest`), and the
//! acknowledgement, which records the action taken (a closed vocabulary, `AlertAction`,
//! and a note). Acknowledging is not resolving: reminders keep coming until the risk
//! passes. The people on the list are shown to case officers, administrators and the
//! ward's own UPT staff; others see the alert without them.
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use sqlx::{Postgres, Row, Transaction};

use super::decongest::{self, LONG_STAY_DAYS, NEARBY_KM};
use crate::auth::audit::{self, Origin};
use crate::auth::model::{Principal, Role};
use crate::auth::policy::{allows, require, Action, CaseScope};
use crate::clock::format_local;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::vocab::{label_of, AlertAction, AlertLevel, DecongestKind};
use crate::web::viewer::Viewer;
use simlontar_templates::decongest as view;
use simlontar_templates::i18n::tr;
use simlontar_templates::Lang;

#[derive(Debug, Default, Deserialize)]
pub struct AckForm {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub note: String,
}

/// Whether `p` may see the people on the list of a ward of `upt`.
pub fn sees_people(p: &Principal, upt: &str) -> bool {
    p.has(Role::CaseOfficer)
        || p.has(Role::Admin)
        || p.scopes(Role::UptStaff).iter().any(|s| s == upt)
}

#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    pub done: String,
}

pub async fn show_alert(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> AppResult<Response> {
    require(&v.principal, Action::ViewCapacity)?;
    let kept = AckForm::default();
    render(&state, &v, id, &kept, vec![], q.done == "ack").await
}

/// Records the acknowledgement and the action taken: the action is required, the note
/// optional (up to 1,000 characters). Refused input comes back on the page, kept.
pub async fn acknowledge(
    tx: &mut Transaction<'_, Postgres>,
    p: &Principal,
    origin: &Origin,
    now: DateTime<Utc>,
    (id, f): (i64, &AckForm),
) -> AppResult<()> {
    require(p, Action::DecideCase)?;
    let mut errors = vec![];
    let action = AlertAction::parse(f.action.trim());
    if action.is_none() {
        errors.push(FieldError::new(
            "action",
            "Pilih tindakan yang diambil untuk peringatan ini.",
        ));
    }
    let note = f.note.trim();
    if note.chars().count() > 1000 {
        errors.push(FieldError::new(
            "note",
            "Catatan paling banyak 1.000 huruf.",
        ));
    }
    let Some(action) = action.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let done = sqlx::query(
        "UPDATE capacity_alert SET acknowledged_at = $2, acknowledged_by = $3, ack_action = $4, ack_note = $5
          WHERE id = $1 AND resolved_at IS NULL AND acknowledged_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .bind(p.user_id)
    .bind(action)
    .bind(note)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if done == 0 {
        return Err(AppError::Conflict(
            "peringatan sudah selesai atau sudah ditanggapi / alert not open or already acknowledged"
                .into(),
        ));
    }
    audit::record(
        &mut **tx,
        origin,
        "acknowledge",
        "capacity_alert",
        Some(&id.to_string()),
        json!({"action": action.code()}),
    )
    .await?;
    Ok(())
}

pub async fn acknowledge_alert(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<AckForm>,
) -> AppResult<Response> {
    require(&v.principal, Action::DecideCase)?;
    let mut tx = state.pool.begin().await?;
    match acknowledge(
        &mut tx,
        &v.principal,
        &v.origin,
        state.clock.now(),
        (id, &f),
    )
    .await
    {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/capacity/alerts/{id}?done=ack")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let errors = errors.into_iter().map(|e| (e.field, e.message)).collect();
            let mut page = render(&state, &v, id, &f, errors, false).await?;
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(page)
        }
        Err(e) => Err(e),
    }
}

async fn render(
    state: &AppState,
    v: &Viewer,
    id: i64,
    kept: &AckForm,
    errors: Vec<(String, String)>,
    saved: bool,
) -> AppResult<Response> {
    let now = state.clock.now();
    let tz = state.settings.time_zone;
    let lang = v.lang;
    let mut tx = CaseScope::of(&v.principal, now).begin(&state.pool).await?;
    let r = sqlx::query(
        "SELECT a.upt_code, u.name AS upt, a.ward_id, coalesce(w.name, '–') AS ward, a.level, a.opened_at,
                a.probability, a.days_to_full, a.acknowledged_at, p.display_name, a.ack_action, a.ack_note,
                a.resolved_at
           FROM capacity_alert a JOIN upt u ON u.code = a.upt_code LEFT JOIN ward w ON w.id = a.ward_id
           LEFT JOIN app_user p ON p.id = a.acknowledged_by
          WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let upt_code: String = r.get("upt_code");
    let level = AlertLevel::parse(&r.get::<String, _>("level")).unwrap_or(AlertLevel::Watch);
    let p14: Option<f64> = r.get("probability");
    let days: Option<f64> = r.get("days_to_full");
    let acknowledged = r
        .get::<Option<DateTime<Utc>>, _>("acknowledged_at")
        .map(|t| {
            let action: Option<String> = r.get("ack_action");
            (
                format!(
                    "{}, {}",
                    r.get::<Option<String>, _>("display_name")
                        .unwrap_or_default(),
                    format_local(t, tz)
                ),
                action.map_or(
                    simlontar_templates::i18n::Text::new(
                        "(tindakan tidak dicatat)",
                        "(no action recorded)",
                    ),
                    |a| label_of(AlertAction::parse, AlertAction::label, &a),
                ),
                r.get::<String, _>("ack_note"),
            )
        });
    let kinds = match r.get::<Option<i64>, _>("ward_id") {
        Some(ward) if sees_people(&v.principal, &upt_code) => {
            let list = decongest::for_ward(&mut tx, ward, now, tz).await?;
            Some(kinds(lang, &list, tz))
        }
        Some(_) => None,
        None => Some(vec![]),
    };
    tx.commit().await?;
    let page = view::alert(
        lang,
        &v.nav,
        &view::AlertView {
            id,
            upt: r.get("upt"),
            upt_href: format!("/capacity/upt/{upt_code}"),
            ward: r.get("ward"),
            level: level.label(),
            level_class: level.class(),
            since: format_local(r.get("opened_at"), tz),
            forecast: format!(
                "{} {}{}",
                tr(
                    lang,
                    "peluang penuh dalam 14 hari",
                    "chance of full within 14 days"
                ),
                p14.map_or("–".into(), |p| format!("{:.0}%", p * 100.0)),
                days.map_or(String::new(), |d| if d < 1.0 {
                    format!(" · {}", tr(lang, "sudah penuh", "full now"))
                } else {
                    format!(" · ± {d:.0} {}", tr(lang, "hari lagi penuh", "days to full"))
                })
            ),
            resolved: r
                .get::<Option<DateTime<Utc>>, _>("resolved_at")
                .map(|t| format_local(t, tz)),
            acknowledged,
            kinds,
            computed: format_local(now, tz),
            may_ack: allows(&v.principal, Action::DecideCase),
            actions: AlertAction::ALL
                .iter()
                .map(|a| (a.code(), a.label()))
                .collect(),
            kept_action: kept.action.clone(),
            kept_note: kept.note.clone(),
            errors,
            saved: saved.then(|| {
                tr(
                    lang,
                    "Tersimpan: tanggapan dan tindakan yang diambil dicatat. Peringatan tetap terbuka sampai risikonya lewat.",
                    "Saved: the acknowledgement and the action taken. The alert stays open until the risk passes.",
                )
                .to_string()
            }),
        },
    );
    Ok(page.into_response())
}

fn kinds(lang: Lang, list: &decongest::List, tz: chrono_tz::Tz) -> Vec<view::Kind> {
    let stayed = |since: DateTime<Utc>| {
        format!(
            "{} {}",
            tr(lang, "tinggal sejak", "staying since"),
            format_local(since, tz)
        )
    };
    let go_home = list
        .go_home
        .iter()
        .map(|r| view::Person {
            href: format!("/cases/{}#decide", r.number),
            number: r.number.clone(),
            name: r.name.clone(),
            detail: format!(
                "{} · {}",
                match (r.identified, r.home_known) {
                    (true, true) => tr(
                        lang,
                        "teridentifikasi, alamat diketahui",
                        "identified, home known"
                    ),
                    (true, false) => tr(lang, "teridentifikasi", "identified"),
                    _ => tr(lang, "alamat diketahui", "home known"),
                },
                stayed(r.since)
            ),
        })
        .collect();
    let long_stay = list
        .long_stay
        .iter()
        .map(|r| view::Person {
            href: format!("/cases/{}", r.number),
            number: r.number.clone(),
            name: r.name.clone(),
            detail: stayed(r.since),
        })
        .collect();
    let elsewhere = list
        .elsewhere
        .iter()
        .map(|w| view::Person {
            href: format!("/cases/{}#decide", w.number),
            number: w.number.clone(),
            name: w.name.clone(),
            detail: format!(
                "{} {} · {} {}, {} ({} {}, ± {:.0} km)",
                tr(lang, "menunggu sejak", "waiting since"),
                format_local(w.since, tz),
                tr(lang, "cocok di", "fits"),
                w.upt_name,
                w.ward_name,
                w.free,
                tr(lang, "tempat kosong", "free beds"),
                w.distance_km
            ),
        })
        .collect();
    let why = |k: DecongestKind| -> String {
        match k {
            DecongestKind::GoHome => tr(lang,
                "Penghuni yang identitasnya terverifikasi atau alamatnya diketahui, layak perjalanan, tidak ditolak, dan belum punya rencana pulang: putuskan rute pulang di halaman kasusnya.",
                "Residents identified or with a known home, fit to travel, not refused and with no plan home yet: decide the route home on their case page.").to_string(),
            DecongestKind::LongStay => format!("{} {LONG_STAY_DAYS} {}", tr(lang, "Penghuni yang sudah tinggal di bangsal ini lebih dari", "Residents in this ward for more than"), tr(lang, "hari: tinjau rencana mereka.", "days: review their plan.")),
            DecongestKind::Elsewhere => format!("{} {NEARBY_KM:.0} {}", tr(lang, "Orang yang menunggu tempat tidur jenis ini, yang kebutuhannya diterima bangsal UPT lain dengan tempat kosong dalam jarak", "People waiting for this kind of bed whose needs a ward of another UPT takes, with free beds within"), tr(lang, "km dari rumahnya: rujuk ke sana.", "km of their home: refer them there.")),
        }
    };
    vec![
        view::Kind {
            title: DecongestKind::GoHome.label(),
            why: why(DecongestKind::GoHome),
            people: go_home,
        },
        view::Kind {
            title: DecongestKind::LongStay.label(),
            why: why(DecongestKind::LongStay),
            people: long_stay,
        },
        view::Kind {
            title: DecongestKind::Elsewhere.label(),
            why: why(DecongestKind::Elsewhere),
            people: elsewhere,
        },
    ]
}
