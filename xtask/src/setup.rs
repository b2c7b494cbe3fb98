//! Installs what building and testing need, each step only when it is missing.
//!
//! The wasm standard library comes the rustup way first (`rustup target add` and the `rust-src`
//! component, each with a short time limit because they hang on machines that cannot reach
//! rustup's download host), else from Debian's `rustc-web` packages, which ship the standard
//! library sources. Either way the bundle is built with `-Zbuild-std` so that panics compile to
//! an immediate abort (smaller code; a panic must never happen anyway).

use crate::cmd::{exists, output, run, run_with_timeout};
use crate::{Result, root};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const DEBIAN_TOOLCHAIN: &str = "debian-web";
const DEBIAN_RUST: &[&str] = &[
    "rustc-web",
    "cargo-web",
    "rust-web-src",
    "rust-web-llvm",
    "lld-22",
];
const DEBIAN_STD_SRC: &str = "/usr/lib/rustlib/src/rust/library";
const RUSTUP_LIMIT: Duration = Duration::from_secs(60);

/// How to invoke cargo for the wasm build.
pub struct Tools {
    /// `Some("debian-web")` for `cargo +debian-web`; `None` for the rustup default.
    pub toolchain: Option<&'static str>,
    pub wasm_bindgen: String,
    pub wasm_opt: PathBuf,
    pub terser: PathBuf,
}

pub fn all() -> Result<Tools> {
    let tools = for_dist()?;
    browser()?;
    Ok(tools)
}

pub fn for_dist() -> Result<Tools> {
    let toolchain = wasm_toolchain()?;
    let wasm_bindgen = wasm_bindgen()?;
    let wasm_opt = npm_tool("wasm-opt")?;
    let terser = npm_tool("terser")?;
    Ok(Tools {
        toolchain,
        wasm_bindgen,
        wasm_opt,
        terser,
    })
}

fn rustup_has(component: &str) -> bool {
    output(Command::new("rustup").args(["component", "list", "--installed"]))
        .is_some_and(|list| list.lines().any(|l| l.trim().starts_with(component)))
}

fn wasm_toolchain() -> Result<Option<&'static str>> {
    let std_component = format!("rust-std-{WASM_TARGET}");
    if rustup_has(&std_component) && rustup_has("rust-src") {
        return Ok(None);
    }
    let debian_linked = output(Command::new("rustup").args(["toolchain", "list"]))
        .is_some_and(|l| l.lines().any(|t| t.starts_with(DEBIAN_TOOLCHAIN)));
    if debian_linked && Path::new(DEBIAN_STD_SRC).is_dir() {
        return Ok(Some(DEBIAN_TOOLCHAIN));
    }
    eprintln!("setup: the wasm standard library is missing; trying rustup");
    let target_ok = rustup_has(&std_component)
        || run_with_timeout(
            Command::new("rustup").args(["target", "add", WASM_TARGET]),
            RUSTUP_LIMIT,
        );
    if target_ok
        && (rustup_has("rust-src")
            || run_with_timeout(
                Command::new("rustup").args(["component", "add", "rust-src"]),
                RUSTUP_LIMIT,
            ))
    {
        return Ok(None);
    }
    eprintln!(
        "setup: rustup could not download it; using Debian's Rust with its standard library sources"
    );
    apt_install(DEBIAN_RUST)?;
    run(Command::new("rustup").args(["toolchain", "link", DEBIAN_TOOLCHAIN, "/usr"]))?;
    Ok(Some(DEBIAN_TOOLCHAIN))
}

/// The wasm-bindgen version in Cargo.lock, which the CLI must match exactly.
fn locked_wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_owned());
        }
    }
    Err("Cargo.lock names no wasm-bindgen version".into())
}

fn wasm_bindgen() -> Result<String> {
    let version = locked_wasm_bindgen_version()?;
    let installed = output(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    if installed.split_whitespace().nth(1) != Some(version.as_str()) {
        eprintln!("setup: installing wasm-bindgen-cli {version} (takes a few minutes once)");
        run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &version]))?;
    }
    Ok("wasm-bindgen".into())
}

fn npm_ci(dir: &Path) -> Result {
    if !exists("npm") {
        apt_install(&["nodejs", "npm"])?;
    }
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir))
}

/// Installs a folder's npm packages (`npm ci`) unless each of its devDependencies is there.
fn npm_packages(dir: &Path) -> Result {
    let manifest = std::fs::read_to_string(dir.join("package.json"))
        .map_err(|e| format!("{}/package.json: {e}", dir.display()))?;
    let manifest: serde_json::Value = serde_json::from_str(&manifest).map_err(|e| e.to_string())?;
    let missing = manifest["devDependencies"].as_object().is_none_or(|deps| {
        deps.keys().any(|name| {
            !dir.join("node_modules")
                .join(name)
                .join("package.json")
                .is_file()
        })
    });
    if missing { npm_ci(dir) } else { Ok(()) }
}

/// A command from the npm packages in `xtask/tools/` (wasm-opt from binaryen, terser).
fn npm_tool(name: &str) -> Result<PathBuf> {
    let tools = root().join("xtask/tools");
    npm_packages(&tools)?;
    Ok(tools.join("node_modules/.bin").join(name))
}

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Debian's aiosmtpd: the real SMTP server of the mail tests (`collector/tests/support/`).
pub const AIOSMTPD: &str = "/usr/bin/aiosmtpd";

/// Debian's Chromium and ChromeDriver (never a browser downloaded by a test tool), Debian's
/// aiosmtpd, Debian's PostgreSQL server, and the end-to-end tests' npm packages.
pub fn browser() -> Result {
    if [CHROMIUM, CHROMEDRIVER, AIOSMTPD]
        .iter()
        .any(|p| !Path::new(p).exists())
    {
        apt_install(&["chromium", "chromium-driver", "python3-aiosmtpd"])?;
    }
    if !postgres_installed() {
        apt_install(&["postgresql"])?;
    }
    npm_packages(&root().join("tests/e2e"))
}

/// `/usr/lib/postgresql/*/bin/initdb`: the collector's PostgreSQL tests start throw-away
/// clusters with it (`collector/tests/support/postgres.rs`) and fail without it.
fn postgres_installed() -> bool {
    std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .any(|version| version.path().join("bin/initdb").is_file())
}

fn apt_install(packages: &[&str]) -> Result {
    let is_root = output(Command::new("id").arg("-u")).is_some_and(|u| u.trim() == "0");
    let sudo: &[&str] = if is_root { &[] } else { &["sudo"] };
    let mut update = Command::new(sudo.first().copied().unwrap_or("apt-get"));
    if !is_root {
        update.arg("apt-get");
    }
    update.args(["update", "-q"]);
    run(&mut update).map_err(|e| {
        format!(
            "{e}\n(installing {} needs root or sudo)",
            packages.join(" ")
        )
    })?;
    let mut install = Command::new(sudo.first().copied().unwrap_or("apt-get"));
    if !is_root {
        install.arg("apt-get");
    }
    install
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(packages);
    install.env("DEBIAN_FRONTEND", "noninteractive");
    run(&mut install)
}

/// `cargo` for the wasm build, with the toolchain and flags for build-std.
pub fn wasm_cargo(tools: &Tools) -> Command {
    let mut c = Command::new("cargo");
    if let Some(tc) = tools.toolchain {
        c.arg(format!("+{tc}"));
    }
    c.env("RUSTC_BOOTSTRAP", "1");
    // Panics abort without a message, so their file/line/column strings are dead weight.
    // MIR optimisation level 3 (default 2; 4 would add unsound passes) shrinks the bundle by
    // about 0.7 KB brotli.
    c.env(
        "RUSTFLAGS",
        "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zmir-opt-level=3",
    );
    c
}
