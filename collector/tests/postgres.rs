//! The PostgreSQL backend against a real PostgreSQL (`support/postgres.rs`): values in and out,
//! migrations, write transactions of two "collectors" on one database, a server restart, and
//! the group-commit interface.

mod support;

use mitmachen_collector::db::migrations::MIGRATIONS;
use mitmachen_collector::db::postgres::{Postgres, WriteConn};
use mitmachen_collector::db::{Backend, Row, StoreError, Tx, Value};
use std::sync::Arc;
use support::postgres::{Cluster, database};

fn open() -> Postgres {
    Postgres::open(&database()).expect("open")
}

fn ok<T>(result: Result<T, StoreError>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_value_kind_goes_in_and_comes_out() {
    let pg = open();
    ok(pg.write(|tx| {
        tx.execute(
            "CREATE TABLE kinds (n INTEGER PRIMARY KEY, i8 BIGINT, i4 INTEGER, i2 SMALLINT,
                                 b BOOLEAN, t TEXT, v VARCHAR(40), c CHAR(3))",
            &[],
        )?;
        let insert =
            "INSERT INTO kinds (n, i8, i4, i2, b, t, v, c) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
        tx.execute(
            insert,
            &[
                Value::Int(1),
                Value::Int(i64::MAX),
                Value::Int(i64::from(i32::MIN)),
                Value::Int(-7),
                Value::Int(1),
                Value::from("grüß '?1' \u{1F600}"),
                Value::from(""),
                Value::from("abc"),
            ],
        )?;
        let nulls = [vec![Value::Int(2)], vec![Value::Null; 7]].concat();
        tx.execute(insert, &nulls)?;
        Ok(())
    }));
    let rows = ok(pg.read(|tx| {
        tx.query(
            "SELECT n, i8, i4, i2, b, t, v, c FROM kinds ORDER BY n",
            &[],
        )
    }));
    assert_eq!(
        rows,
        vec![
            Row(vec![
                Value::Int(1),
                Value::Int(i64::MAX),
                Value::Int(i64::from(i32::MIN)),
                Value::Int(-7),
                Value::Int(1),
                Value::from("grüß '?1' \u{1F600}"),
                Value::from(""),
                Value::from("abc"),
            ]),
            Row([vec![Value::Int(2)], vec![Value::Null; 7]].concat()),
        ]
    );
    // Expressions: booleans come out as 0/1, count(*) as an integer; parameters whose type
    // PostgreSQL cannot infer take the values' own.
    let row = ok(pg.read(|tx| {
        tx.query_one(
            "SELECT (SELECT count(*) FROM kinds), EXISTS (SELECT 1 FROM kinds WHERE b), 1 = 2, ?1, ?2, ?3, '?1'",
            &[Value::Int(5), Value::from("x"), Value::Null],
        )
    }));
    assert_eq!(
        row.0,
        vec![
            Value::Int(2),
            Value::Int(1),
            Value::Int(0),
            Value::Int(5),
            Value::from("x"),
            Value::Null,
            Value::from("?1"),
        ]
    );
    // The same statement again comes from the connection's cache, with other value kinds.
    let row = ok(pg.read(|tx| {
        tx.query_one(
            "SELECT (SELECT count(*) FROM kinds), EXISTS (SELECT 1 FROM kinds WHERE b), 1 = 2, ?1, ?2, ?3, '?1'",
            &[Value::from("y"), Value::Null, Value::Int(-1)],
        )
    }));
    assert_eq!(
        &row.0[3..6],
        &[Value::from("y"), Value::Null, Value::Int(-1)]
    );
    // One parameter both where PostgreSQL infers its type and where it cannot (the proposal
    // insert's `CASE WHEN ?8 IS NULL`).
    for (n, t) in [(3, Value::from("z")), (4, Value::Null)] {
        ok(pg.write(move |tx| {
            tx.execute(
                "INSERT INTO kinds (n, t, i8) VALUES (?1, ?2, CASE WHEN ?2 IS NULL THEN NULL ELSE 1 END)",
                &[Value::Int(n), t],
            )
        }));
    }
    let rows = ok(pg.read(|tx| tx.query("SELECT t, i8 FROM kinds WHERE n > 2 ORDER BY n", &[])));
    assert_eq!(
        rows,
        vec![
            Row(vec![Value::from("z"), Value::Int(1)]),
            Row(vec![Value::Null, Value::Null])
        ]
    );
}

#[test]
fn values_that_do_not_fit_are_clear_errors_and_roll_back() {
    let pg = open();
    ok(pg.write(|tx| {
        tx.execute(
            "CREATE TABLE small (i2 SMALLINT, b BOOLEAN, i8 BIGINT)",
            &[],
        )?;
        tx.execute("INSERT INTO small (i8) VALUES (1)", &[])
    }));
    let fails = |sql: &'static str, args: Vec<Value>| -> String {
        pg.write(move |tx| {
            tx.execute("INSERT INTO small (i8) VALUES (2)", &[])?;
            tx.execute(sql, &args)
        })
        .expect_err(sql)
        .0
    };
    let e = fails(
        "INSERT INTO small (i2) VALUES (?1)",
        vec![Value::Int(40_000)],
    );
    assert!(
        e.contains("PostgreSQL") && e.contains("40000 does not fit"),
        "{e}"
    );
    let e = fails("INSERT INTO small (b) VALUES (?1)", vec![Value::Int(2)]);
    assert!(e.contains("no boolean"), "{e}");
    let e = fails("INSERT INTO small (i8) VALUES (?1)", vec![Value::from("3")]);
    // PostgreSQL's own word on it: the statement is prepared with the value's type then.
    assert!(e.contains("42804") && e.contains("bigint"), "{e}");
    let e = fails("INSERT INTO nowhere VALUES (?1)", vec![Value::Int(1)]);
    assert!(e.contains("nowhere") && e.contains("42P01"), "{e}");
    let e = pg
        .read(|tx| tx.query("SELECT sum(i8) FROM small", &[]))
        .expect_err("numeric")
        .0;
    assert!(e.contains("CAST(sum(...) AS BIGINT)"), "{e}");
    let e = pg
        .read(|tx| tx.execute("INSERT INTO small (i8) VALUES (9)", &[]))
        .expect_err("read-only")
        .0;
    assert!(e.contains("read-only"), "{e}");
    // Each failed transaction took its own insert with it; the connections still work.
    let sum =
        ok(pg.read(|tx| tx.query_one("SELECT CAST(sum(i8) AS BIGINT), count(*) FROM small", &[])));
    assert_eq!(sum.0, vec![Value::Int(1), Value::Int(1)]);
    ok(pg.write(|tx| {
        tx.execute(
            "INSERT INTO small (i2, b) VALUES (?1, ?2)",
            &[Value::Int(-32768), Value::Int(0)],
        )
    }));
}

fn table_names(tx: &mut dyn Tx) -> Result<Vec<String>, StoreError> {
    tx.query(
        "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_name != 'schema_version'
         ORDER BY 1",
        &[],
    )?
    .iter()
    .map(|r| r.text(0))
    .collect()
}

#[test]
fn migrations_apply_once_and_make_the_tables_of_sqlite() {
    let url = database();
    // Two collectors starting at once: the advisory lock lets one migrate, the other finds it done.
    let opens: Vec<_> = (0..2)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || Postgres::open(&url).map(drop))
        })
        .collect();
    for open in opens {
        ok(open.join().expect("thread"));
    }
    let pg = ok(Postgres::open(&url));
    let versions =
        ok(pg.read(|tx| tx.query("SELECT version FROM schema_version ORDER BY version", &[])));
    let versions: Vec<i64> = versions.iter().map(|r| r.int(0).expect("int")).collect();
    let all: Vec<i64> = (1..=i64::try_from(MIGRATIONS.len()).expect("small")).collect();
    assert_eq!(versions, all);

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.sqlite3");
    drop(ok(mitmachen_collector::db::SqliteStore::open(&path)));
    let sqlite = rusqlite::Connection::open(&path).expect("sqlite");
    let mut stmt = sqlite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("prepare");
    let sqlite_tables: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    assert_eq!(ok(pg.read(table_names)), sqlite_tables);

    // The constraints came along: a proposal key that is no `p-` and 8 hex digits is refused.
    let e = pg
        .write(|tx| {
            tx.execute(
                "INSERT INTO submissions (receipt, widget, kind, idempotency_key, body_sha256, payload, response_body, created_at)
                 VALUES ('r', 'w', 'proposal', 'k', '', 'nope', '', '')",
                &[],
            )
        })
        .expect_err("not json");
    assert!(e.0.contains("json"), "{e}");
}

/// Two backends on one database are two collectors: each increments one counter 100 times by
/// reading it and writing it back in one write transaction; none of the 200 may be lost.
#[test]
fn write_transactions_of_two_collectors_never_interleave() {
    let url = database();
    let collectors = [ok(Postgres::open(&url)), ok(Postgres::open(&url))].map(Arc::new);
    ok(collectors[0].write(|tx| {
        tx.execute(
            "INSERT INTO widget_totals (widget, ballots) VALUES ('w', 0)",
            &[],
        )
    }));
    let threads: Vec<_> = collectors
        .iter()
        .flat_map(|pg| [pg.clone(), pg.clone()])
        .map(|pg| {
            std::thread::spawn(move || {
                for _ in 0..50 {
                    ok(pg.write(|tx| {
                        let n = tx
                            .query_one(
                                "SELECT ballots FROM widget_totals WHERE widget = ?1",
                                &[Value::from("w")],
                            )?
                            .int(0)?;
                        // Give the other collector every chance to read the same value.
                        std::thread::sleep(std::time::Duration::from_millis(1));
                        tx.execute(
                            "UPDATE widget_totals SET ballots = ?1 WHERE widget = ?2",
                            &[Value::Int(n + 1), Value::from("w")],
                        )
                    }));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
    let n = ok(collectors[1].read(|tx| tx.query_one("SELECT ballots FROM widget_totals", &[])));
    assert_eq!(n.int(0).ok(), Some(200));
}

/// A write that gives up waiting for the lock (another collector held it past the lock timeout)
/// fails alone: the writer's next transaction starts clean instead of inside the aborted one.
#[test]
fn a_write_lock_held_too_long_elsewhere_fails_one_batch_only() {
    let url = database();
    let (pg, other) = (Arc::new(ok(Postgres::open(&url))), ok(Postgres::open(&url)));
    let (held, hold) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        ok(other.with_write_conn(|conn| {
            conn.begin()?;
            held.send(()).expect("send");
            // Longer than the collector's lock timeout of 15 s.
            std::thread::sleep(std::time::Duration::from_secs(17));
            conn.rollback();
            Ok(())
        }));
    });
    hold.recv().expect("the lock is held");
    let insert = |name: &'static str| {
        move |tx: &mut dyn Tx| {
            tx.execute(
                "INSERT INTO secrets (name, value) VALUES (?1, 'v')",
                &[Value::from(name)],
            )
        }
    };
    let e = pg.write(insert("a")).expect_err("the lock timed out");
    assert!(e.0.contains("55P03") || e.0.contains("lock timeout"), "{e}");
    holder.join().expect("holder");
    ok(pg.write(insert("b")));
    let names = ok(pg.read(|tx| tx.query("SELECT name FROM secrets ORDER BY name", &[])));
    let names: Vec<String> = names.iter().map(|r| r.text(0).expect("text")).collect();
    assert_eq!(names, vec!["b"]);
}

#[test]
fn a_postgresql_restart_fails_calls_meanwhile_and_is_survived() {
    let cluster = Cluster::start();
    let pg = ok(Postgres::open(&cluster.create_database()));
    let insert = |pg: &Postgres, n: i64| {
        pg.write(move |tx| {
            tx.execute(
                "INSERT INTO secrets (name, value) VALUES (?1, 'x')",
                &[Value::from(format!("s{n}"))],
            )
        })
    };
    ok(insert(&pg, 1));
    ok(pg.read(|tx| tx.query("SELECT 1", &[])));
    // Every reader connected, so that each finds its connection broken after the restart.
    for _ in 0..8 {
        ok(pg.read_one(|tx| tx.query("SELECT 1", &[])));
    }
    cluster.stop();
    let e = insert(&pg, 2).expect_err("server down");
    assert!(e.0.starts_with("PostgreSQL"), "{e}");
    let e = pg
        .read(|tx| tx.query("SELECT 1", &[]))
        .expect_err("server down");
    assert!(e.0.starts_with("PostgreSQL"), "{e}");
    // Still down: the reconnect fails quickly and says so.
    let e = insert(&pg, 3).expect_err("server down");
    assert!(e.0.contains("cannot connect"), "{e}");
    cluster.start_again();
    // A read of one statement reconnects and runs again: none fails for the restart.
    for _ in 0..8 {
        ok(pg.read_one(|tx| tx.query("SELECT 1", &[])));
    }
    ok(insert(&pg, 4));
    let names = ok(pg.read(|tx| tx.query("SELECT name FROM secrets ORDER BY name", &[])));
    let names: Vec<String> = names.iter().map(|r| r.text(0).expect("text")).collect();
    assert_eq!(names, vec!["s1", "s4"]);
}

/// The collector calls the store from `spawn_blocking`; that works. On a runtime's worker
/// thread the `postgres` crate's own `block_on` panics, which is why it must not happen.
#[test]
fn calls_belong_on_blocking_threads_not_on_async_ones() {
    let pg = Arc::new(open());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let on_pool = pg.clone();
    let row = runtime.block_on(async move {
        tokio::task::spawn_blocking(move || on_pool.read(|tx| tx.query_one("SELECT 41 + 1", &[])))
            .await
            .expect("join")
    });
    assert_eq!(ok(row).int(0).ok(), Some(42));
    let on_worker = pg.clone();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime.block_on(async move { on_worker.read(|tx| tx.query_one("SELECT 1", &[])) })
    }));
    assert!(panicked.is_err());
    // The connection that was in use is replaced; the backend goes on working.
    ok(pg.read(|tx| tx.query_one("SELECT 1", &[])));
    ok(pg.read(|tx| tx.query_one("SELECT 1", &[])));
    // Dropping it where the collector drops its store, on an async thread, is fine.
    drop(on_pool_again(&runtime, pg.clone()));
    runtime.block_on(async move { drop(pg) });
}

/// Uses every connection once more from the blocking pool, so that all are open when dropped.
fn on_pool_again(runtime: &tokio::runtime::Runtime, pg: Arc<Postgres>) -> Result<(), StoreError> {
    runtime.block_on(async move {
        tokio::task::spawn_blocking(move || {
            ok(pg.write(|tx| tx.query("SELECT 1", &[])));
            for _ in 0..3 {
                ok(pg.read(|tx| tx.query("SELECT 1", &[])));
            }
            Ok(())
        })
        .await
        .map_err(|e| StoreError(e.to_string()))?
    })
}

/// Group commit: one transaction, a savepoint per job; a failed job's writes go, the others'
/// stay, all with one commit.
#[test]
fn a_batch_of_jobs_runs_in_one_transaction_with_savepoints() {
    let pg = open();
    let insert = |conn: &mut dyn WriteConn, name: &str| {
        conn.tx().execute(
            "INSERT INTO secrets (name, value) VALUES (?1, 'v')",
            &[Value::from(name)],
        )
    };
    ok(pg.with_write_conn(|conn| {
        conn.begin()?;
        for (name, fails) in [("a", false), ("b", true), ("c", false), ("a", false)] {
            conn.savepoint()?;
            // "a" twice: the second violates the primary key, an error like a failing job's.
            let result = insert(conn, name).and_then(|n| {
                if fails {
                    Err(StoreError("the job failed".into()))
                } else {
                    Ok(n)
                }
            });
            if result.is_ok() {
                conn.release()?;
            } else {
                conn.rollback_to()?;
            }
            assert!(conn.in_transaction());
        }
        conn.commit()?;
        assert!(!conn.in_transaction());
        Ok(())
    }));
    let names = ok(pg.read(|tx| tx.query("SELECT name FROM secrets ORDER BY name", &[])));
    let names: Vec<String> = names.iter().map(|r| r.text(0).expect("text")).collect();
    assert_eq!(names, vec!["a", "c"]);
}

/// A read of one statement sees what was committed and runs outside a transaction; a second
/// statement is an error, not a read of two snapshots.
#[test]
fn a_read_of_one_statement_runs_alone() {
    let pg = open();
    ok(pg.write(|tx| tx.execute("INSERT INTO secrets (name, value) VALUES ('n', 'v')", &[])));
    // read() begins a repeatable-read transaction; a statement alone runs as the server's
    // default has it.
    let alone = "SELECT value, current_setting('transaction_isolation') FROM secrets";
    let row = ok(pg.read_one(|tx| tx.query_one(alone, &[])));
    assert_eq!(row.text(0).ok().as_deref(), Some("v"));
    assert_eq!(row.text(1).ok().as_deref(), Some("read committed"));
    let row = ok(pg.read(|tx| tx.query_one(alone, &[])));
    assert_eq!(row.text(1).ok().as_deref(), Some("repeatable read"));
    let e = pg
        .read_one(|tx| {
            tx.query("SELECT 1", &[])?;
            tx.query("SELECT 2", &[])
        })
        .expect_err("a second statement");
    assert!(e.0.contains("second"), "{e}");
}

/// Writes held back (`execute_later`) go with the next round trip: a read after them sees them,
/// a rolled-back savepoint drops them, the commit carries the rest, values arrive as written
/// (as literals of a statement prepared once); one that fails fails the commit, which says that
/// nothing was committed, and nothing of the transaction stays.
#[test]
fn writes_held_back_run_in_order_and_fail_the_commit_they_ride_with() {
    let pg = open();
    let later = |conn: &mut dyn WriteConn, name: &str| {
        conn.tx().execute_later(
            "INSERT INTO secrets (name, value) VALUES (?1, ?2)",
            &[Value::from(name), Value::from("it's ?1 \\ \u{e4}")],
        )
    };
    ok(pg.with_write_conn(|conn| {
        conn.begin()?;
        conn.savepoint()?;
        later(conn, "x")?;
        let seen = conn
            .tx()
            .query("SELECT count(*) FROM secrets WHERE name = 'x'", &[])?;
        assert_eq!(seen[0].int(0)?, 1, "a read sends what was held back first");
        conn.release()?;
        conn.savepoint()?;
        later(conn, "y")?;
        conn.rollback_to()?;
        conn.savepoint()?;
        later(conn, "z")?;
        conn.release()?;
        conn.commit()
    }));
    let rows = ok(pg.read(|tx| tx.query("SELECT name, value FROM secrets ORDER BY name", &[])));
    let rows: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.text(0).expect("name"), r.text(1).expect("value")))
        .collect();
    let value = "it's ?1 \\ \u{e4}".to_owned();
    assert_eq!(rows, vec![("x".into(), value.clone()), ("z".into(), value)]);
    // Held back three times, prepared once (on this connection).
    let prepared = ok(pg.with_write_conn(|conn| {
        conn.tx().query(
            "SELECT statement FROM pg_prepared_statements WHERE name LIKE 'held%'",
            &[],
        )
    }));
    assert_eq!(prepared.len(), 1);
    assert!(ok(prepared[0].text(0)).contains("INSERT INTO secrets"));

    let failed = pg.with_write_conn(|conn| {
        conn.begin()?;
        conn.savepoint()?;
        later(conn, "w")?;
        // "x" again: the primary key refuses it, at the commit.
        later(conn, "x")?;
        conn.release()?;
        let committed = conn.commit();
        // A taken key: the database refused the commit, so nothing of it was committed (the
        // writer may run an optimistic batch again).
        assert!(committed.is_err() && conn.nothing_committed());
        conn.rollback();
        committed
    });
    let error = failed.expect_err("a held-back write that fails fails the commit");
    assert!(error.0.contains("held back"), "{error}");
    let names = ok(pg.read(|tx| tx.query("SELECT name FROM secrets ORDER BY name", &[])));
    assert_eq!(names.len(), 2, "nothing of the failed transaction stays");
    // The refused commit's transaction was ended: the next one on the connection goes through.
    ok(pg.with_write_conn(|conn| {
        conn.begin()?;
        conn.savepoint()?;
        later(conn, "v")?;
        conn.release()?;
        conn.commit()
    }));
    let names = ok(pg.read(|tx| tx.query("SELECT name FROM secrets ORDER BY name", &[])));
    assert_eq!(names.len(), 3);
}

const MIGRATE_CONFIG: &str = r#"
[widgets.ideen]
moderation = "post"

[events.klein]
title = "Werkstatt"
start = "2099-04-17T10:00+02:00"
capacity = 1

[newsletters.newsletter]
title = "Newsletter"
lists = { termine = "Veranstaltungen" }
"#;

/// An SQLite database as a running collector leaves it: ballots, a proposal, a seat and a place
/// on the waiting list with their mails, a subscription request with its proof.
fn sqlite_from_a_collector(dir: &std::path::Path) -> std::path::PathBuf {
    use serde_json::json;
    use support::{Collector, submit};
    let outbox = dir.join("outbox");
    // SQLite whatever database the other tests' collectors are on: this is the copy's source.
    let sqlite = dir.join("mitmachen.sqlite3");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let c = Collector::start_with_config(
            dir,
            MIGRATE_CONFIG,
            &[
                ("MITMACHEN_DATABASE", sqlite.to_str().expect("utf-8")),
                ("MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE", "0"),
                ("MITMACHEN_MAIL_OUTBOX", outbox.to_str().expect("utf-8")),
            ],
        );
        let bodies = [
            ("haushalt", json!({"kind": "poll", "choices": ["ja"]})),
            ("haushalt", json!({"kind": "poll", "choices": ["nein"]})),
            ("ideen", json!({"kind": "proposal", "title": "Mehr Bänke", "description": "am Markt"})),
            ("klein", json!({"kind": "registration", "name": "Erika", "email": "erika@example.de", "persons": 1, "lang": "de"})),
            ("klein", json!({"kind": "registration", "name": "Max", "email": "max@example.de", "persons": 1, "lang": "de"})),
            ("newsletter", json!({
                "kind": "subscription", "email": "lena@example.de", "name": "Lena", "lists": ["termine"],
                "consent": "Ja, ich möchte den Newsletter erhalten.",
                "privacy": "https://www.musterstadt.de/datenschutz",
                "page": "https://www.musterstadt.de/newsletter", "lang": "de",
            })),
        ];
        for (n, (widget, body)) in bodies.iter().enumerate() {
            let res = submit(&c, widget, n + 1, body).await;
            assert_eq!(res.status().as_u16(), 201, "{widget}: {:?}", res.text().await);
        }
    });
    sqlite
}

fn migrate_command(sqlite: &std::path::Path, url: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_collector"))
        .args(["migrate", "--to", url])
        .env_clear()
        .env("MITMACHEN_DATABASE", sqlite)
        .output()
        .expect("run collector migrate")
}

#[test]
fn migrate_copies_an_sqlite_database_that_then_works_on_postgresql() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite_path = sqlite_from_a_collector(dir.path());
    let url = database();

    let out = migrate_command(&sqlite_path, &url);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let printed: Vec<(String, u64)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let (t, n) = l.split_once(' ').expect("TABLE ROWS");
            (t.to_owned(), n.parse().expect("count"))
        })
        .collect();

    // Every table, with exactly the rows SQLite has.
    let sqlite = rusqlite::Connection::open(&sqlite_path).expect("sqlite");
    let count = |table: &str| -> u64 {
        sqlite
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .expect("count")
    };
    let mut tables: Vec<String> = sqlite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    tables.sort();
    let mut printed_tables: Vec<String> = printed.iter().map(|(t, _)| t.clone()).collect();
    printed_tables.sort();
    assert_eq!(printed_tables, tables);
    for (table, rows) in &printed {
        assert_eq!(*rows, count(table), "{table}");
    }
    for (table, at_least) in [
        ("submissions", 6),
        ("tallies", 2),
        ("proposals", 1),
        ("registrations", 2),
        ("cancel_tokens", 1),
        ("mail_queue", 3),
        ("subscriptions", 1),
        ("consent_texts", 1),
        ("secrets", 1),
    ] {
        assert!(count(table) >= at_least, "{table}: {}", count(table));
    }
    // Referenced tables come first.
    let at = |t: &str| printed.iter().position(|(p, _)| p == t).expect("listed");
    assert!(at("submissions") < at("registrations") && at("registrations") < at("mail_queue"));
    assert!(at("widget_totals") < at("tallies") && at("subscriptions") < at("mail_queue"));

    // The PostgreSQL backend works on the copy: same rows, and new rows get fresh ids.
    let pg = ok(Postgres::open(&url));
    let receipts = ok(pg.read(|tx| {
        tx.query(
            "SELECT id, receipt, payload FROM submissions ORDER BY id",
            &[],
        )
    }));
    let mut stmt = sqlite
        .prepare("SELECT id, receipt, payload FROM submissions ORDER BY id")
        .expect("prepare");
    let expected: Vec<Row> = stmt
        .query_map([], |r| {
            Ok(Row(vec![
                Value::Int(r.get(0)?),
                Value::Text(r.get(1)?),
                Value::Text(r.get(2)?),
            ]))
        })
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    assert_eq!(receipts, expected);
    let max = |table: &str| -> i64 {
        sqlite
            .query_row(&format!("SELECT max(id) FROM {table}"), [], |r| r.get(0))
            .expect("max")
    };
    let (submission, mail) = ok(pg.write(|tx| {
        let submission = tx
            .query_one(
                "INSERT INTO submissions (receipt, widget, kind, idempotency_key, body_sha256, payload, response_body, created_at)
                 VALUES ('neu', 'haushalt', 'poll', 'k-neu', '', '{}', '', '2026-12-03T00:00:00Z') RETURNING id",
                &[],
            )?
            .int(0)?;
        let mail = tx
            .query_one(
                "INSERT INTO mail_queue (registration, kind, created_at, next_attempt_ms)
                 SELECT min(id), 'confirmation', '2026-12-03T00:00:00Z', 0 FROM registrations RETURNING id",
                &[],
            )?
            .int(0)?;
        Ok((submission, mail))
    }));
    assert_eq!(submission, max("submissions") + 1);
    assert_eq!(mail, max("mail_queue") + 1);

    // Once there is data, a second copy is refused and changes nothing.
    let again = migrate_command(&sqlite_path, &url);
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("already holds data"), "{stderr}");
    let n = ok(pg.read(|tx| tx.query_one("SELECT count(*) FROM submissions", &[])));
    assert_eq!(n.count(0).ok(), Some(count("submissions") + 1));
}

#[test]
fn migrate_refuses_what_it_cannot_copy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nothing.sqlite3");
    let out = migrate_command(&missing, &database());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such file"));
    let out = migrate_command(&missing, "mysql://db/x");
    assert_eq!(out.status.code(), Some(2));
    let out = migrate_command(&missing, "postgres://m:geheim@127.0.0.1:1/x");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("geheim"), "{stderr}");
}

/// The collector started with a PostgreSQL URL migrates, serves, and never logs the password.
#[test]
fn the_collector_serves_from_postgresql_and_never_shows_the_password() {
    let url = database().replace("postgres://postgres@", "postgres://postgres:geheim@");
    let dir = tempfile::tempdir().expect("tempdir");
    let c = support::Collector::start(dir.path(), &[("MITMACHEN_DATABASE", &url)]);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(serves(&c));
    let log = c.log();
    assert!(!log.contains("geheim"), "{log}");
    let pg = open_url(&url);
    let version = ok(pg.read(|tx| tx.query_one("SELECT max(version) FROM schema_version", &[])));
    assert_eq!(
        version.int(0).ok(),
        Some(i64::try_from(MIGRATIONS.len()).expect("small"))
    );
}

fn open_url(url: &str) -> Postgres {
    ok(Postgres::open(url))
}

/// A ballot in, its results out, over HTTP.
async fn serves(c: &support::Collector) {
    let client = reqwest::Client::new();
    let health = client
        .get(format!("{}/v1/health", c.url))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), 200);
    let body = r#"{"kind":"poll","choices":["ja"]}"#;
    let sent = client
        .post(format!("{}/v1/widgets/umfrage/submissions", c.url))
        .header("content-type", "application/json")
        .header("idempotency-key", "pg-key-0001")
        .header("origin", support::ORIGIN)
        .body(body)
        .send()
        .await
        .expect("submit");
    assert_eq!(sent.status(), 201);
    let results: serde_json::Value = client
        .get(format!("{}/v1/widgets/umfrage/results", c.url))
        .header("origin", support::ORIGIN)
        .send()
        .await
        .expect("results")
        .json()
        .await
        .expect("json");
    assert_eq!(results["ballots"], 1);
    assert_eq!(results["counts"]["ja"], 1);
}

/// TLS is negotiated as `sslmode` says: the test server offers none, so `prefer` (the default)
/// connects in plain and `require` is refused.
#[test]
fn sslmode_require_refuses_a_server_without_tls() {
    let url = database();
    ok(Postgres::open(&format!("{url}?sslmode=prefer")));
    let e = Postgres::open(&format!("{url}?sslmode=require"))
        .map(drop)
        .expect_err("no TLS on the test server");
    assert!(e.0.contains("cannot connect"), "{e}");
}

/// The collector's statements are lookups of a few rows. PostgreSQL planned a batch's key
/// lookups as a parallel query once (a young table without statistics), and its workers took
/// milliseconds to start for a tenth of one of work; so no connection of the store plans one,
/// even where the planner finds it cheap.
#[test]
fn no_statement_starts_parallel_workers() {
    let pg = open();
    let plan = |tx: &mut dyn Tx| -> Result<String, StoreError> {
        for cheap in [
            "SET LOCAL parallel_setup_cost = 0",
            "SET LOCAL parallel_tuple_cost = 0",
            "SET LOCAL min_parallel_table_scan_size = 0",
        ] {
            tx.execute(cheap, &[])?;
        }
        let rows = tx.query(
            "EXPLAIN SELECT * FROM submissions WHERE payload LIKE '%x%'",
            &[],
        )?;
        let lines: Vec<String> = rows.iter().map(|r| r.text(0)).collect::<Result<_, _>>()?;
        Ok(lines.join("\n"))
    };
    for (connection, plan) in [
        ("writer", ok(pg.write(plan))),
        ("reader", ok(pg.read(plan))),
    ] {
        assert!(plan.contains("Seq Scan"), "{connection}: {plan}");
        assert!(!plan.contains("Gather"), "{connection}: {plan}");
    }
}
