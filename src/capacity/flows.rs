//! Origin flows: where people are picked up against where they come from, by regency,
//! over the last 12 months, so the province can aim prevention at the regencies that
//! send most.
//!
//! Scope decision: the counts are read in the system scope, so every capacity viewer
//! (regency viewers included) sees the whole province. They are aggregates by regency
//! with no name, NIK or date of any person, and a regency office needs the provincial
//! picture to see its own share. The page says so.
use std::collections::HashMap;

use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use maud::Markup;
use sqlx::PgPool;

use super::screen_map::geography;
use super::screen_store::{self as store, FlowCount};
use crate::auth::policy::{require, Action, CaseScope};
use crate::clock::format_local;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::viewer::Viewer;
use simlontar_templates::capacity::{self as view, FlowView, RegionCount};
use simlontar_templates::capacity_svg::{FlowDot, FlowLine};

/// How many of the largest flows between two different regencies are drawn.
pub const LINES: usize = 15;

/// Per-regency totals from the (home, pick-up) counts.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Totals {
    pub from_here: HashMap<String, i64>,
    pub picked_up_here: HashMap<String, i64>,
    /// (home, pick-up, people) for home != pick-up, largest first.
    pub flows: Vec<(String, String, i64)>,
    pub total: i64,
    pub home_unknown: i64,
    pub home_elsewhere: i64,
}

pub fn totals(counts: &[FlowCount]) -> Totals {
    let mut t = Totals::default();
    for c in counts {
        t.total += c.people;
        *t.picked_up_here.entry(c.found_region.clone()).or_default() += c.people;
        match (&c.home_region, c.home_province.as_deref()) {
            (Some(home), _) => {
                *t.from_here.entry(home.clone()).or_default() += c.people;
                if *home != c.found_region {
                    t.flows
                        .push((home.clone(), c.found_region.clone(), c.people));
                }
            }
            (None, Some(p)) if p != "35" => t.home_elsewhere += c.people,
            (None, _) => t.home_unknown += c.people,
        }
    }
    t.flows
        .sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1))));
    t
}

pub async fn flow_view(pool: &PgPool, tz: Tz, now: DateTime<Utc>) -> sqlx::Result<FlowView> {
    let from = now - Duration::days(365);
    let mut tx = CaseScope::system(now).begin(pool).await?;
    let counts = store::flows(&mut tx, from, now).await?;
    tx.commit().await?;
    let t = totals(&counts);
    let geo = geography(pool).await?;
    let by_code: HashMap<&str, (&str, (f64, f64))> = geo
        .regencies
        .iter()
        .map(|r| {
            (
                r.code.as_str(),
                (r.name.as_str(), geo.project(r.lon, r.lat)),
            )
        })
        .collect();
    let count = |m: &HashMap<String, i64>, code: &str| m.get(code).copied().unwrap_or(0);
    let dots = geo
        .regencies
        .iter()
        .map(|r| {
            let (x, y) = geo.project(r.lon, r.lat);
            FlowDot {
                x,
                y,
                name: r.name.clone(),
                from_here: count(&t.from_here, &r.code),
            }
        })
        .collect();
    let lines = t
        .flows
        .iter()
        .filter_map(|(home, found, n)| {
            let (from_name, from) = by_code.get(home.as_str())?;
            let (to_name, to) = by_code.get(found.as_str())?;
            Some(FlowLine {
                from: *from,
                to: *to,
                from_name: from_name.to_string(),
                to_name: to_name.to_string(),
                count: *n,
            })
        })
        .take(LINES)
        .collect();
    let mut ranking: Vec<RegionCount> = geo
        .regencies
        .iter()
        .map(|r| RegionCount {
            name: r.name.clone(),
            from_here: count(&t.from_here, &r.code),
            picked_up_here: count(&t.picked_up_here, &r.code),
        })
        .filter(|r| r.from_here > 0 || r.picked_up_here > 0)
        .collect();
    ranking.sort_by(|a, b| b.from_here.cmp(&a.from_here).then(a.name.cmp(&b.name)));
    Ok(FlowView {
        basemap: geo.basemap.clone(),
        dots,
        lines,
        ranking,
        total: t.total,
        home_unknown: t.home_unknown,
        home_elsewhere: t.home_elsewhere,
        period: format!("{} – {}", format_local(from, tz), format_local(now, tz)),
        generated: format_local(now, tz),
    })
}

pub async fn show_flows(State(state): State<AppState>, v: Viewer) -> AppResult<Markup> {
    require(&v.principal, Action::ViewCapacity)?;
    let fv = flow_view(&state.pool, state.settings.time_zone, state.clock.now()).await?;
    Ok(view::flows_page(v.lang, &v.nav, &fv))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(home: Option<&str>, prov: Option<&str>, found: &str, n: i64) -> FlowCount {
        FlowCount {
            home_region: home.map(String::from),
            home_province: prov.map(String::from),
            found_region: found.into(),
            people: n,
        }
    }

    #[test]
    fn flows_count_homes_pickups_and_the_unknown() {
        let t = totals(&[
            c(Some("35.10"), Some("35"), "35.78", 5),
            c(Some("35.10"), Some("35"), "35.10", 2),
            c(Some("35.09"), Some("35"), "35.78", 7),
            c(None, Some("33"), "35.78", 3),
            c(None, None, "35.73", 4),
        ]);
        assert_eq!(t.total, 21);
        assert_eq!(t.from_here["35.10"], 7);
        assert_eq!(t.picked_up_here["35.78"], 15);
        assert_eq!((t.home_elsewhere, t.home_unknown), (3, 4));
        assert_eq!(
            t.flows,
            vec![
                ("35.09".into(), "35.78".into(), 7),
                ("35.10".into(), "35.78".into(), 5)
            ]
        );
    }
}
