//! A real SMTP server on 127.0.0.1 for the tests: `smtp_server.py` beside this file (Debian's
//! aiosmtpd), started per test and killed when the guard is dropped, also on a panic.
//!
//! Include it with `#[path = "support/smtp.rs"] mod smtp;` (or `mod smtp;` in `support/mod.rs`).

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's Python, which has `python3-aiosmtpd` (the first `python3` on PATH may not).
pub const PYTHON: &str = "/usr/bin/python3";

/// Recipients the server answers with 550 and 451.
pub const REJECTED: &str = "reject@example.invalid";
pub const BUSY: &str = "busy@example.invalid";

pub struct SmtpServer {
    pub port: u16,
    pub dir: PathBuf,
    child: Child,
    _temp: tempfile::TempDir,
}

/// One message as the server received it.
#[derive(Debug)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub eml: Vec<u8>,
    /// The whole `.json` record, with the server's own decoding (`subject`, `to`, `text`,
    /// `html`, `attachments`).
    pub record: serde_json::Value,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        Self::start_with(&[])
    }

    /// Starts it requiring SMTP AUTH with `user` and `password`.
    pub fn start_with_auth(user: &str, password: &str) -> SmtpServer {
        Self::start_with(&["--auth", &format!("{user}:{password}")])
    }

    fn start_with(extra: &[&str]) -> SmtpServer {
        let temp = tempfile::tempdir().expect("temporary folder");
        let dir = temp.path().join("received");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_server.py");
        let mut child = Command::new(PYTHON)
            .arg(&script)
            .arg("--dir")
            .arg(&dir)
            .arg("--exit-on-eof")
            .args(extra)
            // A pipe: when the test process dies without dropping the guard, the server sees
            // the end of its input and stops.
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {PYTHON} {}: {e}", script.display()));
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        // The first line comes once the port accepts connections (or the script failed: then
        // stdout closes and its error is on stderr, which the test shows).
        let mut reader = BufReader::new(stdout);
        let read = reader.read_line(&mut line);
        let port = read
            .ok()
            .and_then(|_| serde_json::from_str::<serde_json::Value>(&line).ok())
            .and_then(|v| v["port"].as_u64())
            .and_then(|p| u16::try_from(p).ok());
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the SMTP test server did not start (is Debian's python3-aiosmtpd installed? \
                 `cargo xtask setup` installs it); it printed {line:?}"
            );
        };
        // Keep reading its stdout (one line per message), so that it never writes into a
        // closed pipe.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        SmtpServer {
            port,
            dir,
            child,
            _temp: temp,
        }
    }

    /// The messages received so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut envelopes: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        envelopes.sort();
        envelopes
            .iter()
            .map(|path| {
                let json: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(path).expect("envelope"))
                        .expect("envelope JSON");
                let eml = self.dir.join(json["eml"].as_str().expect("eml name"));
                Received {
                    mail_from: json["mail_from"].as_str().expect("from").to_owned(),
                    rcpt_tos: json["rcpt_tos"]
                        .as_array()
                        .expect("rcpt_tos")
                        .iter()
                        .map(|r| r.as_str().expect("address").to_owned())
                        .collect(),
                    eml: std::fs::read(eml).expect("message"),
                    record: json.clone(),
                }
            })
            .collect()
    }

    /// Waits (up to 10 s) until at least `n` messages have arrived.
    pub fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let received = self.received();
            if received.len() >= n || Instant::now() > deadline {
                return received;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
