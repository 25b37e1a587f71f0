//! One error type for the whole application. Handlers return `AppError`; it becomes a
//! status code plus an [`ErrorInfo`] extension, and the page or API middleware of the
//! route renders that as an Indonesian/English HTML page or a JSON problem.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldError {
    /// Path of the offending field, e.g. `found.lat` or `photos[2]`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("sign-in required")]
    Unauthorized,
    /// Not allowed. Reads of records outside the viewer's scope answer `NotFound` instead,
    /// so that a record's existence does not leak.
    #[error("forbidden")]
    Forbidden,
    #[error("request too large")]
    TooLarge,
    #[error("too many attempts")]
    TooManyRequests,
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        use sqlx::Error::*;
        match e {
            RowNotFound => AppError::NotFound,
            e if unavailable(&e) => AppError::Unavailable(e.to_string()),
            _ => AppError::Database(e),
        }
    }
}

/// Whether a database error means "not reachable now, try again" rather than a bug: no
/// connection, a connection cut, or a server shutting down, starting up or out of
/// connection slots (SQLSTATE class 08, 57P01–57P03, 53300) — what a restart of
/// PostgreSQL shows the requests in flight.
fn unavailable(e: &sqlx::Error) -> bool {
    use sqlx::Error::*;
    match e {
        PoolTimedOut | PoolClosed | Io(_) | Tls(_) | WorkerCrashed => true,
        Database(d) => d.code().is_some_and(|c| {
            c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03" | "53300")
        }),
        _ => false,
    }
}

/// The JSON body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// not_found, invalid, conflict, unauthorized, forbidden, unavailable, …
    pub error: String,
    pub message: String,
    /// For `invalid`: each bad field with its path (`aliases[2]`, `found_at`).
    pub fields: Vec<FieldError>,
}

/// What the renderers need to know about a failed request.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub kind: ErrorKind,
    pub fields: Vec<FieldError>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    NotFound,
    Invalid,
    Conflict,
    Unavailable,
    Internal,
    Unauthorized,
    Forbidden,
    TooLarge,
    Timeout,
    TooManyRequests,
}

impl ErrorKind {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::Timeout => StatusCode::REQUEST_TIMEOUT,
            ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    /// The kind a bare status code (from a framework layer, not a handler) stands for.
    pub fn from_status(status: StatusCode) -> Option<ErrorKind> {
        Some(match status {
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => ErrorKind::NotFound,
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => ErrorKind::Invalid,
            StatusCode::CONFLICT => ErrorKind::Conflict,
            StatusCode::SERVICE_UNAVAILABLE => ErrorKind::Unavailable,
            StatusCode::UNAUTHORIZED => ErrorKind::Unauthorized,
            StatusCode::FORBIDDEN => ErrorKind::Forbidden,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorKind::TooLarge,
            StatusCode::REQUEST_TIMEOUT => ErrorKind::Timeout,
            StatusCode::TOO_MANY_REQUESTS => ErrorKind::TooManyRequests,
            s if s.is_server_error() => ErrorKind::Internal,
            _ => return None,
        })
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (kind, fields, detail) = match self {
            AppError::NotFound => (ErrorKind::NotFound, vec![], None),
            AppError::Invalid(fields) => (ErrorKind::Invalid, fields, None),
            AppError::Conflict(m) => (ErrorKind::Conflict, vec![], Some(m)),
            AppError::Unauthorized => (ErrorKind::Unauthorized, vec![], None),
            AppError::Forbidden => (ErrorKind::Forbidden, vec![], None),
            AppError::TooLarge => (ErrorKind::TooLarge, vec![], None),
            AppError::TooManyRequests => (ErrorKind::TooManyRequests, vec![], None),
            AppError::Unavailable(e) => {
                tracing::warn!(error = %e, "database unavailable");
                (ErrorKind::Unavailable, vec![], None)
            }
            AppError::Database(e) => {
                tracing::error!(error = %e, "database error");
                (ErrorKind::Internal, vec![], None)
            }
            AppError::Internal(e)
                if e.chain()
                    .any(|c| c.downcast_ref::<sqlx::Error>().is_some_and(unavailable)) =>
            {
                tracing::warn!(error = format!("{e:#}"), "database unavailable");
                (ErrorKind::Unavailable, vec![], None)
            }
            AppError::Internal(e) => {
                tracing::error!(error = format!("{e:#}"), "internal error");
                (ErrorKind::Internal, vec![], None)
            }
        };
        let mut res = kind.status().into_response();
        if kind == ErrorKind::Unavailable {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, "5".parse().unwrap());
        }
        res.extensions_mut().insert(ErrorInfo {
            kind,
            fields,
            detail,
        });
        res
    }
}

pub type AppResult<T> = Result<T, AppError>;
