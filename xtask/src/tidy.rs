//! Tidy: tests that keep the tree true to its own rules (like rust-analyzer's `xtask/src/tidy.rs`);
//! `cargo test --workspace` runs them, so `cargo xtask test` does too.
//!
//! **The codemap.** It is the bullet list under `## Codemap` in `ARCHITECTURE.md`. A bullet that
//! names a Markdown file with a `## Codemap` section of its own (`collector/README.md`) continues
//! there: that file's bullets count as nested under the bullet. A backticked word is a *path* when
//! it has only letters, digits and `_-./`, does not start with `.` or `/`, and ends in `/` (a
//! folder) or a file extension (`state.rs`, `loader.js`, `docs/protocol.md`). A path is read
//! relative to the nearest folder named before it (in its bullet, then in the bullets above it)
//! or that folder's `src/`, where it exists; else relative to the repository root. So below
//! `` `widgets/` `` the bullet `` `src/poll/`: `state.rs` `` names `widgets/src/poll/` and
//! `widgets/src/poll/state.rs`.
//! - every path must exist;
//! - every module must be named: each folder and `.rs` file below `collector/src/`,
//!   `shared/src/`, `widgets/src/` and `xtask/src/`, except `lib.rs`, `main.rs` and `mod.rs`,
//!   which are their crate or folder.
//!
//! **Doc lines.** Every `.rs` file of those crates (`src/` and `tests/`) starts with a `//!` line
//! that says what it is for.
//!
//! **No panics in the widgets.** No `unwrap(` or `expect(` in `widgets/src` outside items marked
//! `#[cfg(test)]` (and outside `//` comments): a panic in the wasm stops every widget on the page.
//!
//! **Texts in the bundles.** Each text in `shared/src/messages.rs` belongs to a group of kinds
//! (`in_build!`); a bundle without those kinds leaves it out. Every `Text::` a file of
//! `widgets/src` or `shared/src` uses must be in a group that holds the file's kinds.
//!
//! Not checked: that browser tests reach the page only through the page objects in
//! `tests/e2e/support/`; today they also use `page.keyboard`, `page.evaluate` and selectors of
//! their own, so such a rule would not hold.

#![cfg(test)]

use crate::root;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The crates whose modules the codemap must name.
const CRATES: &[&str] = &["collector", "shared", "widgets", "xtask"];
const EXTENSIONS: &[&str] = &[
    "rs", "md", "js", "mjs", "css", "toml", "py", "sql", "json", "html",
];

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file below `dir` (recursively, without `target/` and `node_modules/`), sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if name != "target" && name != "node_modules" {
                    todo.push(path);
                }
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    files(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect()
}

/// Paths shown relative to the repository root, folders with a trailing `/`.
fn shown(root: &Path, path: &Path) -> String {
    let rel = path
        .strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string();
    if path.is_dir() {
        format!("{rel}/")
    } else {
        rel
    }
}

/// Whether a backticked word is a path (see the module documentation).
fn is_path(word: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_-./".contains(c);
    if word.is_empty() || word.starts_with(['.', '/']) || !word.chars().all(allowed) {
        return false;
    }
    if word.ends_with('/') {
        return true;
    }
    let name = word.rsplit('/').next().unwrap_or(word);
    match name.rsplit_once('.') {
        Some((stem, ext)) => !stem.is_empty() && EXTENSIONS.contains(&ext),
        None => false,
    }
}

/// The backticked words of a text, in order.
fn backticked(text: &str) -> impl Iterator<Item = &str> {
    text.split('`').skip(1).step_by(2)
}

/// One bullet of a codemap: its indentation and its text, continuation lines included.
struct Bullet {
    indent: usize,
    text: String,
}

/// The bullets of the `## Codemap` section of a Markdown text. A bullet's continuation lines are
/// the lines indented past its `-`; any other line that is no bullet ends the list.
fn bullets(markdown: &str) -> Vec<Bullet> {
    let section = markdown
        .split("\n## Codemap\n")
        .nth(1)
        .map(|s| s.split("\n## ").next().unwrap_or(s))
        .unwrap_or("");
    let mut out: Vec<Bullet> = Vec::new();
    let mut open = false;
    for line in section.lines() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim_start();
        if let Some(text) = trimmed.strip_prefix("- ") {
            out.push(Bullet {
                indent,
                text: text.to_owned(),
            });
            open = true;
        } else if trimmed.is_empty() {
            continue;
        } else if let Some(last) = out.last_mut().filter(|b| open && indent > b.indent) {
            last.text.push(' ');
            last.text.push_str(trimmed);
        } else {
            open = false;
        }
    }
    out
}

/// What a codemap names, and the paths in it that name nothing.
#[derive(Default)]
struct Codemap {
    named: BTreeSet<PathBuf>,
    missing: Vec<String>,
}

impl Codemap {
    /// Reads a codemap (`file`'s text) whose bullets all sit below folders `scope`.
    fn read(&mut self, root: &Path, file: &str, markdown: &str, scope: &[PathBuf]) {
        // The folders each open bullet adds to the scope, by indentation.
        let mut stack: Vec<(usize, Vec<PathBuf>)> = Vec::new();
        for bullet in bullets(markdown) {
            while stack.last().is_some_and(|(i, _)| *i >= bullet.indent) {
                stack.pop();
            }
            let mut folders: Vec<PathBuf> = scope
                .iter()
                .cloned()
                .chain(stack.iter().flat_map(|(_, f)| f.iter().cloned()))
                .collect();
            let inherited = folders.len();
            for word in backticked(&bullet.text).filter(|w| is_path(w)) {
                let Some(path) = reading(root, &folders, word) else {
                    self.missing.push(format!("{file}: `{word}`"));
                    continue;
                };
                if path.is_dir() {
                    folders.push(path.clone());
                } else if word.ends_with(".md") && path != root.join(file) {
                    let text = read(&path);
                    if text.contains("\n## Codemap\n") {
                        // Nested under this bullet, relative to the file's folder too.
                        let mut inner = folders.clone();
                        inner.extend(path.parent().map(Path::to_path_buf));
                        self.read(root, &shown(root, &path), &text, &inner);
                    }
                }
                self.named.insert(path);
            }
            stack.push((bullet.indent, folders.split_off(inherited)));
        }
    }
}

/// What a codemap path names: the path below the nearest of `folders` (the last one named) or
/// its `src/` where that exists, else below the root.
fn reading(root: &Path, folders: &[PathBuf], word: &str) -> Option<PathBuf> {
    let folder = word.ends_with('/');
    let word = word.trim_end_matches('/');
    folders
        .iter()
        .rev()
        .flat_map(|f| [f.clone(), f.join("src")])
        .chain([root.to_path_buf()])
        .map(|base| base.join(word))
        .find(|p| if folder { p.is_dir() } else { p.is_file() })
}

fn codemap(root: &Path) -> Codemap {
    let mut map = Codemap::default();
    let text = read(&root.join("ARCHITECTURE.md"));
    map.read(root, "ARCHITECTURE.md", &text, &[]);
    map
}

/// The folders and `.rs` files the codemap must name (see the module documentation).
fn modules(root: &Path) -> Vec<PathBuf> {
    let mut out = BTreeSet::new();
    for krate in CRATES {
        let src = root.join(krate).join("src");
        for file in rust_files(&src) {
            let mut dir = file.parent();
            while let Some(d) = dir.filter(|d| *d != src) {
                out.insert(d.to_path_buf());
                dir = d.parent();
            }
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !["lib.rs", "main.rs", "mod.rs"].contains(&name) {
                out.insert(file);
            }
        }
    }
    out.into_iter().collect()
}

const RULE: &str = "ARCHITECTURE.md's codemap (and collector/README.md's, which it points to) \
    names each folder and .rs file below collector/src, shared/src, widgets/src and xtask/src \
    (lib.rs, main.rs, mod.rs excepted) by a backticked path, read relative to the nearest \
    folder named before it in the same bullet or a bullet above it (or that folder's src/), \
    else to the repository root; see the rule at the top of xtask/src/tidy.rs";

#[test]
fn the_codemap_names_only_what_exists() {
    let map = codemap(&root());
    assert!(
        map.missing.is_empty(),
        "\nthe codemap names paths that do not exist (read relative to the nearest folder named \
         before them in their bullet or above it, or its src/, else to the repository root):\n  \
         {}\n",
        map.missing.join("\n  ")
    );
}

#[test]
fn the_codemap_names_every_module() {
    let root = root();
    let map = codemap(&root);
    let unnamed: Vec<String> = modules(&root)
        .iter()
        .filter(|m| !map.named.contains(*m))
        .map(|m| shown(&root, m))
        .collect();
    assert!(
        unnamed.is_empty(),
        "\nthe codemap does not name these modules:\n  {}\n\nRule: {RULE}.\n",
        unnamed.join("\n  ")
    );
}

#[test]
fn every_rust_file_starts_with_a_doc_line() {
    let root = root();
    let undocumented: Vec<String> = CRATES
        .iter()
        .flat_map(|k| ["src", "tests"].map(|d| root.join(k).join(d)))
        .flat_map(|dir| rust_files(&dir))
        .filter(|f| !read(f).starts_with("//!"))
        .map(|f| shown(&root, &f))
        .collect();
    assert!(
        undocumented.is_empty(),
        "\nthese files do not start with a `//!` line saying what they are for:\n  {}\n",
        undocumented.join("\n  ")
    );
}

/// The lines of a Rust file that `#[cfg(test)]` items and `//` comments leave, with their
/// numbers. The code is rustfmt's, so an item ends at the first `}` at its attribute's
/// indentation, or at its line if that ends with `;`.
fn non_test_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed == "#[cfg(test)]" {
            let end = format!("{}}}", &line[..line.len() - trimmed.len()]);
            let mut first = true;
            for (_, item) in lines.by_ref() {
                if item.trim_start().starts_with("#[") {
                    continue;
                }
                if item == end || (first && item.ends_with(';')) {
                    break;
                }
                first = false;
            }
        } else if !trimmed.starts_with("//") {
            out.push((i + 1, line));
        }
    }
    out
}

#[test]
fn widgets_neither_unwrap_nor_expect() {
    let root = root();
    let mut found = Vec::new();
    for file in rust_files(&root.join("widgets/src")) {
        let text = read(&file);
        for (n, line) in non_test_lines(&text) {
            if line.contains("unwrap(") || line.contains("expect(") {
                found.push(format!("{}:{n}: {}", shown(&root, &file), line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "\nwidgets/src may not panic: no `unwrap(`/`expect(` outside #[cfg(test)] items \
         (handle the None/Err, e.g. with `let ... else`, `?` or `unwrap_or`):\n  {}\n",
        found.join("\n  ")
    );
}

/// The widget kinds whose code a file of `widgets/src` or `shared/src` holds: its kind's folder,
/// the poll's and topic list's shared `ballot.rs`, the forms' shared `form.rs`, else all.
fn kinds_in(relative: &str) -> &'static [&'static str] {
    const ALL: &[&str] = &["poll", "topics", "event", "newsletter"];
    for (i, kind) in ALL.iter().enumerate() {
        if relative.starts_with(&format!("widgets/src/{kind}/")) {
            return &ALL[i..=i];
        }
    }
    match relative {
        "widgets/src/ballot.rs" => &ALL[..2],
        "widgets/src/form.rs" => &ALL[2..],
        _ => ALL,
    }
}

/// The kinds a text's group in `texts!` stands for (`in_build!` in `shared/src/messages.rs`).
fn kinds_of_group(group: &str) -> Vec<&str> {
    match group {
        "any" => vec!["poll", "topics", "event", "newsletter"],
        "ballot" => vec!["poll", "topics"],
        "form" => vec!["event", "newsletter"],
        kind => vec![kind],
    }
}

/// A bundle without a kind leaves that kind's texts out (`in_build!`): every text must be in
/// the group of every kind whose code uses it, or that kind's bundle would show nothing there.
#[test]
fn every_text_is_in_each_bundle_that_shows_it() {
    let root = root();
    let messages = read(&root.join("shared/src/messages.rs"));
    // `    Variant "key" group {`: the table's entries.
    let mut groups = std::collections::BTreeMap::new();
    for line in messages.lines() {
        let Some(rest) = line.strip_prefix("    ") else {
            continue;
        };
        let words: Vec<&str> = rest.split_whitespace().collect();
        if let [variant, key, group, "{", ..] = words[..]
            && variant.starts_with(|c: char| c.is_ascii_uppercase())
            && key.starts_with('"')
        {
            groups.insert(variant.to_owned(), group.to_owned());
        }
    }
    assert!(groups.len() > 100, "the texts! table was not found");
    let mut wrong = Vec::new();
    for dir in ["widgets/src", "shared/src"] {
        for file in rust_files(&root.join(dir)) {
            let relative = shown(&root, &file);
            let text = read(&file);
            // In messages.rs only the helpers below the table use texts.
            let text = match text.find("impl Texts") {
                Some(start) if relative.ends_with("messages.rs") => &text[start..],
                _ if relative.ends_with("messages.rs") => "",
                _ => &text,
            };
            for (n, line) in non_test_lines(text) {
                for used in line.split("Text::").skip(1) {
                    let variant: String = used
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .collect();
                    let Some(group) = groups.get(&variant) else {
                        continue;
                    };
                    let covered = kinds_of_group(group);
                    if let Some(kind) = kinds_in(&relative).iter().find(|k| !covered.contains(k)) {
                        wrong.push(format!(
                            "{relative}:{n}: Text::{variant} is in group `{group}`, but the {kind} uses it"
                        ));
                    }
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "\na text's group must hold every kind that shows it (shared/src/messages.rs):\n  {}\n",
        wrong.join("\n  ")
    );
}

// The rules' own tests, on small texts over the real tree.

#[test]
fn paths_are_backticked_words_ending_in_a_slash_or_an_extension() {
    for word in [
        "src/poll/",
        "state.rs",
        "docs/protocol.md",
        "loader.js",
        "support/",
    ] {
        assert!(is_path(word), "{word}");
    }
    for word in [
        ".ics",
        "/v1/",
        "--mitmachen-*",
        "cargo xtask dist",
        "Problem",
        "blob:",
        "tests/e2e/*.test.mjs",
        "mitmachen.<hash>.wasm",
        "ProblemKind::Other",
    ] {
        assert!(!is_path(word), "{word}");
    }
}

#[test]
fn paths_are_read_below_the_folders_named_above_them() {
    let root = root();
    let mut map = Codemap::default();
    let text = "# T\n\n## Codemap\n\n\
        - `widgets/`: the widgets\n  \
          - `src/poll/`: `state.rs` holds the rules;\n    `form.rs` on a continuation line.\n  \
          - `state.rs`, `nothing-here.rs`\n\
        - `shared/`: `protocol.rs`\n\n\
        `ids.rs` in a paragraph counts for nothing.\n\n## Next\n\n- `gone.rs`\n";
    map.read(&root, "T.md", text, &[]);
    let named: Vec<String> = map.named.iter().map(|p| shown(&root, p)).collect();
    assert_eq!(
        named,
        [
            "shared/",
            "shared/src/protocol.rs",
            "widgets/",
            "widgets/src/poll/",
            "widgets/src/poll/form.rs",
            "widgets/src/poll/state.rs",
        ]
    );
    // The second `state.rs` is not below `src/poll/`, so it names nothing.
    assert_eq!(map.missing, ["T.md: `state.rs`", "T.md: `nothing-here.rs`"]);
}

#[test]
fn test_items_and_comments_are_skipped() {
    let text = "fn a() {\n    // x.unwrap()\n    b.unwrap_or(1);\n}\n\
        #[cfg(test)]\nimpl A {\n    fn t() { x.unwrap(); }\n}\n\
        fn c() {\n    #[cfg(test)]\n    mod t;\n    y.expect(\"z\");\n}\n\
        #[cfg(test)]\nmod tests {\n    use super::*;\n    fn t() {\n        x.unwrap();\n    }\n}\n\
        fn d() {\n    z.unwrap();\n}\n";
    let flagged: Vec<usize> = non_test_lines(text)
        .into_iter()
        .filter(|(_, l)| l.contains("unwrap(") || l.contains("expect("))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(flagged, [12, 22]);
}
