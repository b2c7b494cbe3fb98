//! Small HTML pages for people who follow a link from a mail (cancel a registration, confirm
//! or end a subscription): one layout headed by the town's name, escaped text, a strict CSP,
//! never cached or indexed; they reflow down to 320 CSS pixels (WCAG 1.4.10).

use axum::Router;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::SharedState;

pub const STYLESHEET_PATH: &str = "/v1/pages.css";

/// No script at all; styles only from the collector; forms only back to it.
const CSP: &str = "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; \
                   frame-ancestors 'none'";

/// Long words (a town's compound nouns, an address) break rather than widen the page; below
/// 30rem the facts stack, label above value. The button is a neutral blue (7.8:1 with white);
/// only giving up a seat is red (`.danger`, 8.6:1). The focus ring is the text colour, so it
/// stands out from the background in light and dark mode alike.
const STYLESHEET: &str = "\
:root{color-scheme:light dark;font-family:system-ui,sans-serif;line-height:1.5}
body{margin:0 auto;max-width:36rem;padding:2rem 1rem;overflow-wrap:anywhere}
header{margin:0 0 1rem;padding:0 0 .5rem;border-bottom:1px solid currentColor}
header p{margin:0;font-weight:600}
h1{font-size:1.5rem;line-height:1.25}
dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.25rem 1rem}
dt{font-weight:600}
dd{margin:0;min-width:0}
dd ul{margin:0;padding-left:1.25rem}
button{font:inherit;font-weight:600;padding:.75rem 1.25rem;min-height:2.75rem;max-width:100%;border:2px solid transparent;border-radius:.25rem;background:#1a4fa3;color:#fff;cursor:pointer}
button.danger{background:#8a1c1c}
button:focus-visible{outline:3px solid CanvasText;outline-offset:3px}
.note{color:inherit;opacity:.9}
@media (max-width:30rem){dl{display:block}dd{margin:0 0 .5rem}}
@media (forced-colors:active){button{border-color:ButtonText}}
";

pub fn routes() -> Router<SharedState> {
    Router::new().route(STYLESHEET_PATH, get(stylesheet))
}

async fn stylesheet() -> Response {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=86400"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// Link tokens are 64 hex digits; anything else is not looked up at all.
pub fn plausible_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The database failed behind a link: German and English together, since the reader's
/// language is in the database.
pub fn unavailable() -> Response {
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        "de",
        "Gerade nicht möglich – Not possible right now",
        "<p>Bitte versuchen Sie es in einigen Minuten noch einmal; es wurde nichts geändert.</p>\n\
         <p lang=\"en\">Please try again in a few minutes; nothing was changed.</p>",
    )
}

/// Text for HTML: `&`, `<`, `>`, `"` and `'` escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page: `title` is text (escaped here), `body` is HTML made of escaped parts.
pub fn page(status: StatusCode, lang: &str, title: &str, body: &str) -> Response {
    town_page(status, lang, None, title, body)
}

/// A whole page headed by the town's name (text, escaped here), so that a citizen who opened
/// a link from a mail sees whose page this is.
pub fn town_page(
    status: StatusCode,
    lang: &str,
    town: Option<&str>,
    title: &str,
    body: &str,
) -> Response {
    let town = town.map(str::trim).filter(|t| !t.is_empty());
    let (header, window_title) = match town {
        Some(town) => (
            format!("<header>\n<p>{}</p>\n</header>\n", escape(town)),
            format!("{} – {}", escape(title), escape(town)),
        ),
        None => (String::new(), escape(title)),
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<title>{window_title}</title>\n\
         <link rel=\"stylesheet\" href=\"{STYLESHEET_PATH}\">\n</head>\n<body>\n{header}<main>\n\
         <h1>{title}</h1>\n{body}\n</main>\n</body>\n</html>\n",
        lang = escape(lang),
        title = escape(title),
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    // The URL carries a secret: it must not leave in a Referer or stay in a cache.
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }

    #[tokio::test]
    async fn the_towns_name_heads_the_page_as_text() {
        use http_body_util::BodyExt;
        let response = town_page(StatusCode::OK, "de", Some(" A & <B> "), "Titel", "<p>x</p>");
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let html = String::from_utf8(bytes.to_vec()).expect("utf-8");
        assert!(
            html.contains("<title>Titel – A &amp; &lt;B&gt;</title>"),
            "{html}"
        );
        assert!(html.contains("<header>\n<p>A &amp; &lt;B&gt;</p>\n</header>\n<main>"));
        let plain = town_page(StatusCode::OK, "de", Some(" "), "Titel", "");
        let bytes = plain.into_body().collect().await.expect("body").to_bytes();
        assert!(!String::from_utf8_lossy(&bytes).contains("<header>"));
    }
}
