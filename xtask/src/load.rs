//! A small HTTP/1.1 load generator for `cargo xtask bench`: a fixed number of requests (or as
//! many as fit in a duration) over keep-alive connections from a fixed number of threads,
//! bounded in time, 127.0.0.1 only.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub struct Report {
    pub requests: usize,
    pub errors: usize,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Report {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

/// Reads one response; returns its status.
fn read_response(reader: &mut BufReader<TcpStream>) -> std::io::Result<u16> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut length = 0usize;
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(status)
}

/// Sends requests built by `request(i)` from `clients` threads for `duration`; a rate over a
/// few seconds says more than one over a fixed count that a fast server finishes in a blink.
pub fn run_for(
    addr: SocketAddr,
    clients: usize,
    duration: Duration,
    ok_status: u16,
    request: impl Fn(usize) -> Vec<u8> + Send + Sync + 'static,
) -> Report {
    run(addr, clients, usize::MAX, duration, ok_status, request)
}

/// Sends `total` requests built by `request(i)` from `clients` threads; a request counts as an
/// error unless its status is `ok_status`. Stops early at `limit`.
pub fn run(
    addr: SocketAddr,
    clients: usize,
    total: usize,
    limit: Duration,
    ok_status: u16,
    request: impl Fn(usize) -> Vec<u8> + Send + Sync + 'static,
) -> Report {
    let next = Arc::new(AtomicUsize::new(0));
    let request = Arc::new(request);
    let start = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (next, request) = (next.clone(), request.clone());
            std::thread::spawn(move || {
                let mut latencies = Vec::new();
                let mut errors = 0;
                let Ok(stream) = TcpStream::connect(addr) else {
                    return (latencies, 1);
                };
                let _ = stream.set_nodelay(true);
                let Ok(mut writer) = stream.try_clone() else {
                    return (latencies, 1);
                };
                let mut reader = BufReader::new(stream);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total || start.elapsed() > limit {
                        break;
                    }
                    let sent = Instant::now();
                    let ok = writer.write_all(&request(i)).is_ok()
                        && read_response(&mut reader).is_ok_and(|s| s == ok_status);
                    latencies.push(sent.elapsed());
                    if !ok {
                        errors += 1;
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    for t in threads {
        if let Ok((l, e)) = t.join() {
            all.extend(l);
            errors += e;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Report {
        requests: all.len(),
        errors,
        seconds,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    }
}
