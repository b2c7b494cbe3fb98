//! The database a test's collector runs on, and a look into it through the store's own
//! transaction interface (so that a test reads the same on either database).
//!
//! SQLite (a file in the test's folder) unless `MITMACHEN_TEST_DATABASE=postgres`: then each
//! test folder gets a fresh database on the test binary's throw-away PostgreSQL cluster, kept
//! for the folder, so that a collector restarted on the same folder finds its data.

use mitmachen_collector::db::postgres::Postgres;
use mitmachen_collector::db::{Backend, Row, Sqlite, StoreError, Tx};
use std::path::Path;

const URL_FILE: &str = "database-url";

/// Whether this run puts the collectors on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("MITMACHEN_TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

/// The `MITMACHEN_DATABASE` of the collectors started on `dir`.
pub fn for_dir(dir: &Path) -> String {
    if !on_postgres() {
        return dir.join("mitmachen.sqlite3").display().to_string();
    }
    let file = dir.join(URL_FILE);
    if let Ok(url) = std::fs::read_to_string(&file) {
        return url;
    }
    // The PostgreSQL client must not run on an async thread; tests call this from one.
    let url = std::thread::spawn(super::postgres::database)
        .join()
        .expect("a database");
    std::fs::write(&file, &url).expect("remember the database");
    url
}

/// Runs `f` in one write transaction of the database of `dir`, on a plain thread.
fn with_tx<T: Send + 'static>(
    dir: &Path,
    f: impl FnOnce(&mut dyn Tx) -> Result<T, StoreError> + Send + 'static,
) -> T {
    let database = for_dir(dir);
    std::thread::spawn(move || {
        if on_postgres() {
            Postgres::open(&database)?.write(f)
        } else {
            Sqlite::open(Path::new(&database))?.write(f)
        }
    })
    .join()
    .expect("thread")
    .expect("the database answers")
}

/// All rows of `query`.
pub fn rows(dir: &Path, query: &str) -> Vec<Row> {
    let query = query.to_owned();
    with_tx(dir, move |tx| tx.query(&query, &[]))
}

/// The first column of the first row of `query`, a number.
pub fn int(dir: &Path, query: &str) -> i64 {
    rows(dir, query)
        .first()
        .unwrap_or_else(|| panic!("no row from {query}"))
        .int(0)
        .expect("a number")
}

/// The first column of the first row of `query`, text.
pub fn text(dir: &Path, query: &str) -> String {
    rows(dir, query)
        .first()
        .unwrap_or_else(|| panic!("no row from {query}"))
        .text(0)
        .expect("text")
}

/// Runs `statement` (a test moving time forward, as far as the data knows).
pub fn execute(dir: &Path, statement: &str) {
    let statement = statement.to_owned();
    with_tx(dir, move |tx| tx.execute(&statement, &[]));
}
