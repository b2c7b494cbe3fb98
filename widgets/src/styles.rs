//! The widget's CSS, adopted into each shadow root as one shared constructed stylesheet.
//!
//! A constructed stylesheet is what a strict `style-src` CSP allows (no `<style>` element, no
//! `style` attribute); result bar widths are classes (`mm-w-0` to `mm-w-100`) for the same
//! reason.

use std::cell::RefCell;
use wasm_bindgen::JsValue;
use web_sys::{CssStyleSheet, ShadowRoot};

const RAW: &[u8] = include_bytes!("widget.css");
const MINIFIED_LEN: usize = minify::<0>(RAW).1;
const MINIFIED: ([u8; MINIFIED_LEN], usize) = minify::<MINIFIED_LEN>(RAW);
/// `widget.css` as the bundle carries it: its comments explain the styles to us, not to the
/// browser, so they (and the indentation) are dropped at compile time.
const CSS: &str = match std::str::from_utf8(&MINIFIED.0) {
    Ok(css) => css,
    Err(_) => "",
};

/// CSS without comments, each run of white space outside strings made one space, none next to
/// `{`, `}`, `;` or `,`. Returns the first `N` bytes and the whole length (call with `N` = 0
/// to learn it). A `const fn`, so the bundle holds only the result.
const fn minify<const N: usize>(css: &[u8]) -> ([u8; N], usize) {
    const fn tight(c: u8) -> bool {
        matches!(c, b'{' | b'}' | b';' | b',')
    }
    let mut out = [0u8; N];
    let (mut i, mut n) = (0, 0);
    let mut space = false;
    let (mut quote, mut last) = (0u8, 0u8);
    while i < css.len() {
        let c = css[i];
        i += 1;
        if quote == 0 && c == b'/' && i < css.len() && css[i] == b'*' {
            i += 1;
            while i < css.len() && !(css[i - 1] == b'*' && css[i] == b'/') {
                i += 1;
            }
            i += 1;
            space = true;
            continue;
        }
        if quote == 0 && c.is_ascii_whitespace() {
            space = true;
            continue;
        }
        if quote == 0 && space && n > 0 && !tight(c) && !tight(last) {
            if n < N {
                out[n] = b' ';
            }
            n += 1;
        }
        space = false;
        if quote == 0 && (c == b'"' || c == b'\'') {
            quote = c;
        } else if c == quote {
            quote = 0;
        }
        if n < N {
            out[n] = c;
        }
        n += 1;
        last = c;
    }
    (out, n)
}

thread_local! {
    static SHEET: RefCell<Option<CssStyleSheet>> = const { RefCell::new(None) };
}

fn sheet() -> Result<CssStyleSheet, JsValue> {
    SHEET.with(|cell| {
        if let Some(sheet) = cell.borrow().as_ref() {
            return Ok(sheet.clone());
        }
        let mut css = String::with_capacity(CSS.len() + 2_500);
        css.push_str(CSS);
        for w in 0..=100 {
            css.push_str(&format!(".mm-w-{w}{{width:{w}%}}"));
        }
        let sheet = CssStyleSheet::new()?;
        sheet.replace_sync(&css)?;
        *cell.borrow_mut() = Some(sheet.clone());
        Ok(sheet)
    })
}

pub fn adopt(root: &ShadowRoot) -> Result<(), JsValue> {
    let sheets = js_sys::Array::of1(&sheet()?.into());
    js_sys::Reflect::set(root, &JsValue::from_str("adoptedStyleSheets"), &sheets).map(|_| ())
}

/// The class giving a result bar its width.
pub fn width_class(percent: u64) -> String {
    format!("mm-fill mm-w-{}", percent.min(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_minified_css_differs_only_in_comments_and_white_space() {
        let raw = std::str::from_utf8(RAW).expect("UTF-8");
        let mut without_comments = String::new();
        let mut rest = raw;
        while let Some(start) = rest.find("/*") {
            without_comments.push_str(&rest[..start]);
            let end = rest[start..].find("*/").expect("closed comment");
            rest = &rest[start + end + 2..];
        }
        without_comments.push_str(rest);
        let squeeze = |s: &str| s.split_whitespace().collect::<String>();
        assert_eq!(squeeze(CSS), squeeze(&without_comments));
        assert!(!CSS.contains("/*") && !CSS.contains('\n') && !CSS.contains("  "));
        // Spaces that mean something stay: a descendant combinator, the words of a font name.
        assert!(CSS.contains(".mm-root :focus-visible{"), "{CSS}");
        assert!(CSS.contains("\"Segoe UI\""));
        assert!(
            CSS.len() < raw.len() * 4 / 5,
            "{} of {}",
            CSS.len(),
            raw.len()
        );
    }
}
