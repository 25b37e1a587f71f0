//! `Viewer`: what a page handler needs about who is asking — the principal, their
//! language, the frame's navigation (with the CSRF token) and the audit origin.
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tower_sessions::Session;

use super::client_addr::origin_of;
use super::lang::lang_of;
use crate::auth::audit::Origin;
use crate::auth::csrf::form_token;
use crate::auth::model::Principal;
use crate::auth::policy::{allows, Action};
use crate::error::AppError;
use crate::state::AppState;
use simlontar_templates::layout::{NavUser, Section};
use simlontar_templates::Lang;

pub struct Viewer {
    pub principal: Principal,
    pub lang: Lang,
    pub nav: NavUser,
    pub origin: Origin,
}

/// The sections of the navigation a principal may open (only those built so far).
pub fn sections(p: &Principal) -> Vec<Section> {
    let mut s = vec![Section::Home];
    if allows(p, Action::CreateIntake) {
        s.push(Section::Intake);
    }
    if allows(p, Action::ViewCases) {
        s.push(Section::Cases);
    }
    if allows(p, Action::ReviewLinks) {
        s.push(Section::Identity);
    }
    if allows(p, Action::DecideCase) {
        s.push(Section::Routing);
    }
    if allows(p, Action::ReceiveHandover) {
        s.push(Section::Incoming);
    }
    if allows(p, Action::AnswerTasks) {
        s.push(Section::Tasks);
    }
    if allows(p, Action::ViewCapacity) {
        s.push(Section::Capacity);
    }
    // Reports count cases in the viewer's own scope.
    if allows(p, Action::ViewCases) {
        s.push(Section::Reports);
    }
    if allows(p, Action::ManageUsers) {
        s.push(Section::Admin);
    }
    s
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let principal = parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or(AppError::Unauthorized)?;
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("session layer missing")))?;
        let csrf = if principal.via_token {
            String::new()
        } else {
            form_token(parts, &session).await?
        };
        Ok(Viewer {
            lang: lang_of(&parts.headers),
            nav: NavUser {
                name: principal.display_name.clone(),
                csrf,
                sections: sections(&principal),
            },
            origin: origin_of(parts, Some(principal.user_id)),
            principal,
        })
    }
}
