//! Accounts and sessions in the database. Each function runs inside the caller's transaction
//! (`db::read` / `db::write`); the rules (throttle, expiry, the last administrator) are in
//! `mod.rs` and `session.rs`, which call these.

use super::Role;
use crate::args;
use crate::audit::{self, Action};
use crate::db::{Row, StoreError, Tx};

/// An account as the sign-in and the session check need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub lang: String,
    pub disabled: bool,
    pub failed_sign_ins: u32,
    pub last_failed_at: Option<i64>,
}

const ACCOUNT_COLUMNS: &str =
    "id, name, role, lang, disabled_at IS NOT NULL, failed_sign_ins, last_failed_at";

fn account(row: &Row) -> Result<Account, StoreError> {
    let role = row.text(2)?;
    Ok(Account {
        id: row.int(0)?,
        name: row.text(1)?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError(format!("unknown role '{role}' in the database")))?,
        lang: row.text(3)?,
        disabled: row.bool(4)?,
        failed_sign_ins: row.u32(5)?,
        last_failed_at: row.opt_int(6)?,
    })
}

/// `false`: the name is taken (compared as stored: names are lowercase).
pub fn create(
    tx: &mut dyn Tx,
    name: &str,
    role: Role,
    password_hash: &str,
    now_ms: i64,
    by: &str,
) -> Result<bool, StoreError> {
    let inserted = tx.execute(
        "INSERT INTO accounts (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (name) DO NOTHING",
        args![name, role.as_str(), password_hash, now_ms],
    )?;
    if inserted == 1 {
        audit::record(tx, by, Action::AccountCreated, name, role.as_str())?;
    }
    Ok(inserted == 1)
}

/// The account's name, for the audit log.
fn name_of(tx: &mut dyn Tx, id: i64) -> Result<String, StoreError> {
    Ok(by_id(tx, id)?.map(|a| a.name).unwrap_or_default())
}

/// The account and its password hash.
pub fn by_name(tx: &mut dyn Tx, name: &str) -> Result<Option<(Account, String)>, StoreError> {
    tx.query_opt(
        &format!("SELECT {ACCOUNT_COLUMNS}, password_hash FROM accounts WHERE name = ?1"),
        args![name],
    )?
    .map(|row| Ok((account(&row)?, row.text(7)?)))
    .transpose()
}

pub fn by_id(tx: &mut dyn Tx, id: i64) -> Result<Option<Account>, StoreError> {
    tx.query_opt(
        &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1"),
        args![id],
    )?
    .map(|row| account(&row))
    .transpose()
}

/// Every account, by name.
pub fn list(tx: &mut dyn Tx) -> Result<Vec<Account>, StoreError> {
    tx.query(
        &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY name"),
        args![],
    )?
    .iter()
    .map(account)
    .collect()
}

/// Administrators that can still sign in.
pub fn active_administrators(tx: &mut dyn Tx) -> Result<u64, StoreError> {
    tx.query_one(
        "SELECT count(*) FROM accounts WHERE role = 'administrator' AND disabled_at IS NULL",
        args![],
    )?
    .count(0)
}

pub fn record_failure(tx: &mut dyn Tx, id: i64, now_ms: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE accounts SET failed_sign_ins = failed_sign_ins + 1, last_failed_at = ?2
         WHERE id = ?1",
        args![id, now_ms],
    )?;
    Ok(())
}

pub fn record_success(tx: &mut dyn Tx, id: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE accounts SET failed_sign_ins = 0, last_failed_at = NULL WHERE id = ?1",
        args![id],
    )?;
    Ok(())
}

pub fn set_role(tx: &mut dyn Tx, id: i64, role: Role, by: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE accounts SET role = ?2 WHERE id = ?1",
        args![id, role.as_str()],
    )?;
    let name = name_of(tx, id)?;
    audit::record(tx, by, Action::AccountRoleChanged, &name, role.as_str())
}

pub fn set_lang(tx: &mut dyn Tx, id: i64, lang: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE accounts SET lang = ?2 WHERE id = ?1",
        args![id, lang],
    )?;
    Ok(())
}

/// Disabling ends the account's sessions at once.
pub fn set_disabled(
    tx: &mut dyn Tx,
    id: i64,
    disabled: bool,
    now_ms: i64,
    by: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE accounts SET disabled_at = ?2 WHERE id = ?1",
        args![id, disabled.then_some(now_ms)],
    )?;
    if disabled {
        end_sessions_of(tx, id)?;
    }
    let name = name_of(tx, id)?;
    let action = if disabled {
        Action::AccountDisabled
    } else {
        Action::AccountEnabled
    };
    audit::record(tx, by, action, &name, "")
}

/// A new password ends the account's sessions, and lifts its throttle.
pub fn set_password(
    tx: &mut dyn Tx,
    id: i64,
    password_hash: &str,
    by: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE accounts SET password_hash = ?2, failed_sign_ins = 0, last_failed_at = NULL
         WHERE id = ?1",
        args![id, password_hash],
    )?;
    end_sessions_of(tx, id)?;
    let name = name_of(tx, id)?;
    audit::record(tx, by, Action::AccountPasswordSet, &name, "")
}

pub fn create_session(
    tx: &mut dyn Tx,
    id_hash: &str,
    account: i64,
    csrf: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sessions (id_hash, account, csrf, created_at, last_seen_at)
         VALUES (?1, ?2, ?3, ?4, ?4)",
        args![id_hash, account, csrf, now_ms],
    )?;
    Ok(())
}

/// A stored session: its CSRF token, times and account.
#[derive(Debug, Clone)]
pub struct StoredSession {
    pub csrf: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub account: Account,
}

pub fn session(tx: &mut dyn Tx, id_hash: &str) -> Result<Option<StoredSession>, StoreError> {
    let Some(row) = tx.query_opt(
        "SELECT account, csrf, created_at, last_seen_at FROM sessions WHERE id_hash = ?1",
        args![id_hash],
    )?
    else {
        return Ok(None);
    };
    let Some(account) = by_id(tx, row.int(0)?)? else {
        return Ok(None);
    };
    Ok(Some(StoredSession {
        csrf: row.text(1)?,
        created_at: row.int(2)?,
        last_seen_at: row.int(3)?,
        account,
    }))
}

pub fn touch_session(tx: &mut dyn Tx, id_hash: &str, now_ms: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE sessions SET last_seen_at = ?2 WHERE id_hash = ?1 AND last_seen_at < ?2",
        args![id_hash, now_ms],
    )?;
    Ok(())
}

pub fn end_session(tx: &mut dyn Tx, id_hash: &str) -> Result<(), StoreError> {
    tx.execute("DELETE FROM sessions WHERE id_hash = ?1", args![id_hash])?;
    Ok(())
}

fn end_sessions_of(tx: &mut dyn Tx, account: i64) -> Result<(), StoreError> {
    tx.execute("DELETE FROM sessions WHERE account = ?1", args![account])?;
    Ok(())
}

/// Forgets sessions idle since `idle_before` or begun before `begun_before`; how many.
pub fn purge_sessions(
    tx: &mut dyn Tx,
    idle_before: i64,
    begun_before: i64,
) -> Result<u64, StoreError> {
    tx.execute(
        "DELETE FROM sessions WHERE last_seen_at < ?1 OR created_at < ?2",
        args![idle_before, begun_before],
    )
}
