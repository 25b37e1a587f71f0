//! What every JSON API handler reads from its request, one way for all: who calls (with
//! the audit origin of the call: the client's address and the request id), the
//! `Idempotency-Key` of a create, and a JSON body whose errors name the field at fault.
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::client_addr::origin_of;
use crate::auth::audit::Origin;
use crate::auth::model::Principal;
use crate::error::{AppError, FieldError};

/// The caller of an API route: the principal its bearer token names, and where the call
/// came from, for the audit trail.
pub struct Caller {
    pub principal: Principal,
    pub origin: Origin,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let principal = parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or(AppError::Unauthorized)?;
        Ok(Caller {
            origin: origin_of(parts, Some(principal.user_id)),
            principal,
        })
    }
}

/// The client's `Idempotency-Key` header (a UUID), required on every create.
pub struct IdempotencyKey(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Uuid::parse_str(v.trim()).ok())
            .map(IdempotencyKey)
            .ok_or_else(|| {
                AppError::Invalid(vec![FieldError::new(
                    "Idempotency-Key",
                    "a UUID header is required",
                )])
            })
    }
}

/// A JSON body, or a field error naming where it went wrong (`aliases[1]`, or `body`).
/// The content type is not asked for: the body is read as JSON whatever it says.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let body = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        parse(&body)
            .map(JsonBody)
            .map_err(IntoResponse::into_response)
    }
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "body".to_string()
        } else {
            path
        };
        AppError::Invalid(vec![FieldError::new(field, e.inner().to_string())])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        aliases: Vec<String>,
    }

    #[test]
    fn a_bad_body_names_the_field_at_fault() {
        let field = |body: &str| match parse::<Body>(body.as_bytes()) {
            Err(AppError::Invalid(f)) => f[0].field.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(field(r#"{"aliases": ["a", 2]}"#), "aliases[1]");
        assert_eq!(field("not json"), "body");
    }
}
