//! The bench's throw-away PostgreSQL cluster: the one the collector's tests start
//! (`collector/tests/support/postgres.rs`), included here so that the cluster is started one way
//! (Debian's `initdb` and `pg_ctl`, as the `postgres` user when run as root, fsync on as in
//! production, removed on drop or, if the bench is killed, by its watchdog).

#[allow(dead_code)] // the tests' helpers beside the cluster (a shared one, restarts)
#[path = "../../collector/tests/support/postgres.rs"]
mod cluster;

pub use cluster::Cluster;
