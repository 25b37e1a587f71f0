//! The waiting list for a UPT bed, as the system already keeps it: a person is waiting
//! while they have an open `waiting_list` entry (the ward that fit was full) or an open
//! referral to a UPT (the case officer's decision) and no bed yet. Since when, the need,
//! and the UPT/ward proposed: the held bed's, else the referral's UPT, else the first ward
//! that fits them (`shelter::store::proposed_upt`'s order). UPT staff see their UPT's;
//! case officers all, with a filter by UPT.
use std::collections::HashMap;

use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use maud::Markup;
use serde::Deserialize;
use sqlx::{Postgres, Row, Transaction};

use crate::auth::model::{Principal, Role};
use crate::auth::policy::{require, Action, CaseScope};
use crate::clock::format_local;
use crate::error::AppResult;
use crate::shelter::store::{candidates, person};
use crate::state::AppState;
use crate::web::viewer::Viewer;
use simlontar_templates::i18n::tr;
use simlontar_templates::worklist as view;
use simlontar_templates::Lang;

type Tx<'a> = Transaction<'a, Postgres>;

/// One person waiting for a bed.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    pub number: String,
    pub name: String,
    pub since: DateTime<Utc>,
    /// The need code of the waiting-list entry, else the person's first need.
    pub need: Option<String>,
    /// The UPT proposed (code, name) and the ward when a bed is held.
    pub upt: Option<(String, String)>,
    pub ward: Option<String>,
    pub held: bool,
    /// The UPT is the case officer's referral or a held bed, not only the first that fits.
    pub decided: bool,
}

/// Everyone waiting that the scope sees, longest first; `upts` keeps those proposed to
/// one of these UPTs. `limit` cuts the list after the filter.
pub async fn list(
    tx: &mut Tx<'_>,
    upts: Option<&[String]>,
    limit: usize,
    (now, tz): (DateTime<Utc>, chrono_tz::Tz),
) -> sqlx::Result<(usize, Vec<Waiting>)> {
    let found = sqlx::query(
        "SELECT c.id, c.number, coalesce(nullif(i.stated_name, ''), '–') AS name,
                least(wl.since, r.referred_at) AS since, wl.need_code,
                coalesce(hw.upt_code, r.upt_code) AS upt_code, coalesce(hu.name, ru.name) AS upt_name,
                hw.name AS ward_name, h.id IS NOT NULL AS held
           FROM ot_case c JOIN intake i ON i.id = c.intake_id
           LEFT JOIN waiting_list wl ON wl.case_id = c.id AND wl.resolved_at IS NULL
           LEFT JOIN referral r ON r.case_id = c.id AND r.ended_at IS NULL
           LEFT JOIN upt ru ON ru.code = r.upt_code
           LEFT JOIN bed_hold h ON h.case_id = c.id AND h.released_at IS NULL
           LEFT JOIN ward hw ON hw.id = h.ward_id LEFT JOIN upt hu ON hu.code = hw.upt_code
          WHERE c.closed_at IS NULL AND (wl.id IS NOT NULL OR r.id IS NOT NULL)
            AND NOT EXISTS (SELECT 1 FROM placement p WHERE p.case_id = c.id AND p.ended_at IS NULL)
          ORDER BY since, c.id",
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut out = vec![];
    let mut total = 0;
    for r in found {
        // With no filter, rows past the limit are only counted (no proposal worked out).
        if upts.is_none() && out.len() >= limit {
            total += 1;
            continue;
        }
        let mut w = Waiting {
            number: r.get("number"),
            name: r.get("name"),
            since: r.get("since"),
            need: r.get("need_code"),
            upt: r
                .get::<Option<String>, _>("upt_code")
                .zip(r.get::<Option<String>, _>("upt_name")),
            ward: r.get("ward_name"),
            held: r.get("held"),
            decided: r.get::<Option<String>, _>("upt_code").is_some(),
        };
        // Without a referral or a hold, the first ward that fits (the proposal's UPT).
        if w.upt.is_none() || w.need.is_none() {
            let p = person(tx, r.get("id"), now, tz).await?;
            if w.need.is_none() {
                w.need = p.needs.first().map(|n| n.to_string());
            }
            if w.upt.is_none() {
                w.upt = candidates(tx, &p)
                    .await?
                    .into_iter()
                    .next()
                    .map(|c| (c.upt_code, c.upt_name));
            }
        }
        if let Some(upts) = upts {
            if !w.upt.as_ref().is_some_and(|(code, _)| upts.contains(code)) {
                continue;
            }
        }
        total += 1;
        if out.len() < limit {
            out.push(w);
        }
    }
    Ok((total, out))
}

/// The UPTs whose list `p` sees: None (all) for case officers and administrators, else
/// their own.
pub fn own_upts(p: &Principal) -> Option<Vec<String>> {
    if p.has(Role::CaseOfficer) || p.has(Role::Admin) {
        None
    } else {
        Some(p.scopes(Role::UptStaff))
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Filter {
    #[serde(default)]
    pub upt: String,
}

/// The need labels (`need` table) in `lang`.
pub async fn need_labels(tx: &mut Tx<'_>, lang: Lang) -> sqlx::Result<HashMap<String, String>> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT code, name_id, name_en FROM need")
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(c, id, en)| (c, if lang == Lang::En { en } else { id }))
        .collect())
}

pub async fn show_waiting_list(
    State(state): State<AppState>,
    v: Viewer,
    Query(f): Query<Filter>,
) -> AppResult<Markup> {
    // Those who place people: case officers and UPT staff.
    require(&v.principal, Action::ManagePlacements)?;
    let now = state.clock.now();
    let tz = state.settings.time_zone;
    let mut tx = CaseScope::of(&v.principal, now).begin(&state.pool).await?;
    let own = own_upts(&v.principal);
    let all_upts: Vec<(String, String)> =
        sqlx::query_as("SELECT code, name FROM upt ORDER BY name")
            .fetch_all(&mut *tx)
            .await?;
    let chosen = f.upt.trim();
    let filter: Option<Vec<String>> = match &own {
        Some(own) => Some(own.clone()),
        None if all_upts.iter().any(|(c, _)| c == chosen) => Some(vec![chosen.to_string()]),
        None => None,
    };
    let (_, rows) = list(&mut tx, filter.as_deref(), usize::MAX, (now, tz)).await?;
    let needs = need_labels(&mut tx, v.lang).await?;
    tx.commit().await?;
    let rows = rows
        .into_iter()
        .map(|w| view::WaitingRow {
            need: w
                .need
                .as_ref()
                .and_then(|n| needs.get(n).cloned())
                .unwrap_or_else(|| "–".into()),
            since: format_local(w.since, tz),
            proposed: match (&w.upt, &w.ward) {
                (Some((_, u)), Some(ward)) => format!("{u} · {ward}"),
                (Some((_, u)), None) if w.decided => {
                    format!("{u} ({})", tr(v.lang, "dirujuk", "referred"))
                }
                (Some((_, u)), None) => format!(
                    "{u} ({})",
                    tr(
                        v.lang,
                        "usulan: bangsal pertama yang cocok",
                        "proposed: first ward that fits"
                    )
                ),
                _ => tr(v.lang, "belum ada bangsal yang cocok", "no ward fits yet").to_string(),
            },
            held: w.held,
            number: w.number,
            name: w.name,
        })
        .collect();
    let of = own.as_ref().map(|own| {
        let names: Vec<&str> = all_upts
            .iter()
            .filter(|(c, _)| own.contains(c))
            .map(|(_, n)| n.as_str())
            .collect();
        format!(
            "{} {}",
            tr(v.lang, "Daftar untuk:", "List for:"),
            names.join(", ")
        )
    });
    let upts = if own.is_some() {
        vec![]
    } else {
        all_upts
            .into_iter()
            .map(|(c, n)| {
                let sel = c == chosen;
                (c, n, sel)
            })
            .collect()
    };
    let path = if chosen.is_empty() {
        "/waiting-list".to_string()
    } else {
        format!("/waiting-list?upt={chosen}")
    };
    Ok(view::waiting(
        v.lang,
        &v.nav,
        &path,
        &view::WaitingView { rows, upts, of },
    ))
}
