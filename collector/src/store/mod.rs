//! Storage behind a small API, so that the HTTP layer knows no SQL and another database
//! (PostgreSQL) can be added beside SQLite.
//!
//! The methods block; the HTTP layer calls them from `tokio::task::spawn_blocking`.

mod sqlite;

pub use sqlite::SqliteStore;

use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::{Results, Submission};
use std::fmt;

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
