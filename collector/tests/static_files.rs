//! The demo files: the bundle at `/dist/`, the example pages at `/examples/`.

mod support;

use reqwest::{StatusCode, header};
use support::{Collector, client, raw_get};

const SECRET: &str = "do-not-serve-4711";

fn demo(dir: &std::path::Path) -> (String, String) {
    let dist = dir.join("dist");
    let site = dir.join("site");
    std::fs::create_dir_all(&dist).expect("mkdir");
    std::fs::create_dir_all(site.join("css")).expect("mkdir");
    std::fs::write(dist.join("mitmachen_bg.wasm"), b"\0asm\x01\0\0\0").expect("write");
    std::fs::write(dist.join("mitmachen.js"), "export {};").expect("write");
    std::fs::write(
        site.join("index.html"),
        "<script src=\"{{MITMACHEN_URL}}/dist/mitmachen.js\" data-endpoint=\"{{MITMACHEN_URL}}\"></script>",
    )
    .expect("write");
    std::fs::write(site.join("css/town.css"), "body{}").expect("write");
    std::fs::write(dir.join("secret.txt"), SECRET).expect("write");
    (dist.to_string_lossy().into(), site.to_string_lossy().into())
}

#[tokio::test]
async fn dist_is_public_with_the_right_types() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (dist, _) = demo(dir.path());
    let c = Collector::start(dir.path(), &[("MITMACHEN_DIST_DIR", &dist)]);

    let wasm = client()
        .get(format!("{}/dist/mitmachen_bg.wasm", c.url))
        .send()
        .await
        .expect("request");
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(wasm.headers()[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(wasm.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(wasm.headers()[header::CACHE_CONTROL], "public, max-age=300");
    assert_eq!(&wasm.bytes().await.expect("body")[..4], b"\0asm");

    let js = client()
        .get(format!("{}/dist/mitmachen.js", c.url))
        .send()
        .await
        .expect("request");
    assert_eq!(
        js.headers()[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );

    for bad in ["/dist/", "/dist/missing.js", "/examples/"] {
        let res = client()
            .get(format!("{}{bad}", c.url))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{bad}");
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "application/problem+json",
            "{bad}"
        );
    }
    // Sent raw: an HTTP client would resolve the dots itself.
    for bad in [
        "/dist/../secret.txt",
        "/dist/..%2Fsecret.txt",
        "/dist/%2e%2e/secret.txt",
        "/dist/%2E%2E%2Fsecret.txt",
    ] {
        let answer = raw_get(&c, bad).await;
        assert!(answer.starts_with("HTTP/1.1 404"), "{bad}: {answer}");
        assert!(!answer.contains(SECRET), "{bad}: {answer}");
    }
    assert!(
        raw_get(&c, "/dist/mitmachen.js")
            .await
            .starts_with("HTTP/1.1 200")
    );
}

#[tokio::test]
async fn example_pages_get_the_url_and_a_strict_csp() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (dist, site) = demo(dir.path());
    let c = Collector::start(
        dir.path(),
        &[("MITMACHEN_DIST_DIR", &dist), ("MITMACHEN_SITE_DIR", &site)],
    );

    let root = client()
        .get(format!("{}/", c.url))
        .send()
        .await
        .expect("request");
    assert!(root.status().is_redirection());
    assert_eq!(root.headers()[header::LOCATION], "/examples/");

    for path in ["/examples/", "/examples/index.html"] {
        let page = client()
            .get(format!("{}{path}", c.url))
            .send()
            .await
            .expect("request");
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(
            page.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        let csp = page.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert_eq!(
            csp,
            format!(
                "default-src 'self'; script-src 'self' {u} 'wasm-unsafe-eval'; connect-src 'self' {u}; \
                 style-src 'self'; img-src 'self' data:; font-src 'self'; object-src 'none'; \
                 base-uri 'none'; frame-ancestors 'none'",
                u = c.url
            )
        );
        let html = page.text().await.expect("body");
        assert_eq!(
            html,
            format!(
                "<script src=\"{u}/dist/mitmachen.js\" data-endpoint=\"{u}\"></script>",
                u = c.url
            )
        );
    }

    let css = client()
        .get(format!("{}/examples/css/town.css", c.url))
        .send()
        .await
        .expect("request");
    assert_eq!(
        css.headers()[header::CONTENT_TYPE],
        "text/css; charset=utf-8"
    );
    assert!(css.headers().get(header::CONTENT_SECURITY_POLICY).is_none());
    assert_eq!(css.text().await.expect("body"), "body{}");

    for bad in [
        "/examples/css/",
        "/examples/css",
        "/examples/../secret.txt",
        "/examples/%2e%2e/secret.txt",
        "/examples/css/..%2F..%2Fsecret.txt",
    ] {
        let answer = raw_get(&c, bad).await;
        assert!(answer.starts_with("HTTP/1.1 404"), "{bad}: {answer}");
        assert!(!answer.contains(SECRET), "{bad}: {answer}");
    }
}

#[tokio::test]
async fn a_configured_public_url_is_used_in_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, site) = demo(dir.path());
    let c = Collector::start(
        dir.path(),
        &[
            ("MITMACHEN_SITE_DIR", &site),
            (
                "MITMACHEN_PUBLIC_URL",
                "https://beteiligung.musterstadt.de/",
            ),
        ],
    );
    let page = client()
        .get(format!("{}/examples/", c.url))
        .send()
        .await
        .expect("request");
    let csp = page.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        csp.contains("connect-src 'self' https://beteiligung.musterstadt.de;"),
        "{csp}"
    );
    let html = page.text().await.expect("body");
    assert!(
        html.contains("data-endpoint=\"https://beteiligung.musterstadt.de\""),
        "{html}"
    );
}

/// `cargo xtask dist` writes `.br` and `.gz` beside each file: the client gets the best one it
/// takes, under the original name, and a hashed name is cached for a year.
#[tokio::test]
async fn dist_serves_precompressed_variants_and_caches_hashed_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (dist, _) = demo(dir.path());
    let dist_dir = std::path::Path::new(&dist);
    let hashed = "mitmachen.0123abcdef.wasm";
    std::fs::write(dist_dir.join(hashed), b"plain").expect("write");
    std::fs::write(dist_dir.join(format!("{hashed}.br")), b"brotli").expect("write");
    std::fs::write(dist_dir.join(format!("{hashed}.gz")), b"gzip").expect("write");
    std::fs::write(dist_dir.join("mitmachen.js.gz"), b"gzipped js").expect("write");
    let c = Collector::start(dir.path(), &[("MITMACHEN_DIST_DIR", &dist)]);
    let get = |path: &str, accept: &str| {
        let mut request = client().get(format!("{}/dist/{path}", c.url));
        if !accept.is_empty() {
            request = request.header(header::ACCEPT_ENCODING, accept);
        }
        request.send()
    };

    for (accept, encoding, body) in [
        ("gzip, deflate, br, zstd", Some("br"), "brotli"),
        ("gzip", Some("gzip"), "gzip"),
        ("br;q=0, gzip;q=0.5", Some("gzip"), "gzip"),
        ("br;q=0.0, gzip;q=0", None, "plain"),
        ("identity", None, "plain"),
        ("", None, "plain"),
    ] {
        let res = get(hashed, accept).await.expect("request");
        assert_eq!(res.status(), StatusCode::OK, "{accept}");
        assert_eq!(
            res.headers()
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().expect("ascii")),
            encoding,
            "{accept}"
        );
        assert_eq!(res.headers()[header::VARY], "Accept-Encoding");
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/wasm");
        assert_eq!(
            res.headers()[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert!(res.headers().get(header::ETAG).is_none(), "{accept}");
        assert_eq!(res.text().await.expect("body"), body, "{accept}");
    }
    // Only brotli is missing for the loader: gzip is the best it has.
    let js = get("mitmachen.js", "br, gzip").await.expect("request");
    assert_eq!(js.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(js.text().await.expect("body"), "gzipped js");

    // A variant is never served under its own name: a cache would keep it without its encoding.
    for variant in [format!("{hashed}.br"), format!("{hashed}.gz")] {
        let res = get(&variant, "br, gzip").await.expect("request");
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{variant}");
    }

    // An unhashed name is revalidated: the same ETag answers 304 without a body, per encoding.
    let first = get("mitmachen.js", "").await.expect("request");
    assert_eq!(
        first.headers()[header::CACHE_CONTROL],
        "public, max-age=300"
    );
    let etag = first.headers()[header::ETAG].clone();
    let again = client()
        .get(format!("{}/dist/mitmachen.js", c.url))
        .header(header::IF_NONE_MATCH, etag.clone())
        .send()
        .await
        .expect("request");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[header::ETAG], etag);
    assert!(again.bytes().await.expect("body").is_empty());
    let other_encoding = client()
        .get(format!("{}/dist/mitmachen.js", c.url))
        .header(header::IF_NONE_MATCH, etag.clone())
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .expect("request");
    assert_eq!(other_encoding.status(), StatusCode::OK);
    assert_ne!(other_encoding.headers()[header::ETAG], etag);
    let changed = client()
        .get(format!("{}/dist/mitmachen.js", c.url))
        .header(header::IF_NONE_MATCH, "\"something-else\"")
        .send()
        .await
        .expect("request");
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(changed.text().await.expect("body"), "export {};");
}

/// An example page names the bundles' wasm files (they carry their hash) for its preload line:
/// the complete one, or the one with the kinds (and languages) given, from the manifest
/// `cargo xtask dist` writes.
#[tokio::test]
async fn example_pages_name_the_bundles_wasm_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (dist, site) = demo(dir.path());
    let manifest = r#"{
        "files": [{"name": "mitmachen.js"}, {"name": "mitmachen.0123456789.wasm"}],
        "bundles": [
            {"name": "mitmachen-poll.abcdef0123.wasm", "kinds": ["poll"], "langs": ["de", "de-einfach", "en"]},
            {"name": "mitmachen-de.fedcba9876.wasm", "kinds": ["poll", "topics", "event", "newsletter"], "langs": ["de"]},
            {"name": "mitmachen.0123456789.wasm", "kinds": ["poll", "topics", "event", "newsletter"], "langs": ["de", "de-einfach", "en"]}
        ]
    }"#;
    std::fs::write(std::path::Path::new(&dist).join("manifest.json"), manifest).expect("write");
    std::fs::write(
        std::path::Path::new(&site).join("preload.html"),
        "{{MITMACHEN_WASM}} {{MITMACHEN_WASM:poll}} {{MITMACHEN_WASM:poll+topics+event+newsletter}} \
         {{MITMACHEN_WASM:poll+topics+event+newsletter:de}}",
    )
    .expect("write");
    let c = Collector::start(
        dir.path(),
        &[("MITMACHEN_DIST_DIR", &dist), ("MITMACHEN_SITE_DIR", &site)],
    );
    let page = client()
        .get(format!("{}/examples/preload.html", c.url))
        .send()
        .await
        .expect("request");
    assert_eq!(
        page.text().await.expect("body"),
        "mitmachen.0123456789.wasm mitmachen-poll.abcdef0123.wasm mitmachen.0123456789.wasm \
         mitmachen-de.fedcba9876.wasm"
    );
}
