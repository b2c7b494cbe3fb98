//! `cargo xtask test`: every check and test, in the order that fails fastest.

use crate::cmd;
use crate::dist::{self, FileInfo};
use crate::{Result, root, setup};
use std::process::Command;

/// The most a page may download for the widgets, brotli-compressed (measured size plus a small
/// margin; raise it deliberately, with the reason in the commit). 136,000: the four widgets
/// (poll, topics, event sign-up, newsletter opt-in) with the collector's definitions laid over
/// them (reading a definition, recording a page) measured 133,392 B, plus 2 %.
pub const BROTLI_BUDGET: usize = 136_000;

fn cargo(args: &[&str]) -> Result {
    cmd::run(Command::new("cargo").args(args).current_dir(root()))
}

pub fn run() -> Result {
    let tools = setup::all()?;
    cargo(&["fmt", "--all", "--", "--check"])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    cargo(&["test", "--workspace"])?;
    // The collector's tests against the real binary once more, its collectors on PostgreSQL
    // (a throw-away cluster the tests start): every guarantee on both databases.
    cmd::run(
        Command::new("cargo")
            .args(["test", "-p", "mitmachen-collector", "--test", "*"])
            .env("MITMACHEN_TEST_DATABASE", "postgres")
            .current_dir(root()),
    )?;
    let files = dist::build(&tools)?;
    budget(&files)?;
    cargo(&["build", "-p", "mitmachen-collector"])?;
    end_to_end()
}

fn budget(files: &[FileInfo]) -> Result {
    let total: usize = files.iter().map(|f| f.brotli).sum();
    if total > BROTLI_BUDGET {
        return Err(format!(
            "the bundle is {total} bytes brotli, over its budget of {BROTLI_BUDGET} (xtask/src/suite.rs)"
        ));
    }
    println!("size budget: {total} of {BROTLI_BUDGET} bytes brotli");
    Ok(())
}

/// The browser tests: `node --test` over `tests/e2e/*.test.mjs`, driving Debian's Chromium
/// through playwright-core against the real collector.
fn end_to_end() -> Result {
    let root = root();
    let dir = root.join("tests/e2e");
    let mut tests: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    tests.sort();
    cmd::run(
        Command::new("node")
            .args(["--test", "--test-concurrency=1"])
            .args(&tests)
            .env("MITMACHEN_COLLECTOR", root.join("target/debug/collector"))
            .env("MITMACHEN_DIST", dist::dist_dir())
            .env("MITMACHEN_EXAMPLES", root.join("examples"))
            .env("MITMACHEN_ARTIFACTS", root.join("target/e2e"))
            .env("CHROMIUM", setup::CHROMIUM)
            .current_dir(&root),
    )
}
