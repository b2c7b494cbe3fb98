//! The databases the store contract runs on: each opens as many stores ("instances") on one
//! database as a test asks for.

use mitmachen_collector::db::{SqliteStore, Store};
use std::sync::Arc;

pub enum Database {
    Sqlite(tempfile::TempDir),
}

impl Database {
    /// A fresh SQLite file in a temporary directory.
    pub fn sqlite() -> Database {
        Database::Sqlite(tempfile::tempdir().expect("tempdir"))
    }

    /// One more store on this database, as another collector process would open it.
    pub fn open(&self) -> Arc<dyn Store> {
        match self {
            Database::Sqlite(dir) => {
                Arc::new(SqliteStore::open(&dir.path().join("store.sqlite3")).expect("open"))
            }
        }
    }
}
