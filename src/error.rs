//! One error type for the whole application. Handlers return `AppError`; it becomes a
//! status code plus an [`ErrorInfo`] extension, and the page or API middleware of the
//! route renders that as an Indonesian/English HTML page or a JSON problem. A database
//! error is classified here once: unavailable (503), a constraint's refusal (409 or 422,
//! worded in `constraints`), or a bug (500).
pub mod constraints;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use simlontar_templates::Lang;

use constraints::{Answer, Refusal};

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
    /// A unique, foreign-key or check constraint refused the change.
    #[error("refused by the database: {0}")]
    Refused(Refusal),
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
            e => match constraints::refusal(&e) {
                Some(r) => AppError::Refused(r),
                None => AppError::Database(e),
            },
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

impl AppError {
    /// The field errors this error names, in `lang`: what a form shows beside its fields
    /// when it comes back. `None` when the error is not about fields.
    pub fn field_errors(&self, lang: Lang) -> Option<Vec<FieldError>> {
        match self {
            AppError::Invalid(fields) => Some(fields.clone()),
            AppError::Refused(Refusal {
                answer: Answer::Invalid(Some(field)),
                words,
                ..
            }) => Some(vec![FieldError::new(*field, words.get(lang))]),
            _ => None,
        }
    }
}

/// What the renderers need to know about a failed request.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub kind: ErrorKind,
    pub fields: Vec<FieldError>,
    pub detail: Option<String>,
    /// A constraint's refusal, said in the reader's language when rendered.
    pub refusal: Option<Refusal>,
}

impl ErrorInfo {
    pub fn new(kind: ErrorKind) -> Self {
        ErrorInfo {
            kind,
            fields: vec![],
            detail: None,
            refusal: None,
        }
    }

    /// The detail and the field errors, in `lang`.
    pub fn said(&self, lang: Lang) -> (Option<String>, Vec<FieldError>) {
        let mut detail = self.detail.clone();
        let mut fields = self.fields.clone();
        if let Some(r) = &self.refusal {
            let words = r.words.get(lang);
            match r.answer {
                Answer::Invalid(Some(field)) => fields.push(FieldError::new(field, words)),
                _ => detail = Some(words.to_string()),
            }
        }
        (detail, fields)
    }
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
        let info = match self {
            AppError::NotFound => ErrorInfo::new(ErrorKind::NotFound),
            AppError::Invalid(fields) => ErrorInfo {
                fields,
                ..ErrorInfo::new(ErrorKind::Invalid)
            },
            AppError::Conflict(m) => ErrorInfo {
                detail: Some(m),
                ..ErrorInfo::new(ErrorKind::Conflict)
            },
            AppError::Refused(r) => {
                tracing::info!(constraint = %r.constraint, "refused by a database constraint");
                let kind = match r.answer {
                    Answer::Conflict => ErrorKind::Conflict,
                    Answer::Invalid(_) => ErrorKind::Invalid,
                };
                ErrorInfo {
                    refusal: Some(r),
                    ..ErrorInfo::new(kind)
                }
            }
            AppError::Unauthorized => ErrorInfo::new(ErrorKind::Unauthorized),
            AppError::Forbidden => ErrorInfo::new(ErrorKind::Forbidden),
            AppError::TooLarge => ErrorInfo::new(ErrorKind::TooLarge),
            AppError::TooManyRequests => ErrorInfo::new(ErrorKind::TooManyRequests),
            AppError::Unavailable(e) => {
                tracing::warn!(error = %e, "database unavailable");
                ErrorInfo::new(ErrorKind::Unavailable)
            }
            AppError::Database(e) => {
                tracing::error!(error = %e, "database error");
                ErrorInfo::new(ErrorKind::Internal)
            }
            AppError::Internal(e)
                if e.chain()
                    .any(|c| c.downcast_ref::<sqlx::Error>().is_some_and(unavailable)) =>
            {
                tracing::warn!(error = format!("{e:#}"), "database unavailable");
                ErrorInfo::new(ErrorKind::Unavailable)
            }
            AppError::Internal(e) => {
                tracing::error!(error = format!("{e:#}"), "internal error");
                ErrorInfo::new(ErrorKind::Internal)
            }
        };
        let mut res = info.kind.status().into_response();
        if info.kind == ErrorKind::Unavailable {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, "5".parse().unwrap());
        }
        res.extensions_mut().insert(info);
        res
    }
}

pub type AppResult<T> = Result<T, AppError>;
