//! Throw-away PostgreSQL clusters for tests: `initdb` and `pg_ctl` from Debian's server
//! packages (`/usr/lib/postgresql/*/bin`), run as the `postgres` user when the tests run as
//! root (the server refuses root), on a free port of 127.0.0.1 with the socket in the cluster's
//! temporary folder. fsync stays on: these clusters are as durable as a real one.
//!
//! [`database`] hands out a fresh database on one cluster shared by the test binary, stopped and
//! removed when the binary exits (also after failed tests: an `atexit` handler). [`Cluster::start`]
//! gives a test a cluster of its own (to stop and start it), stopped and removed on drop. A
//! watchdog process removes either if the test binary is killed outright.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
}

static SHARED: OnceLock<Cluster> = OnceLock::new();
static NEXT_DATABASE: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" {
    fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
}

extern "C" fn stop_shared() {
    if let Some(cluster) = SHARED.get() {
        cluster.remove();
    }
}

/// A URL of a new, empty database on the shared cluster.
pub fn database() -> String {
    let cluster = SHARED.get_or_init(|| {
        let cluster = Cluster::start_new();
        // SAFETY: registers a plain function without captured state; libc calls it at exit.
        unsafe {
            atexit(stop_shared);
        }
        cluster
    });
    cluster.create_database()
}

/// The server binaries' folder of the newest installed PostgreSQL.
fn bin_dir() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "PostgreSQL's server programs are missing (no /usr/lib/postgresql/*/bin/initdb): \
             the PostgreSQL tests need them; `cargo xtask setup` installs them (Debian package \
             `postgresql`)"
        ),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `program` from the server folder, as the `postgres` user when we are root.
fn server_command(bin: &Path, program: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(program));
        c
    } else {
        Command::new(bin.join(program))
    }
}

fn run(mut command: Command, what: &str) {
    let out = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Cluster {
    /// A cluster of its own, stopped and removed when dropped.
    pub fn start() -> OwnCluster {
        OwnCluster(Cluster::start_new())
    }

    fn start_new() -> Cluster {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("mitmachen-pg-")
            .tempdir()
            .expect("temporary folder")
            .keep();
        // The server runs as `postgres` and keeps its socket here.
        run(
            {
                let mut c = Command::new("chmod");
                c.arg("777").arg(&dir);
                c
            },
            "chmod",
        );
        let mut initdb = server_command(&bin, "initdb");
        initdb
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "-D",
            ])
            .arg(dir.join("data"));
        run(initdb, "initdb");
        let mut cluster = Cluster { dir, bin, port: 0 };
        cluster.watchdog();
        // A port found free may be taken before the server binds it: try a few.
        for attempt in 0.. {
            cluster.port = free_port();
            if cluster.try_start() {
                break;
            }
            assert!(attempt < 3, "PostgreSQL did not start:\n{}", cluster.log());
        }
        cluster
    }

    fn try_start(&self) -> bool {
        let mut pg_ctl = server_command(&self.bin, "pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-w", "-t", "60", "-l"])
            .arg(self.dir.join("server.log"))
            .arg("-o")
            .arg(format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1",
                self.port,
                self.dir.display()
            ))
            .arg("start")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        pg_ctl.status().is_ok_and(|s| s.success())
    }

    /// Stops the server (fast shutdown: open sessions are ended, commits are kept).
    pub fn stop(&self) {
        let mut pg_ctl = server_command(&self.bin, "pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-w", "-m", "fast", "stop"]);
        run(pg_ctl, "pg_ctl stop");
    }

    /// Starts the stopped server again on the same port.
    pub fn start_again(&self) {
        assert!(self.try_start(), "restart failed:\n{}", self.log());
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// A client on the `postgres` database, for what the tests set up or check directly.
    pub fn admin(&self) -> postgres::Client {
        postgres::Client::connect(&self.url("postgres"), postgres::NoTls).expect("connect")
    }

    /// A new empty database; its URL.
    pub fn create_database(&self) -> String {
        let name = format!("t_{}", NEXT_DATABASE.fetch_add(1, Ordering::Relaxed));
        self.admin()
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        self.url(&name)
    }

    /// Stops the server at once and removes its folder; a stopped server is fine.
    fn remove(&self) {
        let mut pg_ctl = server_command(&self.bin, "pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-w", "-m", "immediate", "stop"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let _ = pg_ctl.status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// A shell that waits for this test binary to end and then removes the cluster, for when
    /// the binary is killed and neither `Drop` nor `atexit` runs. After a normal end it finds
    /// nothing left to do.
    fn watchdog(&self) {
        let pg_ctl = self.bin.join("pg_ctl");
        let data = self.dir.join("data");
        let as_postgres = if is_root() {
            "runuser -u postgres -- "
        } else {
            ""
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
             {as_postgres}'{pg_ctl}' -D '{data}' -m immediate stop >/dev/null 2>&1; \
             rm -rf '{dir}'",
            pid = std::process::id(),
            pg_ctl = pg_ctl.display(),
            data = data.display(),
            dir = self.dir.display(),
        );
        let _ = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }
}

/// A test's own cluster; stopped and removed when dropped, also when the test fails.
pub struct OwnCluster(Cluster);

impl std::ops::Deref for OwnCluster {
    type Target = Cluster;
    fn deref(&self) -> &Cluster {
        &self.0
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        self.0.remove();
    }
}
