//! Group commit: one thread owns the write connection and runs every write job that is waiting
//! in one transaction, each job in its own savepoint, and answers the jobs only after the one
//! commit. With `synchronous=FULL` a commit costs an fsync; one fsync per batch instead of one per
//! submission is what lets durable writes keep up with the HTTP side.
//!
//! Batches form by themselves: jobs that arrive while a commit's fsync runs make up the next
//! batch, so a lone job waits for nothing. Jobs run one after another in arrival order and see
//! each other's writes, so a batch means the same as running its jobs serially: an idempotency
//! key sent twice is a replay the second time, seats and daily limits count exactly.
//!
//! Work of one kind that many can do in fewer statements than one after another (submissions:
//! one multi-row insert and one update per counter instead of a few statements each) comes as
//! [`Together`] items: a batch's items run first, all in one savepoint; if that fails, it is
//! rolled back and each item runs alone in a savepoint of its own, like any other job. On
//! PostgreSQL this is what makes a batch cost a few round trips instead of a few per job, and
//! a savepoint (a subtransaction) per batch instead of per job. Items alone in their batch run
//! optimistic ([`Together::run_all`]): they may leave to the database what is nearly never so
//! (a taken key) and hold their writes back for the commit; a commit the database refused
//! for it ([`WriteConn::nothing_committed`]) left nothing behind, and they run again, careful.
//!
//! The loop knows a backend only through [`WriteConn`] (begin, savepoint, release, roll back
//! to, commit); the SQLite and the PostgreSQL backends each give it their write connection, and
//! the jobs see it as a [`Tx`], the interface every feature's queries are written against.

use super::{StoreError, Tx};
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// Most jobs in one transaction: bounds how long the first job of a batch waits for the last
/// and how much work one failed commit turns away. At 20,000 jobs/s a commit every few ms
/// gathers far fewer; the cap only matters after a stall.
const MAX_BATCH: usize = 256;

/// Batches run careful (not optimistic) after an optimistic one was refused: refusals come in
/// runs (a retry storm after an outage brings keys taken already), and each costs the batch
/// twice.
const CAREFUL_AFTER_REFUSAL: u32 = 16;

/// A backend's write connection as the batching loop drives it: one transaction for a batch
/// of jobs, a savepoint per job. [`WriteConn::begin`] takes whatever makes write transactions
/// exclusive (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: the advisory lock).
pub trait WriteConn: Send {
    fn begin(&mut self) -> Result<(), StoreError>;
    fn savepoint(&mut self) -> Result<(), StoreError>;
    /// Keeps what was done since the last [`WriteConn::savepoint`].
    fn release(&mut self) -> Result<(), StoreError>;
    /// Undoes what was done since the last [`WriteConn::savepoint`] and drops it.
    fn rollback_to(&mut self) -> Result<(), StoreError>;
    /// Returns once the commit is durable.
    fn commit(&mut self) -> Result<(), StoreError>;
    /// [`WriteConn::commit`] when more jobs are already waiting: a backend whose `begin` costs
    /// a round trip of its own (PostgreSQL) may start the next transaction in the commit's.
    fn commit_then_begin(&mut self) -> Result<(), StoreError> {
        self.commit()
    }
    /// Undoes the whole transaction, if one is open; errors are moot then.
    fn rollback(&mut self);
    /// After a failed commit: whether the database refused it for what was written (a write held
    /// back until the commit violated a constraint), so that nothing of it was committed. Not so
    /// when the connection broke or for another error: that commit's outcome is unknown.
    fn nothing_committed(&self) -> bool {
        false
    }
    /// Some failures (SQLite: a full disk, an I/O error; PostgreSQL: a broken connection) end
    /// the transaction by themselves; the jobs run in it so far must then not be acknowledged.
    fn in_transaction(&self) -> bool;
    /// The connection as a transaction for the jobs.
    fn tx(&mut self) -> &mut dyn Tx;
}

/// The answer to one write job, once its batch committed (or failed).
#[must_use = "the write is only known to be durable once its answer came"]
pub struct Answer<T>(oneshot::Receiver<Result<T, StoreError>>);

impl<T> Answer<T> {
    /// Waits without occupying a thread: for async handlers.
    pub async fn wait(self) -> Result<T, StoreError> {
        self.0.await.unwrap_or_else(|_| Err(stopped()))
    }

    /// Waits on this thread: for the blocking store methods. Not on an async runtime's thread.
    pub fn wait_blocking(self) -> Result<T, StoreError> {
        self.0.blocking_recv().unwrap_or_else(|_| Err(stopped()))
    }
}

fn stopped() -> StoreError {
    StoreError("the database writer has stopped".into())
}

/// Write work that many items of one kind do together, set-based, as if one after another.
pub trait Together: Send + Sized + 'static {
    type Output: Send + 'static;

    /// Runs all of `items`, their answers in the same order. On an error the writer rolls back
    /// whatever this wrote and runs each item alone with [`Together::run_one`], so an error
    /// here may be any one item's.
    ///
    /// `optimistic`: the items are the whole batch, so they may assume what is nearly always
    /// so (no idempotency key taken) and leave it to the database to refuse otherwise, with
    /// held-back writes as late as the commit: a commit the database refused left nothing
    /// behind, and the writer runs the items once more, not optimistic, before running each
    /// alone.
    fn run_all(
        tx: &mut dyn Tx,
        items: &[Self],
        optimistic: bool,
    ) -> Result<Vec<Self::Output>, StoreError>;

    /// Runs one item alone (after [`Together::run_all`] failed for its batch).
    fn run_one(&self, tx: &mut dyn Tx) -> Result<Self::Output, StoreError>;
}

/// A write job with its answer kept back until the commit decides.
trait Job: Send {
    /// Runs the work; `false`: it failed (or panicked) and its writes must be undone.
    fn run(&mut self, tx: &mut dyn Tx) -> bool;
    /// Answers with the work's value if `committed`, else with the commit's error.
    fn answer(self: Box<Self>, committed: Result<(), &StoreError>);
    /// After a failed [`Job::run`]: the jobs to run alone in its place, which then answer for
    /// it. None for a plain job, whose failure is its answer.
    fn split(&mut self) -> Vec<BoxedJob> {
        Vec::new()
    }
}

struct Pending<T, F> {
    work: Option<F>,
    value: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> Job for Pending<T, F>
where
    T: Send,
    F: FnOnce(&mut dyn Tx) -> Result<T, StoreError> + Send,
{
    fn run(&mut self, tx: &mut dyn Tx) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        let value = guarded(|| work(tx));
        let ok = value.is_ok();
        self.value = Some(value);
        ok
    }

    fn answer(self: Box<Self>, committed: Result<(), &StoreError>) {
        let answer = match committed {
            Ok(()) => self
                .value
                .unwrap_or_else(|| Err(StoreError("a write job never ran".into()))),
            Err(e) => Err(StoreError(e.0.clone())),
        };
        // The caller may have gone away (a closed connection); the write stands regardless.
        let _ = self.reply.send(answer);
    }
}

/// Runs `work`, turning a panic into an error. A panic is one job's bug: its savepoint is
/// rolled back, the writer and the other jobs go on. The connection itself is left consistent
/// (statements reset on unwinding).
fn guarded<T>(work: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(StoreError(format!("a write job panicked: {what}")))
    })
}

type BoxedJob = Box<dyn Job>;
type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// A batch's [`Together`] items as one job; if they fail together, they split into one job each
/// (an optimistic group first into one that is not).
struct Group<W: Together> {
    items: Vec<W>,
    replies: Vec<Reply<W::Output>>,
    outputs: Option<Vec<W::Output>>,
    /// See [`Together::run_all`]: set when the group is its batch's only job.
    optimistic: bool,
}

impl<W: Together> Job for Group<W> {
    fn run(&mut self, tx: &mut dyn Tx) -> bool {
        let (items, optimistic) = (&self.items, self.optimistic);
        match guarded(|| W::run_all(tx, items, optimistic)) {
            Ok(outputs) if outputs.len() == self.items.len() => {
                self.outputs = Some(outputs);
                true
            }
            Ok(outputs) => {
                tracing::error!(
                    items = self.items.len(),
                    outputs = outputs.len(),
                    "a batch of write items answered for a different number of items"
                );
                false
            }
            Err(e) => {
                if self.items.len() > 1 {
                    tracing::debug!(error = %e, "a batch of write items failed together; each runs alone");
                }
                false
            }
        }
    }

    fn answer(self: Box<Self>, committed: Result<(), &StoreError>) {
        let outputs = self.outputs.map(|o| o.into_iter().map(Some).collect());
        let outputs: Vec<Option<W::Output>> =
            outputs.unwrap_or_else(|| self.replies.iter().map(|_| None).collect());
        for (reply, output) in self.replies.into_iter().zip(outputs) {
            let answer = match (committed, output) {
                (Ok(()), Some(output)) => Ok(output),
                (Ok(()), None) => Err(StoreError("a write item never ran".into())),
                (Err(e), _) => Err(StoreError(e.0.clone())),
            };
            let _ = reply.send(answer);
        }
    }

    fn split(&mut self) -> Vec<BoxedJob> {
        self.outputs = None;
        if std::mem::replace(&mut self.optimistic, false) {
            return vec![Box::new(Group {
                items: std::mem::take(&mut self.items),
                replies: std::mem::take(&mut self.replies),
                outputs: None,
                optimistic: false,
            })];
        }
        self.items
            .drain(..)
            .zip(self.replies.drain(..))
            .map(|(item, reply)| {
                Box::new(Pending {
                    work: Some(move |tx: &mut dyn Tx| item.run_one(tx)),
                    value: None,
                    reply,
                }) as BoxedJob
            })
            .collect()
    }
}

/// What the writer thread receives.
enum Work<W: Together> {
    Job(BoxedJob),
    Item(W, Reply<W::Output>),
}

/// The handle to the writer thread; dropping it lets the thread finish the jobs sent and stop.
pub(crate) struct Writer<W: Together> {
    jobs: Option<mpsc::Sender<Work<W>>>,
    thread: Option<JoinHandle<()>>,
}

impl<W: Together> Writer<W> {
    pub(crate) fn start<C: WriteConn + 'static>(conn: C) -> Result<Writer<W>, StoreError> {
        let (jobs, queue) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("mitmachen-writer".into())
            .spawn(move || serve(conn, &queue))
            .map_err(|e| StoreError(format!("cannot start the database writer: {e}")))?;
        Ok(Writer {
            jobs: Some(jobs),
            thread: Some(thread),
        })
    }

    /// Queues `work` for the next batch; it runs in a savepoint of that batch's transaction.
    pub(crate) fn submit<T, F>(&self, work: F) -> Answer<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Tx) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.send(Work::Job(Box::new(Pending {
            work: Some(work),
            value: None,
            reply,
        })));
        Answer(answer)
    }

    /// Queues `item` to run together with the other items of the next batch.
    pub(crate) fn submit_item(&self, item: W) -> Answer<W::Output> {
        let (reply, answer) = oneshot::channel();
        self.send(Work::Item(item, reply));
        Answer(answer)
    }

    fn send(&self, work: Work<W>) {
        // A failed send drops the work and its reply, so the answer says "stopped".
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(work);
        }
    }
}

impl<W: Together> Drop for Writer<W> {
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(thread) = self.thread.take() {
            // So that the connection is closed once the store is gone (a reopen sees it all).
            let _ = thread.join();
        }
    }
}

/// The writer thread: takes whatever is waiting, up to [`MAX_BATCH`], and runs it as one batch,
/// the items together first, then the other jobs in arrival order.
fn serve<C: WriteConn, W: Together>(mut conn: C, queue: &mpsc::Receiver<Work<W>>) {
    // The first job of the next batch, if it came before the last commit (see `run_batch`).
    let mut waiting: Option<Work<W>> = None;
    // Batches still to run careful (`CAREFUL_AFTER_REFUSAL`).
    let mut careful: u32 = 0;
    while let Some(first) = waiting.take().or_else(|| queue.recv().ok()) {
        let mut group = Group::<W> {
            items: Vec::new(),
            replies: Vec::new(),
            outputs: None,
            optimistic: false,
        };
        let mut jobs: VecDeque<BoxedJob> = VecDeque::new();
        let mut next = Some(first);
        let mut taken = 0;
        while let Some(work) = next {
            match work {
                Work::Job(job) => jobs.push_back(job),
                Work::Item(item, reply) => {
                    group.items.push(item);
                    group.replies.push(reply);
                }
            }
            taken += 1;
            next = if taken < MAX_BATCH {
                queue.try_recv().ok()
            } else {
                None
            };
        }
        if !group.items.is_empty() {
            group.optimistic = jobs.is_empty() && careful == 0;
            jobs.push_front(Box::new(group));
        }
        careful = careful.saturating_sub(1);
        let refused = run_batch(&mut conn, jobs, &mut || {
            if waiting.is_none() {
                waiting = queue.try_recv().ok();
            }
            waiting.is_some()
        });
        if refused {
            careful = CAREFUL_AFTER_REFUSAL;
        }
    }
}

/// One transaction for the batch, one savepoint per job, one commit, then the answers. A job
/// that fails and splits (a group of items) is rolled back and its parts run in its place. If
/// the transaction is lost midway, the jobs run so far get the error and the rest start afresh.
/// `more_waiting` says whether another batch is waiting already, so that the commit may begin
/// its transaction. Returns whether a commit was refused and the batch ran again.
fn run_batch<C: WriteConn>(
    conn: &mut C,
    mut rest: VecDeque<BoxedJob>,
    more_waiting: &mut dyn FnMut() -> bool,
) -> bool {
    let mut refused = false;
    while !rest.is_empty() {
        if let Err(e) = conn.begin() {
            // Whatever `begin` got as far as (a transaction without its lock) ends here.
            conn.rollback();
            rest.into_iter().for_each(|job| job.answer(Err(&e)));
            return refused;
        }
        let mut ran = Vec::new();
        let mut lost = None;
        while let Some(mut job) = rest.pop_front() {
            let mut parts = Vec::new();
            let step = conn.savepoint().and_then(|()| {
                if job.run(conn.tx()) {
                    conn.release()
                } else {
                    parts = job.split();
                    conn.rollback_to()
                }
            });
            // The parts answer for a job that split; it has nothing left to say.
            for part in parts.into_iter().rev() {
                rest.push_front(part);
            }
            ran.push(job);
            match step {
                Err(e) => lost = Some(e),
                Ok(()) if !conn.in_transaction() => {
                    lost = Some(StoreError("the transaction ended under a write job".into()));
                }
                Ok(()) => continue,
            }
            break;
        }
        let outcome = match lost {
            Some(e) => {
                conn.rollback();
                Err(e)
            }
            None => {
                let committed = if rest.is_empty() && more_waiting() {
                    conn.commit_then_begin()
                } else {
                    conn.commit()
                };
                if committed.is_err() {
                    conn.rollback();
                }
                // A commit the database refused left nothing behind: a group alone in its batch
                // runs again instead of failing, an optimistic one careful
                // (`Together::run_all`), a careful one item by item.
                if committed.is_err() && conn.nothing_committed() && ran.len() == 1 {
                    let parts = ran
                        .iter_mut()
                        .flat_map(|job| job.split())
                        .collect::<Vec<_>>();
                    if !parts.is_empty() {
                        refused = true;
                        rest.extend(parts);
                        continue;
                    }
                }
                committed
            }
        };
        for job in ran {
            job.answer(outcome.as_ref().map(|_| ()));
        }
    }
    refused
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args;
    use crate::db::sqlite::SqliteTx;
    use crate::db::{Row, Value};
    use rusqlite::Connection;

    /// A plain SQLite connection as a write connection, optionally with a commit that fails,
    /// or one commit (by number, from 1) that the database refuses (nothing committed).
    struct Conn {
        db: Connection,
        commit_fails: bool,
        refuse_commit: Option<usize>,
        commits: usize,
        refused: bool,
    }

    impl Conn {
        fn run(&self, sql: &str) -> Result<(), StoreError> {
            self.db.execute_batch(sql)?;
            Ok(())
        }
    }

    impl Tx for Conn {
        fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, StoreError> {
            SqliteTx(&self.db).execute(sql, args)
        }
        fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, StoreError> {
            SqliteTx(&self.db).query(sql, args)
        }
    }

    impl WriteConn for Conn {
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
            self.run("ROLLBACK TO job; RELEASE job")
        }
        fn commit(&mut self) -> Result<(), StoreError> {
            if self.commit_fails {
                return Err(StoreError("disk I/O error".into()));
            }
            self.commits += 1;
            self.refused = self.refuse_commit == Some(self.commits);
            if self.refused {
                return Err(StoreError("UNIQUE constraint failed".into()));
            }
            self.run("COMMIT")
        }
        fn nothing_committed(&self) -> bool {
            self.refused
        }
        fn rollback(&mut self) {
            if !self.db.is_autocommit() {
                let _ = self.run("ROLLBACK");
            }
        }
        fn in_transaction(&self) -> bool {
            !self.db.is_autocommit()
        }
        fn tx(&mut self) -> &mut dyn Tx {
            self
        }
    }

    /// A key inserted with the others of its batch in one statement; its answer is how many
    /// rows that statement inserted (1 when it ran alone).
    struct Key(&'static str);

    impl Together for Key {
        type Output = usize;

        /// Optimistic, the rows get `v = 2`, else 1, so that a test sees how they were written.
        fn run_all(
            tx: &mut dyn Tx,
            items: &[Self],
            optimistic: bool,
        ) -> Result<Vec<usize>, StoreError> {
            let v = if optimistic { 2 } else { 1 };
            let rows: Vec<String> = (1..=items.len()).map(|i| format!("(?{i}, {v})")).collect();
            let args: Vec<Value> = items.iter().map(|k| Value::Text(k.0.into())).collect();
            let n = tx.execute(
                &format!("INSERT INTO t (k, v) VALUES {}", rows.join(", ")),
                &args,
            )?;
            Ok(vec![usize::try_from(n).unwrap_or(0); items.len()])
        }

        fn run_one(&self, tx: &mut dyn Tx) -> Result<usize, StoreError> {
            insert(self.0)(tx)?;
            Ok(1)
        }
    }

    fn writer(commit_fails: bool) -> (tempfile::TempDir, Writer<Key>, std::path::PathBuf) {
        writer_refusing(commit_fails, None)
    }

    fn writer_refusing(
        commit_fails: bool,
        refuse_commit: Option<usize>,
    ) -> (tempfile::TempDir, Writer<Key>, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("w.sqlite3");
        let db = Connection::open(&path).expect("open");
        db.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL);",
        )
        .expect("schema");
        let conn = Conn {
            db,
            commit_fails,
            refuse_commit,
            commits: 0,
            refused: false,
        };
        (dir, Writer::start(conn).expect("writer"), path)
    }

    fn insert(k: &'static str) -> impl FnOnce(&mut dyn Tx) -> Result<(), StoreError> + Send {
        move |tx| {
            tx.execute("INSERT INTO t (k, v) VALUES (?1, 1)", args![k])?;
            Ok(())
        }
    }

    fn keys(path: &std::path::Path) -> Vec<String> {
        rows(path).into_iter().map(|(k, _)| k).collect()
    }

    fn rows(path: &std::path::Path) -> Vec<(String, i64)> {
        let conn = Connection::open(path).expect("open");
        let mut stmt = conn
            .prepare("SELECT k, v FROM t ORDER BY k")
            .expect("prepare");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    /// A first job that holds the writer until `go`, so that the jobs sent meanwhile share the
    /// next batch.
    fn blocker(w: &Writer<Key>) -> (mpsc::SyncSender<()>, Answer<()>) {
        let (go, wait) = mpsc::sync_channel::<()>(0);
        let held = w.submit(move |_| {
            let _ = wait.recv();
            Ok(())
        });
        (go, held)
    }

    #[test]
    fn a_failing_job_is_rolled_back_alone() {
        let (_dir, w, path) = writer(false);
        let (go, held) = blocker(&w);
        let a = w.submit(insert("a"));
        let bad = w.submit(|tx: &mut dyn Tx| {
            tx.execute("INSERT INTO t (k, v) VALUES ('bad', 1)", args![])?;
            // Violates the primary key after writing a row of its own: both must go.
            tx.execute("INSERT INTO t (k, v) VALUES ('a', 2)", args![])?;
            Ok(())
        });
        let b = w.submit(insert("b"));
        go.send(()).expect("go");
        held.wait_blocking().expect("blocker");
        a.wait_blocking().expect("a");
        assert!(bad.wait_blocking().is_err());
        b.wait_blocking().expect("b");
        assert_eq!(keys(&path), ["a", "b"]);
    }

    #[test]
    fn a_panicking_job_does_not_stop_the_writer() {
        let (_dir, w, path) = writer(false);
        let (go, held) = blocker(&w);
        let a = w.submit(insert("a"));
        let boom = w.submit(|tx: &mut dyn Tx| -> Result<(), StoreError> {
            tx.execute("INSERT INTO t (k, v) VALUES ('boom', 1)", args![])?;
            panic!("a bug in one job");
        });
        let b = w.submit(insert("b"));
        go.send(()).expect("go");
        held.wait_blocking().expect("blocker");
        a.wait_blocking().expect("a");
        let e = boom.wait_blocking().expect_err("panicked");
        assert!(e.0.contains("a bug in one job"), "{e}");
        b.wait_blocking().expect("b");
        // And later batches still run.
        w.submit(insert("c")).wait_blocking().expect("c");
        assert_eq!(keys(&path), ["a", "b", "c"]);
    }

    #[test]
    fn jobs_of_one_batch_see_each_other_in_order() {
        let (_dir, w, path) = writer(false);
        let (go, held) = blocker(&w);
        let upsert = |tx: &mut dyn Tx| -> Result<i64, StoreError> {
            tx.execute(
                "INSERT INTO t (k, v) VALUES ('n', 1) ON CONFLICT (k) DO UPDATE SET v = t.v + 1",
                args![],
            )?;
            tx.query_one("SELECT v FROM t WHERE k = 'n'", args![])?
                .int(0)
        };
        let answers: Vec<_> = (0..10).map(|_| w.submit(upsert)).collect();
        go.send(()).expect("go");
        held.wait_blocking().expect("blocker");
        let seen: Vec<i64> = answers
            .into_iter()
            .map(|a| a.wait_blocking().expect("n"))
            .collect();
        assert_eq!(seen, (1..=10).collect::<Vec<_>>());
        assert_eq!(keys(&path), ["n"]);
    }

    #[test]
    fn items_run_together_before_the_jobs_of_their_batch() {
        let (_dir, w, path) = writer(false);
        let (go, held) = blocker(&w);
        let count =
            w.submit(|tx: &mut dyn Tx| tx.query_one("SELECT count(*) FROM t", args![])?.int(0));
        let items: Vec<_> = ["a", "b", "c"].map(|k| w.submit_item(Key(k))).into();
        go.send(()).expect("go");
        held.wait_blocking().expect("blocker");
        for item in items {
            assert_eq!(
                item.wait_blocking().expect("stored"),
                3,
                "one statement for all"
            );
        }
        assert_eq!(count.wait_blocking().expect("count"), 3);
        assert_eq!(keys(&path), ["a", "b", "c"]);
    }

    #[test]
    fn items_that_fail_together_run_alone() {
        let (_dir, w, path) = writer(false);
        let (go, held) = blocker(&w);
        let a = w.submit_item(Key("a"));
        let b = w.submit_item(Key("b"));
        // The same key again breaks the one statement; alone, only this item fails.
        let again = w.submit_item(Key("a"));
        let c = w.submit_item(Key("c"));
        go.send(()).expect("go");
        held.wait_blocking().expect("blocker");
        assert_eq!(a.wait_blocking().expect("a"), 1);
        assert_eq!(b.wait_blocking().expect("b"), 1);
        assert!(again.wait_blocking().is_err());
        assert_eq!(c.wait_blocking().expect("c"), 1);
        assert_eq!(keys(&path), ["a", "b", "c"]);
    }

    #[test]
    fn items_alone_in_their_batch_run_optimistic_and_again_if_the_commit_is_refused() {
        // Commit 1 is the blocker's batch, 2 the items' first try, 3 their second.
        let (_dir, w, path) = writer_refusing(false, Some(2));
        let (started, running) = mpsc::sync_channel::<()>(1);
        let (go, wait) = mpsc::sync_channel::<()>(0);
        let held = w.submit(move |_| {
            let _ = started.send(());
            let _ = wait.recv();
            Ok(())
        });
        // Only once the blocker runs: the items must make a batch of their own.
        running.recv().expect("the blocker runs");
        let items: Vec<_> = ["a", "b", "c"].map(|k| w.submit_item(Key(k))).into();
        go.send(()).expect("go");
        held.wait_blocking().expect("blocker");
        for item in items {
            assert_eq!(item.wait_blocking().expect("stored the second time"), 3);
        }
        // Written once, the careful way.
        let written: Vec<(String, i64)> = ["a", "b", "c"].map(|k| (k.into(), 1)).into();
        assert_eq!(rows(&path), written);
        // The batches right after a refusal run careful, then optimistic again.
        let more: Vec<&'static str> = ["d", "e", "f", "g", "h", "i", "j", "k", "l"]
            .into_iter()
            .chain(["m", "n", "o", "p", "q", "r", "s", "t", "u"])
            .collect();
        for k in &more {
            w.submit_item(Key(k)).wait_blocking().expect("stored");
        }
        let written = rows(&path);
        let careful = usize::try_from(CAREFUL_AFTER_REFUSAL).expect("small");
        assert!(
            written[3..3 + careful].iter().all(|(_, v)| *v == 1),
            "{written:?}"
        );
        assert!(
            written[3 + careful..].iter().all(|(_, v)| *v == 2),
            "{written:?}"
        );
    }

    #[test]
    fn a_failed_commit_answers_every_job_with_its_error() {
        let (_dir, w, path) = writer(true);
        let answers: Vec<_> = ["a", "b", "c"]
            .into_iter()
            .map(|k| w.submit(insert(k)))
            .collect();
        let item = w.submit_item(Key("e"));
        assert_eq!(
            item.wait_blocking().expect_err("not committed").0,
            "disk I/O error"
        );
        for a in answers {
            assert_eq!(
                a.wait_blocking().expect_err("not committed").0,
                "disk I/O error"
            );
        }
        drop(w);
        assert!(keys(&path).is_empty());
    }
}
