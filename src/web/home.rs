//! The home page: what waits for the signed-in person (`worklist`), then the province at a
//! glance, smaller.
use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use maud::Markup;

use super::viewer::Viewer;
use crate::auth::policy::CaseScope;
use crate::error::AppResult;
use crate::state::AppState;
use simlontar_templates::pages::{home, HomeView};

pub async fn show_home(State(state): State<AppState>, v: Viewer) -> AppResult<Markup> {
    let since = state.clock.now() - Duration::days(30);
    // The counts are of the cases this viewer may see (row-level security).
    let mut tx = CaseScope::of(&v.principal, state.clock.now())
        .begin(&state.pool)
        .await?;
    let (open_cases, intakes_30d, beds, occupied, updated): (
        i64,
        i64,
        i64,
        i64,
        Option<DateTime<Utc>>,
    ) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM ot_case WHERE closed_at IS NULL),
                    (SELECT count(*) FROM intake WHERE found_at >= $1),
                    (SELECT coalesce(sum(beds), 0)::bigint FROM ward),
                    (SELECT coalesce(sum(occupied), 0)::bigint FROM ward),
                    (SELECT max(updated_at) FROM ward)",
    )
    .bind(since)
    .fetch_one(&mut *tx)
    .await?;
    let work = crate::worklist::pages::sections(
        &mut tx,
        &state.settings,
        &v.principal,
        v.lang,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    let updated = updated
        .map(|t| crate::clock::format_local(t, state.settings.time_zone))
        .unwrap_or_else(|| "–".into());
    Ok(home(
        v.lang,
        &v.nav,
        &HomeView {
            open_cases,
            intakes_30d,
            beds,
            occupied,
            updated,
            work,
        },
    ))
}
