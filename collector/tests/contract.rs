//! The contract of `docs/protocol.md` beyond the happy path: rate limits (429 with Retry-After,
//! per client), the one error format, the honeypot, and bodies that are too deep or too large.

mod support;

use reqwest::{Method, StatusCode, header};
use serde_json::Value;
use std::time::{Duration, Instant};
use support::{Collector, ORIGIN, client, key};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const JA: &str = r#"{"kind":"poll","choices":["ja"]}"#;

/// A submission of `body` under `key`, with extra headers.
fn post(c: &Collector, widget: &str, key: &str, body: &str) -> reqwest::RequestBuilder {
    client()
        .post(format!("{}/v1/widgets/{widget}/submissions", c.url))
        .header(header::CONTENT_TYPE, "application/json")
        .header("Idempotency-Key", key)
        .body(body.to_owned())
}

fn get_results(c: &Collector, widget: &str) -> reqwest::RequestBuilder {
    client().get(format!("{}/v1/widgets/{widget}/results", c.url))
}

async fn send(req: reqwest::RequestBuilder) -> reqwest::Response {
    req.send().await.expect("request")
}

/// Asserts the RFC 9457 shape every error answer has, and returns the slug of its type.
async fn assert_problem(
    res: reqwest::Response,
    status: u16,
) -> (String, reqwest::header::HeaderMap) {
    let headers = res.headers().clone();
    assert_eq!(res.status().as_u16(), status, "{headers:?}");
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/problem+json",
        "status {status}"
    );
    let body: Value = res.json().await.expect("problem json");
    let field = |name: &str| {
        body.get(name)
            .unwrap_or_else(|| panic!("no `{name}` in {body}"))
    };
    assert_eq!(field("status").as_u64(), Some(u64::from(status)), "{body}");
    assert!(
        field("title").as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        field("detail").as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    let slug = field("type")
        .as_str()
        .and_then(|t| t.strip_prefix("urn:mitmachen:problem:"))
        .unwrap_or_else(|| panic!("odd type in {body}"))
        .to_owned();
    (slug, headers)
}

async fn ballots(c: &Collector, widget: &str) -> u64 {
    // From an address of its own, so that counting never meets a limit.
    let res = send(get_results(c, widget).header("X-Forwarded-For", "192.0.2.250")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.expect("results");
    v["ballots"].as_u64().expect("ballots")
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> u64 {
    headers[header::RETRY_AFTER]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("Retry-After in seconds")
}

#[tokio::test]
async fn over_the_limit_is_429_with_retry_after_per_client() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(
        dir.path(),
        &[
            ("MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE", "3"),
            ("MITMACHEN_RATE_LIMIT_READS_PER_MINUTE", "2"),
            ("MITMACHEN_TRUST_FORWARDED_FOR", "true"),
        ],
    );
    let a = "203.0.113.1";
    for n in 1..=3 {
        let res = send(post(&c, "haushalt", &key(n), JA).header("X-Forwarded-For", a)).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }

    // The fourth from the same client, from a page: 429 the page can read.
    let res = send(
        post(&c, "haushalt", &key(4), JA)
            .header("X-Forwarded-For", a)
            .header(header::ORIGIN, ORIGIN),
    )
    .await;
    assert_eq!(res.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], ORIGIN);
    assert!(
        res.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS]
            .to_str()
            .expect("ascii")
            .contains("Retry-After")
    );
    let wait = retry_after(res.headers());
    assert!((1..=60).contains(&wait), "{wait}");
    let body: Value = res.json().await.expect("problem");
    assert_eq!(body["type"], "urn:mitmachen:problem:rate-limited");
    assert_eq!(body["status"], 429);
    let detail = body["detail"].as_str().expect("detail");
    assert!(detail.contains(&format!("{wait} seconds")), "{detail}");

    // The limit comes before the body is read (even a broken body is 429), but after the
    // widget id and the origin.
    let res = send(post(&c, "haushalt", &key(5), "{not json").header("X-Forwarded-For", a)).await;
    let (slug, _) = assert_problem(res, 429).await;
    assert_eq!(slug, "rate-limited");
    let res = send(post(&c, "Haushalt", &key(5), JA).header("X-Forwarded-For", a)).await;
    assert_eq!(assert_problem(res, 400).await.0, "bad-widget-id");
    let res = send(
        post(&c, "haushalt", &key(5), JA)
            .header("X-Forwarded-For", a)
            .header(header::ORIGIN, "https://evil.example"),
    )
    .await;
    assert_eq!(assert_problem(res, 403).await.0, "origin-not-allowed");

    // Behind a trusted proxy the first address is the client's.
    let res =
        send(post(&c, "haushalt", &key(6), JA).header("X-Forwarded-For", "203.0.113.1, 10.0.0.1"))
            .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another client is not affected, and A may still read.
    let res = send(
        post(&c, "haushalt", &key(7), JA).header("X-Forwarded-For", "203.0.113.2, 203.0.113.1"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        send(get_results(&c, "haushalt").header("X-Forwarded-For", a))
            .await
            .status(),
        StatusCode::OK
    );

    // Reads have their own limit.
    let reader = "2001:db8:7:7::1";
    for _ in 0..2 {
        let res = send(get_results(&c, "haushalt").header("X-Forwarded-For", reader)).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    // The same /64 network is the same client.
    let res = send(get_results(&c, "haushalt").header("X-Forwarded-For", "2001:db8:7:7::2")).await;
    let wait = retry_after(res.headers());
    assert!((1..=30).contains(&wait), "{wait}");
    assert_eq!(assert_problem(res, 429).await.0, "rate-limited");

    // Refused requests stored nothing: three from A, one from B.
    assert_eq!(ballots(&c, "haushalt").await, 4);
    // No address reaches the log.
    let log = c.log();
    assert!(
        !log.contains("203.0.113") && !log.contains("2001:db8"),
        "{log}"
    );
}

#[tokio::test]
async fn forwarded_for_is_ignored_unless_trusted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(
        dir.path(),
        &[("MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE", "2")],
    );
    let mut statuses = Vec::new();
    for n in 1..=3 {
        let forwarded = format!("198.51.100.{n}");
        let res =
            send(post(&c, "haushalt", &key(n), JA).header("X-Forwarded-For", forwarded)).await;
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses, [201, 201, 429], "all from the one TCP peer");
}

#[tokio::test]
async fn every_error_is_a_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(
        dir.path(),
        &[
            ("MITMACHEN_BODY_LIMIT", "1024"),
            ("MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE", "1"),
            ("MITMACHEN_TRUST_FORWARDED_FOR", "true"),
        ],
    );
    // Each request from an address of its own, so that only the 429 case meets the limit.
    let mut next_client = 0u32;
    let mut from_new_client = |req: reqwest::RequestBuilder| {
        next_client += 1;
        req.header(
            "X-Forwarded-For",
            format!("10.1.{}.{}", next_client / 250, next_client % 250),
        )
    };
    let url = |path: &str| format!("{}{path}", c.url);
    assert_eq!(
        send(from_new_client(post(&c, "haushalt", &key(1), JA)))
            .await
            .status(),
        StatusCode::CREATED
    );

    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (
            post(&c, "haushalt", &key(2), "{\"kind\":"),
            400,
            "malformed-json",
        ),
        (
            client()
                .post(url("/v1/widgets/haushalt/submissions"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(JA),
            400,
            "idempotency-key-missing",
        ),
        (post(&c, "-bad-", &key(2), JA), 400, "bad-widget-id"),
        (
            client().get(url("/v1/widgets/-bad-/results")),
            400,
            "bad-widget-id",
        ),
        (
            post(&c, "haushalt", &key(2), JA).header(header::ORIGIN, "https://evil.example"),
            403,
            "origin-not-allowed",
        ),
        (
            client()
                .request(Method::OPTIONS, url("/v1/widgets/haushalt/submissions"))
                .header(header::ORIGIN, "https://evil.example")
                .header("Access-Control-Request-Method", "POST"),
            403,
            "origin-not-allowed",
        ),
        (client().get(url("/v1/nothing")), 404, "not-found"),
        (
            client().put(url("/v1/widgets/haushalt/results")),
            405,
            "method-not-allowed",
        ),
        (
            post(
                &c,
                "haushalt",
                &key(2),
                &format!("\"{}\"", "x".repeat(2000)),
            ),
            413,
            "payload-too-large",
        ),
        (
            client()
                .post(url("/v1/widgets/haushalt/submissions"))
                .header(header::CONTENT_TYPE, "text/plain")
                .header("Idempotency-Key", key(2))
                .body(JA),
            415,
            "unsupported-media-type",
        ),
        (
            // A second Content-Type makes the first one doubtful.
            post(&c, "haushalt", &key(2), JA).header(header::CONTENT_TYPE, "text/plain"),
            415,
            "unsupported-media-type",
        ),
        (
            post(
                &c,
                "haushalt",
                &key(2),
                r#"{"kind":"poll","choices":["ja"],"email":"a@b.de"}"#,
            ),
            422,
            "invalid-submission",
        ),
        (
            post(
                &c,
                "haushalt",
                &key(2),
                r#"{"kind":"poll","choices":["ja","ja"]}"#,
            ),
            422,
            "invalid-submission",
        ),
        (
            post(
                &c,
                "haushalt",
                &key(1),
                r#"{"kind":"poll","choices":["nein"]}"#,
            ),
            422,
            "idempotency-key-reused",
        ),
    ];
    for (req, status, slug) in cases {
        let res = send(from_new_client(req)).await;
        let (got, _) = assert_problem(res, status).await;
        assert_eq!(got, slug, "status {status}");
    }
    // Over the limit, from one client.
    let limited = "10.9.9.9";
    send(post(&c, "haushalt", &key(3), JA).header("X-Forwarded-For", limited)).await;
    let res = send(post(&c, "haushalt", &key(4), JA).header("X-Forwarded-For", limited)).await;
    assert_eq!(assert_problem(res, 429).await.0, "rate-limited");
}

#[tokio::test]
async fn a_filled_honeypot_looks_accepted_but_is_not_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(dir.path(), &[]);
    let human = send(post(
        &c,
        "haushalt",
        &key(1),
        r#"{"kind":"poll","choices":["ja"]}"#,
    ))
    .await;
    let bot = send(post(
        &c,
        "haushalt",
        &key(2),
        r#"{"kind":"poll","choices":["nein"],"honeypot":"http://spam.example"}"#,
    ))
    .await;
    assert_eq!(bot.status(), human.status());
    assert_eq!(bot.status(), StatusCode::CREATED);
    let names = |res: &reqwest::Response| {
        let mut names: Vec<String> = res
            .headers()
            .keys()
            .map(|k| k.as_str().to_owned())
            .filter(|k| k != "date" && k != "content-length")
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(&bot), names(&human));
    assert_eq!(bot.headers()[header::CONTENT_TYPE], "application/json");
    let human: Value = human.json().await.expect("receipt");
    let bot: Value = bot.json().await.expect("receipt");
    let keys = |v: &Value| {
        v.as_object()
            .expect("object")
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&bot), keys(&human));
    assert_eq!(bot["widget"], "haushalt");
    let receipt = bot["receipt"].as_str().expect("receipt");
    assert_eq!(receipt.len(), 32);
    assert!(receipt.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(bot["receipt"], human["receipt"]);
    assert_eq!(
        bot["accepted_at"].as_str().map(str::len),
        human["accepted_at"].as_str().map(str::len)
    );

    // Nothing stored, nothing counted, nothing logged at the default level.
    let res = send(get_results(&c, "haushalt")).await;
    let results: Value = res.json().await.expect("results");
    assert_eq!(results["ballots"], 1);
    assert_eq!(results["counts"], serde_json::json!({"ja": 1}));
    let rows = support::database::int(dir.path(), "SELECT count(*) FROM submissions");
    assert_eq!(rows, 1);
    assert!(!c.log().contains("honeypot"), "{}", c.log());

    // An empty honeypot is a person.
    let res = send(post(
        &c,
        "haushalt",
        &key(3),
        r#"{"kind":"poll","choices":["ja"],"honeypot":""}"#,
    ))
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = send(get_results(&c, "haushalt")).await;
    assert_eq!(res.json::<Value>().await.expect("results")["ballots"], 2);
}

#[tokio::test]
async fn deeply_nested_json_is_refused_quickly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(dir.path(), &[("MITMACHEN_BODY_LIMIT", "250000")]);
    let deep = 100_000;
    // (body, status): unbalanced or nested past serde_json's recursion limit (128) is not JSON
    // that is read (400); balanced arrays fail already at their first element, which is no
    // `kind` (422). The syntax check itself is iterative and has no depth to overflow.
    let cases = [
        ("[".repeat(deep), 400),
        (format!("{}{}", "[".repeat(deep), "]".repeat(deep)), 422),
        (
            format!(r#"{{"kind":"poll","choices":{}"#, "[".repeat(deep)),
            400,
        ),
        (
            format!("{}1{}", "{\"a\":".repeat(deep / 5), "}".repeat(deep / 5)),
            400,
        ),
        (
            format!(
                r#"{{"kind":"poll","choices":["ja"],"x":{}{}}}"#,
                "[".repeat(deep),
                "]".repeat(deep)
            ),
            400,
        ),
        ("[".repeat(10_000), 400),
    ];
    for (n, (body, status)) in cases.iter().enumerate() {
        let started = Instant::now();
        let res = send(post(&c, "haushalt", &key(n), body)).await;
        let took = started.elapsed();
        let (slug, _) = assert_problem(res, *status).await;
        let expected = if *status == 400 {
            "malformed-json"
        } else {
            "invalid-submission"
        };
        assert_eq!(slug, expected, "body {n}");
        assert!(took < Duration::from_secs(2), "body {n} took {took:?}");
    }
    // Still alive, nothing stored.
    let res = send(client().get(format!("{}/v1/health", c.url))).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(ballots(&c, "haushalt").await, 0);
}

/// Reads one HTTP answer (head and a body of `Content-Length`) or what came until the server
/// closed, at most for `limit`.
async fn read_answer(stream: &mut TcpStream, limit: Duration) -> String {
    let mut answer = Vec::new();
    let deadline = tokio::time::Instant::now() + limit;
    let mut buf = [0u8; 4096];
    loop {
        let complete = String::from_utf8_lossy(&answer)
            .split_once("\r\n\r\n")
            .is_some_and(|(head, body)| {
                head.lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .and_then(|v| v.trim().parse::<usize>().ok())
                    })
                    .is_some_and(|len| body.len() >= len)
            });
        if complete {
            break;
        }
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => answer.extend_from_slice(&buf[..n]),
            // Closed, reset, or out of time: judge what came.
            _ => break,
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn huge_bodies_are_refused_without_being_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(dir.path(), &[("MITMACHEN_BODY_LIMIT", "1024")]);
    let addr = c.url.trim_start_matches("http://").to_owned();
    let head = |framing: &str| {
        format!(
            "POST /v1/widgets/haushalt/submissions HTTP/1.1\r\nHost: {addr}\r\n\
             Content-Type: application/json\r\nIdempotency-Key: {}\r\n{framing}\r\n\r\n",
            key(1)
        )
    };

    // Announced as 100 MB: refused by the header, though only a few bytes ever come.
    let started = Instant::now();
    let mut stream = TcpStream::connect(&addr).await.expect("connect");
    let request = format!("{}{{\"kind\":\"poll\",", head("Content-Length: 100000000"));
    stream.write_all(request.as_bytes()).await.expect("write");
    let answer = read_answer(&mut stream, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload-too-large"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    // Chunked without length, and never finished: refused once the limit is passed.
    let started = Instant::now();
    let mut stream = TcpStream::connect(&addr).await.expect("connect");
    // Two chunks of 1 KiB in one write: the answer may come as soon as they are read, and a
    // later write would race with the server closing the connection.
    let chunk = format!("400\r\n{}\r\n", "[".repeat(0x400));
    let request = format!("{}{chunk}{chunk}", head("Transfer-Encoding: chunked"));
    stream.write_all(request.as_bytes()).await.expect("write");
    let answer = read_answer(&mut stream, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{answer}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(ballots(&c, "haushalt").await, 0);
}
