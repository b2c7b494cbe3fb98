//! The widget's CSS, adopted into each shadow root as one shared constructed stylesheet.
//!
//! A constructed stylesheet is what a strict `style-src` CSP allows (no `<style>` element, no
//! `style` attribute); result bar widths are classes (`mm-w-0` to `mm-w-100`) for the same
//! reason.

use std::cell::RefCell;
use wasm_bindgen::JsValue;
use web_sys::{CssStyleSheet, ShadowRoot};

const RAW: &[u8] = include_bytes!("widget.css");
const MINIFIED_LEN: usize = minify::<0>(RAW, IN_BUILD).1;
const MINIFIED: ([u8; MINIFIED_LEN], usize) = minify::<MINIFIED_LEN>(RAW, IN_BUILD);
/// `widget.css` as the bundle carries it: its comments explain the styles to us, not to the
/// browser, so they (and the indentation) are dropped at compile time, and so are the sections
/// of the kinds this build leaves out.
const CSS: &str = match std::str::from_utf8(&MINIFIED.0) {
    Ok(css) => css,
    Err(_) => "",
};

/// The widget kinds as bits, for the sections of `widget.css`.
const POLL: u8 = 1;
const TOPICS: u8 = 2;
const EVENT: u8 = 4;
const NEWSLETTER: u8 = 8;
const ALL: u8 = POLL | TOPICS | EVENT | NEWSLETTER;
/// The kinds this build holds (cargo features).
const IN_BUILD: u8 = if cfg!(feature = "poll") { POLL } else { 0 }
    | if cfg!(feature = "topics") { TOPICS } else { 0 }
    | if cfg!(feature = "event") { EVENT } else { 0 }
    | if cfg!(feature = "newsletter") {
        NEWSLETTER
    } else {
        0
    };

/// The kinds a section marker names: `/*@ event newsletter */` starts a section for those
/// kinds, `/*@ all */` the part for every kind again. `marker` is the comment's text after `@`.
/// An unknown word stops the build (a `const` panic).
const fn section_kinds(marker: &[u8]) -> u8 {
    const fn is(word: &[u8], name: &[u8]) -> bool {
        if word.len() != name.len() {
            return false;
        }
        let mut i = 0;
        while i < word.len() {
            if word[i] != name[i] {
                return false;
            }
            i += 1;
        }
        true
    }
    let (mut kinds, mut i) = (0u8, 0);
    while i < marker.len() {
        while i < marker.len() && marker[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < marker.len() && !marker[i].is_ascii_whitespace() {
            i += 1;
        }
        let (_, rest) = marker.split_at(start);
        let (word, _) = rest.split_at(i - start);
        kinds |= if word.is_empty() {
            0
        } else if is(word, b"all") {
            ALL
        } else if is(word, b"poll") {
            POLL
        } else if is(word, b"topics") {
            TOPICS
        } else if is(word, b"event") {
            EVENT
        } else if is(word, b"newsletter") {
            NEWSLETTER
        } else {
            panic!("widget.css: a section marker names an unknown kind")
        };
    }
    kinds
}

/// CSS without comments and without the sections of kinds not in `kinds`, each run of white
/// space outside strings made one space, none next to `{`, `}`, `;` or `,`. Returns the first
/// `N` bytes and the whole length (call with `N` = 0 to learn it). A `const fn`, so the bundle
/// holds only the result.
const fn minify<const N: usize>(css: &[u8], kinds: u8) -> ([u8; N], usize) {
    const fn tight(c: u8) -> bool {
        matches!(c, b'{' | b'}' | b';' | b',')
    }
    let mut out = [0u8; N];
    let (mut i, mut n) = (0, 0);
    let mut space = false;
    let mut keep = true;
    let (mut quote, mut last) = (0u8, 0u8);
    while i < css.len() {
        let c = css[i];
        i += 1;
        if quote == 0 && c == b'/' && i < css.len() && css[i] == b'*' {
            i += 1;
            let start = i;
            while i < css.len() && !(css[i - 1] == b'*' && css[i] == b'/') {
                i += 1;
            }
            if start < i && css[start] == b'@' {
                let (_, marker) = css.split_at(start + 1);
                let (marker, _) = marker.split_at(i - 1 - (start + 1));
                keep = section_kinds(marker) & kinds != 0;
            }
            i += 1;
            space = true;
            continue;
        }
        if !keep {
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
        // The result bars' widths: only polls show bars.
        if cfg!(feature = "poll") {
            for w in 0..=100 {
                css.push_str(&format!(".mm-w-{w}{{width:{w}%}}"));
            }
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

    fn css_for(kinds: u8) -> String {
        const MOST: usize = 16_384;
        let (bytes, len) = minify::<MOST>(RAW, kinds);
        assert!(len <= MOST, "raise MOST to {len}");
        String::from_utf8(bytes[..len].to_vec()).expect("UTF-8")
    }

    #[test]
    fn a_build_keeps_the_sections_of_its_kinds_and_the_common_rules() {
        assert_eq!(css_for(ALL), CSS, "the tests build every kind");
        let poll = css_for(POLL);
        for kept in [
            ".mm-root{",
            ".mm-submit{",
            ".mm-bars{",
            ".mm-answer{",
            ".mm-field{",
        ] {
            assert!(poll.contains(kept), "{kept} missing for a poll");
        }
        for dropped in [
            ".mm-topic{",
            ".mm-facts{",
            ".mm-error-summary{",
            ".mm-agree{",
        ] {
            assert!(!poll.contains(dropped), "{dropped} kept for a poll");
        }
        let forms = css_for(EVENT | NEWSLETTER);
        for kept in [
            ".mm-facts{",
            ".mm-error-summary{",
            ".mm-agree{",
            ".mm-option{",
        ] {
            assert!(
                forms.contains(kept),
                "{kept} missing for event and newsletter"
            );
        }
        for dropped in [".mm-topic{", ".mm-bars{", ".mm-answer{"] {
            assert!(
                !forms.contains(dropped),
                "{dropped} kept for event and newsletter"
            );
        }
        assert!(css_for(TOPICS).contains(".mm-topic{"));
    }

    #[test]
    fn section_markers_name_kinds() {
        assert_eq!(section_kinds(b" event newsletter "), EVENT | NEWSLETTER);
        assert_eq!(section_kinds(b"all"), ALL);
        assert_eq!(section_kinds(b" poll"), POLL);
    }
}
