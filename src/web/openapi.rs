//! The OpenAPI 3 description of the JSON API, generated from the handlers' annotations.
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::cases::api as cases;
use crate::intake::api as intake;

#[derive(OpenApi)]
#[openapi(
    info(title = "Simlontar API", version = "1", description = "Intakes, cases, route proposals and decisions, transport plans and departures, the receiving office's hand-over answers, and DP3AK identity checks of stranded people in East Java. Authenticate with `Authorization: Bearer <token>` (see `simlontar token create`)."),
    paths(intake::create_intake, intake::list_intakes, cases::list_cases, cases::show_case, cases::list_events, cases::add_event,
          crate::identity::api::create_check, crate::shelter::api::place_case,
          crate::shelter::api::list_candidates, crate::routing::api::show_proposal,
          crate::routing::api::decide_route, crate::routing::api::show_plan,
          crate::routing::api::schedule_departure, crate::routing::api::record_departure,
          crate::routing::api::answer_handover,
          intake::correct_case),
    modifiers(&Bearer, &MalformedNumber)
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every operation with a `{number}` in its path answers a malformed number with a 422
/// problem naming the field (`web::path`), before it looks for the case: said once here.
struct MalformedNumber;

impl Modify for MalformedNumber {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = ResponseBuilder::new()
            .description("the case number is malformed (`fields[0].field` is `number`), or the request is invalid")
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build();
        for item in doc.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in ops.into_iter().flatten() {
                let takes_number = op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| p.name == "number" && matches!(p.parameter_in, ParameterIn::Path));
                if takes_number {
                    op.responses
                        .responses
                        .entry("422".to_string())
                        .or_insert_with(|| problem.clone().into());
                }
            }
        }
    }
}

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
