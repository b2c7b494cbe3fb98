//! CSV for administrators, as German Excel opens it without an import dialog: UTF-8 with a
//! byte-order mark, semicolons (comma on request), CRLF line ends, RFC 4180 quoting.
//!
//! Citizens' text is neutralised against formula injection (OWASP): a cell that a spreadsheet
//! would read as a formula gets a leading apostrophe. Times are written as Berlin wall-clock time.

use mitmachen_shared::time::{BerlinTime, parse_datetime};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Separator {
    #[default]
    Semicolon,
    Comma,
}

impl Separator {
    pub fn parse(s: &str) -> Option<Separator> {
        match s {
            "semicolon" | ";" => Some(Separator::Semicolon),
            "comma" | "," => Some(Separator::Comma),
            _ => None,
        }
    }

    fn char(self) -> char {
        match self {
            Separator::Semicolon => ';',
            Separator::Comma => ',',
        }
    }
}

pub const CONTENT_TYPE: &str = "text/csv; charset=utf-8";

/// The whole file: BOM, header row, data rows.
pub fn write(separator: Separator, header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from('\u{feff}');
    let sep = separator.char();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut first = true;
        for cell in cells {
            if !first {
                out.push(sep);
            }
            first = false;
            push_cell(&mut out, cell, sep);
        }
        out.push_str("\r\n");
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

fn push_cell(out: &mut String, cell: &str, sep: char) {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = formula || cell.contains([sep, '"', '\n', '\r']);
    if quote {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for c in cell.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quote {
        out.push('"');
    }
}

/// A stored UTC time as Berlin wall-clock time, which a spreadsheet shows as it is.
pub fn berlin_time(stored: Option<&str>) -> String {
    stored
        .and_then(|s| parse_datetime(s).ok())
        .map(|t| {
            let b = BerlinTime::of(t);
            format!(
                "{:02}.{:02}.{} {:02}:{:02}",
                b.day, b.month, b.year, b.hour, b.minute
            )
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_excel_layout() {
        let csv = write(
            Separator::Semicolon,
            &["Name", "Hinweis"],
            &[vec!["Erika Müller".into(), "Rollstuhl; Begleitung".into()]],
        );
        assert_eq!(
            csv,
            "\u{feff}Name;Hinweis\r\nErika Müller;\"Rollstuhl; Begleitung\"\r\n"
        );
    }

    #[test]
    fn quotes_line_breaks_and_formulas() {
        let csv = write(
            Separator::Comma,
            &["a"],
            &[
                vec!["sagt \"hallo\"".into()],
                vec!["zwei\nZeilen".into()],
                vec!["=HYPERLINK(\"http://x\")".into()],
                vec!["-1".into()],
                vec!["a;b".into()],
            ],
        );
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[1], "\"sagt \"\"hallo\"\"\"");
        assert_eq!(lines[2], "\"zwei\nZeilen\"");
        assert_eq!(lines[3], "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(lines[4], "\"'-1\"");
        assert_eq!(lines[5], "a;b");
    }
}
