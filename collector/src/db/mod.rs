//! The database layer: storage behind a small API, so that the HTTP handlers know no SQL. One
//! [`Store`] (`store.rs`) over a [`Backend`], SQLite (`sqlite.rs`) or PostgreSQL (`postgres/`),
//! which opens the database, applies the migrations (`migrations.rs`) and runs the write
//! transactions through the group-commit writer (`writer.rs`); the queues' bookkeeping is
//! `queue.rs`, and each feature's SQL lives in its folder (`events/store.rs`,
//! `newsletters/store.rs`, `privacy/erase.rs`).
//!
//! The methods block; the HTTP layer calls them from `tokio::task::spawn_blocking`, except
//! [`Store::submit_queued`], whose answer an async handler awaits.

pub(crate) mod jobs;
pub mod many;
pub mod migrations;
pub mod postgres;
pub(crate) mod queue;
pub use queue::Delivered;
pub(crate) mod sqlite;
mod store;
mod tx;
pub(crate) mod writer;

pub use sqlite::Sqlite;
pub use store::Db;
pub use tx::{Row, ToValue, Tx, Value, numbered_as_dollar};
pub use writer::{Answer, WriteConn};

/// The store on SQLite, the default.
pub type SqliteStore = Db<Sqlite>;

impl SqliteStore {
    /// Opens (or creates) the database file and brings its schema up to date.
    pub fn open(path: &std::path::Path) -> Result<SqliteStore, StoreError> {
        Ok(Db::new(Sqlite::open(path)?))
    }
}

pub use crate::ballots::rules::Refusal;
pub use crate::events::records::{
    CancelOutcome, Canceller, RegistrationContext, RegistrationRecord, RegistrationStatus,
};
pub use crate::mail::kind::{MailJob, MailKind};
pub use crate::newsletters::records::{
    ConfirmOutcome, ConfirmView, ConsentRecord, LinkSubject, SubscriberRecord, SubscriptionContext,
    SubscriptionStatus, UnsubscribeOutcome, WebhookJob,
};
pub use crate::privacy::Erased;
pub use crate::proposals::{
    DecideOutcome, Decision, Moderation, ProposalRecord, ProposalStatus, is_proposal_key,
};

use crate::ballots::rules::WidgetRules;
use crate::events::Event;
use crate::newsletters::Newsletter;
pub use crate::submissions::store::Queued;
use std::collections::BTreeMap;
use std::sync::Arc;

use mitmachen_shared::event::Placement;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::{Receipt, Results, Submission, Topic};
use mitmachen_shared::time::{Timestamp, rfc3339_utc};
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A checked submission, ready to be stored.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    pub widget: WidgetId,
    pub idempotency_key: String,
    /// The body exactly as received: hashed for replays and kept as the payload.
    pub body: Vec<u8>,
    pub submission: Submission,
    /// How the widget's proposals are moderated; only read for a proposal.
    pub moderation: Moderation,
    /// The widget's declared rules, checked inside the write transaction after the idempotency
    /// lookup; `None`: only the generic limits (already checked by the caller).
    pub rules: Option<Arc<WidgetRules>>,
    /// For a registration: its declared event; the caller refuses registrations without one.
    pub registration: Option<RegistrationContext>,
    /// For a subscription: its declared newsletter; the caller refuses others.
    pub subscription: Option<SubscriptionContext>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// Stored and committed; the 201 body (a `Receipt` as JSON).
    Stored(String),
    /// The key was used before with the same body: the first 201 body, nothing stored.
    Replayed(String),
    /// The key was used before with another body: nothing stored.
    KeyReused,
    /// The widget's declared rules refuse it (closed, too many dots, unknown topic…): nothing
    /// stored.
    Refused(Refusal),
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

/// A database the store runs on (SQLite or PostgreSQL): it hands out transactions; every
/// query and rule is the features', written once against [`Tx`].
pub trait Backend: Send + Sync + 'static {
    /// Hands `job` to the backend's writer, which runs it in the next write transaction (group
    /// commit: with whatever other jobs are waiting, each in its own savepoint); the answer
    /// comes once that transaction committed durably. An error from `job` rolls back what it
    /// wrote, and nothing is acknowledged before the commit. Write transactions never
    /// interleave, on one machine or across several collectors on the same database, so that a
    /// rule reads the counts it writes against.
    fn write_queued<T, F>(&self, job: F) -> Answer<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Tx) -> Result<T, StoreError> + Send + 'static;

    /// Hands a submission to the backend's writer, which stores it together with the other
    /// submissions of the next batch (`submissions::store::submit_all`); the answer comes once
    /// that transaction committed durably.
    fn write_submission(&self, item: Queued) -> Answer<SubmitOutcome>;

    /// [`Backend::write_queued`], waiting on this thread (a blocking one, never an async
    /// worker).
    fn write<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Tx) -> Result<T, StoreError> + Send + 'static,
    {
        self.write_queued(job).wait_blocking()
    }

    /// Runs `job` in a read-only transaction: one consistent snapshot.
    fn read<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut dyn Tx) -> Result<T, StoreError>;

    /// [`Backend::read`] for a job of exactly one statement, which is a consistent snapshot by
    /// itself: a backend may run it without a transaction around it (PostgreSQL: one round
    /// trip instead of four, for the reads every citizen's page makes). A second statement is
    /// an error.
    fn read_one<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut dyn Tx) -> Result<T, StoreError>,
    {
        self.read(job)
    }
}

pub trait Store: Send + Sync + 'static {
    /// Stores a submission once per (widget, idempotency key); the answer is final only after
    /// the commit is durable.
    fn submit(&self, new: NewSubmission) -> Result<SubmitOutcome, StoreError>;

    /// [`Store::submit`] without blocking: hands the submission to the store's writer and
    /// returns the answer to await, which comes once the commit is durable. `Err(new)`: this
    /// store has no writer to hand it to; call `submit` on the blocking pool instead.
    fn submit_queued(
        &self,
        new: NewSubmission,
    ) -> Result<Answer<SubmitOutcome>, Box<NewSubmission>> {
        Err(Box::new(new))
    }

    /// Current totals of a widget; a widget without submissions has none.
    fn results(&self, widget: &WidgetId) -> Result<Results, StoreError>;

    /// The approved proposals of a widget, oldest approval first.
    fn topics(&self, widget: &WidgetId) -> Result<Vec<Topic>, StoreError>;

    /// A widget's proposals, oldest first; with `status`, only those.
    fn proposals(
        &self,
        widget: &WidgetId,
        status: Option<ProposalStatus>,
    ) -> Result<Vec<ProposalRecord>, StoreError>;

    /// Approves, rejects or merges the proposal `key`, in one transaction.
    fn decide(&self, key: &str, decision: Decision) -> Result<DecideOutcome, StoreError>;

    /// Persons seated and persons waiting for an event.
    fn event_counts(&self, widget: &WidgetId) -> Result<(u32, u32), StoreError>;

    /// The registration a cancellation token belongs to, without changing anything (the page
    /// behind the link in a mail, which mail scanners open too).
    fn registration_by_token(&self, token: &str) -> Result<Option<RegistrationRecord>, StoreError>;

    /// Cancels a registration, frees its seats and promotes the waiting list as far as the
    /// freed seats go (with `event`; without a declaration nobody is promoted), and queues the
    /// mails; one transaction.
    fn cancel(
        &self,
        who: Canceller,
        event: Option<&crate::events::Event>,
    ) -> Result<CancelOutcome, StoreError>;

    /// An event's registrations, oldest first, with each waiting one's place in the queue.
    fn registrations(&self, widget: &WidgetId) -> Result<Vec<RegistrationRecord>, StoreError>;

    /// Takes up to `limit` due mails and leases them for `lease_ms`, so that a second sender
    /// (another collector on the same database) does not take them too.
    fn claim_mails(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<MailJob>, StoreError>;

    /// What became of claimed mails, in one write: a sent one forgets its token; a failed one
    /// is tried again at its `retry_at_ms`, or never.
    fn mails_delivered(&self, outcomes: Vec<(i64, Delivered)>) -> Result<(), StoreError>;

    /// Deletes every registration whose retention ended by `now` (with its tokens and mails)
    /// and every unconfirmed subscription request past its time; returns how many of both. `cutoffs` are the declared events' current purge times, which replace
    /// the ones stored at registration (an event may have moved).
    fn purge(&self, now: Timestamp, cutoffs: &[(WidgetId, Timestamp)])
    -> Result<usize, StoreError>;

    /// What a confirmation link leads to, without changing anything (mail scanners open it).
    fn confirm_view(&self, token: &str, now: Timestamp) -> Result<ConfirmView, StoreError>;

    /// Confirms a subscription request by its link's token and queues the welcome mail and
    /// the webhook delivery (for newsletters with a webhook); one transaction.
    fn confirm(
        &self,
        token: &str,
        newsletters: &BTreeMap<WidgetId, Arc<Newsletter>>,
        now: Timestamp,
    ) -> Result<ConfirmOutcome, StoreError>;

    /// The widget, mail language and subscription behind an unsubscribe link, if it is known.
    fn unsubscribe_view(&self, token: &str) -> Result<Option<LinkSubject>, StoreError>;

    /// Ends every subscription of the link's address to its widget; keeps only a keyed hash of
    /// the address; one transaction.
    fn unsubscribe(
        &self,
        token: &str,
        newsletters: &BTreeMap<WidgetId, Arc<Newsletter>>,
        now: Timestamp,
    ) -> Result<UnsubscribeOutcome, StoreError>;

    /// A newsletter's subscriptions with their proof, oldest first; with `status`, only those.
    fn subscribers(
        &self,
        widget: &WidgetId,
        status: Option<SubscriptionStatus>,
    ) -> Result<Vec<SubscriberRecord>, StoreError>;

    /// Erases everything stored for one address across all widgets; one transaction.
    fn erase(
        &self,
        email: &str,
        events: &BTreeMap<WidgetId, Arc<Event>>,
        now: Timestamp,
    ) -> Result<Erased, StoreError>;

    /// Takes up to `limit` due webhook deliveries and leases them for `lease_ms`.
    fn claim_webhooks(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<WebhookJob>, StoreError>;

    /// What became of claimed webhook deliveries, in one write: a delivered one drops its
    /// personal data; a failed one is tried again at its `retry_at_ms`, or never.
    fn webhooks_delivered(&self, outcomes: Vec<(i64, Delivered)>) -> Result<(), StoreError>;

    /// Claims the run of the periodic job `name` due at `now` for this instance; `false`: not
    /// due, or another collector on the same database has it. The next run is `every_ms` later.
    fn claim_job(&self, name: &str, now: Timestamp, every_ms: i64) -> Result<bool, StoreError>;

    /// A trivial query, to tell that the database answers.
    fn health(&self) -> Result<(), StoreError>;

    /// Runs a feature's own queries in one read-only transaction; see [`read`], which gives
    /// the job a result.
    fn read_with(
        &self,
        job: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// Runs a feature's own statements in one write transaction of the writer and waits for
    /// its durable commit; see [`write`].
    fn write_with(&self, job: WriteJob) -> Result<(), StoreError>;
}

/// A job for [`Store::write_with`].
pub type WriteJob = Box<dyn FnOnce(&mut dyn Tx) -> Result<(), StoreError> + Send>;

/// Runs `job` in one read-only transaction of `store`: how a feature (accounts, say) calls its
/// own queries without a method of its own on [`Store`].
pub fn read<T>(
    store: &dyn Store,
    job: impl FnOnce(&mut dyn Tx) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut job = Some(job);
    let mut out = None;
    store.read_with(&mut |tx| {
        let job = job
            .take()
            .ok_or_else(|| StoreError("a read job ran twice".into()))?;
        out = Some(job(tx)?);
        Ok(())
    })?;
    out.ok_or_else(|| StoreError("a read job did not run".into()))
}

/// Runs `job` in one write transaction of `store` and returns its result once committed.
pub fn write<T: Send + 'static>(
    store: &dyn Store,
    job: impl FnOnce(&mut dyn Tx) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    store.write_with(Box::new(move |tx| {
        let value = job(tx)?;
        // The receiver waits below; a send only fails once it is gone, when nobody asks.
        let _ = sender.send(value);
        Ok(())
    }))?;
    receiver
        .try_recv()
        .map_err(|_| StoreError("a write job did not run".into()))
}

/// Opens the configured database (SQLite file or PostgreSQL URL) and brings its schema up to
/// date; blocks.
pub fn open(database: &crate::config::Database) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match database {
        crate::config::Database::Sqlite(path) => Arc::new(SqliteStore::open(path)?),
        crate::config::Database::Postgres(url) => Arc::new(Db::new(postgres::Postgres::open(url)?)),
    })
}

/// A fresh receipt for `widget`, accepted now, and the 201 body that carries it.
///
/// Used for stored submissions and, so that the two cannot be told apart, for the ones answered
/// as accepted without being stored (a filled honeypot).
pub fn new_receipt(
    widget: &WidgetId,
    placement: Option<Placement>,
) -> Result<(Receipt, String), StoreError> {
    let at = now();
    let receipt = Receipt {
        receipt: new_receipt_id(at)?,
        widget: widget.clone(),
        accepted_at: rfc3339_utc(at),
        placement,
    };
    let body = serde_json::to_string(&receipt)
        .map_err(|e| StoreError(format!("cannot encode the receipt: {e}")))?;
    Ok((receipt, body))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .map(char::from)
        .collect()
}

/// 256 random bits, hex: a secret for a link.
pub(crate) fn new_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError(format!("no randomness for a token: {e}")))?;
    Ok(hex(&bytes))
}

/// How a token is stored: sha256, hex.
pub(crate) fn token_hash(token: &str) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(token.as_bytes()))
}

/// 48 bits of the time in ms, then 80 random bits, hex (32 characters). Receipts that sort by
/// time are inserted at the end of their unique index instead of on a random page of it: with
/// random ones, every submission of a batch dirtied a page of its own, which the commit then
/// wrote to disk (half the bytes written per submission, measured). The time is the receipt's
/// `accepted_at`, which it states anyway; 80 random bits per millisecond keep it unique.
fn new_receipt_id(at: Timestamp) -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes[6..])
        .map_err(|e| StoreError(format!("no randomness for a receipt: {e}")))?;
    let ms = u64::try_from(at.0).unwrap_or(0).to_be_bytes();
    bytes[..6].copy_from_slice(&ms[2..]);
    Ok(hex(&bytes))
}

pub(crate) fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    Timestamp(i64::try_from(ms).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_sort_by_time_and_differ_within_a_millisecond() {
        let at = Timestamp(1_780_000_000_123);
        let a = new_receipt_id(at).expect("receipt");
        let b = new_receipt_id(at).expect("receipt");
        let later = new_receipt_id(Timestamp(at.0 + 1)).expect("receipt");
        assert_eq!(a.len(), 32);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_eq!(&a[..12], format!("{:012x}", at.0));
        assert_ne!(a, b);
        assert!(a.max(b) < later);
    }

    #[test]
    fn hex_is_lowercase_two_digits_per_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(hex(&[]), "");
    }
}
