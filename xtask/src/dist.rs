//! `cargo xtask dist`: the browser bundles in `target/dist/`.
//!
//! The widgets crate is built for wasm32 with the `wasm-release` profile and build-std, once
//! per set of widget kinds (`BUNDLES`, cargo features), each bound by wasm-bindgen
//! (`--target no-modules`: a classic script, no bundler or module support needed from the
//! CMS) and shrunk by wasm-opt; their imports and exports get short names from one table
//! (`names.rs`), so that the complete bundle's glue serves each, and that one glue goes into
//! `widgets/loader.js`, which picks a bundle per page. Output: `mitmachen.js` (the one script
//! tag), `<stem>.<hash>.wasm` per bundle
//! (immutable, fetched by the loader with its integrity hash), each with a `.br` and `.gz`
//! beside it, and `manifest.json` with each file's SRI hash and sizes and each bundle's kinds;
//! the files again under `<version>/`, for pages that pin a version.

use crate::cmd::run;
use crate::names::Names;
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
/// 2). Then once more through a flat form (`--flatten --rereloop -Oz`): binaryen's relooper
/// rebuilds the control flow, 0.8 KB brotli less on a bundle with every kind for about 6 s
/// more per bundle. Measured on the bundle with `cargo xtask dist`; re-measure when Yew or the
/// widgets change much.
const WASM_OPT_FLAGS: &[&str] = &[
    "-Oz",
    "--converge",
    "--one-caller-inline-max-function-size=20",
    "--always-inline-max-function-size=4",
    "--low-memory-unused",
    "--strip-producers",
    "--strip-target-features",
    "--flatten",
    "--rereloop",
    "-Oz",
];

#[derive(Clone)]
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

/// Every widget kind and every language, as the loader script names them.
pub const KINDS: &[&str] = &["poll", "topics", "event", "newsletter"];
const LANGS: &[&str] = &["de", "de-einfach", "en"];
/// German only: what most municipal pages need; English only, for their English pages. The
/// other languages' texts are about 3 KB brotli of the bundle with every kind.
const GERMAN: &[&str] = &["de"];
const ENGLISH: &[&str] = &["en"];

/// The bundles: a file stem, the widget kinds and the languages it holds (the widgets crate's
/// cargo features). The loader script picks the smallest that covers a page's widgets; the last
/// holds everything and takes whatever the others do not (a misspelt kind, which it explains).
pub const BUNDLES: &[(&str, &[&str], &[&str])] = &[
    ("mitmachen-poll", &["poll"], LANGS),
    ("mitmachen-poll-topics", &["poll", "topics"], LANGS),
    (
        "mitmachen-event-newsletter",
        &["event", "newsletter"],
        LANGS,
    ),
    ("mitmachen-de", KINDS, GERMAN),
    ("mitmachen-en", KINDS, ENGLISH),
    ("mitmachen", KINDS, LANGS),
];

/// The widgets crate's feature for a language.
fn lang_feature(lang: &str) -> Option<&'static str> {
    match lang {
        "de" => Some("lang-de"),
        "de-einfach" => Some("lang-de-easy"),
        "en" => Some("lang-en"),
        _ => None,
    }
}

/// One built bundle: its kinds, its languages and its `.wasm`.
pub struct Bundle {
    pub kinds: &'static [&'static str],
    pub langs: &'static [&'static str],
    pub wasm: FileInfo,
}

/// What `cargo xtask dist` built.
pub struct Dist {
    /// The loader script and the complete bundle: what a page with every kind downloads.
    pub files: Vec<FileInfo>,
    /// Every bundle, the complete one last.
    pub bundles: Vec<Bundle>,
}

impl Dist {
    /// What a page with only these kinds in `lang` downloads (brotli): the loader and the
    /// smallest bundle that holds them.
    pub fn page_brotli(&self, kinds: &[&str], lang: &str) -> usize {
        let loader = self.files.first().map_or(0, |f| f.brotli);
        let bundle = self
            .bundles
            .iter()
            .filter(|b| kinds.iter().all(|k| b.kinds.contains(k)) && b.langs.contains(&lang))
            .map(|b| b.wasm.brotli)
            .min()
            .unwrap_or(0);
        loader + bundle
    }
}

/// Builds, binds and shrinks the widgets crate with `kinds` and `langs` only; the `.wasm` and
/// its glue.
fn build_bundle(
    tools: &Tools,
    stem: &str,
    kinds: &[&str],
    langs: &[&str],
) -> Result<(Vec<u8>, String)> {
    let root = root();
    let work = root.join("target/wasm");
    let mut cargo = wasm_cargo(tools);
    cargo.args([
        "build",
        "-p",
        "mitmachen-widgets",
        "--target",
        "wasm32-unknown-unknown",
    ]);
    // `optimize_for_size`: the standard library's smaller variants (sorting, formatting);
    // measured 0.7 KB brotli less on the poll bundle.
    cargo.args([
        "--profile",
        "wasm-release",
        "-Zbuild-std=std,panic_abort",
        "-Zbuild-std-features=optimize_for_size",
    ]);
    let features: Vec<&str> = kinds
        .iter()
        .copied()
        .chain(langs.iter().filter_map(|l| lang_feature(l)))
        .collect();
    cargo.args(["--no-default-features", "--features", &features.join(",")]);
    run(cargo.arg("--target-dir").arg(&work).current_dir(&root))?;
    let built = work.join("wasm32-unknown-unknown/wasm-release/mitmachen_widgets.wasm");
    let bound = work.join("bindgen").join(stem);
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
    let glue = String::from_utf8(read(&bound.join("mitmachen.js"))?).map_err(|e| e.to_string())?;
    Ok((read(&optimised)?, glue))
}

pub fn build(tools: &Tools) -> Result<Dist> {
    let root = root();
    let out = dist_dir();
    let _ = std::fs::remove_dir_all(&out);
    // The same files under the version too: a town that links `/dist/<version>/mitmachen.js`
    // changes nothing on its pages until it edits that link.
    let pinned = out.join(version());
    std::fs::create_dir_all(&pinned).map_err(|e| format!("{}: {e}", pinned.display()))?;
    let dirs = [out.as_path(), pinned.as_path()];

    let mut built = Vec::new();
    for (stem, kinds, langs) in BUNDLES {
        built.push((stem, kinds, langs, build_bundle(tools, stem, kinds, langs)?));
    }
    // One table of short names for every module (the complete one, `BUNDLES`' last, first:
    // its glue is the one the loader carries, and it defines every import).
    let (_, _, _, (_, complete_glue)) = built.last().ok_or("no bundles")?;
    let modules: Vec<&[u8]> = built
        .iter()
        .rev()
        .map(|(_, _, _, (w, _))| w.as_slice())
        .collect();
    let names = Names::for_modules(&modules)?;
    let glue = names.rewrite_glue(complete_glue, "./mitmachen_bg.js")?;
    let mut bundles = Vec::new();
    for (stem, kinds, langs, (wasm, _)) in &built {
        let wasm = names.rename(wasm)?;
        let hash: String = Sha384::digest(&wasm)
            .iter()
            .take(5)
            .map(|b| format!("{b:02x}"))
            .collect();
        bundles.push(Bundle {
            kinds,
            langs,
            wasm: publish(&dirs, &format!("{stem}.{hash}.wasm"), &wasm)?,
        });
    }

    // Smallest first: the loader takes the first that holds a page's kinds. The complete
    // bundle (`BUNDLES`' last) is its fallback: last, whatever its size.
    let (complete, subsets) = bundles.split_last().ok_or("no bundles")?;
    let mut by_size: Vec<&Bundle> = subsets.iter().collect();
    by_size.sort_by_key(|b| b.wasm.brotli);
    by_size.push(complete);
    let list: Vec<String> = by_size
        .iter()
        .map(|b| {
            format!(
                "{{kinds:{kinds:?},langs:{langs:?},file:\"{file}\",integrity:\"{integrity}\"}}",
                kinds = b.kinds,
                langs = b.langs,
                file = b.wasm.name,
                integrity = b.wasm.integrity,
            )
        })
        .collect();
    let template =
        String::from_utf8(read(&root.join("widgets/loader.js"))?).map_err(|e| e.to_string())?;
    // A loader without its bundles or glue would fail on every page, not here.
    for slot in ["/*__BUNDLES__*/[]", "/*__GLUE__*/null"] {
        if template.matches(slot).count() != 1 {
            return Err(format!("widgets/loader.js must hold {slot} once"));
        }
    }
    let loader = template
        .replace("__VERSION__", version())
        .replace("/*__BUNDLES__*/[]", &format!("[{}]", list.join(",\n")))
        .replace(
            "/*__GLUE__*/null",
            &format!("function () {{\n{glue}\nreturn wasm_bindgen;}}"),
        );
    // Minified (the `/*!` licence line stays): wasm-bindgen's glue is verbose and commented.
    let full = root.join("target/wasm/mitmachen.full.js");
    write(&full, loader.as_bytes())?;
    let script = out.join("mitmachen.js");
    run(Command::new(&tools.terser)
        .arg(&full)
        .args(["--compress", "--mangle", "--comments", "/^!/", "-o"])
        .arg(&script))?;
    let loader = publish(&dirs, "mitmachen.js", &read(&script)?)?;

    let complete = complete.wasm.clone();
    // A German site's template preloads the bundle with every kind in German.
    let german = bundles
        .iter()
        .find(|b| b.kinds == KINDS && b.langs == GERMAN)
        .map_or(complete.name.clone(), |b| b.wasm.name.clone());
    let dist = Dist {
        files: vec![loader, complete],
        bundles,
    };
    write_manifest(&out, &dist)?;
    print_sizes(&dist);
    println!(
        "\nthe template's lines for a German site that pins this version (README, \"Embedding\"):\n\
         <link rel=\"preload\" href=\"https://COLLECTOR/dist/{v}/{german}\" as=\"fetch\" crossorigin>\n\
         <script src=\"https://COLLECTOR/dist/{v}/mitmachen.js\" data-endpoint=\"https://COLLECTOR\" defer></script>",
        v = version()
    );
    Ok(dist)
}

fn file_json(f: &FileInfo) -> serde_json::Value {
    serde_json::json!({
        "name": f.name, "integrity": f.integrity,
        "bytes": f.raw, "gzip_bytes": f.gzip, "brotli_bytes": f.brotli,
    })
}

fn write_manifest(out: &Path, dist: &Dist) -> Result {
    let files = &dist.files;
    let total = |f: fn(&FileInfo) -> usize| files.iter().map(f).sum::<usize>();
    let bundles: Vec<serde_json::Value> = dist
        .bundles
        .iter()
        .map(|b| {
            let mut entry = file_json(&b.wasm);
            entry["kinds"] = serde_json::json!(b.kinds);
            entry["langs"] = serde_json::json!(b.langs);
            entry
        })
        .collect();
    let manifest = serde_json::json!({
        "name": "mitmachen",
        "version": version(),
        "entry": "mitmachen.js",
        "pinned_entry": format!("{}/mitmachen.js", version()),
        // The loader and the bundle with every kind.
        "files": files.iter().map(file_json).collect::<Vec<_>>(),
        "total": { "bytes": total(|f| f.raw), "gzip_bytes": total(|f| f.gzip), "brotli_bytes": total(|f| f.brotli) },
        // Every bundle the loader chooses from, with the kinds each holds.
        "bundles": bundles,
    });
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    write(&out.join("manifest.json"), text.as_bytes())
}

fn kb(n: usize) -> String {
    format!("{:.1} KB", n as f64 / 1000.0)
}

fn print_sizes(dist: &Dist) {
    println!("\ntarget/dist/ (mitmachen {})", version());
    println!(
        "{:<40} {:>10} {:>10} {:>10}  integrity",
        "file", "raw", "gzip", "brotli"
    );
    let loader = &dist.files[0];
    for f in std::iter::once(loader).chain(dist.bundles.iter().map(|b| &b.wasm)) {
        println!(
            "{:<40} {:>10} {:>10} {:>10}  {}",
            f.name,
            kb(f.raw),
            kb(f.gzip),
            kb(f.brotli),
            f.integrity
        );
    }
    println!("\nwhat a page downloads (brotli, the loader and the smallest bundle for its kinds):");
    println!("  {:<38} {:>10} {:>10}", "", "German", "English");
    let mut shown: Vec<&[&str]> = Vec::new();
    for b in &dist.bundles {
        if !shown.contains(&b.kinds) {
            shown.push(b.kinds);
            println!(
                "  {:<38} {:>10} {:>10}",
                b.kinds.join(" + "),
                kb(dist.page_brotli(b.kinds, "de")),
                kb(dist.page_brotli(b.kinds, "en"))
            );
        }
    }
    println!();
}
