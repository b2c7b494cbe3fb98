//! What every admin path shares: who asks, as an extractor ([`Admin`]: the bearer token of a
//! script, or a console session with its account's role), the one query parameter an admin
//! request may carry, and answers that are never cached.
//!
//! Not for browsers on town pages: admin paths sit outside the CORS layer, so a page never gets
//! to read an answer, and a browser's preflight for the `Authorization` header fails. Without a
//! configured token every admin path answers `404 admin-disabled` (saying how to turn it on) to
//! a request without a console session.

use super::csv::Separator;
use super::error::{ApiError, excerpt};
use super::{AppState, SharedState, single_header};
use crate::accounts::session;
use crate::accounts::{Permission, Role};
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::response::Response;
use sha2::{Digest, Sha256};

/// Who makes an admin request: a script with the bearer token (every right) or a signed-in
/// console account (its role's rights; a request that changes something also carries the
/// session's CSRF token in `X-CSRF-Token`). A handler that takes `Admin` cannot forget the
/// check, and says what it needs with [`Admin::require`].
#[derive(Debug, Clone)]
pub struct Admin {
    pub role: Role,
    /// Who, for the record: `api` for the token, else the account's name.
    pub by: String,
}

/// Who changed something through the bearer token.
pub use crate::audit::BY_TOKEN;

impl Admin {
    /// `forbidden` unless the role allows `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if self.role.may(permission) {
            Ok(())
        } else {
            tracing::warn!(account = %self.by, ?permission, "admin request refused for the account's role");
            Err(ApiError::Forbidden(format!(
                "the role {} does not allow this",
                self.role
            )))
        }
    }
}

impl FromRequestParts<SharedState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        if !parts.headers.contains_key(AUTHORIZATION) && parts.headers.contains_key(COOKIE) {
            let (state2, headers) = (state.clone(), parts.headers.clone());
            let found = tokio::task::spawn_blocking(move || session::current(&state2, &headers))
                .await
                .map_err(|_| ApiError::Internal)?
                .map_err(|e| {
                    tracing::error!(error = %e, "reading a console session failed");
                    ApiError::StorageUnavailable
                })?;
            if let Some(session) = found {
                let reads = matches!(parts.method, Method::GET | Method::HEAD);
                let sent = parts
                    .headers
                    .get(session::CSRF_HEADER)
                    .and_then(|v| v.to_str().ok());
                if !reads && !session::csrf_ok(state, &parts.headers, &session, sent) {
                    return Err(ApiError::Forbidden(format!(
                        "a change with a console session needs its CSRF token in {} and must come from the console's origin",
                        session::CSRF_HEADER
                    )));
                }
                return Ok(Admin {
                    role: session.role(),
                    by: session.account.name.clone(),
                });
            }
        }
        authorize(state, &parts.headers).map(|()| Admin {
            role: Role::Administrator,
            by: BY_TOKEN.to_owned(),
        })
    }
}

/// The admin API is on and the request carries its token.
fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(token) = &state.admin_token else {
        return Err(ApiError::AdminDisabled);
    };
    let presented = single_header(
        headers,
        AUTHORIZATION.as_str(),
        "send the admin token once, as Authorization: Bearer <token>",
    )?
    .and_then(|v| v.to_str().ok())
    .and_then(|v| v.trim().split_once(' '))
    .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
    .map(|(_, token)| token.trim());
    let Some(presented) = presented else {
        return Err(ApiError::Unauthorized(
            "send the admin token as Authorization: Bearer <token>".into(),
        ));
    };
    if !same_secret(presented.as_bytes(), token.as_str().as_bytes()) {
        tracing::warn!("admin request with a wrong bearer token refused");
        return Err(ApiError::Unauthorized(
            "the bearer token is not the configured admin_token".into(),
        ));
    }
    Ok(())
}

/// Compares in constant time: both sides are hashed to 32 bytes first, so neither the length
/// nor the position of the first difference changes the time taken.
pub(crate) fn same_secret(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = (Sha256::digest(a), Sha256::digest(b));
    let diff = a
        .iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

pub fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The value of `name`, the one query parameter an admin request may carry, at most once.
pub fn only_param(query: Option<&str>, name: &str) -> Result<Option<String>, ApiError> {
    Ok(params(query, &[name])?.pop().map(|(_, value)| value))
}

/// The query parameters of an admin request, decoded: each a name of `allowed`, at most once.
pub fn params(query: Option<&str>, allowed: &[&str]) -> Result<Vec<(String, String)>, ApiError> {
    let mut found: Vec<(String, String)> = Vec::new();
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        // Only the parameter's name is quoted, shortened: never the query or a value as sent.
        if !allowed.contains(&key.as_ref()) {
            let known = match allowed {
                [one] => format!("the only one here is {one}"),
                _ => format!("the ones here are {}", allowed.join(", ")),
            };
            return Err(ApiError::BadQuery(format!(
                "unknown query parameter '{}': {known}",
                excerpt(&key)
            )));
        }
        if found.iter().any(|(k, _)| *k == key) {
            return Err(ApiError::BadQuery(format!(
                "{key} is given more than once; give it once"
            )));
        }
        found.push((key.into_owned(), value.into_owned()));
    }
    Ok(found)
}

pub fn separator(query: Option<&str>) -> Result<Separator, ApiError> {
    let Some(value) = only_param(query, "separator")? else {
        return Ok(Separator::default());
    };
    Separator::parse(&value).ok_or_else(|| {
        ApiError::BadQuery(format!(
            "separator '{}' is neither semicolon (German Excel, the default) nor comma",
            excerpt(&value)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        let token = b"0123456789abcdef0123456789abcdef";
        assert!(same_secret(token, token));
        assert!(!same_secret(b"0123456789abcdef0123456789abcdeF", token));
        assert!(!same_secret(b"0123456789abcdef", token));
        assert!(!same_secret(b"", token));
    }
}
