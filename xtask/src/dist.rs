//! `cargo xtask dist`: the browser bundle in `target/dist/`.
//!
//! The widgets crate is built for wasm32 with the `wasm-release` profile and build-std, bound by
//! wasm-bindgen (`--target no-modules`: a classic script, no bundler or module support needed
//! from the CMS), shrunk by wasm-opt, and its JS glue wrapped into `widgets/loader.js`. Output:
//! `mitmachen.js` (the one script tag), `mitmachen.<hash>.wasm` (immutable, fetched by the
//! loader with its integrity hash) and `manifest.json` with each file's SRI hash and sizes;
//! the two files again under `<version>/`, for pages that pin a version.

use crate::cmd::run;
use crate::setup::{Tools, wasm_cargo};
use crate::{Result, root};
use base64::Engine;
use sha2::{Digest, Sha384};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// wasm-opt must enable exactly the features rustc emits (`--all-features` yields a module
/// Chromium refuses).
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Size first: `--converge` repeats -Oz while it still gains; Rust never touches the lowest
/// 1 KiB of memory (its data and stack start at 1 MiB), which lets wasm-opt fold more address
/// arithmetic; the producers and target-features sections are for tools, not browsers.
/// Inlining is tuned for the compressed size, which is what a page downloads: a large function
/// with one caller stays a function (inlining it makes the module smaller raw but less alike,
/// about 3.5 KB more brotli), and functions of up to 4 instructions are always inlined (default
/// 2). Measured on the bundle with `cargo xtask dist`; re-measure when Yew or the widgets change
/// much.
const WASM_OPT_FLAGS: &[&str] = &[
    "-Oz",
    "--converge",
    "--one-caller-inline-max-function-size=20",
    "--always-inline-max-function-size=4",
    "--low-memory-unused",
    "--strip-producers",
    "--strip-target-features",
];

pub struct FileInfo {
    pub name: String,
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
    pub integrity: String,
}

pub fn dist_dir() -> PathBuf {
    root().join("target/dist")
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn integrity(bytes: &[u8]) -> String {
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes))
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        ..Default::default()
    };
    let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
    out
}

/// Writes `name` and its `.br` and `.gz` variants into each of `dirs`: a web server (the
/// collector, nginx's `gzip_static`/`brotli_static`, Apache's rewrite rules) sends those
/// instead of compressing the wasm on every request or, worse, not at all.
fn publish(dirs: &[&Path], name: &str, bytes: &[u8]) -> Result<FileInfo> {
    let (br, gz) = (brotli(bytes), gzip(bytes));
    for dir in dirs {
        write(&dir.join(name), bytes)?;
        write(&dir.join(format!("{name}.br")), &br)?;
        write(&dir.join(format!("{name}.gz")), &gz)?;
    }
    Ok(FileInfo {
        name: name.to_owned(),
        raw: bytes.len(),
        gzip: gz.len(),
        brotli: br.len(),
        integrity: integrity(bytes),
    })
}

fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

pub fn build(tools: &Tools) -> Result<Vec<FileInfo>> {
    let root = root();
    let work = root.join("target/wasm");
    run(wasm_cargo(tools)
        .args([
            "build",
            "-p",
            "mitmachen-widgets",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .args(["--profile", "wasm-release", "-Zbuild-std=std,panic_abort"])
        .arg("--target-dir")
        .arg(&work)
        .current_dir(&root))?;
    let built = work.join("wasm32-unknown-unknown/wasm-release/mitmachen_widgets.wasm");
    let bound = work.join("bindgen");
    run(Command::new(&tools.wasm_bindgen)
        .args([
            "--target",
            "no-modules",
            "--no-typescript",
            // The loader always hands the glue the fetched module; without this flag the glue
            // would also carry a fallback that guesses `<script>_bg.wasm`.
            "--omit-default-module-path",
            "--out-name",
            "mitmachen",
            "--out-dir",
        ])
        .arg(&bound)
        .arg(&built))?;
    let optimised = bound.join("mitmachen.opt.wasm");
    run(Command::new(&tools.wasm_opt)
        .args(WASM_OPT_FLAGS)
        .args(WASM_FEATURES)
        .arg(bound.join("mitmachen_bg.wasm"))
        .arg("-o")
        .arg(&optimised))?;

    let out = dist_dir();
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;

    let wasm = read(&optimised)?;
    let wasm_integrity = integrity(&wasm);
    let hash: String = Sha384::digest(&wasm)
        .iter()
        .take(5)
        .map(|b| format!("{b:02x}"))
        .collect();
    let wasm_name = format!("mitmachen.{hash}.wasm");

    let glue = String::from_utf8(read(&bound.join("mitmachen.js"))?).map_err(|e| e.to_string())?;
    let template =
        String::from_utf8(read(&root.join("widgets/loader.js"))?).map_err(|e| e.to_string())?;
    let loader = template
        .replace("__VERSION__", version())
        .replace("__WASM_FILE__", &wasm_name)
        .replace("__WASM_INTEGRITY__", &wasm_integrity)
        .replace("/*__GLUE__*/", &glue);
    // Minified (the `/*!` licence line stays): wasm-bindgen's glue is verbose and commented.
    let full = bound.join("mitmachen.full.js");
    write(&full, loader.as_bytes())?;
    let script = out.join("mitmachen.js");
    run(Command::new(&tools.terser)
        .arg(&full)
        .args(["--compress", "--mangle", "--comments", "/^!/", "-o"])
        .arg(&script))?;
    let loader = read(&script)?;

    // The same files under the version too: a town that links `/dist/<version>/mitmachen.js`
    // changes nothing on its pages until it edits that link.
    let pinned = out.join(version());
    std::fs::create_dir_all(&pinned).map_err(|e| format!("{}: {e}", pinned.display()))?;
    let dirs = [out.as_path(), pinned.as_path()];
    let files = vec![
        publish(&dirs, "mitmachen.js", &loader)?,
        publish(&dirs, &wasm_name, &wasm)?,
    ];
    write_manifest(&out, &files)?;
    print_sizes(&files);
    println!(
        "\nthe template's lines for a site that pins this version (README, \"Embedding\"):\n\
         <link rel=\"preload\" href=\"https://COLLECTOR/dist/{v}/{wasm_name}\" as=\"fetch\" crossorigin>\n\
         <script src=\"https://COLLECTOR/dist/{v}/mitmachen.js\" data-endpoint=\"https://COLLECTOR\" defer></script>",
        v = version()
    );
    Ok(files)
}

fn write_manifest(out: &Path, files: &[FileInfo]) -> Result {
    let entries: Vec<serde_json::Value> = files
        .iter()
        .map(|f| {
            serde_json::json!({
                "name": f.name, "integrity": f.integrity,
                "bytes": f.raw, "gzip_bytes": f.gzip, "brotli_bytes": f.brotli,
            })
        })
        .collect();
    let total = |f: fn(&FileInfo) -> usize| files.iter().map(f).sum::<usize>();
    let manifest = serde_json::json!({
        "name": "mitmachen",
        "version": version(),
        "entry": "mitmachen.js",
        "pinned_entry": format!("{}/mitmachen.js", version()),
        "files": entries,
        "total": { "bytes": total(|f| f.raw), "gzip_bytes": total(|f| f.gzip), "brotli_bytes": total(|f| f.brotli) },
    });
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    write(&out.join("manifest.json"), text.as_bytes())
}

fn kb(n: usize) -> String {
    format!("{:.1} KB", n as f64 / 1000.0)
}

fn print_sizes(files: &[FileInfo]) {
    println!("\ntarget/dist/ (mitmachen {})", version());
    println!(
        "{:<28} {:>10} {:>10} {:>10}  integrity",
        "file", "raw", "gzip", "brotli"
    );
    for f in files {
        println!(
            "{:<28} {:>10} {:>10} {:>10}  {}",
            f.name,
            kb(f.raw),
            kb(f.gzip),
            kb(f.brotli),
            f.integrity
        );
    }
    let (raw, gz, br) = files.iter().fold((0, 0, 0), |(a, b, c), f| {
        (a + f.raw, b + f.gzip, c + f.brotli)
    });
    println!(
        "{:<28} {:>10} {:>10} {:>10}\n",
        "total (what a page downloads)",
        kb(raw),
        kb(gz),
        kb(br)
    );
}
