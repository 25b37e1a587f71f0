//! The JSON bodies of the API (intake, identity check, state change), decoded and
//! checked as the handlers do before anything touches the database.
#![no_main]
use chrono::TimeZone;
use libfuzzer_sys::fuzz_target;
use simlontar_templates::Lang;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    let now = chrono::Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap();
    match kind % 3 {
        0 => {
            if let Ok(req) = serde_json::from_slice::<simlontar::intake::model::IntakeRequest>(body)
            {
                let _ = simlontar::intake::model::validate(&req, uuid::Uuid::nil(), now, Lang::En);
            }
        }
        1 => {
            if let Ok(req) =
                serde_json::from_slice::<simlontar::identity::check::CheckRequest>(body)
            {
                let _ = simlontar::identity::check::validate(&req, now, Lang::Id);
            }
        }
        _ => {
            let _ = serde_json::from_slice::<simlontar::cases::api::TransitionRequest>(body);
        }
    }
});
