//! `cargo xtask bench`: prints figures and writes them to `target/bench.json`. Not part of the
//! test suite: timings are measured here, never asserted.
//!
//! - the bundle's sizes (raw, gzip, brotli per file and in total);
//! - in headless Chromium, the time from DOMContentLoaded until every widget on the example page
//!   is interactive (median of repeated cold loads; `tests/e2e/load-time.mjs`);
//! - the collector (release build, SQLite): submissions per second and p50/p99 latency at 64
//!   concurrent clients over a fixed count, beside a no-op request of the same server (a CORS
//!   preflight, answered without touching the database), and the collector's peak memory.

use crate::dist::{self, FileInfo};
use crate::{Result, cmd, load, root, setup};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CLIENTS: usize = 64;
const SUBMISSIONS: usize = 5_000;
const REGISTRATIONS: usize = 3_000;
const NO_OPS: usize = 20_000;
const LIMIT: Duration = Duration::from_secs(60);
const ORIGIN: &str = "http://bench.localhost";

struct Collector {
    child: Child,
    addr: SocketAddr,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_collector(binary: &std::path::Path) -> Result<Collector> {
    let dir = std::env::temp_dir().join(format!("mitmachen-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    // One event for the registration load: seats for a tenth, the rest on the waiting list.
    let config = dir.join("bench.toml");
    std::fs::write(
        &config,
        "[events.bench-event]\ntitle = \"Bench\"\nstart = \"2099-01-01T10:00Z\"\ncapacity = 500\n",
    )
    .map_err(|e| format!("{}: {e}", config.display()))?;
    let mut child = Command::new(binary)
        .env("MITMACHEN_CONFIG", &config)
        .env("MITMACHEN_LISTEN", "127.0.0.1:0")
        .env("MITMACHEN_DATABASE", dir.join("bench.sqlite3"))
        .env("MITMACHEN_ALLOWED_ORIGINS", ORIGIN)
        // The load comes from one address; the per-client limits would refuse most of it.
        .env("MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE", "100000000")
        .env("MITMACHEN_RATE_LIMIT_READS_PER_MINUTE", "100000000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout from the collector")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let addr = line
        .trim()
        .rsplit("http://")
        .next()
        .and_then(|a| a.parse().ok())
        .ok_or(format!("unexpected start-up line: {line}"))?;
    Ok(Collector {
        child,
        addr,
        _dir: TempDir(dir),
    })
}

fn peak_memory_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn submission(i: usize) -> Vec<u8> {
    let body = r#"{"kind":"poll","choices":["ja"]}"#;
    format!(
        "POST /v1/widgets/bench/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Idempotency-Key: bench-{i:08}-{}\r\nContent-Length: {}\r\n\r\n{body}",
        std::process::id(),
        body.len()
    )
    .into_bytes()
}

/// A registration of a new address for the one event; each queues a mail (to the outbox).
fn registration(i: usize) -> Vec<u8> {
    let body = format!(
        r#"{{"kind":"registration","name":"Bench {i}","email":"bench-{i}@example.de","persons":1}}"#
    );
    format!(
        "POST /v1/widgets/bench-event/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Idempotency-Key: bench-reg-{i:08}-{}\r\nContent-Length: {}\r\n\r\n{body}",
        std::process::id(),
        body.len()
    )
    .into_bytes()
}

fn preflight(_: usize) -> Vec<u8> {
    format!(
        "OPTIONS /v1/widgets/bench/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {ORIGIN}\r\n\
         Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type, idempotency-key\r\n\r\n"
    )
    .into_bytes()
}

fn report_json(r: &load::Report) -> serde_json::Value {
    serde_json::json!({
        "clients": CLIENTS, "requests": r.requests, "errors": r.errors, "seconds": r.seconds,
        "per_second": r.per_second(), "p50_ms": r.p50_ms, "p99_ms": r.p99_ms,
    })
}

fn sizes_json(files: &[FileInfo]) -> serde_json::Value {
    let total = |f: fn(&FileInfo) -> usize| files.iter().map(f).sum::<usize>();
    serde_json::json!({
        "files": files.iter().map(|f| serde_json::json!({
            "name": f.name, "bytes": f.raw, "gzip_bytes": f.gzip, "brotli_bytes": f.brotli,
        })).collect::<Vec<_>>(),
        "total": { "bytes": total(|f| f.raw), "gzip_bytes": total(|f| f.gzip), "brotli_bytes": total(|f| f.brotli) },
    })
}

/// Runs one of the browser benchmarks in `tests/e2e/` and returns the JSON it printed last.
fn node_bench(
    root: &std::path::Path,
    collector: &std::path::Path,
    script: &str,
) -> Result<serde_json::Value> {
    let out = Command::new("node")
        .arg(root.join(script))
        .env("MITMACHEN_COLLECTOR", collector)
        .env("MITMACHEN_DIST", dist::dist_dir())
        .env("MITMACHEN_EXAMPLES", root.join("examples"))
        .env("CHROMIUM", setup::CHROMIUM)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("node: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .ok_or(format!("{script} printed no result"))
}

pub fn run() -> Result {
    let tools = setup::all()?;
    let root = root();
    let files = dist::build(&tools)?;
    cmd::run(
        Command::new("cargo")
            .args(["build", "--release", "-p", "mitmachen-collector"])
            .current_dir(&root),
    )?;
    let binary = root.join("target/release/collector");

    eprintln!("\nbench: widget load time in Chromium");
    let load_time = node_bench(&root, &binary, "tests/e2e/load-time.mjs")?;
    eprintln!("bench: re-render of a 500-topic list after one dot");
    let topics_render = node_bench(&root, &binary, "tests/e2e/topics-render.mjs")?;

    eprintln!("bench: collector under load ({CLIENTS} clients)");
    let server = start_collector(&binary)?;
    let submit = load::run(server.addr, CLIENTS, SUBMISSIONS, LIMIT, 201, submission);
    let register = load::run(
        server.addr,
        CLIENTS,
        REGISTRATIONS,
        LIMIT,
        201,
        registration,
    );
    let noop = load::run(server.addr, CLIENTS, NO_OPS, LIMIT, 204, preflight);
    let peak_kb = peak_memory_kb(server.child.id());
    drop(server);

    let result = serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "dist": sizes_json(&files),
        "chromium_load": load_time,
        "topics_rerender_500": topics_render,
        "collector": {
            "store": "sqlite (WAL, synchronous=FULL)",
            "submissions": report_json(&submit),
            "registrations_one_event": report_json(&register),
            "noop_preflight": report_json(&noop),
            "peak_memory_kb": peak_kb,
        },
    });
    let path = root.join("target/bench.json");
    let text = serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?;
    std::fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;

    println!("\nmitmachen bench ({})", path.display());
    println!(
        "widgets interactive after DOMContentLoaded: median {:.0} ms over {} loads ({} widgets)",
        load_time["median_ms"].as_f64().unwrap_or(f64::NAN),
        load_time["loads"],
        load_time["widgets"]
    );
    println!(
        "topic list of {} topics shows a dot after: median {:.1} ms (max {:.1} ms) over {} clicks",
        topics_render["topics"],
        topics_render["median_ms"].as_f64().unwrap_or(f64::NAN),
        topics_render["max_ms"].as_f64().unwrap_or(f64::NAN),
        topics_render["clicks"]
    );
    for (name, r) in [
        ("submissions", &submit),
        ("registrations", &register),
        ("no-op (preflight)", &noop),
    ] {
        println!(
            "collector {name:<18} {:>8.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms   {} requests, {} errors",
            r.per_second(),
            r.p50_ms,
            r.p99_ms,
            r.requests,
            r.errors
        );
    }
    println!(
        "collector peak memory: {} KB",
        peak_kb.map_or("?".into(), |k| k.to_string())
    );
    Ok(())
}
