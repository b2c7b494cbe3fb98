//! Named accounts of the administration console: roles, passwords (argon2id), sessions in a
//! `__Host-` cookie with a CSRF token, a throttled sign-in, the accounts page for
//! administrators, and `collector user …` for the first account and for scripts.
//!
//! `role` (who may do what), `password` (hashing), `store` (the SQL), `session` (cookie,
//! CSRF, sign-in), `pages` (sign-in, sign-out, language, accounts), `cli` (the command line).

pub mod cli;
mod pages;
mod password;
pub mod role;
pub mod session;
pub mod store;

pub use pages::routes;
pub use role::{Permission, Role};

use crate::db::{self, StoreError, now};

/// Names are compared as stored: trimmed and lowercase.
pub fn normalise_name(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Why a (normalised) name cannot be an account's, in words for the person choosing it.
pub fn check_name(name: &str) -> Result<(), &'static str> {
    if !(2..=64).contains(&name.len()) {
        return Err("a name has 2 to 64 characters");
    }
    if !name.bytes().all(|b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-' | b'@')
    }) {
        return Err("a name has only letters a-z, digits and . _ - @");
    }
    Ok(())
}

/// What adding an account came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Added {
    Created,
    NameTaken,
}

/// Adds an account; the name and password are checked by the caller ([`check_name`],
/// `password::check_new`). Blocks: argon2 and the database.
pub fn add(
    store: &dyn db::Store,
    name: &str,
    role: Role,
    password: &str,
    by: &str,
) -> Result<Added, StoreError> {
    let hash = password::hash(password).map_err(StoreError)?;
    let (name, by) = (name.to_owned(), by.to_owned());
    let now = now().0;
    let created = db::write(store, move |tx| {
        store::create(tx, &name, role, &hash, now, &by)
    })?;
    Ok(if created {
        Added::Created
    } else {
        Added::NameTaken
    })
}

/// Sets a new password (and ends the account's sessions); `false`: no such account.
pub fn reset_password(
    store: &dyn db::Store,
    name: &str,
    password: &str,
    by: &str,
) -> Result<bool, StoreError> {
    let hash = password::hash(password).map_err(StoreError)?;
    let (name, by) = (name.to_owned(), by.to_owned());
    db::write(store, move |tx| {
        let Some((account, _)) = store::by_name(tx, &name)? else {
            return Ok(false);
        };
        store::set_password(tx, account.id, &hash, &by)?;
        Ok(true)
    })
}

pub use password::check_new as check_password;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(normalise_name("  Anna.Schmidt "), "anna.schmidt");
        assert!(check_name("anna.schmidt").is_ok());
        assert!(check_name("a").is_err());
        assert!(check_name("anna schmidt").is_err());
        assert!(check_name("ännä").is_err());
        assert!(check_name(&"a".repeat(65)).is_err());
    }
}
