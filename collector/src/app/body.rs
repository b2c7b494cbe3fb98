//! Reading a request body whole, within the configured limit (`413 payload-too-large`) and the
//! body timeout (`408 request-timeout`), and an admin request's JSON body.

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

/// An admin request's JSON body as `T`: broken JSON is `malformed-json`; JSON of another shape
/// is what `shape_error` makes of the pointer to the unknown field (if that is the cause) and
/// serde's words.
pub fn json_body<T: serde::de::DeserializeOwned>(
    body: &[u8],
    shape_error: impl FnOnce(Option<String>, String) -> ApiError,
) -> Result<T, ApiError> {
    let malformed =
        |e: serde_json::Error| ApiError::MalformedJson(format!("the body is not valid JSON: {e}"));
    serde_json::from_slice::<serde::de::IgnoredAny>(body).map_err(malformed)?;
    serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            let unknown = e
                .to_string()
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split('`').next())
                .map(|f| format!("/{f}"));
            shape_error(unknown, e.to_string())
        }
        _ => malformed(e),
    })
}
