//! `[mail]` and its `MITMACHEN_SMTP_*` variables: where mails go.
//!
//! Without an SMTP host every mail is written as an `.eml` file into an outbox folder (beside
//! an SQLite database, in the working directory with PostgreSQL, unless configured), so that the
//! demo works on a bare machine and a newcomer can open the links.

use super::{ConfigError, Database};
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileMail {
    from: Option<String>,
    smtp_host: Option<String>,
    smtp_port: Option<i64>,
    smtp_tls: Option<String>,
    smtp_user: Option<String>,
    smtp_password: Option<String>,
    outbox: Option<PathBuf>,
    per_minute: Option<i64>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// `Name <address>` or an address.
    pub from: String,
    pub route: MailRoute,
    /// Most mails this collector sends per minute; 0: no limit.
    pub per_minute: u32,
}

#[derive(Clone, PartialEq, Eq)]
pub enum MailRoute {
    Outbox(PathBuf),
    Smtp {
        host: String,
        port: u16,
        /// `none`, `starttls` or `tls`.
        tls: String,
        user: Option<String>,
        password: Option<String>,
    },
}

/// Shows everything but the password, so that settings can be logged.
impl fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.per_minute {
            0 => write!(f, "at any pace, ")?,
            n => write!(f, "at most {n} a minute, ")?,
        }
        match &self.route {
            MailRoute::Outbox(dir) => {
                write!(f, "mail from {} to the outbox {}", self.from, dir.display())
            }
            MailRoute::Smtp {
                host,
                port,
                tls,
                user,
                ..
            } => write!(
                f,
                "mail from {} via {host}:{port} ({tls}{})",
                self.from,
                user.as_ref()
                    .map(|u| format!(", user {u}"))
                    .unwrap_or_default()
            ),
        }
    }
}

pub const DEFAULT_FROM: &str = "Beteiligung <beteiligung@example.invalid>";

/// Ten a second, as listmonk sends by default: a town's relay takes that, and a burst (a message
/// to every registrant, an event called off) waits in the queue instead of being refused.
pub const DEFAULT_PER_MINUTE: u32 = 600;
/// A claimed batch (20 mails) must go out within its lease (5 minutes), or another collector
/// would send it again.
const LEAST_PER_MINUTE: u32 = 10;

impl MailSettings {
    /// The sender's name (`Stadt Musterstadt` of `Stadt Musterstadt <beteiligung@…>`): the
    /// town's name as the configuration knows it. None for the demo's default sender, whose
    /// name is a placeholder, and for a bare address.
    pub fn town(&self) -> Option<String> {
        if self.from == DEFAULT_FROM {
            return None;
        }
        let mailbox: lettre::message::Mailbox = self.from.parse().ok()?;
        mailbox
            .name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
    }
}

pub(super) fn settings(
    file: FileMail,
    env: &impl Fn(&str) -> Option<String>,
    database: &Database,
) -> Result<MailSettings, ConfigError> {
    let pick =
        |var: &str, value: Option<String>| env(var).or(value).filter(|v| !v.trim().is_empty());
    let host = pick("MITMACHEN_SMTP_HOST", file.smtp_host);
    let from = pick("MITMACHEN_MAIL_FROM", file.from);
    let per_minute = per_minute(env("MITMACHEN_MAIL_PER_MINUTE"), file.per_minute)?;
    let Some(host) = host else {
        let dir = env("MITMACHEN_MAIL_OUTBOX")
            .map(PathBuf::from)
            .or(file.outbox)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| match database.sqlite_path() {
                Some(file) => file
                    .parent()
                    .unwrap_or(Path::new("."))
                    .join("mitmachen-outbox"),
                None => PathBuf::from("mitmachen-outbox"),
            });
        return Ok(MailSettings {
            from: from.unwrap_or_else(|| DEFAULT_FROM.into()),
            route: MailRoute::Outbox(dir),
            per_minute,
        });
    };
    let from = from.ok_or_else(|| {
        ConfigError::new(
            "mail.from (MITMACHEN_MAIL_FROM)",
            "is needed with an SMTP host: the sender, e.g. \"Stadt Musterstadt <beteiligung@musterstadt.de>\"",
        )
    })?;
    let tls = pick("MITMACHEN_SMTP_TLS", file.smtp_tls)
        .unwrap_or_else(|| "starttls".into())
        .trim()
        .to_ascii_lowercase();
    if !matches!(tls.as_str(), "none" | "starttls" | "tls") {
        return Err(ConfigError::new(
            "mail.smtp_tls (MITMACHEN_SMTP_TLS)",
            format!(
                "'{tls}' is none of starttls (port 587), tls (port 465) or none (a relay on this machine only)"
            ),
        ));
    }
    let port = match env("MITMACHEN_SMTP_PORT") {
        Some(v) => Some(v.trim().parse::<i64>().map_err(|_| {
            ConfigError::new(
                "mail.smtp_port (MITMACHEN_SMTP_PORT)",
                format!("'{v}' is not a port"),
            )
        })?),
        None => file.smtp_port,
    };
    let port = match port {
        Some(p) => u16::try_from(p).ok().filter(|p| *p > 0).ok_or_else(|| {
            ConfigError::new(
                "mail.smtp_port (MITMACHEN_SMTP_PORT)",
                format!("{p} is not a port (1 to 65535)"),
            )
        })?,
        None if tls == "tls" => 465,
        None if tls == "none" => 25,
        None => 587,
    };
    Ok(MailSettings {
        from,
        route: MailRoute::Smtp {
            host: host.trim().to_owned(),
            port,
            tls,
            user: pick("MITMACHEN_SMTP_USER", file.smtp_user),
            password: pick("MITMACHEN_SMTP_PASSWORD", file.smtp_password),
        },
        per_minute,
    })
}

/// `mail.per_minute` (`MITMACHEN_MAIL_PER_MINUTE` wins): 0 for no limit, else at least
/// [`LEAST_PER_MINUTE`].
fn per_minute(env: Option<String>, file: Option<i64>) -> Result<u32, ConfigError> {
    let field = "mail.per_minute (MITMACHEN_MAIL_PER_MINUTE)";
    let value = match env.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| ConfigError::new(field, format!("'{v}' is not a number")))?,
        None => return file.map_or(Ok(DEFAULT_PER_MINUTE), |n| checked(field, n)),
    };
    checked(field, value)
}

fn checked(field: &str, n: i64) -> Result<u32, ConfigError> {
    match u32::try_from(n) {
        Ok(0) => Ok(0),
        Ok(n) if (LEAST_PER_MINUTE..=100_000).contains(&n) => Ok(n),
        _ => Err(ConfigError::new(
            field,
            format!(
                "{n} is not 0 (no limit) or {LEAST_PER_MINUTE} to 100000: a claimed batch of mails must go out within its lease"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(from: &str) -> MailSettings {
        MailSettings {
            from: from.into(),
            route: MailRoute::Outbox(PathBuf::from("outbox")),
            per_minute: DEFAULT_PER_MINUTE,
        }
    }

    #[test]
    fn the_pace_is_a_number_of_mails_per_minute_or_none() {
        assert_eq!(per_minute(None, None).unwrap(), DEFAULT_PER_MINUTE);
        assert_eq!(per_minute(None, Some(120)).unwrap(), 120);
        assert_eq!(per_minute(Some(" 0 ".into()), Some(120)).unwrap(), 0);
        assert_eq!(per_minute(Some(String::new()), Some(60)).unwrap(), 60);
        for wrong in ["5", "-1", "zehn", "100001"] {
            let e = per_minute(Some(wrong.into()), None).unwrap_err();
            assert!(e.to_string().contains("mail.per_minute"), "{e}");
        }
    }

    #[test]
    fn the_town_is_the_senders_name() {
        assert_eq!(
            from("Stadt Musterstadt <beteiligung@musterstadt.de>").town(),
            Some("Stadt Musterstadt".into())
        );
        assert_eq!(
            from("\"Gemeinde Au, Bürgerbüro\" <b@au.de>").town(),
            Some("Gemeinde Au, Bürgerbüro".into())
        );
        assert_eq!(from("beteiligung@musterstadt.de").town(), None);
        assert_eq!(from(DEFAULT_FROM).town(), None, "a placeholder is no town");
    }
}
