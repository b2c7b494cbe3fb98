//! Runs the real `collector` binary on 127.0.0.1 with a database in a temporary directory.

#![allow(dead_code)] // each test file uses a different part of this module

pub mod database;
pub mod export;
pub mod outbox;
pub mod postgres;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const ORIGIN: &str = "https://www.musterstadt.de";
const LINE_PREFIX: &str = "mitmachen collector listening on ";

/// A running collector; killed when dropped.
pub struct Collector {
    child: Child,
    pub url: String,
    dir: PathBuf,
}

impl Collector {
    /// Starts with the test origin allowed globally, plus `env`.
    pub fn start(dir: &Path, env: &[(&str, &str)]) -> Collector {
        let mut all = vec![("MITMACHEN_ALLOWED_ORIGINS", ORIGIN)];
        all.extend_from_slice(env);
        Collector::start_exact(dir, &all)
    }

    /// Starts like [`Collector::start`] with `toml` written to `collector.toml` in `dir` and
    /// passed as `--config`.
    pub fn start_with_config(dir: &Path, toml: &str, env: &[(&str, &str)]) -> Collector {
        let path = dir.join("collector.toml");
        std::fs::write(&path, toml).expect("write config");
        let mut all = vec![("MITMACHEN_ALLOWED_ORIGINS", ORIGIN)];
        all.extend_from_slice(env);
        Collector::spawn(dir, &all, &["--config".as_ref(), path.as_os_str()])
    }

    /// Starts with exactly `env` (besides listen address and database).
    pub fn start_exact(dir: &Path, env: &[(&str, &str)]) -> Collector {
        Collector::spawn(dir, env, &[])
    }

    /// Starts like [`Collector::start`] with the open-files limit (soft and hard) set to
    /// `open_files`, as `ulimit -n` would for a service.
    pub fn start_with_open_files(dir: &Path, env: &[(&str, &str)], open_files: u32) -> Collector {
        let mut all = vec![("MITMACHEN_ALLOWED_ORIGINS", ORIGIN)];
        all.extend_from_slice(env);
        Collector::spawn_limited(dir, &all, &[], Some(open_files))
    }

    fn spawn(dir: &Path, env: &[(&str, &str)], args: &[&std::ffi::OsStr]) -> Collector {
        Collector::spawn_limited(dir, env, args, None)
    }

    fn spawn_limited(
        dir: &Path,
        env: &[(&str, &str)],
        args: &[&std::ffi::OsStr],
        open_files: Option<u32>,
    ) -> Collector {
        let database = database::for_dir(dir);
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("collector.log"))
            .expect("log file");
        let binary = env!("CARGO_BIN_EXE_collector");
        let mut command = match open_files {
            // `exec` keeps the pid, so that signals reach the collector itself.
            Some(n) => {
                let mut c = Command::new("/bin/sh");
                c.arg("-c")
                    .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
                    .arg(binary);
                c
            }
            None => Command::new(binary),
        };
        let mut child = command
            .args(args)
            .env_clear()
            .env("MITMACHEN_LISTEN", "127.0.0.1:0")
            .env("MITMACHEN_DATABASE", &database)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("spawn collector");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next().and_then(Result::ok);
            let _ = tx.send(first);
            // Keep the pipe open until the process ends.
            for _ in lines {}
        });
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Some(line)) => line,
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("collector did not start; log:\n{}", read_log(dir));
            }
        };
        let url = line
            .strip_prefix(LINE_PREFIX)
            .unwrap_or_else(|| panic!("odd line {line:?}"))
            .to_owned();
        Collector {
            child,
            url,
            dir: dir.to_owned(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL now, while others may still hold this collector (dropping also kills).
    pub fn kill(&self) {
        let status = Command::new("kill")
            .args(["-KILL", &self.pid().to_string()])
            .status()
            .expect("kill");
        assert!(status.success(), "kill -KILL failed");
    }

    pub fn log(&self) -> String {
        read_log(&self.dir)
    }

    /// Whether the log contains `needle` within a few seconds (a loaded machine may schedule
    /// the child's write late).
    pub fn log_shows(&self, needle: &str) -> bool {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            if self.log().contains(needle) {
                return true;
            }
            if std::time::Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the process to end by itself.
    pub fn wait(mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("collector.log")).unwrap_or_default()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

pub fn key(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// Sends a GET with `path` exactly as given (no client-side normalisation of `..`) and returns
/// the whole answer as text.
pub async fn raw_get(c: &Collector, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = c.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    String::from_utf8_lossy(&answer).into_owned()
}

/// POSTs `body` as submission number `n` (idempotency key `key(n)`).
pub async fn submit(
    c: &Collector,
    widget: &str,
    n: usize,
    body: &serde_json::Value,
) -> reqwest::Response {
    client()
        .post(format!("{}/v1/widgets/{widget}/submissions", c.url))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("Idempotency-Key", key(n))
        .body(body.to_string())
        .send()
        .await
        .expect("request")
}

/// A widget's results, asserting 200 and `Cache-Control: no-store`.
pub async fn results(c: &Collector, widget: &str) -> mitmachen_shared::protocol::Results {
    let res = client()
        .get(format!("{}/v1/widgets/{widget}/results", c.url))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    assert_eq!(res.headers()[reqwest::header::CACHE_CONTROL], "no-store");
    res.json().await.expect("results json")
}

/// Asserts a problem+json answer with this status and type slug, and returns it.
pub async fn problem(
    res: reqwest::Response,
    status: u16,
    slug: &str,
) -> mitmachen_shared::protocol::Problem {
    assert_eq!(res.status().as_u16(), status);
    assert_eq!(
        res.headers()[reqwest::header::CONTENT_TYPE],
        "application/problem+json"
    );
    let p: mitmachen_shared::protocol::Problem = res.json().await.expect("problem json");
    assert_eq!(p.kind, format!("urn:mitmachen:problem:{slug}"));
    assert_eq!(p.status, status);
    assert!(!p.detail.is_empty());
    p
}
