//! `cargo xtask demo`: the collector on SQLite serving the bundle and the example pages.
//!
//! The pages are opened on `http://localhost:PORT` while the bundle and the API are addressed as
//! `http://127.0.0.1:PORT`: two origins, as on a real town website whose widgets talk to a
//! collector elsewhere, so CORS and the Content-Security-Policy are exercised in the demo too.

use crate::cmd;
use crate::{Result, dist, root, setup};
use std::process::Command;

pub fn run(args: &[String]) -> Result {
    let port: u16 = match args {
        [] => 8080,
        [flag, n] if flag == "--port" => n
            .parse()
            .map_err(|_| format!("--port {n}: not a port number"))?,
        _ => return Err("usage: cargo xtask demo [--port N]".into()),
    };
    let tools = setup::for_dist()?;
    dist::build(&tools)?;
    let root = root();
    cmd::run(
        Command::new("cargo")
            .args(["build", "-p", "mitmachen-collector"])
            .current_dir(&root),
    )?;
    let data = root.join("target/demo");
    std::fs::create_dir_all(&data).map_err(|e| format!("{}: {e}", data.display()))?;
    let token = demo_secret()?;
    let database = data.join("mitmachen.sqlite3");
    let password = demo_secret()?[..20].to_owned();
    demo_account(&root, &database, &password)?;
    println!(
        "\nmitmachen demo: open http://localhost:{port}/examples/ in a browser (Ctrl-C stops it)."
    );
    println!("Votes are stored in {}.", database.display());
    println!(
        "The console: http://127.0.0.1:{port}/admin/ (name: demo, password for this run: {password}).\n\
         There: every widget (the example pages' polls and topic lists become definitions when a\n\
         page first shows them, their events and newsletter come from examples/collector.toml),\n\
         new widgets with a live preview and the snippet to paste, proposed topics to moderate,\n\
         accounts."
    );
    println!(
        "For scripts, this run's admin token, e.g.:\n  \
         curl -H 'Authorization: Bearer {token}' http://127.0.0.1:{port}/v1/admin/widgets\n  \
         curl -H 'Authorization: Bearer {token}' http://127.0.0.1:{port}/v1/admin/widgets/buergerversammlung-haushalt/registrations.csv\n\
         Mails are not sent: each one is written to {} and its links are logged here.\n",
        data.join("mitmachen-outbox").display()
    );
    cmd::run(
        Command::new(root.join("target/debug/collector"))
            .env("MITMACHEN_LISTEN", format!("127.0.0.1:{port}"))
            .env("MITMACHEN_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .env(
                "MITMACHEN_ALLOWED_ORIGINS",
                format!("http://localhost:{port},http://127.0.0.1:{port}"),
            )
            .env("MITMACHEN_DATABASE", &database)
            .env("MITMACHEN_DIST_DIR", dist::dist_dir())
            .env("MITMACHEN_SITE_DIR", root.join("examples"))
            .env("MITMACHEN_CONFIG", root.join("examples/collector.toml"))
            .env("MITMACHEN_ADMIN_TOKEN", token),
    )
}

/// The console's administrator `demo`, with a fresh password each run: added the first time,
/// given the new password afterwards (`collector user add|password`).
fn demo_account(root: &std::path::Path, database: &std::path::Path, password: &str) -> Result {
    use std::io::Write;
    let user = |verb: &str| -> Result<bool> {
        let mut command = Command::new(root.join("target/debug/collector"));
        command.args(["user", verb, "demo"]);
        if verb == "add" {
            command.args(["--role", "administrator"]);
        }
        let mut child = command
            .env("MITMACHEN_DATABASE", database)
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("collector user {verb}: {e}"))?;
        if let Some(mut stdin) = child.stdin.take() {
            writeln!(stdin, "{password}").map_err(|e| format!("collector user {verb}: {e}"))?;
        }
        let status = child
            .wait()
            .map_err(|e| format!("collector user {verb}: {e}"))?;
        Ok(status.success())
    };
    if user("add")? || user("password")? {
        Ok(())
    } else {
        Err("could not make the console account `demo`".into())
    }
}

/// A fresh random secret for one demo run (64 hex digits from the kernel's randomness).
fn demo_secret() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("/dev/urandom: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
