//! `cargo xtask bench`: prints figures and writes them to `target/bench.json`. Not part of the
//! test suite: timings are measured here, never asserted.
//!
//! - the bundle's sizes (raw, gzip, brotli per file and in total);
//! - in headless Chromium, the time from DOMContentLoaded until every widget on the example page
//!   is interactive (median of repeated cold loads; `tests/e2e/load-time.mjs`);
//! - the same on Chrome's "Slow 4G" profile with 4x CPU slowdown, for `rathaus.html`, a page
//!   with two polls and those two polls written by hand in plain JavaScript, with the bytes on
//!   the wire (`tests/e2e/slow-network.mjs`, pages in `tests/e2e/bench/`);
//! - the collector (release build), once on SQLite and once on a throw-away PostgreSQL cluster
//!   on this machine: durable submissions and registrations per second and p50/p99 latency at
//!   64 concurrent clients, each over 5 s, beside a no-op request of the same server in the same
//!   run (a CORS preflight, answered without touching the database) and results reads, and the
//!   collector's peak memory.
//!
//! `cargo xtask bench --collector-only` measures the collector alone (no bundle, no Chromium)
//! and replaces only the `collector` section of an existing `target/bench.json`.

use crate::dist::{self, FileInfo};
use crate::{Result, cmd, load, root, setup};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CLIENTS: usize = 64;
/// Each load runs this long: at 20,000 requests/s a fixed count would be over before the
/// database has grown or a checkpoint has run.
const DURATION: Duration = Duration::from_secs(5);
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

/// A collector on `database` (`None`: an SQLite file of its own).
fn start_collector(binary: &std::path::Path, database: Option<&str>) -> Result<Collector> {
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
        .env(
            "MITMACHEN_DATABASE",
            database.map_or_else(
                || dir.join("bench.sqlite3").into(),
                std::ffi::OsString::from,
            ),
        )
        // Beside the bench's files, whichever the database (with PostgreSQL the default would
        // be the working directory).
        .env("MITMACHEN_MAIL_OUTBOX", dir.join("outbox"))
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

/// The CPU time `pid` has used so far, in µs: user and system time from `/proc/PID/stat`, in
/// the kernel's USER_HZ ticks (100 per second on Linux).
fn cpu_us(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks * 10_000)
}

/// One load against `server`, with the collector's CPU time per request: on a shared machine
/// whose speed varies from run to run, the work per request varies far less than the rate.
fn load_for(
    server: &Collector,
    ok_status: u16,
    request: fn(usize) -> Vec<u8>,
) -> (load::Report, Option<f64>) {
    let pid = server.child.id();
    let before = cpu_us(pid);
    let report = load::run_for(server.addr, CLIENTS, DURATION, ok_status, request);
    let used = before.zip(cpu_us(pid)).map(|(b, a)| a.saturating_sub(b));
    let per_request = used
        .filter(|_| report.requests > 0)
        .map(|us| us as f64 / report.requests as f64);
    (report, per_request)
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

fn results_read(_: usize) -> Vec<u8> {
    "GET /v1/widgets/bench/results HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        .to_string()
        .into_bytes()
}

fn preflight(_: usize) -> Vec<u8> {
    format!(
        "OPTIONS /v1/widgets/bench/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {ORIGIN}\r\n\
         Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type, idempotency-key\r\n\r\n"
    )
    .into_bytes()
}

fn report_json((r, cpu): &(load::Report, Option<f64>)) -> serde_json::Value {
    serde_json::json!({
        "clients": CLIENTS, "requests": r.requests, "errors": r.errors, "seconds": r.seconds,
        "per_second": r.per_second(), "p50_ms": r.p50_ms, "p99_ms": r.p99_ms,
        "collector_cpu_us_per_request": cpu,
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

/// Each bundle's kinds, languages and size, and what a page with only those kinds in the
/// bundle's first language downloads.
fn bundles_json(built: &dist::Dist) -> serde_json::Value {
    serde_json::json!(
        built
            .bundles
            .iter()
            .map(|b| serde_json::json!({
                "kinds": b.kinds, "langs": b.langs, "name": b.wasm.name, "brotli_bytes": b.wasm.brotli,
                "page_brotli_bytes": built.page_brotli(b.kinds, b.langs[0]),
            }))
            .collect::<Vec<_>>()
    )
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
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("node: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .ok_or(format!("{script} printed no result"))
}

/// The collector's figures on one database.
/// A load's report and the collector's CPU time per request in it (µs).
type Measured = (load::Report, Option<f64>);

struct Figures {
    submit: Measured,
    register: Measured,
    noop: Measured,
    results: Measured,
    peak_kb: Option<u64>,
}

impl Figures {
    fn measure(binary: &std::path::Path, database: Option<&str>) -> Result<Figures> {
        eprintln!(
            "bench: collector on {} under load ({CLIENTS} clients, {} s each)",
            if database.is_some() {
                "PostgreSQL"
            } else {
                "SQLite"
            },
            DURATION.as_secs()
        );
        let server = start_collector(binary, database)?;
        // The no-op first, while nothing else runs: the registrations' mails are sent (and
        // marked sent) in the background for a while after their load.
        let noop = load_for(&server, 204, preflight);
        let submit = load_for(&server, 201, submission);
        let register = load_for(&server, 201, registration);
        let results = load_for(&server, 200, results_read);
        let peak_kb = peak_memory_kb(server.child.id());
        drop(server);
        Ok(Figures {
            submit,
            register,
            noop,
            results,
            peak_kb,
        })
    }

    fn ratio(&self) -> f64 {
        self.submit.0.per_second() / self.noop.0.per_second()
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "submissions": report_json(&self.submit),
            "registrations_one_event": report_json(&self.register),
            "noop": report_json(&self.noop),
            "results_reads": report_json(&self.results),
            "submissions_per_noop": self.ratio(),
            "peak_memory_kb": self.peak_kb,
        })
    }

    fn print(&self, database: &str) {
        println!("collector on {database}:");
        for (name, r) in [
            ("submissions", &self.submit),
            ("registrations", &self.register),
            ("no-op (preflight)", &self.noop),
            ("results reads", &self.results),
        ] {
            let (r, cpu) = r;
            println!(
                "collector {name:<18} {:>8.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms   {} requests, {} errors, {} µs CPU each",
                r.per_second(),
                r.p50_ms,
                r.p99_ms,
                r.requests,
                r.errors,
                cpu.map_or("?".into(), |c| format!("{c:.0}"))
            );
        }
        println!(
            "collector submissions / no-op: {:.2} (same run)",
            self.ratio()
        );
        println!(
            "collector peak memory: {} KB",
            self.peak_kb.map_or("?".into(), |k| k.to_string())
        );
    }
}

/// The collector on SQLite (whose runs also fill the older keys) and on PostgreSQL.
struct CollectorFigures {
    sqlite: Figures,
    postgres: Figures,
}

impl CollectorFigures {
    fn measure(binary: &std::path::Path) -> Result<CollectorFigures> {
        let sqlite = Figures::measure(binary, None)?;
        let cluster = crate::pg::Cluster::start();
        let postgres = Figures::measure(binary, Some(&cluster.url("postgres")))?;
        Ok(CollectorFigures { sqlite, postgres })
    }

    fn json(&self) -> serde_json::Value {
        let s = &self.sqlite;
        serde_json::json!({
            "store": "sqlite (WAL, synchronous=FULL, group commit)",
            "submissions": report_json(&s.submit),
            "registrations_one_event": report_json(&s.register),
            "noop_preflight": report_json(&s.noop),
            "peak_memory_kb": s.peak_kb,
            "sqlite": s.json(),
            "postgres": self.postgres.json(),
        })
    }

    fn print(&self) {
        self.sqlite.print("SQLite (WAL, synchronous=FULL)");
        self.postgres.print("PostgreSQL (local cluster, fsync on)");
    }
}

fn build_collector(root: &std::path::Path) -> Result<std::path::PathBuf> {
    cmd::run(
        Command::new("cargo")
            .args(["build", "--release", "-p", "mitmachen-collector"])
            .current_dir(root),
    )?;
    Ok(root.join("target/release/collector"))
}

fn write_json(path: &std::path::Path, value: &serde_json::Value) -> Result {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    std::fs::write(path, &text).map_err(|e| format!("{}: {e}", path.display()))
}

/// `--collector-only`: the collector's load figures, merged into an earlier full result.
fn run_collector_only() -> Result {
    let root = root();
    let binary = build_collector(&root)?;
    let figures = CollectorFigures::measure(&binary)?;
    let path = root.join("target/bench.json");
    let mut result = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .filter(serde_json::Value::is_object)
        .unwrap_or_else(|| serde_json::json!({ "version": env!("CARGO_PKG_VERSION") }));
    result["collector"] = figures.json();
    write_json(&path, &result)?;
    println!("\nmitmachen bench, collector only ({})", path.display());
    figures.print();
    Ok(())
}

pub fn run(args: &[String]) -> Result {
    match args {
        [] => {}
        [flag] if flag == "--collector-only" => return run_collector_only(),
        _ => return Err(format!("bench takes only --collector-only, not {args:?}")),
    }
    let tools = setup::all()?;
    let root = root();
    let built = dist::build(&tools)?;
    let binary = build_collector(&root)?;

    eprintln!("\nbench: widget load time in Chromium");
    let load_time = node_bench(&root, &binary, "tests/e2e/load-time.mjs")?;
    eprintln!("bench: re-render of a 500-topic list after one dot");
    let topics_render = node_bench(&root, &binary, "tests/e2e/topics-render.mjs")?;
    eprintln!("bench: pages on a slow mobile network (Slow 4G, 4x CPU slowdown)");
    let slow_4g = node_bench(&root, &binary, "tests/e2e/slow-network.mjs")?;

    let collector = CollectorFigures::measure(&binary)?;

    let result = serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "dist": sizes_json(&built.files),
        "dist_bundles": bundles_json(&built),
        "chromium_load": load_time,
        "topics_rerender_500": topics_render,
        "slow_4g": slow_4g,
        "collector": collector.json(),
    });
    let path = root.join("target/bench.json");
    write_json(&path, &result)?;

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
    for (key, what) in [
        ("rathaus", "rathaus.html"),
        ("two_polls", "two polls"),
        ("vanilla_two_polls", "two polls by hand, vanilla JS"),
    ] {
        let page = &slow_4g[key];
        println!(
            "slow 4G, {what}: every widget interactive {:.0} ms after DOMContentLoaded (median of {}), {:.1} KB on the wire",
            page["median_ms"].as_f64().unwrap_or(f64::NAN),
            slow_4g["loads"],
            page["bytes"].as_f64().unwrap_or(f64::NAN) / 1024.0
        );
    }
    collector.print();
    Ok(())
}
