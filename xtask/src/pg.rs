//! A throw-away PostgreSQL cluster for `cargo xtask bench`: Debian's `initdb` and `pg_ctl`
//! (`/usr/lib/postgresql/*/bin`, installed by `setup`), as the `postgres` user when run as root
//! (the server refuses root), on a free port of 127.0.0.1, with fsync on as in production.
//! Stopped and removed on drop.

use crate::Result;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
}

fn bin_dir() -> Result<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| format!("/usr/lib/postgresql: {e}; run `cargo xtask setup`"))?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    found.sort();
    found
        .pop()
        .ok_or_else(|| "no PostgreSQL server programs; run `cargo xtask setup`".into())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn server(bin: &Path, program: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(program));
        c
    } else {
        Command::new(bin.join(program))
    }
}

fn run(mut command: Command, what: &str) -> Result {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

impl Cluster {
    pub fn start() -> Result<Cluster> {
        let bin = bin_dir()?;
        let dir = std::env::temp_dir().join(format!("mitmachen-bench-pg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut chmod = Command::new("chmod");
        chmod.arg("777").arg(&dir);
        run(chmod, "chmod")?;
        let mut initdb = server(&bin, "initdb");
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
        run(initdb, "initdb")?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| format!("no free port: {e}"))?;
        let cluster = Cluster { dir, bin, port };
        let mut start = server(&cluster.bin, "pg_ctl");
        start
            .arg("-D")
            .arg(cluster.dir.join("data"))
            .args(["-w", "-t", "60", "-l"])
            .arg(cluster.dir.join("server.log"))
            .arg("-o")
            .arg(format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1",
                cluster.dir.display()
            ))
            .arg("start");
        run(start, "pg_ctl start")?;
        Ok(cluster)
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let mut stop = server(&self.bin, "pg_ctl");
        stop.arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "fast", "stop"]);
        let _ = run(stop, "pg_ctl stop");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
