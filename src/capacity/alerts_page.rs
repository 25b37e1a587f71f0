//! The open capacity alerts; each opens its own page (`alert_page`) with the ward's
//! decongestion list and the acknowledgement.
use crate::vocab::AlertLevel;
use axum::extract::State;
use chrono::{DateTime, Utc};
use maud::Markup;

use crate::auth::policy::{allows, require, Action};
use crate::clock::format_local;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::viewer::Viewer;
use simlontar_templates::capacity as view;

type Row = (
    i64,
    String,
    Option<String>,
    String,
    DateTime<Utc>,
    Option<f64>,
    Option<f64>,
    Option<String>,
    Option<DateTime<Utc>>,
);

pub async fn show_alerts(State(state): State<AppState>, v: Viewer) -> AppResult<Markup> {
    require(&v.principal, Action::ViewCapacity)?;
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.id, u.name, w.name, a.level, a.opened_at, a.probability, a.days_to_full,
                p.display_name, a.acknowledged_at
           FROM capacity_alert a JOIN upt u ON u.code = a.upt_code LEFT JOIN ward w ON w.id = a.ward_id
           LEFT JOIN app_user p ON p.id = a.acknowledged_by
          WHERE a.resolved_at IS NULL
          ORDER BY CASE a.level WHEN 'full' THEN 1 WHEN 'critical' THEN 2 WHEN 'warning' THEN 3 WHEN 'watch' THEN 4 ELSE 5 END,
                   a.opened_at",
    )
    .fetch_all(&state.pool)
    .await?;
    let tz = state.settings.time_zone;
    let rows: Vec<view::AlertRow> = rows
        .into_iter()
        .map(
            |(id, upt, ward, level, since, p14, days, by, at)| view::AlertRow {
                id,
                upt,
                ward: ward.unwrap_or_else(|| "–".into()),
                level: AlertLevel::parse(&level)
                    .unwrap_or(AlertLevel::Watch)
                    .label(),
                level_class: AlertLevel::parse(&level)
                    .unwrap_or(AlertLevel::Watch)
                    .class(),
                since: format_local(since, tz),
                detail: format!(
                    "P14 {}{}",
                    p14.map_or("–".into(), |p| format!("{:.0}%", p * 100.0)),
                    days.map_or(String::new(), |d| format!(
                        " · ± {d:.0} {}",
                        simlontar_templates::i18n::tr(v.lang, "hari", "days")
                    ))
                ),
                acknowledged: at
                    .map(|t| format!("{}, {}", by.unwrap_or_default(), format_local(t, tz))),
            },
        )
        .collect();
    Ok(view::alerts(
        v.lang,
        &v.nav,
        &rows,
        allows(&v.principal, Action::DecideCase),
    ))
}
