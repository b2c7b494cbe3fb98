//! What the two background senders (mails in `delivery`, webhooks in `webhook`) share: the
//! rhythm of claiming batches from a queue in the store, store calls off the async threads, and
//! the pauses between attempts.
//!
//! Entries are queued in the transaction that causes them and leased when claimed, so a second
//! collector on the same database skips them and a collector that died mid-send leaves them to
//! be tried again.

use crate::db::{Store, StoreError, now};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Without a wake-up, a queue is looked at this often (retries, other collectors' entries).
const TICK: Duration = Duration::from_secs(5);
/// How long a claimed entry is kept from other senders.
pub const LEASE_MS: i64 = 5 * 60 * 1000;
/// Entries claimed at once.
pub const BATCH: usize = 20;
/// Pauses before the 2nd, 3rd… attempt; after the last one the entry is given up.
const RETRY_MS: &[i64] = &[
    60_000,
    5 * 60_000,
    15 * 60_000,
    60 * 60_000,
    3 * 60 * 60_000,
    12 * 60 * 60_000,
];

/// When to try again after the `attempts`-th attempt failed; `None`: give up.
pub fn retry_at(attempts: u32) -> Option<i64> {
    RETRY_MS
        .get(attempts.saturating_sub(1) as usize)
        .map(|pause| now().0 + pause)
}

/// Runs `round` until the process ends. A round claims and handles one batch and says how many
/// it claimed: a full batch means more may wait; otherwise the sender sleeps until `wakeup`
/// (a commit queued something) or the tick.
pub async fn run_rounds<F>(queue: &str, wakeup: &Notify, mut round: impl FnMut() -> F)
where
    F: Future<Output = Result<usize, String>>,
{
    loop {
        loop {
            match round().await {
                Ok(n) if n == BATCH => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::error!(error = %e, "the {queue} queue cannot be read");
                    break;
                }
            }
        }
        let _ = tokio::time::timeout(TICK, wakeup.notified()).await;
    }
}

/// A store call on the blocking pool; a crashed task is an error like a failed call.
pub async fn on_store<T: Send + 'static>(
    store: &Arc<dyn Store>,
    job: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, String> {
    start_on_store(store, job).await
}

/// [`on_store`], started at once: the call runs while the caller goes on (the next mail goes
/// out while the last one's outcome is committed, with others in one batch); await the result.
pub fn start_on_store<T: Send + 'static>(
    store: &Arc<dyn Store>,
    job: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
) -> impl Future<Output = Result<T, String>> {
    let store = store.clone();
    let task = tokio::task::spawn_blocking(move || job(store.as_ref()));
    async move {
        task.await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
    }
}
