//! The `collector` binary: read the configuration, then serve; or, as `collector migrate --to
//! postgres://…`, copy the configured SQLite database into an empty PostgreSQL database; or, as
//! `collector user add|password NAME`, manage the console's accounts (`accounts::cli`).

use mitmachen_collector::config::{Config, Database};
use std::process::ExitCode;

/// The writer thread frees what the HTTP threads allocated; glibc's allocator made that a
/// quarter of the writer's time (collector README, "PostgreSQL").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MIGRATE_USAGE: &str = "usage: collector migrate --to postgres://USER:PASSWORD@HOST/DATABASE [--config PATH] (the SQLite file is the configured `database`)";

fn main() -> ExitCode {
    mitmachen_collector::init_logging();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("migrate") {
        return migrate(args.split_off(1));
    }
    if args.first().map(String::as_str) == Some("user") {
        return mitmachen_collector::accounts::cli::run(args.split_off(1));
    }
    let config = match Config::load(args, |name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("mitmachen collector: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("mitmachen collector: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(mitmachen_collector::run(config));
    // A store call still running on a blocking thread must not hold the exit past the
    // shutdown deadline (dropping the runtime would wait for it).
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mitmachen collector: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `migrate --to URL`: one line per table on stdout (`TABLE ROWS`), errors on stderr. Runs on
/// this plain thread, without an async runtime, as the `postgres` crate wants it.
fn migrate(args: Vec<String>) -> ExitCode {
    let mut to = None;
    let mut rest = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--to" {
            to = args.next();
        } else if let Some(url) = arg.strip_prefix("--to=") {
            to = Some(url.to_owned());
        } else {
            rest.push(arg);
        }
    }
    let target = match to.as_deref().map(Database::parse) {
        Some(Ok(Database::Postgres(url))) => url,
        Some(Ok(Database::Sqlite(_))) | None => {
            eprintln!("mitmachen collector: --to needs a postgres:// URL; {MIGRATE_USAGE}");
            return ExitCode::from(2);
        }
        Some(Err(e)) => {
            eprintln!("mitmachen collector: --to: {e}");
            return ExitCode::from(2);
        }
    };
    let config = match Config::load(rest, |name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("mitmachen collector: {e}; {MIGRATE_USAGE}");
            return ExitCode::from(2);
        }
    };
    let Some(source) = config.database.sqlite_path() else {
        eprintln!(
            "mitmachen collector: the configured database {} is no SQLite file to copy from",
            config.database
        );
        return ExitCode::from(2);
    };
    let shown = Database::Postgres(target.clone());
    match mitmachen_collector::db::postgres::copy::sqlite_to_postgres(source, &target) {
        Ok(tables) => {
            for t in &tables {
                println!("{} {}", t.table, t.rows);
            }
            eprintln!(
                "mitmachen collector: copied {} tables from {} to {shown}; set database to the URL and start the collector",
                tables.len(),
                source.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "mitmachen collector: copying {} to {shown} failed, nothing was copied: {e}",
                source.display()
            );
            ExitCode::FAILURE
        }
    }
}
