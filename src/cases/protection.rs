//! Why the person was on the street and who protects them: a case whose intake noted a
//! protection concern (suspected trafficking, violence, exploitation) offers a referral
//! to the police's women and children unit, the province's service for victims, or a
//! shelter; each referral is an event of the case, audited.
use super::number::CaseNumber;
use crate::web::path::Path;
use axum::extract::State;
use axum::response::Redirect;
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::events::{self, Event};
use super::next_step::Done;
use super::{access, pages::to_case};
use crate::auth::policy::Action;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::vocab::{ProtectionFlag, ProtectionService, StreetCause};
use crate::web::viewer::Viewer;
use simlontar_templates::cases::Protection;
use simlontar_templates::i18n::tr;
use simlontar_templates::Lang;

/// The case page's protection panel: the cause, the concerns, and (when there is a
/// concern, or the cause is a false job offer) the referral form and the referrals made.
pub fn panel(
    cause: Option<&str>,
    flags: &[String],
    events: &[super::store::CaseEvent],
    may_refer: bool,
    (lang, tz): (Lang, chrono_tz::Tz),
) -> Protection {
    let concerns: Vec<_> = flags
        .iter()
        .filter_map(|f| ProtectionFlag::parse(f))
        .map(ProtectionFlag::label)
        .collect();
    let cause = cause.and_then(StreetCause::parse);
    let at_risk = !concerns.is_empty() || cause == Some(StreetCause::FalseJobOffer);
    Protection {
        cause: cause.map(StreetCause::label),
        concerns,
        services: if at_risk && may_refer {
            ProtectionService::ALL
                .iter()
                .map(|s| (s.code(), s.label()))
                .collect()
        } else {
            vec![]
        },
        referrals: events
            .iter()
            .filter(|e| e.kind == "protection_referral")
            .map(|e| {
                let to = ProtectionService::parse(e.reason.trim())
                    .map(|s| s.label().get(lang).to_string())
                    .unwrap_or_default();
                format!(
                    "{} · {to}{}",
                    crate::clock::format_local(e.at, tz),
                    e.actor
                        .as_deref()
                        .map(|a| format!(" ({} {a})", tr(lang, "oleh", "by")))
                        .unwrap_or_default()
                )
            })
            .collect(),
    }
}

#[derive(Deserialize)]
pub struct ReferralForm {
    #[serde(default)]
    service: String,
}

/// Records a referral for protection. The service is one of the fixed list; the case
/// must be one the officer may move, in their scope.
pub async fn refer(
    State(state): State<AppState>,
    v: Viewer,
    Path(number): Path<CaseNumber>,
    Form(f): Form<ReferralForm>,
) -> AppResult<Redirect> {
    let service = ProtectionService::parse(f.service.trim()).ok_or_else(|| {
        AppError::Invalid(vec![FieldError::new(
            "service",
            tr(
                v.lang,
                "pilih tujuan rujukan dari daftar",
                "choose where to refer from the list",
            ),
        )])
    })?;
    let (p, origin, now) = (&v.principal, &v.origin, state.clock.now());
    let (mut tx, id) =
        access::open(&state.pool, p, origin, &number, Action::MoveCases, now).await?;
    let event = Event::note(
        "protection_referral",
        service.code(),
        json!({"service": service.code()}),
    );
    events::record(&mut tx, id, Some(p), &event, now).await?;
    let detail = json!({"service": service.code()});
    access::commit(tx, origin, &number, "protection_referral", detail).await?;
    Ok(to_case(&number, Done::Protection))
}
