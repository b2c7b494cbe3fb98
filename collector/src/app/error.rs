//! Every error answer of the collector: one enum, one problem+json shape (RFC 9457), with the
//! `type` slugs of `docs/protocol.md`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mitmachen_shared::protocol::{FieldError, PROBLEM_CONTENT_TYPE, Problem};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    MalformedJson(String),
    IdempotencyKeyMissing(String),
    BadWidgetId(String),
    OriginNotAllowed(String),
    NotFound(String),
    MethodNotAllowed(String),
    PayloadTooLarge {
        limit: usize,
    },
    UnsupportedMediaType(String),
    InvalidSubmission {
        detail: String,
        errors: Vec<FieldError>,
    },
    IdempotencyKeyReused,
    /// The widget's declared closing time has passed; the detail names it.
    Closed(String),
    /// A registration for an event that the configuration does not declare.
    UnknownEvent(String),
    /// A subscription to a widget the configuration declares no newsletter for.
    UnknownNewsletter(String),
    /// No seat left and no waiting list.
    EventFull(String),
    /// A query parameter that this path does not know or a value it does not take.
    BadQuery(String),
    /// The admin API is off because no token is configured.
    AdminDisabled,
    /// No or the wrong bearer token on an admin path; sent with `WWW-Authenticate: Bearer`.
    Unauthorized(String),
    /// An admin decision that cannot be made (merging into itself, into a rejected proposal…).
    InvalidDecision {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// A header that may appear once (`Idempotency-Key`, `Authorization`) came more than once.
    DuplicateHeader(String),
    /// The body did not arrive within the body timeout; sent with `Connection: close`.
    RequestTimeout(String),
    /// The answer took longer than the request deadline (a stuck store, not the client).
    DeadlineExceeded(String),
    /// Over a per-client limit; sent with `Retry-After: retry_after` (seconds).
    RateLimited {
        detail: String,
        retry_after: u64,
    },
    StorageUnavailable,
    Internal,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson(_)
            | ApiError::IdempotencyKeyMissing(_)
            | ApiError::BadWidgetId(_)
            | ApiError::BadQuery(_)
            | ApiError::DuplicateHeader(_) => StatusCode::BAD_REQUEST,
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::AdminDisabled => StatusCode::NOT_FOUND,
            ApiError::OriginNotAllowed(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) | ApiError::UnknownEvent(_) | ApiError::UnknownNewsletter(_) => {
                StatusCode::NOT_FOUND
            }
            ApiError::EventFull(_) => StatusCode::CONFLICT,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::InvalidSubmission { .. }
            | ApiError::IdempotencyKeyReused
            | ApiError::Closed(_)
            | ApiError::InvalidDecision { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::StorageUnavailable | ApiError::DeadlineExceeded(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn slug(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "malformed-json",
            ApiError::IdempotencyKeyMissing(_) => "idempotency-key-missing",
            ApiError::BadWidgetId(_) => "bad-widget-id",
            ApiError::OriginNotAllowed(_) => "origin-not-allowed",
            ApiError::NotFound(_) => "not-found",
            ApiError::MethodNotAllowed(_) => "method-not-allowed",
            ApiError::PayloadTooLarge { .. } => "payload-too-large",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::InvalidSubmission { .. } => "invalid-submission",
            ApiError::IdempotencyKeyReused => "idempotency-key-reused",
            ApiError::Closed(_) => "closed",
            ApiError::UnknownEvent(_) => "unknown-event",
            ApiError::UnknownNewsletter(_) => "unknown-newsletter",
            ApiError::EventFull(_) => "event-full",
            ApiError::BadQuery(_) => "bad-query",
            ApiError::AdminDisabled => "admin-disabled",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::InvalidDecision { .. } => "invalid-decision",
            ApiError::DuplicateHeader(_) => "duplicate-header",
            ApiError::RequestTimeout(_) => "request-timeout",
            ApiError::DeadlineExceeded(_) => "deadline-exceeded",
            ApiError::RateLimited { .. } => "rate-limited",
            ApiError::StorageUnavailable => "storage-unavailable",
            ApiError::Internal => "internal",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "The body is not JSON",
            ApiError::IdempotencyKeyMissing(_) => "Idempotency-Key missing or malformed",
            ApiError::BadWidgetId(_) => "Bad widget id",
            ApiError::OriginNotAllowed(_) => "Origin not allowed",
            ApiError::NotFound(_) => "Not found",
            ApiError::MethodNotAllowed(_) => "Method not allowed",
            ApiError::PayloadTooLarge { .. } => "The body is too large",
            ApiError::UnsupportedMediaType(_) => "The body is not sent as JSON",
            ApiError::InvalidSubmission { .. } => "The submission breaks a rule",
            ApiError::IdempotencyKeyReused => "Idempotency-Key used with another body",
            ApiError::Closed(_) => "The widget is closed",
            ApiError::UnknownEvent(_) => "No such event",
            ApiError::UnknownNewsletter(_) => "No such newsletter",
            ApiError::EventFull(_) => "The event is full",
            ApiError::BadQuery(_) => "Bad query parameter",
            ApiError::AdminDisabled => "The admin API is off",
            ApiError::Unauthorized(_) => "Bearer token missing or wrong",
            ApiError::InvalidDecision { .. } => "The decision is not possible",
            ApiError::DuplicateHeader(_) => "A header is sent more than once",
            ApiError::RequestTimeout(_) => "The request was not sent in time",
            ApiError::DeadlineExceeded(_) => "The answer took too long",
            ApiError::RateLimited { .. } => "Too many requests",
            ApiError::StorageUnavailable => "Storage unavailable",
            ApiError::Internal => "Internal error",
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::MalformedJson(d)
            | ApiError::IdempotencyKeyMissing(d)
            | ApiError::BadWidgetId(d)
            | ApiError::OriginNotAllowed(d)
            | ApiError::NotFound(d)
            | ApiError::MethodNotAllowed(d)
            | ApiError::UnsupportedMediaType(d)
            | ApiError::InvalidSubmission { detail: d, .. }
            | ApiError::BadQuery(d)
            | ApiError::Closed(d)
            | ApiError::UnknownEvent(d)
            | ApiError::UnknownNewsletter(d)
            | ApiError::EventFull(d)
            | ApiError::Unauthorized(d)
            | ApiError::InvalidDecision { detail: d, .. }
            | ApiError::DuplicateHeader(d)
            | ApiError::RequestTimeout(d)
            | ApiError::DeadlineExceeded(d)
            | ApiError::RateLimited { detail: d, .. } => d.clone(),
            ApiError::AdminDisabled => "the admin API is off because no token is configured; set \
                admin_token in the configuration file or MITMACHEN_ADMIN_TOKEN (at least 32 \
                characters, e.g. `openssl rand -hex 32`) and restart the collector"
                .into(),
            ApiError::PayloadTooLarge { limit } => {
                format!("the body may have at most {limit} bytes")
            }
            ApiError::IdempotencyKeyReused => "this Idempotency-Key was already used with another \
                body; send a new key for a new submission"
                .into(),
            ApiError::StorageUnavailable => "the submission could not be stored and nothing was \
                stored; retry later with the same Idempotency-Key"
                .into(),
            ApiError::Internal => {
                "the server failed; try again later (a submission: with the same Idempotency-Key)"
                    .into()
            }
        }
    }

    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("urn:mitmachen:problem:{}", self.slug()),
            title: self.title().into(),
            status: self.status().as_u16(),
            detail: self.detail(),
            errors: match self {
                ApiError::InvalidSubmission { errors, .. }
                | ApiError::InvalidDecision { errors, .. } => errors.clone(),
                _ => Vec::new(),
            },
        }
    }

    /// The problem for a bare error status produced outside our handlers (axum's own 405,
    /// a rejected extractor), so that no error leaves without a problem body.
    pub fn for_status(status: StatusCode, body_limit: usize) -> ApiError {
        match status {
            StatusCode::NOT_FOUND => ApiError::NotFound("there is nothing at this path".into()),
            StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed(
                "this path does not answer this method; see the Allow header".into(),
            ),
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge { limit: body_limit },
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                ApiError::UnsupportedMediaType("send Content-Type: application/json".into())
            }
            StatusCode::UNPROCESSABLE_ENTITY => ApiError::InvalidSubmission {
                detail: "the request cannot be processed".into(),
                errors: Vec::new(),
            },
            StatusCode::TOO_MANY_REQUESTS => ApiError::RateLimited {
                detail: "too many requests; try again in a minute".into(),
                retry_after: 60,
            },
            StatusCode::SERVICE_UNAVAILABLE => ApiError::StorageUnavailable,
            StatusCode::REQUEST_TIMEOUT => {
                ApiError::RequestTimeout("the request did not arrive in time; send it again".into())
            }
            StatusCode::UNAUTHORIZED => {
                ApiError::Unauthorized("send Authorization: Bearer <admin token>".into())
            }
            s if s.is_client_error() => ApiError::MalformedJson("the request is malformed".into()),
            _ => ApiError::Internal,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match serde_json::to_vec(&self.problem()) {
            Ok(body) => body,
            // A Problem is strings and numbers only; encoding it cannot fail.
            Err(_) => return self.status().into_response(),
        };
        let mut response = (self.status(), body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
        );
        if let ApiError::RateLimited { retry_after, .. } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        if let ApiError::RequestTimeout(_) = self {
            // The rest of the body may still come; the connection cannot carry another request.
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if let ApiError::Unauthorized(_) = self {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"mitmachen-admin\""),
            );
        }
        response
    }
}

/// Longest piece of a request (a query parameter, a path segment, a header value) that an error
/// detail quotes: enough to recognise it, never a whole query string or a pasted secret.
pub const EXCERPT_CHARS: usize = 40;

/// `text` for quoting in a detail: cut after [`EXCERPT_CHARS`] characters, with `…` if cut.
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_carry_type_status_and_errors() {
        let e = ApiError::InvalidSubmission {
            detail: "choices/2: 'ja' is chosen twice".into(),
            errors: vec![FieldError {
                pointer: "/choices/2".into(),
                detail: "'ja' is chosen twice".into(),
            }],
        };
        let p = e.problem();
        assert_eq!(p.kind, "urn:mitmachen:problem:invalid-submission");
        assert_eq!(p.status, 422);
        assert_eq!(p.errors[0].pointer, "/choices/2");
        assert_eq!(
            ApiError::for_status(StatusCode::METHOD_NOT_ALLOWED, 1).slug(),
            "method-not-allowed"
        );
        assert_eq!(
            ApiError::StorageUnavailable.status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        let limited = ApiError::RateLimited {
            detail: "try again in 20 seconds".into(),
            retry_after: 20,
        }
        .into_response();
        assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(limited.headers()[header::RETRY_AFTER], "20");
        let slow = ApiError::RequestTimeout("slow".into()).into_response();
        assert_eq!(slow.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(slow.headers()[header::CONNECTION], "close");
    }

    #[test]
    fn excerpts_are_short() {
        assert_eq!(excerpt("status"), "status");
        let long = "ä".repeat(100);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
    }
}
