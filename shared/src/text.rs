//! Cleaning what an editor typed, after a CMS may have re-typeset it.
//!
//! Rich-text editors turn `"` into curly quotes, `-` into dashes and spaces into no-break spaces,
//! and wrap text in stray `<p>`/`<br>`. Keyword and number attributes are cleaned with
//! [`keyword`] before they are matched; visible text with [`visible`]. Option keys derived from
//! labels come from [`slug`].

/// `parts` with `separator` between them, as `parts.join(separator)`: one small loop, where std's
/// `join` is a large function per element type (the widgets' bundle carried two of them).
pub fn join<S: AsRef<str>>(parts: &[S], separator: &str) -> String {
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        out.push_str(part.as_ref());
    }
    out
}

/// `s` without `suffix` at its end, repeated, as `s.trim_end_matches(suffix)`: that one searches
/// backwards with the general string searcher, more code than the bundle needs for a suffix.
pub fn without_suffix<'a>(mut s: &'a str, suffix: &str) -> &'a str {
    while let Some(rest) = s.strip_suffix(suffix) {
        s = rest;
    }
    s
}

/// Characters a CMS may put around or inside a value that carry no meaning for us.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}'
    )
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{a0}' | '\u{202f}' | '\u{2007}')
}

fn is_quote(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '\u{201c}'
            | '\u{201d}'
            | '\u{201e}'
            | '\u{201f}'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{201a}'
            | '\u{201b}'
            | '\u{00ab}'
            | '\u{00bb}'
            | '\u{2039}'
            | '\u{203a}'
            | '\u{2033}'
            | '\u{2032}'
            | '`'
            | '\u{b4}'
    )
}

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}'
    )
}

/// Visible text (labels, questions): invisible characters dropped, any run of white space
/// (including no-break spaces and line breaks from stray `<br>`) folded to one space, trimmed.
pub fn visible(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for c in raw.chars().filter(|c| !is_invisible(*c)) {
        if is_space(c) {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// A keyword, number, date or URL attribute: like [`visible`], then typographic quotes around
/// the value removed and typographic dashes turned back into `-`. Case is kept; callers that
/// match keywords compare case-insensitively.
pub fn keyword(raw: &str) -> String {
    let cleaned = visible(raw);
    let trimmed = cleaned.trim_matches(|c: char| is_quote(c) || is_space(c));
    trimmed
        .chars()
        .map(|c| if is_dash(c) { '-' } else { c })
        .collect()
}

/// A character of a domain name: an ASCII letter or digit, `.`, `-`, or any non-ASCII character
/// that is neither white space nor a control (the letters of an internationalised name, as
/// typed). Laxer than Unicode's letter classes, whose tables would cost the browser bundle a
/// few KB: a name no domain can have fails where it is used (the browser's URL parser, the
/// confirmation mail).
pub fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || c == '.'
        || c == '-'
        || (!c.is_ascii() && !c.is_whitespace() && !c.is_control())
}

/// An option key derived from a label: lowercase ASCII, German umlauts transliterated, every
/// other run of characters turned into one `-`, at most 64 characters. Empty when the label has
/// no letters or digits at all (the caller then numbers the option).
pub fn slug(label: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in visible(label).chars() {
        let mut buf = [0; 4];
        match piece(slug_lower(c).encode_utf8(&mut buf)) {
            Some(p) => {
                if gap && !out.is_empty() {
                    out.push('-');
                }
                gap = false;
                out.push_str(p);
            }
            None => gap = true,
        }
    }
    if out.len() > crate::ids::MAX_IDENT_LEN {
        out.truncate(crate::ids::MAX_IDENT_LEN);
        while out.ends_with('-') {
            out.pop();
        }
    }
    out
}

/// What a lowercased character contributes to a slug, if anything.
fn piece(lower: &str) -> Option<&str> {
    match lower {
        "ä" => Some("ae"),
        "ö" => Some("oe"),
        "ü" => Some("ue"),
        "ß" => Some("ss"),
        l if l.len() == 1 && l.as_bytes()[0].is_ascii_alphanumeric() => Some(l),
        // Accented Latin letters keep their base letter (é -> e): close enough for a key.
        l => fold_accent(l),
    }
}

/// `c.to_lowercase()` for every character whose lowercase [`piece`] keeps; any other character
/// comes back unchanged, which `piece` drops just as it drops its lowercase. Spares the wasm
/// the Unicode case tables (11 KB).
fn slug_lower(c: char) -> char {
    match c {
        'A'..='Z' | '\u{c0}'..='\u{de}' if c != '\u{d7}' => (c as u8 + 0x20) as char,
        '\u{178}' => '\u{ff}',
        '\u{1e9e}' => '\u{df}',
        '\u{212a}' => 'k',
        '\u{212b}' => '\u{e5}',
        _ => c,
    }
}

fn fold_accent(s: &str) -> Option<&'static str> {
    Some(match s {
        "à" | "á" | "â" | "ã" | "å" => "a",
        "ç" => "c",
        "è" | "é" | "ê" | "ë" => "e",
        "ì" | "í" | "î" | "ï" => "i",
        "ñ" => "n",
        "ò" | "ó" | "ô" | "õ" | "ø" => "o",
        "ù" | "ú" | "û" => "u",
        "ý" | "ÿ" => "y",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_folds_white_space_and_drops_invisible_characters() {
        assert_eq!(
            visible("  Ja,\u{a0}gerne\n\n bitte\u{200b} "),
            "Ja, gerne bitte"
        );
        assert_eq!(visible(""), "");
        assert_eq!(visible(" \u{feff} "), "");
    }

    #[test]
    fn keyword_undoes_typesetting() {
        assert_eq!(
            keyword("\u{201e}after\u{2013}voting\u{201c}"),
            "after-voting"
        );
        assert_eq!(keyword("\u{201d}3\u{201d}"), "3");
        assert_eq!(keyword(" \u{ab}multiple\u{bb} "), "multiple");
        assert_eq!(keyword("2026\u{2013}12\u{2013}31"), "2026-12-31");
    }

    #[test]
    fn slug_lowercases_like_unicode() {
        for c in (0..0x11_0000).filter_map(char::from_u32) {
            let unicode: String = c.to_lowercase().collect();
            let mut buf = [0; 4];
            assert_eq!(
                piece(&unicode),
                piece(slug_lower(c).encode_utf8(&mut buf)),
                "{c:?}"
            );
        }
    }

    #[test]
    fn slug_makes_stable_keys() {
        assert_eq!(slug("Ja"), "ja");
        assert_eq!(
            slug("Mehr Bäume in der Straße!"),
            "mehr-baeume-in-der-strasse"
        );
        assert_eq!(slug("  Café  Öffnungszeiten "), "cafe-oeffnungszeiten");
        assert_eq!(slug("100 % dafür"), "100-dafuer");
        assert_eq!(slug("🙂"), "");
        let long = slug(&"wort ".repeat(40));
        assert!(long.len() <= 64 && !long.ends_with('-'));
        assert!(crate::ids::OptionKey::parse(&long).is_ok());
    }

    #[test]
    fn join_and_without_suffix_do_what_std_does() {
        let lists: [&[&str]; 4] = [&[], &["a"], &["a", "b"], &["", "x", ""]];
        for list in lists {
            assert_eq!(join(list, ", "), list.join(", "));
            let owned: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
            assert_eq!(join(&owned, " "), owned.join(" "));
        }
        for s in ["18:00 Uhr", "18:00 Uhr Uhr", "18:00Uhr", "Uhr", "", "18:00"] {
            assert_eq!(without_suffix(s, " Uhr"), s.trim_end_matches(" Uhr"));
            assert_eq!(without_suffix(s, "Uhr"), s.trim_end_matches("Uhr"));
        }
    }
}
