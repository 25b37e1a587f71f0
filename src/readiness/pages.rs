//! The "Kesiapan" page: the readiness list for administrators, checked afresh each time.
use axum::extract::State;
use maud::Markup;

use super::{check, Blocker};
use crate::auth::policy::{require, Action};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::viewer::Viewer;
use simlontar_templates::golive as view;

pub async fn show_readiness(State(state): State<AppState>, v: Viewer) -> AppResult<Markup> {
    require(&v.principal, Action::ManageOffices)?;
    let blockers = check(&state.pool, &state.settings, v.lang).await?;
    let mut groups: Vec<view::BlockerGroup> = vec![];
    for Blocker {
        kind,
        subject,
        link,
    } in blockers
    {
        let title = kind.title(v.lang).to_string();
        if groups.last().is_none_or(|g| g.title != title) {
            groups.push(view::BlockerGroup {
                title,
                todo: kind.todo(v.lang).into(),
                items: vec![],
            });
        }
        if let Some(g) = groups.last_mut() {
            g.items.push((subject, link));
        }
    }
    Ok(view::readiness(v.lang, &v.nav, &groups))
}
