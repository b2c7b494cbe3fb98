//! The databases the store contract runs on: each opens as many stores ("instances") on one
//! database as a test asks for.

use mitmachen_collector::db::postgres::Postgres;
use mitmachen_collector::db::{Db, SqliteStore, Store};
use std::sync::Arc;

pub enum Database {
    Sqlite(tempfile::TempDir),
    /// The URL of a fresh database on the test binary's throw-away cluster.
    Postgres(String),
}

impl Database {
    /// A fresh SQLite file in a temporary directory.
    pub fn sqlite() -> Database {
        Database::Sqlite(tempfile::tempdir().expect("tempdir"))
    }

    /// A fresh database on a throw-away PostgreSQL cluster (`support/postgres.rs`).
    pub fn postgres() -> Database {
        Database::Postgres(super::support::postgres::database())
    }

    /// One more store on this database, as another collector process would open it.
    pub fn open(&self) -> Arc<dyn Store> {
        match self {
            Database::Sqlite(dir) => {
                Arc::new(SqliteStore::open(&dir.path().join("store.sqlite3")).expect("open"))
            }
            Database::Postgres(url) => Arc::new(Db::new(Postgres::open(url).expect("open"))),
        }
    }
}
