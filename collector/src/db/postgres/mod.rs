//! PostgreSQL storage: the [`Backend`] that lets several collectors share one database.
//!
//! One writer connection and a few readers, each behind a mutex, like the SQLite store. Every
//! write transaction is `READ COMMITTED` and first takes the advisory lock [`WRITE_LOCK`], so
//! write transactions never interleave, in this process or in any other collector on the same
//! database (advisory locks are per database: collectors of other towns on the same server do
//! not wait for each other). Read committed, not repeatable read: each statement after the lock
//! then sees every commit made before it, so capacity checks and idempotency lookups are exact
//! as with SQLite's single writer. Reads run in `REPEATABLE READ READ ONLY`: one snapshot; a
//! read of one statement (`read_one`) runs without a transaction, a snapshot by itself. The
//! writer holds back writes nobody reads (`Tx::execute_later`) for its next round trip.
//!
//! A connection that broke (PostgreSQL restarted, the network went away) fails the call it
//! broke in, which the HTTP layer answers with 503, and is made anew at the next call.
//!
//! **Threads.** The `postgres` crate is the blocking face of `tokio-postgres`: each client owns
//! a small current-thread tokio runtime and every call is a `block_on` on it. On a tokio worker
//! thread that panics ("Cannot start a runtime from within a runtime"), so every method here
//! must be called from a plain thread or from `tokio::task::spawn_blocking` (as the HTTP layer
//! calls the store); the tests call it from both. Closing a client blocks too: a [`Postgres`]
//! dropped on an async thread closes its connections on a thread of its own.
//!
//! TLS: rustls with the system's roots, as the URL's `sslmode` says (see [`tls`]).
//!
//! `copy.rs` copies an SQLite database into an empty PostgreSQL one (`collector migrate`).

pub mod copy;
mod value;

use super::migrations::{Dialect, MIGRATIONS, render};
use super::tx::replace_parameters;
use super::writer::{Answer, Writer};
use super::{Backend, Queued, Row, StoreError, SubmitOutcome, Tx, Value, numbered_as_dollar};
use postgres::error::SqlState;
use postgres::types::Type;
use postgres::{Client, GenericClient, Statement};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The advisory lock key of write transactions ("mitmache" in ASCII). Fixed, so that every
/// collector version takes the same lock.
pub const WRITE_LOCK: i64 = 0x6d69_746d_6163_6865;

/// Readers: a citizen's read is one round trip (`read_one`), a console's a few; two kept 64
/// clients' result reads waiting for a connection.
const READERS: usize = 4;
/// A PostgreSQL that does not answer a connection attempt soon is treated as down (503).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a write waits for another collector's write transaction before it gives up (like
/// SQLite's busy timeout, only longer: a batch of another collector may hold it).
const LOCK_TIMEOUT: &str = "15s";

/// The PostgreSQL backend: connection settings and the connections made from them.
pub struct Postgres {
    config: Arc<postgres::Config>,
    /// Where it connects, without the password, for messages.
    target: Arc<str>,
    tls: MakeRustlsConnect,
    /// For migrations and [`Postgres::with_write_conn`]; the jobs go to `group`.
    writer: Mutex<Option<PgConn>>,
    /// The group-commit writer, with a connection of its own.
    group: Writer<Queued>,
    readers: Vec<Mutex<Option<PgConn>>>,
    next_reader: AtomicUsize,
}

/// A PostgreSQL error as a [`StoreError`] that says where it came from and what the server said.
pub(crate) fn pg_error(what: &str, e: &postgres::Error) -> StoreError {
    let mut message = format!("PostgreSQL: {what}: {e}");
    if let Some(db) = e.as_db_error() {
        message.push_str(&format!(": {} ({})", db.message(), db.code().code()));
        if let Some(detail) = db.detail() {
            message.push_str(&format!("; {detail}"));
        }
    } else if let Some(source) = std::error::Error::source(e) {
        message.push_str(&format!(": {source}"));
    }
    StoreError(message)
}

impl Postgres {
    /// Connects to `url` (`postgres://user:password@host:port/database?...`) and brings the
    /// schema up to date. Call from a thread that runs no async tasks (see the module docs).
    pub fn open(url: &str) -> Result<Postgres, StoreError> {
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e| StoreError(format!("PostgreSQL: the URL cannot be used: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("mitmachen-collector");
        }
        let target: Arc<str> = describe(&config).into();
        let config = Arc::new(config);
        let tls = tls()?;
        let group = Writer::start(PgConn::connect(&config, &target, &tls, Role::Writer)?)?;
        let pg = Postgres {
            config,
            target,
            tls,
            writer: Mutex::new(None),
            group,
            readers: (0..READERS).map(|_| Mutex::new(None)).collect(),
            next_reader: AtomicUsize::new(0),
        };
        pg.migrate()?;
        Ok(pg)
    }

    /// Where this backend connects (host, port, database, user; never the password).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Applies the migrations not yet applied, in one transaction under the write lock, so that
    /// two collectors starting at once migrate once (the second finds them applied).
    fn migrate(&self) -> Result<(), StoreError> {
        self.with_writer(|conn| {
            conn.begin()?;
            let result = (|| {
                conn.batch(
                    "CREATE TABLE IF NOT EXISTS schema_version (
                       version    BIGINT PRIMARY KEY,
                       applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                )?;
                let applied = conn
                    .query("SELECT coalesce(max(version), 0) FROM schema_version", &[])?
                    .first()
                    .map_or(Ok(0), |row| row.int(0))?;
                let applied = usize::try_from(applied).unwrap_or(usize::MAX);
                if applied > MIGRATIONS.len() {
                    return Err(StoreError(format!(
                        "PostgreSQL: the database has schema version {applied}, newer than this collector knows ({}); use a newer collector",
                        MIGRATIONS.len()
                    )));
                }
                for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
                    conn.batch(&render(sql, Dialect::Postgres))?;
                    conn.execute(
                        "INSERT INTO schema_version (version) VALUES (?1)",
                        crate::args![i + 1],
                    )?;
                    tracing::info!(version = i + 1, "applied database migration (PostgreSQL)");
                }
                Ok(())
            })();
            match result {
                Ok(()) => conn.commit(),
                Err(e) => {
                    conn.rollback();
                    Err(e)
                }
            }
        })
    }

    /// Runs `f` on the writer connection, connecting first if there is none; a connection
    /// found broken afterwards is dropped, so the next call connects anew.
    fn with_writer<T>(
        &self,
        f: impl FnOnce(&mut PgConn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut slot = lock(&self.writer);
        with_conn(
            &mut slot,
            || PgConn::connect(&self.config, &self.target, &self.tls, Role::Writer),
            f,
        )
    }

    fn with_reader<T>(
        &self,
        f: impl FnOnce(&mut PgConn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        let mut slot = lock(&self.readers[i]);
        with_conn(
            &mut slot,
            || PgConn::connect(&self.config, &self.target, &self.tls, Role::Reader),
            f,
        )
    }

    /// The writer connection for a batch of jobs (group commit): `f` drives the transaction
    /// itself through [`WriteConn`], e.g. `begin`, per job `savepoint` / `release` or
    /// `rollback_to`, then `commit`.
    pub fn with_write_conn<T>(
        &self,
        f: impl FnOnce(&mut dyn WriteConn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.with_writer(|conn| f(conn))
    }
}

impl Drop for Postgres {
    /// Closing a `postgres` client blocks on its own runtime, which panics on an async thread
    /// (the store is dropped at the end of `run`); there the connections are closed on a plain
    /// thread instead. Elsewhere they close here, as usual.
    fn drop(&mut self) {
        if tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        let conns: Vec<PgConn> = std::iter::once(&self.writer)
            .chain(&self.readers)
            .filter_map(|slot| lock(slot).take())
            .collect();
        if !conns.is_empty() {
            let _ = std::thread::Builder::new()
                .name("mitmachen-pg-close".into())
                .spawn(move || drop(conns));
        }
    }
}

/// A poisoned mutex means a job panicked while holding the connection, maybe inside an open
/// transaction: the connection is dropped (PostgreSQL rolls back) and made anew.
fn lock(slot: &Mutex<Option<PgConn>>) -> MutexGuard<'_, Option<PgConn>> {
    match slot.lock() {
        Ok(guard) => guard,
        Err(poisoned) => {
            let mut guard = poisoned.into_inner();
            *guard = None;
            slot.clear_poison();
            guard
        }
    }
}

fn with_conn<T>(
    slot: &mut Option<PgConn>,
    connect: impl FnOnce() -> Result<PgConn, StoreError>,
    f: impl FnOnce(&mut PgConn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    if slot.as_ref().is_some_and(|c| c.client.is_closed()) {
        *slot = None;
    }
    let conn = match slot {
        Some(conn) => conn,
        None => slot.insert(connect()?),
    };
    let result = f(conn);
    if conn.client.is_closed() || (result.is_err() && conn.open) {
        // Broken, or left inside a transaction it could not end: start afresh next time.
        *slot = None;
    }
    result
}

/// TLS as the URL's `sslmode` asks (`prefer` by default: TLS when the server offers it;
/// `require`; `disable`), with the server's certificate checked against the system's roots
/// (rustls, as for mail and webhooks). Unlike libpq's `require`, a certificate is always
/// verified, name included: a server with its own CA needs that CA in the system's store.
fn tls() -> Result<MakeRustlsConnect, StoreError> {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    // Unreadable system certificates only matter if TLS is used; then the handshake says so.
    let (added, _ignored) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        tracing::debug!("no system root certificates: TLS to PostgreSQL cannot verify a server");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| StoreError(format!("PostgreSQL: no TLS configuration: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// Host, port, database and user of a connection setting.
fn describe(config: &postgres::Config) -> String {
    let host = config.get_hosts().first().map_or_else(
        || "localhost".to_owned(),
        |h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            postgres::config::Host::Unix(path) => path.display().to_string(),
        },
    );
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{host}:{port}/{} as {}",
        config.get_dbname().unwrap_or("(default database)"),
        config.get_user().unwrap_or("(default user)")
    )
}

impl Backend for Postgres {
    fn write_queued<T, F>(&self, job: F) -> Answer<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Tx) -> Result<T, StoreError> + Send + 'static,
    {
        self.group.submit(job)
    }

    fn write_submission(&self, item: Queued) -> Answer<SubmitOutcome> {
        self.group.submit_item(item)
    }

    fn read<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut dyn Tx) -> Result<T, StoreError>,
    {
        self.with_reader(|conn| {
            conn.begin_block("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
            let value = job(conn);
            // Nothing was written: ending the snapshot either way is the same.
            let end = conn.batch(if value.is_ok() { "COMMIT" } else { "ROLLBACK" });
            conn.open = end.is_err();
            let value = value?;
            end?;
            Ok(value)
        })
    }

    fn read_one<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut dyn Tx) -> Result<T, StoreError>,
    {
        self.with_reader(|conn| job(&mut OneStatement { conn, ran: false }))
    }
}

/// A reader outside a transaction for one statement ([`Backend::read_one`]): a statement is a
/// snapshot by itself, and the transaction's BEGIN and COMMIT were three of its four round trips.
struct OneStatement<'c> {
    conn: &'c mut PgConn,
    ran: bool,
}

impl OneStatement<'_> {
    /// Runs `call` as the one statement. A connection that broke while it was idle (PostgreSQL
    /// restarted) is made anew and the read tried again, as `begin_block` does for transactions:
    /// a read changes nothing, so running it twice is harmless.
    fn once<T>(
        &mut self,
        call: impl Fn(&mut PgConn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if std::mem::replace(&mut self.ran, true) {
            return Err(StoreError(
                "a read of one statement (read_one) ran a second one".into(),
            ));
        }
        match call(self.conn) {
            Err(_) if self.conn.client.is_closed() => {
                let c = &self.conn;
                *self.conn = PgConn::connect(&c.config, &c.target, &c.tls, c.role)?;
                call(self.conn)
            }
            result => result,
        }
    }
}

impl Tx for OneStatement<'_> {
    fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, StoreError> {
        self.once(|conn| conn.execute(sql, args))
    }

    fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, StoreError> {
        self.once(|conn| conn.query(sql, args))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Writer,
    Reader,
}

/// One connection and the statements prepared on it.
pub struct PgConn {
    config: Arc<postgres::Config>,
    target: Arc<str>,
    tls: MakeRustlsConnect,
    role: Role,
    client: Client,
    statements: Statements,
    /// Inside a transaction this code began and has not ended yet.
    open: bool,
    /// The savepoint of [`WriteConn`] between jobs.
    savepoint: Savepoint,
    /// The next batch's transaction, begun by [`WriteConn::commit_then_begin`].
    next: Next,
    /// Writes held back by [`Tx::execute_later`] (their values written in as literals), sent
    /// before whatever goes to the server next, in the same round trip when that is a plain
    /// command string (the next savepoint's, the commit's).
    later: Vec<String>,
    /// The held-back statements prepared on this connection (`PREPARE`), by their SQL: the name
    /// to `EXECUTE`, or `None` for one that could not be prepared (sent with literals then).
    held: HashMap<String, Option<String>>,
    /// The last commit was refused for a violated constraint: nothing of it was committed.
    refused: bool,
}

/// What [`WriteConn::commit_then_begin`] left for the next `begin`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Nothing: `begin` starts the transaction.
    Nothing,
    /// The transaction with the write lock and the first savepoint.
    Locked,
    /// The transaction only: another collector took the lock first.
    Unlocked,
}

/// Where the write connection's savepoint `job` stands between two jobs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Savepoint {
    /// None is set (or the last job's was rolled back and released).
    None,
    /// Set by `begin` for the first job.
    Ready,
    /// The last job's is still set; the next job's savepoint or the commit releases it.
    Kept,
}

/// Prepared statements per SQL text. A statement whose parameter types PostgreSQL cannot infer
/// (`SELECT ?1`, `coalesce(?1, 0)`) is prepared with the types of the values passed instead,
/// once per combination of them.
#[derive(Default)]
struct Statements {
    by_sql: HashMap<String, Statement>,
    needs_types: HashSet<String>,
}

impl PgConn {
    fn connect(
        config: &Arc<postgres::Config>,
        target: &Arc<str>,
        tls: &MakeRustlsConnect,
        role: Role,
    ) -> Result<PgConn, StoreError> {
        let client = config
            .connect(tls.clone())
            .map_err(|e| pg_error(&format!("cannot connect to {target}"), &e))?;
        let mut conn = PgConn {
            config: config.clone(),
            target: target.clone(),
            tls: tls.clone(),
            role,
            client,
            statements: Statements::default(),
            open: false,
            savepoint: Savepoint::None,
            next: Next::Nothing,
            later: Vec::new(),
            held: HashMap::new(),
            refused: false,
        };
        // No parallel workers: the collector's statements are lookups of a few rows, and
        // PostgreSQL planned the batch's 64 key lookups (`many::query_each`) as a parallel
        // query on a table without statistics yet, whose two workers took 6 to 12 ms to start
        // for 0.1 ms of work (a batch of retries then took that long).
        conn.batch("SET max_parallel_workers_per_gather = 0")?;
        if role == Role::Writer {
            conn.batch(&format!("SET lock_timeout = '{LOCK_TIMEOUT}'"))?;
            // A commit must be durable before the 201 leaves; only `off` is not (local, on,
            // remote_write, remote_apply all wait for this server's disk).
            let mode = conn.query("SELECT current_setting('synchronous_commit')", &[])?;
            if mode.first().and_then(|r| r.text(0).ok()).as_deref() == Some("off") {
                tracing::warn!(
                    "PostgreSQL has synchronous_commit = off; the collector sets it on for its writes"
                );
                conn.batch("SET synchronous_commit = on")?;
            }
        }
        Ok(conn)
    }

    /// Runs `sql` (commands without parameters), after the writes held back.
    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        let what = self.what(sql);
        let sql = self.with_later(sql);
        self.client
            .batch_execute(&sql)
            .map_err(|e| pg_error(&what, &e))
    }

    /// `sql` after the writes held back, as one string; the writes are sent with it.
    fn with_later(&mut self, sql: &str) -> String {
        if self.later.is_empty() {
            return sql.to_owned();
        }
        let mut all = std::mem::take(&mut self.later);
        all.push(sql.to_owned());
        all.join(";\n")
    }

    /// How an error of `sql` names it: with the writes held back, if any go along.
    fn what(&self, sql: &str) -> String {
        match self.later.len() {
            0 => first_line(sql).to_owned(),
            n => format!("{} (after {n} writes held back for it)", first_line(sql)),
        }
    }

    /// Notes how a commit's round trip ended. A violated constraint (SQLSTATE class 23: a taken
    /// key, a CHECK) can only come from a write before COMMIT or from COMMIT itself, never from
    /// what `commit_then_begin` sends after it: then nothing was committed. Any other error
    /// leaves the outcome unknown. Either way the transaction is left for `rollback` to end.
    fn committed(
        &mut self,
        result: Result<(), postgres::Error>,
        what: &str,
    ) -> Result<(), StoreError> {
        self.refused = result
            .as_ref()
            .is_err_and(|e| e.code().is_some_and(|c| c.code().starts_with("23")));
        result.map_err(|e| {
            self.open = !self.client.is_closed();
            pg_error(what, &e)
        })
    }

    /// Starts a transaction with `sql` (`BEGIN …`). A connection that broke while it was idle
    /// (PostgreSQL restarted) is made anew first and tried again, so that the first call after
    /// a restart does not fail for nothing; nothing was sent in that transaction yet.
    fn begin_block(&mut self, sql: &str) -> Result<(), StoreError> {
        if !self.client.is_closed() {
            match self.client.batch_execute(sql) {
                Ok(()) => {
                    self.open = true;
                    return Ok(());
                }
                Err(e) if !self.client.is_closed() && !broken(&e) => {
                    return Err(pg_error(sql, &e));
                }
                Err(_) => {}
            }
        }
        *self = PgConn::connect(&self.config, &self.target, &self.tls, self.role)?;
        self.batch(sql)?;
        self.open = true;
        Ok(())
    }

    /// The name under which `sql` (with `params` parameters, all of them used) is prepared for
    /// held-back writes, preparing it now if it is new; `None` if it cannot be (PostgreSQL
    /// cannot infer a parameter's type): it is then sent with literals. Prepared in a savepoint,
    /// as a failed `PREPARE` would abort the transaction; a prepared statement outlives a
    /// rollback, so the name stays good for the connection's life.
    fn prepared_held(&mut self, sql: &str, params: usize) -> Result<Option<String>, StoreError> {
        if let Some(known) = self.held.get(sql) {
            return Ok(known.clone());
        }
        if highest_parameter(sql) != params {
            self.held.insert(sql.to_owned(), None);
            return Ok(None);
        }
        // What is held back already runs first, so that a failure there stays its own.
        self.run()?;
        let name = format!("held_{}", self.held.len());
        let prepare = format!(
            "SAVEPOINT held; PREPARE {name} AS {}; RELEASE SAVEPOINT held",
            numbered_as_dollar(sql)
        );
        let name = match self.client.batch_execute(&prepare) {
            Ok(()) => Some(name),
            Err(e) if e.as_db_error().is_some() && !broken(&e) => {
                self.batch("ROLLBACK TO SAVEPOINT held; RELEASE SAVEPOINT held")?;
                tracing::debug!(error = %e, "a held-back statement cannot be prepared; it goes with literals");
                None
            }
            Err(e) => return Err(pg_error("cannot prepare a held-back statement", &e)),
        };
        self.held.insert(sql.to_owned(), name.clone());
        Ok(name)
    }

    /// The connection for a prepared statement, once the writes held back are sent: they run
    /// before it, as the caller wrote them.
    fn run<'s>(&'s mut self) -> Result<PgTx<'s, Client>, StoreError> {
        if !self.later.is_empty() {
            let sql = std::mem::take(&mut self.later).join(";\n");
            self.client
                .batch_execute(&sql)
                .map_err(|e| pg_error(&format!("held back: {}", first_line(&sql)), &e))?;
        }
        Ok(PgTx {
            client: &mut self.client,
            statements: &mut self.statements,
            in_block: self.open,
        })
    }
}

impl Tx for PgConn {
    fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, StoreError> {
        self.run()?.execute(sql, args)
    }

    fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, StoreError> {
        self.run()?.query(sql, args)
    }

    /// Inside the writer's transactions the write waits for the next round trip: under load a
    /// batch is a few round trips, each a wake-up of PostgreSQL's process and then of the
    /// writer on a busy machine, and a batch's running totals (two statements) ride along with
    /// its commit instead of costing two of their own. A value that cannot be written as a
    /// literal (text with a NUL) is sent now, as a parameter, and refused there as always.
    ///
    /// A held-back statement is prepared once per connection (`PREPARE`) and then sent as
    /// `EXECUTE name(literals)`: PostgreSQL parses a short list of literals instead of the
    /// whole statement, and plans it once (a batch's rows, held back, took as long to parse and
    /// plan as the round trip saved).
    fn execute_later(&mut self, sql: &str, args: &[Value]) -> Result<(), StoreError> {
        if self.role != Role::Writer || !self.open {
            return self.execute(sql, args).map(drop);
        }
        let held = match self.prepared_held(sql, args.len())? {
            Some(name) => value::argument_list(args).map(|list| format!("EXECUTE {name}{list}")),
            None => value::with_literals(sql, args),
        };
        match held {
            Some(held) => {
                self.later.push(held);
                Ok(())
            }
            None => self.execute(sql, args).map(drop),
        }
    }
}

pub use crate::db::writer::WriteConn;

impl WriteConn for PgConn {
    /// The transaction, the write lock and the first job's savepoint in one round trip, or
    /// none when the last commit began them (a batch costs a handful: its statements, the
    /// commit, and this one only after a pause).
    fn begin(&mut self) -> Result<(), StoreError> {
        let next = std::mem::replace(&mut self.next, Next::Nothing);
        self.savepoint = Savepoint::Ready;
        let result = match next {
            Next::Locked if self.in_transaction() => return Ok(()),
            // The lock before the savepoint: rolling back to a savepoint releases the locks
            // taken after it.
            Next::Unlocked if self.in_transaction() => self.batch(&format!(
                "RELEASE SAVEPOINT job; SELECT pg_advisory_xact_lock({WRITE_LOCK}); SAVEPOINT job"
            )),
            _ => self.begin_block(&format!(
                "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock({WRITE_LOCK}); SAVEPOINT job"
            )),
        };
        if let Err(e) = result {
            // The lock may have timed out after BEGIN, leaving an aborted transaction that
            // every later statement would fail in: marked open, so that `rollback` ends it.
            self.open = !self.client.is_closed();
            return Err(e);
        }
        Ok(())
    }

    /// Releases the previous job's savepoint, if it was kept, in the same round trip as it sets
    /// this job's: one round trip per job, and savepoints never nest (kept open, a batch's
    /// savepoints nested up to 256 deep, and PostgreSQL's work per statement grew with the
    /// depth: measured, its share of the CPU fell by a fifth once they were released).
    fn savepoint(&mut self) -> Result<(), StoreError> {
        match self.savepoint {
            Savepoint::Ready => {}
            Savepoint::Kept => self.batch("RELEASE SAVEPOINT job; SAVEPOINT job")?,
            Savepoint::None => self.batch("SAVEPOINT job")?,
        }
        self.savepoint = Savepoint::None;
        Ok(())
    }

    /// Keeps the savepoint until the next job's or the commit, which end it in their round trip.
    fn release(&mut self) -> Result<(), StoreError> {
        self.savepoint = Savepoint::Kept;
        Ok(())
    }

    fn rollback_to(&mut self) -> Result<(), StoreError> {
        self.savepoint = Savepoint::None;
        // What the job held back is undone with it.
        self.later.clear();
        self.batch("ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job")
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        // If the connection breaks during COMMIT the outcome is unknown: the error goes out and
        // the client's retry with the same idempotency key finds out.
        let what = self.what("COMMIT");
        let sql = self.with_later("COMMIT");
        let result = self.client.batch_execute(&sql);
        // A commit the server refused (a held-back write failed before it) leaves the
        // transaction open and aborted: `committed` keeps it marked open, so that `rollback`
        // ends it, or the next BEGIN fails too.
        self.committed(result, &what)?;
        self.open = false;
        Ok(())
    }

    /// The commit and the next transaction in one round trip: under load a batch is a few round
    /// trips, each a wake-up of PostgreSQL's process on a busy machine, and `begin` was one of
    /// them. The lock is only tried (a waiting collector gets it first, as the lock manager
    /// grants it at the commit) so nothing after the commit in this string can fail but a
    /// broken connection, whose commit is of unknown outcome anyway (see `commit`).
    fn commit_then_begin(&mut self) -> Result<(), StoreError> {
        let sql = format!(
            "COMMIT; BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_try_advisory_xact_lock({WRITE_LOCK}); SAVEPOINT job"
        );
        let what = self.what("COMMIT");
        let sql = self.with_later(&sql);
        match self.client.simple_query(&sql) {
            Ok(messages) => {
                let locked = messages.iter().any(|m| {
                    matches!(m, postgres::SimpleQueryMessage::Row(row) if row.get(0) == Some("t"))
                });
                self.next = if locked { Next::Locked } else { Next::Unlocked };
                self.committed(Ok(()), &what)
            }
            Err(e) => {
                // Whatever of the string ran after the commit is undone by `rollback`.
                self.next = Next::Nothing;
                self.committed(Err(e), &what)
            }
        }
    }

    fn nothing_committed(&self) -> bool {
        self.refused
    }

    fn rollback(&mut self) {
        self.next = Next::Nothing;
        self.later.clear();
        if self.open && !self.client.is_closed() {
            // A failure leaves `open` set, so that the connection is replaced.
            if self.batch("ROLLBACK").is_ok() {
                self.open = false;
            }
        } else {
            self.open = false;
        }
    }

    fn in_transaction(&self) -> bool {
        self.open && !self.client.is_closed()
    }

    fn tx(&mut self) -> &mut dyn Tx {
        self
    }
}

/// The [`Tx`] of a PostgreSQL client inside a transaction block: a `postgres::Transaction`, or
/// a `Client` after `BEGIN` (as [`Postgres`] uses it, so that one transaction can hold a batch
/// of savepoints).
pub struct PgTx<'a, C: GenericClient> {
    client: &'a mut C,
    statements: &'a mut Statements,
    /// Inside a transaction block, where a failed prepare would abort the transaction.
    in_block: bool,
}

impl<'a, 't> PgTx<'a, postgres::Transaction<'t>> {
    /// A `Tx` over `transaction`, with the statements prepared on its connection in `cache`.
    pub fn over(
        transaction: &'a mut postgres::Transaction<'t>,
        cache: &'a mut StatementCache,
    ) -> PgTx<'a, postgres::Transaction<'t>> {
        PgTx {
            client: transaction,
            statements: &mut cache.0,
            in_block: true,
        }
    }
}

/// Prepared statements for [`PgTx::over`]; keep one per connection.
#[derive(Default)]
pub struct StatementCache(Statements);

impl<C: GenericClient> PgTx<'_, C> {
    /// The prepared statement for `sql` and these values. PostgreSQL infers each parameter's
    /// type from the SQL; where that cannot be done (`coalesce(?1, 0)`) or a value does not fit
    /// the type inferred (`SELECT ?1` is text there, an integer in SQLite), the statement is
    /// prepared with the values' own types instead (once per combination), and PostgreSQL
    /// itself says whether the query makes sense with them.
    fn statement(&mut self, sql: &str, args: &[Value]) -> Result<Statement, StoreError> {
        let inferred = if self.statements.needs_types.contains(sql) {
            None
        } else if let Some(statement) = self.statements.by_sql.get(sql) {
            Some(statement.clone())
        } else {
            self.prepare_inferred(sql)?
        };
        if let Some(statement) = &inferred
            && value::fit(args, statement.params())
        {
            return Ok(statement.clone());
        }
        let types: Vec<Type> = args
            .iter()
            .enumerate()
            .map(|(i, v)| match (v, &inferred) {
                (Value::Null, Some(s)) => s.params().get(i).cloned().unwrap_or(Type::TEXT),
                _ => value::natural_type(v),
            })
            .collect();
        let key = format!("{types:?}\n{sql}");
        if let Some(statement) = self.statements.by_sql.get(&key) {
            return Ok(statement.clone());
        }
        let statement =
            self.guarded(|client| client.prepare_typed(&numbered_as_dollar(sql), &types));
        let statement =
            statement.map_err(|e| pg_error(&format!("cannot prepare {}", first_line(sql)), &e))?;
        self.statements.by_sql.insert(key, statement.clone());
        Ok(statement)
    }

    /// Prepares `sql` with the types PostgreSQL infers; `None` if it cannot infer them.
    fn prepare_inferred(&mut self, sql: &str) -> Result<Option<Statement>, StoreError> {
        match self.guarded(|client| client.prepare(&numbered_as_dollar(sql))) {
            Ok(statement) => {
                self.statements
                    .by_sql
                    .insert(sql.to_owned(), statement.clone());
                Ok(Some(statement))
            }
            // "could not determine data type of parameter": 42P18, or 42P08 when one parameter
            // appears where PostgreSQL infers a type and where it cannot (`?8 IS NULL`).
            Err(e)
                if e.code() == Some(&SqlState::INDETERMINATE_DATATYPE)
                    || e.code() == Some(&SqlState::AMBIGUOUS_PARAMETER) =>
            {
                self.statements.needs_types.insert(sql.to_owned());
                Ok(None)
            }
            Err(e) => Err(pg_error(&format!("cannot prepare {}", first_line(sql)), &e)),
        }
    }

    /// Runs `prepare` in a savepoint when inside a transaction block: a failed prepare would
    /// abort the whole transaction, and a failure here may only mean "try with types".
    fn guarded(
        &mut self,
        prepare: impl FnOnce(&mut C) -> Result<Statement, postgres::Error>,
    ) -> Result<Statement, postgres::Error> {
        if !self.in_block {
            return prepare(self.client);
        }
        self.client.batch_execute("SAVEPOINT prepare")?;
        let result = prepare(self.client);
        let end = if result.is_ok() {
            "RELEASE SAVEPOINT prepare"
        } else {
            "ROLLBACK TO SAVEPOINT prepare; RELEASE SAVEPOINT prepare"
        };
        // The prepare's own error says more than a failed savepoint command after it.
        match (result, self.client.batch_execute(end)) {
            (Ok(statement), Ok(())) => Ok(statement),
            (Err(e), _) | (Ok(_), Err(e)) => Err(e),
        }
    }
}
impl<C: GenericClient> Tx for PgTx<'_, C> {
    fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, StoreError> {
        let statement = self.statement(sql, args)?;
        let params = value::params(args);
        self.client
            .execute(&statement, &value::refs(&params))
            .map_err(|e| pg_error(first_line(sql), &e))
    }

    fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, StoreError> {
        let statement = self.statement(sql, args)?;
        let params = value::params(args);
        self.client
            .query(&statement, &value::refs(&params))
            .map_err(|e| pg_error(first_line(sql), &e))?
            .iter()
            .map(value::row)
            .collect()
    }
}

/// An error that says the connection is gone: closed, ended by the server (class 57P:
/// shutdown, crash, restart), or no answer at all (an I/O error).
fn broken(e: &postgres::Error) -> bool {
    e.is_closed()
        || e.code().is_some_and(|c| c.code().starts_with("57P"))
        || (e.as_db_error().is_none() && e.code().is_none())
}

/// The highest `?N` in `sql` outside quotes (0 for none): `EXECUTE` takes exactly that many.
fn highest_parameter(sql: &str) -> usize {
    let mut highest = 0;
    replace_parameters(sql, |n| {
        highest = highest.max(n);
        Some(String::new())
    });
    highest
}

fn first_line(sql: &str) -> &str {
    sql.trim().lines().next().unwrap_or_default()
}
