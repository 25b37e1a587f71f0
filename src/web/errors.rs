//! Turns failed responses into what the client reads: a JSON problem with field paths
//! under /api, an HTML page in the user's language everywhere else.
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::error::{ErrorInfo, ErrorKind};
use crate::web::lang::lang_of;
use simlontar_templates::intake::known_field_label;
use simlontar_templates::{pages, Lang};

pub async fn render_errors(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let lang = lang_of(req.headers());
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let info = match res.extensions().get::<ErrorInfo>() {
        Some(info) => info.clone(),
        // A page or document a handler rendered itself stays as it is.
        None if is_rendered(&res) => return res,
        // A response a framework layer made (413, 408, a rejection): classify its status.
        None => match ErrorKind::from_status(status) {
            Some(kind) => ErrorInfo::new(kind),
            None => return res,
        },
    };
    let (mut parts, _) = res.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    // Only server-side failures need a reference to look up; 4xx explain themselves.
    let reference = request_id.filter(|_| status.is_server_error());
    let body = if api {
        let (detail, fields) = info.said(Lang::En);
        Json(json!({
            "error": info.kind,
            "message": message(Lang::En, info.kind, detail.as_deref()),
            "fields": fields,
            "request_id": reference,
        }))
        .into_response()
    } else {
        let (detail, fields) = info.said(lang);
        // A person reads the field's label, never its name; a field no label names is
        // told by its message alone.
        let fields: Vec<(Option<&str>, String)> = fields
            .into_iter()
            .map(|f| (known_field_label(lang, &f.field), f.message))
            .collect();
        Html(
            pages::error(
                lang,
                status.as_u16(),
                &message(lang, info.kind, detail.as_deref()),
                &fields,
                reference.as_deref(),
            )
            .into_string(),
        )
        .into_response()
    };
    let (body_parts, body) = body.into_parts();
    parts.headers.extend(body_parts.headers);
    Response::from_parts(parts, body)
}

fn is_rendered(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"))
}

fn message(lang: Lang, kind: ErrorKind, detail: Option<&str>) -> String {
    let t = lang.t();
    let base = match kind {
        ErrorKind::NotFound => t.error_not_found,
        ErrorKind::Invalid => t.error_invalid,
        ErrorKind::Conflict => t.error_conflict,
        ErrorKind::Unavailable => t.error_unavailable,
        ErrorKind::Internal => t.error_internal,
        ErrorKind::Unauthorized => t.error_unauthorized,
        ErrorKind::Forbidden => t.error_forbidden,
        ErrorKind::TooLarge => t.error_too_large,
        ErrorKind::Timeout => t.error_timeout,
        ErrorKind::TooManyRequests => t.error_too_many,
    };
    match detail {
        Some(d) => format!("{base} {d}"),
        None => base.to_string(),
    }
}
