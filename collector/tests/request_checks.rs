//! Requests that are refused rather than guessed at: a header sent twice that must come once,
//! the registrations of an event nobody declared, and error details that quote a request only
//! in short.

mod support;

use std::path::Path;
use support::{Collector, key, problem};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TOKEN: &str = "test-admin-token-0123456789abcdef0123";
const JA: &str = r#"{"kind":"poll","choices":["ja"]}"#;

const CONFIG: &str = r#"
[events.versammlung]
title = "Bürgerversammlung"
start = "2099-03-12T18:00+01:00"
capacity = 50
"#;

fn start(dir: &Path) -> Collector {
    Collector::start_with_config(
        dir,
        CONFIG,
        &[
            ("MITMACHEN_ADMIN_TOKEN", TOKEN),
            ("MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE", "0"),
        ],
    )
}

/// Sends `head` (the header lines after the request line) and `body` as written, and returns
/// the status code and the body of the answer.
async fn raw(c: &Collector, request_line: &str, head: &[String], body: &str) -> (u16, String) {
    let addr = c.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut request = format!("{request_line}\r\nHost: {addr}\r\nConnection: close\r\n");
    for line in head {
        request.push_str(line);
        request.push_str("\r\n");
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status: {answer}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("content-type: application/problem+json")
            || status < 400,
        "{answer}"
    );
    (status, body)
}

fn problem_of(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[tokio::test]
async fn a_header_that_must_come_once_is_refused_when_sent_twice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path());
    let submit = "POST /v1/widgets/umfrage/submissions HTTP/1.1";
    let json = "Content-Type: application/json".to_owned();
    let (status, body) = raw(
        &c,
        submit,
        &[
            json.clone(),
            format!("Idempotency-Key: {}", key(1)),
            format!("Idempotency-Key: {}", key(2)),
        ],
        JA,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let p = problem_of(&body);
    assert_eq!(p["type"], "urn:mitmachen:problem:duplicate-header");
    assert!(
        p["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Idempotency-Key")),
        "{p}"
    );
    assert_eq!(support::results(&c, "umfrage").await.ballots, 0);
    // One key is fine.
    let (status, _) = raw(
        &c,
        submit,
        &[json, format!("Idempotency-Key: {}", key(1))],
        JA,
    )
    .await;
    assert_eq!(status, 201);

    let list = "GET /v1/admin/widgets/versammlung/registrations HTTP/1.1";
    let bearer = format!("Authorization: Bearer {TOKEN}");
    let (status, body) = raw(
        &c,
        list,
        &[bearer.clone(), "Authorization: Bearer other".into()],
        "",
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let p = problem_of(&body);
    assert_eq!(p["type"], "urn:mitmachen:problem:duplicate-header");
    assert!(
        p["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Authorization") && !d.contains(TOKEN)),
        "{p}"
    );
    // The right token twice is still twice.
    let (status, _) = raw(&c, list, &[bearer.clone(), bearer.clone()], "").await;
    assert_eq!(status, 400);
    let (status, _) = raw(&c, list, &[bearer], "").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn registrations_of_an_undeclared_event_are_404() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path());
    let get = |path: &str| {
        support::client()
            .get(format!("{}{path}", c.url))
            .bearer_auth(TOKEN)
            .send()
    };
    for path in [
        "/v1/admin/widgets/nirgends/registrations",
        "/v1/admin/widgets/nirgends/registrations.csv",
    ] {
        let res = get(path).await.expect("request");
        let p = problem(res, 404, "unknown-event").await;
        assert!(p.detail.contains("[events.nirgends]"), "{}", p.detail);
    }
    let res = get("/v1/admin/widgets/versammlung/registrations")
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn error_details_quote_a_query_only_in_short() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path());
    let get = |query: String| {
        support::client()
            .get(format!(
                "{}/v1/admin/widgets/versammlung/registrations.csv?{query}",
                c.url
            ))
            .bearer_auth(TOKEN)
            .send()
    };
    let secret = "geheim-0123456789abcdef";
    let long = "x".repeat(5000);
    for query in [
        format!("token={secret}"),
        format!("separator=comma&token={secret}"),
        format!("separator={long}"),
        format!("{long}=1"),
        "separator=comma&separator=semicolon".into(),
    ] {
        let res = get(query.clone()).await.expect("request");
        let p = problem(res, 400, "bad-query").await;
        assert!(!p.detail.contains(secret), "{query}: {}", p.detail);
        assert!(!p.detail.contains(&query), "{query}: {}", p.detail);
        assert!(p.detail.len() < 200, "{}", p.detail);
    }
}
