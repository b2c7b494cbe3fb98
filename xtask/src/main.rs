//! `cargo xtask <task>`: everything that builds, installs, demonstrates or tests mitmachen.
//!
//! Each task installs what it needs on a bare machine first (see `setup.rs`), so a fresh clone
//! needs only Rust and these commands.

mod bench;
mod cmd;
mod demo;
mod dist;
mod fuzz;
mod load;
mod names;
mod pg;
mod setup;
mod suite;
mod tidy;

use std::path::PathBuf;
use std::process::ExitCode;

const HELP: &str = "\
cargo xtask <task>

  setup    install what building and testing need (wasm target, wasm-bindgen, wasm-opt,
           Chromium and ChromeDriver); safe to run again
  dist     build the browser bundle into target/dist/ and print its sizes
  demo     build everything and start the collector on SQLite with the example pages
           (--port N, default 8080)
  test     run every check and test: format, lints, unit and collector tests, the bundle's
           size budget, end-to-end tests in headless Chromium
  bench    measure and print: bundle sizes, widget load time in Chromium, collector
           throughput and latency at 64 clients, peak memory (also target/bench.json);
           --collector-only: the collector's figures alone, no bundle and no Chromium
  fuzz     run the cargo-fuzz targets in fuzz/ (attribute parser, submission decoder, server
           replies, closing times) on nightly, each for N seconds (--seconds N, default 60;
           name one target to run only that one)
";

type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (xtask lives one level below it).
fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::all().map(|_| ()),
        Some("dist") => setup::for_dist().and_then(|tools| dist::build(&tools).map(|_| ())),
        Some("demo") => demo::run(&args[1..]),
        Some("test") => suite::run(),
        Some("bench") => bench::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("help") | Some("--help") | Some("-h") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => Err(format!("unknown task '{other}'\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}
