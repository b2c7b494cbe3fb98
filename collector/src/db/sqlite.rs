//! SQLite: one file, one writer connection, a few readers.
//!
//! Writes go to the group-commit writer (`db::writer`), which runs them in `BEGIN IMMEDIATE`
//! transactions, so an idempotency check and its insert, or a seat count and the registration
//! that takes the seat, never interleave with another request's, not even another process's.
//! WAL lets the readers answer results while a write is under way; `synchronous=FULL` makes a
//! commit durable before the 201 leaves.

use super::writer::{Answer, WriteConn, Writer};
use super::{Backend, Queued, Row, StoreError, SubmitOutcome, Tx, Value};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

// The number of migrations applied last is kept in `PRAGMA user_version`.
use super::migrations::{Dialect, MIGRATIONS, render};

const READERS: usize = 2;
/// Prepared statements the writer keeps: every write statement of every feature fits, so none
/// is parsed again per job (parsing cost more than running them).
const WRITER_STATEMENTS: usize = 256;
/// The writer's page cache (negative: in KiB). With the default 2 MiB, a database past a few
/// ten thousand submissions had its index pages read from the operating system again and again
/// (measured: about 10 % more CPU per submission and a fifth fewer per second). Memory is taken
/// as pages are used, so a small database stays small.
const WRITER_CACHE_KIB: i64 = -32 * 1024;
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub struct Sqlite {
    writer: Writer<Queued>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError(format!("sqlite: {e}"))
    }
}

impl Sqlite {
    /// Opens (or creates) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Sqlite, StoreError> {
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
        writer.set_prepared_statement_cache_capacity(WRITER_STATEMENTS);
        writer.pragma_update(None, "cache_size", WRITER_CACHE_KIB)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let reader = Connection::open(path)?;
            configure(&reader)?;
            // A reader that tried to write would be a bug; make it fail loudly.
            reader.pragma_update(None, "query_only", true)?;
            readers.push(Mutex::new(reader));
        }
        Ok(Sqlite {
            writer: Writer::start(SqliteConn(writer))?,
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

impl Backend for Sqlite {
    fn write_queued<T, F>(&self, job: F) -> Answer<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Tx) -> Result<T, StoreError> + Send + 'static,
    {
        self.writer.submit(job)
    }

    fn write_submission(&self, item: Queued) -> Answer<SubmitOutcome> {
        self.writer.submit_item(item)
    }

    fn read<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut dyn Tx) -> Result<T, StoreError>,
    {
        let mut conn = self.reader();
        let tx = conn.transaction()?;
        let value = job(&mut SqliteTx(&tx))?;
        tx.finish()?;
        Ok(value)
    }
}

/// The writer's connection. `BEGIN IMMEDIATE` takes the write lock first (against another
/// process on the same file too); savepoints nest inside it.
struct SqliteConn(Connection);

impl SqliteConn {
    fn run(&self, sql: &str) -> Result<(), StoreError> {
        self.0.prepare_cached(sql)?.execute([])?;
        Ok(())
    }
}

impl WriteConn for SqliteConn {
    fn begin(&mut self) -> Result<(), StoreError> {
        self.run("BEGIN IMMEDIATE")
    }

    fn savepoint(&mut self) -> Result<(), StoreError> {
        self.run("SAVEPOINT job")
    }

    fn release(&mut self) -> Result<(), StoreError> {
        self.run("RELEASE job")
    }

    fn rollback_to(&mut self) -> Result<(), StoreError> {
        self.run("ROLLBACK TO job")?;
        self.run("RELEASE job")
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        self.run("COMMIT")
    }

    fn rollback(&mut self) {
        if !self.0.is_autocommit() {
            let _ = self.run("ROLLBACK");
        }
    }

    fn in_transaction(&self) -> bool {
        !self.0.is_autocommit()
    }

    fn tx(&mut self) -> &mut dyn Tx {
        self
    }
}

impl Tx for SqliteConn {
    fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, StoreError> {
        SqliteTx(&self.0).execute(sql, args)
    }

    fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, StoreError> {
        SqliteTx(&self.0).query(sql, args)
    }
}

/// The store's statements on one SQLite connection (inside its transaction); prepared
/// statements are cached per connection.
pub(crate) struct SqliteTx<'c>(pub(crate) &'c Connection);

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Value::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
        })
    }
}

impl Tx for SqliteTx<'_> {
    fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, StoreError> {
        let mut stmt = self.0.prepare_cached(sql)?;
        let n = stmt.execute(rusqlite::params_from_iter(args))?;
        Ok(u64::try_from(n).unwrap_or(u64::MAX))
    }

    fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, StoreError> {
        let mut stmt = self.0.prepare_cached(sql)?;
        let columns = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut values = Vec::with_capacity(columns);
            for i in 0..columns {
                values.push(match row.get_ref(i)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(v) => Value::Int(v),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Real(_) | ValueRef::Blob(_) => {
                        return Err(StoreError(format!(
                            "column {i} holds a value the store never writes"
                        )));
                    }
                });
            }
            out.push(Row(values));
        }
        Ok(out)
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
        tx.execute_batch(&render(sql, Dialect::Sqlite))?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tracing::info!(version = i + 1, "applied database migration");
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args;
    use crate::db::{Moderation, NewSubmission, SqliteStore, Store, SubmitOutcome};
    use crate::proposals::{DecideOutcome, Decision, ProposalStatus, is_proposal_key};
    use mitmachen_shared::ids::WidgetId;
    use mitmachen_shared::protocol::PollBallot;
    use mitmachen_shared::protocol::Submission;

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
            moderation: Moderation::Pre,
            rules: None,
            registration: None,
            subscription: None,
        }
    }

    fn proposal(widget: &str, key: &str, title: &str, moderation: Moderation) -> NewSubmission {
        let submission = Submission::Proposal(mitmachen_shared::protocol::Proposal {
            title: title.into(),
            description: String::new(),
            honeypot: String::new(),
        });
        NewSubmission {
            widget: WidgetId::parse(widget).expect("id"),
            idempotency_key: key.into(),
            body: serde_json::to_vec(&submission).expect("json"),
            submission,
            moderation,
            rules: None,
            registration: None,
            subscription: None,
        }
    }

    #[test]
    fn proposals_are_moderated_and_merged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(&dir.path().join("t.sqlite3")).expect("open");
        let w = WidgetId::parse("w").expect("id");
        for (i, title) in ["Radweg", "Bänke", "Radweg!"].iter().enumerate() {
            store
                .submit(proposal(
                    "w",
                    &format!("key-0000{i}"),
                    title,
                    Moderation::Pre,
                ))
                .expect("submit");
        }
        store
            .submit(proposal("w", "key-post0", "Sofort", Moderation::Post))
            .expect("submit");
        let all = store.proposals(&w, None).expect("list");
        assert_eq!(all.len(), 4);
        assert!(all.iter().all(|p| is_proposal_key(&p.key)));
        let pending = store
            .proposals(&w, Some(ProposalStatus::Pending))
            .expect("pending");
        assert_eq!(pending.len(), 3);
        let served = store.topics(&w).expect("topics");
        assert_eq!(served.len(), 1);
        assert_eq!(served[0].title, "Sofort");
        // Polls count, proposals do not.
        assert_eq!(store.results(&w).expect("results").ballots, 0);

        let (a, b, c) = (&all[0].key, &all[1].key, &all[2].key);
        let decided = |outcome| match outcome {
            Ok(DecideOutcome::Decided(p)) => p,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            decided(store.decide(a, Decision::Approve)).status,
            ProposalStatus::Approved
        );
        assert_eq!(
            decided(store.decide(b, Decision::Reject { reason: None })).status,
            ProposalStatus::Rejected
        );
        store
            .submit(ballot("w", "vote-0001", &[c.as_str(), "ja"]))
            .expect("vote");
        store
            .submit(ballot("w", "vote-0002", &[c.as_str(), a.as_str()]))
            .expect("vote");
        let into = |k: &str| Decision::Merge {
            into: mitmachen_shared::ids::OptionKey::parse(k).expect("key"),
        };
        assert!(matches!(
            store.decide(c, into(c)),
            Ok(DecideOutcome::Refused(_))
        ));
        assert!(matches!(
            store.decide(c, into(b)),
            Ok(DecideOutcome::Refused(_))
        ));
        assert!(matches!(
            store.decide(c, into("p-00000000")),
            Ok(DecideOutcome::Refused(_))
        ));
        assert_eq!(
            store
                .decide("p-ffffffff", Decision::Approve)
                .expect("decide"),
            DecideOutcome::UnknownKey
        );
        let merged = decided(store.decide(c, into(a)));
        assert_eq!(merged.status, ProposalStatus::Merged);
        assert_eq!(merged.merged_into.as_deref(), Some(a.as_str()));
        let r = store.results(&w).expect("results");
        assert_eq!(r.counts.get(a.as_str()), Some(&3));
        assert_eq!(r.counts.get(c.as_str()), None);
        assert_eq!(r.ballots, 2);
        assert!(matches!(
            store.decide(c, Decision::Approve),
            Ok(DecideOutcome::Refused(_))
        ));
        assert!(matches!(
            store.decide(a, into(c)),
            Ok(DecideOutcome::Refused(_))
        ));
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
        let version = again
            .backend()
            .read(|tx| tx.query_one("PRAGMA user_version", args![])?.int(0))
            .expect("version");
        assert_eq!(version, i64::try_from(MIGRATIONS.len()).expect("small"));
    }
}
