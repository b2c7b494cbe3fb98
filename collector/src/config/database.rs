//! `database` / `MITMACHEN_DATABASE`: an SQLite file (a path, or `sqlite:PATH`) or a
//! PostgreSQL URL (`postgres://` or `postgresql://`). Its `Debug` and `Display` never show a
//! password, so that the setting can be logged.

use super::ConfigError;
use std::fmt;
use std::path::{Path, PathBuf};

const KEY: &str = "database (MITMACHEN_DATABASE)";

#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    /// The URL as configured, checked to be one the `postgres` crate accepts.
    Postgres(String),
}

impl Database {
    pub fn parse(value: &str) -> Result<Database, ConfigError> {
        let value = value.trim();
        if value.is_empty() {
            return Err(ConfigError::new(KEY, "is empty"));
        }
        let lower = value.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return match value.parse::<postgres::Config>() {
                Ok(_) => Ok(Database::Postgres(value.to_owned())),
                Err(e) => Err(ConfigError::new(
                    KEY,
                    format!(
                        "{} is no PostgreSQL URL the collector can use ({e}); e.g. postgres://mitmachen:PASSWORD@db.example:5432/mitmachen",
                        redact(value)
                    ),
                )),
            };
        }
        if let Some(path) = value.strip_prefix("sqlite:") {
            if path.is_empty() {
                return Err(ConfigError::new(KEY, "sqlite: needs a file path after it"));
            }
            return Ok(Database::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = value.split_once("://") {
            return Err(ConfigError::new(
                KEY,
                format!(
                    "{scheme}:// is no database the collector knows: a file path (SQLite) or postgres://…"
                ),
            ));
        }
        Ok(Database::Sqlite(PathBuf::from(value)))
    }

    /// The SQLite file, if it is one.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Database::Sqlite(path) => Some(path),
            Database::Postgres(_) => None,
        }
    }
}

impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            Database::Postgres(_) => f.debug_tuple("Postgres").field(&self.to_string()).finish(),
        }
    }
}

/// The URL with the password of its user part and of a `password=` parameter replaced by `…`.
fn redact(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _password)) => format!("{name}:…@{host}"),
            None => format!("{user}@{host}"),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=…"),
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_urls() {
        assert_eq!(
            Database::parse("mitmachen.sqlite3").ok(),
            Some(Database::Sqlite("mitmachen.sqlite3".into()))
        );
        assert_eq!(
            Database::parse("sqlite:/var/lib/m.sqlite3").ok(),
            Some(Database::Sqlite("/var/lib/m.sqlite3".into()))
        );
        for url in [
            "postgres://m:geheim@db.example:5432/mitmachen",
            "postgresql://m@localhost/mitmachen?sslmode=disable",
            "postgres://m@%2Frun%2Fpostgresql/mitmachen",
        ] {
            assert_eq!(
                Database::parse(url).ok(),
                Some(Database::Postgres(url.into()))
            );
        }
        for bad in [
            "",
            "  ",
            "sqlite:",
            "mysql://x/y",
            "postgres://m@db:notaport/x",
        ] {
            let e = Database::parse(bad).expect_err(bad);
            assert_eq!(e.key, KEY);
        }
        let e = Database::parse("postgres://m:geheim@db:notaport/x").expect_err("port");
        assert!(!e.message.contains("geheim"), "{e}");
    }

    #[test]
    fn the_outbox_is_beside_an_sqlite_file_and_in_the_working_directory_with_postgres() {
        use crate::config::{Config, MailRoute};
        let c = Config::from_toml("database = \"/var/lib/m/m.sqlite3\"").expect("sqlite");
        assert!(c.mail.route == MailRoute::Outbox("/var/lib/m/mitmachen-outbox".into()));
        let c = Config::from_toml("database = \"postgres://m:geheim@db/m\"").expect("postgres");
        assert!(c.mail.route == MailRoute::Outbox("mitmachen-outbox".into()));
        assert!(!format!("{c:?}").contains("geheim"));
        assert!(Config::from_toml("database = \"mysql://db/m\"").is_err());
    }

    #[test]
    fn no_password_is_shown() {
        let db = Database::parse(
            "postgres://m:ge:heim@db.example/mitmachen?password=auch&sslmode=require",
        )
        .expect("url");
        for shown in [db.to_string(), format!("{db:?}")] {
            assert!(
                !shown.contains("heim") && !shown.contains("auch"),
                "{shown}"
            );
            assert!(
                shown.contains("postgres://m:…@db.example/mitmachen"),
                "{shown}"
            );
            assert!(shown.contains("sslmode=require"), "{shown}");
        }
        let db = Database::parse("postgres://m@db.example/x").expect("url");
        assert_eq!(db.to_string(), "postgres://m@db.example/x");
    }
}
