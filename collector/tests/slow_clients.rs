//! Slow and hostile clients against the real binary: stalled headers and bodies are cut off
//! after their timeouts, a kept-alive connection may wait longer than a header may take,
//! oversized headers are `431`, thousands of idle connections under a 1,024 open-files limit do
//! not keep submissions out, and SIGTERM with a stalled body exits by the shutdown deadline.

mod support;

use std::time::{Duration, Instant};
use support::{Collector, client, key};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const JA: &str = r#"{"kind":"poll","choices":["ja"]}"#;

fn addr(c: &Collector) -> String {
    c.url.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection (or resets it), at most `limit`; the bytes
/// read, or `None` if it was still open then.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(limit, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok()
        .map(|()| String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test]
async fn a_stalled_header_is_closed_after_the_header_timeout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(
        dir.path(),
        &[
            ("MITMACHEN_HEADER_TIMEOUT", "1"),
            ("MITMACHEN_IDLE_TIMEOUT", "30"),
        ],
    );
    let started = Instant::now();
    let mut partial = TcpStream::connect(addr(&c)).await.expect("connect");
    partial
        .write_all(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    // Its header began: the header timeout counts, long before the idle timeout.
    let answer = read_until_closed(&mut partial, Duration::from_secs(15))
        .await
        .expect("the server closes a connection whose header does not come");
    assert_eq!(answer, "", "closed without an answer");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "not before the timeout"
    );
}

#[tokio::test]
async fn a_kept_alive_connection_waits_for_the_idle_timeout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(
        dir.path(),
        &[
            ("MITMACHEN_HEADER_TIMEOUT", "1"),
            ("MITMACHEN_IDLE_TIMEOUT", "3"),
        ],
    );
    let mut silent = TcpStream::connect(addr(&c)).await.expect("connect");
    let mut stream = TcpStream::connect(addr(&c)).await.expect("connect");
    // A fresh connection may wait for its first request longer than a header may take.
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let request = b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n";
    for round in 0..2 {
        stream.write_all(request).await.expect("write");
        let mut buf = [0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .expect("an answer")
            .expect("read");
        let answer = String::from_utf8_lossy(&buf[..n]);
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "round {round}: {answer}"
        );
        // Longer than a header may take, shorter than the idle timeout: still open.
        tokio::time::sleep(Duration::from_millis(1600)).await;
    }
    for stream in [&mut stream, &mut silent] {
        let rest = read_until_closed(stream, Duration::from_secs(15))
            .await
            .expect("closed after the idle timeout");
        assert_eq!(rest, "");
    }
}

#[tokio::test]
async fn a_stalled_body_is_answered_408() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(dir.path(), &[("MITMACHEN_BODY_TIMEOUT", "1")]);
    let mut stream = TcpStream::connect(addr(&c)).await.expect("connect");
    let head = format!(
        "POST /v1/widgets/umfrage/submissions HTTP/1.1\r\nHost: x\r\n\
         Content-Type: application/json\r\nIdempotency-Key: {}\r\nContent-Length: 100\r\n\r\n\
         {{\"kind\":",
        key(1)
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let answer = read_until_closed(&mut stream, Duration::from_secs(15))
        .await
        .expect("answered and closed");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains("application/problem+json"),
        "a problem: {answer}"
    );
    assert!(answer.contains("urn:mitmachen:problem:request-timeout"));
    assert!(answer.to_ascii_lowercase().contains("connection: close"));
    // Nothing was stored.
    assert_eq!(support::results(&c, "umfrage").await.ballots, 0);
}

#[tokio::test]
async fn an_oversized_header_is_431() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(dir.path(), &[]);
    let request = |filler: usize| {
        format!(
            "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Filler: {}\r\nConnection: close\r\n\r\n",
            "a".repeat(filler)
        )
    };
    for (filler, status) in [(15_000, "200"), (17_000, "431"), (200_000, "431")] {
        let mut stream = TcpStream::connect(addr(&c)).await.expect("connect");
        // The server may answer and close before a large header is written to its end.
        let _ = stream.write_all(request(filler).as_bytes()).await;
        let answer = read_until_closed(&mut stream, Duration::from_secs(15))
            .await
            .expect("answered and closed");
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{filler} bytes: {answer}"
        );
    }
    // A lower limit, configured.
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(dir.path(), &[("MITMACHEN_MAX_HEADER_BYTES", "8192")]);
    let mut stream = TcpStream::connect(addr(&c)).await.expect("connect");
    let _ = stream.write_all(request(9000).as_bytes()).await;
    let answer = read_until_closed(&mut stream, Duration::from_secs(15))
        .await
        .expect("answered");
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
}

/// Raises this process's soft open-files limit to its hard limit; the limit after that.
fn raise_own_open_files() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 1024;
        }
        limit.rlim_cur = limit.rlim_max;
        if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
            libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        }
    }
    limit.rlim_cur
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_beyond_the_open_files_limit_do_not_keep_submissions_out() {
    // Room for the idle connections on this side; fewer where the hard limit is low.
    let idle = usize::try_from(raise_own_open_files().saturating_sub(200))
        .unwrap_or(2000)
        .min(2000);
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start_with_open_files(
        dir.path(),
        &[
            ("MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE", "0"),
            ("MITMACHEN_RATE_LIMIT_READS_PER_MINUTE", "0"),
            // Longer than the test: only room-making closes them.
            ("MITMACHEN_IDLE_TIMEOUT", "120"),
        ],
        1024,
    );
    let mut held = Vec::with_capacity(idle);
    for _ in 0..idle {
        match TcpStream::connect(addr(&c)).await {
            Ok(stream) => held.push(stream),
            Err(e) => panic!("connect {}: {e}", held.len()),
        }
    }
    // The burst goes in while the idle connections are open; each submission on a connection
    // of its own, as browsers of different citizens would.
    let mut burst = tokio::task::JoinSet::new();
    for n in 0..100 {
        let url = format!("{}/v1/widgets/umfrage/submissions", c.url);
        burst.spawn(async move {
            client()
                .post(url)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key(n))
                .body(JA)
                .send()
                .await
                .map(|r| r.status().as_u16())
        });
    }
    let statuses: Vec<_> = burst.join_all().await;
    assert!(
        statuses.iter().all(|s| matches!(s, Ok(201))),
        "{statuses:?}\n{}",
        c.log()
    );
    assert_eq!(support::results(&c, "umfrage").await.ballots, 100);
    // The collector made room by closing idle connections, not by failing accept.
    assert!(!c.log().contains("accept failed"), "{}", c.log());
    drop(held);
}

#[tokio::test]
async fn sigterm_with_a_stalled_body_exits_by_the_shutdown_deadline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(
        dir.path(),
        &[
            ("MITMACHEN_SHUTDOWN_TIMEOUT", "1"),
            ("MITMACHEN_BODY_TIMEOUT", "60"),
            ("MITMACHEN_REQUEST_TIMEOUT", "60"),
        ],
    );
    let mut stalled = TcpStream::connect(addr(&c)).await.expect("connect");
    let head = format!(
        "POST /v1/widgets/umfrage/submissions HTTP/1.1\r\nHost: x\r\n\
         Content-Type: application/json\r\nIdempotency-Key: {}\r\nContent-Length: 100\r\n\r\n{{",
        key(1)
    );
    stalled.write_all(head.as_bytes()).await.expect("write");
    let _idle = TcpStream::connect(addr(&c)).await.expect("connect");
    // The request is in flight once the server has read its header.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let term = std::process::Command::new("kill")
        .args(["-TERM", &c.pid().to_string()])
        .status()
        .expect("kill");
    assert!(term.success());
    let status = c
        .wait(Duration::from_secs(10))
        .expect("exited within the shutdown deadline and a margin");
    assert!(status.success(), "{status:?}");
}
