//! Storage behind a small API, so that the HTTP layer knows no SQL and another database
//! (PostgreSQL) can be added beside SQLite.
//!
//! The methods block; the HTTP layer calls them from `tokio::task::spawn_blocking`.

mod sqlite;

pub use sqlite::SqliteStore;

use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::{Receipt, Results, Submission};
use mitmachen_shared::time::{Timestamp, rfc3339_utc};
use std::fmt;
use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

/// A checked submission, ready to be stored.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    pub widget: WidgetId,
    pub idempotency_key: String,
    /// The body exactly as received: hashed for replays and kept as the payload.
    pub body: Vec<u8>,
    pub submission: Submission,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// Stored and committed; the 201 body (a `Receipt` as JSON).
    Stored(String),
    /// The key was used before with the same body: the first 201 body, nothing stored.
    Replayed(String),
    /// The key was used before with another body: nothing stored.
    KeyReused,
}

/// The database could not do what was asked; nothing was stored.
#[derive(Debug)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

pub trait Store: Send + Sync + 'static {
    /// Stores a submission once per (widget, idempotency key); the answer is final only after
    /// the commit is durable.
    fn submit(&self, new: NewSubmission) -> Result<SubmitOutcome, StoreError>;

    /// Current totals of a widget; a widget without submissions has none.
    fn results(&self, widget: &WidgetId) -> Result<Results, StoreError>;

    /// A trivial query, to tell that the database answers.
    fn health(&self) -> Result<(), StoreError>;
}

/// A fresh receipt for `widget`, accepted now, and the 201 body that carries it.
///
/// Used for stored submissions and, so that the two cannot be told apart, for the ones answered
/// as accepted without being stored (a filled honeypot).
pub fn new_receipt(widget: &WidgetId) -> Result<(Receipt, String), StoreError> {
    let receipt = Receipt {
        receipt: new_receipt_id()?,
        widget: widget.clone(),
        accepted_at: rfc3339_utc(now()),
    };
    let body = serde_json::to_string(&receipt)
        .map_err(|e| StoreError(format!("cannot encode the receipt: {e}")))?;
    Ok((receipt, body))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// 128 random bits, hex.
fn new_receipt_id() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError(format!("no randomness for a receipt: {e}")))?;
    Ok(hex(&bytes))
}

fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    Timestamp(i64::try_from(ms).unwrap_or(i64::MAX))
}
