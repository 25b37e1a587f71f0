//! One UPT: its wards, 90 days of occupancy rebuilt from placements with the forecast
//! band ahead, and the bed holds (form and release).
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use super::holds::{self, HoldError, Refusal};
use super::screen::assemble;
use super::screen_store::{self as store, ForecastDaily};
use crate::auth::policy::{require, Action, CaseScope};
use crate::clock::format_local;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::viewer::Viewer;
use simlontar_templates::capacity::{self as view, HoldForm, HoldRow, UptView};
use simlontar_templates::capacity_svg::ChartView;
use simlontar_templates::i18n::tr;
use simlontar_templates::Lang;

const HISTORY_DAYS: i64 = 90;

/// The end of each of the last `days` local days, oldest first; today's end is `now`.
pub fn day_ends(now: DateTime<Utc>, tz: Tz, days: i64) -> Vec<(NaiveDate, DateTime<Utc>)> {
    let today = crate::clock::local_date(now, tz);
    (0..days)
        .rev()
        .map(|k| {
            let d = today - Duration::days(k);
            let next = (d + Duration::days(1))
                .and_hms_opt(0, 0, 0)
                .expect("midnight");
            let end = tz
                .from_local_datetime(&next)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or(now);
            (d, end.min(now))
        })
        .collect()
}

/// People in the UPT at each moment: stays begun by then and not yet ended.
pub fn occupancy_at(
    stays: &[(DateTime<Utc>, Option<DateTime<Utc>>)],
    ends: &[DateTime<Utc>],
) -> Vec<i64> {
    ends.iter()
        .map(|e| {
            stays
                .iter()
                .filter(|(s, end)| s <= e && end.is_none_or(|x| x > *e))
                .count() as i64
        })
        .collect()
}

/// (day, free, lo, hi) from a forecast's `daily`; missing bounds fall back to `free`.
fn parse_daily(v: &serde_json::Value) -> Vec<(i64, f64, f64, f64)> {
    let mut out: Vec<_> = v
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .filter_map(|d| {
            let day = d.get("day")?.as_i64()?;
            let free = d.get("free")?.as_f64()?;
            let lo = d.get("lo").and_then(|x| x.as_f64()).unwrap_or(free);
            let hi = d.get("hi").and_then(|x| x.as_f64()).unwrap_or(free);
            Some((day, free, lo, hi))
        })
        .collect();
    out.sort_by_key(|d| d.0);
    out
}

/// The forecast as occupancy (low, expected, high) per day ahead, at most 30 days: the
/// UPT's own forecast when there is one, else the wards' forecasts added up (their
/// intervals added too, so the band is wider than a joint forecast's would be).
pub fn band(latest: &[ForecastDaily]) -> (Vec<(f64, f64, f64)>, bool) {
    let as_occupancy = |cap: f64, d: &[(i64, f64, f64, f64)]| -> Vec<(i64, (f64, f64, f64))> {
        d.iter()
            .filter(|x| (1..=30).contains(&x.0))
            .map(|&(day, free, lo, hi)| (day, (cap - hi, cap - free, cap - lo)))
            .collect()
    };
    if let Some(u) = latest.iter().find(|f| f.ward_id.is_none()) {
        let d = parse_daily(&u.daily);
        if !d.is_empty() {
            let v = as_occupancy(u.capacity as f64, &d);
            return (v.into_iter().map(|(_, b)| b).collect(), false);
        }
    }
    let mut sum = vec![(0.0, 0.0, 0.0); 30];
    let mut reach = 0usize;
    for f in latest.iter().filter(|f| f.ward_id.is_some()) {
        for (day, (lo, mid, hi)) in as_occupancy(f.capacity as f64, &parse_daily(&f.daily)) {
            let i = (day - 1) as usize;
            sum[i].0 += lo;
            sum[i].1 += mid;
            sum[i].2 += hi;
            reach = reach.max(i + 1);
        }
    }
    sum.truncate(reach);
    let summed = reach > 0;
    (sum, summed)
}

async fn upt_view(
    state: &AppState,
    v: &Viewer,
    code: &str,
    form: HoldForm,
    errors: Vec<(String, String)>,
) -> AppResult<UptView> {
    let (now, tz) = (state.clock.now(), state.settings.time_zone);
    let pool = &state.pool;
    let wards: Vec<_> = store::wards(pool, now - Duration::days(30), now)
        .await?
        .into_iter()
        .filter(|w| w.upt_code == code)
        .collect();
    if wards.is_empty() {
        return Err(AppError::NotFound);
    }
    let (forecasts, alerts) =
        tokio::try_join!(store::latest_forecasts(pool), store::open_alerts(pool))?;
    let upt = assemble(v.lang, tz, wards, &forecasts, &alerts)
        .into_iter()
        .next()
        .expect("wards present")
        .0;
    let ends = day_ends(now, tz, HISTORY_DAYS);
    let stays = store::stays(pool, code, ends[0].1, now).await?;
    let occupied = occupancy_at(&stays, &ends.iter().map(|e| e.1).collect::<Vec<_>>());
    let (forecast, summed) = band(&store::latest_daily(pool, code).await?);
    let today = crate::clock::local_date(now, tz);
    let label = |d: i64| (today + Duration::days(d)).format("%d-%m").to_string();
    let mut x_labels: Vec<(i64, String)> = [-89, -60, -30, 0].map(|d| (d, label(d))).into();
    if !forecast.is_empty() {
        x_labels.push((forecast.len() as i64, label(forecast.len() as i64)));
    }
    let chart_note = match (forecast.is_empty(), summed) {
        (true, _) => Some(tr(
            v.lang,
            "Belum ada prakiraan untuk UPT ini.",
            "No forecast yet for this UPT.",
        )),
        (false, true) => Some(tr(
            v.lang,
            "Pita prakiraan dijumlahkan dari prakiraan tiap bangsal, sehingga lebih lebar daripada prakiraan gabungan.",
            "The forecast band adds up the wards' forecasts, so it is wider than a joint forecast's would be.",
        )),
        (false, false) => None,
    };
    // Case numbers on holds follow the viewer's scope (row-level security).
    let mut tx = CaseScope::of(&v.principal, now).begin(pool).await?;
    let holds = store::open_holds(&mut tx, code).await?;
    tx.commit().await?;
    Ok(UptView {
        chart: ChartView {
            occupied: occupied.clone(),
            capacity: upt.beds(),
            forecast,
            x_labels,
        },
        chart_rows: ends
            .iter()
            .zip(&occupied)
            .rev()
            .map(|((d, _), n)| (d.format("%d-%m-%Y").to_string(), *n))
            .collect(),
        chart_note,
        holds: holds
            .into_iter()
            .map(|h| HoldRow {
                id: h.id,
                ward: h.ward_name,
                case_number: h.case_number.unwrap_or_default(),
                held_at: format_local(h.held_at, tz),
                expires: format_local(h.expires_at, tz),
            })
            .collect(),
        may_hold: holds::may_hold(&v.principal, code),
        may_manage: crate::shelter::wards::may_manage(&v.principal, code),
        form,
        errors,
        notice: None,
        generated: format_local(now, tz),
        upt,
    })
}

pub async fn show_upt(
    State(state): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
) -> AppResult<maud::Markup> {
    require(&v.principal, Action::ViewCapacity)?;
    let form = HoldForm {
        hours: holds::DEFAULT_HOURS.to_string(),
        ..HoldForm::default()
    };
    let view = upt_view(&state, &v, &code, form, vec![]).await?;
    Ok(view::upt_page(v.lang, &v.nav, &view))
}

#[derive(Deserialize)]
pub struct HoldIn {
    #[serde(default)]
    case_number: String,
    #[serde(default)]
    ward_id: String,
    #[serde(default)]
    hours: String,
}

fn refusal_text(lang: Lang, r: &Refusal) -> &'static str {
    match r {
        Refusal::BadCaseNumber => crate::cases::number::refusal(lang),
        Refusal::NotReferred => tr(
            lang,
            "Tidak ada orang dengan nomor kasus ini yang dirujuk ke UPT ini dan menunggu tempat tidur.",
            "Nobody with this case number is referred to this UPT and waiting for a bed.",
        ),
        Refusal::NoSuchCase => tr(lang, "Kasus tidak ditemukan.", "No such case."),
        Refusal::CaseClosed => tr(lang, "Kasus ini sudah ditutup.", "This case is closed."),
        Refusal::AlreadyPlaced => tr(
            lang,
            "Kasus ini sudah menempati tempat tidur di UPT.",
            "This case already has a bed in a UPT.",
        ),
        Refusal::AlreadyHeld => tr(
            lang,
            "Kasus ini sudah memiliki tempat tidur yang ditahan.",
            "A bed is already held for this case.",
        ),
        Refusal::NoSuchWard => tr(lang, "Pilih bangsal UPT ini.", "Choose a ward of this UPT."),
        Refusal::WardFull => tr(
            lang,
            "Bangsal penuh: tidak ada tempat tidur kosong untuk ditahan.",
            "The ward is full: no free bed to hold.",
        ),
        Refusal::WardClosed => tr(
            lang,
            "Bangsal ini sedang ditutup sementara: pilih bangsal lain.",
            "This ward is temporarily closed: choose another ward.",
        ),
        Refusal::BadHours => tr(
            lang,
            "Lama penahanan 1 sampai 168 jam (7 hari).",
            "Hold for 1 to 168 hours (7 days).",
        ),
    }
}

pub async fn create_hold(
    State(state): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    Form(input): Form<HoldIn>,
) -> AppResult<Response> {
    require(&v.principal, Action::ManagePlacements)?;
    if !holds::may_hold(&v.principal, &code) {
        return Err(AppError::Forbidden);
    }
    let refusals = match holds::parse(&input.case_number, &input.ward_id, &input.hours) {
        Ok(req) => {
            let now = state.clock.now();
            match holds::hold_bed(&state.pool, &v.principal, &v.origin, &code, &req, now).await {
                Ok(_) => return Ok(Redirect::to(&format!("/capacity/upt/{code}")).into_response()),
                Err(HoldError::Refused(r)) => vec![r],
                Err(HoldError::Forbidden) => return Err(AppError::Forbidden),
                Err(HoldError::App(e)) => return Err(e),
            }
        }
        Err(rs) => rs,
    };
    let status = if refusals.contains(&Refusal::WardFull) || refusals.contains(&Refusal::WardClosed)
    {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let errors = refusals
        .iter()
        .map(|r| (r.field().to_string(), refusal_text(v.lang, r).to_string()))
        .collect();
    // Nothing typed is lost: the form comes back with the values as entered.
    let form = HoldForm {
        case_number: input.case_number,
        ward_id: input.ward_id,
        hours: input.hours,
    };
    let page = upt_view(&state, &v, &code, form, errors).await?;
    Ok((status, view::upt_page(v.lang, &v.nav, &page)).into_response())
}

pub async fn release_hold(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    require(&v.principal, Action::ManagePlacements)?;
    match holds::release(&state.pool, &v.principal, &v.origin, id, state.clock.now()).await? {
        None => Err(AppError::NotFound),
        Some(Err(())) => Err(AppError::Forbidden),
        Some(Ok(upt)) => Ok(Redirect::to(&format!("/capacity/upt/{upt}")).into_response()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn occupancy_counts_stays_open_at_each_day_end() {
        let stays = vec![(t(1, 3), Some(t(3, 3))), (t(2, 3), None), (t(4, 3), None)];
        let ends = vec![t(1, 20), t(2, 20), t(3, 20), t(4, 20)];
        assert_eq!(occupancy_at(&stays, &ends), vec![1, 2, 1, 2]);
    }

    #[test]
    fn days_end_at_local_midnight_and_today_ends_now() {
        let now = t(23, 3); // 10:00 WIB
        let ends = day_ends(now, chrono_tz::Asia::Jakarta, 3);
        assert_eq!(ends.len(), 3);
        assert_eq!(ends[2].1, now);
        assert_eq!(ends[1].1, t(22, 17)); // 23-11 00:00 WIB
        assert_eq!(ends[0].0.to_string(), "2026-11-21");
    }

    #[test]
    fn the_upt_forecast_wins_and_ward_forecasts_add_up_otherwise() {
        let ward = |id, free: f64| ForecastDaily {
            ward_id: Some(id),
            capacity: 10,
            daily: json!([{"day": 1, "free": free, "lo": free - 1.0, "hi": free + 1.0}]),
        };
        let (b, summed) = band(&[ward(1, 4.0), ward(2, 2.0)]);
        assert!(summed);
        assert_eq!(b, vec![(20.0 - 8.0, 14.0, 20.0 - 4.0)]);
        let upt = ForecastDaily {
            ward_id: None,
            capacity: 20,
            daily: json!([{"day": 1, "free": 5.0}, {"day": 2, "free": 4.0}]),
        };
        let (b, summed) = band(&[ward(1, 4.0), upt]);
        assert!(!summed);
        assert_eq!(b, vec![(15.0, 15.0, 15.0), (16.0, 16.0, 16.0)]);
        assert!(band(&[]).0.is_empty());
    }
}
