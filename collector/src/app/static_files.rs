//! The demo: the built widget bundle at `/dist/` and example pages at `/examples/`.
//!
//! Both are optional. The bundle is served as a production web server would (precompressed
//! variants, a year's cache for hashed names, a validator for the rest), so a town may serve it
//! from here. The example pages are for trying the widgets locally: they imitate a town website
//! with a strict CSP, so that a widget that needs more than the documented CSP fails here first.

use super::SharedState;
use super::error::ApiError;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header::{
    ACCEPT_ENCODING, ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_ENCODING,
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::path::{Path as FsPath, PathBuf};

/// Placeholder in example pages for where the collector is reachable.
const URL_PLACEHOLDER: &str = "{{MITMACHEN_URL}}";
/// Placeholder in example pages for the wasm file of the complete bundle served at `/dist/`
/// (its name carries its hash), for the `<link rel="preload">` the README recommends;
/// `{{MITMACHEN_WASM:poll}}` names the bundle with those kinds only (joined by `+`) and every
/// language, `{{MITMACHEN_WASM:poll:de}}` the one with those kinds in German only.
const WASM_PLACEHOLDER: &str = "{{MITMACHEN_WASM";

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

/// A bundle file, precompressed when the client takes it (`cargo xtask dist` writes `.br` and
/// `.gz` beside each file): a page on a slow network downloads a third of the wasm.
async fn dist(
    State(state): State<SharedState>,
    Path(path): Path<String>,
    request: HeaderMap,
) -> Result<Response, ApiError> {
    let root = state
        .dist_dir
        .as_deref()
        .ok_or_else(|| not_found("/dist/"))?;
    let missing = || not_found(&format!("/dist/{path}"));
    // The variants are served under the original's name only; asked for directly they are
    // not found, so a cache never holds a compressed body without its encoding header.
    if path.ends_with(".br") || path.ends_with(".gz") {
        return Err(missing());
    }
    let (file, encoding) = 'found: {
        for encoding in accepted_encodings(&request) {
            let variant = format!("{path}.{}", encoding.suffix());
            if let Some(file) = open_inside(root, &variant).await {
                break 'found (file, Some(encoding));
            }
        }
        (open_inside(root, &path).await.ok_or_else(missing)?, None)
    };
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(&path)));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Public files: the town's page fetches the .wasm with CORS from another origin.
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Some(encoding) = encoding {
        headers.insert(
            CONTENT_ENCODING,
            HeaderValue::from_static(encoding.header()),
        );
    }
    if is_hashed(&path) {
        // The name changes with the content: cached for a year, never revalidated.
        headers.insert(
            CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    } else {
        // `mitmachen.js` and the manifest keep their names across releases: a short cache
        // and a validator, so a new release reaches every page within minutes.
        headers.insert(
            CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        );
        let etag = etag(&file.meta, encoding);
        let unchanged = request
            .get_all(IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|tag| {
                let tag = tag.trim();
                tag == "*" || tag.trim_start_matches("W/") == etag
            });
        if let Ok(value) = HeaderValue::from_str(&etag) {
            headers.insert(ETAG, value);
        }
        if unchanged {
            return Ok((StatusCode::NOT_MODIFIED, headers).into_response());
        }
    }
    let body = tokio::fs::read(&file.path).await.map_err(|_| missing())?;
    Ok((StatusCode::OK, headers, body).into_response())
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    fn suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gz",
        }
    }

    fn header(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }
}

/// The encodings the client takes, best first (brotli is a fifth smaller than gzip on the wasm).
/// A coding listed with `q=0` is refused, as RFC 9110 says; other weights are not ranked.
fn accepted_encodings(request: &HeaderMap) -> Vec<Encoding> {
    let mut brotli = false;
    let mut gzip = false;
    for value in request
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
    {
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            match coding.as_str() {
                "br" => brotli = !refused,
                "gzip" | "x-gzip" => gzip = !refused,
                _ => {}
            }
        }
    }
    [(brotli, Encoding::Brotli), (gzip, Encoding::Gzip)]
        .into_iter()
        .filter_map(|(ok, e)| ok.then_some(e))
        .collect()
}

/// `mitmachen.<10 hex>.wasm` and the like: names that carry their content's hash.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut parts = name.rsplit('.');
    let (_ext, hash) = (parts.next(), parts.next());
    hash.is_some_and(|h| h.len() == 10 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        && parts.next().is_some()
}

/// A strong validator from size and modification time (as nginx does), per encoding: each
/// variant is a different body.
fn etag(meta: &std::fs::Metadata, encoding: Option<Encoding>) -> String {
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let variant = encoding.map_or(String::new(), |e| format!("-{}", e.suffix()));
    format!("\"{modified:x}-{:x}{variant}\"", meta.len())
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
    let mut page = page.replace(URL_PLACEHOLDER, &state.public_url);
    if page.contains(WASM_PLACEHOLDER) {
        for (placeholder, file) in wasm_files(state).await {
            page = page.replace(&placeholder, &file);
        }
    }
    let csp = HeaderValue::from_str(&csp(&state.public_url)).map_err(|_| ApiError::Internal)?;
    let mut response = file_response(path, page.into_bytes());
    response.headers_mut().insert(CONTENT_SECURITY_POLICY, csp);
    Ok(response)
}

/// Each bundle's placeholder and wasm file, from the manifest `cargo xtask dist` writes.
async fn wasm_files(state: &SharedState) -> Vec<(String, String)> {
    let Some(manifest) = (match state.dist_dir.as_deref() {
        Some(dist) => read_inside(dist, "manifest.json").await,
        None => None,
    }) else {
        return Vec::new();
    };
    let Ok(manifest) = serde_json::from_slice::<serde_json::Value>(&manifest) else {
        return Vec::new();
    };
    let name = |file: &serde_json::Value| file["name"].as_str().map(str::to_owned);
    let mut files = Vec::new();
    for bundle in manifest["bundles"].as_array().into_iter().flatten() {
        let list = |key: &str| -> Vec<&str> {
            bundle[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|k| k.as_str())
                .collect()
        };
        let (kinds, langs) = (list("kinds"), list("langs"));
        // A bundle with some languages only is named with them.
        let only = match langs.as_slice() {
            [] | [_, _, _] => String::new(),
            some => format!(":{}", some.join("+")),
        };
        if let Some(file) = name(bundle) {
            files.push((
                format!("{WASM_PLACEHOLDER}:{}{only}}}}}", kinds.join("+")),
                file,
            ));
        }
    }
    let complete = manifest["files"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(name)
        .find(|n| n.ends_with(".wasm"));
    if let Some(file) = complete {
        files.push((format!("{WASM_PLACEHOLDER}}}}}"), file));
    }
    files
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

/// A file found below a root, with its metadata.
struct Found {
    path: PathBuf,
    meta: std::fs::Metadata,
}

/// The file at `relative` below `root`, or `None`: no `..`, no hidden files, no directories,
/// and no symbolic link that leads out of `root`.
async fn open_inside(root: &FsPath, relative: &str) -> Option<Found> {
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
    let meta = tokio::fs::metadata(&path).await.ok()?;
    if !path.starts_with(&root) || !meta.is_file() {
        return None;
    }
    Some(Found { path, meta })
}

async fn read_inside(root: &FsPath, relative: &str) -> Option<Vec<u8>> {
    let found = open_inside(root, relative).await?;
    tokio::fs::read(&found.path).await.ok()
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
