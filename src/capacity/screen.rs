//! The wall screen: every UPT and ward with beds, occupancy, holds, waiting list, 30-day
//! movements, the latest forecast and the open alert, and the province map. The panel is
//! also served alone so the page can refresh it in place each minute.
//!
//! Who sees it: case officers, UPT staff, regency viewers and administrators
//! (`Action::ViewCapacity`). UPT staff see every UPT, not only theirs: the screen holds
//! bed counts, no person, and a full UPT's staff need to know where there is room.
use crate::vocab::{self, AlertLevel, WardSex};
use std::collections::HashMap;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use maud::Markup;
use sqlx::PgPool;

use super::screen_map::geography;
use super::screen_store::{self as store, LatestForecast, OpenAlert, WardFigures};
use crate::auth::policy::{require, Action};
use crate::clock::format_local;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::viewer::Viewer;
use simlontar_templates::capacity::{
    self as view, Alert, AlertGroup, Forecast, PanelView, UptRow, WardRow,
};
use simlontar_templates::capacity_svg::{MapUpt, Risk};
use simlontar_templates::Lang;

/// A ward's or UPT's risk: its open alert decides; without one, the forecast's chance of
/// filling within 14 days; a ward with no free bed now is critical whatever was forecast.
/// A stale-data alert says nothing about beds: the risk then stays the last forecast's.
pub fn risk_of(alert: Option<&str>, p14: Option<f64>, full_now: bool) -> Risk {
    use crate::vocab::AlertLevel;
    let from_forecast = match (alert.and_then(AlertLevel::parse), p14) {
        (Some(AlertLevel::Full | AlertLevel::Critical), _) => Risk::Critical,
        (Some(AlertLevel::Warning), _) => Risk::Warning,
        (Some(AlertLevel::Watch), _) => Risk::Watch,
        (None | Some(AlertLevel::Stale), None) => Risk::Unknown,
        (None | Some(AlertLevel::Stale), Some(p)) if p >= 0.5 => Risk::Warning,
        (None | Some(AlertLevel::Stale), Some(p)) if p >= 0.2 => Risk::Watch,
        (None | Some(AlertLevel::Stale), Some(_)) => Risk::Low,
    };
    if full_now {
        Risk::Critical
    } else {
        from_forecast
    }
}

pub fn forecast_view(f: &LatestForecast, tz: Tz) -> Forecast {
    Forecast {
        p7: f.p7,
        p14: f.p14,
        p30: f.p30,
        days_to_full: f.days_to_full,
        early: f.early,
        late: f.late,
        horizon: f.horizon.unwrap_or(30),
        computed: format_local(f.computed_at, tz),
    }
}

pub fn alert_view(a: &OpenAlert, tz: Tz) -> Alert {
    let level = AlertLevel::parse(&a.level).unwrap_or(AlertLevel::Watch);
    Alert {
        level: level.label(),
        level_class: level.class(),
        acknowledged: a.acknowledged_at.is_some(),
        since: format_local(a.opened_at, tz),
    }
}

type Key = (String, Option<i64>);

/// Puts the three reads together into UPT blocks, in the wards' order.
pub fn assemble(
    lang: Lang,
    tz: Tz,
    wards: Vec<WardFigures>,
    forecasts: &[LatestForecast],
    alerts: &[OpenAlert],
) -> Vec<(UptRow, (f64, f64))> {
    let forecasts: HashMap<Key, &LatestForecast> = forecasts
        .iter()
        .map(|f| ((f.upt_code.clone(), f.ward_id), f))
        .collect();
    let alerts: HashMap<Key, &OpenAlert> = alerts
        .iter()
        .map(|a| ((a.upt_code.clone(), a.ward_id), a))
        .collect();
    let mut out: Vec<(UptRow, (f64, f64))> = vec![];
    for w in wards {
        if out.last().is_none_or(|(u, _)| u.code != w.upt_code) {
            let key = (w.upt_code.clone(), None);
            let f = forecasts.get(&key);
            let a = alerts.get(&key);
            out.push((
                UptRow {
                    code: w.upt_code.clone(),
                    name: w.upt_name.clone(),
                    town: w.town.clone(),
                    wards: vec![],
                    forecast: f.map(|f| forecast_view(f, tz)),
                    alert: a.map(|a| alert_view(a, tz)),
                    risk: risk_of(a.map(|a| a.level.as_str()), f.map(|f| f.p14), false),
                },
                (w.lon, w.lat),
            ));
        }
        let key = (w.upt_code.clone(), Some(w.ward_id));
        let f = forecasts.get(&key);
        let a = alerts.get(&key);
        let closed = w
            .closed_reason
            .as_deref()
            .map(|r| closed_text(lang, r, w.closed_until));
        let risk = risk_of(
            a.map(|a| a.level.as_str()),
            f.map(|f| f.p14),
            closed.is_none() && w.beds > 0 && w.occupied + w.held >= w.beds,
        );
        let upt = &mut out.last_mut().expect("pushed above").0;
        upt.risk = upt.risk.max(risk);
        upt.wards.push(WardRow {
            id: w.ward_id,
            code: w.ward_code,
            name: w.ward_name,
            sex: vocab::label_of(WardSex::parse, WardSex::label, &w.sex),
            need: match lang {
                Lang::Id => w.need_id,
                Lang::En => w.need_en,
            },
            beds: w.beds.into(),
            occupied: w.occupied.into(),
            held: w.held.into(),
            waiting: w.waiting,
            admissions: w.admissions,
            discharges: w.discharges,
            updated: format_local(w.updated_at, tz),
            forecast: f.map(|f| forecast_view(f, tz)),
            alert: a.map(|a| alert_view(a, tz)),
            risk,
            closed,
        });
    }
    out
}

/// "Closed (renovation) to 31-12-2026" in the page's language.
pub fn closed_text(lang: Lang, reason: &str, until: Option<chrono::NaiveDate>) -> String {
    let why = vocab::label_of(
        vocab::ClosureReason::parse,
        vocab::ClosureReason::label,
        reason,
    )
    .get(lang);
    match (lang, until) {
        (Lang::Id, Some(d)) => format!("Ditutup sementara ({why}) sampai {}", d.format("%d-%m-%Y")),
        (Lang::Id, None) => format!("Ditutup sementara ({why}) sampai diumumkan"),
        (Lang::En, Some(d)) => format!("Temporarily closed ({why}) to {}", d.format("%d-%m-%Y")),
        (Lang::En, None) => format!("Temporarily closed ({why}) until further notice"),
    }
}

/// The wall's order: the viewer's own UPT first, then the worst risk, the fullest, by name.
pub fn wall_order(upts: &mut [(UptRow, (f64, f64))], own: Option<&str>) {
    let share = |u: &UptRow| u.occupied() as f64 / u.beds().max(1) as f64;
    upts.sort_by(|(a, _), (b, _)| {
        (own != Some(a.code.as_str()))
            .cmp(&(own != Some(b.code.as_str())))
            .then(b.risk.cmp(&a.risk))
            .then(share(b).total_cmp(&share(a)))
            .then(a.name.cmp(&b.name))
    });
}

/// Open alerts as one line per level (worst first): how many wards, how many whole UPTs.
pub fn alert_groups(alerts: &[OpenAlert]) -> Vec<AlertGroup> {
    let mut groups: Vec<(AlertLevel, i64, i64)> = vec![];
    for a in alerts {
        let level = AlertLevel::parse(&a.level).unwrap_or(AlertLevel::Watch);
        let i = match groups.iter().position(|g| g.0 == level) {
            Some(i) => i,
            None => {
                groups.push((level, 0, 0));
                groups.len() - 1
            }
        };
        match a.ward_id {
            Some(_) => groups[i].1 += 1,
            None => groups[i].2 += 1,
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse(severity(g.0)));
    groups
        .into_iter()
        .map(|(level, wards, upts)| AlertGroup {
            level: level.label(),
            level_class: level.class(),
            wards,
            upts,
        })
        .collect()
}

fn severity(l: AlertLevel) -> u8 {
    match l {
        AlertLevel::Full => 5,
        AlertLevel::Critical => 4,
        AlertLevel::Warning => 3,
        AlertLevel::Watch => 2,
        AlertLevel::Stale => 1,
    }
}

/// Reads and assembles the whole panel: three queries (wards, forecasts, alerts) plus
/// the backdrop, which is computed once per process. `own` is the viewer's UPT.
pub async fn panel_view(
    pool: &PgPool,
    lang: Lang,
    tz: Tz,
    now: DateTime<Utc>,
    own: Option<String>,
) -> sqlx::Result<PanelView> {
    let (wards, forecasts, alerts, geo) = tokio::try_join!(
        store::wards(pool, now - Duration::days(30), now),
        store::latest_forecasts(pool),
        store::open_alerts(pool),
        geography(pool),
    )?;
    let waiting_total = wards.first().map(|w| w.waiting_total).unwrap_or(0);
    let mut upts = assemble(lang, tz, wards, &forecasts, &alerts);
    wall_order(&mut upts, own.as_deref());
    let map = upts
        .iter()
        .map(|(u, (lon, lat))| {
            let (x, y) = geo.project(*lon, *lat);
            MapUpt {
                code: u.code.clone(),
                name: u.name.clone(),
                town: u.town.clone(),
                x,
                y,
                occupied: u.occupied(),
                beds: u.beds(),
                risk: u.risk,
            }
        })
        .collect();
    Ok(PanelView {
        upts: upts.into_iter().map(|(u, _)| u).collect(),
        basemap: geo.basemap.clone(),
        map,
        waiting_total,
        generated: format_local(now, tz),
        time: now.with_timezone(&tz).format("%H:%M").to_string(),
        own_upt: own,
        alert_groups: alert_groups(&alerts),
    })
}

/// The viewer's own UPT, for UPT staff.
fn own_upt(v: &Viewer) -> Option<String> {
    v.principal
        .scopes(crate::auth::model::Role::UptStaff)
        .into_iter()
        .next()
}

pub async fn show_screen(State(state): State<AppState>, v: Viewer) -> AppResult<Markup> {
    require(&v.principal, Action::ViewCapacity)?;
    let panel = panel_view(
        &state.pool,
        v.lang,
        state.settings.time_zone,
        state.clock.now(),
        own_upt(&v),
    )
    .await?;
    Ok(view::screen(v.lang, &v.nav, &panel))
}

/// The panel alone, for the refresh script. The marker header tells the script it got
/// the panel and not, say, the sign-in page after the session ran out.
pub async fn show_panel(State(state): State<AppState>, v: Viewer) -> AppResult<impl IntoResponse> {
    require(&v.principal, Action::ViewCapacity)?;
    let panel = panel_view(
        &state.pool,
        v.lang,
        state.settings.time_zone,
        state.clock.now(),
        own_upt(&v),
    )
    .await?;
    Ok(([("x-capacity-panel", "1")], view::panel(v.lang, &panel)))
}

/// Progressive enhancement: swap the panel in place each minute; on failure keep the old
/// figures and say they may be stale. Served by the app (no CDN; CSP allows 'self').
const REFRESH_JS: &str = r#"(function () {
  var panel = document.getElementById('capacity-panel');
  var stale = document.getElementById('capacity-stale');
  if (!panel || !window.fetch) return;
  function refresh() {
    fetch(panel.getAttribute('data-src'), { credentials: 'same-origin', redirect: 'error' })
      .then(function (r) {
        if (!r.ok || r.headers.get('x-capacity-panel') !== '1') throw new Error(r.status);
        return r.text();
      })
      .then(function (html) { panel.innerHTML = html; if (stale) stale.hidden = true; })
      .catch(function () { if (stale) stale.hidden = false; });
  }
  setInterval(refresh, 60000);
})();
"#;

pub async fn refresh_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        REFRESH_JS,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alert_outranks_the_forecast_and_a_full_ward_is_critical() {
        assert_eq!(risk_of(None, None, false), Risk::Unknown);
        assert_eq!(risk_of(None, Some(0.1), false), Risk::Low);
        assert_eq!(risk_of(None, Some(0.3), false), Risk::Watch);
        assert_eq!(risk_of(None, Some(0.7), false), Risk::Warning);
        assert_eq!(risk_of(Some("watch"), Some(0.9), false), Risk::Watch);
        assert_eq!(risk_of(Some("critical"), Some(0.0), false), Risk::Critical);
        assert_eq!(risk_of(None, None, true), Risk::Critical);
        assert_eq!(risk_of(Some("full"), None, false), Risk::Critical);
        // Stale data alone is no bed risk: the last forecast's chance decides.
        assert_eq!(risk_of(Some("stale"), Some(0.05), false), Risk::Low);
        assert_eq!(risk_of(Some("stale"), None, false), Risk::Unknown);
    }
}
