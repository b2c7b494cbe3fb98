//! Exports for administrators: one table, as CSV for German Excel (`csv.rs`) or as XLSX, named
//! after its widget, the time and the definition version it belongs to, and recorded in the
//! audit log before it is handed out (an export of personal data nobody can account for is a
//! data breach waiting to happen).

use super::admin::{Admin, no_store, separator};
use super::csv::{self, Separator, berlin_time};
use super::error::ApiError;
use super::{SharedState, blocking};
use crate::audit::{self, Action};
use crate::db::{self, now};
use axum::extract::FromRequestParts;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::time::{BerlinTime, rfc3339_utc};
use rust_xlsxwriter::{Format as CellFormat, Workbook, XlsxError};
use std::marker::PhantomData;

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The file an export is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv(Separator),
    Xlsx,
}

/// The format an export route serves, as its handler's last argument: `Asked<Csv>` on the
/// `.csv` route, `Asked<Xlsx>` on the `.xlsx` one. A feature writes one handler and routes it
/// twice (`get(export::<Csv>)`, `get(export::<Xlsx>)`); the query is checked here, after the
/// administrator's credentials.
pub struct Asked<T>(pub Format, pub PhantomData<T>);

/// A file type an export route is for; see [`Asked`].
pub trait FileType: Send + Sync + 'static {
    fn format(query: Option<&str>) -> Result<Format, ApiError>;
}

/// CSV for German Excel; `?separator=comma` for other programs.
pub enum Csv {}

/// XLSX, which takes no query.
pub enum Xlsx {}

impl FileType for Csv {
    fn format(query: Option<&str>) -> Result<Format, ApiError> {
        Ok(Format::Csv(separator(query)?))
    }
}

impl FileType for Xlsx {
    fn format(query: Option<&str>) -> Result<Format, ApiError> {
        match query.filter(|q| !q.is_empty()) {
            None => Ok(Format::Xlsx),
            Some(_) => Err(ApiError::BadQuery(
                "an XLSX export takes no query parameters".into(),
            )),
        }
    }
}

impl<S: Send + Sync, T: FileType> FromRequestParts<S> for Asked<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Asked(T::format(parts.uri.query())?, PhantomData))
    }
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Csv(_) => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// A cell: numbers stay numbers in a spreadsheet, so that it can sum them.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::Text(text)
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::Text(text.to_owned())
    }
}

impl From<u64> for Cell {
    fn from(n: u64) -> Cell {
        Cell::Number(n as f64)
    }
}

impl From<u32> for Cell {
    fn from(n: u32) -> Cell {
        Cell::Number(f64::from(n))
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Number(n as f64)
    }
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => n.to_string(),
        }
    }
}

/// One export: what it is, whose widget, which definition, and the table.
pub struct Export {
    /// In the file name, lowercase German: `ergebnisse`, `anmeldungen`, …
    pub what: &'static str,
    /// The spreadsheet's name for the table: `Ergebnisse`, …
    pub sheet: &'static str,
    /// `None`: not one widget's (the audit log).
    pub widget: Option<WidgetId>,
    /// The widget's title where it has one.
    pub title: Option<String>,
    /// The definition's version the export belongs to; `None` without a definition.
    pub version: Option<i64>,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

impl Export {
    /// Records the export in the audit log, then answers it as a download.
    pub async fn respond(
        self,
        state: &SharedState,
        admin: &Admin,
        format: Format,
    ) -> Result<Response, ApiError> {
        let at = now();
        let stamp = BerlinTime::of(at);
        let name = format!(
            "{}{}{}-{:04}-{:02}-{:02}-{:02}{:02}.{}",
            self.widget
                .as_ref()
                .map(|w| format!("{}-", w.as_str()))
                .unwrap_or_default(),
            self.what,
            self.version.map(|v| format!("-v{v}")).unwrap_or_default(),
            stamp.year,
            stamp.month,
            stamp.day,
            stamp.hour,
            stamp.minute,
            format.extension()
        );
        let exported_at = berlin_time(Some(&rfc3339_utc(at)));
        let (body, content_type) = match format {
            Format::Csv(separator) => {
                let rows: Vec<Vec<String>> = self
                    .rows
                    .iter()
                    .map(|row| row.iter().map(Cell::text).collect())
                    .collect();
                (
                    csv::write(separator, &self.header, &rows).into_bytes(),
                    csv::CONTENT_TYPE,
                )
            }
            Format::Xlsx => (
                self.xlsx(&exported_at, &admin.by).map_err(|e| {
                    tracing::error!(error = %e, "writing an XLSX export failed");
                    ApiError::Internal
                })?,
                XLSX_TYPE,
            ),
        };
        let object = self
            .widget
            .as_ref()
            .map_or_else(|| self.what.to_owned(), |w| w.as_str().to_owned());
        let detail = format!(
            "{} ({}), {} rows{}",
            self.what,
            format.extension(),
            self.rows.len(),
            self.version
                .map(|v| format!(", version {v}"))
                .unwrap_or_default()
        );
        let by = admin.by.clone();
        blocking(state, "recording an export", move |store| {
            db::write(store, move |tx| {
                audit::record(tx, &by, Action::Export, &object, &detail)
            })
        })
        .await?;
        Ok(no_store(
            (
                [
                    (CONTENT_TYPE, content_type.to_owned()),
                    (
                        CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                ],
                body,
            )
                .into_response(),
        ))
    }

    /// The table on its first sheet (bold header, frozen, with filters), and on a second what
    /// the export is: widget, title, version, when and by whom.
    fn xlsx(&self, exported_at: &str, by: &str) -> Result<Vec<u8>, XlsxError> {
        let mut workbook = Workbook::new();
        let bold = CellFormat::new().set_bold();
        let sheet = workbook.add_worksheet();
        sheet.set_name(self.sheet)?;
        for (col, name) in (0u16..).zip(&self.header) {
            sheet.write_string_with_format(0, col, *name, &bold)?;
        }
        for (row, cells) in (1u32..).zip(&self.rows) {
            for (col, cell) in (0u16..).zip(cells) {
                match cell {
                    Cell::Text(text) if !text.is_empty() => {
                        sheet.write_string(row, col, text)?;
                    }
                    Cell::Text(_) => {}
                    Cell::Number(n) => {
                        sheet.write_number(row, col, *n)?;
                    }
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        if let Some(last) = u16::try_from(self.header.len())
            .ok()
            .and_then(|n| n.checked_sub(1))
        {
            let rows = u32::try_from(self.rows.len()).unwrap_or(u32::MAX);
            sheet.autofilter(0, 0, rows, last)?;
        }
        sheet.set_autofit_max_width(400).autofit();
        let about = workbook.add_worksheet();
        about.set_name("Export")?;
        let facts: [(&str, String); 6] = [
            (
                "Widget",
                self.widget
                    .as_ref()
                    .map_or_else(String::new, |w| w.as_str().to_owned()),
            ),
            ("Titel", self.title.clone().unwrap_or_default()),
            (
                "Definition",
                self.version
                    .map_or_else(|| "keine".to_owned(), |v| format!("Version {v}")),
            ),
            ("Exportiert (Europe/Berlin)", exported_at.to_owned()),
            ("Exportiert von", by.to_owned()),
            ("Zeilen", self.rows.len().to_string()),
        ];
        for (row, (name, value)) in (0u32..).zip(facts) {
            about.write_string_with_format(row, 0, name, &bold)?;
            about.write_string(row, 1, value)?;
        }
        about.autofit();
        workbook.save_to_buffer()
    }
}

/// The title and version of a widget's definition, for its exports.
pub fn provenance(state: &SharedState, widget: &WidgetId) -> (Option<String>, Option<i64>) {
    let declared = state.catalog.now();
    let Some(stored) = declared.widgets.get(widget) else {
        return (None, None);
    };
    let definition = &stored.definition;
    let title = definition
        .attributes
        .get("data-question")
        .or_else(|| definition.attributes.get("data-title"))
        .cloned()
        .or_else(|| definition.heading.clone())
        .or_else(|| declared.events.get(widget).map(|e| e.facts.title.clone()))
        .or_else(|| declared.newsletters.get(widget).map(|n| n.title.clone()));
    (title, Some(stored.version))
}
