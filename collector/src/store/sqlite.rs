//! SQLite storage: one file, one writer connection, a few readers.
//!
//! Writes are serialised behind one mutex and run in `BEGIN IMMEDIATE` transactions, so the
//! idempotency check and the insert can never interleave with another request's. WAL lets the
//! readers answer results while a write is under way; `synchronous=FULL` makes a commit durable
//! before the 201 leaves.

use super::{NewSubmission, Store, StoreError, SubmitOutcome, hex, new_receipt};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::{Results, Submission};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Numbered schema changes; the number applied last is kept in `PRAGMA user_version`.
const MIGRATIONS: &[&str] = &[include_str!("../../migrations/0001_init.sql")];

const READERS: usize = 2;
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub struct SqliteStore {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError(format!("sqlite: {e}"))
    }
}

impl SqliteStore {
    /// Opens (or creates) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let mut writer = Connection::open(path)?;
        configure(&writer)?;
        let mode: String =
            writer.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError(format!(
                "{} cannot use write-ahead logging (journal_mode is {mode})",
                path.display()
            )));
        }
        migrate(&mut writer)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let reader = Connection::open(path)?;
            configure(&reader)?;
            // A reader that tried to write would be a bug; make it fail loudly.
            reader.pragma_update(None, "query_only", true)?;
            readers.push(Mutex::new(reader));
        }
        Ok(SqliteStore {
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        // A panic while holding a connection leaves no transaction open (rusqlite rolls back
        // on drop), so a poisoned lock still guards a usable connection.
        self.readers[i]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let applied: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let applied = usize::try_from(applied).unwrap_or(usize::MAX);
    if applied > MIGRATIONS.len() {
        return Err(StoreError(format!(
            "the database has schema version {applied}, newer than this collector knows ({}); use a newer collector",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tracing::info!(version = i + 1, "applied database migration");
    }
    tx.commit()?;
    Ok(())
}

impl Store for SqliteStore {
    fn submit(&self, new: NewSubmission) -> Result<SubmitOutcome, StoreError> {
        let body_sha256 = hex(&Sha256::digest(&new.body));
        let payload = std::str::from_utf8(&new.body)
            .map_err(|_| StoreError("the body is not UTF-8".into()))?;
        let widget = new.widget.as_str();

        let mut conn = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        // IMMEDIATE takes the write lock first, so no other writer (even another process) can
        // insert the same key between the check and the insert.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let earlier: Option<(String, String)> = tx
            .query_row(
                "SELECT body_sha256, response_body FROM submissions
                 WHERE widget = ?1 AND idempotency_key = ?2",
                params![widget, new.idempotency_key],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        if let Some((earlier_sha256, response)) = earlier {
            // Dropping the transaction rolls back; nothing was written anyway.
            return Ok(if earlier_sha256 == body_sha256 {
                SubmitOutcome::Replayed(response)
            } else {
                SubmitOutcome::KeyReused
            });
        }

        let (receipt, response) = new_receipt(&new.widget)?;
        tx.execute(
            "INSERT INTO submissions
               (receipt, widget, kind, idempotency_key, body_sha256, payload, response_body, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                receipt.receipt,
                widget,
                new.submission.kind(),
                new.idempotency_key,
                body_sha256,
                payload,
                response,
                receipt.accepted_at,
            ],
        )?;
        tx.execute(
            "INSERT INTO widget_totals (widget, ballots) VALUES (?1, 1)
             ON CONFLICT (widget) DO UPDATE SET ballots = ballots + 1",
            params![widget],
        )?;
        match &new.submission {
            Submission::Poll(ballot) => {
                let mut count = tx.prepare_cached(
                    "INSERT INTO tallies (widget, option, count) VALUES (?1, ?2, 1)
                     ON CONFLICT (widget, option) DO UPDATE SET count = count + 1",
                )?;
                for key in &ballot.choices {
                    count.execute(params![widget, key.as_str()])?;
                }
            }
        }
        tx.commit()?;
        Ok(SubmitOutcome::Stored(response))
    }

    fn results(&self, widget: &WidgetId) -> Result<Results, StoreError> {
        let mut conn = self.reader();
        // One read transaction, so that ballots and counts come from the same commit.
        let tx = conn.transaction()?;
        let ballots: i64 = tx
            .query_row(
                "SELECT ballots FROM widget_totals WHERE widget = ?1",
                params![widget.as_str()],
                |row| row.get(0),
            )
            .optional()?
            .unwrap_or(0);
        let mut counts = BTreeMap::new();
        {
            let mut stmt =
                tx.prepare_cached("SELECT option, count FROM tallies WHERE widget = ?1")?;
            let rows = stmt.query_map(params![widget.as_str()], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })?;
            for row in rows {
                let (option, count) = row?;
                counts.insert(option, to_count(count)?);
            }
        }
        tx.finish()?;
        Ok(Results {
            widget: widget.clone(),
            ballots: to_count(ballots)?,
            counts,
        })
    }

    fn health(&self) -> Result<(), StoreError> {
        let one: i64 = self.reader().query_row("SELECT 1", [], |row| row.get(0))?;
        if one == 1 {
            Ok(())
        } else {
            Err(StoreError("SELECT 1 did not answer 1".into()))
        }
    }
}

fn to_count(n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError(format!("negative count {n} in the database")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mitmachen_shared::protocol::PollBallot;

    fn ballot(widget: &str, key: &str, choices: &[&str]) -> NewSubmission {
        let submission = Submission::Poll(PollBallot {
            choices: choices
                .iter()
                .map(|c| mitmachen_shared::ids::OptionKey::parse(c).expect("key"))
                .collect(),
            honeypot: String::new(),
        });
        NewSubmission {
            widget: WidgetId::parse(widget).expect("id"),
            idempotency_key: key.into(),
            body: serde_json::to_vec(&submission).expect("json"),
            submission,
        }
    }

    #[test]
    fn stores_counts_and_replays() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(&dir.path().join("t.sqlite3")).expect("open");
        let first = store
            .submit(ballot("w", "key-00001", &["ja", "nein"]))
            .expect("submit");
        let SubmitOutcome::Stored(receipt) = first else {
            panic!("not stored: {first:?}")
        };
        assert_eq!(
            store
                .submit(ballot("w", "key-00001", &["ja", "nein"]))
                .expect("replay"),
            SubmitOutcome::Replayed(receipt)
        );
        assert_eq!(
            store
                .submit(ballot("w", "key-00001", &["ja"]))
                .expect("reuse"),
            SubmitOutcome::KeyReused
        );
        // The same key on another widget is another submission.
        assert!(matches!(
            store.submit(ballot("v", "key-00001", &["ja"])),
            Ok(SubmitOutcome::Stored(_))
        ));
        store
            .submit(ballot("w", "key-00002", &["ja"]))
            .expect("second");
        let w = store
            .results(&WidgetId::parse("w").expect("id"))
            .expect("results");
        assert_eq!(w.ballots, 2);
        assert_eq!(w.counts.get("ja"), Some(&2));
        assert_eq!(w.counts.get("nein"), Some(&1));
        let none = store
            .results(&WidgetId::parse("nobody").expect("id"))
            .expect("results");
        assert_eq!((none.ballots, none.counts.len()), (0, 0));
        store.health().expect("healthy");
    }

    #[test]
    fn reopening_keeps_data_and_schema_version() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.sqlite3");
        SqliteStore::open(&path)
            .expect("open")
            .submit(ballot("w", "key-00001", &["ja"]))
            .expect("submit");
        let again = SqliteStore::open(&path).expect("reopen");
        assert_eq!(
            again
                .results(&WidgetId::parse("w").expect("id"))
                .expect("results")
                .ballots,
            1
        );
        let conn = again.writer.lock().expect("lock");
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("version");
        assert_eq!(version, 1);
    }
}
