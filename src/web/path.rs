//! Path parameters, read one way for every route: axum's `Path` whose refusals are ours. A
//! `{number}` that is no case number is refused before the handler runs (so before any
//! query): a page answers the ordinary "not found" page, the API a problem naming the
//! field (422). Other parameters are refused as axum refuses them.
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::cases::number::CaseNumber;
use crate::error::{AppError, FieldError};

/// The path's parameters as `T` (a value, a tuple or a struct, as with axum's `Path`).
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let raw = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        for (key, value) in &raw {
            if key == "number" {
                if let Err(e) = value.parse::<CaseNumber>() {
                    let refusal = if parts.uri.path().starts_with("/api/") {
                        AppError::Invalid(vec![FieldError::new("number", e.to_string())])
                    } else {
                        AppError::NotFound
                    };
                    return Err(refusal.into_response());
                }
            }
        }
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(t)| Path(t))
            .map_err(IntoResponse::into_response)
    }
}
