//! The demo: the built widget bundle at `/dist/` and example pages at `/examples/`.
//!
//! Both are optional and meant for trying the widgets locally; a town serves the bundle from
//! its own web server. The example pages imitate a town website with a strict CSP, so that a
//! widget that needs more than the documented CSP fails here first.

use super::SharedState;
use super::error::ApiError;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::path::{Path as FsPath, PathBuf};

/// Placeholder in example pages for where the collector is reachable.
const URL_PLACEHOLDER: &str = "{{MITMACHEN_URL}}";

pub fn routes(state: &SharedState) -> Router<SharedState> {
    let mut router = Router::new();
    if state.dist_dir.is_some() {
        router = router.route("/dist/{*path}", get(dist));
    }
    if state.site_dir.is_some() {
        router = router
            .route("/", get(|| async { Redirect::temporary("/examples/") }))
            .route(
                "/examples",
                get(|| async { Redirect::permanent("/examples/") }),
            )
            .route("/examples/", get(site_index))
            .route("/examples/{*path}", get(site));
    }
    router
}

async fn dist(
    State(state): State<SharedState>,
    Path(path): Path<String>,
) -> Result<Response, ApiError> {
    let root = state
        .dist_dir
        .as_deref()
        .ok_or_else(|| not_found("/dist/"))?;
    let body = read_inside(root, &path)
        .await
        .ok_or_else(|| not_found(&format!("/dist/{path}")))?;
    let mut response = file_response(&path, body);
    // Public files: the town's page fetches the .wasm with CORS from another origin.
    response
        .headers_mut()
        .insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    Ok(response)
}

async fn site_index(State(state): State<SharedState>) -> Result<Response, ApiError> {
    serve_site(&state, "index.html").await
}

async fn site(
    State(state): State<SharedState>,
    Path(path): Path<String>,
) -> Result<Response, ApiError> {
    serve_site(&state, &path).await
}

async fn serve_site(state: &SharedState, path: &str) -> Result<Response, ApiError> {
    let root = state
        .site_dir
        .as_deref()
        .ok_or_else(|| not_found("/examples/"))?;
    let body = read_inside(root, path)
        .await
        .ok_or_else(|| not_found(&format!("/examples/{path}")))?;
    if !is_html(path) {
        return Ok(file_response(path, body));
    }
    let page = String::from_utf8(body).map_err(|_| {
        tracing::error!(path, "example page is not UTF-8");
        ApiError::Internal
    })?;
    let page = page.replace(URL_PLACEHOLDER, &state.public_url);
    let csp = HeaderValue::from_str(&csp(&state.public_url)).map_err(|_| ApiError::Internal)?;
    let mut response = file_response(path, page.into_bytes());
    response.headers_mut().insert(CONTENT_SECURITY_POLICY, csp);
    Ok(response)
}

/// The CSP a careful town would send: scripts and connections only to itself and the collector.
pub fn csp(public_url: &str) -> String {
    // A source with a path matches only that exact path unless it ends in '/'.
    let source = match public_url.split_once("://") {
        Some((_, rest)) if rest.contains('/') => format!("{public_url}/"),
        _ => public_url.to_owned(),
    };
    format!(
        "default-src 'self'; script-src 'self' {source} 'wasm-unsafe-eval'; \
         connect-src 'self' {source}; style-src 'self'; img-src 'self' data:; font-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
}

fn not_found(path: &str) -> ApiError {
    ApiError::NotFound(format!("there is no file at {path}"))
}

fn file_response(path: &str, body: Vec<u8>) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
    // Always revalidate: during a demo the bundle is rebuilt often.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    (StatusCode::OK, headers, body).into_response()
}

fn is_html(path: &str) -> bool {
    matches!(extension(path).as_str(), "html" | "htm")
}

fn extension(path: &str) -> String {
    path.rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default()
}

fn content_type(path: &str) -> &'static str {
    match extension(path).as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The file at `relative` below `root`, or `None`: no `..`, no hidden files, no directories,
/// and no symbolic link that leads out of `root`.
async fn read_inside(root: &FsPath, relative: &str) -> Option<Vec<u8>> {
    let relative = relative.trim_start_matches('/');
    let mut path = PathBuf::from(root);
    for segment in relative.split('/') {
        let plain = !segment.is_empty()
            && !segment.starts_with('.')
            && !segment.contains(['\\', '\0', ':']);
        if !plain {
            return None;
        }
        path.push(segment);
    }
    let root = tokio::fs::canonicalize(root).await.ok()?;
    let path = tokio::fs::canonicalize(&path).await.ok()?;
    if !path.starts_with(&root) || !tokio::fs::metadata(&path).await.ok()?.is_file() {
        return None;
    }
    tokio::fs::read(&path).await.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_and_csp() {
        assert_eq!(content_type("mitmachen_bg.wasm"), "application/wasm");
        assert_eq!(content_type("a/b.JS"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("README"), "application/octet-stream");
        assert!(
            csp("http://127.0.0.1:8080")
                .contains("script-src 'self' http://127.0.0.1:8080 'wasm-unsafe-eval'")
        );
        assert!(
            csp("https://b.de/mitmachen").contains("connect-src 'self' https://b.de/mitmachen/;")
        );
    }

    #[tokio::test]
    async fn refuses_to_leave_the_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("sub")).expect("mkdir");
        std::fs::write(root.join("sub/a.css"), "x").expect("write");
        std::fs::write(root.join(".env"), "secret").expect("write");
        std::fs::write(dir.path().join("outside.txt"), "secret").expect("write");
        assert_eq!(
            read_inside(&root, "sub/a.css").await.as_deref(),
            Some(&b"x"[..])
        );
        for bad in [
            "../outside.txt",
            "sub/../../outside.txt",
            "sub",
            "sub/",
            ".env",
            "",
            "sub//a.css",
        ] {
            assert_eq!(read_inside(&root, bad).await, None, "{bad}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("outside.txt"), root.join("link.txt"))
                .expect("symlink");
            assert_eq!(read_inside(&root, "link.txt").await, None);
        }
    }
}
