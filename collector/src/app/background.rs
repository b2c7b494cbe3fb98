//! What the two background senders (mails in `delivery`, webhooks in `webhook`) share: the
//! rhythm of claiming batches from a queue in the store, store calls off the async threads, the
//! recording of outcomes ([`Outcomes`]), and the pauses between attempts.
//!
//! Entries are queued in the transaction that causes them and leased when claimed, so a second
//! collector on the same database skips them and a collector that died mid-send leaves them to
//! be tried again.

use crate::db::{Delivered, Store, StoreError, now};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

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
    let store = store.clone();
    tokio::task::spawn_blocking(move || job(store.as_ref()))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

/// The outcomes of a claimed batch, recorded while the rest goes out: one write at a time,
/// of whatever finished meanwhile. One write per entry cost the group writer a savepoint (a
/// round trip on PostgreSQL) each, with thousands of mails after a burst of registrations.
pub struct Outcomes {
    queue: &'static str,
    record: Arc<Record>,
    waiting: Vec<(i64, Delivered)>,
    /// The write under way, and the entries it records (for the log, should it fail).
    writing: Option<Writing>,
}

/// The store's call that records a queue's outcomes.
type Record = dyn Fn(Vec<(i64, Delivered)>) -> Result<(), StoreError> + Send + Sync;

type Writing = (Vec<i64>, JoinHandle<Result<(), StoreError>>);

impl Outcomes {
    pub fn new(
        queue: &'static str,
        record: impl Fn(Vec<(i64, Delivered)>) -> Result<(), StoreError> + Send + Sync + 'static,
    ) -> Outcomes {
        Outcomes {
            queue,
            record: Arc::new(record),
            waiting: Vec::new(),
            writing: None,
        }
    }

    /// Adds an outcome; it is written now if no write is under way, else with the next.
    pub async fn add(&mut self, id: i64, outcome: Delivered) {
        self.waiting.push((id, outcome));
        if self.writing.as_ref().is_none_or(|(_, w)| w.is_finished()) {
            self.written().await;
            self.write();
        }
    }

    /// Writes what is left and waits for every write.
    pub async fn finish(mut self) {
        self.written().await;
        self.write();
        self.written().await;
    }

    fn write(&mut self) {
        if self.waiting.is_empty() {
            return;
        }
        let outcomes = std::mem::take(&mut self.waiting);
        let ids = outcomes.iter().map(|&(id, _)| id).collect();
        let record = self.record.clone();
        let write = tokio::task::spawn_blocking(move || record(outcomes));
        self.writing = Some((ids, write));
    }

    /// Waits for the write under way, if any.
    async fn written(&mut self) {
        let Some((ids, write)) = self.writing.take() else {
            return;
        };
        let error = match write.await {
            Ok(Ok(())) => return,
            Ok(Err(e)) => e.to_string(),
            Err(e) => e.to_string(),
        };
        // The leases run out and the entries are tried again; a duplicate is better than none.
        tracing::error!(queue = self.queue, entries = ?ids, %error, "outcomes could not be recorded");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Mutex, mpsc};

    /// While a write is under way, outcomes wait and then go out together; none is lost.
    #[tokio::test]
    async fn outcomes_go_out_one_write_at_a_time_and_none_is_lost() {
        let (release, gate) = mpsc::channel::<()>();
        let gate = Mutex::new(Some(gate));
        let writes = Arc::new(Mutex::new(Vec::<Vec<i64>>::new()));
        let seen = writes.clone();
        let mut outcomes = Outcomes::new("test", move |written| {
            // The first write takes until the test releases it.
            if let Some(gate) = gate.lock().expect("gate").take() {
                gate.recv().expect("released");
            }
            seen.lock()
                .expect("writes")
                .push(written.iter().map(|&(id, _)| id).collect());
            Ok(())
        });
        outcomes.add(0, Delivered::Sent).await;
        for id in 1..10 {
            let failed = Delivered::Failed {
                error: "421 try later".into(),
                retry_at_ms: Some(id),
            };
            outcomes.add(id, failed).await;
        }
        release.send(()).expect("release");
        outcomes.finish().await;
        assert_eq!(
            *writes.lock().expect("writes"),
            [vec![0], (1..10).collect::<Vec<_>>()]
        );
    }
}
