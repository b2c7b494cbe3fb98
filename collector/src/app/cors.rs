//! Which web pages may talk to the API (`docs/protocol.md`, "Cross-origin requests").
//!
//! Widgets run on the town's pages, so browsers send an `Origin`; only configured origins get
//! answers. Requests without `Origin` do not come from a page and are not restricted: the
//! origin check protects against other websites, not against scripts.

use super::SharedState;
use super::error::ApiError;
use crate::config::normalise_origin;
use axum::extract::{RawPathParams, Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use mitmachen_shared::ids::WidgetId;
use std::collections::BTreeMap;

/// How long a browser may reuse a preflight answer, in seconds.
const MAX_AGE: &str = "600";

/// The configured allow-lists, already normalised.
#[derive(Debug, Clone, Default)]
pub struct OriginPolicy {
    global: Vec<String>,
    per_widget: BTreeMap<WidgetId, Vec<String>>,
}

impl OriginPolicy {
    pub fn new(global: Vec<String>, per_widget: BTreeMap<WidgetId, Vec<String>>) -> Self {
        OriginPolicy { global, per_widget }
    }

    /// Whether `origin` (as sent by a browser) may use `widget`; a widget's own list replaces
    /// the global one, and paths without a widget use the global one.
    pub fn allows(&self, widget: Option<&WidgetId>, origin: &str) -> bool {
        let Ok(origin) = normalise_origin(origin) else {
            return false;
        };
        let list = widget
            .and_then(|w| self.per_widget.get(w))
            .unwrap_or(&self.global);
        list.contains(&origin)
    }

    /// The origins that may use `widget` (its own list, else the global one), normalised.
    pub fn origins_for(&self, widget: &WidgetId) -> &[String] {
        self.per_widget.get(widget).unwrap_or(&self.global)
    }

    /// `url` parsed, if it is an http(s) address without user or password on an origin that
    /// may use `widget`: the town's own pages, never someone else's address that a request
    /// named (which a page or a check of the collector must not lead anyone to).
    pub fn town_url(&self, widget: &WidgetId, url: &str) -> Option<reqwest::Url> {
        let parsed = reqwest::Url::parse(url.trim()).ok()?;
        if !matches!(parsed.scheme(), "http" | "https")
            || !parsed.username().is_empty()
            || parsed.password().is_some()
        {
            return None;
        }
        let origin = normalise_origin(&parsed.origin().ascii_serialization()).ok()?;
        self.origins_for(widget).contains(&origin).then_some(parsed)
    }
}

/// Answers preflights and refuses other origins on the API paths.
///
/// A bad widget id is left to the handler (400 comes before 403); the global list then only
/// decides whether the browser may read that error.
pub async fn api_cors(
    State(state): State<SharedState>,
    params: Result<RawPathParams, axum::extract::rejection::RawPathParamsRejection>,
    req: Request,
    next: Next,
) -> Response {
    let Some(origin) = req.headers().get(ORIGIN).cloned() else {
        return next.run(req).await;
    };
    let raw_widget = params.ok().and_then(|p| {
        p.iter()
            .find(|(name, _)| *name == "widget")
            .map(|(_, value)| value.to_owned())
    });
    let (widget, bad_widget) = match raw_widget.as_deref().map(WidgetId::parse) {
        None => (None, None),
        Some(Ok(w)) => (Some(w), None),
        Some(Err(e)) => (
            None,
            Some(format!(
                "the widget id '{}' {e}",
                raw_widget.unwrap_or_default()
            )),
        ),
    };
    let allowed = origin
        .to_str()
        .is_ok_and(|o| state.origins.allows(widget.as_ref(), o));

    if req.method() == Method::OPTIONS {
        return match bad_widget {
            Some(detail) => ApiError::BadWidgetId(detail).into_response(),
            None if allowed => preflight(origin),
            None => refused(&origin, widget.as_ref()),
        };
    }
    let bad_widget = bad_widget.is_some();
    if !allowed && !bad_widget {
        return refused(&origin, widget.as_ref());
    }
    let mut response = next.run(req).await;
    if allowed {
        let headers = response.headers_mut();
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Retry-After, Idempotent-Replayed"),
        );
        headers.append(VARY, HeaderValue::from_static("Origin"));
    }
    response
}

fn preflight(origin: HeaderValue) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(
        ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST"),
    );
    headers.insert(
        ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type, idempotency-key"),
    );
    headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(MAX_AGE));
    headers.insert(VARY, HeaderValue::from_static("Origin"));
    (StatusCode::NO_CONTENT, headers).into_response()
}

fn refused(origin: &HeaderValue, widget: Option<&WidgetId>) -> Response {
    let origin = String::from_utf8_lossy(origin.as_bytes());
    let detail = match widget {
        Some(w) => format!(
            "the page at {origin} may not use widget '{w}'; add the origin to allowed_origins \
             (or widgets.{w}.allowed_origins) in the collector's configuration"
        ),
        None => format!(
            "the page at {origin} may not use this collector; add the origin to allowed_origins \
             in the collector's configuration"
        ),
    };
    ApiError::OriginNotAllowed(detail).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_widget_list_replaces_the_global_one() {
        let w = WidgetId::parse("haushalt").expect("id");
        let other = WidgetId::parse("spielplatz").expect("id");
        let policy = OriginPolicy::new(
            vec!["https://a.de".into()],
            BTreeMap::from([(w.clone(), vec!["https://b.de".into()])]),
        );
        assert!(policy.allows(Some(&other), "https://a.de"));
        assert!(policy.allows(None, "https://a.de"));
        assert!(!policy.allows(Some(&w), "https://a.de"));
        assert!(policy.allows(Some(&w), "https://b.de"));
        assert!(!policy.allows(Some(&other), "null"));
        assert!(!OriginPolicy::default().allows(None, "https://a.de"));
    }

    #[test]
    fn a_town_url_lies_on_an_allowed_origin() {
        let w = WidgetId::parse("newsletter").expect("id");
        let policy = OriginPolicy::new(
            vec![
                "https://www.musterstadt.de".into(),
                "http://localhost:8080".into(),
            ],
            BTreeMap::new(),
        );
        let town = |url: &str| policy.town_url(&w, url).map(|u| u.to_string());
        assert_eq!(
            town("https://WWW.musterstadt.de:443/newsletter?x=1").as_deref(),
            Some("https://www.musterstadt.de/newsletter?x=1")
        );
        assert!(town("http://localhost:8080/examples/rathaus.html").is_some());
        for elsewhere in [
            "https://evil.example/newsletter",
            "https://www.musterstadt.de@evil.example/",
            "https://user:pw@www.musterstadt.de/",
            "http://www.musterstadt.de/",
            "https://www.musterstadt.de.evil.example/",
            "javascript:alert(1)",
            "/relative",
            "",
        ] {
            assert_eq!(town(elsewhere), None, "{elsewhere}");
        }
    }
}
