//! The yearly and monthly reports on the demo year (`simlontar demo seed`, ~3,500 cases),
//! as every demo account: each round computes the figures in the account's scope and
//! renders the page, as `/reports/yearly` does (no HTTP around it). Prints p50/p95 per
//! account and report and exits non-zero when a p95 reaches 300 ms (issue 27).
//!
//!     DATABASE_URL=postgres://…/any cargo bench --bench reports [-- ROUNDS]
//!
//! It creates (and keeps, for inspection) its own database `simlontar_bench_reports`.
mod support;

use std::time::{Duration, Instant};

use chrono::Datelike;
use sqlx::Executor;

use simlontar::auth::model::{Grant, Principal};
use simlontar::auth::policy::CaseScope;
use simlontar::config::Settings;
use simlontar::demo::accounts::ACCOUNTS;
use simlontar::reports::model::Period;
use simlontar_templates::layout::NavUser;
use simlontar_templates::reports as view;
use simlontar_templates::Lang;

const DB: &str = "simlontar_bench_reports";
const LIMIT_MS: f64 = 300.0;

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(if full { 20 } else { 2 });
    let (owner, options) = support::fresh_database(DB).await?;
    simlontar::places::load::load_dir(&owner, std::path::Path::new("geo")).await?;
    let settings = Settings::load(std::path::Path::new("/nonexistent"), false)?;
    let tz = settings.time_zone;
    let now = chrono::Utc::now();
    let today = now.with_timezone(&tz).date_naive();
    let seeded = simlontar::demo::seed(&owner, 2026, today, false).await?;
    owner.execute("VACUUM ANALYZE").await?;
    let pool = simlontar::db::connect_as_app(options).await?;
    eprintln!("seeded {} cases up to {today}", seeded.cases);

    // The seeded year runs up to today: this calendar year and the last, and a full month.
    let year = Period::Year { year: today.year() };
    let last_year = Period::Year {
        year: today.year() - 1,
    };
    let (y, m) = match today.month() {
        1 => (today.year() - 1, 12),
        m => (today.year(), m - 1),
    };
    let month = Period::Month { year: y, month: m };
    let mut worst: f64 = 0.0;
    println!(
        "{:<14} {:<8} {:>8} {:>8} {:>8}",
        "account", "report", "p50 ms", "p95 ms", "people"
    );
    for (username, name, role, scope) in ACCOUNTS {
        let p = Principal {
            user_id: 0,
            username: username.to_string(),
            display_name: name.to_string(),
            grants: vec![Grant::new(*role, scope.map(String::from)).map_err(anyhow::Error::msg)?],
            via_token: false,
        };
        let nav = NavUser {
            name: name.to_string(),
            csrf: String::new(),
            sections: vec![],
        };
        for (label, period) in [
            ("yearly", year),
            ("lastyear", last_year),
            ("monthly", month),
        ] {
            let mut times = vec![];
            let mut people = 0;
            for _ in 0..rounds.max(1) {
                let t = Instant::now();
                let scope = CaseScope::of(&p, now);
                let (report, tables) =
                    simlontar::reports::build(&pool, &scope, period, (tz, now), Lang::Id).await?;
                let html = view::report_page(
                    Lang::Id,
                    &nav,
                    &view::ReportView {
                        kind: if label == "monthly" {
                            view::Kind::Monthly
                        } else {
                            view::Kind::Yearly
                        },
                        period_code: period.code(),
                        period_label: period.code(),
                        scope_label: String::new(),
                        generated: String::new(),
                        headline: simlontar::reports::tables::headline(&report, Lang::Id),
                        tables,
                    },
                )
                .into_string();
                std::hint::black_box(html);
                times.push(t.elapsed());
                people = report.picked_up;
            }
            times.sort();
            let p95 = pct(&times, 0.95);
            worst = worst.max(p95);
            println!(
                "{:<14} {:<8} {:>8.1} {:>8.1} {:>8}",
                username,
                label,
                pct(&times, 0.5),
                p95,
                people
            );
        }
    }
    if worst >= LIMIT_MS {
        anyhow::bail!("a report took {worst:.0} ms at p95 (limit {LIMIT_MS} ms)");
    }
    println!("worst p95 {worst:.1} ms (limit {LIMIT_MS} ms)");
    Ok(())
}
