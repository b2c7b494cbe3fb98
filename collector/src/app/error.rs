//! Every error answer of the collector: one enum, one problem+json shape (RFC 9457), with the
//! `type` slugs of `docs/protocol.md`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mitmachen_shared::protocol::{FieldError, PROBLEM_CONTENT_TYPE, Problem, ProblemKind};

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
    /// A signed-in account whose role does not allow the request.
    Forbidden(String),
    /// A widget definition that is not one; `errors` point into the body.
    InvalidDefinition {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// A widget declared in the configuration file.
    ReadOnly(String),
    /// `If-Match` names an outdated version.
    VersionConflict(String),
    /// A submission to a draft widget.
    Draft(String),
    /// Results its definition keeps from citizens.
    ResultsHidden(String),
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
    /// The problem's kind, which fixes its `type`, status and title.
    pub fn kind(&self) -> ProblemKind {
        match self {
            ApiError::MalformedJson(_) => ProblemKind::MalformedJson,
            ApiError::IdempotencyKeyMissing(_) => ProblemKind::IdempotencyKeyMissing,
            ApiError::BadWidgetId(_) => ProblemKind::BadWidgetId,
            ApiError::OriginNotAllowed(_) => ProblemKind::OriginNotAllowed,
            ApiError::NotFound(_) => ProblemKind::NotFound,
            ApiError::MethodNotAllowed(_) => ProblemKind::MethodNotAllowed,
            ApiError::PayloadTooLarge { .. } => ProblemKind::PayloadTooLarge,
            ApiError::UnsupportedMediaType(_) => ProblemKind::UnsupportedMediaType,
            ApiError::InvalidSubmission { .. } => ProblemKind::InvalidSubmission,
            ApiError::IdempotencyKeyReused => ProblemKind::IdempotencyKeyReused,
            ApiError::Closed(_) => ProblemKind::Closed,
            ApiError::UnknownEvent(_) => ProblemKind::UnknownEvent,
            ApiError::UnknownNewsletter(_) => ProblemKind::UnknownNewsletter,
            ApiError::EventFull(_) => ProblemKind::EventFull,
            ApiError::BadQuery(_) => ProblemKind::BadQuery,
            ApiError::AdminDisabled => ProblemKind::AdminDisabled,
            ApiError::Unauthorized(_) => ProblemKind::Unauthorized,
            ApiError::InvalidDecision { .. } => ProblemKind::InvalidDecision,
            ApiError::Forbidden(_) => ProblemKind::Forbidden,
            ApiError::InvalidDefinition { .. } => ProblemKind::InvalidDefinition,
            ApiError::ReadOnly(_) => ProblemKind::ReadOnly,
            ApiError::VersionConflict(_) => ProblemKind::VersionConflict,
            ApiError::Draft(_) => ProblemKind::Draft,
            ApiError::ResultsHidden(_) => ProblemKind::ResultsHidden,
            ApiError::DuplicateHeader(_) => ProblemKind::DuplicateHeader,
            ApiError::RequestTimeout(_) => ProblemKind::RequestTimeout,
            ApiError::DeadlineExceeded(_) => ProblemKind::DeadlineExceeded,
            ApiError::RateLimited { .. } => ProblemKind::RateLimited,
            ApiError::StorageUnavailable => ProblemKind::StorageUnavailable,
            ApiError::Internal => ProblemKind::Internal,
        }
    }

    // Every kind above is a known one, with slug, status and title; the fallbacks are never
    // taken (`ProblemKind::Other` is only what a reader makes of a type it does not know).

    pub fn status(&self) -> StatusCode {
        self.kind()
            .status()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn slug(&self) -> &'static str {
        self.kind().slug().unwrap_or("internal")
    }

    fn title(&self) -> &'static str {
        self.kind().title().unwrap_or("Internal error")
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
            | ApiError::Forbidden(d)
            | ApiError::InvalidDefinition { detail: d, .. }
            | ApiError::ReadOnly(d)
            | ApiError::VersionConflict(d)
            | ApiError::Draft(d)
            | ApiError::ResultsHidden(d)
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
            kind: self.kind().type_uri(),
            title: self.title().into(),
            status: self.status().as_u16(),
            detail: self.detail(),
            errors: match self {
                ApiError::InvalidSubmission { errors, .. }
                | ApiError::InvalidDecision { errors, .. }
                | ApiError::InvalidDefinition { errors, .. } => errors.clone(),
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

    /// One error of every variant, in the order of `docs/protocol.md`'s table.
    fn every_error() -> Vec<ApiError> {
        let d = || "d".to_owned();
        vec![
            ApiError::MalformedJson(d()),
            ApiError::IdempotencyKeyMissing(d()),
            ApiError::BadWidgetId(d()),
            ApiError::BadQuery(d()),
            ApiError::Unauthorized(d()),
            ApiError::OriginNotAllowed(d()),
            ApiError::NotFound(d()),
            ApiError::UnknownEvent(d()),
            ApiError::UnknownNewsletter(d()),
            ApiError::EventFull(d()),
            ApiError::AdminDisabled,
            ApiError::MethodNotAllowed(d()),
            ApiError::PayloadTooLarge { limit: 1 },
            ApiError::UnsupportedMediaType(d()),
            ApiError::InvalidSubmission {
                detail: d(),
                errors: Vec::new(),
            },
            ApiError::IdempotencyKeyReused,
            ApiError::Closed(d()),
            ApiError::InvalidDecision {
                detail: d(),
                errors: Vec::new(),
            },
            ApiError::Forbidden(d()),
            ApiError::InvalidDefinition {
                detail: d(),
                errors: Vec::new(),
            },
            ApiError::ReadOnly(d()),
            ApiError::VersionConflict(d()),
            ApiError::Draft(d()),
            ApiError::ResultsHidden(d()),
            ApiError::DuplicateHeader(d()),
            ApiError::RequestTimeout(d()),
            ApiError::DeadlineExceeded(d()),
            ApiError::RateLimited {
                detail: d(),
                retry_after: 1,
            },
            ApiError::StorageUnavailable,
            ApiError::Internal,
        ]
    }

    #[test]
    fn every_variant_answers_its_own_kind() {
        let errors = every_error();
        let kinds: Vec<ProblemKind> = errors.iter().map(ApiError::kind).collect();
        assert_eq!(
            kinds,
            ProblemKind::ALL,
            "one variant per kind, in the table's order"
        );
        for e in &errors {
            let p = e.problem();
            assert_eq!(ProblemKind::from_type_uri(&p.kind), e.kind());
            assert_eq!(p.kind, format!("urn:mitmachen:problem:{}", e.slug()));
            assert_eq!(Some(p.status), e.kind().status());
            assert_eq!(e.clone().into_response().status().as_u16(), p.status);
        }
    }

    #[test]
    fn the_body_is_as_before() {
        let body = serde_json::to_string(&ApiError::EventFull("no seat left".into()).problem())
            .expect("json");
        assert_eq!(
            body,
            r#"{"type":"urn:mitmachen:problem:event-full","title":"The event is full","status":409,"detail":"no seat left"}"#
        );
    }
}
