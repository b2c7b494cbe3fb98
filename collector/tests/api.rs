//! The wire protocol of `docs/protocol.md`, over real HTTP against the real binary.

mod support;

use mitmachen_shared::protocol::Receipt;
use reqwest::{Method, StatusCode, header};
use support::{Collector, ORIGIN, client, key, problem, results};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const JA: &str = r#"{"kind":"poll","choices":["ja"]}"#;

async fn post(c: &Collector, widget: &str, key: Option<&str>, body: &str) -> reqwest::Response {
    let mut req = client()
        .post(format!("{}/v1/widgets/{widget}/submissions", c.url))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.to_owned());
    if let Some(key) = key {
        req = req.header("Idempotency-Key", key);
    }
    req.send().await.expect("request")
}

#[tokio::test]
async fn a_vote_is_stored_and_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(dir.path(), &[]);
    assert_eq!(results(&c, "haushalt").await.ballots, 0);

    let res = post(
        &c,
        "haushalt",
        Some(&key(1)),
        r#"{"kind":"poll","choices":["ja","vielleicht"]}"#,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(res.headers().get("idempotent-replayed").is_none());
    let receipt: Receipt = res.json().await.expect("receipt");
    assert_eq!(receipt.widget.as_str(), "haushalt");
    assert_eq!(receipt.receipt.len(), 32);
    assert!(receipt.accepted_at.ends_with('Z'));
    post(&c, "haushalt", Some(&key(2)), JA).await;

    let r = results(&c, "haushalt").await;
    assert_eq!(r.ballots, 2);
    assert_eq!(r.counts.get("ja"), Some(&2));
    assert_eq!(r.counts.get("vielleicht"), Some(&1));
    assert_eq!(r.counts.get("nein"), None);
    let other = results(&c, "spielplatz").await;
    assert_eq!((other.ballots, other.counts.len()), (0, 0));
}

#[tokio::test]
async fn a_replay_returns_the_first_answer_and_stores_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(dir.path(), &[]);
    let first = post(&c, "haushalt", Some(&key(1)), JA).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first_body = first.text().await.expect("body");

    let again = post(&c, "haushalt", Some(&key(1)), JA).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.text().await.expect("body"), first_body);
    assert_eq!(results(&c, "haushalt").await.ballots, 1);

    // The same key with another body is refused, and nothing changes.
    let other = post(
        &c,
        "haushalt",
        Some(&key(1)),
        r#"{"kind":"poll","choices":["nein"]}"#,
    )
    .await;
    problem(other, 422, "idempotency-key-reused").await;
    let r = results(&c, "haushalt").await;
    assert_eq!((r.ballots, r.counts.get("nein")), (1, None));
}

#[tokio::test]
async fn concurrent_duplicates_are_stored_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(dir.path(), &[]);
    let url = format!("{}/v1/widgets/haushalt/submissions", c.url);
    let client = client();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let req = client
            .post(&url)
            .header(header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", key(7))
            .body(JA);
        tasks.spawn(async move {
            let res = req.send().await.expect("request");
            (res.status(), res.text().await.expect("body"))
        });
    }
    let answers = tasks.join_all().await;
    assert!(
        answers
            .iter()
            .all(|(status, _)| *status == StatusCode::CREATED),
        "{answers:?}"
    );
    assert!(
        answers.iter().all(|(_, body)| *body == answers[0].1),
        "one receipt for all"
    );
    assert_eq!(results(&c, "haushalt").await.ballots, 1);
}

#[tokio::test]
async fn refuses_what_breaks_the_protocol() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(dir.path(), &[("MITMACHEN_BODY_LIMIT", "1024")]);
    let url = format!("{}/v1/widgets/haushalt/submissions", c.url);

    // 413, refused by Content-Length.
    let big = format!(
        r#"{{"kind":"poll","choices":["ja"],"pad":"{}"}}"#,
        "x".repeat(2000)
    );
    problem(
        post(&c, "haushalt", Some(&key(1)), &big).await,
        413,
        "payload-too-large",
    )
    .await;

    // 415
    let res = client()
        .post(&url)
        .header(header::CONTENT_TYPE, "text/plain")
        .header("Idempotency-Key", key(2))
        .body(JA)
        .send()
        .await
        .expect("request");
    problem(res, 415, "unsupported-media-type").await;
    let res = client()
        .post(&url)
        .header("Idempotency-Key", key(2))
        .body(JA)
        .send()
        .await
        .expect("request");
    problem(res, 415, "unsupported-media-type").await;
    let res = client()
        .post(&url)
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .header("Idempotency-Key", key(3))
        .body(JA)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::CREATED, "charset=utf-8 is fine");

    // 400: not JSON, no key, bad key, bad widget id.
    problem(
        post(
            &c,
            "haushalt",
            Some(&key(4)),
            r#"{"kind":"poll","choices":["ja"]"#,
        )
        .await,
        400,
        "malformed-json",
    )
    .await;
    problem(
        post(&c, "haushalt", Some(&key(4)), "").await,
        400,
        "malformed-json",
    )
    .await;
    problem(
        post(&c, "haushalt", None, JA).await,
        400,
        "idempotency-key-missing",
    )
    .await;
    problem(
        post(&c, "haushalt", Some("short"), JA).await,
        400,
        "idempotency-key-missing",
    )
    .await;
    let bad = problem(
        post(&c, "Haushalt", Some(&key(4)), JA).await,
        400,
        "bad-widget-id",
    )
    .await;
    assert!(bad.detail.contains("Haushalt"), "{}", bad.detail);

    // 422: wrong shape and broken rules point at the field.
    let unknown = post(
        &c,
        "haushalt",
        Some(&key(5)),
        r#"{"kind":"poll","choices":["ja"],"ip":"1.2.3.4"}"#,
    )
    .await;
    let p = problem(unknown, 422, "invalid-submission").await;
    assert_eq!(p.errors[0].pointer, "/ip");
    assert!(p.detail.contains("unknown field `ip`"), "{}", p.detail);
    let twice = post(
        &c,
        "haushalt",
        Some(&key(6)),
        r#"{"kind":"poll","choices":["ja","nein","ja"]}"#,
    )
    .await;
    let p = problem(twice, 422, "invalid-submission").await;
    assert_eq!(p.errors[0].pointer, "/choices/2");
    assert_eq!(p.detail, "choices/2: 'ja' is chosen twice");
    let empty = post(
        &c,
        "haushalt",
        Some(&key(7)),
        r#"{"kind":"poll","choices":[]}"#,
    )
    .await;
    assert_eq!(
        problem(empty, 422, "invalid-submission").await.errors[0].pointer,
        "/choices"
    );

    // Only the one good submission was stored.
    assert_eq!(results(&c, "haushalt").await.ballots, 1);
}

#[tokio::test]
async fn a_body_over_the_limit_without_length_is_413() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(dir.path(), &[("MITMACHEN_BODY_LIMIT", "1024")]);
    let addr = c.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let chunk = format!(
        r#"{{"kind":"poll","choices":["ja"],"pad":"{}"}}"#,
        "x".repeat(3000)
    );
    let request = format!(
        "POST /v1/widgets/haushalt/submissions HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Idempotency-Key: {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        key(1),
        chunk.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{answer}"
    );
    assert!(
        answer.contains("urn:mitmachen:problem:payload-too-large"),
        "{answer}"
    );
}

#[tokio::test]
async fn unknown_paths_and_methods_are_problems() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(dir.path(), &[]);
    let res = client()
        .get(format!("{}/v2/nothing", c.url))
        .send()
        .await
        .expect("request");
    problem(res, 404, "not-found").await;
    let res = client()
        .get(format!("{}/v1/widgets/haushalt/submissions", c.url))
        .send()
        .await
        .expect("request");
    assert_eq!(res.headers()[header::ALLOW], "POST");
    problem(res, 405, "method-not-allowed").await;
    let res = client()
        .delete(format!("{}/v1/widgets/haushalt/results", c.url))
        .send()
        .await
        .expect("request");
    problem(res, 405, "method-not-allowed").await;

    let res = client()
        .get(format!("{}/v1/health", c.url))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.expect("body"), r#"{"status":"ok"}"#);
}

fn preflight(c: &Collector, widget: &str, origin: &str) -> reqwest::RequestBuilder {
    client()
        .request(
            Method::OPTIONS,
            format!("{}/v1/widgets/{widget}/submissions", c.url),
        )
        .header(header::ORIGIN, origin)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "content-type,idempotency-key",
        )
}

#[tokio::test]
async fn preflights_follow_the_allow_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(dir.path(), &[]);

    let ok = preflight(&c, "haushalt", ORIGIN)
        .send()
        .await
        .expect("request");
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    let h = ok.headers();
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], ORIGIN);
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_METHODS], "GET, POST");
    assert_eq!(
        h[header::ACCESS_CONTROL_ALLOW_HEADERS],
        "content-type, idempotency-key"
    );
    assert_eq!(h[header::ACCESS_CONTROL_MAX_AGE], "600");
    assert_eq!(h[header::VARY], "Origin");
    assert!(h.get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none());

    let refused = preflight(&c, "haushalt", "https://evil.example")
        .send()
        .await
        .expect("request");
    let h = refused.headers().clone();
    problem(refused, 403, "origin-not-allowed").await;
    assert!(
        h.keys().all(|k| !k.as_str().starts_with("access-control-")),
        "{h:?}"
    );
}

#[tokio::test]
async fn actual_requests_follow_the_allow_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(dir.path(), &[]);
    let url = format!("{}/v1/widgets/haushalt/submissions", c.url);
    let send = |origin: &'static str, n: usize| {
        client()
            .post(&url)
            .header(header::ORIGIN, origin)
            .header(header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", key(n))
            .body(JA)
            .send()
    };

    let ok = send(ORIGIN, 1).await.expect("request");
    assert_eq!(ok.status(), StatusCode::CREATED);
    let h = ok.headers();
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], ORIGIN);
    assert_eq!(
        h[header::ACCESS_CONTROL_EXPOSE_HEADERS],
        "Retry-After, Idempotent-Replayed"
    );
    assert_eq!(h[header::VARY], "Origin");
    assert!(h.get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none());

    let refused = send("https://evil.example", 2).await.expect("request");
    assert!(
        refused
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
    problem(refused, 403, "origin-not-allowed").await;
    assert_eq!(
        results(&c, "haushalt").await.ballots,
        1,
        "the refused vote is not stored"
    );

    // An allowed page may read errors too.
    let bad = client()
        .post(&url)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/json")
        .body(JA)
        .send()
        .await
        .expect("request");
    assert_eq!(bad.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], ORIGIN);
    problem(bad, 400, "idempotency-key-missing").await;
}

#[tokio::test]
async fn a_widget_allow_list_replaces_the_global_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("collector.toml");
    std::fs::write(
        &config,
        "allowed_origins = [\"https://www.musterstadt.de\"]\n\
         [widgets.jugendrat]\nallowed_origins = [\"https://Jugend.Musterstadt.de/\"]\n",
    )
    .expect("write config");
    let config = config.to_string_lossy().to_string();
    let c = Collector::start_exact(dir.path(), &[("MITMACHEN_CONFIG", &config)]);

    let status = |widget: &'static str, origin: &'static str| {
        let req = preflight(&c, widget, origin).send();
        async move { req.await.expect("request").status() }
    };
    assert_eq!(status("haushalt", ORIGIN).await, StatusCode::NO_CONTENT);
    assert_eq!(
        status("haushalt", "https://jugend.musterstadt.de").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status("jugendrat", "https://jugend.musterstadt.de").await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(status("jugendrat", ORIGIN).await, StatusCode::FORBIDDEN);

    let res = client()
        .get(format!("{}/v1/widgets/jugendrat/results", c.url))
        .header(header::ORIGIN, ORIGIN)
        .send()
        .await
        .expect("request");
    problem(res, 403, "origin-not-allowed").await;
}

#[tokio::test]
async fn without_allowed_origins_every_page_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start_exact(dir.path(), &[]);
    let res = preflight(&c, "haushalt", ORIGIN)
        .send()
        .await
        .expect("request");
    problem(res, 403, "origin-not-allowed").await;
    // Requests without Origin (not from a page) still work.
    assert_eq!(
        post(&c, "haushalt", Some(&key(1)), JA).await.status(),
        StatusCode::CREATED
    );
    assert!(c.log_shows("allowed_origins is empty"), "{}", c.log());
}

#[tokio::test]
async fn results_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let c = Collector::start(dir.path(), &[]);
        assert_eq!(
            post(&c, "haushalt", Some(&key(1)), JA).await.status(),
            StatusCode::CREATED
        );
        // Dropping kills the process at once (SIGKILL): the commit must already be on disk.
    }
    let c = Collector::start(dir.path(), &[]);
    let r = results(&c, "haushalt").await;
    assert_eq!((r.ballots, r.counts.get("ja")), (1, Some(&1)));
    // The idempotency record survived too.
    let again = post(&c, "haushalt", Some(&key(1)), JA).await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
}

#[cfg(unix)]
#[tokio::test]
async fn stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(dir.path(), &[]);
    let status = std::process::Command::new("kill")
        .args(["-TERM", &c.pid().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = c
        .wait(std::time::Duration::from_secs(10))
        .expect("stopped in time");
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn a_bad_config_value_stops_the_start_naming_the_key() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_collector"))
        .env_clear()
        .env("MITMACHEN_ALLOWED_ORIGINS", "www.musterstadt.de")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("allowed_origins") && err.contains("www.musterstadt.de"),
        "{err}"
    );
}
