//! The admin exports as a test downloads and reads them: the file's name (widget, what,
//! definition version and the Berlin minute of the export), CSV parsed as German Excel reads it
//! (byte-order mark, semicolons, CRLF, RFC 4180 quotes) and XLSX opened by a spreadsheet library.

use super::{Collector, client};
use calamine::{Data, Reader as _, Xlsx};
use mitmachen_shared::time::{BerlinTime, Timestamp};
use reqwest::{StatusCode, header};
use std::io::Cursor;
use std::time::{SystemTime, UNIX_EPOCH};

/// One export as it came over HTTP.
pub struct Download {
    pub content_type: String,
    /// The file name `Content-Disposition` gives.
    pub file_name: String,
    pub body: Vec<u8>,
    /// The Berlin minutes the request spanned: the export's time is one of them.
    minutes: Vec<BerlinTime>,
}

fn now_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970");
    i64::try_from(since.as_millis()).expect("a plausible time")
}

/// `GET path` with the bearer token: asserts 200, `no-store` and an attachment.
pub async fn download(c: &Collector, path: &str, token: &str) -> Download {
    let before = now_ms();
    let res = client()
        .get(format!("{}{path}", c.url))
        .bearer_auth(token)
        .send()
        .await
        .expect("get");
    let after = now_ms();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    let content_type = res.headers()[header::CONTENT_TYPE]
        .to_str()
        .expect("content type")
        .to_owned();
    let disposition = res.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("content disposition")
        .to_owned();
    let file_name = disposition
        .strip_prefix("attachment; filename=\"")
        .and_then(|d| d.strip_suffix('"'))
        .unwrap_or_else(|| panic!("not an attachment with a file name: {disposition}"))
        .to_owned();
    let body = res.bytes().await.expect("body").to_vec();
    let minutes = (before / 60_000..=after / 60_000)
        .map(|m| BerlinTime::of(Timestamp(m * 60_000)))
        .collect();
    Download {
        content_type,
        file_name,
        body,
        minutes,
    }
}

impl Download {
    /// Asserts the file is named `{stem}-YYYY-MM-DD-HHMM.{extension}`, at a Berlin minute of the
    /// request (`stem` names the widget, what and the version, e.g. `ideen-vorschlaege-v2`).
    pub fn assert_named(&self, stem: &str, extension: &str) {
        let names: Vec<String> = self
            .minutes
            .iter()
            .map(|b| {
                format!(
                    "{stem}-{:04}-{:02}-{:02}-{:02}{:02}.{extension}",
                    b.year, b.month, b.day, b.hour, b.minute
                )
            })
            .collect();
        assert!(
            names.contains(&self.file_name),
            "{} is none of {names:?}",
            self.file_name
        );
    }

    /// Asserts `shown` (`dd.mm.yyyy HH:MM`) is a Berlin minute of the request.
    pub fn assert_time(&self, shown: &str) {
        let times: Vec<String> = self
            .minutes
            .iter()
            .map(|b| {
                format!(
                    "{:02}.{:02}.{} {:02}:{:02}",
                    b.day, b.month, b.year, b.hour, b.minute
                )
            })
            .collect();
        assert!(
            times.iter().any(|t| t == shown),
            "{shown} is none of {times:?}"
        );
    }

    /// The rows of a CSV for German Excel, header first; asserts the byte-order mark, and that
    /// every row has as many cells as the header when split at semicolons.
    pub fn csv(&self) -> Vec<Vec<String>> {
        assert_eq!(self.content_type, "text/csv; charset=utf-8");
        let text = std::str::from_utf8(&self.body).expect("UTF-8");
        let text = text
            .strip_prefix('\u{feff}')
            .expect("a byte-order mark, so that Excel reads UTF-8");
        let rows = parse_csv(text, ';');
        let width = rows.first().map(Vec::len).expect("a header row");
        assert!(width > 1, "one column only: not split at semicolons");
        for row in &rows {
            assert_eq!(row.len(), width, "{row:?}");
        }
        rows
    }

    /// The workbook, opened from the bytes as a spreadsheet program would.
    pub fn xlsx(&self) -> Xlsx<Cursor<Vec<u8>>> {
        assert_eq!(
            self.content_type,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        calamine::open_workbook_from_rs(Cursor::new(self.body.clone())).expect("an XLSX file")
    }
}

/// RFC 4180 with `separator`; every line ends with CRLF (a bare LF only inside quotes).
fn parse_csv(text: &str, separator: char) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                _ => cell.push(c),
            }
        } else if c == '"' && cell.is_empty() {
            quoted = true;
        } else if c == separator {
            row.push(std::mem::take(&mut cell));
        } else if c == '\r' {
            assert_eq!(chars.next(), Some('\n'), "lines end with CRLF");
            row.push(std::mem::take(&mut cell));
            rows.push(std::mem::take(&mut row));
        } else {
            assert_ne!(c, '\n', "a bare LF outside quotes");
            cell.push(c);
        }
    }
    assert!(
        !quoted && cell.is_empty() && row.is_empty(),
        "the last line ends with CRLF"
    );
    rows
}

/// A sheet's cells, row by row, as the library read them.
pub fn sheet(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Vec<Vec<Data>> {
    let range = book
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"));
    assert_eq!(range.start(), Some((0, 0)), "sheet {name} starts at A1");
    range.rows().map(<[Data]>::to_vec).collect()
}

/// A sheet's cells as text (a number as Rust writes it, `2` for 2.0; an empty cell as "").
pub fn texts(rows: &[Vec<Data>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| row.iter().map(ToString::to_string).collect())
        .collect()
}

/// The `Export` sheet: what the export is, as (name, value) pairs.
pub fn about(book: &mut Xlsx<Cursor<Vec<u8>>>) -> Vec<(String, String)> {
    texts(&sheet(book, "Export"))
        .into_iter()
        .map(|row| match row.as_slice() {
            [name, value] => (name.clone(), value.clone()),
            [name] => (name.clone(), String::new()),
            _ => panic!("the Export sheet has two columns: {row:?}"),
        })
        .collect()
}

/// Asserts a sheet holds no formula: citizens' text stays text.
pub fn assert_no_formulas(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) {
    let formulas = book
        .worksheet_formula(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"));
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "a formula in {name}"
    );
}
