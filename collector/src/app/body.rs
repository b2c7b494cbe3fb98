//! Reading a request body whole, within the configured limit (`413 payload-too-large`) and the
//! body timeout (`408 request-timeout`).

use super::error::ApiError;
use axum::body::{Body, Bytes, to_bytes};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_LENGTH;
use http_body_util::LengthLimitError;

/// Reads the whole body, refusing early by `Content-Length` and otherwise while reading.
pub async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, ApiError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    to_bytes(body, limit).await.map_err(|e| {
        if std::error::Error::source(&e).is_some_and(|s| s.is::<LengthLimitError>()) {
            ApiError::PayloadTooLarge { limit }
        } else if let Some(timeout) = super::server::body_timeout(&e) {
            ApiError::RequestTimeout(format!(
                "{timeout}; send the request again (a submission with the same Idempotency-Key)"
            ))
        } else {
            ApiError::MalformedJson("the body could not be read to its end; send it again".into())
        }
    })
}
