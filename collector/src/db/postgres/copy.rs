//! `collector migrate --to postgres://…`: copies an SQLite database into an empty PostgreSQL
//! database, completely and in one PostgreSQL transaction, so that a town can switch its
//! `database` to the URL afterwards.
//!
//! Generic over the schema: the tables, their columns and their order (referenced tables first)
//! come from the SQLite file itself, rows go in through [`Tx`], and every identity sequence is
//! set past the copied ids at the end; a new migration needs no change here.

use super::Postgres;
use crate::db::{Backend, SqliteStore, StoreError, Tx, Value};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One copied table and its row count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedTable {
    pub table: String,
    pub rows: u64,
}

/// Copies every table of the SQLite database at `source` into the PostgreSQL database at
/// `target_url` (migrated first), refusing if any of its tables holds a row. The collector
/// should be stopped meanwhile; the copy reads one SQLite snapshot anyway.
pub fn sqlite_to_postgres(source: &Path, target_url: &str) -> Result<Vec<CopiedTable>, StoreError> {
    if !source.is_file() {
        return Err(StoreError(format!(
            "{} is no SQLite database (no such file)",
            source.display()
        )));
    }
    // Brings an older file up to this collector's schema, which the PostgreSQL side has too.
    drop(SqliteStore::open(source)?);
    let target = Postgres::open(target_url)?;
    let source: PathBuf = source.to_owned();
    target.write(move |tx| copy_all(&source, tx))
}

fn copy_all(source: &Path, target: &mut dyn Tx) -> Result<Vec<CopiedTable>, StoreError> {
    let sqlite = Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    // One read transaction: every table from the same commit.
    sqlite.execute_batch("BEGIN")?;
    let tables = tables_in_order(&sqlite)?;
    for (table, _) in &tables {
        if target
            .query_one(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), &[])?
            .bool(0)?
        {
            return Err(StoreError(format!(
                "the PostgreSQL database already holds data (table {table}); copy only into an empty database"
            )));
        }
    }
    let mut copied = Vec::with_capacity(tables.len());
    for (table, columns) in &tables {
        let rows = copy_table(&sqlite, target, table, columns)?;
        let there = target
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])?
            .count(0)?;
        if there != rows {
            return Err(StoreError(format!(
                "copied {rows} rows of {table}, PostgreSQL counts {there}"
            )));
        }
        copied.push(CopiedTable {
            table: table.clone(),
            rows,
        });
    }
    set_identities(target, tables.iter().map(|(t, _)| t.as_str()))?;
    sqlite.execute_batch("COMMIT")?;
    Ok(copied)
}

/// The tables with their columns, every table after the ones it references.
fn tables_in_order(sqlite: &Connection) -> Result<Vec<(String, Vec<String>)>, StoreError> {
    let names: Vec<String> = sqlite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut pending: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for name in names {
        identifier(&name)?;
        let columns: Vec<String> = sqlite
            .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?
            .query_map([&name], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for c in &columns {
            identifier(c)?;
        }
        let references: Vec<String> = sqlite
            .prepare("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)")?
            .query_map([&name], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?
            .into_iter()
            .filter(|t| *t != name)
            .collect();
        pending.insert(name, (columns, references));
    }
    let mut ordered: Vec<(String, Vec<String>)> = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready = pending
            .iter()
            .find(|(_, (_, refs))| refs.iter().all(|r| ordered.iter().any(|(t, _)| t == r)))
            .map(|(name, _)| name.clone())
            .ok_or_else(|| {
                StoreError(format!(
                    "the tables {:?} reference each other or a missing table; no order to copy them in",
                    pending.keys().collect::<Vec<_>>()
                ))
            })?;
        if let Some((columns, _)) = pending.remove(&ready) {
            ordered.push((ready, columns));
        }
    }
    Ok(ordered)
}

/// Table and column names go into SQL text: only plain lowercase names, as the migrations write.
fn identifier(name: &str) -> Result<(), StoreError> {
    if !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        Ok(())
    } else {
        Err(StoreError(format!(
            "the SQLite database has a table or column named {name:?}, which is not from the collector's migrations"
        )))
    }
}

fn copy_table(
    sqlite: &Connection,
    target: &mut dyn Tx,
    table: &str,
    columns: &[String],
) -> Result<u64, StoreError> {
    let list = columns.join(", ");
    let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    let insert = format!(
        "INSERT INTO {table} ({list}) VALUES ({})",
        placeholders.join(", ")
    );
    let mut select = sqlite.prepare(&format!("SELECT {list} FROM {table}"))?;
    let mut rows = select.query([])?;
    let mut copied = 0_u64;
    let mut values = Vec::with_capacity(columns.len());
    while let Some(row) = rows.next()? {
        values.clear();
        for (i, column) in columns.iter().enumerate() {
            values.push(match row.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(v) => Value::Int(v),
                ValueRef::Text(t) => Value::Text(
                    std::str::from_utf8(t)
                        .map_err(|_| {
                            StoreError(format!("{table}.{column} holds text that is not UTF-8"))
                        })?
                        .to_owned(),
                ),
                ValueRef::Real(_) | ValueRef::Blob(_) => {
                    return Err(StoreError(format!(
                        "{table}.{column} holds a real number or a blob, which the collector never writes"
                    )));
                }
            });
        }
        target.execute(&insert, &values)?;
        copied += 1;
    }
    Ok(copied)
}

/// Rows came with their ids: every identity sequence continues after the largest one.
fn set_identities<'t>(
    target: &mut dyn Tx,
    tables: impl Iterator<Item = &'t str>,
) -> Result<(), StoreError> {
    for table in tables {
        let identities = target.query(
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns
             WHERE table_schema = current_schema() AND CAST(table_name AS TEXT) = ?1 AND is_identity = 'YES'",
            crate::args![table],
        )?;
        for row in identities {
            let column = row.text(0)?;
            identifier(&column)?;
            target.query_one(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), coalesce(max({column}), 0) + 1, false) FROM {table}"
                ),
                &[],
            )?;
        }
    }
    Ok(())
}
