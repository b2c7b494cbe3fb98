//! `cargo xtask fuzz [--seconds N] [TARGET]`: long fuzzing runs of the targets in `fuzz/` with
//! cargo-fuzz (libFuzzer), which needs a nightly toolchain. The short run is the property tests
//! in `shared/tests/no_panic.rs`, part of `cargo xtask test`.
//!
//! Each target's corpus grows in `fuzz/corpus/<target>/`; a crashing input lands in
//! `fuzz/artifacts/<target>/` and fails the task (both are ignored by git).

use crate::{Result, cmd, root};
use std::process::Command;
use std::time::Duration;

/// Each target and its libFuzzer dictionary in `fuzz/dict/`, if it has one.
const TARGETS: &[(&str, Option<&str>)] = &[
    ("config_parse", None),
    ("submission_decode", Some("json.dict")),
    ("server_replies", Some("json.dict")),
    ("datetime", Some("datetime.dict")),
];

const DEFAULT_SECONDS: u64 = 60;

pub fn run(args: &[String]) -> Result {
    let (seconds, only) = parse_args(args)?;
    nightly()?;
    cargo_fuzz()?;
    let fuzz_dir = root().join("fuzz");
    let mut ran = Vec::new();
    for (target, dict) in TARGETS {
        if only.as_deref().is_some_and(|o| o != *target) {
            continue;
        }
        let mut command = Command::new("cargo");
        command
            .args(["+nightly", "fuzz", "run", target, "--"])
            .arg(format!("-max_total_time={seconds}"))
            .current_dir(&fuzz_dir);
        if let Some(dict) = dict {
            command.arg(format!("-dict=dict/{dict}"));
        }
        cmd::run(&mut command).map_err(|e| {
            format!("{e}\n(an input that crashed {target} is in fuzz/artifacts/{target}/)")
        })?;
        ran.push(*target);
    }
    println!(
        "fuzzed {} for {seconds} s each without a crash",
        ran.join(", ")
    );
    Ok(())
}

fn parse_args(args: &[String]) -> Result<(u64, Option<String>)> {
    let names: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
    let mut seconds = DEFAULT_SECONDS;
    let mut only = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = match arg.strip_prefix("--seconds") {
            Some("") => args.next().map(String::as_str),
            Some(rest) => rest.strip_prefix('='),
            None if names.contains(&arg.as_str()) && only.is_none() => {
                only = Some(arg.clone());
                continue;
            }
            None => {
                return Err(format!(
                    "fuzz: unknown argument '{arg}' (targets: {})",
                    names.join(", ")
                ));
            }
        };
        seconds = value
            .and_then(|v| v.parse().ok())
            .filter(|n| *n > 0)
            .ok_or("fuzz: --seconds needs a whole number of seconds")?;
    }
    Ok((seconds, only))
}

/// cargo-fuzz builds with sanitizer flags that only nightly accepts.
fn nightly() -> Result {
    let has_nightly = || {
        cmd::output(Command::new("rustup").args(["toolchain", "list"]))
            .is_some_and(|list| list.lines().any(|l| l.starts_with("nightly")))
    };
    if has_nightly() {
        return Ok(());
    }
    let installed = cmd::run_with_timeout(
        Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]),
        Duration::from_secs(600),
    );
    if installed && has_nightly() {
        Ok(())
    } else {
        Err(
            "cargo-fuzz needs a nightly toolchain, and `rustup toolchain install nightly \
             --profile minimal` did not install one (no network to the Rust toolchain server?). \
             Without it, run the property tests longer instead: \
             PROPTEST_CASES=20000 cargo test -p mitmachen-shared --test no_panic"
                .into(),
        )
    }
}

fn cargo_fuzz() -> Result {
    if cmd::output(Command::new("cargo").args(["fuzz", "--version"])).is_some() {
        return Ok(());
    }
    cmd::run(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))
}
